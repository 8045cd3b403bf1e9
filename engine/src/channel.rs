//! Sales channels: which warehouses serve them, what stock they must leave alone, how they allocate.

use crate::allocation::StrategyKind;
use crate::ids::{SkuId, WarehouseId};

/// A set of warehouses as a bit mask (bit `i` = `WarehouseId(i)`).
pub type WarehouseMask = u64;

/// Units of a cell that a channel may not take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Buffer {
    /// No buffer.
    None,
    /// A fixed number of units.
    Units(u32),
    /// A share of the cell's on-hand units, in basis points (100 = 1 %), rounded up.
    BasisPointsOfOnHand(u32),
}

impl Buffer {
    /// The buffer in units for a cell holding `on_hand` units.
    #[inline]
    pub fn units(self, on_hand: u32) -> u32 {
        match self {
            Buffer::None => 0,
            Buffer::Units(units) => units,
            Buffer::BasisPointsOfOnHand(bp) => {
                ((on_hand as u64 * bp as u64).div_ceil(10_000)) as u32
            }
        }
    }
}

/// A channel as configured: what the engine needs to allocate its orders.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelConfig {
    /// The channel's code (web, marketplace-x, store-42…).
    pub code: String,
    /// Warehouses that may serve it, in the channel's priority order (used by `priority`).
    pub warehouses: Vec<WarehouseId>,
    /// The buffer that applies to every cell unless overridden.
    pub buffer: Buffer,
    /// Per-cell buffer overrides.
    pub buffer_overrides: Vec<(SkuId, WarehouseId, Buffer)>,
    /// How the channel picks warehouses.
    pub strategy: StrategyKind,
    /// Whether to skip warehouses whose pick/pack capacity for the day is used up.
    pub capacity_aware: bool,
}

/// A channel ready for the hot path.
#[derive(Debug)]
pub(crate) struct Channel {
    pub(crate) config: ChannelConfig,
    pub(crate) mask: WarehouseMask,
    /// Dense per-cell buffers, present only when the channel has overrides, so
    /// the common case is one field read and no lookup.
    pub(crate) cell_buffers: Option<Box<[Buffer]>>,
    pub(crate) strategy: Box<dyn crate::allocation::AllocationStrategy>,
    /// `strategy.uses_capacity()`, asked once: a reserve needs it twice.
    pub(crate) uses_capacity: bool,
}

impl Channel {
    /// The channel's buffers, copied out of it.
    #[inline]
    pub(crate) fn buffers(&self) -> Buffers<'_> {
        Buffers {
            per_cell: self.cell_buffers.as_deref(),
            flat: self.config.buffer,
        }
    }
}

/// A channel's buffers as a loop over cells reads them: copied out of the channel, so the loop
/// keeps them in registers instead of reloading the channel per cell (an atomic in the loop
/// would otherwise force the reload).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Buffers<'a> {
    /// Dense per-cell buffers, when the channel has overrides.
    per_cell: Option<&'a [Buffer]>,
    /// The buffer of every cell otherwise.
    flat: Buffer,
}

impl<'a> Buffers<'a> {
    /// The buffer of `cell`.
    #[inline]
    pub(crate) fn of(&self, cell: usize) -> Buffer {
        match self.per_cell {
            Some(buffers) => buffers[cell],
            None => self.flat,
        }
    }

    /// Whether every cell's buffer is [`Buffer::None`] (most channels): loops over stock can
    /// then skip the buffer entirely.
    #[inline]
    pub(crate) fn all_none(&self) -> bool {
        self.per_cell.is_none() && self.flat == Buffer::None
    }

    /// The buffers of cells `first..first + count` (one SKU's row), cell `first + i` at `i`.
    #[inline]
    pub(crate) fn row(&self, first: usize, count: usize) -> Buffers<'a> {
        Buffers {
            per_cell: self.per_cell.map(|buffers| &buffers[first..first + count]),
            flat: self.flat,
        }
    }
}
