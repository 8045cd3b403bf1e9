//! Channel buffers: units of a cell a channel may not take, and the per-cell view a stock loop
//! reads. A leaf: the inventory, the strategies and the channels all read it.

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
    /// Buffers that are `per_cell` when a channel overrides some cells, else `flat` for all.
    #[inline]
    pub(crate) fn new(per_cell: Option<&'a [Buffer]>, flat: Buffer) -> Self {
        Buffers { per_cell, flat }
    }

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
