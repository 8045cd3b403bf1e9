//! Quartermaster's allocation engine: an in-memory, lock-light store of stock
//! per (SKU, warehouse) that picks the warehouses shipping each order line and
//! reserves stock from many threads at once without ever overselling.
//!
//! The life of stock is a set of calls on [`Engine`], each with a typed result:
//! [`Engine::reserve`] (cart hold / unpaid order, with a TTL), [`Engine::confirm`]
//! (payment), [`Engine::release`] and [`Engine::expire_holds`] (stock back exactly
//! once), [`Engine::ship`], [`Engine::receive`] (fills backorders oldest first),
//! [`Engine::restock_return`], [`Engine::adjust`] and [`Engine::short_pick`].
//! [`Engine::explain`] tells why a strategy chose what it chose, and
//! [`Engine::check_invariants`] proves the books balance.
//!
//! The engine has no I/O, no wall clock and no randomness: time comes in as
//! `now_ms` on every call, so the same calls give the same results, bit for bit.
//! See `DESIGN.md` for the concurrency model.
#![deny(missing_docs)]

pub mod allocation;
pub mod arch;
mod backorder;
mod buffer;
mod channel;
pub mod codec;
pub mod constants;
pub mod discrete_policy;
mod engine;
mod error;
mod events;
pub mod forecast;
mod geo;
mod id_index;
pub mod idempotency;
mod ids;
mod invariants;
mod inventory;
pub mod journal;
pub mod lead_time_demand;
mod lifecycle;
mod network;
mod order;
mod padding;
mod reservation;
pub mod safety_stock;
pub mod snapshot;
pub mod undershoot;

pub use allocation::{
    AllocationStrategy, Candidate, Explanation, Pick, Plan, PlanContext, Shortfall, StockView,
    StrategyKind,
};
pub use buffer::Buffer;
pub use channel::ChannelConfig;
pub use engine::{Engine, EngineConfig};
pub use error::{ConfigError, LineBound, LineQuantity, OrderError, ReserveError, StockError};
pub use events::{Event, EventKind};
pub use geo::{GeoPoint, InvalidLocation};
pub use ids::WarehouseMask;
pub use ids::{CarrierId, ChannelId, OrderId, ShipmentId, SkuId, WarehouseId};
pub use invariants::{InvariantReport, InvariantViolation};
pub use inventory::{CellLedger, CellSnapshot};
pub use lifecycle::*;
pub use network::{Carrier, CarrierQuote, Cents, Network, NetworkError, RateBand, Sku, Warehouse};
pub use order::{Order, OrderLine, ReserveRequest, ServiceLevel, SplitPolicy};
pub use reservation::HoldCounts;
