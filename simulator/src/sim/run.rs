//! Starting a run and its event loop: arrivals merged by time with the queued events.

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;

use qm_engine::*;
use rustc_hash::FxHashMap;

use super::audit::Audit;
use super::clock::{EventQueue, SimEvent};
use super::cost_bound::ShippedLog;
use super::error::SimError;
use super::ledger::{At, Ledger, Movement};
use super::metrics::*;
use super::replenisher::Replenisher;
use super::results::RunOutput;
use super::returns::WrongItem;
use super::state::*;
use super::streams::stream;
use super::world::build_engine;
use crate::demand::day::DayDemand;
use crate::demand::synthetic::DemandModel;
use crate::scenario::Scenario;
use crate::time::{MS_PER_DAY, MS_PER_HOUR};
use qm_reports::run::{DayRow, RunStatus, WarehouseRow, TOP_SKUS};

pub fn simulate(
    s: &Scenario,
    seed: u64,
    progress: &mut dyn FnMut(u32),
) -> Result<RunOutput, SimError> {
    simulate_until(s, seed, progress, &AtomicBool::new(false))
}

/// As [`simulate`], but stops after the first daily close that finds `stop` set (Ctrl-C in `qm`):
/// the output then covers the days closed and is marked failed ("interrupted").
pub fn simulate_until(
    s: &Scenario,
    seed: u64,
    progress: &mut dyn FnMut(u32),
    stop: &AtomicBool,
) -> Result<RunOutput, SimError> {
    let demand = DemandModel::new(s)?;
    let (mut engine, world) = build_engine(s, &demand, seed)?;
    let events = engine.subscribe();
    let days = *s.horizon.days.get_ref();
    let (skus, warehouses, channels) = (world.skus, world.warehouses, s.channels.len());
    let summary = Summary {
        scenario: s.name.clone(),
        seed,
        start_date: s.start_date().to_string(),
        days,
        ..Default::default()
    };
    let warehouse_rows = warehouse_rows(s);
    let top_skus = top_skus(&demand, skus);
    let peak_day: Vec<bool> = (0..days).map(|day| demand.is_peak(day)).collect();
    let daily = day_rows(&demand, days);
    let replenisher = Replenisher::new(
        s,
        skus,
        warehouses,
        |sku| world.lead_time_days[world.supplier_of[sku] as usize],
        &world.unit_price_cents,
        &demand,
    );
    let home_warehouse = home_warehouses(&world, s);
    let mut sim = Sim {
        s,
        engine,
        events,
        world,
        demand,
        rng_carts: stream(seed, "carts"),
        rng_fulfil: stream(seed, "fulfillment"),
        rng_stock: stream(seed, "stock"),
        queue: EventQueue::default(),
        open: FxHashMap::default(),
        pinned: FxHashMap::default(),
        waiting: (0..warehouses).map(|_| VecDeque::new()).collect(),
        view: vec![
            ViewEntry {
                units: 0,
                refreshed_at_ms: u64::MAX
            };
            channels * skus
        ],
        hidden_shrink: vec![0; skus * warehouses],
        replenisher,
        home_warehouse,
        next_reship: RESHIP_ORDER_BASE,
        next_rehold: REHOLD_ORDER_BASE,
        ledger: Ledger::new(peak_day, channels, skus, warehouses),
        audit: Audit::new(
            RESHIP_ORDER_BASE,
            skus * warehouses,
            warehouses,
            *s.replenishment.warmup_days.get_ref(),
        ),
        summary,
        daily,
        warehouse_daily: Vec::with_capacity(days as usize * warehouses),
        warehouse_rows,
        warehouse_on_hand_unit_days: vec![0; warehouses],
        sku_stock: vec![SkuStock::default(); skus],
        sku_daily: Vec::with_capacity(days as usize * top_skus.len()),
        top_skus,
        days_closed: 0,
        latency: LatencyRecorder::default(),
        on_hand_value_cent_days: 0,
        recorded: RecordedState::default(),
        shipped_log: ShippedLog::default(),
    };
    // A run that fails midway still reports what it measured up to the failure.
    let failure = sim.run(seed, progress, stop).err();
    let mut output = sim.finish();
    if let Some(error) = failure {
        output.data.status = RunStatus::Failed {
            days_completed: output.summary.days,
            message: with_causes(&error),
        };
    }
    Ok(output)
}

