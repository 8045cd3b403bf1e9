//! The discrete-event loop: customer arrivals against each channel's (possibly stale) view of
//! stock, cart holds and payments, warehouse cutoffs within pick/pack capacity, pick errors
//! and shrinkage, deliveries and returns, supplier receipts and a daily close — in simulated
//! time, through the real engine.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use anyhow::{bail, Context, Result};
use qm_engine::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp, LogNormal, Normal};
use rustc_hash::FxHashMap;
use std::collections::VecDeque;

use crate::clock::{EventQueue, SimEvent, MS_PER_DAY, MS_PER_HOUR};
use crate::demand::{DayDemand, DemandModel};
use crate::demand_log::{RecordedUndo, Undo};
use crate::metrics::*;
use crate::replenishment::{CellState, Policy, Replenisher, SupplierOrder};
use crate::scenario::{split_policy, Scenario};
use qm_reports::run::{
    Bound, ChannelRow, DayRow, EventSpan, KpiValue, ProcessingBin, RunData, RunStatus, SkuDayRow,
    SkuRow, Target, WarehouseDayRow, WarehouseRow, PROCESSING_BIN_HOURS, PROCESSING_LAST_BIN_HOURS,
    TOP_SKUS,
};

/// Reshipments (after pick errors) get order ids from here up, apart from customer orders.
const RESHIP_ORDER_BASE: u64 = 1 << 48;
/// The most order records the engine pre-allocates; beyond this its slabs grow as needed.
const MAX_PREALLOCATED_ORDERS: usize = 2_000_000;

/// A generator for one named purpose, derived from the run's seed: adding a stream never shifts the others.
pub fn stream(seed: u64, name: &str) -> StdRng {
    // FNV-1a of the name, mixed with the seed.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    });
    StdRng::seed_from_u64(seed ^ hash)
}

/// Everything a run produced.
pub struct RunOutput {
    /// Deterministic KPIs.
    pub summary: Summary,
    /// Every table of the run, the summary included, for the reports.
    pub data: RunData,
}

impl RunOutput {
    /// Whether the run reached the end of its horizon.
    pub fn failure(&self) -> Option<&str> {
        match &self.data.status {
            RunStatus::Completed => None,
            RunStatus::Failed { message, .. } => Some(message),
        }
    }
}

/// Per-SKU counts over the run.
#[derive(Clone, Copy, Default)]
struct SkuTally {
    units_ordered: u64,
    units_shipped: u64,
    units_backordered: u64,
    lost_sales_units: u64,
    on_hand_unit_days: u64,
    stockout_days: u32,
}

/// What does not change during a run, indexed densely.
struct World {
    skus: usize,
    warehouses: usize,
    unit_price_cents: Vec<u64>,
    regions: Vec<GeoPoint>,
    warehouse_locations: Vec<GeoPoint>,
    channel_warehouses: Vec<Vec<WarehouseId>>,
    splits: Vec<SplitPolicy>,
    backorder_oversold: Vec<bool>,
    view_refresh_ms: Vec<u64>,
    capacity_lines: Vec<u32>,
    cutoff_hour: Vec<u32>,
    pick_error_rate: Vec<f64>,
    supplier_of: Vec<u16>,
    /// (mean, standard deviation) lead time per supplier, days.
    lead_time_days: Vec<(f64, f64)>,
    /// Per-SKU (reorder point, order quantity) in units, overriding the days-of-demand policy.
    sku_policy: FxHashMap<u32, (u32, u32)>,
    holding_rate_per_day: f64,
    ttl_ms: u64,
    express_days: u8,
}

/// An order the simulator follows until it ships complete or ends otherwise.
struct OpenOrder {
    placed_at_ms: u64,
    channel: u16,
    region: u16,
    units_ordered: u32,
    units_held: u32,
    units_shipped: u32,
    abandoned: bool,
    hold_expired: bool,
    shipped_any: bool,
    oversold: bool,
    inaccurate: bool,
    reship: bool,
    last_delivery_ms: u64,
    /// The recorded order it replays (`NO_RECORD` for synthetic demand).
    recorded: u32,
    /// Some recorded lines were not placed (the channel showed no stock).
    lines_dropped: bool,
}

const NO_RECORD: u32 = u32::MAX;
/// Days a recorded return waits for its line to ship before it is given up.
const UNDO_RETRY_DAYS: u8 = 30;

impl OpenOrder {
    /// An order just held at `now_ms`, nothing shipped yet.
    fn held(now_ms: u64, channel: u16, region: u16, units_ordered: u32, units_held: u64) -> Self {
        OpenOrder {
            placed_at_ms: now_ms,
            channel,
            region,
            units_ordered,
            units_held: units_held as u32,
            units_shipped: 0,
            abandoned: false,
            hold_expired: false,
            shipped_any: false,
            oversold: false,
            inaccurate: false,
            reship: false,
            last_delivery_ms: now_ms,
            recorded: NO_RECORD,
            lines_dropped: false,
        }
    }
}

/// A paid shipment waiting for its warehouse's cutoff.
struct Queued {
    shipment: ShipmentId,
    lines: u32,
    ready_at_ms: u64,
    cost_cents: u64,
    distance_km: f64,
    transit_days: u8,
}

/// A channel's last published stock figure for one SKU.
#[derive(Clone, Copy)]
struct ViewEntry {
    units: u32,
    refreshed_at_ms: u64,
}

struct Sim<'a> {
    s: &'a Scenario,
    engine: Engine,
    events: crossbeam_channel::Receiver<qm_engine::Event>,
    world: World,
    demand: DemandModel,
    rng_carts: StdRng,
    rng_fulfil: StdRng,
    rng_stock: StdRng,
    queue: EventQueue,
    open: FxHashMap<u64, OpenOrder>,
    /// Orders with events still to come (payment, return, reshipment): never archived.
    pinned: FxHashMap<u64, u32>,
    waiting: Vec<VecDeque<Queued>>,
    view: Vec<ViewEntry>,
    hidden_shrink: Vec<u32>,
    /// Forecasts, safety stock and forecast-driven reorders; demand per cell for calibration.
    replenisher: Replenisher,
    /// Per (channel, region): the channel's warehouse nearest the region, where lost demand
    /// is counted.
    home_warehouse: Vec<u16>,
    next_reship: u64,
    summary: Summary,
    daily: Vec<DayRow>,
    warehouse_daily: Vec<WarehouseDayRow>,
    warehouse_rows: Vec<WarehouseRow>,
    warehouse_on_hand_unit_days: Vec<u64>,
    channel_rows: Vec<ChannelRow>,
    sku_tally: Vec<SkuTally>,
    /// The SKUs with the most expected demand, whose daily stock the report charts.
    top_skus: Vec<u32>,
    sku_daily: Vec<SkuDayRow>,
    days_closed: u32,
    latency: LatencyRecorder,
    processing_ms: Vec<u64>,
    day_processing_ms: Vec<u64>,
    /// Whether each day is a peak day (an event raises demand).
    peak_day: Vec<bool>,
    /// Processing times of peak orders shipped complete.
    peak_processing_ms: Vec<u64>,
    delivery_days_total: f64,
    distance_km_total: f64,
    on_hand_value_total: f64,
    recorded: RecordedState,
}

