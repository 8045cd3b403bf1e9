//! Benchmark workloads and the naive baselines the engine is measured against.
//!
//! Everything here is seeded: the same workload comes out every run.

// The naive baseline uses std's HashMap on purpose: it is what people write first.
#![allow(clippy::disallowed_types)]

use std::collections::HashMap;
use std::hint::spin_loop;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use qm_engine::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Zipf};

/// `full` under `cargo bench` (which passes `--bench`), `small` anywhere else: `cargo test` runs
/// every bench once on the small size, so that the benches never rot.
pub fn bench_size<T>(full: T, small: T) -> T {
    if std::env::args().any(|a| a == "--bench") {
        full
    } else {
        small
    }
}

/// Eight US fulfillment centres.
pub const WAREHOUSES: [(&str, f64, f64); 8] = [
    ("EWR", 40.73, -74.17),
    ("ATL", 33.75, -84.39),
    ("ORD", 41.88, -87.63),
    ("DFW", 32.78, -96.80),
    ("DEN", 39.74, -104.99),
    ("PHX", 33.45, -112.07),
    ("LAX", 34.05, -118.24),
    ("SEA", 47.61, -122.33),
];

/// Ship-to points: US metros.
const METROS: [(f64, f64); 20] = [
    (40.71, -74.01),
    (34.05, -118.24),
    (41.88, -87.63),
    (29.76, -95.37),
    (33.45, -112.07),
    (39.95, -75.17),
    (29.42, -98.49),
    (32.72, -117.16),
    (32.78, -96.80),
    (37.34, -121.89),
    (30.27, -97.74),
    (30.33, -81.66),
    (39.96, -83.00),
    (35.23, -80.84),
    (37.77, -122.42),
    (39.77, -86.16),
    (47.61, -122.33),
    (39.74, -104.99),
    (38.91, -77.04),
    (42.36, -71.06),
];

/// How SKU demand is spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Popularity {
    /// Zipf with this exponent: a few SKUs take most orders (contention on hot cells).
    Zipf(f64),
    /// Every SKU equally likely (low contention).
    Uniform,
}

/// A workload: the network, the orders, and the opening stock per cell.
pub struct Workload {
    /// SKUs in the catalog.
    pub skus: usize,
    /// Orders to reserve, in arrival order.
    pub orders: Vec<Order>,
    /// Opening stock, indexed `sku * 8 + warehouse`.
    pub stock: Vec<u32>,
    /// Order lines in all.
    pub lines: u64,
}

/// A network of `skus` generated SKUs and the eight US warehouses of [`WAREHOUSES`].
pub fn network(skus: usize) -> Network {
    let catalog = (0..skus)
        .map(|i| Sku {
            code: format!("SKU{i:05}"),
            unit_weight_grams: 200 + (i as u32 * 37) % 3_000,
            unit_price_cents: Cents::new(500 + (i as u64 * 13) % 20_000),
        })
        .collect();
    let warehouses = WAREHOUSES
        .iter()
        .map(|&(code, lat, lon)| Warehouse {
            code: code.into(),
            location: GeoPoint::new(lat, lon).unwrap(),
            capacity_lines_per_day: u32::MAX,
            storage_capacity_units: u64::MAX,
            cutoff_hour: 16,
        })
        .collect();
    let band = |max_distance_km, base_cents, per_kg_cents, transit_days| RateBand {
        max_distance_km,
        base_cents: Cents::new(base_cents),
        per_kg_cents: Cents::new(per_kg_cents),
        transit_days,
    };
    let carriers = vec![
        Carrier {
            code: "GROUND".into(),
            bands: vec![
                band(500.0, 600, 40, 2),
                band(1_500.0, 800, 70, 4),
                band(6_000.0, 1_100, 110, 6),
            ],
        },
        Carrier {
            code: "AIR".into(),
            bands: vec![band(1_500.0, 1_600, 150, 1), band(6_000.0, 2_400, 260, 2)],
        },
    ];
    Network::new(catalog, warehouses, carriers).unwrap()
}

