//! Scenario texts for refusal tests: a shipped scenario with edits, and the error it gives.

use std::path::Path;

use qm_simulator::scenario::Scenario;

use super::scenario;

pub fn shipped(name: &str) -> String {
    std::fs::read_to_string(scenario(name)).unwrap()
}

/// `name` with each `(from, to)` applied once (each `from` must be there).
pub fn edited(name: &str, edits: &[(&str, &str)]) -> String {
    let mut text = shipped(name);
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    text
}

/// The error parsing `text` gives, which must name `bad.toml:line:column` with a real line.
pub fn refusal(text: &str) -> String {
    let error = match Scenario::parse(text, Path::new("bad.toml")) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    };
    let mut parts = error.splitn(4, ':');
    assert_eq!(parts.next(), Some("bad.toml"), "{error}");
    let line: usize = parts.next().unwrap().parse().expect(&error);
    let column: usize = parts.next().unwrap().parse().expect(&error);
    assert!(line >= 1 && column >= 1, "{error}");
    error
}
