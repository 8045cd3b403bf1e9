//! Why demand cannot be built from a scenario.

use super::import::ImportError;
use super::log::LogError;

/// A scenario whose demand cannot be drawn or replayed.
#[derive(Debug, thiserror::Error)]
pub enum DemandError {
    /// The recorded history could not be imported.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The demand log could not be read.
    #[error(transparent)]
    Log(#[from] LogError),
    /// Weights that do not make a distribution (all zero, negative or not finite).
    #[error("{what}: {cause}")]
    Weights {
        /// The scenario key the weights come from.
        what: &'static str,
        /// rand's reason.
        cause: rand::distr::weighted::Error,
    },
    /// A count distribution that cannot be built from its mean.
    #[error("{what}: {cause}")]
    Count {
        /// The scenario key of the mean.
        what: &'static str,
        /// rand_distr's reason.
        cause: rand_distr::PoissonError,
    },
    /// A history too large for the scenario (its SKUs make too many cells).
    #[error("{path}: the recorded history is too large: {problem}")]
    TooLarge {
        /// The history, as the scenario names it.
        path: String,
        /// What passes which limit.
        problem: String,
    },
    /// `source = "recorded"` without its table (validation refuses it first).
    #[error("demand.recorded is missing")]
    NoRecordedTable,
}

impl DemandError {
    /// Whether the user's input is at fault (exit code 2) rather than the program.
    pub fn is_bad_input(&self) -> bool {
        match self {
            DemandError::Import(_) | DemandError::TooLarge { .. } => true,
            DemandError::Log(e) => e.is_bad_input(),
            _ => false,
        }
    }
}
