//! `qm tune` end to end: the grid, its Pareto front and recommendation, the bisection, and the
//! figures it judges settings by (every one over the days after the warm-up), refusals and
//! Ctrl-C.

mod common;

use std::path::Path;

use common::calibration::{text_with, write};
use common::{ok, qm};
use qm_reports::run::DayRow;
use qm_simulator::scenario::Scenario;
use qm_simulator::sim::simulate;

/// A setting whose replications cost `cost` cents (three quarters holding) and filled `fill`.
fn row(level: f64, runs: &[(u64, f64)]) -> qm_simulator::tools::tune::TuneRow {
    qm_simulator::tools::tune::TuneRow {
        setting: qm_simulator::tools::tune::Setting {
            service_level: level,
            safety_stock: qm_simulator::scenario::SafetyStockMethod::Normal,
            forecast: "ses".into(),
        },
        runs: runs
            .iter()
            .map(|&(cost, fill)| qm_simulator::tools::tune::Outcome {
                holding_cost_cents: qm_money::Cents::new(cost - cost / 4),
                ordering_cost_cents: qm_money::Cents::new(cost / 4),
                fill_rate: fill,
                ..Default::default()
            })
            .collect(),
    }
}

#[test]
fn pareto_front_and_cheapest_setting_meeting_a_target() {
    use qm_simulator::tools::tune::{cheapest_meeting, pareto_front};
    let rows = [
        row(0.80, &[(100, 0.90)]),
        row(0.90, &[(120, 0.97)]),
        row(0.95, &[(130, 0.96)]),
        row(0.98, &[(125, 0.99)]),
        row(0.99, &[(200, 0.99)]), // dominated: same fill, dearer
    ];
    // One replication: plain dominance on the (total) cost and fill. 130 → 0.96 is beaten by
    // 125 → 0.99; 200 → 0.99 by 125 → 0.99.
    assert_eq!(pareto_front(&rows), vec![0, 1, 3]);
    assert_eq!(cheapest_meeting(&rows, 0.98), Some(3));
    assert_eq!(cheapest_meeting(&rows, 0.95), Some(1));
    assert_eq!(cheapest_meeting(&rows, 0.995), None);
}

/// The table shows each target as given: at three decimals 0.99999 and 0.9999999999 were both
/// `1.000`, two rows no reader could tell apart.
#[test]
fn the_report_shows_targets_that_differ_past_three_decimals_apart() {
    let rows = [
        row(0.9, &[(100, 0.95)]),
        row(0.99999, &[(120, 0.97)]),
        row(0.9999999999, &[(130, 0.99)]),
    ];
    let report = qm_simulator::tools::tune_report::report(&rows, 0.98);
    let targets: Vec<&str> = (report.lines().skip(2).take(3))
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(targets, ["0.9", "0.99999", "0.9999999999"], "{report}");
    // Right-aligned in a column as wide as the widest: the safety column starts at one place.
    let header = report.lines().nth(1).unwrap();
    let at = header.find("safety").unwrap();
    for line in report.lines().skip(2).take(3) {
        assert_eq!(line.find("normal"), Some(at), "{report}");
    }
}

/// With replications a setting leaves the front only when another beats it beyond the noise of
/// the paired (same-demand) differences.
#[test]
fn the_pareto_front_keeps_settings_beaten_only_within_the_noise() {
    use qm_simulator::tools::tune::pareto_front;
    let base = row(0.90, &[(100, 0.95), (110, 0.96), (90, 0.94)]);
    // Cheaper on the mean (99 vs 100) and equal fill, but the paired cost differences are
    // −11, +9 and −1: an interval across 0.
    let noisy = row(0.85, &[(89, 0.95), (119, 0.96), (89, 0.94)]);
    assert_eq!(pareto_front(&[base.clone(), noisy]), vec![1, 0]);
    // Cheaper by 2 to 3 in every replication: beaten beyond the noise.
    let steady = row(0.85, &[(98, 0.95), (107, 0.96), (88, 0.94)]);
    assert_eq!(pareto_front(&[base, steady]), vec![1]);
}

