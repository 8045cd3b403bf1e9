//! Order records and the sharded table that holds them.
//!
//! Each shard is a mutex over a slab of order records, an id index and the hold expiries (an
//! append-only run, and a small heap for shorter TTLs); an order lives in shard
//! `hash(id) & mask`. A call locks exactly one order shard, so threads working on
//! different orders almost never meet (64 shards, 2–16 threads). Lock order, to
//! rule out deadlock: an order shard may be held while taking a backorder shard,
//! never the reverse.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, TryReserveError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use smallvec::SmallVec;

use crate::arch::prefetch_address;
use crate::id_index::{IdIndex, IndexHint};
use crate::padding::Guarded;

use crate::constants::ORDER_SHARDS;
use crate::error::OrderError;
use crate::geo::UnitVector;
use crate::ids::SkuId;
use crate::ids::{ChannelId, OrderId, WarehouseId};
use crate::lifecycle::{OrderStatus, ShipmentState};
use crate::network::CarrierQuote;
use crate::order::ServiceLevel;

/// Where one pick's units are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PickState {
    /// Counted in the cell's reserved units.
    Reserved,
    /// Counted in the cell's allocated units (its shipment is pending).
    Allocated,
    /// Left the warehouse.
    Shipped,
    /// Went back to available (release, expiry).
    Released,
}

/// 16 bytes: five fit inline in a record. Its rare tallies (short picks, returns) live in
/// the record's [`RareRecord`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct PickRecord {
    pub(crate) sku: SkuId,
    /// Units held; short picks reduce it.
    pub(crate) units: u32,
    pub(crate) line: u16,
    pub(crate) warehouse: WarehouseId,
    /// Index into `shipments`, once confirmed.
    pub(crate) shipment: u16,
    pub(crate) state: PickState,
}

pub(crate) const NO_SHIPMENT: u16 = u16::MAX;

/// Picks an order record holds without a heap allocation.
pub(crate) const INLINE_PICKS: usize = 5;

/// An order record's picks.
pub(crate) type PickRecords = SmallVec<[PickRecord; INLINE_PICKS]>;

