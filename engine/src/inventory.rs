//! Stock cells, one per (SKU, warehouse), updated lock-free.
//!
//! # Encoding
//! Each cell's hot state is one `AtomicU64`: on-hand units in the high 32 bits,
//! committed units (reserved + allocated) in the low 32 bits. Every change that
//! can break `committed ≤ on_hand` is a single compare-and-swap on that word
//! that checks the bound in the same step, so no interleaving of threads can
//! oversell: the invariant holds at every instant, not only at quiescence.
//!
//! How committed units split into reserved and allocated is a second atomic
//! (`allocated`), moved after the stock word; the split never decides whether
//! stock can be taken, so the brief window between the two writes is harmless.
//! [`crate::Engine::check_invariants`] checks the split at quiescence.
//!
//! # Ordering
//! The stock word uses `AcqRel` CAS / `Acquire` loads: a thread that sees units
//! as taken also sees the order record written before by the thread that took
//! them (records sit behind mutexes, which order the rest). The ledger counters
//! are statistics read at quiescence and use `Relaxed`.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::arch::{self, has_prefetch_for_write, prefetch_address, prefetch_address_for_write};
use crate::buffer::Buffer;
use crate::constants::MAX_CELL_UNITS;

const COMMITTED_MASK: u64 = 0xFFFF_FFFF;

#[inline]
fn unpack(word: u64) -> (u32, u32) {
    ((word >> 32) as u32, (word & COMMITTED_MASK) as u32)
}

/// Units free for a caller bound by `buffer`: on_hand − committed − buffer, floored at 0.
#[inline]
fn free_units(on_hand: u32, committed: u32, buffer: Buffer) -> u32 {
    (on_hand - committed).saturating_sub(buffer.units(on_hand))
}

#[inline]
fn pack(on_hand: u32, committed: u32) -> u64 {
    ((on_hand as u64) << 32) | committed as u64
}

/// A consistent reading of one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CellSnapshot {
    /// Units physically in the warehouse.
    pub on_hand: u32,
    /// Units held for carts and unpaid orders.
    pub reserved: u32,
    /// Units committed to confirmed shipments not yet shipped.
    pub allocated: u32,
}

impl CellSnapshot {
    /// Units no order holds: on hand − reserved − allocated (before any channel buffer).
    pub fn free(&self) -> u32 {
        self.on_hand - self.reserved - self.allocated
    }
}

/// Lifetime unit movements of one cell, for the conservation check:
/// initial + received + returned + adjusted_in = on_hand + shipped + scrapped + adjusted_out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CellLedger {
    /// Stock loaded at start-up.
    pub initial: u64,
    /// Supplier receipts.
    pub received: u64,
    /// Customer returns that came back (restocked or scrapped).
    pub returned: u64,
    /// Returns written off instead of restocked.
    pub scrapped: u64,
    /// Units shipped to customers.
    pub shipped: u64,
    /// Units found by cycle counts.
    pub adjusted_in: u64,
    /// Units lost (shrinkage, damage), by cycle count or at pick time.
    pub adjusted_out: u64,
}

#[derive(Default)]
pub(crate) struct AtomicLedger {
    initial: AtomicU64,
    received: AtomicU64,
    returned: AtomicU64,
    scrapped: AtomicU64,
    shipped: AtomicU64,
    adjusted_in: AtomicU64,
    adjusted_out: AtomicU64,
}

/// Which ledger counter a movement goes to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Movement {
    Initial,
    Received,
    Returned,
    Scrapped,
    Shipped,
    AdjustedIn,
    AdjustedOut,
}

impl AtomicLedger {
    pub(crate) fn add(&self, movement: Movement, units: u32) {
        let counter = match movement {
            Movement::Initial => &self.initial,
            Movement::Received => &self.received,
            Movement::Returned => &self.returned,
            Movement::Scrapped => &self.scrapped,
            Movement::Shipped => &self.shipped,
            Movement::AdjustedIn => &self.adjusted_in,
            Movement::AdjustedOut => &self.adjusted_out,
        };
        counter.fetch_add(units as u64, Ordering::Relaxed);
    }

