//! Engine benchmarks (criterion). `cargo bench -p qm-benches --bench engine` runs the real
//! sizes; `cargo test` runs each once on a small workload so the benches never rot.
//!
//! Groups:
//! - `reserve_1_thread`: order lines reserved per second on one thread, per strategy, one
//!   `reserve` call per order and (`<strategy>_batch`) through `reserve_batch`,
//!   against a plain array check-and-decrement loop and a `Mutex<HashMap>` engine, on
//!   10,000 SKUs × 8 warehouses, Zipf(1.1) popularity, 1–5 lines per order.
//! - `low_contention`: the same with uniform popularity, one thread against two; two threads
//!   dealt orders round robin, and by order shard (`Engine::order_shard`, no shared order-table
//!   memory). `array_{1,2}_thread` is the array loop with a stock copy per thread: how much
//!   this machine gives a second thread at that moment, beside what the engine gets.
//! - `flash_sale`: two threads on one hot SKU that sells out half-way; the p50/p99 of a
//!   reserve call is printed after the group.
//! - `lifecycle`: confirm, release, ship and an expiry sweep over the held orders, per call.
//! - `snapshot`: the copy a durable writer pauses for, and the conversion after it.

// Benchmarks measure wall time by design.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hdrhistogram::Histogram;
use qm_benches::*;
use qm_engine::*;

/// (SKUs, orders).
fn scale() -> (usize, usize) {
    bench_size((10_000, 200_000), (500, 2_000))
}

/// Stock as a share of expected demand, tuned so that about one order in five meets a
/// stockout at its nearest warehouse (measured and printed when the benches start).
fn cover() -> f64 {
    std::env::var("QM_BENCH_COVER")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(COVER)
}

const COVER: f64 = 0.85;

fn describe(workload: &Workload) {
    // How many orders find their nearest warehouse short of a unit when they arrive.
    let engine = workload.engine(StrategyKind::Nearest);
    let (mut met_stockout, mut rejected) = (0u64, 0u64);
    for order in &workload.orders {
        let request = ReserveRequest {
            order: order.clone(),
            split: SplitPolicy::SplitAllowed,
            hold_ttl_ms: 3_600_000,
        };
        let explanation = engine.explain(&request, 0).unwrap();
        met_stockout += !explanation.candidates[0].ships_whole_order as u64;
        rejected += matches!(
            engine.reserve(&request, 0).unwrap(),
            ReserveOutcome::Rejected(_)
        ) as u64;
    }
    let n = workload.orders.len() as f64;
    eprintln!(
        "workload: {} SKUs x 8 warehouses, {} orders, {} lines; {:.1} % of orders met a stockout at their nearest warehouse, {:.1} % rejected (nearest, split allowed); cores {}, load {}",
        workload.skus,
        workload.orders.len(),
        workload.lines,
        100.0 * met_stockout as f64 / n,
        100.0 * rejected as f64 / n,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        load_average()
    );
}

/// Times `run` on a fresh state from `setup` each iteration; setup is not timed.
fn fresh_each_time<S>(
    iters: u64,
    mut setup: impl FnMut() -> S,
    mut run: impl FnMut(&mut S),
) -> Duration {
    (0..iters)
        .map(|_| {
            let mut state = setup();
            let start = Instant::now();
            run(&mut state);
            start.elapsed()
        })
        .sum()
}

/// Reserves a run of requests on one engine; returns the rejections.
type ReserveAll = fn(&Engine, &[ReserveRequest]) -> u64;

/// The two ways of reserving a run of requests, with the suffix of their bench names:
/// one `reserve` call per order, and `reserve_batch`.
const RESERVE_MODES: [(&str, ReserveAll); 2] = [("", reserve_all), ("_batch", reserve_all_batched)];

fn reserve_1_thread(c: &mut Criterion) {
    let (skus, orders) = scale();
    let workload = Workload::new(skus, orders, Popularity::Zipf(1.1), cover(), 7);
    describe(&workload);
    let requests = requests(&workload.orders);
    let mut group = c.benchmark_group("reserve_1_thread");
    group
        .throughput(Throughput::Elements(workload.lines))
        .sample_size(10)
        .measurement_time(Duration::from_secs(6));
    for strategy in StrategyKind::ALL {
        for (suffix, reserve) in RESERVE_MODES {
            group.bench_function(format!("{}{suffix}", strategy.name()), |b| {
                b.iter_custom(|iters| {
                    fresh_each_time(
                        iters,
                        || workload.engine(strategy),
                        |engine| {
                            black_box(reserve(engine, &requests));
                        },
                    )
                })
            });
        }
    }
    group.bench_function("array_check_and_decrement", |b| {
        b.iter_custom(|iters| {
            fresh_each_time(
                iters,
                || workload.stock.clone(),
                |stock| {
                    black_box(array_check_and_decrement(stock, &workload.orders));
                },
            )
        })
    });
    group.bench_function("mutex_hashmap", |b| {
        b.iter_custom(|iters| {
            fresh_each_time(
                iters,
                || MutexHashMapEngine::new(&workload),
                |engine| {
                    for order in &workload.orders {
                        black_box(engine.reserve(order));
                    }
                },
            )
        })
    });
    group.finish();
}

