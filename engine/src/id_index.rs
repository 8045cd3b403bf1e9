//! The order-id index of one order shard: open addressing with linear probing,
//! from order id to the record's slot in the shard's slab.
//!
//! Hand-written (not a general hash map) for one reason: the reserve path can
//! compute where an id will land *before* it takes the shard lock, and prefetch
//! that cache line while it plans the order, so the probe under the lock hits
//! cache. The table's base address and mask are published in atomics for that
//! prefetch; they are only hints (a prefetch never faults or reads into Rust's
//! view of memory), so a stale value costs a miss, never correctness.
//!
//! An entry is 8 bytes: the slab slot and a 32-bit fingerprint of the id, not the id.
//! The slab holds the ids, so a fingerprint match is confirmed by reading the record's
//! id, which a lookup reads anyway and an insert needs only for a real duplicate (or
//! a fingerprint collision, about once in 4 billion compared entries). Half the bytes
//! of `(id, slot)` entries, so a reserve's insert dirties a random line of a table half
//! the size (measured in `DESIGN.md`, "What the reserve path costs").

use std::collections::TryReserveError;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::arch::prefetch_address;
use crate::ids::OrderId;

/// Marks an empty entry. Slab slots are asserted below `u32::MAX`.
const EMPTY: u32 = u32::MAX;
/// The table doubles when it would pass half full: short probe runs.
const MAX_LOAD_NUMERATOR: usize = 1;
const MAX_LOAD_DENOMINATOR: usize = 2;
const MIN_CAPACITY: usize = 16;

#[derive(Clone, Copy)]
struct Entry {
    /// [`fingerprint`] of the id.
    tag: u32,
    slot: u32,
}

const VACANT: Entry = Entry {
    tag: 0,
    slot: EMPTY,
};

const _: () = assert!(std::mem::size_of::<Entry>() == 8);

/// Where a prefetch for an id should look: the table's address and mask, published on every resize.
#[derive(Default)]
pub(crate) struct IndexHint {
    base: AtomicUsize,
    mask: AtomicUsize,
}

impl IndexHint {
    /// Prefetches the cache line where `id` starts probing.
    #[inline]
    pub(crate) fn prefetch(&self, id: OrderId) {
        let base = self.base.load(Ordering::Relaxed);
        let mask = self.mask.load(Ordering::Relaxed);
        if base != 0 {
            let address = base.wrapping_add((home(id) & mask) * std::mem::size_of::<Entry>());
            prefetch_address(address);
        }
    }
}

/// Mixes an id into a probe start. Shards use the top bits of `id × φ`; this uses
/// a different mixer so ids of one shard still spread over its table.
#[inline]
fn home(id: OrderId) -> usize {
    mix(id) as usize
}

#[inline]
fn mix(id: OrderId) -> u64 {
    let mut x = id.0 ^ (id.0 >> 31);
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 29)
}

/// The high half of the mixed id: independent of the probe start, which takes low bits
/// (tables stay far below 2^32 entries).
#[inline]
fn fingerprint(id: OrderId) -> u32 {
    (mix(id) >> 32) as u32
}

pub(crate) struct IdIndex {
    entries: Box<[Entry]>,
    len: usize,
}

impl IdIndex {
    pub(crate) fn with_capacity(orders: usize) -> Self {
        Self::try_with_capacity(orders).unwrap_or_else(|e| panic!("an index of {orders} ids: {e}"))
    }

    /// Slots an index with room for `orders` ids has.
    pub(crate) fn slots_for(orders: usize) -> usize {
        (orders.saturating_mul(MAX_LOAD_DENOMINATOR) / MAX_LOAD_NUMERATOR)
            .max(MIN_CAPACITY)
            .checked_next_power_of_two()
            .unwrap_or(usize::MAX)
    }

    /// Bytes a slot takes.
    pub(crate) const SLOT_BYTES: usize = std::mem::size_of::<Entry>();

    /// An empty index with room for `orders` ids, or the allocator's refusal.
    pub(crate) fn try_with_capacity(orders: usize) -> Result<Self, TryReserveError> {
        let capacity = Self::slots_for(orders);
        let mut entries = Vec::new();
        entries.try_reserve_exact(capacity)?;
        entries.resize(capacity, VACANT);
        Ok(Self {
            entries: entries.into_boxed_slice(),
            len: 0,
        })
    }

    /// Ids it holds before it grows.
    pub(crate) fn capacity(&self) -> usize {
        self.entries.len() * MAX_LOAD_NUMERATOR / MAX_LOAD_DENOMINATOR
    }

