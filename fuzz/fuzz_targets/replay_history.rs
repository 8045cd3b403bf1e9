//! Bytes as a recorded order history (CSV) → import → replay through `online-retail.toml`'s
//! network for 14 days. Any file gives a run or a typed error: never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use qm_simulator::scenario::Scenario;

/// The scenario, parsed once, its history pointed at `history.csv` in a folder of this
/// process's own (the run imports that file afresh each time).
fn scenario() -> &'static (PathBuf, Scenario) {
    static SCENARIO: OnceLock<(PathBuf, Scenario)> = OnceLock::new();
    SCENARIO.get_or_init(|| {
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
        // Validation checks that the history exists: an empty one stands in until the first input.
        std::fs::write(dir.join("history.csv"), "").unwrap();
        let loaded = Scenario::parse(&text, &dir.join("replay.toml")).unwrap();
        (dir.join("history.csv"), loaded.scenario)
    })
}

fuzz_target!(|data: &[u8]| {
    let (history, scenario) = scenario();
    std::fs::write(history, data).unwrap();
    let _ = qm_simulator::sim::simulate(scenario, 7, &mut |_| {});
});
