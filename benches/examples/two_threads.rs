//! Two threads against one, for the engine and for the machine, in the same pairs:
//! `cargo run --release -p qm-benches --example two_threads [pairs] [batch|call]`.
//!
//! Each pair times `nearest` on one thread over the uniform workload, then on two threads dealt
//! by order shard (each on a fresh engine), then the array loop on one thread and on two
//! threads that share nothing (a stock copy each). It prints the median and quartiles over the
//! pairs of two threads ÷ one thread for both. The array loop's figure is what this machine
//! gives a second thread at that moment: on a VM whose host steals time it moves between ~1.1×
//! and ~1.9× within minutes, and the engine's figure can only be read beside it.

// Benchmarks measure wall time by design.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::time::Instant;

use qm_benches::*;
use qm_engine::{Engine, ReserveRequest, StrategyKind};

/// Median and quartiles of `ratios`.
fn quartiles(mut ratios: Vec<f64>) -> String {
    ratios.sort_by(f64::total_cmp);
    let at = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    format!("median {:.2}×, quartiles {:.2}–{:.2}", at(2), at(1), at(3))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let pairs: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
        .max(1);
    let batched = args.next().as_deref() != Some("call");
    let workload = Workload::new(10_000, 200_000, Popularity::Uniform, 0.85, 11);
    let requests = requests(&workload.orders);
    let by_shard = route(&requests, 2, Routing::ByOrderShard);
    let halves = deal(&workload.orders, 2, |i, _| i);
    let reserve = |engine: &Engine, requests: &[ReserveRequest]| {
        if batched {
            reserve_all_batched(engine, requests)
        } else {
            reserve_all(engine, requests)
        }
    };
    let (mut engine_ratios, mut array_ratios) = (Vec::new(), Vec::new());
    for _ in 0..pairs {
        let engine = workload.engine(StrategyKind::Nearest);
        let start = Instant::now();
        black_box(reserve(&engine, &requests));
        let one = start.elapsed();
        let engine = workload.engine(StrategyKind::Nearest);
        let start = Instant::now();
        std::thread::scope(|scope| {
            for chunk in &by_shard {
                let (engine, reserve) = (&engine, &reserve);
                scope.spawn(move || black_box(reserve(engine, chunk)));
            }
        });
        engine_ratios.push(one.as_secs_f64() / start.elapsed().as_secs_f64());

        let mut stock = workload.stock.clone();
        let start = Instant::now();
        black_box(array_check_and_decrement(&mut stock, &workload.orders));
        let one = start.elapsed();
        let mut stocks = [workload.stock.clone(), workload.stock.clone()];
        let start = Instant::now();
        std::thread::scope(|scope| {
            for (stock, orders) in stocks.iter_mut().zip(&halves) {
                scope.spawn(move || black_box(array_check_and_decrement(stock, orders)));
            }
        });
        array_ratios.push(one.as_secs_f64() / start.elapsed().as_secs_f64());
    }
    println!(
        "two threads ÷ one, {pairs} pairs: nearest {} by shard {}; array loop, nothing shared, {}; cores {}, load {}",
        if batched { "batched" } else { "per call" },
        quartiles(engine_ratios),
        quartiles(array_ratios),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
}