    pub(crate) fn set(&self, l: &CellLedger) {
        for (counter, value) in [
            (&self.initial, l.initial),
            (&self.received, l.received),
            (&self.returned, l.returned),
            (&self.scrapped, l.scrapped),
            (&self.shipped, l.shipped),
            (&self.adjusted_in, l.adjusted_in),
            (&self.adjusted_out, l.adjusted_out),
        ] {
            counter.store(value, Ordering::Relaxed);
        }
    }

    pub(crate) fn read(&self) -> CellLedger {
        CellLedger {
            initial: self.initial.load(Ordering::Relaxed),
            received: self.received.load(Ordering::Relaxed),
            returned: self.returned.load(Ordering::Relaxed),
            scrapped: self.scrapped.load(Ordering::Relaxed),
            shipped: self.shipped.load(Ordering::Relaxed),
            adjusted_in: self.adjusted_in.load(Ordering::Relaxed),
            adjusted_out: self.adjusted_out.load(Ordering::Relaxed),
        }
    }
}

/// The outcome of trying to take units from a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Take {
    /// Taken; the free units (after buffer) before and after.
    Taken { free_before: u32, free_after: u32 },
    /// Not enough; this many units were free for the caller.
    Short { free: u32 },
}

/// Stock words per cache line.
const WORDS_PER_LINE: usize = 8;

/// Eight stock words on one cache line. Cells are numbered `sku × warehouses + warehouse`, so
/// with eight warehouses an SKU's whole row is one line, which a reserve can prefetch in one go.
#[repr(C, align(64))]
struct StockLine([AtomicU64; WORDS_PER_LINE]);

const _: () = assert!(std::mem::size_of::<StockLine>() == 64);

/// One SKU's stock words, warehouse `w` at index `w`: what planning reads to check a line at
/// every warehouse with one bounds check for the row.
#[derive(Clone, Copy)]
pub(crate) struct StockWords<'a>(&'a [AtomicU64]);

impl StockWords<'_> {
    /// Cells in the row.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// [`Inventory::available_to_plan`] of the row's cell `i`: a relaxed load, checked again
    /// by the CAS that takes.
    #[inline]
    pub(crate) fn available_to_plan(&self, i: usize, buffer: Buffer) -> u32 {
        free_to_plan(&self.0[i], buffer)
    }

    /// Bit `i` set when cell `i` has at least `units` free units with no buffer: what a channel
    /// without buffers may plan. Relaxed loads, checked again by the CAS that takes.
    #[inline(always)]
    pub(crate) fn has_free_mask(&self, units: i64) -> u64 {
        arch::has_free_mask(self.0, units)
    }
}

/// Free units of a stock word for planning: a relaxed load (see [`Inventory::available_to_plan`]).
#[inline]
fn free_to_plan(word: &AtomicU64, buffer: Buffer) -> u32 {
    let (on_hand, committed) = unpack(word.load(Ordering::Relaxed));
    free_units(on_hand, committed, buffer)
}

/// All cells, structure-of-arrays so the hot stock words sit together in cache.
pub(crate) struct Inventory {
    /// on_hand << 32 | committed, cell `c` at `stock[c / 8].0[c % 8]`. Written by every
    /// stock-moving call via CAS.
    stock: Box<[StockLine]>,
    cells: usize,
    /// Allocated (confirmed, unshipped) units; the rest of committed is reserved.
    allocated: Box<[AtomicU32]>,
    /// Reorder point in units (0 = none); a crossing below it raises an event.
    reorder_point: Box<[AtomicU32]>,
    ledger: Box<[AtomicLedger]>,
    /// Whether row prefetches ask for the line owned for writing (`prefetchw`): a reserve
    /// reads a row, then takes from it. Two threads, batched, by shard: +4.3 % (`nearest`) and
    /// +5.9 % (`priority`) against a plain prefetch (100 pairs in one process); one thread +0.2 %.
    prefetch_for_write: bool,
}

fn boxed<T>(count: usize, make: impl Fn() -> T) -> Box<[T]> {
    (0..count).map(|_| make()).collect()
}

