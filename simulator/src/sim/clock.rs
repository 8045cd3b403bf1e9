//! Simulated time: the event kinds and the queue that orders them. Time is milliseconds
//! since the horizon's first midnight; events at the same instant run in the order they
//! were scheduled, so a run is a pure function of its scenario and seed.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Something that happens at a simulated instant (customer arrivals are drawn per day and
/// merged in by the loop, so they never sit in the queue).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SimEvent {
    /// Expire the holds whose TTL has passed.
    Sweep,
    /// A customer pays for a held order (or the payment fails).
    Pay {
        /// The order.
        order: u64,
    },
    /// A warehouse's daily cutoff: it picks, packs and ships what its capacity allows.
    Cutoff {
        /// Warehouse index.
        warehouse: u16,
    },
    /// A customer returns units of a delivered line.
    Return {
        /// The order.
        order: u64,
        /// Its line.
        line: u16,
        /// Units sent back.
        units: u32,
        /// Back on the shelf (else scrapped).
        restock: bool,
    },
    /// A customer who got a wrong item sends it back and gets the right one.
    Reship {
        /// The order picked wrong.
        order: u64,
        /// The line.
        line: u16,
        /// The SKU index the customer should have got.
        sku: u32,
        /// Units.
        units: u32,
        /// Customer region index (ship-to of the reshipment).
        region: u16,
        /// Day index of the placement of the order picked wrong.
        placed_day: u32,
        /// Its channel.
        channel: u16,
    },
    /// A supplier delivery arrives.
    Receipt {
        /// SKU index.
        sku: u32,
        /// Warehouse index.
        warehouse: u16,
        /// Units.
        units: u32,
    },
    /// A recorded cancellation or return (index into the replay's undos).
    Undo {
        /// Which undo.
        index: u32,
    },
    /// Recorded stock written off (damaged, lost).
    WriteOff {
        /// SKU index.
        sku: u32,
        /// Units.
        units: u32,
    },
    /// End of day: shrinkage, cycle counts, replenishment, stock KPIs, the invariant check.
    Close {
        /// Day index.
        day: u32,
    },
}

/// The pending events, soonest first, ties in scheduling order.
#[derive(Default)]
pub struct EventQueue {
    heap: BinaryHeap<Reverse<(u64, u64, SimEvent)>>,
    scheduled: u64,
}

impl EventQueue {
    /// Schedules `event` at `at_ms`.
    pub fn push(&mut self, at_ms: u64, event: SimEvent) {
        self.scheduled += 1;
        self.heap.push(Reverse((at_ms, self.scheduled, event)));
    }

    /// When the next event is due.
    pub fn next_at(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Removes and returns the next event with its time.
    pub fn pop(&mut self) -> Option<(u64, SimEvent)> {
        self.heap.pop().map(|Reverse((at, _, event))| (at, event))
    }
}
