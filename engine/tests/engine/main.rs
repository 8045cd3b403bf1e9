//! The engine's integration tests, one binary with a module per theme.

mod fixture;

mod journal;

mod bad_input;
mod batch;
mod concurrency;
mod dst;
mod idempotency;
mod lifecycle;
mod loaded_state;
mod properties;
mod strategies;
mod stress;
