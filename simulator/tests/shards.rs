//! `--shard I/N` and `--gather` of `qm bench` and `qm tune`: a command split into shards and
//! gathered writes what one process writes; a gather refuses what is missing, damaged or of
//! another command's plan, and says where.

mod common;

use std::path::Path;

use common::{deterministic_files, ok, qm, scenario, temp_dir};

/// A small bench: two strategies × three replications of five days of the flash sale.
fn bench_args(out: &Path) -> Vec<String> {
    let flash_sale = scenario("flash-sale.toml");
    [
        flash_sale.to_str().unwrap(),
        "--strategies",
        "nearest,lowest_cost",
        "--replications",
        "3",
        "--days",
        "5",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn bench(out: &Path, more: &[&str]) -> std::process::Output {
    let mut args = vec!["bench".to_string()];
    args.extend(bench_args(out));
    args.extend(more.iter().map(|s| s.to_string()));
    qm(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn shards_gathered_write_what_one_process_writes() {
    let dir = temp_dir("shards-gathered");
    let whole = dir.join("whole");
    ok(&bench(&whole, &[]));
    let sharded = dir.join("sharded");
    // Three shards of six runs in reverse order, each a process of its own.
    for i in [2, 1, 0] {
        ok(&bench(&sharded, &["--shard", &format!("{i}/3")]));
    }
    let runs = sharded.join("flash-sale/bench/runs");
    for strategy in ["nearest", "lowest_cost"] {
        for k in 0..3 {
            let file = runs.join(strategy).join(format!("replication-{k}.qmb"));
            assert!(file.is_file(), "{} missing", file.display());
        }
    }
    let out = ok(&qm(&[
        &["bench"],
        &bench_args(&sharded)
            .iter()
            .map(String::as_str)
            .filter(|&a| a != "--quiet")
            .collect::<Vec<_>>()[..],
        &["--gather"],
    ]
    .concat()));
    assert!(out.contains("order_fulfillment_rate"), "{out}");
    let expected = deterministic_files(&whole.join("flash-sale/bench"));
    let names: Vec<&String> = expected.keys().collect();
    assert!(expected.contains_key("bench.csv"), "{names:?}");
    assert!(expected.contains_key("nearest/summary.json"), "{names:?}");
    assert!(
        expected.contains_key("lowest_cost/daily.parquet"),
        "{names:?}"
    );
    assert_eq!(expected.len(), 2 * 17 + 3, "{names:?}");
    let gathered = deterministic_files(&sharded.join("flash-sale/bench"));
    assert_eq!(gathered.keys().collect::<Vec<_>>(), names);
    for (name, bytes) in &expected {
        assert!(&gathered[name] == bytes, "{name} differs");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_shard_run_again_keeps_the_runs_it_finished() {
    let dir = temp_dir("shard-again");
    let first = ok(&qm(&[
        &["bench"],
        &bench_args(&dir)
            .iter()
            .map(String::as_str)
            .filter(|&a| a != "--quiet")
            .collect::<Vec<_>>()[..],
        &["--shard", "1/4"],
    ]
    .concat()));
    // Jobs 1 and 5 of 6: nearest replication 1, lowest_cost replication 2.
    assert!(first.contains("2 of the 6 runs"), "{first}");
    assert!(first.contains("ran 2 runs, kept 0"), "{first}");
    let runs = dir.join("flash-sale/bench/runs");
    let file = runs.join("lowest_cost/replication-2.qmb");
    let before = std::fs::read(&file).unwrap();
    assert!(runs.join("nearest/replication-1.qmb").is_file());
    assert_eq!(std::fs::read_dir(runs.join("nearest")).unwrap().count(), 1);
    // One run lost: the shard runs it again and keeps the other.
    std::fs::remove_file(runs.join("nearest/replication-1.qmb")).unwrap();
    let again = String::from_utf8_lossy(&bench(&dir, &["--shard", "1/4"]).stdout).into_owned();
    assert!(again.is_empty(), "--quiet prints nothing: {again}");
    assert!(runs.join("nearest/replication-1.qmb").is_file());
    assert_eq!(std::fs::read(&file).unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_gather_names_the_runs_no_shard_wrote() {
    let dir = temp_dir("gather-missing");
    ok(&bench(&dir, &["--shard", "0/2"]));
    let out = bench(&dir, &["--gather"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("3 of 6 runs have no file under")
            && err.contains(
                "nearest replication 1, lowest_cost replication 0, lowest_cost replication 2"
            ),
        "{err}"
    );
    assert!(!dir.join("flash-sale/bench/bench.csv").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_gather_refuses_a_run_of_another_bench_or_a_damaged_one() {
    let dir = temp_dir("gather-refused");
    ok(&bench(&dir, &["--shard", "0/2"]));
    ok(&bench(&dir, &["--shard", "1/2", "--seed", "99"]));
    let out = bench(&dir, &["--gather"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("nearest/replication-1.qmb: another bench's run: it was run with --seed 99"),
        "{err}"
    );
    ok(&bench(&dir, &["--shard", "1/2"]));
    let file = dir.join("flash-sale/bench/runs/lowest_cost/replication-2.qmb");
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    std::fs::write(&file, &bytes).unwrap();
    // Damaged state is refused with exit code 1, as a damaged results file is.
    let out = bench(&dir, &["--gather"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("lowest_cost/replication-2.qmb: checksum mismatch"),
        "{err}"
    );
    std::fs::write(&file, b"QMBENCH").unwrap();
    let err = stderr(&bench(&dir, &["--gather"]));
    assert!(
        err.contains("replication-2.qmb: not a shard's result file"),
        "{err}"
    );
    // Shard 1 runs the damaged run again; the gather then succeeds.
    ok(&bench(&dir, &["--shard", "1/2"]));
    ok(&bench(&dir, &["--gather"]));
    assert!(dir.join("flash-sale/bench/bench.csv").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_shard_that_is_not_i_of_n_is_refused() {
    let dir = temp_dir("shard-refused");
    for (shard, says) in [
        ("3/3", "shard 3 of 3: shards are numbered from 0 to 2"),
        ("0/0", "0 shards: between 1 and 100000"),
        ("1", "`1` is not I/N"),
        ("a/3", "`a` in `a/3` is not a whole number"),
    ] {
        let out = bench(&dir, &["--shard", shard]);
        assert_eq!(out.status.code(), Some(2), "{shard}");
        assert!(stderr(&out).contains(says), "{shard}: {}", stderr(&out));
    }
    let out = bench(&dir, &["--shard", "0/2", "--gather"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A tune grid: two service levels × normal × ses, two replications of 63 days (a week after
/// the safety-stock scenario's 56-day warm-up).
fn tune(out: &Path, more: &[&str]) -> std::process::Output {
    let safety_stock = scenario("safety-stock.toml");
    let mut args = vec![
        "tune",
        safety_stock.to_str().unwrap(),
        "--service-levels",
        "0.8,0.95",
        "--methods",
        "normal",
        "--forecasts",
        "ses",
        "--replications",
        "2",
        "--days",
        "63",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(more);
    qm(&args)
}

#[test]
fn a_tune_grid_split_into_shards_writes_what_one_process_writes() {
    let dir = temp_dir("tune-shards");
    ok(&tune(&dir.join("whole"), &[]));
    let read =
        |root: &str, file: &str| std::fs::read(dir.join(root).join("safety-stock").join(file));
    let sharded = dir.join("sharded");
    ok(&tune(&sharded, &["--shard", "1/3"]));
    // Of the four jobs, shard 1 of 3 runs job 1 only: 0.8, replication 1.
    let runs = sharded.join("safety-stock/tune-runs");
    assert!(runs.join("normal-ses-0.8/replication-1.qmb").is_file());
    let err = String::from_utf8_lossy(&tune(&sharded, &["--gather"]).stderr).into_owned();
    let missing = "3 of 4 runs have no file under";
    let named = "normal ses @ 0.8, replication 0, normal ses @ 0.95, replication 0, \
                 normal ses @ 0.95, replication 1";
    assert!(err.contains(missing) && err.contains(named), "{err}");
    for shard in ["0/3", "2/3"] {
        ok(&tune(&sharded, &["--shard", shard]));
    }
    ok(&tune(&sharded, &["--gather"]));
    for file in ["tune.csv", "tune_runs.csv"] {
        let gathered = read("sharded", file).unwrap();
        assert!(gathered == read("whole", file).unwrap(), "{file} differs");
    }
    // The target fill rate judges the rows and changes no run: a gather may give another.
    ok(&tune(&sharded, &["--gather", "--target-fill-rate", "0.5"]));
    // A result of another grid is not one of this grid's.
    ok(&tune(&sharded, &["--shard", "0/1", "--seed", "5"]));
    let err = String::from_utf8_lossy(&tune(&sharded, &["--gather"]).stderr).into_owned();
    assert!(
        err.contains("normal-ses-0.8/replication-0.qmb: another tune's run: it was run with --seed 5, this tune asks for --seed"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bisection_is_not_split() {
    let dir = temp_dir("tune-bisect-shard");
    let safety_stock = scenario("safety-stock.toml");
    let out = qm(&[
        "tune",
        safety_stock.to_str().unwrap(),
        "--bisect",
        "--shard",
        "0/2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--bisect: a bisection cannot be split into shards"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
