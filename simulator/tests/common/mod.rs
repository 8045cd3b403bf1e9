//! Helpers the simulator's test binaries share: running `qm`, and the shipped scenarios.
// Each test binary uses some of these.
#![allow(dead_code)]

pub mod calibration;
pub mod edited;
pub mod hostile_series;
pub mod runs;
pub mod server;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// An empty folder for one test, in [`test_root`].
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = test_root().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The folder that holds this test process's files: `qm-tests-<user id>/<process id>` under the
/// system's temporary folder (one folder a user: another user's, made first, is not writable).
/// A test that fails, or a fixture shared through a static, leaves its files behind; so the
/// first call removes the folders of test processes that have ended, and the runs do not pile
/// up.
pub fn test_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let user = unsafe { libc::geteuid() };
        let all = std::env::temp_dir().join(format!("qm-tests-{user}"));
        remove_ended(&all);
        let root = all.join(std::process::id().to_string());
        std::fs::create_dir_all(&root).unwrap();
        root
    })
}

/// Removes the folders in `all` named after a process that is no longer running.
fn remove_ended(all: &Path) {
    let Ok(entries) = std::fs::read_dir(all) else {
        return;
    };
    for entry in entries.flatten() {
        let pid = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok());
        if pid.is_some_and(|pid| !is_running(pid)) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether a process has the id `pid` (signal 0 sends nothing; `EPERM` means another user's).
#[cfg(unix)]
fn is_running(pid: i32) -> bool {
    // SAFETY: `kill` with signal 0 only checks that the process exists.
    let sent = unsafe { libc::kill(pid, 0) } == 0;
    sent || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Elsewhere every folder is taken as in use.
#[cfg(not(unix))]
fn is_running(_pid: i32) -> bool {
    true
}

/// Runs the `qm` binary with `args`.
pub fn qm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qm"))
        .args(args)
        .output()
        .expect("qm runs")
}

/// Its standard output, after asserting it succeeded (its standard error otherwise).
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `qm simulate SCENARIO --days 2 --format csv,json --out OUT --quiet`, asserted to succeed: a
/// short run's CSV and JSON files, in `OUT/<scenario name>`.
pub fn simulate_two_days(scenario: &Path, out: &Path) {
    ok(&qm(&[
        "simulate",
        scenario.to_str().unwrap(),
        "--days",
        "2",
        "--format",
        "csv,json",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]));
}

/// The one JSON object `qm args` prints, after asserting it succeeded.
pub fn qm_json(args: &[&str]) -> serde_json::Value {
    let out = qm(args);
    assert!(
        out.status.success(),
        "qm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

/// The number under `key` in `v`.
pub fn number(v: &serde_json::Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} in {v}"))
}

/// Every file under the folder `root` but the wall-clock ones (latency, the engine's speed, the
/// HTML that draws them, the results files that keep them) and a bench's shard runs (`runs/`),
/// by path relative to `root`: what two runs with the same seeds write alike, byte for byte.
pub fn deterministic_files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "runs" {
                    folders.push(path);
                }
                continue;
            }
            let wall_clock = name.starts_with("latency")
                || name.ends_with(".html")
                || name == "engine_speed.csv"
                || name == "results.qmr";
            if !wall_clock {
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The simulator crate's folder, read when the test runs. Not `env!`: the build directory is
/// shared between checkouts (CI reuses one under the home folder), and a test binary built in
/// one checkout would otherwise read another checkout's files.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("tests run through cargo"))
}

/// A file of the workspace, by its path from the workspace's root.
pub fn document(path: &str) -> String {
    let full = manifest_dir().join("..").join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// A scenario shipped in `scenarios/`.
pub fn scenario(name: &str) -> PathBuf {
    manifest_dir().join("../scenarios").join(name)
}

/// The shipped sizing example (`warehouse-sizing.toml`) scaled down to a quarter of its demand,
/// written into `dir` as `small.toml`.
pub fn small_sizing_scenario(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(scenario("warehouse-sizing.toml"))
        .unwrap()
        .replace("skus = 800", "skus = 300")
        .replace("orders_per_day = 1200", "orders_per_day = 300");
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("small.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `qm engine drive` of a new `folder` from the shipped scenario `file`, seed 3: `commands`
/// commands and a snapshot every `snapshot_every` (0: none). Asserts it succeeded.
pub fn drive(folder: &Path, file: &str, commands: u64, snapshot_every: u64) {
    let out = qm(&[
        "engine",
        "drive",
        folder.to_str().unwrap(),
        "--scenario",
        scenario(file).to_str().unwrap(),
        "--seed",
        "3",
        "--commands",
        &commands.to_string(),
        "--snapshot-every",
        &snapshot_every.to_string(),
    ]);
    ok(&out);
}

/// Whether a test that needs an outside tool must skip: `missing` says what is absent, if
/// anything. With `require` set in the environment (CI sets it where it installs the tool) a
/// missing tool fails the test instead; otherwise the reason is printed and the test skips.
pub fn skip_without(require: &str, missing: Option<String>) -> bool {
    let Some(why) = missing else {
        return false;
    };
    assert!(
        std::env::var_os(require).is_none(),
        "{require} is set and the test cannot run: {why}"
    );
    eprintln!("skipped: {why}");
    true
}

/// What a Python script prints as JSON, the script importing stockpyl (the reference for the
/// policy calculators). `None`, with the reason printed, where python3 cannot run it, unless
/// `QM_REQUIRE_STOCKPYL` is set (CI installs stockpyl and sets it): then the test fails.
pub fn stockpyl_reference(script: &str) -> Option<serde_json::Value> {
    python_reference(script, "stockpyl", "QM_REQUIRE_STOCKPYL")
}

/// What a Python script that imports `library` (a reference implementation) prints as JSON.
/// `None`, with the reason printed, where python3 cannot run it, unless `require` is set in the
/// environment (CI installs the library and sets it): then the test fails.
pub fn python_reference(script: &str, library: &str, require: &str) -> Option<serde_json::Value> {
    let out = Command::new("python3").args(["-c", script]).output();
    match out {
        Ok(out) if out.status.success() => {
            Some(serde_json::from_slice(&out.stdout).expect("the script prints one JSON value"))
        }
        other => {
            let why = other.map_or_else(
                |e| e.to_string(),
                |o| String::from_utf8_lossy(&o.stderr).into_owned(),
            );
            assert!(
                std::env::var_os(require).is_none(),
                "{library} is required: {why}"
            );
            println!(
                "skipped: python3 cannot run the {library} reference ({})",
                why.lines().last().unwrap_or("")
            );
            None
        }
    }
}
