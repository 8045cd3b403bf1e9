//! `deploy/systemd/qm-serve.service`: systemd's own checker accepts the unit (its binary pointed
//! at this build's `qm`), and its command line, run as written (its folders pointed at a
//! temporary one), serves, then stops on the unit's kill signal with the journal closed cleanly.
//!
//! Skipped, with the reason, where `systemd-analyze` is missing; with `QM_REQUIRE_SYSTEMD` set
//! (CI installs systemd and sets it) it fails instead.

mod common;

use std::process::Command;

use common::server::Server;
use common::{manifest_dir, ok, qm, scenario, skip_without, temp_dir};

const ANALYZE: &str = "/usr/bin/systemd-analyze";

/// The value of `key=` in the unit.
fn setting<'a>(unit: &'a str, key: &str) -> &'a str {
    (unit.lines())
        .find_map(|line| line.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("the unit has no {key}="))
}

#[test]
fn the_systemd_unit_verifies_and_its_command_serves_and_stops_on_its_signal() {
    let missing = (!std::path::Path::new(ANALYZE).exists())
        .then(|| "systemd-analyze is not installed".to_string());
    if skip_without("QM_REQUIRE_SYSTEMD", missing) {
        return;
    }
    let dir = temp_dir("systemd");
    let unit =
        std::fs::read_to_string(manifest_dir().join("../deploy/systemd/qm-serve.service")).unwrap();
    let binary = env!("CARGO_BIN_EXE_qm");
    let rendered = dir.join("qm-serve.service");
    std::fs::write(&rendered, unit.replace("/usr/local/bin/qm", binary)).unwrap();
    let verified = Command::new(ANALYZE)
        .arg("verify")
        .arg(&rendered)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&verified.stderr);
    assert!(
        verified.status.success() && said.trim().is_empty(),
        "systemd-analyze verify: {said}"
    );

    // The unit's command as written, its folders under `dir`.
    let (state, config) = (dir.join("state"), dir.join("etc"));
    std::fs::create_dir_all(&config).unwrap();
    std::fs::copy(scenario("baseline.toml"), config.join("scenario.toml")).unwrap();
    let command = setting(&unit, "ExecStart")
        .replace("/var/lib/quartermaster", state.to_str().unwrap())
        .replace("/etc/quartermaster", config.to_str().unwrap())
        .replace("127.0.0.1:8080", "127.0.0.1:0");
    let mut words = command.split_whitespace();
    assert_eq!(words.next(), Some("/usr/local/bin/qm"));
    let mut serve = Command::new(binary);
    serve.args(words).args(["--open-orders", "10000"]);
    let server = Server::spawn(serve);
    assert_eq!(server.call("GET", "/v1/health", "").0, 200);

    assert_eq!(setting(&unit, "KillSignal"), "SIGTERM");
    let status = server.stop();
    assert!(status.success(), "qm serve ended {status} on SIGTERM");
    let engine = state.join("engine");
    let recovered = ok(&qm(&["engine", "recover", engine.to_str().unwrap()]));
    assert!(recovered.contains("torn tail          none"), "{recovered}");
    std::fs::remove_dir_all(&dir).unwrap();
}
