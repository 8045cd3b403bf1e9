//! Quick reserve throughput, best of N runs, for profiling:
//! `cargo run --release -p qm-benches --example reserve_loop [strategy] [runs] [threads] [uniform|zipf] [call|batch] [interleaved|by_shard]`.
//! `call` (the default) makes one `reserve` call per order; `batch` goes through `reserve_batch`.
//! Threads get the orders round robin (`interleaved`, the default) or by order shard (`by_shard`).

// Benchmarks measure wall time by design.
#![allow(clippy::disallowed_methods)]

use std::time::Instant;

use qm_benches::*;
use qm_engine::StrategyKind;

fn main() {
    let mut args = std::env::args().skip(1);
    let strategy = args
        .next()
        .and_then(|s| StrategyKind::from_name(&s))
        .unwrap_or(StrategyKind::Nearest);
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    let threads: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let popularity = if args.next().as_deref() == Some("uniform") {
        Popularity::Uniform
    } else {
        Popularity::Zipf(1.1)
    };
    let batched = args.next().as_deref() == Some("batch");
    let reserve = |engine: &qm_engine::Engine, requests: &[qm_engine::ReserveRequest]| {
        if batched {
            reserve_all_batched(engine, requests)
        } else {
            reserve_all(engine, requests)
        }
    };
    let workload = Workload::new(10_000, 200_000, popularity, 0.85, 7);
    let requests = requests(&workload.orders);
    let routing = if args.next().as_deref() == Some("by_shard") {
        Routing::ByOrderShard
    } else {
        Routing::Interleaved
    };
    let chunks = route(&requests, threads, routing);
    let mut best = f64::MAX;
    for _ in 0..runs {
        let engine = workload.engine(strategy);
        let start = Instant::now();
        if threads == 1 {
            // On the thread that built the engine, like the criterion bench.
            std::hint::black_box(reserve(&engine, &requests));
        } else {
            std::thread::scope(|scope| {
                for chunk in &chunks {
                    let engine = &engine;
                    let reserve = &reserve;
                    scope.spawn(move || std::hint::black_box(reserve(engine, chunk)));
                }
            });
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let mut stock = workload.stock.clone();
    let start = Instant::now();
    std::hint::black_box(array_check_and_decrement(&mut stock, &workload.orders));
    let array = start.elapsed().as_secs_f64();
    println!(
        "{}{} x{threads} {}: {:.2} M lines/s (best of {runs}); array loop {:.1} M lines/s; load {}",
        strategy.name(),
        if batched { " batch" } else { "" },
        routing.name(),
        workload.lines as f64 / best / 1e6,
        workload.lines as f64 / array / 1e6,
        load_average()
    );
}
