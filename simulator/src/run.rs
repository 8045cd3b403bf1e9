//! The discrete-event loop: arrivals, payments, hold sweeps, daily closes and supplier
//! receipts, in simulated time, through the real engine.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use hdrhistogram::Histogram;
use qm_engine::*;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Poisson, Zipf};

use crate::metrics::{percentile, ratio, DayRow, Latency, Summary};
use crate::scenario::{split_policy, Scenario};

const MS_PER_HOUR: u64 = 3_600_000;
const MS_PER_DAY: u64 = 24 * MS_PER_HOUR;

/// A generator for one named purpose, derived from the run's seed: adding a stream never shifts the others.
pub fn stream(seed: u64, name: &str) -> StdRng {
    // FNV-1a of the name, mixed with the seed.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3));
    StdRng::seed_from_u64(seed ^ hash)
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// Sweep expired holds.
    Sweep,
    /// A customer pays (confirm).
    Pay { order: u64 },
    /// A customer places an order.
    Arrival { order: u64, channel: u16, region: u16, lines: Vec<(u32, u32)> },
    /// A supplier receipt arrives.
    Receipt { sku: u32, warehouse: u16, units: u32 },
    /// End of day: ship, replenish, check invariants.
    Close { day: u32 },
}

struct Catalog {
    expected_daily_units: Vec<f64>,
    zipf: Option<Zipf<f64>>,
}