impl Sim<'_> {
    pub(super) fn run(
        &mut self,
        seed: u64,
        progress: &mut dyn FnMut(u32),
        stop: &AtomicBool,
    ) -> Result<(), SimError> {
        let days = *self.s.horizon.days.get_ref();
        let sweep_ms = (self.world.ttl_ms / 2).clamp(60_000, MS_PER_HOUR);
        self.schedule_calendar(days);
        let end_ms = days as u64 * MS_PER_DAY;
        let mut rng_demand = stream(seed, "demand");
        let mut today = DayDemand::default();
        let mut next_arrival = 0usize;
        let mut drawn_day = None;
        let mut next_order = 1u64;
        loop {
            let event_at = self.queue.next_at().unwrap_or(u64::MAX);
            let day = (event_at.min(end_ms) / MS_PER_DAY) as u32;
            if drawn_day != Some(day) && day < days && next_arrival >= today.orders.len() {
                self.demand.draw_day(day, &mut rng_demand, &mut today);
                drawn_day = Some(day);
                next_arrival = 0;
            }
            let arrival_at = today.orders.get(next_arrival).map_or(u64::MAX, |o| o.at_ms);
            // Queued events first at equal times: a sweep or cutoff at 10:00 sees the world before 10:00's customers.
            if arrival_at < event_at {
                let order = &today.orders[next_arrival];
                next_arrival += 1;
                self.arrival(
                    next_order,
                    order,
                    &today.lines[order.lines.start as usize..order.lines.end as usize],
                )?;
                next_order += 1;
                continue;
            }
            let Some((now_ms, event)) = self.queue.pop() else {
                break;
            };
            if now_ms >= end_ms {
                break;
            }
            match event {
                SimEvent::Sweep => {
                    self.sweep(now_ms);
                    if now_ms + sweep_ms < end_ms {
                        self.queue.push(now_ms + sweep_ms, SimEvent::Sweep);
                    }
                }
                SimEvent::Pay { order } => {
                    self.unpin(order);
                    self.pay(order, now_ms)?;
                }
                SimEvent::Cutoff { warehouse } => self.cutoff(warehouse as usize, now_ms)?,
                SimEvent::Return {
                    order,
                    line,
                    units,
                    restock,
                } => {
                    self.unpin(order);
                    let doing = || format!("return of order {order} line {line}");
                    self.return_units(order, line, units, restock, now_ms, doing)?;
                }
                SimEvent::Reship {
                    order,
                    line,
                    sku,
                    units,
                    region,
                    placed_day,
                    channel,
                } => {
                    self.unpin(order);
                    let at = At {
                        day: placed_day,
                        channel,
                    };
                    let wrong = WrongItem {
                        order,
                        line,
                        sku,
                        units,
                        region,
                        at,
                    };
                    self.reship(wrong, now_ms)?;
                }
                SimEvent::Receipt {
                    sku,
                    warehouse,
                    units,
                } => self.receipt(sku, warehouse, units, now_ms)?,
                SimEvent::Undo { index } => self.undo(index as usize, now_ms)?,
                SimEvent::WriteOff { sku, units } => self.write_off(sku, units, now_ms)?,
                SimEvent::Close { day } => {
                    self.close(day, now_ms)?;
                    progress(day);
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        return Err(SimError::Interrupted { day: day + 1, days });
                    }
                }
            }
        }
        Ok(())
    }

    /// Every day's cutoffs and close, the first sweep, and a recorded history's cancellations,
    /// returns and write-offs, queued before the run.
    fn schedule_calendar(&mut self, days: u32) {
        for day in 0..days {
            let start = day as u64 * MS_PER_DAY;
            for (w, &hour) in self.world.cutoff_hour.iter().enumerate() {
                self.queue.push(
                    start + hour as u64 * MS_PER_HOUR,
                    SimEvent::Cutoff {
                        warehouse: w as u16,
                    },
                );
            }
            self.queue
                .push(start + MS_PER_DAY - 1, SimEvent::Close { day });
        }
        self.queue.push(0, SimEvent::Sweep);
        if let Some(replay) = &self.demand.recorded {
            let r = &mut self.recorded;
            r.undos = replay.undos().collect();
            r.retries = vec![0; r.undos.len()];
            r.counted = vec![false; r.undos.len()];
            for (i, (at_ms, undo)) in r.undos.iter().enumerate() {
                r.undos_of.entry(undo.order).or_default().push(i as u32);
                self.queue.push(*at_ms, SimEvent::Undo { index: i as u32 });
            }
            for (at_ms, sku, units) in replay.write_offs() {
                self.queue.push(at_ms, SimEvent::WriteOff { sku, units });
            }
            self.ledger
                .history_placed(replay.orders_in_horizon, replay.additions.len() as u64);
        }
    }

    /// A supplier receipt: the stock arrives, it may fill backorders, and it ends the cell's
    /// replenishment cycle.
    fn receipt(
        &mut self,
        sku: u32,
        warehouse: u16,
        units: u32,
        now_ms: u64,
    ) -> Result<(), SimError> {
        let receipt = self.latency.time(CallKind::Receive, || {
            self.engine
                .receive(SkuId(sku), WarehouseId(warehouse), units as i64, now_ms)
        })?;
        let cell = sku as usize * self.world.warehouses + warehouse as usize;
        self.replenisher
            .received(cell, units as u64, (now_ms / MS_PER_DAY) as u32);
        self.ledger.moved(Movement::Received {
            units: units as u64,
        });
        self.backorders_filled(&receipt.filled, now_ms);
        Ok(())
    }

    /// Schedules an event about `order`, pinning the order's engine record until it runs.
    pub(super) fn schedule_for(&mut self, order: u64, at_ms: u64, event: SimEvent) {
        *self.pinned.entry(order).or_default() += 1;
        self.queue.push(at_ms, event);
    }

    pub(super) fn unpin(&mut self, order: u64) {
        if let Some(count) = self.pinned.get_mut(&order) {
            *count -= 1;
            if *count == 0 {
                self.pinned.remove(&order);
            }
        }
    }
}

