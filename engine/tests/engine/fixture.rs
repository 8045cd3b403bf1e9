//! A small network whose right answers are worked out by hand in the tests.
//!
//! Warehouses: LON (W0, London), MAN (W1, Manchester), PAR (W2, Paris).
//! Customers ship to Birmingham: MAN is ~114 km away, LON ~163 km, PAR ~502 km.
//! SKUs: A (1 kg), B (0.5 kg), C (2 kg).
//! Carriers:
//!   ROYAL   ≤150 km: 250¢ + 50¢/kg, 2 days;  ≤1000 km: 800¢ + 100¢/kg, 3 days
//!   EXPRESS ≤200 km: 900¢ + 20¢/kg, 1 day;   ≤1000 km: 1500¢ + 60¢/kg, 1 day

use qm_engine::*;

pub const LON: WarehouseId = WarehouseId(0);
pub const MAN: WarehouseId = WarehouseId(1);
pub const PAR: WarehouseId = WarehouseId(2);
pub const A: SkuId = SkuId(0);
pub const B: SkuId = SkuId(1);
pub const C: SkuId = SkuId(2);
pub const WEB: ChannelId = ChannelId(0);
pub const HOUR_MS: u64 = 3_600_000;
pub const DAY_MS: u64 = 24 * HOUR_MS;

pub fn birmingham() -> GeoPoint {
    GeoPoint::new(52.4862, -1.8904).unwrap()
}

fn warehouse(code: &str, lat: f64, lon: f64, capacity_lines_per_day: u32) -> Warehouse {
    Warehouse {
        code: code.into(),
        location: GeoPoint::new(lat, lon).unwrap(),
        capacity_lines_per_day,
        storage_capacity_units: 1_000_000,
        cutoff_hour: 16,
    }
}

fn band(max_distance_km: f64, base_cents: u64, per_kg_cents: u64, transit_days: u8) -> RateBand {
    RateBand {
        max_distance_km,
        base_cents: Cents::new(base_cents),
        per_kg_cents: Cents::new(per_kg_cents),
        transit_days,
    }
}

pub fn network() -> Network {
    let sku = |code: &str, grams: u32| Sku {
        code: code.into(),
        unit_weight_grams: grams,
        unit_price_cents: Cents::new(1_000),
    };
    Network::new(
        vec![sku("A", 1_000), sku("B", 500), sku("C", 2_000)],
        vec![
            warehouse("LON", 51.5074, -0.1278, 1_000),
            warehouse("MAN", 53.4808, -2.2426, 2),
            warehouse("PAR", 48.8566, 2.3522, 1_000),
        ],
        vec![
            Carrier {
                code: "ROYAL".into(),
                bands: vec![band(150.0, 250, 50, 2), band(1_000.0, 800, 100, 3)],
            },
            Carrier {
                code: "EXPRESS".into(),
                bands: vec![band(200.0, 900, 20, 1), band(1_000.0, 1_500, 60, 1)],
            },
        ],
    )
    .unwrap()
}

pub fn channel(strategy: StrategyKind, warehouses: Vec<WarehouseId>) -> ChannelConfig {
    ChannelConfig {
        code: "web".into(),
        warehouses,
        buffer: Buffer::None,
        buffer_overrides: vec![],
        strategy,
        capacity_aware: false,
    }
}

pub fn engine_with(channel: ChannelConfig, stock: &[(SkuId, WarehouseId, i64)]) -> Engine {
    let mut engine = Engine::new(EngineConfig {
        network: network(),
        channels: vec![channel],
        expected_open_orders: 64,
    })
    .unwrap();
    for &(sku, warehouse, units) in stock {
        engine.seed_stock(sku, warehouse, units).unwrap();
    }
    engine
}

pub fn engine(strategy: StrategyKind, stock: &[(SkuId, WarehouseId, i64)]) -> Engine {
    engine_with(channel(strategy, vec![LON, MAN, PAR]), stock)
}