impl PickRecord {
    /// A pick just held: counted in the cell's reserved units, in no shipment yet.
    pub(crate) const fn reserved(
        sku: SkuId,
        line: u16,
        warehouse: WarehouseId,
        units: u32,
    ) -> Self {
        Self {
            sku,
            line,
            warehouse,
            units,
            state: PickState::Reserved,
            shipment: NO_SHIPMENT,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct BackorderRecord {
    pub(crate) sku: SkuId,
    pub(crate) line: u16,
    pub(crate) warehouse: WarehouseId,
    /// Units still waiting.
    pub(crate) units: u32,
    /// Key in the backorder book, to find and remove the entry.
    pub(crate) sequence: u64,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct ShipmentRecord {
    pub(crate) warehouse: WarehouseId,
    pub(crate) state: ShipmentState,
    pub(crate) quote: Option<CarrierQuote>,
}

/// One pick's rare tallies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PickTally {
    /// Units found missing at pick time (taken out of the pick's units).
    pub(crate) short_units: u32,
    /// Shipped units the customer sent back.
    pub(crate) returned_units: u32,
}

/// What few orders use — backorders, short picks, returns — boxed, so that an order
/// without them costs 8 bytes here and a reserve writes three cache lines, not four
/// (measured: one more line per record costs 10–20 % of single-thread reserve throughput).
#[derive(Clone, Debug, Default)]
pub(crate) struct RareRecord {
    pub(crate) backorders: Vec<BackorderRecord>,
    /// By pick index; shorter than `picks` when the last picks have no tally.
    pub(crate) tallies: Vec<PickTally>,
}

#[derive(Clone, Debug)]
pub(crate) struct OrderRecord {
    pub(crate) channel: ChannelId,
    pub(crate) placed_at_ms: u64,
    pub(crate) expires_at_ms: u64,
    /// Only what carrier quotes need (distances), not the full point.
    pub(crate) ship_to: UnitVector,
    pub(crate) service: ServiceLevel,
    pub(crate) status: OrderStatus,
    /// Lines in the order. Picks and backorders carry their SKU, so the lines themselves
    /// are not copied: a reserve writes less.
    pub(crate) line_count: u16,
    /// [`INLINE_PICKS`] inline: orders of up to five single-warehouse lines never allocate.
    pub(crate) picks: PickRecords,
    pub(crate) shipments: SmallVec<[ShipmentRecord; 1]>,
    pub(crate) rare: Option<Box<RareRecord>>,
}

impl OrderRecord {
    /// `line` is one of the order's lines, or the call is refused with `UnknownLine`.
    pub(crate) fn check_line(&self, order: OrderId, line: usize) -> Result<(), OrderError> {
        if line < self.line_count as usize {
            Ok(())
        } else {
            Err(OrderError::UnknownLine { order, line })
        }
    }

    /// Why `operation` cannot run on the order in its status: an expired hold says when it
    /// expired; any other status names the one `operation` needed.
    pub(crate) fn refusal(
        &self,
        order: OrderId,
        operation: &'static str,
        needed: &'static str,
    ) -> OrderError {
        match self.status {
            OrderStatus::Expired => OrderError::HoldExpired {
                order,
                expired_at_ms: self.expires_at_ms,
            },
            status => OrderError::WrongStatus {
                order,
                status,
                operation,
                needed,
            },
        }
    }

    /// The order's backorders (empty for most orders).
    pub(crate) fn backorders(&self) -> &[BackorderRecord] {
        self.rare.as_deref().map_or(&[], |rare| &rare.backorders)
    }

    pub(crate) fn backorders_mut(&mut self) -> &mut [BackorderRecord] {
        self.rare
            .as_deref_mut()
            .map_or(&mut [], |rare| &mut rare.backorders)
    }

    /// The tallies of pick `pick` (zero unless a short pick or return touched it).
    pub(crate) fn tally(&self, pick: usize) -> PickTally {
        self.rare
            .as_deref()
            .and_then(|rare| rare.tallies.get(pick))
            .copied()
            .unwrap_or_default()
    }

    /// The tallies of pick `pick`, for writing (allocates the rare part on first use).
    pub(crate) fn tally_mut(&mut self, pick: usize) -> &mut PickTally {
        assert!(
            pick < self.picks.len(),
            "tally of pick {pick} of {}",
            self.picks.len()
        );
        let tallies = &mut self.rare.get_or_insert_with(Box::default).tallies;
        if tallies.len() <= pick {
            tallies.resize(pick + 1, PickTally::default());
        }
        &mut tallies[pick]
    }
}

/// A record in its slab, aligned to a cache line so that it spans exactly three.
#[repr(C, align(64))]
struct SlabEntry {
    id: OrderId,
    record: OrderRecord,
}

const _: () = assert!(std::mem::size_of::<PickRecord>() == 16);
const _: () = assert!(
    std::mem::size_of::<SlabEntry>() == 192,
    "an order record outgrew three cache lines"
);

/// The id of the record at each slab slot: how the index, which keeps only fingerprints,
/// confirms a match.
#[inline]
fn id_at(records: &[SlabEntry]) -> impl Fn(u32) -> OrderId + '_ {
    |slot| records[slot as usize].id
}

/// Order records in arrival order, with an id index. Records are appended, so a
/// reserve writes memory sequentially instead of into a random slot of a large table.
pub(crate) struct OrderSlab {
    index: IdIndex,
    records: Vec<SlabEntry>,
}

impl OrderSlab {
    fn try_with_capacity(orders: usize) -> Result<Self, TryReserveError> {
        let mut records = Vec::new();
        records.try_reserve_exact(orders)?;
        // Touch every page now (TigerBeetle's "allocate at startup"): a reserve then never
        // takes a first-touch page fault while it holds the shard lock.
        for slot in records.spare_capacity_mut() {
            *slot = std::mem::MaybeUninit::zeroed();
        }
        Ok(Self {
            index: IdIndex::try_with_capacity(orders)?,
            records,
        })
    }

    /// Grows the slab and its index, now, to hold `orders` records, touching the new pages.
    fn make_room(&mut self, orders: usize, hint: &ShardHint) -> Result<(), TryReserveError> {
        if self.records.capacity() < orders {
            self.records
                .try_reserve_exact(orders - self.records.len())?;
            for slot in self.records.spare_capacity_mut() {
                *slot = std::mem::MaybeUninit::zeroed();
            }
        }
        if self.index.capacity() < orders {
            self.index = IdIndex::try_with_capacity(orders)?;
            self.reindex();
        }
        self.publish(hint);
        Ok(())
    }

    /// A new index with room for `orders` ids, holding every record's.
    fn rebuild_index(&mut self, orders: usize) {
        self.index = IdIndex::with_capacity(orders);
        self.reindex();
    }

    /// Puts every record's id into the (empty) index.
    fn reindex(&mut self) {
        let records = &self.records;
        for (slot, SlabEntry { id, .. }) in records.iter().enumerate() {
            let (inserted, _) = self.index.insert_new(*id, slot as u32, id_at(records));
            assert!(inserted, "{id} twice in one shard");
        }
    }

    /// Tells prefetches where the index is and where the next record goes.
    fn publish(&self, hint: &ShardHint) {
        self.index.publish(&hint.index);
        let next = self.records.as_ptr().wrapping_add(self.records.len()) as usize;
        hint.next_record.store(next, Ordering::Relaxed);
    }

    /// The record of `order`, or the call is refused with `UnknownOrder`.
    pub(crate) fn record(&self, order: OrderId) -> Result<&OrderRecord, OrderError> {
        self.get(&order).ok_or(OrderError::UnknownOrder(order))
    }

    /// The record of `order` to change, or the call is refused with `UnknownOrder`.
    pub(crate) fn record_mut(&mut self, order: OrderId) -> Result<&mut OrderRecord, OrderError> {
        self.get_mut(&order).ok_or(OrderError::UnknownOrder(order))
    }

    pub(crate) fn get(&self, id: &OrderId) -> Option<&OrderRecord> {
        let records = &self.records;
        self.index
            .get(*id, id_at(records))
            .map(|slot| &records[slot as usize].record)
    }

    pub(crate) fn get_mut(&mut self, id: &OrderId) -> Option<&mut OrderRecord> {
        let records = &self.records;
        let slot = self.index.get(*id, id_at(records))?;
        Some(&mut self.records[slot as usize].record)
    }

    /// Adds a new order built by `make`, unless the id is taken (then `make` is not called).
    /// Building inside lets the record be written straight into the slab, not copied there.
    #[inline]
    pub(crate) fn insert_new(
        &mut self,
        id: OrderId,
        hint: &ShardHint,
        make: impl FnOnce() -> OrderRecord,
    ) -> Result<&mut OrderRecord, ()> {
        let slot = self.records.len();
        assert!(
            slot < u32::MAX as usize - 1,
            "order shard full: 2^32 orders in one shard"
        );
        let records = &self.records;
        let (inserted, grew) = self.index.insert_new(id, slot as u32, id_at(records));
        if grew {
            self.index.publish(&hint.index);
        }
        if !inserted {
            return Err(());
        }
        // Written in place: `push` would build the 192-byte entry on the stack and copy it with
        // a `memcpy` call.
        if self.records.len() == self.records.capacity() {
            self.records.reserve(1);
        }
        self.records.spare_capacity_mut()[0].write(SlabEntry { id, record: make() });
        // SAFETY: the slot at index `len` was initialised by the write just above, and `make`
        // ran before it, so a panic inside `make` leaves the length unchanged.
        unsafe { self.records.set_len(slot + 1) };
        let next = self.records.as_ptr().wrapping_add(self.records.len()) as usize;
        hint.next_record.store(next, Ordering::Relaxed);
        Ok(&mut self.records[slot].record)
    }

    /// Keeps the records `keep` accepts, in order, and rebuilds the index. O(records).
    pub(crate) fn retain(
        &mut self,
        hint: &ShardHint,
        mut keep: impl FnMut(&OrderId, &OrderRecord) -> bool,
    ) -> usize {
        let before = self.records.len();
        self.records.retain(|entry| keep(&entry.id, &entry.record));
        // Rebuilt at twice the survivors (room to grow until the next archive), so that
        // archiving costs what is kept, not the largest size the table ever had.
        self.rebuild_index(self.records.len() * 2);
        self.publish(hint);
        before - self.records.len()
    }

    /// Orders held in this slab.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&OrderId, &OrderRecord)> {
        self.records.iter().map(|entry| (&entry.id, &entry.record))
    }
}

/// How many holds a shard saw begin and end; kept inside the shard so that no
/// counter is shared between threads on the hot path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HoldCounts {
    /// Holds created.
    pub created: u64,
    /// Holds confirmed (became orders).
    pub confirmed: u64,
    /// Holds released before confirmation.
    pub released: u64,
    /// Holds expired.
    pub expired: u64,
}

