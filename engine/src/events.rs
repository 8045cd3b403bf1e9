//! Events the engine emits after each transition, for subscribers (customer
//! notifications, supplier alerts, the simulator's counters).
//!
//! Subscribers are registered before the engine is shared (`&mut self`), so the
//! hot path reads a plain slice: with no subscriber an emit is one branch and no
//! event is even built. Channels are unbounded: a slow subscriber costs memory,
//! never a blocked reserve call.

use crossbeam_channel::{Receiver, Sender};

use crate::ids::{OrderId, ShipmentId, SkuId, WarehouseId};
use crate::lifecycle::{AdjustReason, Disposition, Rejection, ReleaseReason};

/// Something that happened in the engine, and when (caller's clock, milliseconds).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The `now_ms` of the call that caused it.
    pub at_ms: u64,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of [`Event`].
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// A reserve call held stock (and perhaps backordered some).
    OrderHeld {
        /// The order.
        order: OrderId,
        /// Units held.
        units_held: u64,
        /// Units backordered.
        units_backordered: u64,
    },
    /// A reserve call could not hold the order.
    OrderRejected {
        /// The order.
        order: OrderId,
        /// Why.
        rejection: Rejection,
        /// Units of the order the channel's warehouses together did not have free for it (after
        /// buffers) at the decision, per SKU: what the network lacked. 0 when it had every unit
        /// and the order was refused for another reason (no single warehouse held it all, or
        /// capacity). Read just after the decision: under concurrent calls the stock may have
        /// moved since.
        units_short: u64,
        /// Units the plan that decided found short, from the very stock reads it decided on
        /// (the warehouses it would have used under the split policy): the decision's
        /// evidence. Positive for every `InsufficientStock`; 0 for the other rejections.
        short_at_decision: u64,
    },
    /// Units of a line wait for stock at a warehouse.
    Backordered {
        /// The order.
        order: OrderId,
        /// The SKU.
        sku: SkuId,
        /// Where it waits.
        warehouse: WarehouseId,
        /// How many units.
        units: u32,
    },
    /// Payment went through: the hold became shipments.
    OrderConfirmed {
        /// The order.
        order: OrderId,
        /// Shipments created.
        shipments: u16,
    },
    /// A hold or an unshipped order was cancelled.
    OrderReleased {
        /// The order.
        order: OrderId,
        /// Why.
        reason: ReleaseReason,
        /// Units returned to stock.
        units: u64,
    },
    /// A hold's TTL passed before payment.
    HoldExpired {
        /// The order.
        order: OrderId,
        /// Units returned to stock.
        units: u64,
    },
    /// A shipment left the warehouse.
    Shipped {
        /// The shipment.
        shipment: ShipmentId,
        /// Units in it.
        units: u64,
    },
    /// Units of a shipment were missing at pick time (shrinkage).
    ShortPicked {
        /// The shipment.
        shipment: ShipmentId,
        /// The SKU.
        sku: SkuId,
        /// Units missing.
        units: u32,
    },
    /// A receipt (or restock) filled waiting units of an order.
    BackorderFilled {
        /// The order.
        order: OrderId,
        /// The SKU.
        sku: SkuId,
        /// Where.
        warehouse: WarehouseId,
        /// Units filled.
        units: u32,
    },
    /// A supplier receipt arrived.
    Received {
        /// The SKU.
        sku: SkuId,
        /// Where.
        warehouse: WarehouseId,
        /// Units.
        units: u32,
    },
    /// A customer return came back.
    Returned {
        /// The order.
        order: OrderId,
        /// The SKU.
        sku: SkuId,
        /// The warehouse it went back to.
        warehouse: WarehouseId,
        /// Units.
        units: u32,
        /// Restocked or scrapped.
        disposition: Disposition,
    },
    /// A stock correction.
    Adjusted {
        /// The SKU.
        sku: SkuId,
        /// Where.
        warehouse: WarehouseId,
        /// Units added (positive) or removed (negative).
        delta_units: i64,
        /// Why.
        reason: AdjustReason,
    },
    /// Free stock of a cell fell below its reorder point.
    BelowReorderPoint {
        /// The SKU.
        sku: SkuId,
        /// Where.
        warehouse: WarehouseId,
        /// Free units now.
        free_units: u32,
        /// The reorder point.
        reorder_point: u32,
    },
}

/// The registered subscribers.
#[derive(Default)]
pub(crate) struct Subscribers {
    senders: Vec<Sender<Event>>,
}

impl Subscribers {
    pub(crate) fn subscribe(&mut self) -> Receiver<Event> {
        let (sender, receiver) = crossbeam_channel::unbounded();
        self.senders.push(sender);
        receiver
    }

    #[inline]
    pub(crate) fn active(&self) -> bool {
        !self.senders.is_empty()
    }

    /// Sends the event built by `make` to every subscriber; builds nothing when there is none.
    #[inline]
    pub(crate) fn emit(&self, at_ms: u64, make: impl FnOnce() -> EventKind) {
        if self.senders.is_empty() {
            return;
        }
        let event = Event {
            at_ms,
            kind: make(),
        };
        for sender in &self.senders {
            // A subscriber that hung up loses its events; the engine carries on.
            let _ = sender.send(event.clone());
        }
    }
}
