//! The backorder book: per cell, the units orders wait for, oldest placement first.
//!
//! Cold path (partial-policy reserves, receipts), so a mutex per shard of cells
//! is plenty. Entries are keyed by (placed_at_ms, sequence): receipts fill them
//! in the order the orders were placed, ties in the order they were booked.

use std::collections::BTreeMap;
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use crate::constants::BACKORDER_SHARDS;
use crate::ids::OrderId;
use crate::padding::Guarded;
use crate::reservation::lock;

/// One order's wait at one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BookEntry {
    pub(crate) order: OrderId,
    pub(crate) line: u16,
    pub(crate) units: u32,
}

/// Backorder key: (placed_at_ms, sequence).
pub(crate) type BookKey = (u64, u64);

type CellQueues = FxHashMap<u32, BTreeMap<BookKey, BookEntry>>;

/// [`BACKORDER_SHARDS`] mutex-guarded shards of cells, each behind a cold guard
/// ([`Guarded`]): threads booking or filling backorders at cells of different shards would
/// otherwise share the mutexes' lines.
pub(crate) struct BackorderBook {
    shards: Box<[Guarded<Mutex<CellQueues>>]>,
}

impl BackorderBook {
    pub(crate) fn new() -> Self {
        Self {
            shards: (0..BACKORDER_SHARDS)
                .map(|_| Guarded::new(Mutex::new(CellQueues::default())))
                .collect(),
        }
    }

    fn shard(&self, cell: usize) -> &Mutex<CellQueues> {
        &self.shards[cell & (BACKORDER_SHARDS - 1)]
    }

    /// Books `entry` at `cell` under `key`; false (and nothing changed) if the key is taken.
    #[must_use]
    pub(crate) fn push(&self, cell: usize, key: BookKey, entry: BookEntry) -> bool {
        let mut shard = lock(self.shard(cell));
        let queue = shard.entry(cell as u32).or_default();
        if queue.contains_key(&key) {
            return false;
        }
        queue.insert(key, entry);
        true
    }

    /// Units waiting at `cell`.
    pub(crate) fn waiting_units(&self, cell: usize) -> u64 {
        lock(self.shard(cell))
            .get(&(cell as u32))
            .map_or(0, |queue| queue.values().map(|e| e.units as u64).sum())
    }

    /// Removes an entry (its order was released); returns its outstanding units, if it was still there.
    pub(crate) fn remove(&self, cell: usize, key: BookKey) -> Option<u32> {
        let mut shard = lock(self.shard(cell));
        let queue = shard.get_mut(&(cell as u32))?;
        let removed = queue.remove(&key).map(|e| e.units);
        if queue.is_empty() {
            shard.remove(&(cell as u32));
        }
        removed
    }

    /// Serves waiting entries oldest first. `take(units)` tries to commit up to
    /// `units` from the cell and says how many it got; serving stops when it gets
    /// none. Returns (key, entry with the units served).
    pub(crate) fn serve(
        &self,
        cell: usize,
        mut take: impl FnMut(u32) -> u32,
    ) -> Vec<(BookKey, BookEntry)> {
        let mut served = Vec::new();
        let mut shard = lock(self.shard(cell));
        let Some(queue) = shard.get_mut(&(cell as u32)) else {
            return served;
        };
        while let Some(mut first) = queue.first_entry() {
            let got = take(first.get().units);
            if got == 0 {
                break;
            }
            served.push((
                *first.key(),
                BookEntry {
                    units: got,
                    ..*first.get()
                },
            ));
            if got == first.get().units {
                first.remove();
            } else {
                first.get_mut().units -= got;
            }
        }
        if queue.is_empty() {
            shard.remove(&(cell as u32));
        }
        served
    }

    /// Every entry, by cell and key, in a fixed order (for snapshots).
    pub(crate) fn entries(&self) -> Vec<(u32, BookKey, BookEntry)> {
        let mut all = Vec::new();
        for shard in self.shards.iter() {
            for (cell, queue) in lock(shard).iter() {
                all.extend(queue.iter().map(|(key, entry)| (*cell, *key, *entry)));
            }
        }
        all.sort_unstable_by_key(|&(cell, key, _)| (cell, key));
        all
    }
}