impl HoldCounts {
    pub(crate) fn add(&mut self, other: &HoldCounts) {
        self.created = self.created.saturating_add(other.created);
        self.confirmed = self.confirmed.saturating_add(other.confirmed);
        self.released = self.released.saturating_add(other.released);
        self.expired = self.expired.saturating_add(other.expired);
    }
}

/// (expires_at_ms, order id) pairs, as a snapshot stores them.
pub(crate) type ExpiryEntries = Vec<(u64, u64)>;

/// (expires_at_ms, order id) pairs, soonest first. Holds mostly expire in the order they
/// were made (one TTL per channel), so those append to a FIFO run — a sequential write,
/// where a binary heap's sift-up would read a cold parent line on every push. Entries
/// that arrive out of order (a shorter TTL) go to a small heap; pops merge the two.
///
/// The run is a `Vec` read from `head`, not a `VecDeque`: a push is a plain append with no
/// wrap-around arithmetic, and its next slot is one address for the prefetch hint. Popped
/// entries are dropped when the run empties, or in one move once they are most of it, so the
/// run holds at most twice its live entries plus [`EXPIRY_COMPACT_MIN`].
pub(crate) struct ExpiryQueue {
    /// Live entries are `in_order[head..]`, soonest first.
    in_order: Vec<(u64, u64)>,
    head: usize,
    /// A copy of the run's last entry, `(0, 0)` when the run is empty: a push compares
    /// against it without reading the run's tail.
    newest: (u64, u64),
    out_of_order: BinaryHeap<Reverse<(u64, u64)>>,
}

