//! The daily close: shrinkage and cycle counts, stock KPIs, days-policy and forecast-driven
//! reorders, the day's rows, archiving finished orders and the invariant check.

use qm_engine::*;
use rand::RngExt;

use super::error::SimError;
use super::metrics::*;
use super::replenisher::{CellState, SupplierOrder};
use super::state::*;
use crate::scenario::PolicyKind;
use qm_reports::run::SkuDayRow;

impl Sim<'_> {
    // One pass over the cells does shrinkage, counts, reorders and stock KPIs: `w` indexes several tables.
    #[allow(clippy::needless_range_loop)]
    pub(super) fn close(&mut self, day: u32, now_ms: u64) -> Result<(), SimError> {
        let (skus, warehouses) = (self.world.skus, self.world.warehouses);
        let shrink_rate = *self.s.accuracy.shrinkage_rate_per_day.get_ref();
        let count_every = *self.s.accuracy.cycle_count_days.get_ref() as usize;
        let r = &self.s.replenishment;
        let (rop_days, up_to_days) = (
            *r.reorder_point_days.get_ref(),
            *r.order_up_to_days.get_ref(),
        );
        let mut on_hand_total = 0u64;
        let mut on_hand_by_warehouse = vec![0u64; warehouses];
        let mut stockout_skus = 0u64;
        // The top SKUs' on-hand units and days-policy reorder points, for their stock chart.
        let mut top_on_hand = vec![0u64; self.top_skus.len()];
        let mut top_reorder_points = vec![0.0; self.top_skus.len()];
        for sku in 0..skus {
            let daily_units = self.demand.expected_daily_units[sku] / warehouses as f64;
            let mut free_anywhere = 0u64;
            let top = self.top_skus.iter().position(|&t| t as usize == sku);
            for w in 0..warehouses {
                let cell = sku * warehouses + w;
                let (sku_id, warehouse_id) = (SkuId(sku as u32), WarehouseId(w as u16));
                let stock_multiplier = *self.s.warehouses[w].stock_multiplier.get_ref();
                let mut snapshot = self
                    .engine
                    .cell_snapshot(sku_id, warehouse_id)
                    .expect("cell exists");
                if shrink_rate > 0.0 {
                    let shelf = snapshot.on_hand.saturating_sub(self.hidden_shrink[cell]);
                    // At most one unit a cell a day: rates are small, and this keeps the draw O(1).
                    if shelf > 0
                        && self
                            .rng_stock
                            .random_bool((shelf as f64 * shrink_rate).min(1.0))
                    {
                        self.hidden_shrink[cell] += 1;
                        self.ledger.unit_shrunk();
                    }
                }
                if count_every > 0
                    && cell % count_every == day as usize % count_every
                    && self.hidden_shrink[cell] > 0
                {
                    // A count finds the missing units; those under open orders surface at pick time.
                    let take = self.hidden_shrink[cell].min(snapshot.free());
                    if take > 0 {
                        self.latency.time(CallKind::Adjust, || {
                            self.engine.adjust(
                                sku_id,
                                warehouse_id,
                                -(take as i64),
                                AdjustReason::CycleCount,
                                now_ms,
                            )
                        })?;
                        self.hidden_shrink[cell] -= take;
                        self.ledger.units_found_by_cycle_count(take as u64);
                        snapshot = self
                            .engine
                            .cell_snapshot(sku_id, warehouse_id)
                            .expect("cell exists");
                    }
                }
                on_hand_total += snapshot.on_hand as u64;
                on_hand_by_warehouse[w] += snapshot.on_hand as u64;
                self.sku_stock[sku].on_hand_unit_days += snapshot.on_hand as u64;
                self.on_hand_value_total +=
                    snapshot.on_hand as f64 * self.world.unit_price_cents[sku] as f64;
                let free = snapshot.free();
                free_anywhere += free as u64;
                let (reorder_point, order_units) = match self.world.sku_policy.get(&(sku as u32)) {
                    Some(&(point, quantity)) => (point as f64, quantity),
                    None => (
                        (daily_units * rop_days * stock_multiplier).ceil(),
                        ((daily_units * up_to_days * stock_multiplier).ceil() - free as f64)
                            .max(1.0) as u32,
                    ),
                };
                if let Some(t) = top {
                    top_on_hand[t] += snapshot.on_hand as u64;
                    top_reorder_points[t] += reorder_point;
                }
                if self.replenisher.policy == PolicyKind::Days
                    && self.replenisher.on_order(cell) == 0
                    && (free as f64) < reorder_point
                {
                    self.order_from_supplier(sku as u32, w as u16, order_units, now_ms);
                }
            }
            stockout_skus += (free_anywhere == 0) as u64;
            self.sku_stock[sku].stockout_days += (free_anywhere == 0) as u32;
        }
        let engine = &self.engine;
        let mut orders = Vec::new();
        self.replenisher.close(
            day,
            &self.demand,
            |cell| {
                let (sku, w) = (
                    SkuId((cell / warehouses) as u32),
                    WarehouseId((cell % warehouses) as u16),
                );
                CellState {
                    free_units: engine.cell_snapshot(sku, w).map_or(0, |c| c.free()) as u64,
                    backordered_units: engine.backordered_units(sku, w).unwrap_or(0),
                }
            },
            &mut orders,
        );
        for SupplierOrder {
            sku,
            warehouse,
            units,
        } in orders
        {
            self.order_from_supplier(sku, warehouse, units, now_ms);
        }
        for (t, &sku) in self.top_skus.iter().enumerate() {
            let on_hand_units = top_on_hand[t];
            let (safety_stock_units, reorder_point_units) =
                match self.replenisher.sku_today(sku as usize) {
                    Some((safety, reorder_point)) => (Some(safety), reorder_point),
                    None => (None, top_reorder_points[t]),
                };
            self.sku_daily.push(SkuDayRow {
                day,
                sku: self.engine.network().skus()[sku as usize].code.clone(),
                on_hand_units,
                safety_stock_units,
                reorder_point_units,
            });
        }
        let d = day as usize;
        let row = &mut self.daily[d];
        row.on_hand_units = on_hand_total;
        row.safety_stock_units = self.replenisher.safety_stock_today_units();
        row.stockout_skus = stockout_skus;
        self.ledger.day_closed(on_hand_total, stockout_skus);
        for (w, &units) in on_hand_by_warehouse.iter().enumerate() {
            let stats = &mut self.warehouse_rows[w];
            stats.peak_on_hand_units = stats.peak_on_hand_units.max(units);
            self.warehouse_on_hand_unit_days[w] += units;
        }
        self.days_closed = day + 1;
        for row in self
            .warehouse_daily
            .iter_mut()
            .rev()
            .take_while(|r| r.day == day)
        {
            let w = self
                .s
                .warehouses
                .iter()
                .position(|x| x.code == row.warehouse)
                .expect("known warehouse");
            row.on_hand_units = on_hand_by_warehouse[w];
        }
        self.drain_engine_events();
        // Finished orders nothing will name again leave the engine: memory and the
        // invariant check stay proportional to open orders, not to the whole run.
        let pinned = &self.pinned;
        self.engine
            .archive_finished(|id| pinned.contains_key(&id.0));
        self.engine
            .check_invariants()
            .map_err(|violation| SimError::Invariant { day, violation })?;
        Ok(())
    }

    /// Hands the engine's events since the last call to the auditor, which then settles the
    /// orders whose fate is sealed.
    pub(super) fn drain_engine_events(&mut self) {
        for event in self.events.try_iter() {
            self.ledger.engine_event();
            self.audit.engine(&event);
        }
        self.audit.settle();
    }
}
