//! Bytes as a recorded order history (CSV) → import → replay through `online-retail.toml`'s
//! network for 14 days. Any file gives a run or a typed error: never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use qm_simulator::scenario::Scenario;

/// The scenario, its history pointed at `history.csv` in a folder of this process's own.
fn scenario_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("qm-fuzz-replay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let shipped = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scenarios/online-retail.toml"
        );
        let text = std::fs::read_to_string(shipped).unwrap();
        let text = text
            .replace("data/online-retail-2011-10-to-12.csv.gz", "history.csv")
            .replace("days = 70", "days = 14");
        let path = dir.join("replay.toml");
        std::fs::write(&path, text).unwrap();
        path
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scenario_path();
    std::fs::write(path.with_file_name("history.csv"), data).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let loaded = Scenario::parse(&text, path).unwrap();
    let _ = qm_simulator::sim::simulate(&loaded.scenario, 7, &mut |_| {});
});