/// Popped entries the run keeps before it compacts (moving the live ones to the front).
const EXPIRY_COMPACT_MIN: usize = 4096;

impl ExpiryQueue {
    fn try_with_capacity(capacity: usize) -> Result<Self, TryReserveError> {
        let mut in_order = Vec::new();
        in_order.try_reserve_exact(capacity)?;
        Ok(Self {
            in_order,
            head: 0,
            newest: (0, 0),
            out_of_order: BinaryHeap::new(),
        })
    }

    #[inline]
    pub(crate) fn push(&mut self, expires_at_ms: u64, order: OrderId) {
        let entry = (expires_at_ms, order.0);
        if self.head == self.in_order.len() {
            // Every entry popped: start the run again at the front of the buffer.
            self.in_order.clear();
            self.head = 0;
            self.newest = (0, 0);
        }
        if self.newest <= entry {
            self.in_order.push(entry);
            self.newest = entry;
        } else {
            self.out_of_order.push(Reverse(entry));
        }
    }

    /// Where the next in-order entry will be written (a prefetch hint; wrong after a
    /// regrowth or a compaction, which costs one miss).
    #[inline]
    fn next_slot_address(&self) -> usize {
        self.in_order.as_ptr_range().end as usize
    }

    /// Every entry: (the in-order run, the out-of-order heap), for snapshots.
    pub(crate) fn entries(&self) -> (ExpiryEntries, ExpiryEntries) {
        (
            self.in_order[self.head..].to_vec(),
            self.out_of_order.iter().map(|r| r.0).collect(),
        )
    }

