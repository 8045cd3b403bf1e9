//! Helpers the simulator's test binaries share: running `qm`, and the shipped scenarios.
// Each test binary uses some of these.
#![allow(dead_code)]

pub mod runs;

use std::path::PathBuf;
use std::process::{Command, Output};

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

/// The simulator crate's folder, read when the test runs. Not `env!`: the build directory is
/// shared between checkouts (CI reuses one under the home folder), and a test binary built in
/// one checkout would otherwise read another checkout's files.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("tests run through cargo"))
}

/// A scenario shipped in `scenarios/`.
pub fn scenario(name: &str) -> PathBuf {
    manifest_dir().join("../scenarios").join(name)
}
