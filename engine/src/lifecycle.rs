//! The typed results of each lifecycle transition: business outcomes as values with stable codes.

use smallvec::SmallVec;

use crate::allocation::{Pick, Shortfall};
use crate::ids::{ChannelId, OrderId, ShipmentId, SkuId, WarehouseId};
use crate::network::CarrierQuote;

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Stock held for a cart or an unpaid order, until `expires_at_ms`.
    Held,
    /// Paid: stock allocated to shipments (some may have shipped).
    Confirmed,
    /// Cancelled before shipping everything; unshipped stock went back.
    Released,
    /// The hold's TTL passed; its stock went back.
    Expired,
}

/// Why a reserve call held nothing. A business outcome, not an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rejection {
    /// The channel's warehouses do not have the units (after buffers) under the split policy.
    InsufficientStock,
    /// The channel has no warehouse it may use.
    NoEligibleWarehouse,
    /// Every plan found the units, and every take lost its race for them to other calls
    /// ([`crate::constants::MAX_PLAN_ATTEMPTS`] times): not a stockout; a retry may succeed.
    Contended,
}

impl Rejection {
    /// A stable code for logs and reports.
    pub fn code(self) -> &'static str {
        match self {
            Self::InsufficientStock => "insufficient_stock",
            Self::NoEligibleWarehouse => "no_eligible_warehouse",
            Self::Contended => "contended",
        }
    }
}

/// Stock held by a reserve call.
#[derive(Clone, Debug, PartialEq)]
pub struct Hold {
    /// The order.
    pub order: OrderId,
    /// Units held, by line and warehouse.
    pub picks: SmallVec<[Pick; 8]>,
    /// Units backordered (partial policy only), by line and warehouse.
    pub backorders: SmallVec<[Shortfall; 2]>,
    /// When the hold expires unless confirmed.
    pub expires_at_ms: u64,
}

/// Units of `picks` in all (a hold's, or the plan it is made from).
pub(crate) fn units_held(picks: &[Pick]) -> u64 {
    picks.iter().map(|p| p.units as u64).sum()
}

/// Units of `shortfalls` in all (a hold's backorders, or the plan's shortfalls).
pub(crate) fn units_backordered(shortfalls: &[Shortfall]) -> u64 {
    shortfalls.iter().map(|s| s.units as u64).sum()
}

impl Hold {
    /// Units held in all.
    pub fn units_held(&self) -> u64 {
        units_held(&self.picks)
    }

    /// Units backordered in all.
    pub fn units_backordered(&self) -> u64 {
        units_backordered(&self.backorders)
    }

    /// Number of warehouses the held units come from.
    pub fn warehouse_count(&self) -> usize {
        self.picks
            .iter()
            .fold(0u64, |m, p| m | p.warehouse.bit())
            .count_ones() as usize
    }
}

/// What a reserve call did.
#[derive(Clone, Debug, PartialEq)]
pub enum ReserveOutcome {
    /// Stock is held.
    Held(Hold),
    /// Nothing was held.
    Rejected(Rejection),
}

/// One shipment of a confirmed order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShipmentInfo {
    /// Its id, for [`crate::Engine::ship`].
    pub id: ShipmentId,
    /// Where it ships from.
    pub warehouse: WarehouseId,
    /// Units in it.
    pub units: u64,
    /// Order lines in it (pick/pack work).
    pub lines: u32,
    /// The cheapest carrier keeping the promise (None if the network has no carrier reaching the address).
    pub quote: Option<CarrierQuote>,
    /// Waiting to ship, shipped, or cancelled with its order.
    pub state: ShipmentState,
}

/// Where a shipment is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShipmentState {
    /// Allocated, waiting for pick, pack and the carrier.
    Pending,
    /// Handed to the carrier.
    Shipped,
    /// Its order was released before it shipped; its units went back.
    Cancelled,
}

