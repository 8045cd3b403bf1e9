//! The simulator end to end: shipped scenarios run (shortened), runs are reproducible,
//! and bad scenario files get errors that say where and what.

use std::path::Path;

use qm_simulator::run::simulate;
use qm_simulator::scenario::{Scenario, ScenarioError};
use toml::Spanned;

fn baseline(days: u32) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/baseline.toml");
    let mut scenario = Scenario::load(&path).unwrap().scenario;
    scenario.horizon.days = Spanned::new(0..0, days);
    scenario
}

#[test]
fn baseline_runs_and_its_kpis_add_up() {
    let output = simulate(&baseline(5), 42, &mut |_| {}).unwrap();
    let k = &output.summary;
    // Poisson(3000) a day for 5 days: within a few standard deviations of 15,000.
    assert!((14_600..=15_400).contains(&k.orders_placed), "{}", k.orders_placed);
    assert_eq!(k.orders_placed, k.orders_held + k.orders_rejected);
    assert!(k.orders_confirmed <= k.orders_held - k.orders_abandoned);
    // About 20 % of carts are abandoned.
    let abandoned = k.orders_abandoned as f64 / k.orders_held as f64;
    assert!((0.18..0.22).contains(&abandoned), "{abandoned}");
    assert!(k.order_fulfillment_rate > 0.7 && k.order_fulfillment_rate < 0.85, "{}", k.order_fulfillment_rate);
    assert!(k.units_shipped <= k.units_ordered);
    assert_eq!(output.daily.len(), 5);
    assert_eq!(output.daily.iter().map(|d| d.orders_placed).sum::<u64>(), k.orders_placed);
    assert!(k.processing_time_hours_p95 <= 24.0, "everything paid ships at the day's close");
}

#[test]
fn same_seed_gives_identical_summary_and_another_seed_differs() {
    let json = |seed| serde_json::to_string(&simulate(&baseline(3), seed, &mut |_| {}).unwrap().summary).unwrap();
    let first = json(7);
    assert_eq!(first, json(7));
    assert_ne!(first, json(8));
}

fn parse_error(text: &str) -> String {
    match Scenario::parse(text, Path::new("bad.toml")) {
        Err(error) => error.to_string(),
        Ok(_) => panic!("accepted a bad scenario"),
    }
}

fn with(replace: &str, by: &str) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/baseline.toml")).unwrap();
    assert!(text.contains(replace), "{replace}");
    text.replacen(replace, by, 1)
}

#[test]
fn bad_scenarios_are_refused_with_file_line_column_and_what_is_expected() {
    let cases = [
        (with("orders_per_day = 3000", "orders_per_day = -5"), "bad.toml:82:18: demand.orders_per_day: must be a rate > 0"),
        (with("seed = 42", "seed = 42\nspeed = 3"), "unknown field `speed`"),
        (with("warehouses = [\"MAN\", \"LON\"]", "warehouses = [\"MAN\", \"XYZ\"]"), "bad.toml:45:22: channels[1].warehouses[1]: no warehouse has code \"XYZ\""),
        (with("strategy = \"priority\"", "strategy = \"fastest\""), "bad.toml:46:12: channels[1].strategy: must be one of"),
        (with("abandonment_rate = 0.2", "abandonment_rate = 1.5"), "carts.abandonment_rate: must be a probability"),
        (with("days = 28", "days = \"many\""), "line 6"),
    ];
    for (text, expected) in cases {
        let message = parse_error(&text);
        assert!(message.contains(expected), "expected {expected:?} in {message:?}");
    }
    assert!(matches!(Scenario::load(Path::new("no/such/file.toml")), Err(ScenarioError::Read { .. })));
}
