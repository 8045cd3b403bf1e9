//! How long the whole-history forecasts take over many series, every core:
//! `cargo run --release -p qm-benches --example fit_speed [SERIES] [DAYS] [METHOD]` (default
//! 30,000 × 1,000, every method; METHOD keeps the methods whose names start with it). The series are drawn once (seeded): a weekly pattern times a level, Poisson-like
//! counts, half of them intermittent. Each method forecasts 28 days of every series; the time
//! is the best of three runs.

// Benchmarks measure wall time by design.
#![allow(clippy::disallowed_methods)]

use std::time::Instant;

use qm_benches::load_average;
use qm_simulator::tools::forecast_many::{self, Procedure, Request, Whole, WHOLE_METHODS};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Poisson};

fn series(count: usize, days: usize) -> Vec<Vec<f64>> {
    let mut rng = StdRng::seed_from_u64(20261205);
    let week = [0.8, 0.9, 1.0, 1.0, 1.1, 1.3, 0.9];
    (0..count)
        .map(|i| {
            let level: f64 = if i % 2 == 0 {
                rng.random_range(2.0..20.0)
            } else {
                rng.random_range(0.05..0.8)
            };
            (0..days)
                .map(|t| {
                    let mean = level * week[t % 7];
                    Poisson::new(mean).map_or(0.0, |p| p.sample(&mut rng))
                })
                .collect()
        })
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(30_000);
    let days: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1_000);
    let only = args.next();
    let all = series(count, days);
    let histories: Vec<&[f64]> = all.iter().map(Vec::as_slice).collect();
    println!(
        "{count} series × {days} days, {} cores, load {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    let mut procedures = vec![
        ("weekday_ses (α 0.07)", Procedure::WeekdaySes(Some(0.07))),
        ("weekday_ses (α chosen)", Procedure::WeekdaySes(None)),
    ];
    procedures.extend(WHOLE_METHODS.map(|w: Whole| (w.name(), Procedure::Whole(w))));
    procedures.retain(|(name, _)| only.as_deref().is_none_or(|only| name.starts_with(only)));
    for (name, procedure) in procedures {
        let request = Request {
            procedure,
            horizon: 28,
            levels: Vec::new(),
            lead_days: None,
            per_step: false,
            analytic: false,
        };
        let best = (0..3)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(forecast_many::forecast_all(&histories, &request));
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min);
        println!("  {name:<22} {best:>7.3} s");
    }
}
