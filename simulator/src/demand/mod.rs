//! Demand: what customers want, day by day. Synthetic ([`synthetic`]: rates, calendars and
//! events) or recorded ([`import`] reads a history into a [`log`], [`replay`] places it on the
//! horizon); both fill the same [`day::DayDemand`] the event loop consumes.

mod csv_rows;
mod csv_text;
pub mod day;
mod error;
mod guard;
pub mod import;
mod import_report;
pub mod log;
pub mod replay;
pub(crate) mod source;
pub mod synthetic;

pub use day::{DayDemand, DraftOrder};
pub use error::DemandError;
pub use source::DataRow;
pub use synthetic::{popularity, DemandModel};
