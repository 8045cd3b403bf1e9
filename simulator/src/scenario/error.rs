//! Why a scenario cannot be used, with where.

use std::path::PathBuf;

/// A scenario that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("{path}: cannot read the scenario file: {cause}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why (not a `source`: the message already says it, once).
        cause: std::io::Error,
    },
    /// The TOML is malformed, or a key is unknown or of the wrong type.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// toml's message (it names the line and column).
        message: String,
    },
    /// A value is out of range or refers to something that does not exist.
    #[error("{path}:{line}:{column}: {key}: {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when the value was defaulted).
        line: usize,
        /// 1-based column.
        column: usize,
        /// The key, as a path (`channels[1].warehouses[0]`).
        key: String,
        /// What is wrong and what is expected.
        problem: String,
    },
}