impl Inventory {
    pub(crate) fn new(cells: usize) -> Self {
        Self {
            stock: boxed(cells.div_ceil(WORDS_PER_LINE), || {
                StockLine(std::array::from_fn(|_| AtomicU64::new(0)))
            }),
            cells,
            allocated: boxed(cells, || AtomicU32::new(0)),
            reorder_point: boxed(cells, || AtomicU32::new(0)),
            ledger: boxed(cells, AtomicLedger::default),
            prefetch_for_write: has_prefetch_for_write(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.cells
    }

    /// The stock word of `cell`. Panics past the last cell, like a slice index.
    #[inline]
    fn word(&self, cell: usize) -> &AtomicU64 {
        &self.words()[cell]
    }

    /// Every cell's stock word, cell `c` at index `c`: one bounds check per access instead of
    /// a line and a word index.
    #[inline]
    fn words(&self) -> &[AtomicU64] {
        const { assert!(std::mem::size_of::<StockLine>() == WORDS_PER_LINE * 8) };
        // Set once in `new` (`cells.div_ceil(WORDS_PER_LINE)` lines) and never changed.
        debug_assert!(self.cells <= self.stock.len() * WORDS_PER_LINE);
        // SAFETY: `StockLine` is `repr(C)` around `[AtomicU64; WORDS_PER_LINE]` with no
        // padding (asserted above), so the boxed lines are `stock.len() * WORDS_PER_LINE`
        // contiguous words; `new` allocates enough lines for `cells` of them and neither field
        // changes afterwards. The view is immutably borrowed from `self`.
        unsafe { std::slice::from_raw_parts(self.stock.as_ptr().cast::<AtomicU64>(), self.cells) }
    }

    /// What [`RowPrefetch::row`] needs, read once: the prefetches of a request's rows then keep
    /// it in registers (a prefetch is opaque to the compiler, which reloaded both per row).
    #[inline]
    pub(crate) fn row_prefetch(&self, count: usize) -> RowPrefetch {
        RowPrefetch {
            base: self.stock.as_ptr() as usize,
            count,
            // Rows of 1, 2, 4 or 8 cells start at a multiple of their length (rows are laid
            // end to end from the first, line-aligned cell), so none crosses a line.
            one_line: count.is_power_of_two() && count <= WORDS_PER_LINE,
            for_write: self.prefetch_for_write,
        }
    }

    /// Free units for a caller bound by `buffer`: on_hand − committed − buffer, floored at 0.
    #[inline]
    pub(crate) fn available(&self, cell: usize, buffer: Buffer) -> u32 {
        let (on_hand, committed) = unpack(self.word(cell).load(Ordering::Acquire));
        free_units(on_hand, committed, buffer)
    }

    /// [`Inventory::available`] for planning: a relaxed load, because a plan is advice that
    /// [`Inventory::try_take`]'s CAS checks again. It orders nothing, so the compiler may keep
    /// the planning loop's other reads in registers across it.
    #[inline]
    pub(crate) fn available_to_plan(&self, cell: usize, buffer: Buffer) -> u32 {
        free_to_plan(self.word(cell), buffer)
    }

    /// The stock words of cells `first..first + count` (one SKU's row), for planning reads.
    #[inline]
    pub(crate) fn row(&self, first: usize, count: usize) -> StockWords<'_> {
        StockWords(&self.words()[first..first + count])
    }

    /// Commits `units` if that leaves at least `buffer` free. The check and the
    /// write are one CAS, which is what makes overselling impossible.
    #[inline]
    pub(crate) fn try_take(&self, cell: usize, units: u32, buffer: Buffer) -> Take {
        let word = self.word(cell);
        let mut current = word.load(Ordering::Acquire);
        loop {
            let (on_hand, committed) = unpack(current);
            let free = free_units(on_hand, committed, buffer);
            if free < units {
                return Take::Short { free };
            }
            let next = pack(on_hand, committed + units);
            match word.compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => {
                    return Take::Taken {
                        free_before: free,
                        free_after: free - units,
                    }
                }
                Err(actual) => current = actual,
            }
        }
    }

