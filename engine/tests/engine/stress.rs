//! Stress: every core reserves, confirms and ships, releases, expires, receives and restocks
//! returns at once, on a few hot SKUs with little stock and many cold ones with plenty. After
//! each phase (all threads joined): the invariants hold (no cell oversold), the units on hand are
//! the opening stock plus receipts and restocked returns minus shipments, to the unit, and every
//! rejection was justified by the engine's own event: `InsufficientStock` carries the units its
//! deciding plan found short (positive), a take that lost every race is `Contended` (counted),
//! and the threads' rejections and the events agree in number.
//!
//! CI runs 3 phases of 60,000 attempts; `cargo test --release -p qm-engine -- --ignored stress`
//! runs 10^8.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use qm_engine::*;

const HOT_SKUS: u32 = 4;
const COLD_SKUS: u32 = 60;
const WAREHOUSES: u16 = 3;
const HOT_STOCK: i64 = 40;
const COLD_STOCK: i64 = 5_000;
const HOLD_TTL_MS: u64 = 5_000;

fn network() -> Network {
    let skus = (0..HOT_SKUS + COLD_SKUS)
        .map(|i| Sku {
            code: format!("S{i}"),
            unit_weight_grams: 500,
            unit_price_cents: Cents::new(1_000),
        })
        .collect();
    let warehouses = [
        ("LON", 51.5, -0.13),
        ("MAN", 53.48, -2.24),
        ("BRS", 51.45, -2.59),
    ]
    .iter()
    .map(|&(code, lat, lon)| Warehouse {
        code: code.into(),
        location: GeoPoint::new(lat, lon).unwrap(),
        capacity_lines_per_day: 1_000_000,
        storage_capacity_units: 10_000_000,
        cutoff_hour: 16,
    })
    .collect();
    let carriers = vec![Carrier {
        code: "POST".into(),
        bands: vec![RateBand {
            max_distance_km: 20_000.0,
            base_cents: Cents::new(300),
            per_kg_cents: Cents::new(50),
            transit_days: 2,
        }],
    }];
    Network::new(skus, warehouses, carriers).unwrap()
}

/// What one thread did that moves units on hand, and its rejections.
#[derive(Default)]
struct Tally {
    attempts: u64,
    holds: u64,
    rejections: u64,
    received: u64,
    restocked: u64,
    shipped: u64,
}

/// What the event consumer saw.
#[derive(Default, Debug)]
struct Seen {
    rejections: u64,
    insufficient: u64,
    contended: u64,
    unjustified: Vec<String>,
}

fn random_order(rng: &mut StdRng, id: u64, now: u64) -> ReserveRequest {
    let lines = (0..rng.random_range(1..=4))
        .map(|_| {
            let sku = if rng.random_bool(0.6) {
                rng.random_range(0..HOT_SKUS)
            } else {
                HOT_SKUS + rng.random_range(0..COLD_SKUS)
            };
            OrderLine {
                sku: SkuId(sku),
                quantity: rng.random_range(1..=4),
            }
        })
        .collect();
    ReserveRequest {
        order: Order {
            id: OrderId(id),
            channel: ChannelId(0),
            placed_at_ms: now,
            ship_to: GeoPoint::new(52.48, -1.89).unwrap(),
            service: ServiceLevel::Standard,
            lines,
        },
        split: if rng.random_bool(0.5) {
            SplitPolicy::SplitAllowed
        } else {
            SplitPolicy::SingleWarehouse
        },
        hold_ttl_ms: HOLD_TTL_MS,
    }
}

