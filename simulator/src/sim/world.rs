//! Building the world a run starts from: catalog, network, channels, opening stock, suppliers.

use qm_engine::*;
use rand_distr::{Distribution, LogNormal};

use super::error::SimError;
use super::state::*;
use super::streams::stream;
use crate::demand::synthetic::DemandModel;
use crate::scenario::{Oversold, Scenario, MAX_UNIT_PRICE_CENTS, MAX_UNIT_WEIGHT_GRAMS};

/// customer regions: the genesis that `qm engine` rebuilds and replays its journal onto.
pub fn opening_engine(s: &Scenario, seed: u64) -> Result<(Engine, Vec<GeoPoint>), SimError> {
    let demand = DemandModel::new(s)?;
    let (engine, world) = build_engine(s, &demand, seed)?;
    Ok((engine, world.regions))
}

pub(super) fn build_engine(
    s: &Scenario,
    demand: &DemandModel,
    seed: u64,
) -> Result<(Engine, World), SimError> {
    let mut rng = stream(seed, "catalog");
    let mut catalog = catalog(s, &mut rng)?;
    if let Some(replay) = &demand.recorded {
        add_recorded_skus(s, replay, &mut catalog);
    }
    let warehouses = warehouses(s)?;
    let unit_price_cents = catalog.iter().map(|k| k.unit_price_cents).collect();
    let warehouse_locations = warehouses.iter().map(|w| w.location).collect();
    let network = Network::new(catalog, warehouses, carriers(s))?;
    let (channel_warehouses, channels) = channels(s, &network);
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
    seed_opening_stock(s, demand, &mut engine)?;
    let skus = demand.expected_daily_units.len();
    let (supplier_of, lead_time_days) = suppliers(s, skus, &mut rng)?;
    let world = World {
        skus,
        unit_price_cents,
        warehouse_locations,
        channel_warehouses,
        supplier_of,
        lead_time_days,
        sku_policy: sku_policy(s, &engine),
        ..world(s)?
    };
    Ok((engine, world))
}

/// A place on the globe, or an error naming the warehouse or region.
fn point(lat: f64, lon: f64, what: &str) -> Result<GeoPoint, SimError> {
    GeoPoint::new(lat, lon).map_err(|cause| SimError::Location {
        what: what.to_string(),
        cause,
    })
}

/// The catalog: generated (log-normal weights and prices from `rng`), listed, or empty for
/// recorded demand (its SKUs come from the history).
fn catalog(s: &Scenario, rng: &mut rand::rngs::StdRng) -> Result<Vec<Sku>, SimError> {
    let codes = s.sku_codes();
    let lognormal = |median: f64, sigma: f64| {
        LogNormal::new(median.ln(), sigma).map_err(|e| SimError::Distribution {
            what: "catalog distribution",
            cause: e.to_string(),
        })
    };
    let (weight, price) = (
        lognormal(
            *s.catalog.unit_weight_grams.get_ref() as f64,
            *s.catalog.weight_sigma.get_ref(),
        )?,
        lognormal(
            s.catalog.unit_price_cents.get_ref().as_f64(),
            *s.catalog.price_sigma.get_ref(),
        )?,
    );
    Ok(if s.is_recorded() {
        Vec::new()
    } else if s.skus.is_empty() {
        codes
            .into_iter()
            .map(|code| Sku {
                code,
                unit_weight_grams: weight
                    .sample(rng)
                    .round()
                    .clamp(1.0, MAX_UNIT_WEIGHT_GRAMS.into())
                    as u32,
                unit_price_cents: Cents::new(
                    (price.sample(rng).round() as u64).clamp(1, MAX_UNIT_PRICE_CENTS),
                ),
            })
            .collect()
    } else {
        s.skus
            .iter()
            .map(|k| Sku {
                code: k.code.clone(),
                unit_weight_grams: *k.unit_weight_grams.get_ref(),
                unit_price_cents: *k.unit_price_cents.get_ref(),
            })
            .collect()
    })
}

/// The warehouses as the engine takes them.
fn warehouses(s: &Scenario) -> Result<Vec<Warehouse>, SimError> {
    s.warehouses
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
                storage_capacity_units: w.storage_units().unwrap_or(u64::MAX),
                cutoff_hour: *w.cutoff_hour.get_ref() as u8,
            })
        })
        .collect::<Result<Vec<_>, SimError>>()
}

/// The carriers: the scenario's, or one ground carrier.
fn carriers(s: &Scenario) -> Vec<Carrier> {
    let band = |max_distance_km, base_cents, per_kg_cents, transit_days| RateBand {
        max_distance_km,
        base_cents,
        per_kg_cents,
        transit_days,
    };
    if s.fulfillment.carriers.is_empty() {
        vec![Carrier {
            code: "GROUND".into(),
            bands: vec![
                band(500.0, Cents::new(500), Cents::new(50), 2),
                band(2_000.0, Cents::new(800), Cents::new(80), 4),
                band(20_100.0, Cents::new(1_500), Cents::new(150), 7),
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
                            *b.base_cents.get_ref(),
                            *b.per_kg_cents.get_ref(),
                            *b.transit_days.get_ref() as u8,
                        )
                    })
                    .collect(),
            })
            .collect()
    }
}

