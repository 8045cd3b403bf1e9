//! The calibration scenario the replenishment and tune tests share.

use std::path::PathBuf;

/// One warehouse, one channel, single-unit Poisson lines, a 5-day lead time, Q = 40:
/// the textbook setting, so promised and achieved can be compared.
pub fn text_with(replacements: &[(&str, &str)]) -> String {
    let mut text = include_str!("../calibration.toml.in").to_string();
    let defaults = [
        ("POLICY", "s_q"),
        ("FORECAST", "ses"),
        ("\"SS\"", "\"normal\""),
        ("CSL", "0.95"),
        ("FILL", "0.98"),
        ("KNOWN", "true"),
        ("EVENTS", ""),
    ];
    for (placeholder, default) in defaults {
        let value = replacements
            .iter()
            .find(|(p, _)| *p == placeholder)
            .map_or(default, |(_, v)| v);
        text = text.replace(placeholder, value);
    }
    text
}

/// The shipped `scenarios/safety-stock.toml`.
pub fn safety_stock_text() -> String {
    std::fs::read_to_string(super::scenario("safety-stock.toml")).unwrap()
}

/// Writes `text` as `name.toml` in this test binary's folder; returns its path.
pub fn write(name: &str, text: &str) -> PathBuf {
    let dir = super::test_root().join("replenishment");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}
