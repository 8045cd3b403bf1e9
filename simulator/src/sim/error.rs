//! Why a run could not start, stopped midway, or its results could not be kept.

use std::path::PathBuf;

use qm_engine::{
    ConfigError, InvalidLocation, InvariantViolation, NetworkError, OrderError, ReserveError,
    StockError,
};

use crate::demand::DemandError;

/// A run that failed, or whose results could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The scenario's demand could not be built.
    #[error(transparent)]
    Demand(#[from] DemandError),
    /// The engine refused the network.
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// The engine refused its configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A reserve call failed (not a rejection: an error).
    #[error(transparent)]
    Reserve(#[from] ReserveError),
    /// An order transition failed.
    #[error(transparent)]
    Order(#[from] OrderError),
    /// A stock movement failed.
    #[error(transparent)]
    Stock(#[from] StockError),
    /// An engine call about one order failed; `doing` says which.
    #[error("{doing}: {cause}")]
    OrderCall {
        /// What the simulator was doing.
        doing: String,
        /// The engine's reason.
        cause: OrderError,
    },
    /// A place that is not on the globe.
    #[error("{what}: {cause}")]
    Location {
        /// The warehouse code or region name.
        what: String,
        /// Why.
        cause: InvalidLocation,
    },
    /// A distribution that cannot be built from the scenario's figures.
    #[error("{what}: {cause}")]
    Distribution {
        /// The scenario keys it comes from.
        what: &'static str,
        /// Why.
        cause: String,
    },
    /// The engine and the simulator disagree about an order: a bug.
    #[error("{0}")]
    Disagreement(String),
    /// The engine's invariant check failed at a daily close: a bug.
    #[error(
        "day {day}: the engine broke an invariant (a bug, please report it with the scenario and \
         seed): {violation}"
    )]
    Invariant {
        /// The day whose close found it.
        day: u32,
        /// What broke.
        violation: InvariantViolation,
    },
    /// Stopped by the user (Ctrl-C) at a daily close.
    #[error("interrupted after day {day} of {days}")]
    Interrupted {
        /// Days closed.
        day: u32,
        /// Days in the horizon.
        days: u32,
    },
    /// The output folder cannot be created.
    #[error("cannot create the output folder {}: {cause}", path.display())]
    CreateFolder {
        /// The folder.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// The results file cannot be written.
    #[error("cannot write {}: {cause}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// An earlier run's file cannot be removed.
    #[error("cannot remove {}: {cause}", path.display())]
    Remove {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// A folder without a results file.
    #[error(
        "{} holds no run results ({file}): {}",
        dir.display(),
        if runs_inside.is_empty() {
            format!("give the folder `qm simulate` wrote, e.g. runs/baseline: {cause}")
        } else {
            format!("give a run's own folder: {}", runs_inside.join(", "))
        }
    )]
    NoResults {
        /// The folder.
        dir: PathBuf,
        /// The results file looked for.
        file: &'static str,
        /// Why it could not be read.
        cause: std::io::Error,
        /// The folders directly inside `dir` that hold a run (an output folder holds one per
        /// scenario, a run of several seeds one per seed), as paths: at most
        /// [`RUNS_NAMED`](super::results_file::RUNS_NAMED), then how many more.
        runs_inside: Vec<String>,
    },
    /// A results file of another version, or not a results file.
    #[error("{}: not a results file of this version of qm (run the scenario again)", path.display())]
    ForeignResults {
        /// The file.
        path: PathBuf,
    },
    /// A results file that does not decode.
    #[error("{}: damaged results file: {problem} (run the scenario again)", path.display())]
    DamagedResults {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// Encoding the results failed.
    #[error(transparent)]
    Encode(#[from] qm_engine::codec::CodecError),
    /// The reports could not be written.
    #[error(transparent)]
    Export(#[from] qm_reports::export::ExportError),
}

impl SimError {
    /// Whether the user's input is at fault (exit code 2) rather than the program or the system.
    pub fn is_bad_input(&self) -> bool {
        match self {
            SimError::Demand(e) => e.is_bad_input(),
            SimError::NoResults { cause, .. } => names_nothing(cause),
            _ => false,
        }
    }
}

/// Whether reading a path the user named failed because it names nothing to read (no such file
/// or folder, or a file where a folder was meant): the argument is wrong (exit code 2), while a
/// file that is there but damaged, or unreadable, is not the argument's fault (exit code 1).
pub(crate) fn names_nothing(cause: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(cause.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory)
}