/// A recorded history's catalog: the listed SKUs, then the SKUs only the history knows (the
/// catalog's default weight, the recorded median price).
fn add_recorded_skus(s: &Scenario, replay: &crate::demand::replay::Replay, catalog: &mut Vec<Sku>) {
    if !s.skus.is_empty() {
        catalog.extend(s.skus.iter().map(|k| Sku {
            code: k.code.clone(),
            unit_weight_grams: *k.unit_weight_grams.get_ref(),
            unit_price_cents: *k.unit_price_cents.get_ref(),
        }));
    }
    // SKUs only the history knows: the catalog's default weight, the recorded median price.
    let default_price = *s.catalog.unit_price_cents.get_ref();
    catalog.extend(replay.additions.iter().map(|(code, price)| Sku {
        code: code.clone(),
        unit_weight_grams: *s.catalog.unit_weight_grams.get_ref(),
        unit_price_cents: if *price > Cents::ZERO {
            *price
        } else {
            default_price
        },
    }));
}

/// Each channel's warehouses and its configuration.
fn channels(s: &Scenario, network: &Network) -> (Vec<Vec<WarehouseId>>, Vec<ChannelConfig>) {
    let channel_warehouses: Vec<Vec<WarehouseId>> = s.per_channel(|c| {
        c.warehouses
            .iter()
            .map(|w| network.warehouse_id(w.get_ref()).expect("validated"))
            .collect()
    });
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
            strategy: *c.strategy.get_ref(),
            capacity_aware: c.capacity_aware,
        })
        .collect();
    (channel_warehouses, channels)
}

/// The opening stock: days of cover split over the warehouses (times each one's multiplier),
/// replaced where the scenario lists a cell.
fn seed_opening_stock(
    s: &Scenario,
    demand: &DemandModel,
    engine: &mut Engine,
) -> Result<(), SimError> {
    let warehouse_count = s.warehouses.len();
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
    Ok(())
}

/// Each SKU's supplier, and each supplier's lead time in days (mean, standard deviation).
type Suppliers = (Vec<u16>, Vec<(f64, f64)>);

/// Each SKU's supplier (drawn by share from `rng`) and each supplier's lead time (mean, std).
fn suppliers(
    s: &Scenario,
    skus: usize,
    rng: &mut rand::rngs::StdRng,
) -> Result<Suppliers, SimError> {
    let suppliers = &s.replenishment.suppliers;
    Ok(if suppliers.is_empty() {
        (vec![0; skus], vec![(3.0, 0.0)])
    } else {
        let pick =
            rand::distr::weighted::WeightedIndex::new(suppliers.iter().map(|p| *p.share.get_ref()))
                .map_err(|e| SimError::Distribution {
                    what: "replenishment.suppliers[].share",
                    cause: e.to_string(),
                })?;
        let of = (0..skus).map(|_| pick.sample(rng) as u16).collect();
        (
            of,
            suppliers
                .iter()
                .map(|p| (*p.lead_time_days.get_ref(), *p.lead_time_std_days.get_ref()))
                .collect(),
        )
    })
}

/// The run's settings read from the scenario alone (the caller fills in the catalog, the
/// network's locations, the channels' warehouses, the suppliers and the SKU policies).
fn world(s: &Scenario) -> Result<World, SimError> {
    let global_pick_error = *s.accuracy.pick_error_rate.get_ref();
    Ok(World {
        skus: 0,
        warehouses: s.warehouses.len(),
        unit_price_cents: Vec::new(),
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
            .collect::<Result<_, SimError>>()?,
        warehouse_locations: Vec::new(),
        channel_warehouses: Vec::new(),
        splits: s.per_channel(|c| c.split.get_ref().policy()),
        backorder_oversold: s.per_channel(|c| *c.oversold.get_ref() == Oversold::Backorder),
        view_refresh_ms: s.per_channel(|c| *c.view_refresh_minutes.get_ref() as u64 * 60_000),
        capacity_lines: s.per_warehouse(|w| *w.capacity_lines_per_day.get_ref()),
        cutoff_hour: s.per_warehouse(|w| *w.cutoff_hour.get_ref()),
        pick_error_rate: s.per_warehouse(|w| {
            w.pick_error_rate
                .as_ref()
                .map_or(global_pick_error, |r| *r.get_ref())
        }),
        supplier_of: Vec::new(),
        lead_time_days: Vec::new(),
        sku_policy: Default::default(),
        holding_rate_per_day: *s.catalog.holding_cost_rate_per_year.get_ref() / 365.0,
        ttl_ms: *s.carts.hold_ttl_minutes.get_ref() as u64 * 60_000,
        express_days: *s.demand.express_transit_days.get_ref() as u8,
    })
}

/// The fixed reorder policies of the SKUs the scenario lists, by SKU id.
fn sku_policy(s: &Scenario, engine: &Engine) -> rustc_hash::FxHashMap<u32, (u32, u32)> {
    s.replenishment
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
        .collect()
}
