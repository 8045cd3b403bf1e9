//! Orders as callers submit them.

use serde::{Deserialize, Serialize};

use crate::geo::GeoPoint;
use crate::ids::{ChannelId, OrderId, SkuId};

/// How fast the customer was promised delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceLevel {
    /// No promised transit time.
    Standard,
    /// Delivery within this many days in transit.
    Express {
        /// The promise, in days in transit.
        max_transit_days: u8,
    },
}

impl ServiceLevel {
    /// Whether a carrier option taking `transit_days` keeps the promise.
    #[inline]
    pub fn accepts_transit_days(self, transit_days: u8) -> bool {
        match self {
            ServiceLevel::Standard => true,
            ServiceLevel::Express { max_transit_days } => transit_days <= max_transit_days,
        }
    }
}

/// One line of an order. The quantity is signed so that a negative or zero
/// quantity from upstream (a return mis-routed as an order) is refused with a
/// typed error instead of wrapping around.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// What is ordered.
    pub sku: SkuId,
    /// How many units; must be 1..=[`crate::constants::MAX_LINE_QUANTITY`].
    pub quantity: i64,
}

/// An order as placed by a customer on a channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Caller-chosen id, unique for the engine's lifetime.
    pub id: OrderId,
    /// The channel it was placed on (decides warehouses, buffers and strategy).
    pub channel: ChannelId,
    /// When it was placed, in milliseconds since the caller's epoch. Backorders fill in this order.
    pub placed_at_ms: u64,
    /// Where it ships to.
    pub ship_to: GeoPoint,
    /// The promised service.
    pub service: ServiceLevel,
    /// The lines; at most [`crate::constants::MAX_LINES_PER_ORDER`].
    pub lines: Vec<OrderLine>,
}

/// What a reserve call may do when no single warehouse can ship the whole order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SplitPolicy {
    /// One warehouse ships everything, or the order is rejected.
    SingleWarehouse,
    /// Lines (and units of a line) may come from several warehouses; all units or none.
    SplitAllowed,
    /// Take what is available anywhere, backorder the rest.
    PartialWithBackorder,
}

/// A reserve call: the order, what splitting is allowed, and how long to hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReserveRequest {
    /// The order.
    pub order: Order,
    /// The split policy for this call.
    pub split: SplitPolicy,
    /// How long the hold lasts before [`crate::Engine::expire_holds`] returns it,
    /// in milliseconds; within [`crate::constants::MIN_HOLD_TTL_MS`]..=[`crate::constants::MAX_HOLD_TTL_MS`].
    pub hold_ttl_ms: u64,
}
