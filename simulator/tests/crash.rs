//! Crash test: `qm engine drive` runs as a child process under a stream of reserve, confirm,
//! release, ship and receipt commands, taking a snapshot every 3,000 commands, and is killed
//! with SIGKILL at seeded random moments, at least 20 times. After each kill the journal must hold every acknowledged command, hold
//! nothing but whole records that are exactly the stream's next commands (so nothing
//! unacknowledged is half-applied), replay to a state whose invariants hold (no cell oversold),
//! and let the next run resume. Also: `Durable::submit_then` (the service's way in) calls back
//! once per submission, after its commands are durable.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use qm_simulator::durable::{self, Driver, Genesis};
use rand::{RngExt, SeedableRng};

const KILLS: usize = 24;
const SEED: u64 = 20_261_122;

/// `qm engine drive DIR --scenario SCENARIO`, to add options to.
fn drive(dir: &Path, scenario: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qm"));
    command.args(["engine", "drive", dir.to_str().unwrap(), "--scenario"]);
    command.arg(scenario);
    command
}

/// Starts a drive, kills it `delay` after its first acknowledgement (recovery before that takes
/// longer as the journal grows), and returns the last sequence number it printed as
/// acknowledged.
fn drive_and_kill(dir: &Path, scenario: &Path, delay: Duration) -> u64 {
    let mut child = drive(dir, scenario)
        .args([
            "--seed",
            "7",
            "--commands",
            "100000000",
            "--submission",
            "32",
            "--in-flight",
            "8",
            // Snapshots often, so kills also land while one is being written.
            "--snapshot-every",
            "3000",
            "--print-acks",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (first_ack, acking) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut last = 0u64;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(seq) = line.strip_prefix("acked ") {
                if last == 0 {
                    let _ = first_ack.send(());
                }
                last = seq.parse().unwrap();
            }
        }
        last
    });
    acking
        .recv_timeout(Duration::from_secs(120))
        .expect("the drive acknowledged nothing within 2 minutes");
    std::thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    // Every acknowledgement printed before the kill is still in the pipe.
    reader.join().unwrap()
}

