//! The discrete-event loop: customer arrivals against each channel's (possibly stale) view of
//! stock, cart holds and payments, warehouse cutoffs within pick/pack capacity, pick errors
//! and shrinkage, deliveries and returns, supplier receipts and a daily close — in simulated
//! time, through the real engine.
//!
//! `run` builds the state (`state`) from the scenario (`world`) and turns the event loop;
//! each family of events has its own file, and [`results`] turns the counts into the run's
//! tables.

mod arrivals;
pub mod audit;
mod cell_plan;
pub mod clock;
mod close;
pub mod cost_bound;
mod error;
mod holds;
mod ledger;
pub mod metrics;
mod recorded;
pub mod replenisher;
mod replenishment;
pub mod results;
pub mod results_file;
mod returns;
mod run;
mod shipping;
mod state;
pub mod streams;
mod tally;
mod world;

pub use audit::AuditedKpis;
pub(crate) use error::names_nothing;
pub use error::SimError;
pub use results::RunOutput;
pub use results_file::{
    read_results, read_results_file, remove_file, remove_run, write_outputs, Results, RESULTS_FILE,
};
pub use run::{simulate, simulate_until};
pub use streams::stream;
pub use world::opening_engine;