impl Workload {
    /// `orders` orders of 1–5 lines over `skus` SKUs; stock per cell is `cover` times the
    /// cell's share of the expected demand (below 1, some orders meet stockouts).
    pub fn new(skus: usize, orders: usize, popularity: Popularity, cover: f64, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let metros: Vec<GeoPoint> = METROS
            .iter()
            .map(|&(lat, lon)| GeoPoint::new(lat, lon).unwrap())
            .collect();
        let zipf = match popularity {
            Popularity::Zipf(s) => Some(Zipf::new(skus as f64, s).unwrap()),
            Popularity::Uniform => None,
        };
        let mut demand = vec![0u64; skus];
        let mut lines = 0;
        let orders: Vec<Order> = (0..orders as u64)
            .map(|id| {
                let count = rng.random_range(1..=5);
                lines += count as u64;
                let order_lines = (0..count)
                    .map(|_| {
                        let sku = match &zipf {
                            Some(z) => z.sample(&mut rng) as usize - 1,
                            None => rng.random_range(0..skus),
                        };
                        let quantity = [1, 1, 1, 1, 1, 1, 1, 2, 2, 3][rng.random_range(0..10)];
                        demand[sku] += quantity as u64;
                        OrderLine {
                            sku: SkuId(sku as u32),
                            quantity,
                        }
                    })
                    .collect();
                Order {
                    id: OrderId(id),
                    channel: ChannelId(0),
                    placed_at_ms: id,
                    ship_to: metros[rng.random_range(0..metros.len())],
                    service: ServiceLevel::Standard,
                    lines: order_lines,
                }
            })
            .collect();
        // Stock sits where demand is: each warehouse gets the share of ship-to metros it is
        // nearest to (at least 2 %, so no warehouse is empty).
        let warehouses: Vec<GeoPoint> = WAREHOUSES
            .iter()
            .map(|&(_, lat, lon)| GeoPoint::new(lat, lon).unwrap())
            .collect();
        let mut share = vec![0.02; warehouses.len()];
        for metro in &metros {
            let nearest = (0..warehouses.len())
                .max_by(|&a, &b| {
                    metro
                        .closeness(&warehouses[a])
                        .total_cmp(&metro.closeness(&warehouses[b]))
                })
                .unwrap();
            share[nearest] += 1.0 / metros.len() as f64;
        }
        let stock = demand
            .iter()
            .flat_map(|&units| {
                share
                    .iter()
                    .map(move |s| (units as f64 * cover * s).ceil() as u32)
            })
            .collect();
        Self {
            skus,
            orders,
            stock,
            lines,
        }
    }

    /// A fresh engine for this workload with one channel using `strategy`, stock loaded.
    pub fn engine(&self, strategy: StrategyKind) -> Engine {
        let channel = ChannelConfig {
            code: "web".into(),
            warehouses: (0..WAREHOUSES.len() as u16).map(WarehouseId).collect(),
            buffer: Buffer::None,
            buffer_overrides: vec![],
            strategy,
            capacity_aware: false,
        };
        let config = EngineConfig {
            network: network(self.skus),
            channels: vec![channel],
            expected_open_orders: self.orders.len(),
        };
        let mut engine = Engine::new(config).unwrap();
        for (cell, &units) in self.stock.iter().enumerate() {
            if units > 0 {
                let (sku, warehouse) = (SkuId((cell / 8) as u32), WarehouseId((cell % 8) as u16));
                engine.seed_stock(sku, warehouse, units as i64).unwrap();
            }
        }
        engine
    }
}

/// Reserve requests for `orders` (split allowed, one-hour holds), built once before timing,
/// as a service parses each order once before it reaches the engine.
pub fn requests(orders: &[Order]) -> Vec<ReserveRequest> {
    orders
        .iter()
        .map(|order| ReserveRequest {
            order: order.clone(),
            split: SplitPolicy::SplitAllowed,
            hold_ttl_ms: 3_600_000,
        })
        .collect()
}

/// How a multi-threaded bench deals requests to its threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    /// Round robin: every thread writes into every order shard.
    Interleaved,
    /// By [`Engine::order_shard`]: each thread owns the orders of its shards, as a router in
    /// front of sharded writers would deal them, so threads share stock but no order-table memory.
    ByOrderShard,
}