#[test]
fn sigkill_at_random_moments_loses_no_acknowledged_command() {
    let dir = common::test_root().join("crash");
    let _ = std::fs::remove_dir_all(&dir);
    let scenario = common::scenario("baseline.toml");
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let (mut torn_tails, mut snapshots_checked) = (0usize, 0usize);
    let mut recovered = 0u64;
    for kill in 0..KILLS {
        let delay = Duration::from_millis(rng.random_range(0..120));
        let acked = drive_and_kill(&dir, &scenario, delay);
        let scan = durable::read_journal(&dir).unwrap_or_else(|e| {
            panic!("kill {kill} (seed {SEED}): the journal does not recover: {e}")
        });
        let records = scan.last_seq();
        assert!(
            records >= acked,
            "kill {kill} (seed {SEED}, after {delay:?}): {acked} acknowledged, {records} journaled"
        );
        assert!(records > recovered, "kill {kill}: the journal did not grow");
        // Segments start only once a snapshot is durable, so the snapshots a kill loses in
        // flight leave none behind: the bound holds right after every kill, not only while
        // the writer runs.
        assert!(
            scan.segments.len() <= durable::MAX_SEGMENTS,
            "kill {kill} (seed {SEED}, after {delay:?}): {} segments kept, more than the {} the \
             design allows",
            scan.segments.len(),
            durable::MAX_SEGMENTS
        );
        torn_tails += scan.torn.is_some() as usize;
        recovered = records;
        if kill % 6 == 5 {
            // Recovery from the newest snapshot plus the journal after it rebuilds the same
            // books as a full replay (or, once old segments are gone, the oldest snapshot's).
            let inspection = durable::inspect(&dir).unwrap();
            let via = &inspection.from_snapshot;
            assert!(
                via.snapshot.is_some(),
                "kill {kill}: no snapshot was written"
            );
            assert_eq!(
                via.state_hash, inspection.state_hash,
                "kill {kill}: snapshot + tail differs"
            );
            snapshots_checked += 1;
        }
    }
    // The journal is exactly the stream's first commands: whole records, none invented, none
    // skipped, nothing half-applied.
    let genesis = Genesis::read(&dir).unwrap();
    let (engine, s, regions) = genesis.engine(&dir).unwrap();
    let stream = Driver::new(genesis.seed, &engine, s.channels.len() as u16, regions);
    let scan = durable::read_journal(&dir).unwrap();
    // Segments behind the older of the two snapshots kept were deleted: the journal stays
    // bounded (checked after each kill above).
    assert!(scan.first_seq > 1, "no journal segment was ever deleted");
    let stream = stream.skip(scan.first_seq as usize - 1);
    for (record, expected) in scan.records.iter().zip(stream) {
        assert_eq!(
            record.command, expected,
            "record {} is not the stream's",
            record.seq
        );
    }
    // Replayed onto the opening engine, the books balance and no cell is oversold.
    let inspection = durable::inspect(&dir).unwrap();
    assert_eq!(inspection.records, recovered);
    let report = inspection
        .invariants
        .unwrap_or_else(|v| panic!("invariants broken after recovery: {v}"));
    assert!(report.open_holds > 0, "the stream keeps holds open");
    // A damaged newest snapshot is passed over, with why, for the one before it (or a full
    // replay): the state is the same.
    let (_, newest) = durable::snapshots(&dir).unwrap().remove(0);
    let mut bytes = std::fs::read(&newest).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&newest, bytes).unwrap();
    // `qm engine recover` cuts any torn tail and agrees on the state.
    let output = Command::new(env!("CARGO_BIN_EXE_qm"))
        .args(["engine", "recover", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        printed.contains(&format!("records            {recovered}\n")),
        "{printed}"
    );
    assert!(printed.contains(&format!(
        "state hash         {:016x}",
        inspection.state_hash
    )));
    assert!(printed.contains("invariants         hold"));
    assert!(
        printed.contains(&format!(
            "passed over        {}: damaged snapshot: checksum mismatch",
            newest.display()
        )),
        "{printed}"
    );
    eprintln!(
        "{KILLS} kills (seed {SEED}): {recovered} commands journaled, {torn_tails} torn tails cut, \
         {snapshots_checked} snapshot recoveries matched the reference recovery"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn damage_before_the_last_journal_segment_is_refused_not_cut() {
    let dir = common::test_root().join("segments");
    let _ = std::fs::remove_dir_all(&dir);
    let scenario = common::scenario("baseline.toml");
    let drive = drive(&dir, &scenario)
        // Snapshots follow batches: with batches of at most 1,000 commands, one comes every
        // 5,000–5,999 commands, so 30,000 commands make at least five, and two are kept. The
        // segment after the first snapshot starts by the time the third is handed over (the
        // queue holds one), so the older kept snapshot, the fourth or later, is past it.
        .args(["--commands", "30000", "--snapshot-every", "5000"])
        .args(["--batch-max-commands", "1000"])
        .output()
        .unwrap();
    assert!(
        drive.status.success(),
        "{}",
        String::from_utf8_lossy(&drive.stderr)
    );
    let segments = durable::segments(&dir).unwrap();
    assert!(segments.len() >= 2, "{segments:?}");
    assert!(
        segments[0].0 > 1,
        "the first segment, behind both snapshots, was deleted"
    );
    // A torn end is allowed in the last segment only: in an earlier one, records follow.
    let first = &segments[0].1;
    let bytes = std::fs::read(first).unwrap();
    std::fs::write(first, &bytes[..bytes.len() - 3]).unwrap();
    let inspect = Command::new(env!("CARGO_BIN_EXE_qm"))
        .args(["engine", "inspect", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(inspect.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&inspect.stderr);
    assert!(
        stderr.contains("and later segments follow: this is not a torn write"),
        "{stderr}"
    );
    // A missing segment is a gap, not an empty journal.
    std::fs::write(first, &bytes).unwrap();
    std::fs::remove_file(&segments[1].1).unwrap();
    let later = segments[1].0;
    std::fs::write(
        dir.join(format!("journal-{:020}.qmj", later + 5)),
        qm_engine::journal::MAGIC,
    )
    .unwrap();
    let error = durable::read_journal(&dir).err().unwrap().to_string();
    assert!(error.contains("records are missing or repeated"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One process at a time owns a folder: while a drive runs, a second drive, a recover and an
/// inspect are refused (before the lock, a second drive read the moving journal as damaged, or
/// could open it and write into it); once the drive is killed, its lock goes with it.
#[test]
fn a_folder_in_use_by_another_process_is_refused() {
    let dir = common::temp_dir("in-use");
    let folder = dir.join("engine");
    let mut child = drive(&folder, &common::scenario("baseline.toml"))
        .args(["--commands", "100000000", "--print-acks"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("an acknowledgement").unwrap();
    assert!(first.starts_with("acked "), "{first}");
    let path = folder.to_str().unwrap();
    for args in [
        vec!["engine", "drive", path, "--commands", "10"],
        vec!["engine", "recover", path],
        vec!["engine", "inspect", path],
    ] {
        let out = common::qm(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("in use by another process"),
            "{args:?}: {stderr}"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(lines);
    common::ok(&common::qm(&["engine", "recover", path]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn submit_then_acknowledges_each_submission_once_after_it_is_durable() {
    let dir = common::temp_dir("submit-then");
    let scenario = common::scenario("baseline.toml");
    let genesis = Genesis::create(&dir, &scenario, 7).unwrap();
    let open = || {
        durable::Durable::open(
            &dir,
            &|| Ok(genesis.engine(&dir)?.0),
            durable::Settings::default(),
        )
        .unwrap()
        .0
    };
    let (sku, warehouse) = (qm_engine::SkuId(0), qm_engine::WarehouseId(0));
    let writer = open();
    let before = writer.engine().cell_snapshot(sku, warehouse).unwrap();
    let (acks, acked) = std::sync::mpsc::channel();
    for _ in 0..100 {
        let receipt = qm_engine::journal::Command::Receive {
            sku,
            warehouse,
            units: 2,
            now_ms: 0,
        };
        let acks = acks.clone();
        writer
            .submit_then(vec![receipt], move |ack| acks.send(ack).unwrap())
            .unwrap();
    }
    drop(acks);
    let mut first_seqs: Vec<u64> = acked
        .iter()
        .map(|ack| {
            assert!(matches!(
                ack.results[..],
                [qm_engine::journal::Applied::Receive(Ok(_))]
            ));
            ack.first_seq
        })
        .collect();
    // Every callback was dropped once called, so the channel closed after exactly 100.
    first_seqs.sort_unstable();
    first_seqs.dedup();
    assert_eq!(first_seqs.len(), 100);
    writer.close().unwrap();
    let reopened = open();
    let after = reopened.engine().cell_snapshot(sku, warehouse).unwrap();
    assert_eq!(after.on_hand, before.on_hand + 200);
    drop(reopened);
    std::fs::remove_dir_all(&dir).unwrap();
}
