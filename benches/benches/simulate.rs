//! Simulation and report benchmarks (criterion). `cargo bench -p qm-benches --bench simulate`
//! runs the real sizes; `cargo test` runs each once on a small workload so the benches never rot.
//!
//! Groups:
//! - `baseline`: `scenarios/baseline.toml` (2,000 SKUs, 3 warehouses, 3,000 orders a day) for 1
//!   and for 7 simulated days, setup included: the difference is the cost of six days.
//! - `reports`: every table of a 7-day baseline run built and written as CSV, Parquet, JSON and
//!   HTML into a temporary folder.

// Benchmarks measure wall time by design.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use qm_reports::export::{self, Format};
use qm_simulator::scenario::Scenario;
use qm_simulator::sim::simulate;
use toml::Spanned;

fn baseline(days: u32) -> Scenario {
    let path = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo"))
        .join("../scenarios/baseline.toml");
    let mut s = Scenario::load(&path)
        .expect("the shipped scenario loads")
        .scenario;
    s.horizon.days = Spanned::new(0..0, days);
    s
}

fn simulated_days(c: &mut Criterion) {
    let mut group = c.benchmark_group("baseline");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(qm_benches::bench_size(20, 1)));
    let long = qm_benches::bench_size(7, 2);
    for days in [1, long] {
        let scenario = baseline(days);
        group.bench_function(format!("{days}_days"), |b| {
            b.iter(|| black_box(simulate(&scenario, 42, &mut |_| {}).expect("runs")))
        });
    }
    group.finish();
}

fn reports(c: &mut Criterion) {
    let output = simulate(&baseline(qm_benches::bench_size(7, 1)), 42, &mut |_| {}).expect("runs");
    let dir = std::env::temp_dir().join(format!("qm-bench-reports-{}", std::process::id()));
    let mut group = c.benchmark_group("reports");
    group.sample_size(10);
    group.bench_function("all_formats", |b| {
        b.iter(|| black_box(export::write(&output.data, &dir, &Format::ALL).expect("writes")))
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, simulated_days, reports);
criterion_main!(benches);
