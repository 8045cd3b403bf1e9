//! Sales channels: which warehouses serve them, what stock they must leave alone, how they allocate.

use crate::allocation::StrategyKind;
pub use crate::buffer::Buffer;
use crate::buffer::Buffers;
use crate::ids::{SkuId, WarehouseId, WarehouseMask};

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
        Buffers::new(self.cell_buffers.as_deref(), self.config.buffer)
    }
}
