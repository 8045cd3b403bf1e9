//! A command's failure and the exit code it maps to: 2 for bad input, 1 for anything else.

use qm_simulator::demand::import::ImportError;
use qm_simulator::demand::log::LogError;
use qm_simulator::scenario::ScenarioError;
use qm_simulator::tools::calculators::CalculatorError;

/// An error on its way to the terminal, with its exit code.
pub struct Failure {
    /// What went wrong, with its context.
    pub error: anyhow::Error,
    /// The process's exit code.
    pub code: u8,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        let error = error.into();
        let bad_input = error.downcast_ref::<ScenarioError>().is_some()
            || error.downcast_ref::<ImportError>().is_some()
            || error.downcast_ref::<LogError>().is_some()
            || error.downcast_ref::<CalculatorError>().is_some();
        let code = if bad_input { 2 } else { 1 };
        Failure { error, code }
    }
}