    /// Replaces every entry (restoring a snapshot).
    pub(crate) fn set_entries(&mut self, in_order: ExpiryEntries, out_of_order: ExpiryEntries) {
        self.newest = in_order.last().copied().unwrap_or((0, 0));
        self.in_order = in_order;
        self.head = 0;
        self.out_of_order = out_of_order.into_iter().map(Reverse).collect();
    }

    /// Removes and returns the soonest entry if it expires by `now_ms`.
    pub(crate) fn pop_due(&mut self, now_ms: u64) -> Option<(u64, OrderId)> {
        let run = self.in_order.get(self.head).copied();
        let heap = self.out_of_order.peek().map(|r| r.0);
        let take_run = match (run, heap) {
            (Some(a), Some(b)) => a <= b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let (at_ms, id) = if take_run {
            run.unwrap()
        } else {
            heap.unwrap()
        };
        if at_ms > now_ms {
            return None;
        }
        if take_run {
            self.head += 1;
            if self.head >= EXPIRY_COMPACT_MIN && self.head * 2 >= self.in_order.len() {
                self.in_order.drain(..self.head);
                self.head = 0;
            }
        } else {
            self.out_of_order.pop();
        }
        Some((at_ms, OrderId(id)))
    }
}

/// Addresses a reserve prefetches before it takes the shard lock (hints only; see `id_index`):
/// the order's id-index line, the slab slot its record will be written to, and the expiry
/// queue's next slot.
#[derive(Default)]
pub(crate) struct ShardHint {
    index: IndexHint,
    /// Where the next record of this shard will be written.
    next_record: AtomicUsize,
    /// Where the next hold expiry of this shard will be written.
    next_expiry: AtomicUsize,
}

impl ShardHint {
    /// Records where `expiries` will write its next entry, for the next prefetch.
    #[inline]
    pub(crate) fn note_expiry_tail(&self, expiries: &ExpiryQueue) {
        self.next_expiry
            .store(expiries.next_slot_address(), Ordering::Relaxed);
    }

    #[inline]
    fn prefetch(&self, id: OrderId) {
        self.index.prefetch(id);
        let next = self.next_record.load(Ordering::Relaxed);
        if next != 0 {
            for offset in (0..std::mem::size_of::<SlabEntry>()).step_by(64) {
                prefetch_address(next + offset);
            }
        }
        let next_expiry = self.next_expiry.load(Ordering::Relaxed);
        if next_expiry != 0 {
            prefetch_address(next_expiry);
        }
    }
}

pub(crate) struct OrderShard {
    pub(crate) orders: OrderSlab,
    /// Hold expiries, soonest first. Confirmed or released orders stay until
    /// their time comes and are skipped then (lazy deletion keeps the reserve
    /// path to one push).
    pub(crate) expiries: ExpiryQueue,
    pub(crate) holds: HoldCounts,
}

struct Shard {
    state: Mutex<OrderShard>,
    hint: ShardHint,
}

/// The order table: [`ORDER_SHARDS`] mutex-guarded shards, each behind a cold guard
/// ([`Guarded`]: two threads working neighbouring shards otherwise wait on each other).
pub(crate) struct OrderTable {
    shards: Box<[Guarded<Shard>]>,
}

/// A locked shard and its prefetch hint (written by inserts).
pub(crate) struct LockedShard<'a> {
    pub(crate) guard: MutexGuard<'a, OrderShard>,
    pub(crate) hint: &'a ShardHint,
}

impl OrderTable {
    /// A table sized for `expected_open_orders`, or the allocator's refusal.
    pub(crate) fn new(expected_open_orders: usize) -> Result<Self, TryReserveError> {
        let per_shard = per_shard(expected_open_orders);
        let shards = (0..ORDER_SHARDS)
            .map(|_| {
                let shard = OrderShard {
                    orders: OrderSlab::try_with_capacity(per_shard)?,
                    expiries: ExpiryQueue::try_with_capacity(per_shard)?,
                    holds: HoldCounts::default(),
                };
                let hint = ShardHint::default();
                shard.orders.index.publish(&hint.index);
                Ok(Guarded::new(Shard {
                    state: Mutex::new(shard),
                    hint,
                }))
            })
            .collect::<Result<_, TryReserveError>>()?;
        Ok(Self { shards })
    }

