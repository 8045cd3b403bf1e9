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
        let bad_input = input_at_fault(&error, |_: &ScenarioError| true)
            || input_at_fault(&error, |_: &ImportError| true)
            || input_at_fault(&error, LogError::is_bad_input)
            || input_at_fault(&error, |_: &CalculatorError| true)
            || input_at_fault(&error, DemandError::is_bad_input)
            || input_at_fault(&error, SimError::is_bad_input)
            || input_at_fault(&error, ToolError::is_bad_input)
            || input_at_fault(&error, DurableError::is_bad_input)
            || input_at_fault(&error, ServeError::is_bad_input);
        let code = if bad_input { 2 } else { 1 };
        Failure { error, code }
    }
}

/// Whether `error` is an `E` that `bad_input` calls the user's input at fault.
fn input_at_fault<E>(error: &anyhow::Error, bad_input: fn(&E) -> bool) -> bool
where
    E: std::fmt::Display + std::fmt::Debug + Send + Sync + 'static,
{
    error.downcast_ref::<E>().is_some_and(bad_input)
}
