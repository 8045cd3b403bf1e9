//! Scenario text → parse and validate → a run of at most 20 days → its tables, `summary.json`
//! and HTML report. Any text gives a result or a typed error: never a panic, whatever keys and
//! values a scenario that validates holds.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use qm_simulator::scenario::{Scale, Scenario};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(loaded) = Scenario::parse(text, Path::new("scenarios/fuzzed.toml")) else {
        return;
    };
    let mut s = loaded.scenario;
    // Recorded demand has its own target; large scenarios are slow, not wrong.
    let scale = Scale::of(&s);
    if s.is_recorded()
        || scale.cells > 20_000
        || scale.peak_orders_per_day > 3_000.0
        || scale.horizon_lines > 200_000.0
    {
        return;
    }
    let days = (*s.horizon.days.get_ref()).min(20);
    s.horizon.days = toml::Spanned::new(0..0, days);
    let Ok(output) = qm_simulator::sim::simulate(&s, 7, &mut |_| {}) else {
        return;
    };
    let tables = qm_reports::tables::build(&output.data);
    qm_reports::export::summary_json(&output.data, &tables);
    qm_reports::html::report(&output.data);
});
