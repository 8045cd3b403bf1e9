//! Damage to a durable engine's folder: segments and snapshots deleted, truncated at and between
//! record boundaries, flipped, swapped and duplicated, the scenario copy edited, a crash's
//! temporary files left behind. Recovery either restores every acknowledged command (the same
//! state hash as the undamaged folder) or refuses with a reason and exit code 1 (damaged state,
//! not bad input); never exit 0
//! with acknowledged records gone. A folder resumed with another opening engine (`--scenario`,
//! `--seed`) is refused as bad input (exit 2).

mod common;
use common::{qm, scenario};

use std::path::{Path, PathBuf};

/// A folder driven with `commands` commands and a snapshot every `snapshot_every`.
fn driven(name: &str, commands: u64, snapshot_every: u64) -> PathBuf {
    let dir = common::test_root().join(format!("damage-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    common::drive(&dir, "baseline.toml", commands, snapshot_every);
    dir
}

/// `qm engine recover DIR`: (exit code, standard output, standard error).
fn recover(dir: &Path) -> (i32, String, String) {
    let out = qm(&["engine", "recover", dir.to_str().unwrap()]);
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn state_hash(stdout: &str) -> String {
    stdout
        .lines()
        .find(|l| l.starts_with("state hash"))
        .unwrap_or_else(|| panic!("no state hash in {stdout}"))
        .to_string()
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    found.sort();
    found
}

/// A copy of `dir` to damage.
fn copy(dir: &Path, name: &str) -> PathBuf {
    let to = dir.with_file_name(format!(
        "{}-{name}",
        dir.file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&to);
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
    to
}

/// `copy(dir, name)` whose last segment holds records: when the drive ended just after a
/// segment started (empty but for its magic), the folder as it was before it started (a crash
/// between a snapshot becoming durable and the segment after it).
fn last_segment_with_records(dir: &Path, name: &str) -> PathBuf {
    let d = copy(dir, name);
    let last = files(&d, ".qmj").pop().unwrap();
    if std::fs::metadata(&last).unwrap().len() == qm_engine::journal::MAGIC.len() as u64 {
        std::fs::remove_file(last).unwrap();
    }
    d
}

/// The first record of the segment at `path`.
fn first_record(path: &Path) -> u64 {
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    stem.trim_start_matches("journal-").parse().unwrap()
}

/// The segment holding record `seq`.
fn segment_holding(dir: &Path, seq: u64) -> PathBuf {
    files(dir, ".qmj")
        .into_iter()
        .rfind(|p| first_record(p) <= seq)
        .unwrap_or_else(|| panic!("no segment holds record {seq} in {}", dir.display()))
}

/// Cuts the segment at `path` at a record boundary, keeping `keep` of its records (the journal's
/// own scan says where they are); returns how many it held.
fn keep_records(path: &Path, keep: impl Fn(usize) -> usize) -> usize {
    let bytes = std::fs::read(path).unwrap();
    let scan = qm_engine::journal::scan_from(&bytes, first_record(path)).unwrap();
    // Re-encoded, the records kept are as long as they were: their length is a boundary.
    let mut buffer = qm_engine::journal::MAGIC.to_vec();
    for r in &scan.records[..keep(scan.records.len())] {
        qm_engine::journal::encode_record(r.seq, &r.command, &mut buffer);
    }
    std::fs::write(path, &bytes[..buffer.len()]).unwrap();
    scan.records.len()
}

fn refused(dir: &Path, reason: &str) {
    let (code, stdout, stderr) = recover(dir);
    assert_eq!(code, 1, "{}: {stdout}{stderr}", dir.display());
    assert!(stderr.contains(reason), "{reason}\n{stderr}");
}

/// The undamaged folder, driven once for every test of this file, and its state hash.
fn base() -> &'static (PathBuf, String) {
    static BASE: std::sync::OnceLock<(PathBuf, String)> = std::sync::OnceLock::new();
    BASE.get_or_init(|| {
        // 20,000 commands, a snapshot after the batch that reaches 6,000 more; a segment starts
        // once a snapshot is durable, and the writer deletes those wholly at or before the older
        // snapshot kept.
        let dir = driven("base", 20_000, 6_000);
        let (code, stdout, stderr) = recover(&dir);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("records            20000"), "{stdout}");
        let hash = state_hash(&stdout);
        let segments = files(&dir, ".qmj");
        assert!(segments.len() >= 2, "{segments:?}");
        (dir, hash)
    })
}

#[test]
fn the_journal_deleted_or_cut_short_is_refused() {
    let (dir, hash) = base();
    let (dir, hash) = (dir.as_path(), hash.as_str());
    // The whole journal deleted: no new empty journal, no exit 0.
    let d = copy(dir, "no-journal");
    for s in files(&d, ".qmj") {
        std::fs::remove_file(s).unwrap();
    }
    refused(&d, "the journal was deleted");
    assert!(files(&d, ".qmj").is_empty(), "recovery wrote a journal");
    // And the acknowledged position with it: the snapshots still say records were written.
    std::fs::remove_file(d.join("acknowledged.qma")).unwrap();
    refused(&d, "the journal was deleted");
    assert!(files(&d, ".qmj").is_empty(), "recovery wrote a journal");

    // Without an empty last segment, the folder recovers the same state from the journal.
    let d = last_segment_with_records(dir, "open");
    let (code, stdout, stderr) = recover(&d);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(state_hash(&stdout), hash);

    // The newest segment with records deleted.
    let d = last_segment_with_records(dir, "no-newest");
    std::fs::remove_file(files(&d, ".qmj").last().unwrap()).unwrap();
    // (The journal deleted, if that was its only segment.)
    let (code, _, stderr) = recover(&d);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("acknowledged records are missing")
            || stderr.contains("the journal was deleted"),
        "{stderr}"
    );

    // The segment holding the newest snapshot and every later one deleted, and the
    // acknowledged position with them: the snapshot alone says records are missing.
    let d = copy(dir, "no-tail-no-ack");
    let (newest, _) = newest_snapshot(&d);
    let holding = segment_holding(&d, newest);
    for s in files(&d, ".qmj").into_iter().filter(|s| *s > holding) {
        std::fs::remove_file(s).unwrap();
    }
    let first = first_record(&holding);
    keep_records(&holding, |_| (newest - first) as usize);
    std::fs::remove_file(d.join("acknowledged.qma")).unwrap();
    refused(
        &d,
        &format!(
            "a snapshot at record {newest}, but the journal ends at record {}: record {newest} \
             was durable before that snapshot was taken and is missing",
            newest - 1
        ),
    );

    // The last segment cut at a record boundary, and cut to its magic.
    for (name, half) in [("boundary", true), ("magic", false)] {
        let d = last_segment_with_records(dir, name);
        let last = files(&d, ".qmj").pop().unwrap();
        let held = keep_records(&last, |n| if half { n / 2 } else { 0 });
        assert!(held > 0);
        refused(&d, "acknowledged records are missing");
    }
}

#[test]
fn torn_flipped_swapped_and_duplicated_segments_are_refused_or_cut_with_a_count() {
    let (dir, hash) = base();
    let (dir, hash) = (dir.as_path(), hash.as_str());
    // Cut between record boundaries: a torn tail, which only a crash mid-write leaves; here it
    // removes acknowledged records, so it is refused too.
    let d = last_segment_with_records(dir, "torn");
    let last = files(&d, ".qmj").pop().unwrap();
    let bytes = std::fs::read(&last).unwrap();
    std::fs::write(&last, &bytes[..bytes.len() - 3]).unwrap();
    refused(&d, "acknowledged records are missing");

    // A partial record after the acknowledged ones (a crash during a write): cut, counted, and
    // every acknowledged record kept.
    let d = last_segment_with_records(dir, "partial");
    let last = files(&d, ".qmj").pop().unwrap();
    let mut bytes = std::fs::read(&last).unwrap();
    bytes.extend_from_slice(&[7, 0, 0, 0, 1, 2]);
    std::fs::write(&last, &bytes).unwrap();
    let (code, stdout, stderr) = recover(&d);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("cut 6 bytes") && stdout.contains("1 record that was being written, never acknowledged (acknowledged up to record 20000, all kept)"),
        "{stdout}"
    );
    assert_eq!(state_hash(&stdout), hash);

    // A flipped byte inside an old record: refused with where.
    let d = last_segment_with_records(dir, "flip");
    let last = files(&d, ".qmj").pop().unwrap();
    let mut bytes = std::fs::read(&last).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&last, &bytes).unwrap();
    refused(&d, "journal corrupted at byte");

    // Two segments swapped in name, and one duplicated under the next one's name.
    let d = copy(dir, "swap");
    let list = files(&d, ".qmj");
    let (a, b) = (&list[list.len() - 2], &list[list.len() - 1]);
    let tmp = d.join("swap.tmp");
    std::fs::rename(a, &tmp).unwrap();
    std::fs::rename(b, a).unwrap();
    std::fs::rename(&tmp, b).unwrap();
    let (code, _, stderr) = recover(&d);
    assert_eq!(code, 1, "{stderr}");
    let d = copy(dir, "duplicate");
    let list = files(&d, ".qmj");
    std::fs::copy(&list[list.len() - 2], &list[list.len() - 1]).unwrap();
    let (code, _, stderr) = recover(&d);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn snapshots_the_ack_file_and_the_scenario_copy_restore_everything_or_refuse() {
    let (dir, hash) = base();
    let (dir, hash) = (dir.as_path(), hash.as_str());
    // The acknowledged position file damaged: refused with what to do.
    let d = copy(dir, "ack");
    std::fs::write(d.join("acknowledged.qma"), [1, 2, 3]).unwrap();
    refused(&d, "acknowledged.qma: damaged");

    // The newest snapshot flipped, truncated, deleted, or replaced by the older one under its
    // name (a snapshot duplicated, or two swapped): passed over, and the older one and more
    // journal restore the same state.
    for name in [
        "snapshot-flip",
        "snapshot-cut",
        "snapshot-gone",
        "snapshot-duplicate",
    ] {
        let d = copy(dir, name);
        let mut snapshots = files(&d, ".qms");
        let newest = snapshots.pop().unwrap();
        let mut bytes = std::fs::read(&newest).unwrap();
        match name {
            "snapshot-flip" => {
                let at = bytes.len() / 3;
                bytes[at] ^= 0xff;
                std::fs::write(&newest, bytes).unwrap();
            }
            "snapshot-cut" => {
                bytes.truncate(bytes.len() / 2);
                std::fs::write(&newest, bytes).unwrap();
            }
            "snapshot-gone" => std::fs::remove_file(&newest).unwrap(),
            _ => {
                std::fs::copy(snapshots.last().expect("two snapshots kept"), &newest).unwrap();
            }
        }
        let (code, stdout, stderr) = recover(&d);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(state_hash(&stdout), hash, "{name}");
        if name != "snapshot-gone" {
            assert!(stdout.contains("passed over"), "{name}: {stdout}");
        }
    }

    // The segment holding the record after the newest snapshot (or the last record) deleted,
    // the others kept.
    let d = last_segment_with_records(dir, "after-snapshot");
    let (newest, _) = newest_snapshot(&d);
    std::fs::remove_file(segment_holding(&d, newest + 1)).unwrap();
    let (code, _, stderr) = recover(&d);
    assert_eq!(code, 1, "{stderr}");

    // The scenario copy edited: the journal would replay onto another opening engine.
    let d = copy(dir, "scenario");
    let text = std::fs::read_to_string(d.join("scenario.toml")).unwrap();
    std::fs::write(
        d.join("scenario.toml"),
        text.replace("seed = 42", "seed = 43"),
    )
    .unwrap();
    refused(&d, "scenario.toml: changed since the folder was made");

    // A crash's temporary snapshot is removed, and recovery is complete.
    let d = copy(dir, "temporary");
    std::fs::write(d.join("snapshot-00000000000000099999.qms.tmp"), b"half").unwrap();
    let (code, stdout, stderr) = recover(&d);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(state_hash(&stdout), hash);
    assert!(files(&d, ".tmp").is_empty());
}