/// A confirmed order's shipments.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirmation {
    /// The order.
    pub order: OrderId,
    /// Its shipments.
    pub shipments: SmallVec<[ShipmentInfo; 2]>,
}

/// Why an order is cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ReleaseReason {
    /// The customer or the shop cancelled.
    Cancelled,
    /// Payment failed.
    PaymentFailed,
    /// The channel accepted an order the engine could not fill (oversold upstream).
    Oversold,
}

/// What a release did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Released {
    /// The order.
    pub order: OrderId,
    /// Units that went back to available.
    pub units_returned: u64,
    /// Backordered units no longer waited for.
    pub backorders_cancelled: u64,
}

/// A hold that expired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpiredHold {
    /// The order.
    pub order: OrderId,
    /// Units that went back to available.
    pub units_returned: u64,
}

/// A shipment that left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shipped {
    /// The shipment.
    pub shipment: ShipmentId,
    /// Where from.
    pub warehouse: WarehouseId,
    /// Units shipped.
    pub units: u64,
    /// Whether every unit of the order has now shipped.
    pub order_complete: bool,
}

/// Units a receipt (or restock) gave to a waiting backorder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackorderFill {
    /// The order.
    pub order: OrderId,
    /// The line.
    pub line: u16,
    /// Units filled.
    pub units: u32,
    /// The new shipment, when the order was already confirmed.
    pub shipment: Option<ShipmentId>,
}

/// What a receipt did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Receipt {
    /// The SKU.
    pub sku: SkuId,
    /// Where.
    pub warehouse: WarehouseId,
    /// Units received.
    pub units: u32,
    /// Backorders filled from it, oldest first.
    pub filled: Vec<BackorderFill>,
}

/// What happens to returned units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Disposition {
    /// Back on the shelf, sellable.
    Restock,
    /// Written off.
    Scrap,
}

/// What a return did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReturnOutcome {
    /// The order.
    pub order: OrderId,
    /// The line.
    pub line: u16,
    /// Units returned, by the warehouse that had shipped them.
    #[serde(with = "crate::codec::small_vec")]
    pub by_warehouse: SmallVec<[(WarehouseId, u32); 2]>,
    /// Restocked or scrapped.
    pub disposition: Disposition,
    /// Backorders the restocked units filled.
    pub filled: Vec<BackorderFill>,
}

/// Why stock is corrected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AdjustReason {
    /// A cycle count found a different figure.
    CycleCount,
    /// Units vanished from the shelf.
    Shrinkage,
    /// Units damaged in the warehouse.
    Damaged,
}

/// What an adjustment did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Adjusted {
    /// On-hand units after it.
    pub on_hand_after: u32,
    /// Backorders that found units appear.
    pub filled: Vec<BackorderFill>,
}

/// A shortage found at pick time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShortPicked {
    /// The shipment.
    pub shipment: ShipmentId,
    /// The line.
    pub line: u16,
    /// Units that will not ship.
    pub units: u32,
}

/// A read-only view of an order, for callers and tests.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderView {
    /// The order.
    pub order: OrderId,
    /// The channel it was placed on.
    pub channel: ChannelId,
    /// When it was placed.
    pub placed_at_ms: u64,
    /// Its status.
    pub status: OrderStatus,
    /// When the hold expires (meaningful while held).
    pub expires_at_ms: u64,
    /// Units held or allocated and not yet shipped.
    pub units_open: u64,
    /// Units shipped.
    pub units_shipped: u64,
    /// Units short-picked (will not ship).
    pub units_short: u64,
    /// Units still waiting on backorder.
    pub units_backordered: u64,
    /// Units returned.
    pub units_returned: u64,
    /// Shipments (pending or shipped).
    pub shipments: Vec<ShipmentInfo>,
}

/// One line of a pending shipment, for pickers: see [`crate::Engine::shipment_lines`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShipmentLine {
    /// Index of the order line.
    pub line: u16,
    /// The SKU.
    pub sku: SkuId,
    /// Units to pick.
    pub units: u32,
}
