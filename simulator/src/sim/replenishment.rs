//! Supplier orders: the lead time drawn when the order is placed, the receipt queued.

use rand_distr::{Distribution, Normal};

use super::clock::SimEvent;
use super::ledger::Movement;
use super::state::*;
use crate::time::{later_ms, MS_PER_DAY};

impl Sim<'_> {
    /// Places a supplier order: its lead time is drawn now, its receipt queued.
    pub(super) fn order_from_supplier(
        &mut self,
        sku: u32,
        warehouse: u16,
        units: u32,
        now_ms: u64,
    ) {
        self.ledger.moved(Movement::SupplierOrder);
        self.replenisher.ordered(
            sku as usize * self.world.warehouses + warehouse as usize,
            units as u64,
        );
        let (mean, std) = self.world.lead_time_days[self.world.supplier_of[sku as usize] as usize];
        let lead_days = if std > 0.0 {
            Normal::new(mean, std)
                .expect("std > 0")
                .sample(&mut self.rng_stock)
        } else {
            mean
        }
        .max(0.5);
        let at = later_ms(now_ms + 1, lead_days * MS_PER_DAY as f64);
        self.queue.push(
            at,
            SimEvent::Receipt {
                sku,
                warehouse,
                units,
            },
        );
    }
}