    /// Publishes this table's address for prefetches.
    pub(crate) fn publish(&self, hint: &IndexHint) {
        hint.base
            .store(self.entries.as_ptr() as usize, Ordering::Relaxed);
        hint.mask.store(self.entries.len() - 1, Ordering::Relaxed);
    }

    /// The slot of `id`, if present. `id_at(slot)` is the id stored in the slab at `slot`.
    #[inline]
    pub(crate) fn get(&self, id: OrderId, id_at: impl Fn(u32) -> OrderId) -> Option<u32> {
        let mask = self.entries.len() - 1;
        let (mut i, tag) = (home(id) & mask, fingerprint(id));
        loop {
            let entry = self.entries[i];
            if entry.slot == EMPTY {
                return None;
            }
            if entry.tag == tag && id_at(entry.slot) == id {
                return Some(entry.slot);
            }
            i = (i + 1) & mask;
        }
    }

    /// Inserts `id → slot` unless `id` is present. Returns whether it inserted and
    /// whether the table grew (then the caller republishes the hint). `id_at` gives the id
    /// of every slot already in the table (never asked for `slot` itself).
    #[inline]
    pub(crate) fn insert_new(
        &mut self,
        id: OrderId,
        slot: u32,
        id_at: impl Fn(u32) -> OrderId,
    ) -> (bool, bool) {
        assert_ne!(slot, EMPTY, "slab slot out of range");
        let grew = (self.len + 1) * MAX_LOAD_DENOMINATOR > self.entries.len() * MAX_LOAD_NUMERATOR;
        if grew {
            self.grow(&id_at);
        }
        let mask = self.entries.len() - 1;
        let (mut i, tag) = (home(id) & mask, fingerprint(id));
        loop {
            let entry = self.entries[i];
            if entry.slot == EMPTY {
                self.entries[i] = Entry { tag, slot };
                self.len += 1;
                return (true, grew);
            }
            if entry.tag == tag && id_at(entry.slot) == id {
                return (false, grew);
            }
            i = (i + 1) & mask;
        }
    }

    #[cold]
    fn grow(&mut self, id_at: &impl Fn(u32) -> OrderId) {
        let doubled = vec![VACANT; self.entries.len() * 2].into_boxed_slice();
        let old = std::mem::replace(&mut self.entries, doubled);
        let mask = self.entries.len() - 1;
        // Every id is distinct already: place each at the first vacant entry, no comparisons.
        for entry in old.iter().filter(|e| e.slot != EMPTY) {
            let mut i = home(id_at(entry.slot)) & mask;
            while self.entries[i].slot != EMPTY {
                i = (i + 1) & mask;
            }
            self.entries[i] = *entry;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_holds_refuses_duplicates_and_grows() {
        let mut index = IdIndex::with_capacity(2);
        let ids: Vec<u64> = (0..1_000u64)
            .map(|i| i.wrapping_mul(0x1234_5678_9ABC_DEF1) ^ 7)
            .chain([0, u64::MAX])
            .collect();
        let id_at = |slot: u32| OrderId(ids[slot as usize]);
        for (slot, &id) in ids.iter().enumerate() {
            assert!(index.insert_new(OrderId(id), slot as u32, id_at).0);
        }
        for (slot, &id) in ids.iter().enumerate() {
            assert_eq!(index.get(OrderId(id), id_at), Some(slot as u32));
            assert!(
                !index.insert_new(OrderId(id), 99, id_at).0,
                "duplicate {id} accepted"
            );
        }
        assert_eq!(index.get(OrderId(12_345), id_at), None);
        assert!(index.entries.len() >= 2 * ids.len());
        assert_eq!(index.len, ids.len());
    }

    #[test]
    fn a_fingerprint_collision_is_told_apart_by_the_slab_id() {
        // A real 32-bit collision at the same probe start is too rare to search for: forge
        // one, an entry with `first`'s fingerprint at its probe start, for a slot holding 99.
        let first = OrderId(1);
        let ids = [first, OrderId(99)];
        let id_at = |slot: u32| ids[slot as usize];
        let mut index = IdIndex::with_capacity(4);
        let mask = index.entries.len() - 1;
        index.entries[home(first) & mask] = Entry {
            tag: fingerprint(first),
            slot: 1,
        };
        index.len = 1;
        assert_eq!(
            index.get(first, id_at),
            None,
            "matched on the fingerprint alone"
        );
        assert!(
            index.insert_new(first, 0, id_at).0,
            "a collision refused a new id"
        );
        assert_eq!(index.get(first, id_at), Some(0));
        assert!(!index.insert_new(first, 0, id_at).0);
    }
}
