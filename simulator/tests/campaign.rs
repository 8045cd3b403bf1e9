//! The hostile-input campaign: a seeded mutation generator turns every shipped scenario, a
//! recorded history (CSV, gzip, Parquet) and a demand log into at least 1,000 damaged inputs per
//! parser, and each must be accepted or refused with where (`file:line:column` for scenarios,
//! the file and its row for histories, the file for logs): never a panic, never an unlocated
//! error, never more memory than the bounds below. Accepted scenarios run their first day.
//!
//! `QM_CAMPAIGN_SEED` picks another campaign and `QM_CAMPAIGN_CASES` its size; a failure prints
//! the seed and the case to replay it.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use qm_simulator::demand::import::import;
use qm_simulator::demand::log::DemandLog;
use qm_simulator::scenario::columns::ColumnMapping;
use qm_simulator::scenario::limits::Scale;
use qm_simulator::scenario::Scenario;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Counts the bytes allocated now and the most at once since the last reset.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Most bytes a parser may hold at once on one damaged input (inputs are a few KB).
const PARSE_MEMORY_BOUND: usize = 64 << 20;
/// Most bytes one accepted scenario's first simulated day may hold at once.
const DAY_MEMORY_BOUND: usize = 1 << 30;
/// Accepted scenarios larger than this run no day here (their bounds are checked instead):
/// a debug build simulates a day of the shipped sizes in well under a second.
const RUN_CELLS: u64 = 50_000;
const RUN_PEAK_ORDERS: f64 = 40_000.0;

fn seed() -> u64 {
    std::env::var("QM_CAMPAIGN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_205)
}

fn cases() -> usize {
    std::env::var("QM_CAMPAIGN_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000)
}

/// Outcomes by class, printed at the end of each parser's campaign.
#[derive(Default, Debug)]
struct Outcomes {
    accepted: usize,
    refused: usize,
    ran_a_day: usize,
    peak_bytes: usize,
}

/// Runs `case` for each case number with its own generator; a panic or a failed check names the
/// seed and case.
fn campaign(parser: &str, mut case: impl FnMut(&mut StdRng, &mut Outcomes)) -> Outcomes {
    let seed = seed();
    let mut outcomes = Outcomes::default();
    for i in 0..cases() {
        let mut rng = StdRng::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        PEAK.store(NOW.load(Ordering::Relaxed), Ordering::Relaxed);
        let before = NOW.load(Ordering::Relaxed);
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| case(&mut rng, &mut outcomes)));
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
        outcomes.peak_bytes = outcomes.peak_bytes.max(peak);
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!(
                "{parser}: case {i} of seed {seed} failed (replay: QM_CAMPAIGN_SEED={seed}): {message}"
            );
        }
    }
    println!("{parser}: {} cases, seed {seed}: {outcomes:?}", cases());
    outcomes
}