/// An error's message followed by each of its causes, as `a: b: c`.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        message.push_str(": ");
        message.push_str(&next.to_string());
        cause = next.source();
    }
    message
}

/// One row per warehouse, its counts filled as the run goes.
fn warehouse_rows(s: &Scenario) -> Vec<WarehouseRow> {
    s.warehouses
        .iter()
        .map(|w| WarehouseRow {
            warehouse: w.code.clone(),
            capacity_lines_per_day: *w.capacity_lines_per_day.get_ref(),
            storage_capacity_units: w.storage_units(),
            ..Default::default()
        })
        .collect()
}

/// The SKUs with the most expected demand, the ones `sku_daily` follows.
fn top_skus(demand: &DemandModel, skus: usize) -> Vec<u32> {
    let mut top_skus: Vec<u32> = (0..skus as u32).collect();
    top_skus.sort_by(|&a, &b| {
        demand.expected_daily_units[b as usize]
            .total_cmp(&demand.expected_daily_units[a as usize])
            .then(a.cmp(&b))
    });
    top_skus.truncate(TOP_SKUS);
    top_skus
}

/// One row per day, its demand multiplier and events known before the run.
fn day_rows(demand: &DemandModel, days: u32) -> Vec<DayRow> {
    (0..days)
        .map(|day| {
            let (demand_multiplier, events) = demand.describe_day(day);
            DayRow {
                day,
                date: demand.date(day).to_string(),
                demand_multiplier,
                events,
                ..Default::default()
            }
        })
        .collect()
}

/// Per channel and customer region, the warehouse the channel asks first: its first warehouse
/// for `priority`, else the one nearest the region (ties to the lower id). A customer's units
/// count against that cell's service, and are the demand it forecasts.
fn home_warehouses(world: &World, s: &Scenario) -> Vec<u16> {
    let locations = &world.warehouse_locations;
    world
        .channel_warehouses
        .iter()
        .zip(&s.channels)
        .flat_map(|(allowed, channel)| {
            let priority = *channel.strategy.get_ref() == StrategyKind::Priority;
            world.regions.iter().map(move |region| {
                if priority {
                    // The channel's first warehouse is asked first, wherever the customer is.
                    return allowed.first().map_or(0, |w| w.0);
                }
                allowed
                    .iter()
                    .min_by(|a, b| {
                        let da = locations[a.0 as usize].distance_km(region);
                        let db = locations[b.0 as usize].distance_km(region);
                        da.total_cmp(&db).then(a.0.cmp(&b.0))
                    })
                    .map_or(0, |w| w.0)
            })
        })
        .collect()
}
