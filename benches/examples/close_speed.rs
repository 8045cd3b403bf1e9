//! How long the replenisher's daily close takes: `cargo run --release -p qm-benches --example
//! close_speed [CELLS] [METHOD] [FORECAST]` (default 30,000 cells, `quantile`, `holt_winters`:
//! one forecaster a cell, so the figure is the close's own; `holt_winters_fitted`, the shipped
//! scenario's, runs twelve). `scenarios/safety-stock.toml` with as many SKUs as make the cells
//! over its two warehouses; each cell sees seeded
//! Poisson-like demand (half of them slow), 90 days are closed to fill the forecasts and
//! errors, then 60 more are timed one by one. Prints the median and the slowest close.

// Benchmarks measure wall time by design.
#![allow(clippy::disallowed_methods)]

use std::time::Instant;

use qm_benches::load_average;
use qm_simulator::demand::DemandModel;
use qm_simulator::scenario::Scenario;
use qm_simulator::sim::replenisher::{CellState, Replenisher};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Poisson};

fn main() {
    let mut args = std::env::args().skip(1);
    let cells: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(30_000);
    let method = args.next().unwrap_or_else(|| "quantile".into());
    let forecast = args.next().unwrap_or_else(|| "holt_winters".into());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("scenarios/safety-stock.toml"))
        .expect("the shipped scenario")
        .replace(
            "safety_stock = \"normal\"",
            &format!("safety_stock = \"{method}\""),
        )
        .replace(
            "forecast = \"holt_winters_fitted\"",
            &format!("forecast = \"{forecast}\""),
        );
    let path = std::env::temp_dir().join(format!("qm-close-speed-{}.toml", std::process::id()));
    std::fs::write(&path, text).expect("temp file");
    let mut s = Scenario::load(&path).expect("valid").scenario;
    let _ = std::fs::remove_file(&path);
    let warehouses = s.warehouses.len();
    let skus = cells / warehouses;
    s.catalog.skus = toml::Spanned::new(0..0, skus as u32);
    let demand = DemandModel::new(&s).expect("valid");
    let prices = vec![qm_engine::Cents::new(3000); skus];
    let mut replenisher = Replenisher::new(&s, skus, warehouses, |_| (4.0, 1.0), &prices, &demand);
    let mut rng = StdRng::seed_from_u64(20261205);
    let rates: Vec<f64> = (0..skus * warehouses)
        .map(|c| {
            if c % 2 == 0 {
                rng.random_range(2.0..40.0)
            } else {
                rng.random_range(0.05..0.8)
            }
        })
        .collect();
    let mut orders = Vec::new();
    let mut times_ms = Vec::new();
    for day in 0..150u32 {
        for (cell, &rate) in rates.iter().enumerate() {
            let units = Poisson::new(rate).map_or(0.0, |p| p.sample(&mut rng)) as u64;
            replenisher.served(cell, units);
            replenisher.home(cell, units, true);
        }
        orders.clear();
        let start = Instant::now();
        replenisher.close(
            day,
            &demand,
            |cell| CellState {
                free_units: (rates[cell] * 6.0) as u64,
                backordered_units: 0,
            },
            &mut orders,
        );
        if day >= 90 {
            times_ms.push(start.elapsed().as_secs_f64() * 1e3);
        }
    }
    times_ms.sort_by(f64::total_cmp);
    println!(
        "{} cells, safety stock {method}, forecast {}: daily close median {:.2} ms, slowest {:.2} ms \
         ({} closes timed, load average {}, {} cores)",
        skus * warehouses,
        s.replenishment.forecast.get_ref(),
        times_ms[times_ms.len() / 2],
        times_ms[times_ms.len() - 1],
        times_ms.len(),
        load_average(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
}