/// The recommendation meets the target on the mean; when its interval reaches below the target,
/// it says the replications do not show that it meets it.
#[test]
fn a_recommendation_whose_interval_reaches_below_the_target_says_so() {
    use qm_simulator::tools::tune_report::report;
    // Fill 0.97 and 0.995: mean 0.9825, half-width 12.71 × 0.0125 ≈ 0.159.
    let noisy = [row(0.90, &[(100, 0.97), (110, 0.995)])];
    let text = report(&noisy, 0.98);
    assert!(
        text.contains("cheapest setting with mean fill rate ≥ 98.00 %"),
        "{text}"
    );
    assert!(
        text.contains("note: its fill rate's 95 % interval reaches 82 %, below the target"),
        "{text}"
    );
    // Fill 0.990 and 0.991: the interval (0.984–0.997) stays above 0.98.
    let steady = [row(0.90, &[(100, 0.990), (110, 0.991)])];
    assert!(!report(&steady, 0.98).contains("note:"));
}

/// `qm tune SCENARIO` over service levels 0.7 and 0.95, the safety-stock `methods` and the
/// forecasts ses and moving-average, 150 days, with the `more` options, into `out`; its output.
fn tune_grid(scenario: &Path, methods: &str, more: &[&str], out: &Path) -> String {
    let grid = [
        "tune",
        scenario.to_str().unwrap(),
        "--service-levels",
        "0.7,0.95",
        "--methods",
        methods,
        "--forecasts",
        "ses,moving-average",
        "--days",
        "150",
        "--out",
        out.to_str().unwrap(),
    ];
    ok(&qm(&[&grid[..], more].concat()))
}