/// Runs `work(thread, items)` on `threads` threads over interleaved slices of the items;
/// returns the wall time from a common start to the last thread's end.
fn timed_threads<T: Clone + Send + Sync>(
    threads: usize,
    items: &[T],
    work: impl Fn(usize, &[T]) + Sync,
) -> Duration {
    timed_chunks(&deal(items, threads, |i, _| i), work)
}

fn low_contention(c: &mut Criterion) {
    let (skus, orders) = scale();
    let workload = Workload::new(skus, orders, Popularity::Uniform, cover(), 11);
    let requests = requests(&workload.orders);
    eprintln!(
        "low_contention: uniform popularity; cores {}, load before {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        load_average()
    );
    let mut group = c.benchmark_group("low_contention");
    group
        .throughput(Throughput::Elements(workload.lines))
        .sample_size(10)
        .measurement_time(Duration::from_secs(6));
    for threads in [1, 2] {
        // One thread needs no routing; two are measured dealt round robin and by order shard.
        let routings: &[Routing] = if threads == 1 {
            &[Routing::Interleaved]
        } else {
            &[Routing::Interleaved, Routing::ByOrderShard]
        };
        for &routing in routings {
            let chunks = route(&requests, threads, routing);
            let routed = match routing {
                Routing::ByOrderShard => "_by_shard",
                Routing::Interleaved => "",
            };
            for (suffix, reserve) in RESERVE_MODES {
                group.bench_function(format!("nearest_{threads}_thread{routed}{suffix}"), |b| {
                    b.iter_custom(|iters| {
                        (0..iters)
                            .map(|_| {
                                let engine = workload.engine(StrategyKind::Nearest);
                                timed_chunks(&chunks, |_, requests| {
                                    black_box(reserve(&engine, requests));
                                })
                            })
                            .sum()
                    })
                });
            }
        }
        // The machine's own scaling, for reading the engine's: the array loop with each thread
        // on its own copy of the stock (nothing shared), dealt round robin. On this VM it swings
        // from ~1.1x to ~1.9x between minutes, with the host's steal time.
        let order_chunks = deal(&workload.orders, threads, |i, _| i);
        group.bench_function(format!("array_{threads}_thread"), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let stocks: Vec<Mutex<Vec<u32>>> = (0..threads)
                            .map(|_| Mutex::new(workload.stock.clone()))
                            .collect();
                        timed_chunks(&order_chunks, |t, orders| {
                            let mut stock = stocks[t].lock().unwrap();
                            black_box(array_check_and_decrement(&mut stock, orders));
                        })
                    })
                    .sum()
            })
        });
        group.bench_function(format!("mutex_hashmap_{threads}_thread"), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let engine = MutexHashMapEngine::new(&workload);
                        timed_threads(threads, &workload.orders, |_, orders| {
                            for order in orders {
                                black_box(engine.reserve(order));
                            }
                        })
                    })
                    .sum()
            })
        });
    }
    group.finish();
    eprintln!("low_contention: load after {}", load_average());
}

fn flash_sale(c: &mut Criterion) {
    let (_, orders) = scale();
    // Every order: one unit of SKU 0. Stock for half of them, spread over the 8 warehouses.
    let mut workload = Workload::new(10, orders, Popularity::Uniform, 0.0, 3);
    for order in &mut workload.orders {
        order.lines = vec![OrderLine {
            sku: SkuId(0),
            quantity: 1,
        }];
    }
    workload.lines = orders as u64;
    workload
        .stock
        .iter_mut()
        .take(8)
        .for_each(|units| *units = (orders / 16) as u32);
    let requests = requests(&workload.orders);
    let last: Mutex<Option<Histogram<u64>>> = Mutex::new(None);
    let mut group = c.benchmark_group("flash_sale");
    group
        .throughput(Throughput::Elements(orders as u64))
        .sample_size(10)
        .measurement_time(Duration::from_secs(6));
    group.bench_function("nearest_2_threads_1_sku", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let engine = workload.engine(StrategyKind::Nearest);
                let merged = Mutex::new(Histogram::<u64>::new(3).unwrap());
                total += timed_threads(2, &requests, |_, requests| {
                    let mut histogram = Histogram::<u64>::new(3).unwrap();
                    for request in requests {
                        let start = Instant::now();
                        black_box(engine.reserve(request, 0).unwrap());
                        histogram.record(start.elapsed().as_nanos() as u64).unwrap();
                    }
                    merged.lock().unwrap().add(&histogram).unwrap();
                });
                *last.lock().unwrap() = Some(merged.into_inner().unwrap());
            }
            total
        })
    });
    group.finish();
    if let Some(histogram) = last.into_inner().unwrap() {
        eprintln!(
            "flash_sale reserve latency (incl. ~20 ns timer overhead): {}",
            percentiles(&histogram)
        );
    }
}