pub fn order(id: u64, lines: &[(SkuId, i64)]) -> Order {
    Order {
        id: OrderId(id),
        channel: WEB,
        placed_at_ms: id,
        ship_to: birmingham(),
        service: ServiceLevel::Standard,
        lines: lines
            .iter()
            .map(|&(sku, quantity)| OrderLine { sku, quantity })
            .collect(),
    }
}

pub fn request(order: Order, split: SplitPolicy) -> ReserveRequest {
    ReserveRequest {
        order,
        split,
        hold_ttl_ms: HOUR_MS,
    }
}

/// Reserves and expects a hold; returns its picks as (line, warehouse, units).
pub fn hold(engine: &Engine, request: &ReserveRequest, now_ms: u64) -> Hold {
    match engine.reserve(request, now_ms).unwrap() {
        ReserveOutcome::Held(hold) => hold,
        other => panic!("expected a hold, got {other:?}"),
    }
}

/// The picks of order `id` of `lines`, held with splits allowed at time 0.
pub fn split_picks(
    engine: &Engine,
    id: u64,
    lines: &[(SkuId, i64)],
) -> Vec<(u16, WarehouseId, u32)> {
    picks(&hold(
        engine,
        &request(order(id, lines), SplitPolicy::SplitAllowed),
        0,
    ))
}

pub fn picks(hold: &Hold) -> Vec<(u16, WarehouseId, u32)> {
    hold.picks
        .iter()
        .map(|p| (p.line, p.warehouse, p.units))
        .collect()
}

/// Every cell's (on_hand, reserved, allocated), for "state unchanged" assertions.
pub fn cells(engine: &Engine) -> Vec<CellSnapshot> {
    let mut all = Vec::new();
    for sku in [A, B, C] {
        for warehouse in [LON, MAN, PAR] {
            all.push(engine.cell_snapshot(sku, warehouse).unwrap());
        }
    }
    all
}

/// Calls of every kind on orders `ids` of whatever state an engine holds, refused ones included:
/// confirm, receipts at every cell, short picks and shipments, returns, a new order with a
/// backorder, expiry and release.
pub fn exercise(engine: &Engine, ids: std::ops::Range<u64>) {
    for id in ids.clone() {
        let _ = engine.confirm(OrderId(id), DAY_MS);
    }
    for sku in [A, B, C] {
        for warehouse in [LON, MAN, PAR] {
            let _ = engine.receive(sku, warehouse, 3, DAY_MS);
        }
    }
    // A keyed receipt, its repeat and the key with other units (a loaded state may already
    // remember the key), and a keyed adjustment.
    for units in [3, 3, 4] {
        let receipt = journal::Command::Receive {
            sku: C,
            warehouse: PAR,
            units,
            now_ms: DAY_MS,
        };
        let _ = engine.apply(&keyed("po-1", receipt));
    }
    let count = journal::Command::Adjust {
        sku: A,
        warehouse: LON,
        delta_units: -1,
        reason: AdjustReason::CycleCount,
        now_ms: DAY_MS,
    };
    let _ = engine.apply(&keyed("count-1", count));
    for id in ids.clone() {
        for index in 0..3 {
            let shipment = ShipmentId {
                order: OrderId(id),
                index,
            };
            let _ = engine.short_pick(shipment, 0, 1, DAY_MS);
            let _ = engine.ship(shipment, DAY_MS);
        }
        for line in 0..3 {
            let _ = engine.restock_return(OrderId(id), line, 1, Disposition::Restock, 2 * DAY_MS);
        }
    }
    let late = order(ids.end, &[(A, 9), (C, 1)]);
    let _ = engine.reserve(
        &request(late, SplitPolicy::PartialWithBackorder),
        2 * DAY_MS,
    );
    engine.expire_holds(30 * DAY_MS);
    for id in ids.start..=ids.end {
        let _ = engine.release(OrderId(id), ReleaseReason::Cancelled, 30 * DAY_MS);
    }
    engine.archive_finished_before(30 * DAY_MS);
}

/// `command` under the idempotency key `key`.
pub fn keyed(key: &str, command: journal::Command) -> journal::Command {
    journal::Command::Keyed {
        key: idempotency::IdempotencyKey::new(key).unwrap(),
        command: Box::new(command),
    }
}