#[test]
fn qm_tune_writes_the_grid_and_names_the_cheapest_setting() {
    let scenario = write("tune", &text_with(&[]));
    let out = common::test_root().join("tune-out");
    let tune = |target: &str| {
        let more = ["--replications", "2", "--target-fill-rate", target];
        tune_grid(&scenario, "normal", &more, &out)
    };
    let stdout = tune("0.99");
    assert!(stdout.contains("4 settings × 2 replications"), "{stdout}");
    assert!(
        stdout.contains("cheapest setting with mean fill rate ≥ 99.00 %"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("warning: every setting meets the target"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(out.join("calibration/tune.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "service_level,safety_stock_method,forecast_method,replications,\
         average_on_hand_units,average_on_hand_units_ci95,holding_cost_cents,holding_cost_cents_ci95,\
         ordering_cost_cents,ordering_cost_cents_ci95,total_cost_cents,total_cost_cents_ci95,\
         achieved_fill_rate,achieved_fill_rate_ci95,achieved_cycle_service_level,\
         achieved_cycle_service_level_ci95,stockout_sku_days,stockout_sku_days_ci95,\
         lost_sales_units,lost_sales_units_ci95,supplier_orders,pareto,days_counted"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2][..4], ["0.95", "normal", "ses", "2"]);
    let number = |r: &Vec<&str>, i: usize| r[i].parse::<f64>().unwrap();
    // A higher target holds more stock, for the same forecast; total = holding + ordering, and
    // ordering = supplier orders × the scenario's order cost (the default 5,000 cents).
    assert!(number(&rows[2], 4) > number(&rows[0], 4));
    for r in &rows {
        assert!((number(r, 10) - number(r, 6) - number(r, 8)).abs() < 1e-6 * number(r, 10));
        assert!((number(r, 8) - 5000.0 * number(r, 20)).abs() < 1e-6);
        assert!(
            number(r, 13) >= 0.0,
            "a 95 % half-width with two replications"
        );
    }
    assert!(
        rows.iter().any(|r| r[21] == "true"),
        "someone is on the front"
    );
    assert!(
        stdout.contains("every figure counts the last 110 of 150 days, after the 40-day warm-up")
    );
    assert!(
        rows.iter().all(|r| r[22] == "110"),
        "days after the warm-up"
    );
    let figures: Vec<f64> = rows[2][4..21].iter().map(|v| v.parse().unwrap()).collect();
    assert_counts_the_days_after_the_warmup(&scenario, &figures);
    // Two replications: every setting stays on the front (no paired difference is beyond the
    // noise).
    let expected = serde_json::json!({"rows": 4, "runs": 8, "seeds": [11, 12], "front": 4});
    assert_tune_csv_is_scipys_estimate_of_its_runs(&out.join("calibration"), &expected);
    // A target every setting meets: the cheapest is only the grid's edge.
    assert!(
        tune("0.5").contains("warning: every setting meets the target"),
        "the edge warning"
    );
}

/// One replication of a wider grid: the means alone decide the front, and some settings leave
/// it; scipy's recomputation from `tune_runs.csv` finds the same front.
#[test]
fn the_pareto_front_of_one_replication_is_the_means() {
    let scenario = write("tune-front", &text_with(&[]));
    let out = common::test_root().join("tune-front");
    let more = ["--replications", "1", "--seed", "11", "--quiet"];
    tune_grid(&scenario, "normal,quantile", &more, &out);
    let expected = serde_json::json!({"rows": 8, "runs": 8, "seeds": [11], "front": 5});
    assert_tune_csv_is_scipys_estimate_of_its_runs(&out.join("calibration"), &expected);
}

#[test]
fn qm_tune_refuses_an_unknown_method_and_says_how_to_write_a_combination() {
    let scenario = write("tune-refusals", &text_with(&[]));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_qm"))
        .args(["tune", scenario.to_str().unwrap(), "--methods", "hunch"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("--methods: unknown safety stock method `hunch`"));
    // `mean:ses,tsb` is cut at the comma: the refusal says how to write a combination here.
    let cut = std::process::Command::new(env!("CARGO_BIN_EXE_qm"))
        .args([
            "tune",
            scenario.to_str().unwrap(),
            "--forecasts",
            "mean:ses,tsb",
        ])
        .output()
        .unwrap();
    assert_eq!(cut.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&cut.stderr);
    assert!(
        stderr.contains(
            "`mean:ses` needs two or more distinct methods (commas separate the \
                         forecasts here: join a combination's members with `+`, as mean:ses+tsb)"
        ),
        "{stderr}"
    );
}

/// Every figure of a `tune.csv` row counts the days after the 40-day warm-up, the days the fill
/// rate counts: the row of the scenario's own setting (normal, ses @ 0.95; `figures` from
/// `average_on_hand_units` on) is the mean over seeds 11 and 12 of the daily rows from day 40 on.
fn assert_counts_the_days_after_the_warmup(scenario: &Path, figures: &[f64]) {
    let mut s = Scenario::load_variant(scenario, Some(150)).unwrap();
    let (mut held, mut cost, mut orders, mut stockouts, mut lost) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for seed in [11, 12] {
        s.horizon.seed = seed;
        let output = simulate(&s, seed, &mut |_| {}).unwrap();
        let judged: Vec<_> = output.data.daily.iter().filter(|d| d.day >= 40).collect();
        assert_eq!(judged.len(), 110);
        let sum = |figure: fn(&DayRow) -> u64| judged.iter().map(|&d| figure(d)).sum::<u64>();
        held += sum(|d| d.on_hand_units) as f64 / 110.0 / 2.0;
        cost += sum(|d| d.holding_cost_cents.get()) as f64 / 2.0;
        orders += sum(|d| d.supplier_orders) as f64 / 2.0;
        stockouts += sum(|d| d.stockout_skus) as f64 / 2.0;
        lost += sum(|d| d.counts.lost_sales_units) as f64 / 2.0;
        assert!(
            sum(|d| d.holding_cost_cents.get()) < output.summary.holding_cost_cents.get(),
            "the warm-up's holding cost is left out"
        );
        // The run's ordering cost: every supplier order at the default 5,000 cents.
        let k = &output.summary;
        assert_eq!(k.ordering_cost_cents.get(), 5_000 * k.supplier_orders);
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    // Offsets from `average_on_hand_units`: holding cost, stockout SKU-days, lost units, orders.
    for (i, expected) in [
        (0, held),
        (2, cost),
        (12, stockouts),
        (14, lost),
        (16, orders),
    ] {
        assert!(
            close(figures[i], expected),
            "figure {i}: {} vs {expected}",
            figures[i]
        );
    }
}

/// `qm tune --bisect` finds the least service level whose mean fill rate meets the goal: the
/// level it names meets it, and the bracket's other end, within the tolerance below, misses it.
#[test]
fn qm_tune_bisects_for_the_least_service_level_meeting_a_fill_rate() {
    let scenario = write("bisect", &text_with(&[]));
    let out = common::test_root().join("bisect-out");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_qm"))
        .args([
            "tune",
            scenario.to_str().unwrap(),
            "--bisect",
            "--methods",
            "normal",
            "--forecasts",
            "ses",
            "--days",
            "150",
            "--replications",
            "2",
            "--target-fill-rate",
            "0.99",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("normal ses"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let level: f64 = line
        .split_whitespace()
        .nth(2)
        .unwrap()
        .trim_end_matches(':')
        .parse()
        .unwrap();
    let csv = std::fs::read_to_string(out.join("calibration/tune.csv")).unwrap();
    let rows: Vec<(f64, f64)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[0].parse().unwrap(), cells[12].parse().unwrap())
        })
        .collect();
    assert!(rows.len() >= 4, "{rows:?}");
    // Every level tried is a whole number of millionths, as shown (no 0.8079765624999999).
    for (level, _) in &rows {
        let text = level.to_string();
        assert!(text.len() <= "0.123456".len(), "{text}");
    }
    let fill_at = |x: f64| rows.iter().find(|r| r.0 == x).map(|r| r.1).unwrap();
    assert!(fill_at(level) >= 0.99, "{level}: {rows:?}");
    let below = rows
        .iter()
        .filter(|r| r.0 < level)
        .map(|r| r.0)
        .fold(f64::MIN, f64::max);
    assert!(level - below <= 0.005 + 1e-12, "{level} vs {below}");
    assert!(fill_at(below) < 0.99, "{below}: {rows:?}");
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_qm"))
        .args([
            "tune",
            scenario.to_str().unwrap(),
            "--bisect",
            "--service-levels",
            "0.9",
        ])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
}

/// `qm tune` judges settings by the fill rate after the warm-up: runs that end inside it are
/// refused before any runs, and a run without demand after it stops the tuning, rather than
/// reading the undefined fill rate as 0 %.
#[test]
fn qm_tune_refuses_runs_without_a_fill_rate_to_judge_by() {
    let tune = |scenario: &std::path::Path, days: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_qm"))
            .args(["tune", scenario.to_str().unwrap(), "--days", days])
            .args(["--service-levels", "0.9", "--methods", "normal"])
            .args(["--forecasts", "ses", "--replications", "2", "--quiet"])
            .args(["--out", common::test_root().to_str().unwrap()])
            .output()
            .unwrap()
    };
    let scenario = write("warmup", &text_with(&[]));
    let short = tune(&scenario, "40");
    assert_eq!(short.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&short.stderr);
    assert!(
        stderr.contains("--days: the runs last 40 day(s), all inside the warm-up of 40 days"),
        "{stderr}"
    );
    // A horizon inside the warm-up is the scenario's own: located at its warm-up.
    let text = text_with(&[]).replace("days = 240", "days = 30");
    let line = 1 + text
        .lines()
        .position(|l| l.starts_with("warmup_days"))
        .unwrap();
    let short = write("short", &text);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_qm"))
        .args(["tune", short.to_str().unwrap(), "--quiet"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "short.toml:{line}:15: replenishment.warmup_days: the runs last 30 day(s)"
        )),
        "{stderr}"
    );
    // From the end of the warm-up (day 40, 2026-02-14) demand is a billionth of its rate.
    let events = "[[demand.events]]\nname = \"lull\"\nstart = 2026-02-14\nend = 2026-09-01\n\
                  multiplier = 1e-9";
    let scenario = write("lull", &text_with(&[("EVENTS", events)]));
    let lull = tune(&scenario, "60");
    assert_eq!(lull.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&lull.stderr);
    assert!(
        stderr.contains(": no demand after the warm-up (replenishment.warmup_days = 40 of 60 days), so no fill rate"),
        "{stderr}"
    );
}

/// A cycle service level that one replication leaves undefined is null in the table, not 0.
#[test]
fn tune_leaves_a_cycle_service_level_null_unless_every_replication_defines_it() {
    let mut rows = [row(0.9, &[(100, 0.95), (110, 0.96)])];
    rows[0].runs[0].cycle_service_level = Some(0.9);
    rows[0].runs[1].cycle_service_level = None;
    let csv_of = |rows: &[qm_simulator::tools::tune::TuneRow]| {
        let path = common::test_root().join("tune-null.csv");
        qm_simulator::tools::tune_report::write_csv(rows, &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        text.lines()
            .nth(1)
            .unwrap()
            .split(',')
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let cells = csv_of(&rows);
    assert_eq!((cells[14].as_str(), cells[15].as_str()), ("", ""));
    assert_eq!(cells[12], "0.955");
    let report = qm_simulator::tools::tune_report::report(&rows, 0.9);
    let row = report.lines().nth(2).unwrap();
    assert!(row.contains("95.5 % ± 6.4 pt"), "{report}");
    assert!(row.split_whitespace().any(|cell| cell == "—"), "{report}");
    rows[0].runs[1].cycle_service_level = Some(0.8);
    let cells = csv_of(&rows);
    assert!(
        (cells[14].parse::<f64>().unwrap() - 0.85).abs() < 1e-12,
        "{cells:?}"
    );
    let report = qm_simulator::tools::tune_report::report(&rows, 0.9);
    // Its mean with the 95 % interval of the two replications (t = 12.71 × 0.05 ≈ 64 pt).
    assert!(report.contains("85 % ± 64 pt"), "{report}");
}

/// Ctrl-C during a tune grid: no run starts after it, the runs under way end at their next
/// daily close, and only the settings whose replications all finished are rows.
#[test]
fn a_stopped_tune_grid_keeps_only_the_settings_that_finished() {
    use qm_simulator::tools::tune::{grid, run_grid};
    use std::sync::atomic::{AtomicBool, Ordering};
    let scenario = write("stopped", &text_with(&[]));
    let levels = [0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
    let settings = grid(&levels, &["normal".into()], &["ses".into()]).unwrap();
    let stop = AtomicBool::new(true);
    let none = run_grid(&scenario, &settings, None, 2, Some(60), &|| {}, &stop).unwrap();
    assert!(none.is_empty());
    // The stop comes as the first run finishes: its setting's other replication, if under
    // way, ends at its next close.
    let stop = AtomicBool::new(false);
    let first_done = || stop.store(true, Ordering::Relaxed);
    let rows = run_grid(&scenario, &settings, None, 2, Some(60), &first_done, &stop).unwrap();
    assert!(rows.len() < settings.len(), "{} rows", rows.len());
    for row in &rows {
        assert_eq!(row.runs.len(), 2);
        assert!(settings.contains(&row.setting));
    }
    let all = run_grid(
        &scenario,
        &settings,
        None,
        2,
        Some(60),
        &|| {},
        &AtomicBool::new(false),
    );
    assert_eq!(all.unwrap().len(), settings.len());
}

/// Recomputes every row of `tune.csv` from `tune_runs.csv` with scipy: each figure's mean and
/// 95 % half-width (`stats.t.ppf(0.975, n − 1)` × the standard error; null unless every
/// replication defines it), the mean supplier orders, the replications and the days counted,
/// and the Pareto flag from the replications' paired differences (`stats.t.interval`).
/// `expected`: the rows, runs, seeds and settings on the front the reference finds.
fn assert_tune_csv_is_scipys_estimate_of_its_runs(dir: &Path, expected: &serde_json::Value) {
    assert!(
        dir.join("tune_runs.csv").is_file(),
        "tune_runs.csv beside tune.csv"
    );
    let script = r#"
import json
import numpy as np, pandas as pd
from scipy import stats
table = pd.read_csv(TABLE)
runs = pd.read_csv(RUNS)
keys = ["service_level", "safety_stock_method", "forecast_method"]
figures = [c[:-5] for c in table.columns if c.endswith("_ci95")]
off = []
def same(a, b):
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) and pd.isna(b)
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))
for _, row in table.iterrows():
    mine = runs[(runs[keys] == row[keys]).all(axis=1)]
    want = {"replications": len(mine), "supplier_orders": mine["supplier_orders"].mean(),
            "days_counted": mine["days_counted"].iloc[0]}
    for f in figures:
        v = mine[f].to_numpy(dtype=float)
        defined = not np.isnan(v).any()
        want[f] = v.mean() if defined else None
        half = stats.t.ppf(0.975, len(v) - 1) * stats.sem(v) if len(v) > 1 else None
        want[f + "_ci95"] = half if defined else None
    off += [[str(row[k]) for k in keys] + [k, str(row[k2]), str(v)]
            for k, v in want.items() for k2 in [k] if not same(row[k2], v)]
seeds = sorted(runs["seed"].unique().tolist())
# The Pareto front of total cost against fill rate, from the replications: b beats a when its
# means are no worse in both and better in one, and (with two or more replications each, paired
# by replication) its paired differences' 95 % t-intervals show it cheaper or fuller and worse in
# neither.
def mean(v):
    s = 0.0
    for x in v:
        s += x
    return s / len(v)
def sign(d):
    d = np.asarray(d, dtype=float)
    m, sem = mean(d), stats.sem(d)
    low, high = (m, m) if sem == 0 else stats.t.interval(0.95, len(d) - 1, loc=m, scale=sem)
    return 1 if low > 0 else (-1 if high < 0 else 0)
groups = [(tuple(str(x) for x in k), g.sort_values("replication")) for k, g in runs.groupby(keys, sort=False)]
def beats(b, a):
    cost, fill = "total_cost_cents", "achieved_fill_rate"
    cb, ca, fb, fa = mean(b[cost]), mean(a[cost]), mean(b[fill]), mean(a[fill])
    if not (cb <= ca and fb >= fa and (cb < ca or fb > fa)):
        return False
    if len(a) < 2 or len(a) != len(b):
        return True
    dc = sign(b[cost].to_numpy() - a[cost].to_numpy())
    df = sign(b[fill].to_numpy() - a[fill].to_numpy())
    return (dc < 0 or df > 0) and not (dc > 0 or df < 0)
front = {k for k, a in groups if not any(beats(b, a) for _, b in groups)}
pareto_off = [list(k) for k, _ in groups
              if (k in front) != (str(table[(table[keys].astype(str) == list(k)).all(axis=1)]["pareto"].iloc[0]).lower() == "true")]
print(json.dumps({"rows": len(table), "runs": len(runs), "seeds": seeds, "off": off,
                  "front": len(front), "pareto_off": pareto_off}))
"#
    .replace(
        "TABLE",
        &format!("{:?}", dir.join("tune.csv").to_str().unwrap()),
    )
    .replace(
        "RUNS",
        &format!("{:?}", dir.join("tune_runs.csv").to_str().unwrap()),
    );
    let Some(reference) = common::python_reference(&script, "scipy", "QM_REQUIRE_SCIPY") else {
        return;
    };
    for key in ["rows", "runs", "seeds", "front"] {
        assert_eq!(reference[key], expected[key], "{key}: {reference}");
    }
    assert_eq!(reference["off"], serde_json::json!([]), "{reference}");
    assert_eq!(
        reference["pareto_off"],
        serde_json::json!([]),
        "{reference}"
    );
}
