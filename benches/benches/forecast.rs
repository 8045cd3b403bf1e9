//! Forecast and safety-stock benchmarks (criterion). `cargo bench -p qm-benches --bench forecast`
//! runs the real sizes; `cargo test` runs each once on a small workload so the benches never rot.
//!
//! Groups:
//! - `daily_close`: one daily close of 30,000 SKU × warehouse series: each observes its day
//!   (with a known-event uplift), then its safety stock (normal approximation, 7-day lead time
//!   with variability) and reorder point are recomputed. Target: under 5 ms.
//! - `fit_all_methods`: every method (naive … TSB) fitted online on 30,000 series × 1,000 days
//!   of history, the series spread over threads with rayon. Target: under 2 s.

// Benchmarks measure wall time by design.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qm_engine::forecast::{fit, Forecaster, Method};
use qm_engine::safety_stock::{z_for_service_level, PolicyInputs};
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;

/// (series, days of history).
fn scale() -> (usize, usize) {
    qm_benches::bench_size((30_000, 1_000), (300, 50))
}

/// Daily demand: per-series Poisson rates from 0.05 (intermittent) to 20 units a day.
fn history(series: usize, days: usize) -> Vec<Vec<f64>> {
    (0..series)
        .into_par_iter()
        .map(|s| {
            let mut rng = rand::rngs::StdRng::seed_from_u64(s as u64);
            let rate = 0.05 + 20.0 * rng.random::<f64>().powi(3);
            let poisson = Poisson::new(rate).unwrap();
            (0..days).map(|_| poisson.sample(&mut rng)).collect()
        })
        .collect()
}

fn daily_close(c: &mut Criterion) {
    let (series, days) = scale();
    let demand = history(series, days.min(100));
    let method = Method::HoltWinters {
        alpha: 0.1,
        beta: 0.1,
        gamma: 0.1,
        season_length: 7,
    };
    let mut forecasters: Vec<Forecaster> = demand
        .iter()
        .map(|h| {
            let mut f = Forecaster::new(method);
            h[..h.len() - 1].iter().for_each(|&y| f.observe(y));
            f
        })
        .collect();
    let z = z_for_service_level(0.95);
    let mut group = c.benchmark_group("daily_close");
    group.throughput(Throughput::Elements(series as u64));
    group.bench_function(format!("{series}_series_holt_winters_normal_ss"), |b| {
        b.iter(|| {
            let mut total_reorder_point = 0.0;
            for (f, h) in forecasters.iter_mut().zip(&demand) {
                f.observe_with_uplift(h[h.len() - 1], 1.0);
                let inputs = PolicyInputs {
                    mean_demand_per_day: f.forecast(1),
                    demand_std_per_day: f.errors().sigma_units(),
                    lead_time_days: 7.0,
                    lead_time_std_days: 1.5,
                    review_period_days: 1.0,
                };
                total_reorder_point +=
                    f.forecast_total(8) + z * inputs.lead_time_demand_std_units();
            }
            black_box(total_reorder_point)
        })
    });
    group.finish();
}

fn fit_all_methods(c: &mut Criterion) {
    let (series, days) = scale();
    let demand = history(series, days);
    let methods = Method::candidates();
    let mut group = c.benchmark_group("fit_all_methods");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements((series * days * methods.len()) as u64));
    group.bench_function(format!("{series}_series_x_{days}_days_x_9_methods"), |b| {
        b.iter(|| {
            let mae: f64 = demand
                .par_iter()
                .map(|h| {
                    fit(&methods, h)
                        .iter()
                        .filter_map(|f| f.errors().mae())
                        .sum::<f64>()
                })
                .sum();
            black_box(mae)
        })
    });
    group.finish();
}

criterion_group!(benches, daily_close, fit_all_methods);
criterion_main!(benches);