/// One thread's share of a phase: `attempts` reserve calls with the rest of the life cycle
/// woven in.
fn worker(engine: &Engine, clock: &AtomicU64, thread: u64, phase: u64, attempts: u64) -> Tally {
    let mut rng = StdRng::seed_from_u64(0x57E55 ^ (thread << 8) ^ phase);
    let mut tally = Tally::default();
    let mut open: Vec<OrderId> = Vec::new();
    let mut shipped: Vec<OrderId> = Vec::new();
    let tolerated = |e: &OrderError| matches!(e, OrderError::HoldExpired { .. });
    for i in 0..attempts {
        let now = clock.fetch_add(1, Ordering::Relaxed);
        let id = (phase << 56) | (thread << 40) | i;
        tally.attempts += 1;
        match engine
            .reserve(&random_order(&mut rng, id, now), now)
            .unwrap()
        {
            ReserveOutcome::Held(_) => {
                tally.holds += 1;
                open.push(OrderId(id));
            }
            ReserveOutcome::Rejected(_) => tally.rejections += 1,
        }
        if open.len() > 16 {
            let order = open.swap_remove(rng.random_range(0..open.len()));
            if rng.random_bool(0.3) {
                match engine.release(order, ReleaseReason::Cancelled, now) {
                    Ok(_) => {}
                    Err(e) if tolerated(&e) => {}
                    Err(e) => panic!("{e}"),
                }
            } else if rng.random_bool(0.8) {
                match engine.confirm(order, now) {
                    Ok(confirmation) => {
                        for shipment in confirmation.shipments {
                            tally.shipped += engine.ship(shipment.id, now).unwrap().units;
                        }
                        shipped.push(order);
                    }
                    Err(e) if tolerated(&e) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            // else: left to expire.
        }
        if i % 50 == 0 {
            engine.expire_holds(now);
        }
        if i % 20 == 0 {
            let sku = SkuId(rng.random_range(0..HOT_SKUS));
            let warehouse = WarehouseId(rng.random_range(0..WAREHOUSES));
            engine.receive(sku, warehouse, 6, now).unwrap();
            tally.received += 6;
        }
        if i % 30 == 0 && !shipped.is_empty() {
            let order = shipped.swap_remove(rng.random_range(0..shipped.len()));
            let returnable = engine.returnable_units(order, 0).unwrap();
            if returnable > 0 {
                let outcome = engine
                    .restock_return(order, 0, 1, Disposition::Restock, now)
                    .unwrap();
                tally.restocked += outcome
                    .by_warehouse
                    .iter()
                    .map(|&(_, u)| u as u64)
                    .sum::<u64>();
            }
        }
    }
    tally
}

/// Sets its flag when dropped.
struct Stop<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

fn consume(
    events: &crossbeam_channel::Receiver<Event>,
    seen: &Mutex<Seen>,
    done: &std::sync::atomic::AtomicBool,
) {
    loop {
        let event = match events.recv_timeout(std::time::Duration::from_millis(5)) {
            Ok(event) => event,
            Err(_) if done.load(Ordering::Acquire) => return,
            Err(_) => continue,
        };
        // Held while one event is counted: the main thread takes it to know counting is done.
        let mut seen = seen.lock().unwrap();
        if let EventKind::OrderRejected {
            order,
            rejection,
            short_at_decision,
            ..
        } = event.kind
        {
            seen.rejections += 1;
            match rejection {
                Rejection::InsufficientStock if short_at_decision > 0 => seen.insufficient += 1,
                Rejection::Contended => seen.contended += 1,
                other => {
                    if seen.unjustified.len() < 10 {
                        seen.unjustified.push(format!(
                            "{order:?}: {other:?} with {short_at_decision} units short at the decision"
                        ));
                    }
                }
            }
        }
    }
}

/// The engine with every cell stocked, and the units put in.
fn stocked_engine() -> (Engine, u64) {
    let mut engine = Engine::new(EngineConfig {
        network: network(),
        channels: vec![ChannelConfig {
            code: "web".into(),
            warehouses: (0..WAREHOUSES).map(WarehouseId).collect(),
            buffer: Buffer::None,
            buffer_overrides: vec![],
            strategy: StrategyKind::Nearest,
            capacity_aware: false,
        }],
        expected_open_orders: 4_096,
    })
    .unwrap();
    let mut opening = 0u64;
    for sku in 0..HOT_SKUS + COLD_SKUS {
        for w in 0..WAREHOUSES {
            let units = if sku < HOT_SKUS {
                HOT_STOCK
            } else {
                COLD_STOCK
            };
            engine
                .seed_stock(SkuId(sku), WarehouseId(w), units)
                .unwrap();
            opening += units as u64;
        }
    }
    (engine, opening)
}

/// Every thread's tally over the run so far.
#[derive(Default)]
struct Totals {
    attempts: u64,
    rejections: u64,
    received: u64,
    restocked: u64,
    shipped: u64,
}

impl Totals {
    fn add(&mut self, tally: &Tally) {
        self.attempts += tally.attempts;
        self.rejections += tally.rejections;
        self.received += tally.received;
        self.restocked += tally.restocked;
        self.shipped += tally.shipped;
    }
}

/// The checks after a phase, with every thread joined and every event counted.
fn check_phase(engine: &Engine, phase: u64, opening: u64, totals: &Totals, seen: &Seen) {
    engine
        .check_invariants()
        .unwrap_or_else(|v| panic!("phase {phase}: {v}"));
    let on_hand: u64 = (0..HOT_SKUS + COLD_SKUS)
        .flat_map(|s| (0..WAREHOUSES).map(move |w| (s, w)))
        .map(|(s, w)| {
            engine
                .cell_snapshot(SkuId(s), WarehouseId(w))
                .unwrap()
                .on_hand as u64
        })
        .sum();
    assert_eq!(
        on_hand,
        opening + totals.received + totals.restocked - totals.shipped,
        "phase {phase}: units on hand are not conserved"
    );
    assert_eq!(
        seen.rejections, totals.rejections,
        "phase {phase}: rejections without their event"
    );
    assert!(
        seen.unjustified.is_empty(),
        "phase {phase}: {:?}",
        seen.unjustified
    );
}

/// One phase: every thread runs its share, then the tallies are joined.
fn run_phase(
    engine: &Engine,
    clock: &AtomicU64,
    threads: u64,
    phase: u64,
    attempts: u64,
) -> Vec<Tally> {
    std::thread::scope(|workers| {
        let handles: Vec<_> = (0..threads)
            .map(|t| workers.spawn(move || worker(engine, clock, t, phase, attempts / threads)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn stress(phases: u64, attempts_per_phase: u64) {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2) as u64;
    let (mut engine, opening) = stocked_engine();
    let events = engine.subscribe();
    let engine = engine;
    let clock = AtomicU64::new(1);
    let seen = Mutex::new(Seen::default());
    let done = std::sync::atomic::AtomicBool::new(false);
    let mut totals = Totals::default();
    std::thread::scope(|scope| {
        scope.spawn(|| consume(&events, &seen, &done));
        // Stops the consumer when the phases end, also when a check fails (no hang).
        let _stop = Stop(&done);
        for phase in 0..phases {
            let tallies = run_phase(&engine, &clock, threads, phase, attempts_per_phase);
            tallies.iter().for_each(|t| totals.add(t));
            // Every event of the phase counted.
            while !events.is_empty() {
                std::thread::yield_now();
            }
            let seen = seen.lock().unwrap();
            check_phase(&engine, phase, opening, &totals, &seen);
            let holds: u64 = tallies.iter().map(|t| t.holds).sum();
            println!(
                "phase {phase}: {threads} threads, {} attempts so far; this phase {holds} holds; \
                 rejections so far {} ({} short at the decision, {} contended); shipped {}, \
                 received {}, restocked {}",
                totals.attempts,
                seen.rejections,
                seen.insufficient,
                seen.contended,
                totals.shipped,
                totals.received,
                totals.restocked
            );
        }
    });
    let seen = seen.into_inner().unwrap();
    // The hot SKUs run dry between receipts: the run saw stockouts, not only holds.
    assert!(
        seen.insufficient > 0 && totals.shipped > 0 && totals.restocked > 0,
        "{seen:?}"
    );
}

#[test]
fn every_core_on_hot_and_cold_skus_never_oversells_conserves_units_and_justifies_rejections() {
    stress(3, 60_000);
}

/// 10^8 reserve attempts: `cargo test --release -p qm-engine -- --ignored stress --nocapture`.
#[test]
#[ignore = "10^8 attempts: minutes; run by hand or in the nightly"]
fn stress_at_a_hundred_million_attempts() {
    // Wall time, for the rate printed (the test asserts nothing about it).
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    stress(10, 10_000_000);
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "10^8 attempts in {seconds:.1} s: {:.2} M attempts/s",
        1e8 / seconds / 1e6
    );
}