/// What a replay of recorded demand tracks besides the synthetic loop's state.
#[derive(Default)]
struct RecordedState {
    /// Cancellations and returns with their simulated time, and how often each was retried.
    undos: Vec<(u64, RecordedUndo)>,
    retries: Vec<u8>,
    /// Units a not-yet-applied cancellation already counted against its order.
    counted: Vec<bool>,
    /// Undos by recorded order.
    undos_of: FxHashMap<u32, Vec<u32>>,
    /// (recorded order, recorded line) → (engine order id, engine line).
    placed_lines: FxHashMap<(u32, u32), (u64, u16)>,
    /// Units cancelled so far per engine order, before anything shipped.
    cancelled_units: FxHashMap<u64, u64>,
    /// Engine orders released by a recorded cancellation: their queued shipments are dropped.
    released: rustc_hash::FxHashSet<u64>,
    /// Parts shipped complete per recorded order.
    complete_parts: FxHashMap<u32, u32>,
}

/// The engine a scenario opens with under `seed` (network, channels, opening stock), and its
/// customer regions: the genesis that `qm engine` rebuilds and replays its journal onto.
pub fn opening_engine(s: &Scenario, seed: u64) -> Result<(Engine, Vec<GeoPoint>)> {
    let demand = DemandModel::new(s)?;
    let (engine, world) = build_engine(s, &demand, seed)?;
    Ok((engine, world.regions))
}