impl Routing {
    /// The name used in bench ids and example arguments.
    pub fn name(self) -> &'static str {
        match self {
            Routing::Interleaved => "interleaved",
            Routing::ByOrderShard => "by_shard",
        }
    }
}

/// `items` dealt to `threads` threads, each in arrival order; `thread_of(i, item)` picks the
/// thread of the `i`th item.
pub fn deal<T: Clone>(
    items: &[T],
    threads: usize,
    thread_of: impl Fn(usize, &T) -> usize,
) -> Vec<Vec<T>> {
    assert!(threads > 0, "no thread to deal to");
    let mut chunks = vec![Vec::new(); threads];
    for (i, item) in items.iter().enumerate() {
        chunks[thread_of(i, item) % threads].push(item.clone());
    }
    chunks
}

/// `requests` dealt to `threads` threads, each in arrival order.
pub fn route(
    requests: &[ReserveRequest],
    threads: usize,
    routing: Routing,
) -> Vec<Vec<ReserveRequest>> {
    match routing {
        Routing::Interleaved => deal(requests, threads, |i, _| i),
        Routing::ByOrderShard => deal(requests, threads, |_, request| {
            Engine::order_shard(request.order.id)
        }),
    }
}

/// Reserves every request on `engine`; returns how many were rejected.
pub fn reserve_all(engine: &Engine, requests: &[ReserveRequest]) -> u64 {
    let mut rejected = 0;
    for request in requests {
        if let ReserveOutcome::Rejected(_) =
            engine.reserve(request, request.order.placed_at_ms).unwrap()
        {
            rejected += 1;
        }
    }
    rejected
}

/// Requests per [`Engine::reserve_batch`] call in the batched benches: a writer's batch, as the
/// durable runtime forms them.
pub const BENCH_BATCH: usize = 256;

/// Reserves every request through [`Engine::reserve_batch`], [`BENCH_BATCH`] at a time, each batch
/// at its first order's placement time; returns how many were rejected.
pub fn reserve_all_batched(engine: &Engine, requests: &[ReserveRequest]) -> u64 {
    let mut results = Vec::with_capacity(BENCH_BATCH);
    let mut rejected = 0;
    for batch in requests.chunks(BENCH_BATCH) {
        engine.reserve_batch(batch, batch[0].order.placed_at_ms, &mut results);
        for result in &results {
            if let ReserveOutcome::Rejected(_) = result.as_ref().unwrap() {
                rejected += 1;
            }
        }
    }
    rejected
}

/// The floor: a plain array check-and-decrement per line, first warehouse with stock, no
/// order semantics at all. Returns lines that found no stock.
pub fn array_check_and_decrement(stock: &mut [u32], orders: &[Order]) -> u64 {
    let mut short = 0;
    for order in orders {
        for line in &order.lines {
            let base = line.sku.index() * 8;
            let quantity = line.quantity as u32;
            match stock[base..base + 8]
                .iter_mut()
                .find(|units| **units >= quantity)
            {
                Some(units) => *units -= quantity,
                None => short += 1,
            }
        }
    }
    short
}

/// The array loop on stock that threads share: the same first-fit per line, each take a
/// compare-and-swap. Beside [`array_check_and_decrement`] on a copy per thread, it shows what
/// sharing stock lines between cores costs on this machine at that moment, with no engine.
pub fn shared_array_check_and_decrement(stock: &[AtomicU32], orders: &[Order]) -> u64 {
    let mut short = 0;
    for order in orders {
        for line in &order.lines {
            let base = line.sku.index() * 8;
            let quantity = line.quantity as u32;
            let taken = stock[base..base + 8].iter().any(|units| {
                units
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
                        now.checked_sub(quantity)
                    })
                    .is_ok()
            });
            short += u64::from(!taken);
        }
    }
    short
}

/// Words in each thread's buffer for [`random_increments`]: 64 MiB, twice this machine's L3,
/// so that most increments go to memory, as the engine's order-table writes do.
pub const RANDOM_BUFFER_WORDS: usize = 8 << 20;