    /// Bytes the table takes when sized for `expected_open_orders`: records, index and expiry
    /// queue of every shard.
    pub(crate) fn room_bytes(expected_open_orders: usize) -> u128 {
        let per_shard = per_shard(expected_open_orders) as u128;
        let record = (std::mem::size_of::<SlabEntry>() + std::mem::size_of::<(u64, u64)>()) as u128;
        let index = IdIndex::slots_for(per_shard as usize) as u128 * IdIndex::SLOT_BYTES as u128;
        (per_shard * record + index) * ORDER_SHARDS as u128
    }

    /// Grows every shard, now, to hold its share of `expected_open_orders` without growing
    /// again. Shards fill evenly, so left to grow on their own they all copy their records at
    /// about the same moment: a stall of every shard's copy at once.
    pub(crate) fn make_room(&self, expected_open_orders: usize) -> Result<(), TryReserveError> {
        let per_shard = per_shard(expected_open_orders);
        for (mut shard, hint) in self.shards_with_hints() {
            shard.orders.make_room(per_shard, hint)?;
            let queued = shard.expiries.in_order.len();
            shard
                .expiries
                .in_order
                .try_reserve(per_shard.saturating_sub(queued))?;
        }
        Ok(())
    }

    /// The shard holding `order`. Ids are often sequential: mix them so that
    /// consecutive orders land on different shards.
    #[inline]
    fn shard(&self, order: OrderId) -> &Shard {
        &self.shards[shard_of(order)]
    }

    #[inline]
    pub(crate) fn lock(&self, order: OrderId) -> MutexGuard<'_, OrderShard> {
        lock(&self.shard(order).state)
    }

    /// Locks the shard of a new order, with the hint its insert must update.
    #[inline]
    pub(crate) fn lock_for_insert(&self, order: OrderId) -> LockedShard<'_> {
        let shard = self.shard(order);
        LockedShard {
            guard: lock(&shard.state),
            hint: &shard.hint,
        }
    }

    /// Starts fetching the memory a reserve of `order` will write under the lock,
    /// so the misses overlap with planning instead of stalling inside the lock.
    #[inline]
    pub(crate) fn prefetch(&self, order: OrderId) {
        self.shard(order).hint.prefetch(order);
    }

    pub(crate) fn shards(&self) -> impl Iterator<Item = MutexGuard<'_, OrderShard>> {
        self.shards.iter().map(|s| lock(&s.state))
    }

    /// Each shard locked, with its prefetch hint (for operations that move records).
    pub(crate) fn shards_with_hints(
        &self,
    ) -> impl Iterator<Item = (MutexGuard<'_, OrderShard>, &ShardHint)> {
        self.shards.iter().map(|s| (lock(&s.state), &s.hint))
    }
}

/// Orders one shard is sized for when the table expects `expected_open_orders`. Ids hash
/// unevenly over shards: 1/8 headroom (many standard deviations at any size worth sharding)
/// keeps a shard from regrowing, and copying its records, mid-run.
fn per_shard(expected_open_orders: usize) -> usize {
    let per_shard = expected_open_orders / ORDER_SHARDS;
    per_shard + per_shard / 8 + 16
}

/// The order-table shard of `order`, in `0..ORDER_SHARDS`. Ids are often sequential: mixing
/// them sends consecutive orders to different shards.
#[inline]
pub(crate) fn shard_of(order: OrderId) -> usize {
    let mixed = order.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> 58) as usize & (ORDER_SHARDS - 1)
}

/// Locks a mutex. A poisoned lock means a thread panicked mid-transition — a
/// bug — and the engine's state can no longer be trusted, so we stop too.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .expect("engine lock poisoned: a thread panicked inside a transition")
}

const _: () = assert!(
    ORDER_SHARDS == 64,
    "lock() takes the top 6 bits of the mixed id"
);

#[cfg(test)]
mod tests;
