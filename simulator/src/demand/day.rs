//! One day of demand as the event loop consumes it: orders in arrival order and their lines,
//! drawn by the synthetic model or replayed from a recorded history.

use std::ops::Range;

/// An order a customer wants to place, before the channel and the engine see it.
#[derive(Clone, Debug)]
pub struct DraftOrder {
    /// Simulated time of arrival, ms since the horizon's start.
    pub at_ms: u64,
    /// Channel index.
    pub channel: u16,
    /// Customer region index.
    pub region: u16,
    /// Express service (promised transit days) or standard.
    pub express: bool,
    /// Its lines in [`DayDemand::lines`].
    pub lines: Range<u32>,
    /// Replayed demand: the recorded order and the index of this part's first line in it.
    pub recorded: Option<(u32, u32)>,
}

/// One day's orders, in arrival order, and their lines (SKU index, units).
#[derive(Default)]
pub struct DayDemand {
    /// Orders sorted by arrival time.
    pub orders: Vec<DraftOrder>,
    /// Every order's lines, back to back.
    pub lines: Vec<(u32, u32)>,
}