/// The machine's memory-bound floor: `count` increments at pseudo-random places in `buffer`
/// (a multiplicative hash of the step and `seed`), each prefetched eight steps ahead as a
/// batch prefetches the engine's lines. On threads that each own a buffer, nothing is shared
/// but the memory system itself: two threads ÷ one says what this VM gives a second thread
/// whose work waits on memory, beside the array loop, whose work stays in cache.
pub fn random_increments(buffer: &mut [u64], count: usize, seed: u64) -> u64 {
    assert!(!buffer.is_empty(), "no buffer to write to");
    let len = buffer.len();
    let place = |step: usize| {
        ((step as u64 ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20) as usize % len
    };
    for step in 0..count {
        let ahead = buffer.as_ptr().wrapping_add(place(step + 8));
        qm_engine::arch::prefetch_read(ahead);
        let at = place(step);
        buffer[at] = buffer[at].wrapping_add(step as u64);
    }
    buffer[0]
}

/// Units per (SKU, warehouse).
type NaiveStock = HashMap<(u32, u16), u32>;
/// Picks (SKU, warehouse, units) per order id.
type NaiveHolds = HashMap<u64, Vec<(u32, u16, u32)>>;

/// The naive engine people write first: one `Mutex<HashMap>` over all stock and holds.
/// Nearest warehouse that ships the whole order, else line by line; all or nothing.
pub struct MutexHashMapEngine {
    state: Mutex<(NaiveStock, NaiveHolds)>,
    warehouses: Vec<GeoPoint>,
}

impl MutexHashMapEngine {
    /// Loads the workload's stock.
    pub fn new(workload: &Workload) -> Self {
        let stock = workload
            .stock
            .iter()
            .enumerate()
            .map(|(cell, &units)| (((cell / 8) as u32, (cell % 8) as u16), units))
            .collect();
        let warehouses = WAREHOUSES
            .iter()
            .map(|&(_, lat, lon)| GeoPoint::new(lat, lon).unwrap())
            .collect();
        Self {
            state: Mutex::new((stock, HashMap::new())),
            warehouses,
        }
    }

    /// Reserves one order; `false` if it cannot be filled.
    pub fn reserve(&self, order: &Order) -> bool {
        let mut ranked: Vec<(f64, u16)> = self
            .warehouses
            .iter()
            .enumerate()
            .map(|(i, w)| (-order.ship_to.closeness(w), i as u16))
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut guard = self.state.lock().unwrap();
        let (stock, holds) = &mut *guard;
        let mut picks = Vec::new();
        // Units of the line's SKU that this line and the earlier lines of the order need.
        let need = |i: usize| {
            order.lines[..=i]
                .iter()
                .filter(|l| l.sku == order.lines[i].sku)
                .map(|l| l.quantity as u32)
                .sum::<u32>()
        };
        let whole = ranked.iter().find(|(_, w)| {
            (0..order.lines.len()).all(|i| stock[&(order.lines[i].sku.0, *w)] >= need(i))
        });
        if let Some(&(_, w)) = whole {
            picks.extend(order.lines.iter().map(|l| (l.sku.0, w, l.quantity as u32)));
        } else {
            for line in &order.lines {
                let mut left = line.quantity as u32;
                for &(_, w) in &ranked {
                    let free = stock[&(line.sku.0, w)].saturating_sub(
                        picks
                            .iter()
                            .filter(|p: &&(u32, u16, u32)| p.0 == line.sku.0 && p.1 == w)
                            .map(|p| p.2)
                            .sum(),
                    );
                    let take = free.min(left);
                    if take > 0 {
                        picks.push((line.sku.0, w, take));
                        left -= take;
                    }
                }
                if left > 0 {
                    return false;
                }
            }
        }
        for &(sku, w, units) in &picks {
            *stock.get_mut(&(sku, w)).unwrap() -= units;
        }
        holds.insert(order.id.0, picks);
        true
    }
}

/// Runs `work(t, &chunks[t])` for every chunk at once, chunk 0 on the calling thread and each
/// other on a thread of its own; returns the wall time from the moment every thread is running
/// to the moment the last one is done.
///
/// The threads spin at the start line and the caller spins at the finish, rather than block: on
/// this VM a thread whose virtual CPU is idle waits for the host to schedule it, for up to
/// milliseconds, and a timer started before that wake-up measures how fast a thread starts, not
/// how fast it works. Timed from spawn and join, the share-nothing array loop read 1.0× on two
/// threads; timed this way, 1.7–2.1× in the same pairs (`benches/history/`).
/// Meant for as many threads as cores: spinning threads beyond that take turns.
// Wall time is what a bench measures.
#[allow(clippy::disallowed_methods)]
pub fn timed_chunks<T: Sync>(chunks: &[Vec<T>], work: impl Fn(usize, &[T]) + Sync) -> Duration {
    /// Counts its thread as done even if `work` panics, so the caller never spins forever.
    struct Finish<'a>(&'a AtomicUsize);
    impl Drop for Finish<'_> {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Release);
        }
    }
    let helpers = chunks.len().saturating_sub(1);
    let (ready, go, done) = (
        AtomicUsize::new(0),
        AtomicBool::new(false),
        AtomicUsize::new(0),
    );
    std::thread::scope(|scope| {
        for (t, chunk) in chunks.iter().enumerate().skip(1) {
            let (ready, go, done, work) = (&ready, &go, &done, &work);
            scope.spawn(move || {
                let _finish = Finish(done);
                ready.fetch_add(1, Ordering::Release);
                while !go.load(Ordering::Acquire) {
                    spin_loop();
                }
                work(t, chunk);
            });
        }
        while ready.load(Ordering::Acquire) < helpers {
            spin_loop();
        }
        let start = Instant::now();
        go.store(true, Ordering::Release);
        if let Some(first) = chunks.first() {
            work(0, first);
        }
        while done.load(Ordering::Acquire) < helpers {
            spin_loop();
        }
        start.elapsed()
    })
}

