//! Why a durable engine's folder cannot be opened, recovered or written.

use std::path::{Path, PathBuf};

use qm_engine::journal::JournalError;
use qm_reports::files::PathError;

use crate::scenario::ScenarioError;
use crate::sim::SimError;

/// The durable engine's results.
pub type Result<T, E = DurableError> = std::result::Result<T, E>;

/// A durable engine's folder that cannot be used, or a write that failed.
#[derive(Debug, thiserror::Error)]
pub enum DurableError {
    /// A file or folder operation failed.
    #[error(transparent)]
    Io(#[from] PathError),
    /// An I/O failure right after a named one succeeded (the same file).
    #[error(transparent)]
    Unnamed(#[from] std::io::Error),
    /// Writing the journal failed: nothing after the last acknowledged batch is durable.
    #[error("cannot write the journal; nothing after the last acknowledged batch is durable")]
    JournalWrite(#[source] std::io::Error),
    /// A journal segment that does not decode.
    #[error("{}: {cause}", path.display())]
    Journal {
        /// The segment.
        path: PathBuf,
        /// Why.
        cause: JournalError,
    },
    /// The folder's files do not make a journal that can be replayed whole.
    #[error("{0}")]
    Refused(String),
    /// `genesis.json` is missing: not a durable engine folder.
    #[error(
        "{}: not a durable engine folder (no {}; `qm engine drive` makes one): {cause}",
        dir.display(),
        super::settings::GENESIS_FILE
    )]
    NotAFolder {
        /// The folder.
        dir: PathBuf,
        /// Why its genesis could not be read.
        cause: std::io::Error,
    },
    /// `genesis.json` does not parse.
    #[error("{}: damaged: {cause}", path.display())]
    DamagedGenesis {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: serde_json::Error,
    },
    /// `genesis.json` could not be encoded.
    #[error(transparent)]
    Encode(#[from] serde_json::Error),
    /// A setting out of range.
    #[error("{0}")]
    Setting(String),
    /// Another process owns the folder.
    #[error(
        "{}: in use by another process (a `qm engine drive` or `recover` running, or an \
         embedding program): one process at a time owns a durable engine's folder",
        dir.display()
    )]
    InUse {
        /// The folder.
        dir: PathBuf,
    },
    /// A `--scenario` or `--seed` naming another opening engine than the folder's.
    #[error("{0}")]
    OtherGenesis(String),
    /// The writer or snapshot thread stopped.
    #[error("{0}")]
    Stopped(&'static str),
    /// The writer's queue is full ([`crate::durable::Durable::submit_then`] does not wait): try
    /// again shortly.
    #[error("the journal writer has {0} submissions queued; try again shortly")]
    Busy(usize),
    /// The folder's scenario cannot be used.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The opening engine cannot be built.
    #[error(transparent)]
    Sim(#[from] SimError),
}

impl DurableError {
    /// Whether the user's input is at fault (exit code 2) rather than the program or the system.
    pub fn is_bad_input(&self) -> bool {
        match self {
            DurableError::Scenario(_)
            | DurableError::OtherGenesis(_)
            | DurableError::Setting(_) => true,
            DurableError::Sim(e) => e.is_bad_input(),
            DurableError::NotAFolder { cause, .. } => crate::sim::names_nothing(cause),
            _ => false,
        }
    }

    /// An I/O failure on `path`.
    pub(super) fn io<'a>(
        doing: &'static str,
        path: &'a Path,
    ) -> impl FnOnce(std::io::Error) -> Self + 'a {
        PathError::on(doing, path)
    }
}
