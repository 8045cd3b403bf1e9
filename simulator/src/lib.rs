//! Quartermaster's simulation harness: scenario files, synthetic demand, and the
//! event loop that drives the real engine through simulated time and measures
//! fulfillment, accuracy, overselling, processing time, cost and stock.
//! See `scenarios/README.md` for the scenario keys and `DESIGN.md` for the loop.

pub mod bench;
pub mod calculators;
pub mod clock;
/// The binary encoding, shared with the engine's journal (one module names bincode).
pub use qm_engine::codec;
pub mod demand;
pub mod demand_log;
pub mod durable;
pub mod import;
pub mod metrics;
pub mod replay;
pub mod replenishment;
pub mod run;
pub mod scenario;
pub mod size;
pub mod tune;
