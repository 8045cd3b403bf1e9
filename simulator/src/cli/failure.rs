//! A command's failure and the exit code it maps to: 2 for bad input, 1 for anything else.

use qm_simulator::demand::import::ImportError;
use qm_simulator::demand::log::LogError;
use qm_simulator::demand::DemandError;
use qm_simulator::durable::DurableError;
use qm_simulator::scenario::ScenarioError;
use qm_simulator::serve::ServeError;
use qm_simulator::sim::SimError;
use qm_simulator::tools::calculators::CalculatorError;
use qm_simulator::tools::ToolError;

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
            || error
                .downcast_ref::<LogError>()
                .is_some_and(LogError::is_bad_input)
            || error.downcast_ref::<CalculatorError>().is_some()
            || error
                .downcast_ref::<DemandError>()
                .is_some_and(DemandError::is_bad_input)
            || error
                .downcast_ref::<SimError>()
                .is_some_and(SimError::is_bad_input)
            || error
                .downcast_ref::<ToolError>()
                .is_some_and(ToolError::is_bad_input)
            || error
                .downcast_ref::<DurableError>()
                .is_some_and(DurableError::is_bad_input)
            || error
                .downcast_ref::<ServeError>()
                .is_some_and(ServeError::is_bad_input);
        let code = if bad_input { 2 } else { 1 };
        Failure { error, code }
    }
}
