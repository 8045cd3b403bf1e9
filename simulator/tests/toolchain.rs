//! The Rust the README says building needs: the workspace's `rust-version`, and no older than
//! any locked dependency asks for (a `cargo update` can raise that: `sysinfo`, under polars,
//! did), so that Rust builds the README's first command.

mod common;
use common::{document, manifest_dir};

/// The Rust the README says building needs is the workspace's `rust-version`, and no locked
/// dependency asks for a newer one (a `cargo update` can raise it: `sysinfo`, under polars, did).
#[test]
fn the_rust_the_readme_names_builds_every_locked_dependency() {
    let manifest = document("Cargo.toml");
    let declared = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("the workspace's rust-version");
    assert!(
        document("README.md").contains(&format!("Building needs Rust {declared} or later")),
        "README and rust-version = {declared} disagree"
    );
    let cargo = |args: &[&str]| {
        let done = std::process::Command::new(env!("CARGO"))
            .args(args)
            .current_dir(manifest_dir().join(".."))
            .output()
            .unwrap();
        assert!(done.status.success(), "cargo {args:?}: {done:?}");
        done.stdout
    };
    // This machine's packages only: those of other platforms are not downloaded by a build, and
    // offline cargo cannot read them.
    let about = String::from_utf8(cargo(&["-vV"])).unwrap();
    let host = about
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap();
    let platform = format!("--filter-platform={host}");
    let metadata = cargo(&[
        "metadata",
        "--format-version=1",
        "--locked",
        "--offline",
        &platform,
    ]);
    let metadata: serde_json::Value = serde_json::from_slice(&metadata).unwrap();
    // "1.95" is "1.95.0": compared as (major, minor, patch).
    let version = |v: &str| -> [u32; 3] {
        let mut parts = v.split('.').map(|x| x.parse::<u32>().unwrap());
        [(); 3].map(|()| parts.next().unwrap_or(0))
    };
    let newer: Vec<String> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| Some((p["name"].as_str()?, p["rust_version"].as_str()?)))
        .filter(|(_, needs)| version(needs) > version(declared))
        .map(|(name, needs)| format!("{name} needs {needs}"))
        .collect();
    assert!(newer.is_empty(), "rust-version {declared}: {newer:?}");
}