    /// Returns committed units to free stock (a release or an expiry).
    #[inline]
    pub(crate) fn give_back(&self, cell: usize, units: u32) {
        let previous = self.word(cell).fetch_sub(units as u64, Ordering::AcqRel);
        assert!(
            unpack(previous).1 >= units,
            "cell {cell}: gave back {units} units but fewer were committed"
        );
    }

    /// Moves committed units between reserved and allocated (confirm: +, cancel of confirmed: −).
    #[inline]
    pub(crate) fn allocate(&self, cell: usize, units: u32) {
        self.allocated[cell].fetch_add(units, Ordering::AcqRel);
    }

    #[inline]
    pub(crate) fn deallocate(&self, cell: usize, units: u32) {
        let previous = self.allocated[cell].fetch_sub(units, Ordering::AcqRel);
        assert!(
            previous >= units,
            "cell {cell}: deallocated {units} units but only {previous} were allocated"
        );
    }

    /// Units leave the building: on_hand and committed fall together, and the
    /// allocation (or reservation, for a short pick of a held line) with them.
    pub(crate) fn remove_committed(&self, cell: usize, units: u32, movement: Movement) {
        let delta = pack(units, units);
        let previous = self.word(cell).fetch_sub(delta, Ordering::AcqRel);
        let (on_hand, committed) = unpack(previous);
        assert!(
            on_hand >= units && committed >= units,
            "cell {cell}: removed {units} committed units from {on_hand}/{committed}"
        );
        self.ledger[cell].add(movement, units);
    }