fn temp_dir() -> PathBuf {
    let dir = common::test_root().join("campaign");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Values that break things: extremes, NaN, infinities, wrong types, empty and huge ones.
fn hostile_value(rng: &mut StdRng) -> toml::Value {
    use toml::Value;
    match rng.random_range(0..16) {
        0 => Value::Float(f64::NAN),
        1 => Value::Float(f64::INFINITY),
        2 => Value::Float(-f64::INFINITY),
        3 => Value::Float(1e300),
        4 => Value::Float(-1e300),
        5 => Value::Integer(i64::MAX),
        6 => Value::Integer(i64::MIN),
        7 => Value::Integer(0),
        8 => Value::Integer(-1),
        9 => Value::Integer(rng.random_range(1..10_000_000_000)),
        10 => Value::Float(rng.random_range(-1e6..1e6)),
        11 => Value::String(String::new()),
        12 => Value::String("../../x".into()),
        13 => Value::Boolean(true),
        14 => Value::Array(
            (0..rng.random_range(0..100_000))
                .map(Value::Integer)
                .collect(),
        ),
        _ => Value::Table(toml::Table::new()),
    }
}

/// Every key path of `table` (tables and arrays of tables walked), as indices into it.
fn paths(value: &toml::Value, prefix: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match value {
        toml::Value::Table(table) => {
            for (key, child) in table {
                prefix.push(PathStep::Key(key.clone()));
                out.push(prefix.clone());
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        toml::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(PathStep::Index(i));
                out.push(prefix.clone());
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

/// The container holding the last step of `path`, and that step.
fn parent_of<'a>(root: &'a mut toml::Value, path: &[PathStep]) -> Option<&'a mut toml::Value> {
    let mut at = root;
    for step in &path[..path.len() - 1] {
        at = match (step, at) {
            (PathStep::Key(k), toml::Value::Table(t)) => t.get_mut(k)?,
            (PathStep::Index(i), toml::Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// One structural mutation of a parsed scenario: delete, rename, retype or set a hostile value,
/// duplicate an entry or blow up an array.
fn mutate_tree(root: &mut toml::Value, rng: &mut StdRng) {
    let mut all = Vec::new();
    paths(root, &mut Vec::new(), &mut all);
    let path = all[rng.random_range(0..all.len())].clone();
    let last = path.last().unwrap().clone();
    let Some(parent) = parent_of(root, &path) else {
        return;
    };
    match (parent, last) {
        (toml::Value::Table(t), PathStep::Key(k)) => match rng.random_range(0..6) {
            // A plausible change: a number scaled (most of these are accepted and run).
            4 | 5 => {
                let factor = [0.0, 0.1, 0.5, 2.0, 10.0, 1000.0][rng.random_range(0..6)];
                let scaled = match t.get(&k) {
                    Some(toml::Value::Integer(n)) => {
                        toml::Value::Integer((*n as f64 * factor) as i64)
                    }
                    Some(toml::Value::Float(x)) => toml::Value::Float(x * factor),
                    _ => hostile_value(rng),
                };
                t.insert(k, scaled);
            }
            0 => {
                t.remove(&k);
            }
            1 => {
                if let Some(v) = t.remove(&k) {
                    t.insert(format!("{k}_renamed"), v);
                }
            }
            _ => {
                t.insert(k, hostile_value(rng));
            }
        },
        (toml::Value::Array(a), PathStep::Index(i)) => match rng.random_range(0..4) {
            0 => {
                a.remove(i);
            }
            1 => {
                let copy = a[i].clone();
                a.insert(i, copy);
            }
            2 => {
                let copy = a[i].clone();
                let n = rng.random_range(2..3_000);
                a.extend(std::iter::repeat_n(copy, n));
            }
            _ => a[i] = hostile_value(rng),
        },
        _ => {}
    }
}

/// Byte damage: flips, cuts, invalid UTF-8, a duplicated slice.
fn mutate_bytes(bytes: &mut Vec<u8>, rng: &mut StdRng) {
    if bytes.is_empty() {
        return;
    }
    match rng.random_range(0..5) {
        0 => {
            let cut = rng.random_range(0..bytes.len());
            bytes.truncate(cut);
        }
        1 => {
            for _ in 0..rng.random_range(1..6) {
                let i = rng.random_range(0..bytes.len());
                bytes[i] = rng.random();
            }
        }
        2 => {
            let i = rng.random_range(0..bytes.len());
            bytes.insert(i, [0xff, 0xc0, 0xfe, 0x80][rng.random_range(0..4)]);
        }
        3 => {
            let a = rng.random_range(0..bytes.len());
            let b = rng
                .random_range(a..bytes.len().min(a + 400) + 1)
                .min(bytes.len());
            let slice = bytes[a..b].to_vec();
            let at = rng.random_range(0..bytes.len());
            bytes.splice(at..at, slice);
        }
        _ => {
            let i = rng.random_range(0..bytes.len());
            bytes.insert(
                i,
                [b'"', b',', b'\n', b'[', b'=', b'#'][rng.random_range(0..6)],
            );
        }
    }
}

const SHIPPED: &[&str] = &[
    "baseline.toml",
    "black-friday.toml",
    "flash-sale.toml",
    "long-tail.toml",
    "multichannel-lag.toml",
    "one-year-benchmark.toml",
    "safety-stock.toml",
    "warehouse-sizing.toml",
    "online-retail.toml",
];

/// A scenario error's `file:line:column: …`, with a line and column ≥ 1.
fn located(error: &str, file: &str) -> bool {
    let Some(rest) = error.strip_prefix(file).and_then(|r| r.strip_prefix(':')) else {
        return false;
    };
    let mut parts = rest.splitn(3, ':');
    let line = parts.next().and_then(|l| l.parse::<usize>().ok());
    let column = parts.next().and_then(|c| c.parse::<usize>().ok());
    matches!((line, column), (Some(l), Some(c)) if l >= 1 && c >= 1)
}

#[test]
fn every_parser_accepts_or_refuses_with_where_and_within_its_memory() {
    // One test, the parsers in turn: the allocator's peak is the current case's alone.
    let dir = temp_dir();
    scenario_campaign(&dir);
    for format in ["csv", "csv.gz", "parquet"] {
        history_campaign(&dir, format);
    }
    log_campaign(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A shipped scenario's text mutated through its TOML tree, sometimes with byte damage too (a
/// recorded history's path made absolute first, so the copy finds it).
fn mutated_scenario(text: &str, rng: &mut StdRng) -> Vec<u8> {
    let mut tree: toml::Value = toml::from_str(text).unwrap();
    if let Some(toml::Value::String(path)) = tree
        .get_mut("demand")
        .and_then(|d| d.get_mut("recorded"))
        .and_then(|r| r.get_mut("path"))
    {
        *path = common::scenario(path).display().to_string();
    }
    for _ in 0..rng.random_range(1..4) {
        mutate_tree(&mut tree, rng);
    }
    let mut bytes = toml::to_string(&tree)
        .unwrap_or_else(|_| text.to_string())
        .into_bytes();
    if rng.random_bool(0.3) {
        mutate_bytes(&mut bytes, rng);
    }
    bytes
}

/// Runs an accepted scenario's first day when it is small, within [`DAY_MEMORY_BOUND`].
fn run_first_day(mut s: Scenario, outcomes: &mut Outcomes) {
    let scale = Scale::of(&s);
    assert!(scale.cells <= qm_simulator::scenario::limits::MAX_CELLS);
    let small = scale.cells <= RUN_CELLS
        && (s.is_recorded() || scale.peak_orders_per_day <= RUN_PEAK_ORDERS);
    if !small {
        return;
    }
    s.horizon.days = toml::Spanned::new(0..0, 1);
    PEAK.store(NOW.load(Ordering::Relaxed), Ordering::Relaxed);
    let before = NOW.load(Ordering::Relaxed);
    let run = qm_simulator::sim::simulate(&s, s.horizon.seed, &mut |_| {});
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    assert!(peak <= DAY_MEMORY_BOUND, "a day took {peak} bytes");
    if let Err(e) = run {
        // A run may refuse (a recorded history gone bad, say) but says why.
        assert!(!e.to_string().is_empty());
    }
    outcomes.ran_a_day += 1;
}

/// Scenario files: every shipped one, mutated, each accepted (and its first day run) or refused
/// at `file:line:column`.
fn scenario_campaign(dir: &Path) {
    let texts: Vec<(String, String)> = SHIPPED
        .iter()
        .map(|n| {
            (
                n.to_string(),
                std::fs::read_to_string(common::scenario(n)).unwrap(),
            )
        })
        .collect();
    let outcomes = campaign("scenario", |rng, outcomes| {
        let (name, text) = &texts[rng.random_range(0..texts.len())];
        let path = dir.join(name);
        std::fs::write(&path, mutated_scenario(text, rng)).unwrap();
        let loaded = Scenario::load(&path);
        std::fs::remove_file(&path).unwrap();
        match loaded {
            Err(e) => {
                let error = e.to_string();
                assert!(
                    located(&error, &path.display().to_string()),
                    "unlocated: {error}"
                );
                outcomes.refused += 1;
            }
            Ok(loaded) => {
                outcomes.accepted += 1;
                run_first_day(loaded.scenario, outcomes);
            }
        }
    });
    assert!(
        outcomes.refused > 0 && outcomes.accepted > 0,
        "{outcomes:?}"
    );
}

/// A recorded history damaged as bytes, then written as `format` (CSV, gzip-compressed CSV or
/// Parquet, itself sometimes damaged).
fn damaged_history(format: &str, rng: &mut StdRng) -> Vec<u8> {
    let mut bytes = HISTORY.as_bytes().to_vec();
    for _ in 0..rng.random_range(1..4) {
        mutate_bytes(&mut bytes, rng);
    }
    match format {
        "csv" => bytes,
        "csv.gz" => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&bytes).unwrap();
            let mut gz = gz.finish().unwrap();
            if rng.random_bool(0.3) {
                mutate_bytes(&mut gz, rng);
            }
            gz
        }
        _ => parquet_of(&bytes, rng),
    }
}

/// Recorded histories in `format`: imported with every bad row numbered, or refused naming the
/// file.
fn history_campaign(dir: &Path, format: &str) {
    let preset = ColumnMapping::preset("online_retail").unwrap();
    let outcomes = campaign(format, |rng, outcomes| {
        let path = dir.join(format!("history.{format}"));
        std::fs::write(&path, damaged_history(format, rng)).unwrap();
        match import(&path, &preset, rng.random_bool(0.3)) {
            Ok(imported) => {
                for (at, reason) in &imported.bad_rows {
                    assert!(at.row >= 1 && !reason.is_empty());
                }
                outcomes.accepted += 1;
            }
            Err(e) => {
                let error = e.to_string();
                assert!(
                    error.starts_with(&path.display().to_string()),
                    "unlocated: {error}"
                );
                outcomes.refused += 1;
            }
        }
    });
    assert!(
        outcomes.peak_bytes <= PARSE_MEMORY_BOUND,
        "{format}: {outcomes:?}"
    );
}

/// Demand logs: byte damage to a valid log, refused naming the file or decoded unchanged.
fn log_campaign(dir: &Path) {
    let path = dir.join("valid.csv");
    std::fs::write(&path, HISTORY).unwrap();
    let preset = ColumnMapping::preset("online_retail").unwrap();
    let log = import(&path, &preset, false).unwrap().log.to_bytes();
    let outcomes = campaign("demand log", |rng, outcomes| {
        let mut bytes = log.clone();
        for _ in 0..rng.random_range(1..4) {
            mutate_bytes(&mut bytes, rng);
        }
        match DemandLog::from_bytes(&bytes, "damaged.qmd") {
            Ok(back) => {
                assert_eq!(back.to_bytes(), bytes, "a damaged log decoded as another");
                outcomes.accepted += 1;
            }
            Err(e) => {
                assert!(e.to_string().starts_with("damaged.qmd"), "{e}");
                outcomes.refused += 1;
            }
        }
    });
    assert!(outcomes.peak_bytes <= PARSE_MEMORY_BOUND, "{outcomes:?}");
}

/// A Parquet file of the (damaged) CSV text's rows, some columns retyped as pandas would
/// write them, sometimes damaged itself.
fn parquet_of(csv: &[u8], rng: &mut StdRng) -> Vec<u8> {
    use polars::prelude::*;
    let text = String::from_utf8_lossy(csv);
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let cell = |r: &Vec<String>, i: usize| r.get(i).cloned();
    let names = [
        "InvoiceNo",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "UnitPrice",
        "CustomerID",
        "Country",
    ];
    let mut columns: Vec<Column> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let values: Vec<Option<String>> = rows.iter().map(|r| cell(r, i)).collect();
            Column::new((*name).into(), values)
        })
        .collect();
    if rng.random_bool(0.5) {
        // Quantity as float64, unparseable cells null: pandas' integer column with gaps.
        let quantities: Vec<Option<f64>> = rows
            .iter()
            .map(|r| cell(r, 3).and_then(|q| q.trim().parse().ok()))
            .collect();
        columns[3] = Column::new("Quantity".into(), quantities);
    }
    if rng.random_bool(0.2) {
        columns.remove(rng.random_range(0..columns.len()));
    }
    let mut frame = DataFrame::new(rows.len(), columns).unwrap();
    let mut out = Vec::new();
    ParquetWriter::new(&mut out).finish(&mut frame).unwrap();
    if rng.random_bool(0.3) {
        mutate_bytes(&mut out, rng);
    }
    out
}

const HISTORY: &str = "\
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,\"HANGING HEART, WHITE\",6,2011-06-01 08:26:00,2.55,17850,United Kingdom
536365,71053,LANTERN,6,2011-06-01 08:26:00,3.39,17850,United Kingdom
536366,22633,HAND WARMER,12,2011-06-01 09:00:00,1.85,,France
C536369,85123A,HANGING HEART,-2,2011-06-02 10:00:00,2.55,17850,United Kingdom
536371,71053,damaged,-4,2011-06-03 12:00:00,0,,United Kingdom
536372,22633,HAND WARMER,3,2011-06-04 12:00:00,1.85,13047,United Kingdom
536373,84406B,CREAM CUPID,8,2011-06-04 13:00:00,2.75,13047,United Kingdom
";