fn build_engine(s: &Scenario, demand: &DemandModel, seed: u64) -> Result<(Engine, World)> {
    let mut rng = stream(seed, "catalog");
    let codes = s.sku_codes();
    let lognormal = |median: f64, sigma: f64| {
        LogNormal::new(median.ln(), sigma).context("catalog distribution")
    };
    let (weight, price) = (
        lognormal(
            *s.catalog.unit_weight_grams.get_ref() as f64,
            *s.catalog.weight_sigma.get_ref(),
        )?,
        lognormal(
            *s.catalog.unit_price_cents.get_ref() as f64,
            *s.catalog.price_sigma.get_ref(),
        )?,
    );
    let mut catalog: Vec<Sku> = if s.is_recorded() {
        Vec::new()
    } else if s.skus.is_empty() {
        codes
            .into_iter()
            .map(|code| Sku {
                code,
                unit_weight_grams: (weight.sample(&mut rng).round() as u32).max(1),
                unit_price_cents: (price.sample(&mut rng).round() as u64).max(1),
            })
            .collect()
    } else {
        s.skus
            .iter()
            .map(|k| Sku {
                code: k.code.clone(),
                unit_weight_grams: k.unit_weight_grams,
                unit_price_cents: k.unit_price_cents,
            })
            .collect()
    };
    let point =
        |lat: f64, lon: f64, what: &str| GeoPoint::new(lat, lon).with_context(|| what.to_string());
    let warehouses = s
        .warehouses
        .iter()
        .map(|w| {
            Ok(Warehouse {
                code: w.code.clone(),
                location: point(
                    *w.latitude_deg.get_ref(),
                    *w.longitude_deg.get_ref(),
                    &w.code,
                )?,
                capacity_lines_per_day: *w.capacity_lines_per_day.get_ref(),
                storage_capacity_units: w.storage_capacity_units.unwrap_or(u64::MAX),
                cutoff_hour: *w.cutoff_hour.get_ref() as u8,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let band = |max_distance_km, base_cents, per_kg_cents, transit_days| RateBand {
        max_distance_km,
        base_cents,
        per_kg_cents,
        transit_days,
    };
    let carriers = if s.fulfillment.carriers.is_empty() {
        vec![Carrier {
            code: "GROUND".into(),
            bands: vec![
                band(500.0, 500, 50, 2),
                band(2_000.0, 800, 80, 4),
                band(20_100.0, 1_500, 150, 7),
            ],
        }]
    } else {
        s.fulfillment
            .carriers
            .iter()
            .map(|c| Carrier {
                code: c.code.clone(),
                bands: c
                    .bands
                    .iter()
                    .map(|b| {
                        band(
                            *b.max_distance_km.get_ref(),
                            b.base_cents,
                            b.per_kg_cents,
                            *b.transit_days.get_ref() as u8,
                        )
                    })
                    .collect(),
            })
            .collect()
    };
    if let Some(replay) = &demand.recorded {
        if !s.skus.is_empty() {
            catalog.extend(s.skus.iter().map(|k| Sku {
                code: k.code.clone(),
                unit_weight_grams: k.unit_weight_grams,
                unit_price_cents: k.unit_price_cents,
            }));
        }
        // SKUs only the history knows: the catalog's default weight, the recorded median price.
        let default_price = *s.catalog.unit_price_cents.get_ref();
        catalog.extend(replay.additions.iter().map(|(code, price)| Sku {
            code: code.clone(),
            unit_weight_grams: *s.catalog.unit_weight_grams.get_ref(),
            unit_price_cents: if *price > 0 { *price } else { default_price },
        }));
    }
    let unit_price_cents = catalog.iter().map(|k| k.unit_price_cents).collect();
    let warehouse_locations = warehouses.iter().map(|w| w.location).collect();
    let network = Network::new(catalog, warehouses, carriers)?;
    let channel_warehouses: Vec<Vec<WarehouseId>> = s
        .channels
        .iter()
        .map(|c| {
            c.warehouses
                .iter()
                .map(|w| network.warehouse_id(w.get_ref()).expect("validated"))
                .collect()
        })
        .collect();
    let channels = s
        .channels
        .iter()
        .zip(&channel_warehouses)
        .map(|(c, served)| ChannelConfig {
            code: c.code.clone(),
            warehouses: served.clone(),
            buffer: match &c.buffer_percent {
                Some(percent) => {
                    Buffer::BasisPointsOfOnHand((percent.get_ref() * 100.0).round() as u32)
                }
                None if c.buffer_units > 0 => Buffer::Units(c.buffer_units),
                None => Buffer::None,
            },
            buffer_overrides: vec![],
            strategy: StrategyKind::from_name(c.strategy.get_ref()).expect("validated"),
            capacity_aware: c.capacity_aware,
        })
        .collect();
    let days = *s.horizon.days.get_ref();
    let expected_orders: f64 = (0..days)
        .map(|d| demand.expected_orders(d))
        .map(|(all, extra)| all + extra.iter().sum::<f64>())
        .sum();
    let expected_open_orders =
        ((expected_orders * 1.05) as usize + 1_000).min(MAX_PREALLOCATED_ORDERS);
    let mut engine = Engine::new(EngineConfig {
        network,
        channels,
        expected_open_orders,
    })?;

    let (skus, warehouse_count) = (demand.expected_daily_units.len(), s.warehouses.len());
    let cover = *s.initial_stock.days_of_cover.get_ref();
    let mut opening: Vec<i64> = demand
        .expected_daily_units
        .iter()
        .flat_map(|daily| {
            s.warehouses.iter().map(move |w| {
                (daily * cover * w.stock_multiplier.get_ref() / warehouse_count as f64).ceil()
                    as i64
            })
        })
        .collect();
    for cell in &s.initial_stock.cells {
        let sku = engine
            .network()
            .sku_id(cell.sku.get_ref())
            .expect("validated");
        let warehouse = engine
            .network()
            .warehouse_id(cell.warehouse.get_ref())
            .expect("validated");
        opening[sku.index() * warehouse_count + warehouse.index()] = *cell.units.get_ref();
    }
    for (cell, &units) in opening.iter().enumerate() {
        if units > 0 {
            engine.seed_stock(
                SkuId((cell / warehouse_count) as u32),
                WarehouseId((cell % warehouse_count) as u16),
                units,
            )?;
        }
    }

    let suppliers = &s.replenishment.suppliers;
    let (supplier_of, lead_time_days) = if suppliers.is_empty() {
        (vec![0; skus], vec![(3.0, 0.0)])
    } else {
        let pick =
            rand::distr::weighted::WeightedIndex::new(suppliers.iter().map(|p| *p.share.get_ref()))
                .context("replenishment.suppliers[].share")?;
        let of = (0..skus).map(|_| pick.sample(&mut rng) as u16).collect();
        (
            of,
            suppliers
                .iter()
                .map(|p| (*p.lead_time_days.get_ref(), *p.lead_time_std_days.get_ref()))
                .collect(),
        )
    };
    let global_pick_error = *s.accuracy.pick_error_rate.get_ref();
    let sku_policy = s
        .replenishment
        .skus
        .iter()
        .map(|p| {
            (
                engine
                    .network()
                    .sku_id(p.sku.get_ref())
                    .expect("validated")
                    .0,
                (p.reorder_point_units, *p.order_quantity_units.get_ref()),
            )
        })
        .collect();
    let world = World {
        skus,
        warehouses: warehouse_count,
        unit_price_cents,
        regions: s
            .customers
            .iter()
            .map(|r| {
                point(
                    *r.latitude_deg.get_ref(),
                    *r.longitude_deg.get_ref(),
                    &r.name,
                )
            })
            .collect::<Result<_>>()?,
        warehouse_locations,
        channel_warehouses,
        splits: s
            .channels
            .iter()
            .map(|c| split_policy(c.split.get_ref()).expect("validated"))
            .collect(),
        backorder_oversold: s
            .channels
            .iter()
            .map(|c| c.oversold.get_ref() == "backorder")
            .collect(),
        view_refresh_ms: s
            .channels
            .iter()
            .map(|c| *c.view_refresh_minutes.get_ref() as u64 * 60_000)
            .collect(),
        capacity_lines: s
            .warehouses
            .iter()
            .map(|w| *w.capacity_lines_per_day.get_ref())
            .collect(),
        cutoff_hour: s
            .warehouses
            .iter()
            .map(|w| *w.cutoff_hour.get_ref())
            .collect(),
        pick_error_rate: s
            .warehouses
            .iter()
            .map(|w| {
                w.pick_error_rate
                    .as_ref()
                    .map_or(global_pick_error, |r| *r.get_ref())
            })
            .collect(),
        supplier_of,
        lead_time_days,
        sku_policy,
        holding_rate_per_day: *s.catalog.holding_cost_rate_per_year.get_ref() / 365.0,
        ttl_ms: *s.carts.hold_ttl_minutes.get_ref() as u64 * 60_000,
        express_days: *s.demand.express_transit_days.get_ref() as u8,
    };
    Ok((engine, world))
}

/// Runs a scenario with `seed` and returns its KPIs. `progress` hears of each day closed.
pub fn simulate(s: &Scenario, seed: u64, progress: &mut dyn FnMut(u32)) -> Result<RunOutput> {
    simulate_until(s, seed, progress, &AtomicBool::new(false))
}

/// As [`simulate`], but stops after the first daily close that finds `stop` set (Ctrl-C in `qm`):
/// the output then covers the days closed and is marked failed ("interrupted").
pub fn simulate_until(
    s: &Scenario,
    seed: u64,
    progress: &mut dyn FnMut(u32),
    stop: &AtomicBool,
) -> Result<RunOutput> {
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
    let warehouse_rows = s
        .warehouses
        .iter()
        .map(|w| WarehouseRow {
            warehouse: w.code.clone(),
            capacity_lines_per_day: *w.capacity_lines_per_day.get_ref(),
            storage_capacity_units: w.storage_capacity_units,
            ..Default::default()
        })
        .collect();
    let channel_rows = s
        .channels
        .iter()
        .map(|c| ChannelRow {
            channel: c.code.clone(),
            strategy: c.strategy.get_ref().clone(),
            ..Default::default()
        })
        .collect();
    let mut top_skus: Vec<u32> = (0..skus as u32).collect();
    top_skus.sort_by(|&a, &b| {
        demand.expected_daily_units[b as usize]
            .total_cmp(&demand.expected_daily_units[a as usize])
            .then(a.cmp(&b))
    });
    top_skus.truncate(TOP_SKUS);
    let peak_day: Vec<bool> = (0..days).map(|day| demand.is_peak(day)).collect();
    let daily = (0..days)
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
        .collect();
    let replenisher = Replenisher::new(
        s,
        skus,
        warehouses,
        |sku| world.lead_time_days[world.supplier_of[sku] as usize],
        &world.unit_price_cents,
        &demand,
    );
    let locations = &world.warehouse_locations;
    let home_warehouse = world
        .channel_warehouses
        .iter()
        .flat_map(|allowed| {
            world.regions.iter().map(move |region| {
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
        .collect();
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
        summary,
        daily,
        warehouse_daily: Vec::with_capacity(days as usize * warehouses),
        warehouse_rows,
        warehouse_on_hand_unit_days: vec![0; warehouses],
        channel_rows,
        sku_tally: vec![SkuTally::default(); skus],
        sku_daily: Vec::with_capacity(days as usize * top_skus.len()),
        top_skus,
        days_closed: 0,
        latency: LatencyRecorder::default(),
        processing_ms: Vec::new(),
        day_processing_ms: Vec::new(),
        peak_day,
        peak_processing_ms: Vec::new(),
        delivery_days_total: 0.0,
        distance_km_total: 0.0,
        on_hand_value_total: 0.0,
        recorded: RecordedState::default(),
    };
    // A run that fails midway still reports what it measured up to the failure.
    let failure = sim.run(seed, progress, stop).err();
    let mut output = sim.finish();
    if let Some(error) = failure {
        output.data.status = RunStatus::Failed {
            days_completed: output.summary.days,
            message: format!("{error:#}"),
        };
    }
    Ok(output)
}

impl Sim<'_> {
    fn run(&mut self, seed: u64, progress: &mut dyn FnMut(u32), stop: &AtomicBool) -> Result<()> {
        let days = *self.s.horizon.days.get_ref();
        let sweep_ms = (self.world.ttl_ms / 2).clamp(60_000, MS_PER_HOUR);
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
            self.summary.recorded_orders = replay.orders_in_horizon;
            self.summary.recorded_skus_added = replay.additions.len() as u64;
        }
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
                    let disposition = if restock {
                        Disposition::Restock
                    } else {
                        Disposition::Scrap
                    };
                    let outcome = self.latency.time(CallKind::RestockReturn, || {
                        self.engine.restock_return(
                            OrderId(order),
                            line as usize,
                            units as i64,
                            disposition,
                            now_ms,
                        )
                    });
                    let outcome =
                        outcome.with_context(|| format!("return of order {order} line {line}"))?;
                    self.summary.units_returned += units as u64;
                    if restock {
                        self.summary.units_restocked += units as u64;
                    }
                    self.backorders_filled(&outcome.filled, now_ms);
                }
                SimEvent::Reship {
                    order,
                    line,
                    sku,
                    units,
                    region,
                } => {
                    self.unpin(order);
                    self.reship(order, line, sku, units, region, now_ms)?;
                }
                SimEvent::Receipt {
                    sku,
                    warehouse,
                    units,
                } => {
                    let receipt = self.latency.time(CallKind::Receive, || {
                        self.engine.receive(
                            SkuId(sku),
                            WarehouseId(warehouse),
                            units as i64,
                            now_ms,
                        )
                    })?;
                    let cell = sku as usize * self.world.warehouses + warehouse as usize;
                    self.replenisher
                        .received(cell, units as u64, (now_ms / MS_PER_DAY) as u32);
                    self.summary.units_received += units as u64;
                    self.backorders_filled(&receipt.filled, now_ms);
                }
                SimEvent::Undo { index } => self.undo(index as usize, now_ms)?,
                SimEvent::WriteOff { sku, units } => self.write_off(sku, units, now_ms)?,
                SimEvent::Close { day } => {
                    self.close(day, now_ms)?;
                    progress(day);
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        bail!("interrupted after day {} of {days}", day + 1);
                    }
                }
            }
        }
        Ok(())
    }

    /// Schedules an event about `order`, pinning the order's engine record until it runs.
    fn schedule_for(&mut self, order: u64, at_ms: u64, event: SimEvent) {
        *self.pinned.entry(order).or_default() += 1;
        self.queue.push(at_ms, event);
    }

    fn unpin(&mut self, order: u64) {
        if let Some(count) = self.pinned.get_mut(&order) {
            *count -= 1;
            if *count == 0 {
                self.pinned.remove(&order);
            }
        }
    }

    /// The stock figure channel `channel` shows for `sku` now: live, or as of its last refresh.
    fn shown(&mut self, channel: u16, sku: u32, now_ms: u64) -> u32 {
        let refresh_ms = self.world.view_refresh_ms[channel as usize];
        let live = |engine: &Engine, served: &[WarehouseId]| -> u32 {
            served
                .iter()
                .map(|&w| {
                    engine
                        .available_to_promise(ChannelId(channel), SkuId(sku), w)
                        .unwrap_or(0)
                })
                .sum()
        };
        if refresh_ms == 0 {
            return live(
                &self.engine,
                &self.world.channel_warehouses[channel as usize],
            );
        }
        // Refreshed lazily: the first look after a refresh falls due reads the engine.
        let entry = &mut self.view[channel as usize * self.world.skus + sku as usize];
        if entry.refreshed_at_ms == u64::MAX || now_ms - entry.refreshed_at_ms >= refresh_ms {
            *entry = ViewEntry {
                units: live(
                    &self.engine,
                    &self.world.channel_warehouses[channel as usize],
                ),
                refreshed_at_ms: now_ms,
            };
        }
        entry.units
    }

    /// Whether free stock plus units held in carts would have covered `units` of `sku` on `channel`.
    fn lost_to_holds(&self, channel: u16, sku: u32, units: u32) -> bool {
        let mut could = 0u64;
        for &w in &self.world.channel_warehouses[channel as usize] {
            let atp = self
                .engine
                .available_to_promise(ChannelId(channel), SkuId(sku), w)
                .unwrap_or(0) as u64;
            let held = self
                .engine
                .cell_snapshot(SkuId(sku), w)
                .map_or(0, |c| c.reserved as u64);
            could += atp + held;
        }
        could >= units as u64
    }

    fn lose(&mut self, channel: u16, region: u16, sku: u32, units: u32, day: usize) {
        let home =
            self.home_warehouse[channel as usize * self.world.regions.len() + region as usize];
        self.replenisher.short(
            sku as usize * self.world.warehouses + home as usize,
            units as u64,
        );
        self.summary.lost_sales_units += units as u64;
        self.daily[day].lost_sales_units += units as u64;
        self.sku_tally[sku as usize].lost_sales_units += units as u64;
        if self.lost_to_holds(channel, sku, units) {
            self.summary.lost_sales_units_to_holds += units as u64;
        }
    }

    fn arrival(
        &mut self,
        id: u64,
        draft: &crate::demand::DraftOrder,
        lines: &[(u32, u32)],
    ) -> Result<()> {
        let now_ms = draft.at_ms;
        let day = (now_ms / MS_PER_DAY) as usize;
        let channel = draft.channel;
        let mut order_lines: Vec<OrderLine> = Vec::with_capacity(lines.len());
        let mut kept: Vec<u16> = Vec::with_capacity(lines.len());
        for (i, &(sku, units)) in lines.iter().enumerate() {
            if self.shown(channel, sku, now_ms) >= units {
                order_lines.push(OrderLine {
                    sku: SkuId(sku),
                    quantity: units as i64,
                });
                kept.push(i as u16);
            } else {
                self.summary.lost_sales_units_not_shown += units as u64;
                if self.peak_day[day] {
                    self.summary.peak_lost_sales_units_not_shown += units as u64;
                }
                self.channel_rows[channel as usize].lost_sales_units_not_shown += units as u64;
                self.lose(channel, draft.region, sku, units, day);
            }
        }
        if order_lines.is_empty() {
            return Ok(());
        }
        let units: u32 = order_lines.iter().map(|l| l.quantity as u32).sum();
        self.summary.orders_placed += 1;
        self.summary.units_ordered += units as u64;
        let channel_row = &mut self.channel_rows[channel as usize];
        channel_row.orders_placed += 1;
        channel_row.units_ordered += units as u64;
        for line in &order_lines {
            self.sku_tally[line.sku.index()].units_ordered += line.quantity as u64;
        }
        self.daily[day].orders_placed += 1;
        self.daily[day].units_ordered += units as u64;
        self.summary.orders_to_ship += 1;
        self.summary.units_to_ship += units as u64;
        self.channel_rows[channel as usize].orders_to_ship += 1;
        self.channel_rows[channel as usize].units_to_ship += units as u64;
        if self.peak_day[day] {
            self.summary.peak_orders_placed += 1;
            self.summary.peak_orders_to_ship += 1;
            self.summary.peak_units_ordered += units as u64;
            self.summary.peak_units_to_ship += units as u64;
        }
        let service = if draft.express {
            ServiceLevel::Express {
                max_transit_days: self.world.express_days,
            }
        } else {
            ServiceLevel::Standard
        };
        let mut request = ReserveRequest {
            order: Order {
                id: OrderId(id),
                channel: ChannelId(channel),
                placed_at_ms: now_ms,
                ship_to: self.world.regions[draft.region as usize],
                service,
                lines: order_lines,
            },
            split: self.world.splits[channel as usize],
            hold_ttl_ms: self.world.ttl_ms,
        };
        let mut outcome = self
            .latency
            .time(CallKind::Reserve, || self.engine.reserve(&request, now_ms))?;
        self.latency.reserved_lines(request.order.lines.len());
        let mut oversold_units = 0u64;
        if matches!(outcome, ReserveOutcome::Rejected(_)) {
            // The channel showed stock for every line: an oversell.
            oversold_units = units as u64;
            if self.world.backorder_oversold[channel as usize]
                && request.split != SplitPolicy::PartialWithBackorder
            {
                request.split = SplitPolicy::PartialWithBackorder;
                outcome = self
                    .latency
                    .time(CallKind::Reserve, || self.engine.reserve(&request, now_ms))?;
                self.latency.reserved_lines(request.order.lines.len());
            }
        }
        let hold = match outcome {
            ReserveOutcome::Held(hold) => hold,
            ReserveOutcome::Rejected(_) => {
                self.count_oversold(channel, units as u64, day);
                self.summary.orders_cancelled_oversold += 1;
                for line in &request.order.lines {
                    self.lose(channel, draft.region, line.sku.0, line.quantity as u32, day);
                }
                return Ok(());
            }
        };
        let warehouses = self.world.warehouses;
        for pick in &hold.picks {
            let sku = request.order.lines[pick.line as usize].sku.0 as usize;
            self.replenisher.served(
                sku * warehouses + pick.warehouse.0 as usize,
                pick.units as u64,
            );
        }
        for short in &hold.backorders {
            let sku = request.order.lines[short.line as usize].sku.0 as usize;
            self.sku_tally[sku].units_backordered += short.units as u64;
            self.replenisher.short(
                sku * warehouses + short.warehouse.0 as usize,
                short.units as u64,
            );
        }
        let backordered = hold.units_backordered();
        if backordered > 0 {
            self.summary.orders_backordered += 1;
            self.summary.units_backordered += backordered;
            self.daily[day].units_backordered += backordered;
            oversold_units = oversold_units.max(backordered);
        }
        if oversold_units > 0 {
            self.count_oversold(channel, oversold_units, day);
        }
        self.summary.orders_held += 1;
        let abandoned = self
            .rng_carts
            .random_bool(*self.s.carts.abandonment_rate.get_ref());
        let open = OpenOrder {
            abandoned,
            oversold: oversold_units > 0,
            recorded: draft.recorded.map_or(NO_RECORD, |(order, _)| order),
            lines_dropped: kept.len() < lines.len(),
            ..OpenOrder::held(now_ms, channel, draft.region, units, hold.units_held())
        };
        if let Some((recorded, first_line)) = draft.recorded {
            self.place_recorded_lines(id, recorded, first_line, &kept);
        }
        self.open.insert(id, open);
        if abandoned {
            self.summary.orders_abandoned += 1;
            self.walked_away(id);
        } else {
            let mean_minutes = *self.s.carts.minutes_to_pay.get_ref();
            let wait_ms = if mean_minutes > 0.0 {
                Exp::new(1.0 / mean_minutes)
                    .expect("rate > 0")
                    .sample(&mut self.rng_carts)
                    * 60_000.0
            } else {
                0.0
            };
            self.schedule_for(id, now_ms + wait_ms as u64, SimEvent::Pay { order: id });
        }
        Ok(())
    }

    /// Remembers where the recorded lines of a held part went, for their later cancellations
    /// and returns, and keeps the engine record until those have run.
    fn place_recorded_lines(&mut self, id: u64, recorded: u32, first_line: u32, kept: &[u16]) {
        let Some(undos) = self.recorded.undos_of.get(&recorded) else {
            return;
        };
        for (engine_line, &part_line) in kept.iter().enumerate() {
            self.recorded.placed_lines.insert(
                (recorded, first_line + part_line as u32),
                (id, engine_line as u16),
            );
        }
        let pins = undos
            .iter()
            .filter(|&&u| {
                self.recorded
                    .placed_lines
                    .get(&(recorded, self.recorded.undos[u as usize].1.line))
                    .is_some_and(|p| p.0 == id)
            })
            .count() as u32;
        if pins > 0 {
            *self.pinned.entry(id).or_default() += pins;
        }
    }

    /// A recorded cancellation or return: releases the order if nothing has shipped and every
    /// open unit is cancelled; otherwise returns the units once they have shipped.
    fn undo(&mut self, index: usize, now_ms: u64) -> Result<()> {
        let (_, undo) = self.recorded.undos[index];
        let Some(&(id, line)) = self.recorded.placed_lines.get(&(undo.order, undo.line)) else {
            self.summary.recorded_undos_unapplied += 1;
            return Ok(());
        };
        let view = self.engine.order(OrderId(id));
        let done = |sim: &mut Self, counter: fn(&mut Summary) -> &mut u64| {
            *counter(&mut sim.summary) += 1;
            sim.unpin(id);
        };
        let Some(view) = view else {
            done(self, |k| &mut k.recorded_undos_unapplied);
            return Ok(());
        };
        let unshipped = view.units_shipped == 0
            && matches!(view.status, OrderStatus::Held | OrderStatus::Confirmed);
        if undo.kind == Undo::Cancellation && unshipped {
            if !self.recorded.counted[index] {
                self.recorded.counted[index] = true;
                *self.recorded.cancelled_units.entry(id).or_default() += undo.units as u64;
            }
            if self.recorded.cancelled_units[&id] >= view.units_open {
                let released = self.latency.time(CallKind::Release, || {
                    self.engine
                        .release(OrderId(id), ReleaseReason::Cancelled, now_ms)
                });
                if released.is_ok() {
                    self.recorded.released.insert(id);
                    self.open.remove(&id);
                    done(self, |k| &mut k.recorded_cancellations_released);
                    return Ok(());
                }
            }
        } else {
            let outcome = self.latency.time(CallKind::RestockReturn, || {
                self.engine.restock_return(
                    OrderId(id),
                    line as usize,
                    undo.units as i64,
                    Disposition::Restock,
                    now_ms,
                )
            });
            if let Ok(outcome) = outcome {
                self.summary.units_returned += undo.units as u64;
                self.summary.units_restocked += undo.units as u64;
                self.backorders_filled(&outcome.filled, now_ms);
                done(self, |k| &mut k.recorded_undos_returned);
                return Ok(());
            }
        }
        // Not shipped yet (or only partly cancelled): try again tomorrow, for a while.
        if self.recorded.retries[index] < UNDO_RETRY_DAYS {
            self.recorded.retries[index] += 1;
            self.queue.push(
                now_ms + MS_PER_DAY,
                SimEvent::Undo {
                    index: index as u32,
                },
            );
        } else {
            done(self, |k| &mut k.recorded_undos_unapplied);
        }
        Ok(())
    }

    /// Recorded stock written off: taken from the warehouse with the most free units of the SKU.
    fn write_off(&mut self, sku: u32, units: u32, now_ms: u64) -> Result<()> {
        let best = (0..self.world.warehouses)
            .map(|w| {
                let free = self
                    .engine
                    .cell_snapshot(SkuId(sku), WarehouseId(w as u16))
                    .map_or(0, |c| c.free());
                (free, std::cmp::Reverse(w))
            })
            .max();
        let Some((free, std::cmp::Reverse(w))) = best else {
            return Ok(());
        };
        let units = units.min(free);
        if units == 0 {
            return Ok(());
        }
        self.latency.time(CallKind::Adjust, || {
            self.engine.adjust(
                SkuId(sku),
                WarehouseId(w as u16),
                -(units as i64),
                AdjustReason::Damaged,
                now_ms,
            )
        })?;
        self.summary.recorded_write_off_units += units as u64;
        Ok(())
    }

    fn count_oversold(&mut self, channel: u16, units: u64, day: usize) {
        self.summary.orders_oversold += 1;
        self.summary.oversold_units += units;
        self.channel_rows[channel as usize].orders_oversold += 1;
        self.channel_rows[channel as usize].oversold_units += units;
        self.daily[day].orders_oversold += 1;
        self.daily[day].oversold_units += units;
    }

    fn expired_unit_hours(&mut self, order: u64) {
        let ttl_hours = self.world.ttl_ms as f64 / MS_PER_HOUR as f64;
        if let Some(o) = self.open.get_mut(&order) {
            if !o.hold_expired {
                o.hold_expired = true;
                self.summary.held_but_abandoned_unit_hours += o.units_held as f64 * ttl_hours;
            }
        }
    }

    fn sweep(&mut self, now_ms: u64) {
        let expired = self
            .latency
            .time(CallKind::ExpireHolds, || self.engine.expire_holds(now_ms));
        for hold in expired {
            self.expired_unit_hours(hold.order.0);
            if self.open.get(&hold.order.0).is_some_and(|o| o.abandoned) {
                self.open.remove(&hold.order.0);
            }
        }
    }

    fn pay(&mut self, order: u64, now_ms: u64) -> Result<()> {
        if self
            .rng_carts
            .random_bool(*self.s.carts.payment_failure_rate.get_ref())
        {
            let released = self.latency.time(CallKind::Release, || {
                self.engine
                    .release(OrderId(order), ReleaseReason::PaymentFailed, now_ms)
            });
            match released {
                Ok(_) => {
                    self.summary.orders_payment_failed += 1;
                    self.walked_away(order);
                }
                Err(OrderError::HoldExpired { .. }) => {
                    self.expired_unit_hours(order);
                    self.summary.orders_lost_hold_expired += 1;
                }
                Err(e) => bail!("the engine refused to release order {order}: {e}"),
            }
            self.open.remove(&order);
            return Ok(());
        }
        match self.latency.time(CallKind::Confirm, || {
            self.engine.confirm(OrderId(order), now_ms)
        }) {
            Ok(confirmation) => {
                self.summary.orders_confirmed += 1;
                self.summary.split_shipment_rate +=
                    (confirmation.shipments.len() > 1) as u64 as f64;
                for shipment in &confirmation.shipments {
                    self.enqueue(shipment, now_ms);
                }
            }
            Err(OrderError::HoldExpired { .. }) => {
                self.expired_unit_hours(order);
                self.summary.orders_lost_hold_expired += 1;
                self.open.remove(&order);
            }
            Err(e) => bail!("the engine refused a payment the simulator believed valid: {e}"),
        }
        Ok(())
    }

    fn enqueue(&mut self, shipment: &ShipmentInfo, now_ms: u64) {
        let region = self.open.get(&shipment.id.order.0).map_or(0, |o| o.region);
        let distance_km = self.world.regions[region as usize]
            .distance_km(&self.world.warehouse_locations[shipment.warehouse.index()]);
        self.waiting[shipment.warehouse.index()].push_back(Queued {
            shipment: shipment.id,
            lines: shipment.lines,
            ready_at_ms: now_ms,
            cost_cents: shipment.quote.map_or(0, |q| q.cost_cents),
            distance_km,
            transit_days: shipment.quote.map_or(3, |q| q.transit_days),
        });
    }

    fn backorders_filled(&mut self, fills: &[BackorderFill], now_ms: u64) {
        for fill in fills {
            self.summary.backorder_units_filled += fill.units as u64;
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

    fn cutoff(&mut self, w: usize, now_ms: u64) -> Result<()> {
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
        stats.lines_shipped += used;
        stats.peak_day_lines = stats.peak_day_lines.max(used);
        if backlog > 0 {
            stats.saturated_days += 1;
            self.summary.capacity_saturated_warehouse_days += 1;
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

    fn ship(&mut self, w: usize, queued: Queued, now_ms: u64) -> Result<()> {
        let id = queued.shipment;
        let order = id.order.0;
        let day = (now_ms / MS_PER_DAY) as usize;
        let shrink_on = *self.s.accuracy.shrinkage_rate_per_day.get_ref() > 0.0;
        let returns_on = *self.s.returns.rate.get_ref() > 0.0;
        let rate = self.world.pick_error_rate[w];
        let pick_error = rate > 0.0 && self.rng_fulfil.random_bool(rate);
        let mut lines = self.engine.shipment_lines(id)?;
        if shrink_on {
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
                self.summary.units_short_picked += missing as u64;
                // A customer order the shelf could not fill is oversold (once per order; its units every time).
                let customer = self
                    .open
                    .get_mut(&order)
                    .filter(|o| !o.reship)
                    .map(|o| (o.channel, !std::mem::replace(&mut o.oversold, true)));
                match customer {
                    Some((channel, true)) => self.count_oversold(channel, missing as u64, day),
                    Some((channel, false)) => {
                        self.summary.oversold_units += missing as u64;
                        self.channel_rows[channel as usize].oversold_units += missing as u64;
                        self.daily[day].oversold_units += missing as u64;
                    }
                    None => {}
                }
            }
        }
        let shipped = self
            .latency
            .time(CallKind::Ship, || self.engine.ship(id, now_ms))?;
        self.summary.shipments += 1;
        self.summary.shipping_cost_cents += queued.cost_cents;
        let warehouse_row = &mut self.warehouse_rows[w];
        warehouse_row.shipments += 1;
        warehouse_row.units_shipped += shipped.units;
        warehouse_row.shipping_cost_cents += queued.cost_cents;
        self.distance_km_total += queued.distance_km;
        let delivered_at_ms = now_ms + queued.transit_days as u64 * MS_PER_DAY;
        let Some(o) = self.open.get_mut(&order) else {
            bail!("shipped order {order}, which the simulator was not following")
        };
        o.last_delivery_ms = o.last_delivery_ms.max(delivered_at_ms);
        let (reship, region) = (o.reship, o.region);
        let channel_row = &mut self.channel_rows[o.channel as usize];
        channel_row.shipping_cost_cents += queued.cost_cents;
        if !reship {
            channel_row.units_shipped += shipped.units;
            for line in &lines {
                self.sku_tally[line.sku.index()].units_shipped += line.units as u64;
            }
            o.units_shipped += shipped.units as u32;
            if !std::mem::replace(&mut o.shipped_any, true) {
                self.summary.orders_shipped += 1;
            }
            self.summary.units_shipped += shipped.units;
            self.daily[day].units_shipped += shipped.units;
            if self.peak_day[(o.placed_at_ms / MS_PER_DAY) as usize] {
                self.summary.peak_units_shipped += shipped.units;
            }
        }
        let mut error_line = None;
        if pick_error {
            o.inaccurate = true;
            self.summary.pick_errors += 1;
            self.warehouse_rows[w].pick_errors += 1;
            if let Some(line) = lines.iter().find(|l| l.units > 0) {
                error_line = Some(line.line);
                let event = SimEvent::Reship {
                    order,
                    line: line.line,
                    sku: line.sku.0,
                    units: line.units,
                    region,
                };
                self.schedule_for(order, delivered_at_ms + MS_PER_DAY, event);
            }
        }
        if returns_on && !reship {
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
        if shipped.order_complete {
            self.complete(order, now_ms, day);
        }
        Ok(())
    }

    /// Orders placed on the last day and still open when the run ends have not failed: their
    /// cutoff has not come yet. They leave the orders to ship (their unshipped units the units
    /// to ship) and are counted as `orders_in_flight_at_end`; older open orders stay in, as the
    /// backlog they are.
    fn set_aside_in_flight(&mut self) {
        let last_day_ms = self.days_closed.saturating_sub(1) as u64 * MS_PER_DAY;
        let in_flight: Vec<(u16, u64, u64)> = self
            .open
            .values()
            .filter(|o| !o.reship && !o.abandoned && o.placed_at_ms >= last_day_ms)
            .map(|o| {
                let unshipped = (o.units_ordered - o.units_shipped.min(o.units_ordered)) as u64;
                (o.channel, o.placed_at_ms, unshipped)
            })
            .collect();
        for (channel, placed_at_ms, unshipped) in in_flight {
            self.summary.orders_in_flight_at_end += 1;
            self.not_to_ship(channel, placed_at_ms, unshipped);
        }
    }

    /// Takes an order and `units` of it out of the orders and units to ship (run, channel,
    /// and peak if it was placed on a peak day).
    fn not_to_ship(&mut self, channel: u16, placed_at_ms: u64, units: u64) {
        self.summary.orders_to_ship -= 1;
        self.summary.units_to_ship -= units;
        let row = &mut self.channel_rows[channel as usize];
        row.orders_to_ship -= 1;
        row.units_to_ship -= units;
        if self.peak_day[(placed_at_ms / MS_PER_DAY) as usize] {
            self.summary.peak_orders_to_ship -= 1;
            self.summary.peak_units_to_ship -= units;
        }
    }

    /// The customer left `order` (abandoned the cart, payment failed): not one to ship.
    fn walked_away(&mut self, order: u64) {
        let Some(o) = self.open.get(&order) else {
            return;
        };
        let (channel, placed_at_ms, units) = (o.channel, o.placed_at_ms, o.units_ordered as u64);
        self.not_to_ship(channel, placed_at_ms, units);
    }

    fn complete(&mut self, order: u64, now_ms: u64, day: usize) {
        let Some(o) = self.open.remove(&order) else {
            return;
        };
        if o.reship {
            return;
        }
        if o.units_shipped < o.units_ordered {
            return;
        }
        self.summary.orders_shipped_complete += 1;
        if o.recorded != NO_RECORD && !o.lines_dropped {
            *self.recorded.complete_parts.entry(o.recorded).or_default() += 1;
        }
        self.channel_rows[o.channel as usize].orders_shipped_complete += 1;
        self.daily[day].orders_shipped_complete += 1;
        if !o.inaccurate {
            self.summary.orders_shipped_accurate += 1;
        }
        let processing = now_ms - o.placed_at_ms;
        self.processing_ms.push(processing);
        self.day_processing_ms.push(processing);
        if self.peak_day[(o.placed_at_ms / MS_PER_DAY) as usize] {
            self.summary.peak_orders_shipped_complete += 1;
            self.peak_processing_ms.push(processing);
        }
        self.delivery_days_total +=
            (o.last_delivery_ms - o.placed_at_ms) as f64 / MS_PER_DAY as f64;
    }

    fn reship(
        &mut self,
        order: u64,
        line: u16,
        sku: u32,
        units: u32,
        region: u16,
        now_ms: u64,
    ) -> Result<()> {
        // The customer sends the wrong item back; the shop sends the right one. A recorded
        // return of the same line may have come back first: only the rest is returnable.
        let units = self
            .engine
            .returnable_units(OrderId(order), line as usize)
            .with_context(|| format!("return of the wrong item of order {order}"))?
            .min(units);
        if units == 0 {
            return Ok(());
        }
        let outcome = self.latency.time(CallKind::RestockReturn, || {
            self.engine.restock_return(
                OrderId(order),
                line as usize,
                units as i64,
                Disposition::Restock,
                now_ms,
            )
        });
        let outcome =
            outcome.with_context(|| format!("return of the wrong item of order {order}"))?;
        self.summary.units_returned += units as u64;
        self.summary.units_restocked += units as u64;
        self.backorders_filled(&outcome.filled, now_ms);
        let id = self.next_reship;
        self.next_reship += 1;
        let channel = 0;
        let request = ReserveRequest {
            order: Order {
                id: OrderId(id),
                channel: ChannelId(channel),
                placed_at_ms: now_ms,
                ship_to: self.world.regions[region as usize],
                service: ServiceLevel::Standard,
                lines: vec![OrderLine {
                    sku: SkuId(sku),
                    quantity: units as i64,
                }],
            },
            split: SplitPolicy::SplitAllowed,
            hold_ttl_ms: self.world.ttl_ms,
        };
        if let ReserveOutcome::Held(hold) = self
            .latency
            .time(CallKind::Reserve, || self.engine.reserve(&request, now_ms))?
        {
            self.open.insert(
                id,
                OpenOrder {
                    reship: true,
                    ..OpenOrder::held(now_ms, channel, region, units, hold.units_held())
                },
            );
            let confirmation = self.latency.time(CallKind::Confirm, || {
                self.engine.confirm(OrderId(id), now_ms)
            })?;
            self.summary.reshipments += 1;
            for shipment in &confirmation.shipments {
                self.enqueue(shipment, now_ms);
            }
        }
        Ok(())
    }

    // One pass over the cells does shrinkage, counts, reorders and stock KPIs: `w` indexes several tables.
    #[allow(clippy::needless_range_loop)]
    fn close(&mut self, day: u32, now_ms: u64) -> Result<()> {
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
                        self.summary.units_shrunk += 1;
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
                        self.summary.units_found_by_cycle_count += take as u64;
                        snapshot = self
                            .engine
                            .cell_snapshot(sku_id, warehouse_id)
                            .expect("cell exists");
                    }
                }
                on_hand_total += snapshot.on_hand as u64;
                on_hand_by_warehouse[w] += snapshot.on_hand as u64;
                self.sku_tally[sku].on_hand_unit_days += snapshot.on_hand as u64;
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
                if self.replenisher.policy == Policy::Days
                    && self.replenisher.on_order(cell) == 0
                    && (free as f64) < reorder_point
                {
                    self.order_from_supplier(sku as u32, w as u16, order_units, now_ms);
                }
            }
            stockout_skus += (free_anywhere == 0) as u64;
            self.sku_tally[sku].stockout_days += (free_anywhere == 0) as u32;
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
        self.day_processing_ms.sort_unstable();
        let hours = |ms: u64| ms as f64 / MS_PER_HOUR as f64;
        let day_processing = &self.day_processing_ms;
        let quantile =
            |q: f64| (!day_processing.is_empty()).then(|| hours(percentile(day_processing, q)));
        row.processing_time_hours_p50 = quantile(0.5);
        row.processing_time_hours_p95 = quantile(0.95);
        row.processing_time_hours_p99 = quantile(0.99);
        self.day_processing_ms.clear();
        self.summary.stockout_sku_days += stockout_skus;
        self.summary.average_on_hand_units += on_hand_total as f64;
        self.summary.peak_on_hand_units = self.summary.peak_on_hand_units.max(on_hand_total);
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
        self.summary.engine_events += self.events.try_iter().count() as u64;
        // Finished orders nothing will name again leave the engine: memory and the
        // invariant check stay proportional to open orders, not to the whole run.
        let pinned = &self.pinned;
        self.engine
            .archive_finished(|id| pinned.contains_key(&id.0));
        self.engine
            .check_invariants()
            .map_err(|v| anyhow::anyhow!("day {day}: the engine broke an invariant (a bug, please report it with the scenario and seed): {v}"))?;
        Ok(())
    }

    /// Places a supplier order: its lead time is drawn now, its receipt queued.
    fn order_from_supplier(&mut self, sku: u32, warehouse: u16, units: u32, now_ms: u64) {
        self.summary.supplier_orders += 1;
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
        let at = now_ms + 1 + (lead_days * MS_PER_DAY as f64) as u64;
        self.queue.push(
            at,
            SimEvent::Receipt {
                sku,
                warehouse,
                units,
            },
        );
    }

    fn finish(mut self) -> RunOutput {
        // A failed run's figures cover the days it closed.
        self.summary.days = self.days_closed;
        self.summary.peak_days = self.peak_day[..self.days_closed as usize]
            .iter()
            .filter(|&&peak| peak)
            .count() as u32;
        self.daily.truncate(self.days_closed as usize);
        self.set_aside_in_flight();
        let days_run = self.summary.days;
        self.replenisher.finish(&mut self.summary, self.s, days_run);
        let k = &mut self.summary;
        let days = k.days as f64;
        k.average_on_hand_units /= days;
        k.holding_cost_cents = self.on_hand_value_total * self.world.holding_rate_per_day;
        k.inventory_turns_per_year =
            ratio(k.units_shipped as f64, k.average_on_hand_units) * 365.0 / days;
        k.order_fulfillment_rate = ratio(k.orders_shipped_complete as f64, k.orders_to_ship as f64);
        if let Some(replay) = &self.demand.recorded {
            k.recorded_orders_shipped_complete = self
                .recorded
                .complete_parts
                .iter()
                .filter(|&(&order, &parts)| parts == replay.parts_of(order))
                .count() as u64;
            k.recorded_order_completion_rate = ratio(
                k.recorded_orders_shipped_complete as f64,
                k.recorded_orders as f64,
            );
        }
        k.order_accuracy = ratio(k.orders_shipped_accurate as f64, k.orders_shipped as f64);
        k.unit_fill_rate = ratio(k.units_shipped as f64, k.units_to_ship as f64);
        k.demand_fill_rate = ratio(
            k.units_shipped as f64,
            (k.units_to_ship + k.lost_sales_units_not_shown) as f64,
        );
        k.split_shipment_rate = ratio(k.split_shipment_rate, k.orders_confirmed as f64);
        k.shipping_cost_cents_per_order =
            ratio(k.shipping_cost_cents as f64, k.orders_shipped as f64);
        k.shipping_distance_km_per_order = ratio(self.distance_km_total, k.orders_shipped as f64);
        self.processing_ms.sort_unstable();
        let hours = |ms: u64| ms as f64 / MS_PER_HOUR as f64;
        let n = self.processing_ms.len() as f64;
        k.processing_time_hours_mean =
            ratio(self.processing_ms.iter().map(|&ms| hours(ms)).sum(), n);
        k.processing_time_hours_p50 = hours(percentile(&self.processing_ms, 0.5));
        k.processing_time_hours_p95 = hours(percentile(&self.processing_ms, 0.95));
        k.shipped_within_24h_share = ratio(
            self.processing_ms
                .iter()
                .filter(|&&ms| ms <= MS_PER_DAY)
                .count() as f64,
            n,
        );
        k.shipped_within_48h_share = ratio(
            self.processing_ms
                .iter()
                .filter(|&&ms| ms <= 2 * MS_PER_DAY)
                .count() as f64,
            n,
        );
        k.delivery_time_days_mean = ratio(self.delivery_days_total, n);
        k.peak_order_fulfillment_rate = ratio(
            k.peak_orders_shipped_complete as f64,
            k.peak_orders_to_ship as f64,
        );
        k.peak_demand_fill_rate = ratio(
            k.peak_units_shipped as f64,
            (k.peak_units_to_ship + k.peak_lost_sales_units_not_shown) as f64,
        );
        self.peak_processing_ms.sort_unstable();
        k.peak_processing_time_hours_p95 = hours(percentile(&self.peak_processing_ms, 0.95));
        let data = self.report_data();
        RunOutput {
            summary: self.summary,
            data,
        }
    }

    /// The run's tables for the reports (the summary's KPIs by their catalog names).
    fn report_data(&mut self) -> RunData {
        let days = self.summary.days;
        for (row, &unit_days) in self
            .warehouse_rows
            .iter_mut()
            .zip(&self.warehouse_on_hand_unit_days)
        {
            row.average_on_hand_units = ratio(unit_days as f64, days as f64);
        }
        let figures = self.replenisher.sku_figures(days);
        let skus = self
            .engine
            .network()
            .skus()
            .iter()
            .zip(&self.sku_tally)
            .zip(figures)
            .map(|((sku, tally), f)| SkuRow {
                sku: sku.code.clone(),
                unit_price_cents: sku.unit_price_cents,
                units_ordered: tally.units_ordered,
                units_shipped: tally.units_shipped,
                units_backordered: tally.units_backordered,
                lost_sales_units: tally.lost_sales_units,
                demand_days: f.demand_days,
                demand_units_per_demand_day: f.demand_units_per_demand_day,
                demand_size_cv2: f.demand_size_cv2,
                average_on_hand_units: ratio(tally.on_hand_unit_days as f64, days as f64),
                stockout_days: tally.stockout_days,
                average_safety_stock_units: f.average_safety_stock_units,
                replenishment_class: f.class.into(),
                achieved_fill_rate: f.achieved_fill_rate,
                forecast_mae_units: f.forecast_mae_units,
            })
            .collect();
        let bins = (PROCESSING_LAST_BIN_HOURS / PROCESSING_BIN_HOURS) as usize + 1;
        let mut processing_time: Vec<ProcessingBin> = (0..bins)
            .map(|i| {
                let from = i as u32 * PROCESSING_BIN_HOURS;
                ProcessingBin {
                    processing_time_hours_from: from,
                    processing_time_hours_to: (i + 1 < bins).then_some(from + PROCESSING_BIN_HOURS),
                    orders: 0,
                }
            })
            .collect();
        for &ms in &self.processing_ms {
            let bin = (ms / (PROCESSING_BIN_HOURS as u64 * MS_PER_HOUR)) as usize;
            processing_time[bin.min(bins - 1)].orders += 1;
        }
        let summary = serde_json::to_value(&self.summary).expect("plain numbers and text");
        let kpis = qm_reports::kpi::KPIS
            .iter()
            .map(|kpi| {
                let value = match &summary[kpi.name] {
                    serde_json::Value::Number(n) => n
                        .as_u64()
                        .map(KpiValue::Count)
                        .unwrap_or_else(|| KpiValue::Number(n.as_f64().unwrap_or(f64::NAN))),
                    serde_json::Value::String(text) => KpiValue::Text(text.clone()),
                    _ => KpiValue::Missing,
                };
                (kpi.name.to_string(), value)
            })
            .collect();
        let t = &self.s.targets;
        let target = |kpi: &str, bound, value: &toml::Spanned<f64>| Target {
            kpi: kpi.into(),
            bound,
            value: *value.get_ref(),
        };
        let mut targets = vec![
            target("order_accuracy", Bound::AtLeast, &t.order_accuracy),
            target(
                "order_fulfillment_rate",
                Bound::AtLeast,
                &t.order_fulfillment_rate,
            ),
            target(
                "processing_time_hours_p50",
                Bound::AtMost,
                &t.processing_time_hours_p50,
            ),
            target(
                "processing_time_hours_p95",
                Bound::AtMost,
                &t.processing_time_hours_p95,
            ),
            target("demand_fill_rate", Bound::AtLeast, &t.demand_fill_rate),
        ];
        let promised = [
            (
                "achieved_cycle_service_level",
                self.summary.target_cycle_service_level,
            ),
            ("achieved_fill_rate", self.summary.target_fill_rate),
        ];
        for (kpi, target) in promised {
            if let Some(value) = target {
                targets.push(Target {
                    kpi: kpi.into(),
                    bound: Bound::AtLeast,
                    value,
                });
            }
        }
        let mut events: Vec<EventSpan> = Vec::new();
        for day in 0..days {
            for name in self.demand.events_on(day) {
                match events
                    .iter_mut()
                    .rev()
                    .find(|e| e.name == name && e.last_day + 1 == day)
                {
                    Some(span) => span.last_day = day,
                    None => events.push(EventSpan {
                        name: name.into(),
                        first_day: day,
                        last_day: day,
                    }),
                }
            }
        }
        RunData {
            status: RunStatus::Completed,
            kpis,
            targets,
            events,
            daily: std::mem::take(&mut self.daily),
            warehouses: std::mem::take(&mut self.warehouse_rows),
            warehouse_daily: std::mem::take(&mut self.warehouse_daily),
            skus,
            sku_daily: std::mem::take(&mut self.sku_daily),
            channels: std::mem::take(&mut self.channel_rows),
            processing_time,
            latency: self.latency.report(),
        }
    }
}

/// The file in a run folder that keeps the run's results for `qm report` and `qm compare`.
pub const RESULTS_FILE: &str = "results.qmr";
/// First bytes of a results file, with its format version.
const RESULTS_MAGIC: &[u8; 8] = b"QMRUN\x00\x00\x02";

/// Writes the run's results file and its reports in `formats` into `dir`; returns the files.
pub fn write_outputs(
    output: &RunOutput,
    dir: &Path,
    formats: &[qm_reports::export::Format],
) -> Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    let path = dir.join(RESULTS_FILE);
    let mut bytes = RESULTS_MAGIC.to_vec();
    bytes.extend(crate::codec::encode(&output.data)?);
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    let mut written = vec![path];
    written.extend(qm_reports::export::write(&output.data, dir, formats)?);
    Ok(written)
}

/// Reads the results a run wrote into `dir`.
pub fn read_results(dir: &Path) -> Result<RunData> {
    let path = dir.join(RESULTS_FILE);
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "{} holds no run results ({RESULTS_FILE}): give the folder `qm simulate` wrote, e.g. runs/baseline",
            dir.display()
        )
    })?;
    let Some(body) = bytes.strip_prefix(RESULTS_MAGIC.as_slice()) else {
        bail!(
            "{}: not a results file of this version of qm (run the scenario again)",
            path.display()
        )
    };
    crate::codec::decode(body).with_context(|| format!("{}: damaged results file", path.display()))
}
