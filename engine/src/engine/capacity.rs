//! Pick/pack capacity per warehouse and day, for capacity-aware channels: which warehouses are
//! saturated, and the lines a hold takes and gives back.

use super::*;

impl Engine {
    /// Warehouses that have used up their pick/pack capacity on `day`.
    pub(super) fn saturated(&self, day: u64) -> WarehouseMask {
        let mut mask = 0;
        for (i, w) in self.network.warehouses().iter().enumerate() {
            let word = self.capacity[i].load(Ordering::Acquire);
            let used = if word >> 32 == day {
                word & 0xFFFF_FFFF
            } else {
                0
            };
            if used >= w.capacity_lines_per_day as u64 {
                mask |= 1 << i;
            }
        }
        mask
    }

    pub(super) fn use_capacity(&self, day: u64, picks: &[crate::allocation::Pick]) {
        let mut seen: WarehouseMask = 0;
        for pick in picks {
            let w = pick.warehouse;
            if seen & w.bit() != 0 {
                continue;
            }
            seen |= w.bit();
            let lines = picks.iter().filter(|p| p.warehouse == w).count() as u64;
            self.update_capacity(w.index(), |current| {
                let used = if current >> 32 == day {
                    current & 0xFFFF_FFFF
                } else {
                    0
                };
                Some((day << 32) | (used + lines).min(u32::MAX as u64))
            });
        }
    }

    /// Sets warehouse `w`'s capacity word (day in the high half, lines used in the low half) to
    /// `next(current)`, atomically; `None` leaves it as it is.
    pub(super) fn update_capacity(&self, w: usize, next: impl Fn(u64) -> Option<u64>) {
        let counter = &self.capacity[w];
        let mut current = counter.load(Ordering::Acquire);
        while let Some(value) = next(current) {
            match counter.compare_exchange_weak(current, value, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
    }

    /// Gives back the pick/pack lines of `record`'s picks not shipped yet to the capacity of the
    /// day it was placed (a hold that expires or is released, an order cancelled): that work will
    /// not be done.
    pub(super) fn release_capacity(&self, record: &OrderRecord) {
        let day = record.placed_at_ms / MS_PER_DAY;
        let mut lines = [0u64; MAX_WAREHOUSES];
        for pick in record.picks.iter() {
            if matches!(pick.state, PickState::Reserved | PickState::Allocated) {
                lines[pick.warehouse.index()] += 1;
            }
        }
        for (w, &n) in lines.iter().enumerate().filter(|(_, &n)| n > 0) {
            // A counter already on a later day has nothing of this one's left to give back.
            self.update_capacity(w, |current| {
                (current >> 32 == day)
                    .then(|| (day << 32) | (current & 0xFFFF_FFFF).saturating_sub(n))
            });
        }
    }

    /// Pick/pack lines a warehouse has taken on `day` (capacity-aware channels only).
    pub fn capacity_used(&self, warehouse: WarehouseId, day: u64) -> Option<u64> {
        let word = self
            .capacity
            .get(warehouse.index())?
            .load(Ordering::Acquire);
        Some(if word >> 32 == day {
            word & 0xFFFF_FFFF
        } else {
            0
        })
    }
}