fn build_engine(s: &Scenario) -> Result<(Engine, Catalog)> {
    let skus = *s.catalog.skus.get_ref() as usize;
    let catalog = (0..skus)
        .map(|i| Sku { code: format!("SKU{:05}", i + 1), unit_weight_grams: s.catalog.unit_weight_grams, unit_price_cents: s.catalog.unit_price_cents })
        .collect();
    let warehouses = s
        .warehouses
        .iter()
        .map(|w| {
            Ok(Warehouse {
                code: w.code.clone(),
                location: GeoPoint::new(w.latitude_deg, w.longitude_deg).with_context(|| format!("warehouse {}", w.code))?,
                capacity_lines_per_day: w.capacity_lines_per_day,
                storage_capacity_units: u64::MAX,
                cutoff_hour: 16,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let band = |max_distance_km, base_cents, per_kg_cents, transit_days| RateBand { max_distance_km, base_cents, per_kg_cents, transit_days };
    let carriers = vec![Carrier { code: "GROUND".into(), bands: vec![band(500.0, 500, 50, 2), band(2_000.0, 800, 80, 4), band(20_100.0, 1_500, 150, 7)] }];
    let network = Network::new(catalog, warehouses, carriers)?;
    let channels = s
        .channels
        .iter()
        .map(|c| ChannelConfig {
            code: c.code.clone(),
            warehouses: c.warehouses.iter().map(|w| network.warehouse_id(w.get_ref()).expect("validated")).collect(),
            buffer: if c.buffer_units > 0 { Buffer::Units(c.buffer_units) } else { Buffer::None },
            buffer_overrides: vec![],
            strategy: StrategyKind::from_name(c.strategy.get_ref()).expect("validated"),
            capacity_aware: c.capacity_aware,
        })
        .collect();
    let orders_per_day = *s.demand.orders_per_day.get_ref();
    let expected_orders = (orders_per_day * *s.horizon.days.get_ref() as f64 * 1.05) as usize;
    let mut engine = Engine::new(EngineConfig { network, channels, expected_open_orders: expected_orders })?;

    let exponent = *s.catalog.zipf_exponent.get_ref();
    let weights: Vec<f64> = (1..=skus).map(|k| (k as f64).powf(-exponent)).collect();
    let total: f64 = weights.iter().sum();
    let mean_lines = (1.0 + *s.demand.max_lines_per_order.get_ref() as f64) / 2.0;
    let mean_units = (1.0 + *s.demand.max_units_per_line.get_ref() as f64) / 2.0;
    let expected_daily_units: Vec<f64> = weights.iter().map(|w| orders_per_day * mean_lines * mean_units * w / total).collect();
    let per_warehouse = s.warehouses.len() as f64;
    let cover = *s.initial_stock.days_of_cover.get_ref();
    for (sku, daily) in expected_daily_units.iter().enumerate() {
        let units = (daily * cover / per_warehouse).ceil() as i64;
        for w in 0..s.warehouses.len() {
            if units > 0 {
                engine.seed_stock(SkuId(sku as u32), WarehouseId(w as u16), units)?;
            }
        }
    }
    let zipf = (exponent > 0.0).then(|| Zipf::new(skus as f64, exponent)).transpose().context("catalog.zipf_exponent")?;
    Ok((engine, Catalog { expected_daily_units, zipf }))
}

/// Everything a run produced.
pub struct RunOutput {
    /// Deterministic KPIs.
    pub summary: Summary,
    /// Per-day rows.
    pub daily: Vec<DayRow>,
    /// Wall-clock engine latency.
    pub latency: Latency,
}

struct Open {
    placed_at_ms: u64,
    /// Units the hold took (for abandoned unit-hours).
    units_held: u64,
    /// Units ordered: the order shipped complete only if every one of them shipped.
    units_ordered: u64,
}

/// Runs a scenario with `seed` and returns its KPIs.
pub fn simulate(s: &Scenario, seed: u64) -> Result<RunOutput> {
    let (mut engine, catalog) = build_engine(s)?;
    let events = engine.subscribe();
    let days = *s.horizon.days.get_ref();
    let mut demand = stream(seed, "demand");
    let mut carts = stream(seed, "carts");
    let regions: Vec<GeoPoint> = s.customers.iter().map(|r| GeoPoint::new(r.latitude_deg, r.longitude_deg).with_context(|| format!("customer region {}", r.name))).collect::<Result<_>>()?;
    let region_pick = WeightedIndex::new(s.customers.iter().map(|r| *r.share.get_ref())).context("customers[].share")?;
    let channel_pick = WeightedIndex::new(s.channels.iter().map(|c| *c.share.get_ref())).context("channels[].share")?;
    let splits: Vec<SplitPolicy> = s.channels.iter().map(|c| split_policy(c.split.get_ref()).expect("validated")).collect();
    let arrivals = Poisson::new(*s.demand.orders_per_day.get_ref()).context("demand.orders_per_day")?;
    let (max_lines, max_units) = (*s.demand.max_lines_per_order.get_ref(), *s.demand.max_units_per_line.get_ref());
    let ttl_ms = *s.carts.hold_ttl_minutes.get_ref() as u64 * 60_000;
    let pay_ms = *s.carts.minutes_to_pay.get_ref() as u64 * 60_000;
    let abandonment = *s.carts.abandonment_rate.get_ref();
    let skus = catalog.expected_daily_units.len();
    let warehouses = s.warehouses.len();
    let per_warehouse = warehouses as f64;
    let r = &s.replenishment;
    let (rop_days, up_to_days, lead_days) = (*r.reorder_point_days.get_ref(), *r.order_up_to_days.get_ref(), *r.lead_time_days.get_ref());

    let mut queue: BinaryHeap<Reverse<(u64, u64, Event)>> = BinaryHeap::new();
    let mut sequence = 0u64;
    let mut schedule = |queue: &mut BinaryHeap<Reverse<(u64, u64, Event)>>, at_ms: u64, event: Event| {
        sequence += 1;
        queue.push(Reverse((at_ms, sequence, event)));
    };
    let mut next_order = 1u64;
    for day in 0..days {
        schedule(&mut queue, (day as u64 + 1) * MS_PER_DAY - 1, Event::Close { day });
        for hour in 0..24 {
            schedule(&mut queue, day as u64 * MS_PER_DAY + hour * MS_PER_HOUR, Event::Sweep);
        }
    }
    let mut summary = Summary { scenario: s.name.clone(), seed, days, ..Default::default() };
    let mut daily: Vec<DayRow> = (0..days).map(|day| DayRow { day, ..Default::default() }).collect();
    let mut open: std::collections::BTreeMap<u64, Open> = Default::default();
    let mut pending: Vec<(ShipmentId, u64)> = Vec::new();
    let mut processing_ms: Vec<u64> = Vec::new();
    let mut on_order = vec![false; skus * warehouses];
    let mut latency = Histogram::<u64>::new(3)?;
    let mut engine_ns = 0u64;
    let mut engine_calls = 0u64;
    // Wall time is the point here: engine latency, reported apart from simulated KPIs.
    #[allow(clippy::disallowed_methods)]
    let timed = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed().as_nanos() as u64
    };

    let mut day_generated = u32::MAX;
    while let Some(Reverse((now_ms, _, event))) = queue.pop() {
        let day = (now_ms / MS_PER_DAY) as u32;
        if day != day_generated && day < days {
            // Draw the day's arrivals when the day starts, in time order.
            day_generated = day;
            let count = arrivals.sample(&mut demand) as u64;
            let mut times: Vec<u64> = (0..count).map(|_| day as u64 * MS_PER_DAY + demand.random_range(0..MS_PER_DAY)).collect();
            times.sort_unstable();
            for at_ms in times {
                let lines = (0..demand.random_range(1..=max_lines))
                    .map(|_| {
                        let sku = match &catalog.zipf {
                            Some(z) => z.sample(&mut demand) as u32 - 1,
                            None => demand.random_range(0..skus as u32),
                        };
                        (sku, demand.random_range(1..=max_units))
                    })
                    .collect();
                let event = Event::Arrival { order: next_order, channel: channel_pick.sample(&mut demand) as u16, region: region_pick.sample(&mut demand) as u16, lines };
                next_order += 1;
                schedule(&mut queue, at_ms, event);
            }
        }
        match event {
            Event::Arrival { order, channel, region, lines } => {
                let units: u64 = lines.iter().map(|l| l.1 as u64).sum();
                summary.orders_placed += 1;
                summary.units_ordered += units;
                daily[day as usize].orders_placed += 1;
                let request = ReserveRequest {
                    order: Order {
                        id: OrderId(order),
                        channel: ChannelId(channel),
                        placed_at_ms: now_ms,
                        ship_to: regions[region as usize],
                        service: ServiceLevel::Standard,
                        lines: lines.iter().map(|&(sku, q)| OrderLine { sku: SkuId(sku), quantity: q as i64 }).collect(),
                    },
                    split: splits[channel as usize],
                    hold_ttl_ms: ttl_ms,
                };
                let mut outcome = None;
                let ns = timed(&mut || outcome = Some(engine.reserve(&request, now_ms)));
                latency.record(ns.max(1))?;
                engine_ns += ns;
                engine_calls += 1;
                match outcome.expect("set by the call")? {
                    ReserveOutcome::Held(hold) => {
                        summary.orders_held += 1;
                        open.insert(order, Open { placed_at_ms: now_ms, units_held: hold.units_held(), units_ordered: units });
                        if carts.random_bool(abandonment) {
                            summary.orders_abandoned += 1;
                        } else {
                            schedule(&mut queue, now_ms + pay_ms, Event::Pay { order });
                        }
                    }
                    ReserveOutcome::Rejected(_) => {
                        summary.orders_rejected += 1;
                        summary.lost_sales_units += units;
                        daily[day as usize].orders_rejected += 1;
                    }
                }
            }
            Event::Pay { order } => {
                let mut result = None;
                engine_ns += timed(&mut || result = Some(engine.confirm(OrderId(order), now_ms)));
                engine_calls += 1;
                match result.expect("set by the call") {
                    Ok(confirmation) => {
                        summary.orders_confirmed += 1;
                        summary.split_shipment_rate += (confirmation.shipments.len() > 1) as u64 as f64;
                        for shipment in &confirmation.shipments {
                            summary.shipping_cost_cents += shipment.quote.map_or(0, |q| q.cost_cents);
                            pending.push((shipment.id, now_ms));
                        }
                    }
                    Err(OrderError::HoldExpired { .. }) => {}
                    Err(e) => bail!("engine refused a payment the simulator believed valid: {e}"),
                }
            }
            Event::Sweep => {
                engine_calls += 1;
                let mut expired = Vec::new();
                engine_ns += timed(&mut || expired = engine.expire_holds(now_ms));
                for e in expired {
                    if let Some(o) = open.remove(&e.order.0) {
                        summary.held_but_abandoned_unit_hours += o.units_held as f64 * ttl_ms as f64 / MS_PER_HOUR as f64;
                    }
                }
            }
            Event::Receipt { sku, warehouse, units } => {
                engine.receive(SkuId(sku), WarehouseId(warehouse), units as i64, now_ms)?;
                engine_calls += 1;
                on_order[sku as usize * warehouses + warehouse as usize] = false;
                summary.units_received += units as u64;
            }
            Event::Close { day } => {
                for (shipment, _) in pending.drain(..) {
                    let shipped = engine.ship(shipment, now_ms)?;
                    engine_calls += 1;
                    summary.shipments += 1;
                    summary.units_shipped += shipped.units;
                    daily[day as usize].units_shipped += shipped.units;
                    if shipped.order_complete {
                        if let Some(o) = open.remove(&shipment.order.0) {
                            processing_ms.push(now_ms - o.placed_at_ms);
                            if o.units_held == o.units_ordered {
                                summary.orders_shipped_complete += 1;
                            }
                        }
                    }
                }
                let mut on_hand = 0u64;
                for sku in 0..skus {
                    let daily_units = catalog.expected_daily_units[sku] / per_warehouse;
                    for w in 0..warehouses {
                        let cell = engine.cell_snapshot(SkuId(sku as u32), WarehouseId(w as u16)).expect("cell exists");
                        on_hand += cell.on_hand as u64;
                        let free = cell.free() as f64;
                        summary.stockout_cell_days += (cell.free() == 0) as u64;
                        if !on_order[sku * warehouses + w] && free < (daily_units * rop_days).ceil() {
                            let units = ((daily_units * up_to_days).ceil() - free).max(1.0) as u32;
                            on_order[sku * warehouses + w] = true;
                            summary.supplier_orders += 1;
                            schedule(&mut queue, now_ms + lead_days as u64 * MS_PER_DAY, Event::Receipt { sku: sku as u32, warehouse: w as u16, units });
                        }
                    }
                }
                daily[day as usize].on_hand_units = on_hand;
                summary.average_on_hand_units += on_hand as f64 / days as f64;
                engine.check_invariants().map_err(|v| anyhow::anyhow!("day {day}: the engine broke an invariant (a bug, please report it with the scenario and seed): {v}"))?;
            }
        }
    }
    summary.engine_events = events.try_iter().count() as u64;
    summary.order_fulfillment_rate = ratio(summary.orders_shipped_complete as f64, summary.orders_placed as f64);
    summary.unit_fill_rate = ratio(summary.units_shipped as f64, summary.units_ordered as f64);
    summary.split_shipment_rate = ratio(summary.split_shipment_rate, summary.orders_confirmed as f64);
    summary.shipping_cost_cents_per_order = ratio(summary.shipping_cost_cents as f64, summary.orders_shipped_complete as f64);
    processing_ms.sort_unstable();
    let hours = |ms: u64| ms as f64 / MS_PER_HOUR as f64;
    summary.processing_time_hours_mean = ratio(processing_ms.iter().map(|&ms| hours(ms)).sum(), processing_ms.len() as f64);
    summary.processing_time_hours_p50 = hours(percentile(&processing_ms, 0.5));
    summary.processing_time_hours_p95 = hours(percentile(&processing_ms, 0.95));
    summary.shipped_within_24h_share = ratio(processing_ms.iter().filter(|&&ms| ms <= MS_PER_DAY).count() as f64, processing_ms.len() as f64);
    let latency = Latency {
        reserve_calls: latency.len(),
        reserve_latency_ns_p50: latency.value_at_quantile(0.5),
        reserve_latency_ns_p99: latency.value_at_quantile(0.99),
        reserve_latency_ns_p999: latency.value_at_quantile(0.999),
        reserve_latency_ns_max: latency.max(),
        engine_calls_per_second: ratio(engine_calls as f64, engine_ns as f64 / 1e9),
    };
    Ok(RunOutput { summary, daily, latency })
}

/// Writes `summary.json`, `daily.csv` and `latency.json` into `dir`.
pub fn write_outputs(output: &RunOutput, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    let write = |name: &str, text: String| std::fs::write(dir.join(name), text).with_context(|| format!("cannot write {}", dir.join(name).display()));
    write("summary.json", serde_json::to_string_pretty(&output.summary)? + "\n")?;
    write("latency.json", serde_json::to_string_pretty(&output.latency)? + "\n")?;
    let mut csv = String::from("day,orders_placed,orders_rejected,units_shipped,on_hand_units\n");
    for d in &output.daily {
        csv += &format!("{},{},{},{},{}\n", d.day, d.orders_placed, d.orders_rejected, d.units_shipped, d.on_hand_units);
    }
    write("daily.csv", csv)
}
