//! Embedding the engine: a network, a channel, stock, then one order from cart to shipment.
//! The README's example is an excerpt of this program (a test keeps it one), so it compiles.
//!
//! `cargo run -p qm-engine --example embed`

use qm_engine::*;

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Two warehouses, one SKU, one carrier with a single distance band.
    let skus = vec![Sku {
        code: "MUG".into(),
        unit_weight_grams: 400,
        unit_price_cents: Cents::new(1_200),
    }];
    let warehouse =
        |code: &str, latitude_deg, longitude_deg| -> Result<Warehouse, InvalidLocation> {
            Ok(Warehouse {
                code: code.into(),
                location: GeoPoint::new(latitude_deg, longitude_deg)?,
                capacity_lines_per_day: 10_000,
                storage_capacity_units: 1_000_000,
                cutoff_hour: 16,
            })
        };
    let warehouses = vec![warehouse("LON", 51.5, -0.1)?, warehouse("MAN", 53.5, -2.2)?];
    let carriers = vec![Carrier {
        code: "GROUND".into(),
        bands: vec![RateBand {
            max_distance_km: 2_000.0,
            base_cents: Cents::new(450),
            per_kg_cents: Cents::new(60),
            transit_days: 2,
        }],
    }];

    let network = Network::new(skus, warehouses, carriers)?;
    let channel = ChannelConfig {
        code: "web".into(),
        warehouses: vec![WarehouseId(0), WarehouseId(1)], // in priority order
        buffer: Buffer::Units(2),                         // units this channel may not take
        buffer_overrides: vec![],
        strategy: StrategyKind::Nearest,
        capacity_aware: false,
    };
    let mut engine = Engine::new(EngineConfig {
        network,
        channels: vec![channel],
        expected_open_orders: 100_000,
    })?;
    engine.seed_stock(SkuId(0), WarehouseId(0), 120)?;
    let events = engine.subscribe(); // crossbeam receiver of every transition
    let engine = std::sync::Arc::new(engine); // share between threads

    let now_ms = 9 * 3_600_000; // the caller's clock: 09:00 on day 0
    let order = Order {
        id: OrderId(1),
        channel: ChannelId(0),
        placed_at_ms: now_ms,
        ship_to: GeoPoint::new(52.5, -1.9)?,
        service: ServiceLevel::Standard,
        lines: vec![OrderLine {
            sku: SkuId(0),
            quantity: 3,
        }],
    };
    let order_id = order.id;
    let request = ReserveRequest {
        order,
        split: SplitPolicy::SplitAllowed,
        hold_ttl_ms: 900_000, // 15 minutes, then expire_holds returns the units
    };
    match engine.reserve(&request, now_ms)? {
        ReserveOutcome::Held(hold) => println!("held {:?}", hold.picks), // (line, warehouse, units)
        ReserveOutcome::Rejected(why) => println!("rejected: {}", why.code()), // insufficient_stock, …
    }
    let confirmation = engine.confirm(order_id, now_ms)?; // shipments, one per warehouse, with a carrier quote
    engine.ship(confirmation.shipments[0].id, now_ms)?;
    engine.check_invariants()?; // conservation, holds resolved exactly once

    println!("shipment {:?}", confirmation.shipments[0]);
    println!("events: {}", events.try_iter().count());
    Ok(())
}
