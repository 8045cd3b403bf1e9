//! Why a command built on many runs failed.

use std::path::PathBuf;

use qm_reports::files::PathError;

use super::calculators::CalculatorError;
use crate::scenario::ScenarioError;
use crate::sim::{RunOutput, SimError};

/// A failed `bench`, `size` or `tune`.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// A command-line value out of range.
    #[error(transparent)]
    Argument(#[from] CalculatorError),
    /// The scenario cannot be used.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Writing a run's outputs failed.
    #[error(transparent)]
    Sim(#[from] SimError),
    /// One of the runs could not be made; `which` names it.
    #[error("{which}")]
    Run {
        /// The strategy, setting or search step, and the seed.
        which: String,
        /// Why.
        #[source]
        cause: SimError,
    },
    /// One of the runs stopped midway.
    #[error("{0}")]
    RunFailed(String),
    /// A run left the figure its setting is judged by undefined.
    #[error("{0}")]
    Unjudged(String),
    /// The sizing search cannot answer (out of reach, or too many runs).
    #[error("{0}")]
    Search(String),
    /// A bench's shards cannot be gathered: a run has no file yet, or its file holds a run of
    /// another bench.
    #[error("{0}")]
    Gather(String),
    /// A shard's run file is damaged: not a run file, cut short, or not what its shard wrote.
    #[error("{0}")]
    DamagedRun(String),
    /// A file or folder could not be written.
    #[error(transparent)]
    Io(#[from] PathError),
    /// A report could not be written.
    #[error(transparent)]
    Export(#[from] qm_reports::export::ExportError),
    /// A table could not be built.
    #[error(transparent)]
    Polars(#[from] polars::prelude::PolarsError),
    /// A table could not be written.
    #[error("cannot write {}: {cause}", path.display())]
    Table {
        /// The file.
        path: PathBuf,
        /// polars' reason.
        cause: polars::prelude::PolarsError,
    },
}

impl ToolError {
    /// Whether the user's input is at fault (exit code 2) rather than the program or the system.
    pub fn is_bad_input(&self) -> bool {
        match self {
            ToolError::Argument(_)
            | ToolError::Scenario(_)
            | ToolError::Unjudged(_)
            | ToolError::Gather(_) => true,
            ToolError::Sim(e) | ToolError::Run { cause: e, .. } => e.is_bad_input(),
            _ => false,
        }
    }

    /// The output of the run `which` names, when it reached the end of its horizon: a run that
    /// could not start, or stopped midway, fails the whole command.
    pub(crate) fn whole_run(
        output: Result<RunOutput, SimError>,
        which: &str,
    ) -> Result<RunOutput, ToolError> {
        let output = output.map_err(|cause| ToolError::Run {
            which: which.to_string(),
            cause,
        })?;
        match output.failure() {
            Some(failure) => Err(ToolError::RunFailed(format!("{which} failed: {failure}"))),
            None => Ok(output),
        }
    }

    /// An I/O failure on `path`.
    pub(crate) fn io<'a>(
        doing: &'static str,
        path: &'a std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> Self + 'a {
        PathError::on(doing, path)
    }
}
