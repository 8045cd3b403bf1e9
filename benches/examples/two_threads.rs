//! Two threads against one, for the engine and for the machine, in the same pairs:
//! `cargo run --release -p qm-benches --example two_threads [pairs] [batch|call] [orders]`
//! (30 pairs, batched, 200,000 orders by default).
//!
//! Each pair first times a cache line's round trip between the two cores, then `nearest` on
//! one thread over the uniform workload and on two threads dealt by order shard (each on a
//! fresh engine), then the array loop on one thread and on two threads, once sharing nothing
//! (a stock copy each) and once sharing the stock (a compare-and-swap per take), then random
//! increments over a 64 MiB buffer per thread (`random_increments`: memory-bound work that
//! shares nothing). Threads are timed running (`timed_chunks`), not from their spawn. It
//! prints, over the pairs, the median and quartiles of two threads ÷ one for each, then the
//! medians again for the pairs whose round trip was short and long: on this VM the host moves
//! the two virtual CPUs between cores that share a cache and cores that do not, within
//! minutes, and threads that share stock follow that distance.

// Benchmarks measure wall time by design.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::sync::atomic::AtomicU32;
use std::sync::Mutex;

use qm_benches::*;
use qm_engine::StrategyKind;

/// Round trips timed per pair (~2–11 ms here).
const ROUND_TRIPS: u64 = 20_000;

/// Increments per pair for the memory-bound floor, dealt evenly to the threads (~40 ms here).
const RANDOM_INCREMENTS: usize = 4_000_000;

/// A round trip at most this long (ns) counts as the two cores sharing a cache.
const NEAR_NS: f64 = 200.0;

/// Median and quartiles of `ratios`.
fn quartiles(mut ratios: Vec<f64>) -> String {
    if ratios.is_empty() {
        return "no pair".into();
    }
    ratios.sort_by(f64::total_cmp);
    let at = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    format!("median {:.2}×, quartiles {:.2}–{:.2}", at(2), at(1), at(3))
}

/// One pair's figures.
struct Pair {
    round_trip_ns: f64,
    engine: f64,
    array: f64,
    shared_array: f64,
    memory: f64,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let pairs: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
        .max(1);
    let batched = args.next().as_deref() != Some("call");
    let orders: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let workload = Workload::new(10_000, orders, Popularity::Uniform, 0.85, 11);
    let requests = requests(&workload.orders);
    let whole = [requests.clone()];
    let by_shard = route(&requests, 2, Routing::ByOrderShard);
    let all_orders = [workload.orders.clone()];
    let halves = deal(&workload.orders, 2, |i, _| i);
    let reserve = |engine: &qm_engine::Engine, requests: &[qm_engine::ReserveRequest]| {
        if batched {
            reserve_all_batched(engine, requests)
        } else {
            reserve_all(engine, requests)
        }
    };
    // Allocated (and first written) once, outside the pairs.
    let buffers: Vec<Mutex<Vec<u64>>> = (0..2)
        .map(|_| Mutex::new(vec![1; RANDOM_BUFFER_WORDS]))
        .collect();
    let mut results = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        let round_trip_ns = cross_core_round_trip_ns(ROUND_TRIPS);

        let engine_time = |chunks: &[Vec<qm_engine::ReserveRequest>]| {
            let engine = workload.engine(StrategyKind::Nearest);
            timed_chunks(chunks, |_, requests| {
                black_box(reserve(&engine, requests));
            })
            .as_secs_f64()
        };
        let engine = engine_time(&whole) / engine_time(&by_shard);

        let array_time = |chunks: &[Vec<qm_engine::Order>]| {
            let stocks: Vec<Mutex<Vec<u32>>> = chunks
                .iter()
                .map(|_| Mutex::new(workload.stock.clone()))
                .collect();
            timed_chunks(chunks, |t, orders| {
                let mut stock = stocks[t].lock().unwrap();
                black_box(array_check_and_decrement(&mut stock, orders));
            })
            .as_secs_f64()
        };
        let array = array_time(&all_orders) / array_time(&halves);

        let shared_time = |chunks: &[Vec<qm_engine::Order>]| {
            let stock: Vec<AtomicU32> = workload.stock.iter().map(|&u| AtomicU32::new(u)).collect();
            timed_chunks(chunks, |_, orders| {
                black_box(shared_array_check_and_decrement(&stock, orders));
            })
            .as_secs_f64()
        };
        let shared_array = shared_time(&all_orders) / shared_time(&halves);

        let memory_time = |threads: usize| {
            let chunks: Vec<Vec<u64>> = (0..threads as u64).map(|seed| vec![seed]).collect();
            timed_chunks(&chunks, |t, seed| {
                let mut buffer = buffers[t].lock().unwrap();
                black_box(random_increments(
                    &mut buffer,
                    RANDOM_INCREMENTS / threads,
                    seed[0],
                ));
            })
            .as_secs_f64()
        };
        let memory = memory_time(1) / memory_time(2);
        results.push(Pair {
            round_trip_ns,
            engine,
            array,
            shared_array,
            memory,
        });
    }
    report(&results, batched);
}

/// Prints the quartiles of each figure over all pairs, and over the pairs whose cores were
/// near or far from each other.
fn report(results: &[Pair], batched: bool) {
    let pairs = results.len();
    let column = |pairs: &[&Pair], figure: fn(&Pair) -> f64| {
        quartiles(pairs.iter().map(|pair| figure(pair)).collect())
    };
    let mut trips: Vec<f64> = results.iter().map(|pair| pair.round_trip_ns).collect();
    trips.sort_by(f64::total_cmp);
    println!(
        "two threads ÷ one, {pairs} pairs, nearest {}, cores {}, load {}; cross-core round trip {:.0}–{:.0} ns (median {:.0})",
        if batched { "batched" } else { "per call" },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
        trips[0],
        trips[trips.len() - 1],
        trips[trips.len() / 2],
    );
    let all: Vec<&Pair> = results.iter().collect();
    let near: Vec<&Pair> = results
        .iter()
        .filter(|p| p.round_trip_ns <= NEAR_NS)
        .collect();
    let far: Vec<&Pair> = results
        .iter()
        .filter(|p| p.round_trip_ns > NEAR_NS)
        .collect();
    for (name, set) in [
        ("all pairs".to_string(), &all),
        (format!("round trip ≤ {NEAR_NS} ns"), &near),
        (format!("round trip > {NEAR_NS} ns"), &far),
    ] {
        println!(
            "  {name} ({}): engine by shard {}; array loop, nothing shared, {}; array loop, shared stock, {}; random increments, nothing shared, {}",
            set.len(),
            column(set, |p| p.engine),
            column(set, |p| p.array),
            column(set, |p| p.shared_array),
            column(set, |p| p.memory),
        );
    }
}
