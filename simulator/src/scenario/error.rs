//! Why a scenario cannot be used, with where.

use std::path::PathBuf;

/// A scenario that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("{path}: cannot read the {what}: {cause}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What it holds: a scenario file, a column mapping.
        what: &'static str,
        /// Why (not a `source`: the message already says it, once).
        cause: std::io::Error,
    },
    /// The file is larger than a scenario (or a column mapping) can be: a device such as
    /// /dev/zero, or another file.
    #[error("{path}: larger than {} MiB: not a {what}", max_bytes >> 20)]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// What it should hold.
        what: &'static str,
        /// The largest scenario file read.
        max_bytes: u64,
    },
    /// The TOML is malformed, or a key is unknown, of the wrong type, or not one of the names
    /// it allows.
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when toml gives no position).
        line: usize,
        /// 1-based column.
        column: usize,
        /// toml's message.
        message: String,
    },
    /// A value is out of range or refers to something that does not exist.
    #[error("{path}:{line}:{column}: {key}: {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line: the value's, or its table's when the key was left out.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The key, as a path (`channels[1].warehouses[0]`).
        key: String,
        /// What is wrong and what is expected.
        problem: String,
    },
    /// `--days` asks for more days than the scenario's horizon has: it only shortens a run.
    #[error(
        "{path}: --days {days} is longer than the scenario's horizon ({horizon} days, \
         horizon.days): --days only shortens a run"
    )]
    DaysBeyondHorizon {
        /// The scenario file.
        path: PathBuf,
        /// The days asked for.
        days: u32,
        /// The scenario's `horizon.days`.
        horizon: u32,
    },
}

/// `message` with every quoted number of more than 24 characters in scientific notation: serde
/// quotes a float given for a whole number in full (`1e300` as 301 digits).
pub(super) fn shorten_numbers(message: &str) -> String {
    let mut parts: Vec<String> = message.split('`').map(str::to_string).collect();
    for quoted in parts.iter_mut().skip(1).step_by(2) {
        if let (true, Ok(number)) = (quoted.len() > 24, quoted.parse::<f64>()) {
            *quoted = format!("{number:e}");
        }
    }
    parts.join("`")
}

/// The 1-based line and column of byte `offset` of `text`.
pub(super) fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().count()
        - before
            .rfind('\n')
            .map_or(0, |i| before[..=i].chars().count())
        + 1;
    (line, column)
}
