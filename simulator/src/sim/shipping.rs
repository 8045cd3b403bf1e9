//! Paid shipments queue at their warehouse; at its cutoff they are picked (short picks where
//! shrinkage emptied the shelf), shipped within the day's capacity, and orders complete.

use qm_engine::*;
use rand::RngExt;

use super::clock::SimEvent;
use super::cost_bound::Destination;
use super::error::SimError;
use super::ledger::{Line, Movement, Shipped};
use super::metrics::*;
use super::state::*;
use crate::time::MS_PER_DAY;
use qm_reports::run::WarehouseDayRow;

impl Sim<'_> {
    pub(super) fn enqueue(&mut self, shipment: &ShipmentInfo, now_ms: u64) {
        let region = self.open.get(&shipment.id.order.0).map_or(0, |o| o.region);
        let distance_km = self.world.regions[region as usize]
            .distance_km(&self.world.warehouse_locations[shipment.warehouse.index()]);
        self.waiting[shipment.warehouse.index()].push_back(Queued {
            shipment: shipment.id,
            lines: shipment.lines,
            ready_at_ms: now_ms,
            cost_cents: shipment.quote.map_or(Cents::ZERO, |q| q.cost_cents),
            distance_km,
            transit_days: shipment.quote.map_or(3, |q| q.transit_days),
        });
    }

    pub(super) fn backorders_filled(&mut self, fills: &[BackorderFill], now_ms: u64) {
        for fill in fills {
            self.ledger.moved(Movement::BackorderFilled {
                units: fill.units as u64,
            });
            if let Some(id) = fill.shipment {
                let info = self
                    .engine
                    .order(id.order)
                    .and_then(|view| view.shipments.into_iter().find(|s| s.id == id));
                if let Some(info) = info {
                    self.enqueue(&info, now_ms);
                }
            }
        }
    }

    pub(super) fn cutoff(&mut self, w: usize, now_ms: u64) -> Result<(), SimError> {
        let capacity = self.world.capacity_lines[w] as u64;
        let mut used = 0u64;
        while let Some(next) = self.waiting[w].front() {
            if next.ready_at_ms > now_ms || (used > 0 && used + next.lines as u64 > capacity) {
                break;
            }
            let queued = self.waiting[w].pop_front().expect("front exists");
            if self.recorded.released.contains(&queued.shipment.order.0) {
                continue;
            }
            used += queued.lines as u64;
            self.ship(w, queued, now_ms)?;
        }
        let backlog: u64 = self.waiting[w]
            .iter()
            .filter(|q| q.ready_at_ms <= now_ms)
            .map(|q| q.lines as u64)
            .sum();
        let stats = &mut self.warehouse_rows[w];
        stats.peak_day_lines = stats.peak_day_lines.max(used);
        if backlog > 0 {
            stats.saturated_days += 1;
            self.ledger.moved(Movement::WarehouseSaturated);
        }
        let day = (now_ms / MS_PER_DAY) as u32;
        self.warehouse_daily.push(WarehouseDayRow {
            day,
            warehouse: self.s.warehouses[w].code.clone(),
            lines_shipped: used,
            capacity_lines: capacity as u32,
            backlog_lines: backlog,
            on_hand_units: 0,
        });
        Ok(())
    }

    pub(super) fn ship(&mut self, w: usize, queued: Queued, now_ms: u64) -> Result<(), SimError> {
        let id = queued.shipment;
        let order = id.order.0;
        let shrink_on = *self.s.accuracy.shrinkage_rate_per_day.get_ref() > 0.0;
        let returns_on = *self.s.returns.rate.get_ref() > 0.0;
        let rate = self.world.pick_error_rate[w];
        let pick_error = rate > 0.0 && self.rng_fulfil.random_bool(rate);
        let mut lines = self.engine.shipment_lines(id)?;
        if shrink_on {
            self.short_pick_shrunk(w, id, &mut lines, now_ms)?;
        }
        let shipped = self
            .latency
            .time(CallKind::Ship, || self.engine.ship(id, now_ms))?;
        let delivered_at_ms = now_ms + queued.transit_days as u64 * MS_PER_DAY;
        let Some(o) = self.open.get_mut(&order) else {
            return Err(SimError::Disagreement(format!(
                "shipped order {order}, which the simulator was not following"
            )));
        };
        o.last_delivery_ms = o.last_delivery_ms.max(delivered_at_ms);
        let (reship, region, at, express) = (o.reship, o.region, o.at, o.express);
        let mut units: Vec<Line> = Vec::new();
        let mut first = false;
        if !reship {
            units = lines.iter().map(|l| (l.sku.0, l.units)).collect();
            for line in &lines {
                o.shipped_by_line[line.line as usize] += line.units;
            }
            o.units_shipped += shipped.units as u32;
            first = !std::mem::replace(&mut o.shipped_any, true);
        }
        if self.s.cost_bound.is_some() {
            // A reshipment goes through the first channel, whatever its order's.
            let to = Destination {
                region,
                channel: if reship { 0 } else { at.channel },
                express,
            };
            let shipped_units = lines.iter().map(|l| (l.sku.0, l.units));
            self.shipped_log.record(order, to, shipped_units);
        }
        let recorded = Shipped {
            lines: queued.lines,
            units: &units,
            cost_cents: queued.cost_cents,
            distance_km: queued.distance_km,
            first,
        };
        self.ledger.shipment_shipped(at, w as u16, recorded);
        let mut error_line = None;
        if pick_error {
            if let Some(o) = self.open.get_mut(&order) {
                o.inaccurate = true;
            }
            self.ledger.pick_error(at, w as u16);
            if let Some(line) = lines.iter().find(|l| l.units > 0) {
                error_line = Some(line.line);
                let event = SimEvent::Reship {
                    order,
                    line: line.line,
                    sku: line.sku.0,
                    units: line.units,
                    region,
                    placed_day: at.day,
                    channel: at.channel,
                };
                self.schedule_for(order, delivered_at_ms + MS_PER_DAY, event);
            }
        }
        if returns_on && !reship {
            self.schedule_returns(order, &lines, error_line, delivered_at_ms);
        }
        if shipped.order_complete {
            self.complete(order, now_ms);
        }
        Ok(())
    }

    /// Lines the shelf cannot fill (hidden shrinkage at the cell) are short-picked: their units
    /// leave the shipment, and the order counts as oversold.
    fn short_pick_shrunk(
        &mut self,
        w: usize,
        id: ShipmentId,
        lines: &mut [ShipmentLine],
        now_ms: u64,
    ) -> Result<(), SimError> {
        let order = id.order.0;
        for line in lines.iter_mut() {
            let cell = line.sku.index() * self.world.warehouses + w;
            let hidden = self.hidden_shrink[cell];
            if hidden == 0 {
                continue;
            }
            let on_hand = self
                .engine
                .cell_snapshot(line.sku, WarehouseId(w as u16))
                .map_or(0, |c| c.on_hand);
            let shelf = on_hand.saturating_sub(hidden);
            let missing = line.units.saturating_sub(shelf);
            if missing == 0 {
                continue;
            }
            self.latency.time(CallKind::ShortPick, || {
                self.engine
                    .short_pick(id, line.line as usize, missing as i64, now_ms)
            })?;
            self.hidden_shrink[cell] -= missing;
            line.units -= missing;
            self.ledger.moved(Movement::ShortPicked {
                units: missing as u64,
            });
            // A customer order the shelf could not fill is oversold (once per order; its units every time).
            let customer = self
                .open
                .get_mut(&order)
                .filter(|o| !o.reship)
                .map(|o| (o.at, !std::mem::replace(&mut o.oversold, true)));
            match customer {
                Some((at, true)) => self.ledger.order_oversold(at, missing as u64),
                Some((at, false)) => self.ledger.more_oversold_units(at, missing as u64),
                None => {}
            }
        }
        Ok(())
    }

    /// Draws each shipped line's return (after the line a pick error replaces), and schedules it.
    fn schedule_returns(
        &mut self,
        order: u64,
        lines: &[ShipmentLine],
        error_line: Option<u16>,
        delivered_at_ms: u64,
    ) {
        let r = &self.s.returns;
        let (min, max) = (
            *r.delay_days_min.get_ref() as u64,
            *r.delay_days_max.get_ref() as u64,
        );
        for line in lines
            .iter()
            .filter(|l| l.units > 0 && Some(l.line) != error_line)
        {
            if self.rng_fulfil.random_bool(*r.rate.get_ref()) {
                let at = delivered_at_ms
                    + self
                        .rng_fulfil
                        .random_range(min * MS_PER_DAY..=max * MS_PER_DAY);
                let restock = self.rng_fulfil.random_bool(*r.restockable_share.get_ref());
                self.schedule_for(
                    order,
                    at,
                    SimEvent::Return {
                        order,
                        line: line.line,
                        units: line.units,
                        restock,
                    },
                );
            }
        }
    }

    /// Every unit of a customer order has shipped.
    pub(super) fn complete(&mut self, order: u64, now_ms: u64) {
        let Some(o) = self.open.remove(&order) else {
            return;
        };
        if o.reship || o.units_shipped < o.units_ordered {
            return;
        }
        if o.recorded != NO_RECORD && !o.lines_dropped {
            *self.recorded.complete_parts.entry(o.recorded).or_default() += 1;
        }
        let delivery_days = (o.last_delivery_ms - o.placed_at_ms) as f64 / MS_PER_DAY as f64;
        self.ledger
            .order_completed(o.at, now_ms - o.placed_at_ms, delivery_days, !o.inaccurate);
    }
}