/// `--scenario` and `--seed` choose a new folder's opening engine; a folder resumed with
/// another one is refused (it was ignored, and the stream went on from the folder's own),
/// the same one is accepted.
#[test]
fn a_folder_resumed_with_another_opening_engine_is_refused() {
    let dir = driven("genesis", 200, 0);
    let drive = |extra: &[&str]| {
        let mut args = vec!["engine", "drive", dir.to_str().unwrap(), "--commands", "50"];
        args.extend(extra);
        let out = qm(&args);
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let other = scenario("black-friday.toml");
    let (code, stderr) = drive(&["--scenario", other.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("with seed 3; --scenario ") && stderr.contains("is another scenario"),
        "{stderr}"
    );
    let (code, stderr) = drive(&["--seed", "4"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--seed 4 is another seed"), "{stderr}");
    let same = scenario("baseline.toml");
    let (code, stderr) = drive(&["--scenario", same.to_str().unwrap(), "--seed", "3"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("recovered 200 records;"), "{stderr}");
}

/// A drive of no command has no rate or latency to report: it says so rather than 0 µs.
#[test]
fn a_drive_of_no_command_reports_no_rate_latency_or_pause() {
    let dir = common::temp_dir("drive-none").join("engine");
    let baseline = scenario("baseline.toml");
    let output = qm(&[
        "engine",
        "drive",
        dir.to_str().unwrap(),
        "--scenario",
        baseline.to_str().unwrap(),
        "--commands",
        "0",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("drove 0 commands (0 order lines reserved) in ")
            && stderr.contains(": nothing to time; 0 batches, no snapshot;")
            && !stderr.contains("µs")
            && !stderr.contains("pause"),
        "{stderr}"
    );
}

fn newest_snapshot(dir: &Path) -> (u64, PathBuf) {
    let path = files(dir, ".qms").pop().unwrap();
    let seq = path
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .trim_start_matches("snapshot-")
        .parse()
        .unwrap();
    (seq, path)
}