/// The calls after `reserve`, one thread, on the held orders of the Zipf workload (nearest,
/// split allowed): per-call cost of confirm, ship, release, and one `expire_holds` sweep.
fn lifecycle(c: &mut Criterion) {
    let (skus, orders) = scale();
    let workload = Workload::new(skus, orders, Popularity::Zipf(1.1), cover(), 7);
    let requests = requests(&workload.orders);
    let held = || {
        let engine = workload.engine(StrategyKind::Nearest);
        let mut ids = Vec::with_capacity(requests.len());
        for request in &requests {
            if let ReserveOutcome::Held(_) = engine.reserve(request, 0).unwrap() {
                ids.push(request.order.id);
            }
        }
        (engine, ids)
    };
    let calls = held().1.len() as u64;
    let mut group = c.benchmark_group("lifecycle");
    group
        .throughput(Throughput::Elements(calls))
        .sample_size(10)
        .measurement_time(Duration::from_secs(6));
    group.bench_function("confirm", |b| {
        b.iter_custom(|iters| {
            fresh_each_time(iters, held, |(engine, ids)| {
                for &id in ids.iter() {
                    black_box(engine.confirm(id, 1).unwrap());
                }
            })
        })
    });
    group.bench_function("release", |b| {
        b.iter_custom(|iters| {
            fresh_each_time(iters, held, |(engine, ids)| {
                for &id in ids.iter() {
                    black_box(engine.release(id, ReleaseReason::Cancelled, 1).unwrap());
                }
            })
        })
    });
    group.bench_function("expire_holds_all", |b| {
        b.iter_custom(|iters| {
            fresh_each_time(iters, held, |(engine, _)| {
                black_box(engine.expire_holds(3_600_001));
            })
        })
    });
    // Shipments per confirmed order vary; the figure is per order shipped complete.
    group.bench_function("ship_every_shipment", |b| {
        b.iter_custom(|iters| {
            fresh_each_time(
                iters,
                || {
                    let (engine, ids) = held();
                    let shipments: Vec<ShipmentId> = ids
                        .iter()
                        .flat_map(|&id| engine.confirm(id, 1).unwrap().shipments)
                        .map(|s| s.id)
                        .collect();
                    (engine, shipments)
                },
                |(engine, shipments)| {
                    for &shipment in shipments.iter() {
                        black_box(engine.ship(shipment, 2).unwrap());
                    }
                },
            )
        })
    });
    group.finish();
}

/// A snapshot of the Zipf workload's engine with every order held (200,000 orders, 10,000 SKUs ×
/// 8 warehouses): the copy the durable writer pauses for (`export_raw`), and the conversion and
/// encoding the snapshot thread does afterwards.
fn snapshot(c: &mut Criterion) {
    let (skus, orders) = scale();
    let workload = Workload::new(skus, orders, Popularity::Zipf(1.1), cover(), 7);
    let engine = workload.engine(StrategyKind::Nearest);
    black_box(reserve_all(&engine, &requests(&workload.orders)));
    let held = engine.order_count() as u64;
    let mut group = c.benchmark_group("snapshot");
    group
        .throughput(Throughput::Elements(held))
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("export_raw", |b| b.iter(|| black_box(engine.export_raw())));
    group.bench_function("convert_and_encode", |b| {
        b.iter_batched(
            || engine.export_raw(),
            |raw| black_box(qm_engine::snapshot::encode(1, &raw.into_state())),
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
    eprintln!(
        "snapshot of {held} orders: {} bytes",
        qm_engine::snapshot::encode(1, &engine.export_state()).len()
    );
}

criterion_group!(
    benches,
    reserve_1_thread,
    low_contention,
    flash_sale,
    lifecycle,
    snapshot
);
criterion_main!(benches);
