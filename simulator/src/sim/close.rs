//! The daily close: shrinkage and cycle counts, stock KPIs, days-policy and forecast-driven
//! reorders, the day's rows, archiving finished orders and the invariant check.

use qm_engine::*;
use rand::RngExt;

use super::error::SimError;
use super::ledger::Movement;
use super::metrics::*;
use super::replenisher::{CellState, SupplierOrder};
use super::state::*;
use crate::scenario::PolicyKind;
use qm_reports::run::SkuDayRow;

/// What one pass over the cells measured at a close.
struct CloseTotals {
    on_hand_units: u64,
    on_hand_by_warehouse: Vec<u64>,
    stockout_skus: u64,
    /// Σ over cells of on-hand units × unit price.
    on_hand_value_cents: u128,
    /// The top SKUs' on-hand units and days-policy reorder points, for their stock chart.
    top_on_hand: Vec<u64>,
    top_reorder_points: Vec<f64>,
}

impl Sim<'_> {
    /// The daily close: one pass over the cells (shrinkage, counts, days-policy reorders, stock),
    /// the forecast-driven reorders, the day's rows, then archiving and the invariant check.
    pub(super) fn close(&mut self, day: u32, now_ms: u64) -> Result<(), SimError> {
        let supplier_orders_before = self.ledger.supplier_orders();
        let totals = self.close_cells(day, now_ms)?;
        self.forecast_reorders(day, now_ms);
        let supplier_orders = self.ledger.supplier_orders() - supplier_orders_before;
        self.record_close(day, &totals, supplier_orders);
        self.days_closed = day + 1;
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

    // One pass over the cells does shrinkage, counts, reorders and stock KPIs: `w` indexes several tables.
    #[allow(clippy::needless_range_loop)]
    fn close_cells(&mut self, day: u32, now_ms: u64) -> Result<CloseTotals, SimError> {
        let (skus, warehouses) = (self.world.skus, self.world.warehouses);
        let r = &self.s.replenishment;
        let (rop_days, up_to_days) = (
            *r.reorder_point_days.get_ref(),
            *r.order_up_to_days.get_ref(),
        );
        let mut totals = CloseTotals {
            on_hand_units: 0,
            on_hand_by_warehouse: vec![0; warehouses],
            stockout_skus: 0,
            on_hand_value_cents: 0,
            top_on_hand: vec![0; self.top_skus.len()],
            top_reorder_points: vec![0.0; self.top_skus.len()],
        };
        for sku in 0..skus {
            let daily_units = self.demand.expected_daily_units[sku] / warehouses as f64;
            let mut free_anywhere = 0u64;
            let top = self.top_skus.iter().position(|&t| t as usize == sku);
            for w in 0..warehouses {
                let cell = sku * warehouses + w;
                let stock_multiplier = *self.s.warehouses[w].stock_multiplier.get_ref();
                let snapshot = self.shrink_and_count(cell, day, now_ms)?;
                totals.on_hand_units += snapshot.on_hand as u64;
                totals.on_hand_by_warehouse[w] += snapshot.on_hand as u64;
                self.sku_stock[sku].on_hand_unit_days += snapshot.on_hand as u64;
                totals.on_hand_value_cents += u128::from(snapshot.on_hand)
                    * u128::from(self.world.unit_price_cents[sku].get());
                let free = snapshot.free();
                free_anywhere += free as u64;
                let (reorder_point, order_units) = match self.world.sku_policy.get(&(sku as u32)) {
                    Some(&(point, quantity)) => (point as f64, quantity),
                    None => (
                        (daily_units * rop_days * stock_multiplier).ceil(),
                        // A supplier order is one receipt: at most MAX_MOVEMENT_UNITS, as
                        // under the forecast policies.
                        ((daily_units * up_to_days * stock_multiplier).ceil() - free as f64)
                            .clamp(1.0, constants::MAX_MOVEMENT_UNITS as f64)
                            as u32,
                    ),
                };
                if let Some(t) = top {
                    totals.top_on_hand[t] += snapshot.on_hand as u64;
                    totals.top_reorder_points[t] += reorder_point;
                }
                if self.replenisher.policy == PolicyKind::Days
                    && self.replenisher.on_order(cell) == 0
                    && (free as f64) < reorder_point
                {
                    self.order_from_supplier(sku as u32, w as u16, order_units, now_ms);
                }
            }
            totals.stockout_skus += (free_anywhere == 0) as u64;
            self.sku_stock[sku].stockout_days += (free_anywhere == 0) as u32;
        }
        Ok(totals)
    }

    /// A cell at the close: a unit may vanish from its shelf, and a cycle count finds what
    /// vanished; returns its stock after both.
    fn shrink_and_count(
        &mut self,
        cell: usize,
        day: u32,
        now_ms: u64,
    ) -> Result<CellSnapshot, SimError> {
        let warehouses = self.world.warehouses;
        let (sku_id, warehouse_id) = (
            SkuId((cell / warehouses) as u32),
            WarehouseId((cell % warehouses) as u16),
        );
        let shrink_rate = *self.s.accuracy.shrinkage_rate_per_day.get_ref();
        let count_every = *self.s.accuracy.cycle_count_days.get_ref() as usize;
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
                self.ledger.moved(Movement::Shrunk);
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
                self.ledger
                    .moved(Movement::FoundByCycleCount { units: take as u64 });
                snapshot = self
                    .engine
                    .cell_snapshot(sku_id, warehouse_id)
                    .expect("cell exists");
            }
        }
        Ok(snapshot)
    }

    /// The forecast policies' reorders of the day.
    fn forecast_reorders(&mut self, day: u32, now_ms: u64) {
        let warehouses = self.world.warehouses;
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
    }

    /// The day's rows: the top SKUs' stock, the day's stock figures, the warehouses' stock.
    fn record_close(&mut self, day: u32, totals: &CloseTotals, supplier_orders: u64) {
        for (t, &sku) in self.top_skus.iter().enumerate() {
            let (safety_stock_units, reorder_point_units) =
                match self.replenisher.sku_today(sku as usize) {
                    Some((safety, reorder_point)) => (Some(safety), reorder_point),
                    None => (None, totals.top_reorder_points[t]),
                };
            self.sku_daily.push(SkuDayRow {
                day,
                sku: self.engine.network().skus()[sku as usize].code.clone(),
                on_hand_units: totals.top_on_hand[t],
                safety_stock_units,
                reorder_point_units,
            });
        }
        // The day's holding cost is the rounded charge through today less the rounded charge
        // through yesterday, so the days add up to the run's one rounding to the cent.
        let charged_before = self.world.holding_cost(self.on_hand_value_cent_days);
        self.on_hand_value_cent_days += totals.on_hand_value_cents;
        let charged = self.world.holding_cost(self.on_hand_value_cent_days);
        let row = &mut self.daily[day as usize];
        row.on_hand_units = totals.on_hand_units;
        row.holding_cost_cents = Cents::new(charged.get().saturating_sub(charged_before.get()));
        row.supplier_orders = supplier_orders;
        row.safety_stock_units = self.replenisher.safety_stock_today_units();
        row.stockout_skus = totals.stockout_skus;
        self.ledger
            .day_closed(totals.on_hand_units, totals.stockout_skus);
        for (w, &units) in totals.on_hand_by_warehouse.iter().enumerate() {
            let stats = &mut self.warehouse_rows[w];
            stats.peak_on_hand_units = stats.peak_on_hand_units.max(units);
            self.warehouse_on_hand_unit_days[w] += units;
        }
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
            row.on_hand_units = totals.on_hand_by_warehouse[w];
        }
    }

    /// Hands the engine's events since the last call to the auditor, which then settles the
    /// orders whose fate is sealed.
    pub(super) fn drain_engine_events(&mut self) {
        for event in self.events.try_iter() {
            self.ledger.moved(Movement::EngineEvent);
            self.audit.engine(&event);
        }
        self.audit.settle();
    }
}
