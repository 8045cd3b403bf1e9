//! Quick reserve throughput over N runs (best and median, each beside the array loop timed
//! right after it), for profiling and A/B comparisons:
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
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(7).max(1);
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
    // This VM's speed moves in phases of about a second (the same binary runs at 8.7 or 13 M
    // lines/s from one run to the next), so each run is followed by the array loop, timed in
    // the same phase, and the summary gives the best and the median of each.
    let (mut rates, mut array_rates) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let lines = workload.lines as f64;
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
        rates.push(lines / start.elapsed().as_secs_f64() / 1e6);
        let mut stock = workload.stock.clone();
        let start = Instant::now();
        std::hint::black_box(array_check_and_decrement(&mut stock, &workload.orders));
        array_rates.push(lines / start.elapsed().as_secs_f64() / 1e6);
    }
    let (best, median) = best_and_median(&mut rates);
    let (array_best, array_median) = best_and_median(&mut array_rates);
    println!(
        "{}{} x{threads} {}: {best:.2} M lines/s (best of {runs}, median {median:.2}); array loop {array_best:.1} M lines/s (median {array_median:.1}), 1/{:.1} of it at best; load {}",
        strategy.name(),
        if batched { " batch" } else { "" },
        routing.name(),
        array_best / best,
        load_average()
    );
}

/// The highest and the median of some rates (sorts them).
fn best_and_median(rates: &mut [f64]) -> (f64, f64) {
    rates.sort_by(f64::total_cmp);
    (rates[rates.len() - 1], rates[rates.len() / 2])
}
