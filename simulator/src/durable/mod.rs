//! The engine made durable: one writer thread applies every command in sequence, appends it to
//! the journal (`engine::journal` records), and acknowledges a batch only after one `fsync`
//! made the whole batch durable (group commit). Recovery rebuilds the genesis engine and
//! replays the journal, after cutting a torn tail.
//!
//! The single writer is what makes the journal replayable: commands touching the same cell are
//! journaled in the order they were applied, so a replay applies them in that order too.

mod driver;
mod error;
mod files;
mod genesis;
mod inspect;
mod recovery;
mod settings;
mod writer;

pub use driver::{drive, DriveOptions, DriveReport, Driver};
pub use error::DurableError;
pub use files::{segments, snapshots};
pub use genesis::Genesis;
pub use inspect::{inspect, Inspection};
pub use recovery::{read_journal, recover, JournalRead, Recovery, Start};
pub use settings::{Settings, MAX_BATCH_COMMANDS, MAX_SEGMENTS};
pub use writer::{Ack, Durable, Stats};