/// How long a cache line takes to go to another core and back (ns, mean of `round_trips`),
/// two threads passing one counter. On a VM this says how far apart the host has put its
/// virtual CPUs at that moment: here it moves from 30 ns (one physical core) through ~80 ns
/// (a shared cache) to 400–560 ns and, when the host preempts one of them, past 1 µs, within
/// minutes; every figure of threads sharing stock moves with it.
// Wall time is what a bench measures.
#[allow(clippy::disallowed_methods)]
pub fn cross_core_round_trip_ns(round_trips: u64) -> f64 {
    assert!(round_trips > 0, "no round trip to time");
    let counter = AtomicU64::new(0);
    let started = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (counter, started) = (&counter, &started);
        scope.spawn(move || {
            started.store(true, Ordering::Release);
            for trip in 0..round_trips {
                while counter.load(Ordering::Acquire) != 2 * trip + 1 {
                    spin_loop();
                }
                counter.store(2 * trip + 2, Ordering::Release);
            }
        });
        while !started.load(Ordering::Acquire) {
            spin_loop();
        }
        let start = Instant::now();
        for trip in 0..round_trips {
            counter.store(2 * trip + 1, Ordering::Release);
            while counter.load(Ordering::Acquire) != 2 * trip + 2 {
                spin_loop();
            }
        }
        start.elapsed().as_nanos() as f64 / round_trips as f64
    })
}

/// The machine's 1-minute load average, to print beside multi-thread figures.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Latency percentiles (ns) of a histogram, as one line.
pub fn percentiles(histogram: &hdrhistogram::Histogram<u64>) -> String {
    format!(
        "p50 {} ns, p90 {} ns, p99 {} ns, p99.9 {} ns, max {} ns ({} calls)",
        histogram.value_at_quantile(0.5),
        histogram.value_at_quantile(0.9),
        histogram.value_at_quantile(0.99),
        histogram.value_at_quantile(0.999),
        histogram.max(),
        histogram.len()
    )
}

/// Picks a random element with the given generator (used to build flash-sale orders).
pub fn seeded_rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}
