//! Replay speed: order lines per second from a binary demand log through the engine
//! (reserve, then confirm, every recorded order), single thread.
//!
//! `cargo run --release -p qm-benches --example replay_log [LOG.qmd] [runs]`; without a log it
//! imports the Online Retail sample shipped in `scenarios/data/` first (and times that import).

// Benchmarks measure wall time by design.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use qm_benches::{load_average, network};
use qm_engine::*;
use qm_simulator::demand::import::import;
use qm_simulator::demand::log::DemandLog;
use qm_simulator::demand::replay::MAX_LINES_PER_PART;
use qm_simulator::scenario::columns::ColumnMapping;

fn main() {
    let mut args = std::env::args().skip(1);
    let given = args.next().map(PathBuf::from);
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let imported = given.is_none();
    let log_path = given.unwrap_or_else(import_sample);
    let start = Instant::now();
    let log = DemandLog::read(&log_path).unwrap();
    if imported {
        std::fs::remove_file(&log_path).unwrap();
    }
    println!(
        "read {}: {} orders, {} lines in {:.3} s",
        log_path.display(),
        log.orders.len(),
        log.lines.len(),
        start.elapsed().as_secs_f64()
    );
    let best = (0..runs)
        .map(|_| replay_seconds(&log))
        .fold(f64::MAX, f64::min);
    println!(
        "replay (reserve + confirm): {} lines in {best:.3} s = {:.2} M lines/s (best of {runs}, 1 thread); load {}",
        log.lines.len(),
        log.lines.len() as f64 / best / 1e6,
        load_average()
    );
}

/// Imports the shipped Online Retail sample, timed, and writes its demand log to a temporary file
/// of this process (removed once read).
fn import_sample() -> PathBuf {
    let sample = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo"))
        .join("../scenarios/data/online-retail-2011-10-to-12.csv.gz");
    let start = Instant::now();
    let imported = import(
        &sample,
        &ColumnMapping::preset("online_retail").unwrap(),
        false,
    )
    .unwrap();
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "import: {} rows in {seconds:.3} s = {:.2} M rows/s",
        imported.log.counts.rows_read,
        imported.log.counts.rows_read as f64 / seconds / 1e6
    );
    let path = std::env::temp_dir().join(format!("qm-replay-sample-{}.qmd", std::process::id()));
    imported.log.write(&path).unwrap();
    path
}

/// A fresh engine stocked for every line (this measures the replay, not stockouts).
fn stocked_engine(log: &DemandLog) -> Engine {
    let mut units = vec![0i64; log.skus.len()];
    for line in &log.lines {
        units[line.sku as usize] += line.units as i64;
    }
    let channel = ChannelConfig {
        code: "web".into(),
        warehouses: (0..8).map(WarehouseId).collect(),
        buffer: Buffer::None,
        buffer_overrides: vec![],
        strategy: StrategyKind::Nearest,
        capacity_aware: false,
    };
    let config = EngineConfig {
        network: network(log.skus.len()),
        channels: vec![channel],
        expected_open_orders: log.orders.len() * 2,
    };
    let mut engine = Engine::new(config).unwrap();
    for (sku, &u) in units.iter().enumerate().filter(|(_, &u)| u > 0) {
        engine
            .seed_stock(SkuId(sku as u32), WarehouseId(0), u)
            .unwrap();
    }
    engine
}

/// Seconds to reserve and confirm every recorded order on a fresh engine, one thread.
fn replay_seconds(log: &DemandLog) -> f64 {
    let engine = stocked_engine(log);
    let ship_to = GeoPoint::new(39.1, -94.6).unwrap();
    let start = Instant::now();
    let mut id = 0u64;
    let mut lines: Vec<OrderLine> = Vec::with_capacity(MAX_LINES_PER_PART as usize);
    for (index, order) in log.orders.iter().enumerate() {
        let recorded =
            &log.lines[order.first_line as usize..(order.first_line + order.line_count) as usize];
        for part in recorded.chunks(MAX_LINES_PER_PART as usize) {
            lines.clear();
            lines.extend(part.iter().map(|l| OrderLine {
                sku: SkuId(l.sku),
                quantity: l.units as i64,
            }));
            id += 1;
            let at_ms = index as u64;
            let request = ReserveRequest {
                order: Order {
                    id: OrderId(id),
                    channel: ChannelId(0),
                    placed_at_ms: at_ms,
                    ship_to,
                    service: ServiceLevel::Standard,
                    lines: std::mem::take(&mut lines),
                },
                split: SplitPolicy::SplitAllowed,
                hold_ttl_ms: 3_600_000,
            };
            let outcome = engine.reserve(&request, at_ms).unwrap();
            assert!(
                matches!(outcome, ReserveOutcome::Held(_)),
                "stock covers every line"
            );
            engine.confirm(OrderId(id), at_ms).unwrap();
            lines = request.order.lines;
        }
    }
    start.elapsed().as_secs_f64()
}
