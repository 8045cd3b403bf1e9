//! Quartermaster's simulation harness: scenario files, synthetic demand, and the
//! event loop that drives the real engine through simulated time.
//!
//! This first version covers the core loop (Poisson arrivals with Zipf SKU
//! popularity, cart holds, payment, daily ship and replenishment, invariant checks
//! at every close) and the headline KPIs. See `scenarios/README.md` for the keys.

pub mod metrics;
pub mod run;
pub mod scenario;