    /// Units arrive (receipt, restocked return, found stock). Fails if the cell would pass [`MAX_CELL_UNITS`].
    pub(crate) fn add_on_hand(
        &self,
        cell: usize,
        units: u32,
        movement: Movement,
    ) -> Result<(), u32> {
        let word = self.word(cell);
        let mut current = word.load(Ordering::Acquire);
        loop {
            let (on_hand, committed) = unpack(current);
            if units > MAX_CELL_UNITS - on_hand {
                return Err(on_hand);
            }
            match word.compare_exchange_weak(
                current,
                pack(on_hand + units, committed),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        self.ledger[cell].add(movement, units);
        Ok(())
    }

    /// Removes free (uncommitted) units: shrinkage found by a count. Fails with
    /// the free units if fewer than `units` are free, leaving the cell unchanged.
    pub(crate) fn remove_free(&self, cell: usize, units: u32) -> Result<(), u32> {
        let word = self.word(cell);
        let mut current = word.load(Ordering::Acquire);
        loop {
            let (on_hand, committed) = unpack(current);
            if on_hand - committed < units {
                return Err(on_hand - committed);
            }
            match word.compare_exchange_weak(
                current,
                pack(on_hand - units, committed),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        self.ledger[cell].add(Movement::AdjustedOut, units);
        Ok(())
    }

    /// A cell's whole state: (on_hand, committed, allocated, reorder point, ledger). For
    /// snapshots, taken while no call is moving stock.
    pub(crate) fn raw(&self, cell: usize) -> (u32, u32, u32, u32, CellLedger) {
        let (on_hand, committed) = unpack(self.word(cell).load(Ordering::Acquire));
        (
            on_hand,
            committed,
            self.allocated[cell].load(Ordering::Acquire),
            self.reorder_point[cell].load(Ordering::Acquire),
            self.ledger[cell].read(),
        )
    }

    /// Overwrites a cell's whole state (restoring a snapshot).
    pub(crate) fn set_raw(
        &self,
        cell: usize,
        (on_hand, committed, allocated, reorder_point, ledger): (u32, u32, u32, u32, CellLedger),
    ) {
        self.word(cell)
            .store(pack(on_hand, committed), Ordering::Release);
        self.allocated[cell].store(allocated, Ordering::Release);
        self.reorder_point[cell].store(reorder_point, Ordering::Release);
        self.ledger[cell].set(&ledger);
    }

    pub(crate) fn record(&self, cell: usize, movement: Movement, units: u32) {
        self.ledger[cell].add(movement, units);
    }

    pub(crate) fn snapshot(&self, cell: usize) -> CellSnapshot {
        let (on_hand, committed) = unpack(self.word(cell).load(Ordering::Acquire));
        let allocated = self.allocated[cell].load(Ordering::Acquire);
        // Between a confirm's two writes `allocated` can briefly lead; clamp so a
        // live reading never shows negative reserved stock.
        let allocated = allocated.min(committed);
        CellSnapshot {
            on_hand,
            reserved: committed - allocated,
            allocated,
        }
    }

    /// The raw pair (on_hand, committed) read in one load.
    pub(crate) fn stock_word(&self, cell: usize) -> (u32, u32) {
        unpack(self.word(cell).load(Ordering::Acquire))
    }

    pub(crate) fn allocated_units(&self, cell: usize) -> u32 {
        self.allocated[cell].load(Ordering::Acquire)
    }

    pub(crate) fn ledger(&self, cell: usize) -> CellLedger {
        self.ledger[cell].read()
    }

    pub(crate) fn reorder_point(&self, cell: usize) -> u32 {
        self.reorder_point[cell].load(Ordering::Relaxed)
    }

    pub(crate) fn set_reorder_point(&self, cell: usize, units: u32) {
        self.reorder_point[cell].store(units, Ordering::Relaxed);
    }
}

/// Starts loading stock rows of `count` cells into cache (see [`Inventory::row_prefetch`]).
#[derive(Clone, Copy)]
pub(crate) struct RowPrefetch {
    base: usize,
    count: usize,
    /// Whether every row lies within one line.
    one_line: bool,
    /// Whether to prefetch with `prefetchw` (see [`Inventory`]).
    for_write: bool,
}

impl RowPrefetch {
    /// Starts loading the stock words of cells `first..first + count` (one SKU's row).
    /// A hint: it changes nothing and never faults.
    #[inline]
    pub(crate) fn row(self, first: usize) {
        // The first cell's line, from its own address.
        self.line(
            self.base
                .wrapping_add(first * std::mem::size_of::<AtomicU64>()),
        );
        if self.one_line {
            // No line range to work out.
            return;
        }
        let (from, to) = (
            first / WORDS_PER_LINE,
            (first + self.count - 1) / WORDS_PER_LINE,
        );
        for line in from + 1..to + 1 {
            self.line(
                self.base
                    .wrapping_add(line * std::mem::size_of::<StockLine>()),
            );
        }
    }

    #[inline(always)]
    fn line(self, address: usize) {
        if self.for_write {
            prefetch_address_for_write(address);
        } else {
            prefetch_address(address);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_respects_buffer_and_never_commits_past_on_hand() {
        let inventory = Inventory::new(1);
        inventory.add_on_hand(0, 10, Movement::Initial).unwrap();
        assert_eq!(
            inventory.try_take(0, 7, Buffer::Units(3)),
            Take::Taken {
                free_before: 7,
                free_after: 0
            }
        );
        assert_eq!(
            inventory.try_take(0, 1, Buffer::None),
            Take::Taken {
                free_before: 3,
                free_after: 2
            }
        );
        assert_eq!(
            inventory.try_take(0, 3, Buffer::None),
            Take::Short { free: 2 }
        );
        assert_eq!(inventory.stock_word(0), (10, 8));
        inventory.give_back(0, 8);
        assert_eq!(inventory.remove_free(0, 11), Err(10));
        inventory.remove_free(0, 4).unwrap();
        assert_eq!(inventory.stock_word(0), (6, 0));
    }

    #[test]
    fn percentage_buffer_rounds_up() {
        assert_eq!(Buffer::BasisPointsOfOnHand(1_000).units(15), 2);
        assert_eq!(Buffer::BasisPointsOfOnHand(10_000).units(15), 15);
        assert_eq!(Buffer::None.units(15), 0);
    }

    #[test]
    fn receipts_stop_at_the_cell_limit() {
        let inventory = Inventory::new(1);
        inventory
            .add_on_hand(0, MAX_CELL_UNITS - 5, Movement::Received)
            .unwrap();
        assert_eq!(
            inventory.add_on_hand(0, 6, Movement::Received),
            Err(MAX_CELL_UNITS - 5)
        );
        assert_eq!(inventory.ledger(0).received, (MAX_CELL_UNITS - 5) as u64);
    }
}
