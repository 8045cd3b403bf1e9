//! Quartermaster's simulation harness: scenario files, synthetic and recorded demand, and the
//! event loop that drives the real engine through simulated time and measures fulfillment,
//! accuracy, overselling, processing time, cost and stock. See `scenarios/README.md` for the
//! scenario keys and `DESIGN.md` for the loop.
//!
//! By role: [`scenario`] (the file, parsed and validated once), [`demand`] (what customers want),
//! [`sim`] (the event loop and its results), [`tools`] (commands built on many runs: bench, size,
//! tune, and the calculators), [`durable`] (the journaled engine), [`serve`] (the durable engine
//! over HTTP).

/// The binary encoding, shared with the engine's journal (one module names bincode).
pub use qm_engine::codec;
pub mod demand;
pub mod durable;
pub mod scenario;
pub mod serve;
pub mod sim;
pub mod time;
pub mod tools;
