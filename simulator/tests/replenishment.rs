//! Forecast-driven replenishment end to end: the safety stock delivers (about) what it promises,
//! more promise costs more stock, the events calendar prevents holiday stockouts, and bad
//! `[replenishment]` keys are refused with where and what.

mod common;

use std::path::{Path, PathBuf};

use qm_reports::run::DayRow;
use qm_simulator::scenario::Scenario;
use qm_simulator::sim::metrics::Summary;
use qm_simulator::sim::simulate;

/// One warehouse, one channel, single-unit Poisson lines, a 5-day lead time, Q = 40:
/// the textbook setting, so promised and achieved can be compared.
fn text_with(replacements: &[(&str, &str)]) -> String {
    let mut text = include_str!("calibration.toml.in").to_string();
    let defaults = [
        ("POLICY", "s_q"),
        ("FORECAST", "ses"),
        ("\"SS\"", "\"normal\""),
        ("CSL", "0.95"),
        ("FILL", "0.98"),
        ("KNOWN", "true"),
        ("EVENTS", ""),
    ];
    for (placeholder, default) in defaults {
        let value = replacements
            .iter()
            .find(|(p, _)| *p == placeholder)
            .map_or(default, |(_, v)| v);
        text = text.replace(placeholder, value);
    }
    text
}

/// The shipped `scenarios/safety-stock.toml`.
fn safety_stock_text() -> String {
    std::fs::read_to_string(common::scenario("safety-stock.toml")).unwrap()
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qm-replenishment-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn scenario(name: &str, replacements: &[(&str, &str)]) -> Scenario {
    Scenario::load(&write(name, &text_with(replacements)))
        .unwrap()
        .scenario
}

fn run(s: &Scenario) -> Summary {
    simulate(s, s.horizon.seed, &mut |_| {}).unwrap().summary
}

#[test]
fn cycle_service_level_rises_with_its_target_and_lands_near_it() {
    let low = run(&scenario("csl80", &[("CSL", "0.8")]));
    let high = run(&scenario("csl95", &[("CSL", "0.95")]));
    let (low_csl, high_csl) = (
        low.achieved_cycle_service_level.unwrap(),
        high.achieved_cycle_service_level.unwrap(),
    );
    assert_eq!(high.target_cycle_service_level, Some(0.95));
    assert_eq!(high.target_fill_rate, None);
    assert!(
        high.replenishment_cycles > 1_000,
        "{}",
        high.replenishment_cycles
    );
    // Measured 0.892 and 0.967 (seed 11): the daily review's day of protection is more than
    // the undershoot of single-unit Poisson lines, so it errs on the safe side, by a few points.
    assert!(low_csl < high_csl, "{low_csl} vs {high_csl}");
    assert!((0.80..0.95).contains(&low_csl), "{low_csl}");
    assert!((0.93..0.995).contains(&high_csl), "{high_csl}");
    assert!(
        high.average_on_hand_units > low.average_on_hand_units * 1.08,
        "the promise costs stock: {} vs {}",
        high.average_on_hand_units,
        low.average_on_hand_units
    );
    assert!(high.average_safety_stock_units.unwrap() > low.average_safety_stock_units.unwrap());
    assert_eq!(high.fast_skus + high.slow_skus + high.intermittent_skus, 60);
    assert_eq!(high.intermittent_skus, 0, "every SKU sells most days");
    // SES on flat Poisson demand: nearly unbiased.
    assert!(
        high.forecast_bias_units.abs() < 0.1,
        "{}",
        high.forecast_bias_units
    );
    assert!(
        high.forecast_mase.unwrap() < 1.0,
        "SES beats naive on noise"
    );
}

#[test]
fn fill_rate_targets_are_met_within_a_point() {
    let mid = run(&scenario(
        "fill95",
        &[("\"SS\"", "\"fill_rate\""), ("FILL", "0.95")],
    ));
    let high = run(&scenario(
        "fill99",
        &[("\"SS\"", "\"fill_rate\""), ("FILL", "0.99")],
    ));
    assert_eq!(high.target_fill_rate, Some(0.99));
    assert_eq!(high.target_cycle_service_level, None);
    // Measured 0.974 and 0.993.
    let (mid_fill, high_fill) = (
        mid.achieved_fill_rate.unwrap(),
        high.achieved_fill_rate.unwrap(),
    );
    assert!((0.94..0.99).contains(&mid_fill), "{mid_fill}");
    assert!((0.98..=1.0).contains(&high_fill), "{high_fill}");
    assert!(mid_fill < high_fill);
}

const HOLIDAY: &str = "[[demand.events]]\nname = \"Summer sale\"\nstart = 2026-07-10\nend = 2026-07-12\nmultiplier = 4.0\nramp_up_days = 2";

#[test]
fn a_known_event_calendar_prevents_the_holiday_stockout() {
    let known = run(&scenario("known", &[("EVENTS", HOLIDAY)]));
    let blind = run(&scenario(
        "blind",
        &[("EVENTS", HOLIDAY), ("KNOWN", "false")],
    ));
    // Measured 796 vs 4,287 units lost, with less stock on average (protecting L + 1 days
    // instead of the lead time and the undershoot: 407 vs 3,815, with 7 % more stock).
    assert!(
        known.lost_sales_units * 5 < blind.lost_sales_units,
        "{} vs {}",
        known.lost_sales_units,
        blind.lost_sales_units
    );
    assert!(known.achieved_fill_rate.unwrap() > blind.achieved_fill_rate.unwrap());
    assert!(known.average_on_hand_units < blind.average_on_hand_units);
}

#[test]
fn periodic_review_and_order_up_to_run_and_differ() {
    let periodic = run(&scenario("r_s", &[("POLICY", "r_s")]));
    let up_to = run(&scenario("s_s", &[("POLICY", "s_s")]));
    let fixed = run(&scenario("s_q", &[]));
    // r_s orders once a week per cell: 60 cells × (240 days / 7), fewer than the others.
    assert!(
        periodic.supplier_orders <= 60 * 35,
        "{}",
        periodic.supplier_orders
    );
    assert!(periodic.supplier_orders < fixed.supplier_orders);
    // s_s orders S − position (more than Q each time): fewer orders than s_q.
    assert!(up_to.supplier_orders < fixed.supplier_orders);
    for k in [&periodic, &up_to] {
        let csl = k.achieved_cycle_service_level.unwrap();
        assert!(
            (0.85..=1.0).contains(&csl),
            "{} {csl}",
            k.replenishment_policy
        );
    }
}

#[test]
fn bad_replenishment_keys_say_where_and_what() {
    for (replacements, expected) in [
        (
            vec![("FORECAST", "arima")],
            "replenishment.forecast: unknown forecast method `arima`",
        ),
        (
            vec![("FORECAST", "mean:ses,arima")],
            "replenishment.forecast: `arima` cannot be combined in `mean:`",
        ),
        (
            vec![("CSL", "1.5")],
            "replenishment.service_level: must be strictly between 0 and 1",
        ),
        (
            vec![("POLICY", "kanban")],
            "unknown variant `kanban`, expected one of `days`, `s_q`, `s_s`, `r_s`",
        ),
        (
            vec![("\"SS\"", "\"gut_feeling\"")],
            "unknown variant `gut_feeling`, expected one of `normal`, `fill_rate`, `empirical`",
        ),
    ] {
        let text = text_with(&replacements);
        let path = write("bad", &text);
        let error = Scenario::load(&path).err().expect("refused").to_string();
        assert!(error.contains(expected), "{error}");
        // Line and column of the offending value.
        let line = text
            .lines()
            .position(|l| l.contains(replacements[0].1.trim_matches('"')))
            .unwrap()
            + 1;
        assert!(error.contains(&format!(".toml:{line}:")), "{error}");
    }
}

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

#[test]
fn qm_tune_writes_the_grid_and_names_the_cheapest_setting() {
    let scenario = write("tune", &text_with(&[]));
    let out = std::env::temp_dir().join(format!("qm-tune-out-{}", std::process::id()));
    let tune = |target: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_qm"))
            .args([
                "tune",
                scenario.to_str().unwrap(),
                "--service-levels",
                "0.7,0.95",
                "--methods",
                "normal",
                "--forecasts",
                "ses,moving-average",
                "--days",
                "150",
                "--replications",
                "2",
                "--target-fill-rate",
                target,
                "--out",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
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
    // A target every setting meets: the cheapest is only the grid's edge.
    assert!(
        tune("0.5").contains("warning: every setting meets the target"),
        "the edge warning"
    );

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_qm"))
        .args(["tune", scenario.to_str().unwrap(), "--methods", "hunch"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("--methods: unknown safety stock method `hunch`"));
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
    let out = std::env::temp_dir().join(format!("qm-bisect-out-{}", std::process::id()));
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

/// The shipped two-warehouse scenario with a fill-rate promise: the achieved fill rate lands
/// within a point of it, across seeds (182 days; measured 0.956 and 0.952 at 0.95, 0.980 and
/// 0.981 at 0.98, seeds 7 and 99).
#[test]
fn fill_rate_promises_are_kept_within_a_point_across_seeds() {
    let text =
        safety_stock_text().replace("safety_stock = \"normal\"", "safety_stock = \"fill_rate\"");
    let mut s = Scenario::load(&write("fill-promise", &text))
        .unwrap()
        .scenario;
    s.horizon.days = toml::Spanned::new(0..0, 182);
    for promise in [0.95, 0.98] {
        s.replenishment.fill_rate = toml::Spanned::new(0..0, promise);
        for seed in [7, 99] {
            let k = simulate(&s, seed, &mut |_| {}).unwrap().summary;
            assert_eq!(k.target_fill_rate, Some(promise));
            let fill = k.achieved_fill_rate.unwrap();
            assert!(
                (fill - promise).abs() <= 0.01,
                "{promise}, seed {seed}: {fill}"
            );
        }
    }
}

/// The shipped scenario over a full year, seeds 7 and 99: with `normal` and with `quantile`
/// safety stock the achieved cycle service level lands within 2 points of the promise at 0.80,
/// 0.90, 0.95 and 0.98. Measured, seed 7 / 99: normal 0.804 / 0.813, 0.900 / 0.891, 0.938 /
/// 0.938, 0.968 / 0.966; quantile 0.787 / 0.803, 0.906 / 0.905, 0.953 / 0.952, 0.983 / 0.978
/// (seeds 1, 42, 777, 12345, 2024 and 31337 alike). Protecting L + 1 days instead of the lead
/// time and the undershoot put 0.80 at 0.820 / 0.833 (normal) and 0.810 / 0.821 (quantile).
#[test]
fn both_safety_stock_methods_keep_their_promise_over_a_year() {
    let mut settings = Vec::new();
    for seed in [7, 99] {
        for method in ["normal", "quantile"] {
            for promise in [0.80, 0.90, 0.95, 0.98] {
                settings.push((seed, method, promise, 0.02));
            }
        }
    }
    let text = safety_stock_text();
    let achieved: Vec<f64> = std::thread::scope(|scope| {
        let runs: Vec<_> = settings
            .chunks(settings.len() / 2)
            .map(|half| {
                let text = &text;
                scope.spawn(move || {
                    let achieved = half.iter().map(|&(seed, method, promise, _)| {
                        let text = text.replace(
                            "safety_stock = \"normal\"",
                            &format!("safety_stock = \"{method}\""),
                        );
                        let path = write(&format!("year-{seed}-{method}-{promise}"), &text);
                        let mut s = Scenario::load(&path).unwrap().scenario;
                        s.replenishment.service_level = toml::Spanned::new(0..0, promise);
                        simulate(&s, seed, &mut |_| {})
                            .unwrap()
                            .summary
                            .achieved_cycle_service_level
                            .unwrap()
                    });
                    achieved.collect::<Vec<f64>>()
                })
            })
            .collect();
        runs.into_iter().flat_map(|r| r.join().unwrap()).collect()
    });
    for ((seed, method, promise, band), csl) in settings.into_iter().zip(achieved) {
        assert!(
            (csl - promise).abs() <= band,
            "seed {seed}, {method} at {promise}: {csl}"
        );
    }
}

/// Three warehouses, each cell's service measured as its safety stock promises it: a unit whose
/// nearest warehouse lacked it is a stockout of that cell even when another warehouse shipped it.
/// Counting only the network's stockouts read 1.0 at a 0.80 target (0.95 at 0.50 on the shipped
/// two-warehouse scenario). The network's fill is reported apart.
#[test]
fn cycle_service_is_measured_per_cell_with_three_warehouses() {
    let text = safety_stock_text().replace(
        "[initial_stock]",
        "[[warehouses]]\ncode = \"BRS\"\nlatitude_deg = 51.45\nlongitude_deg = -2.59\ncapacity_lines_per_day = 50000\n\n[initial_stock]",
    )
    .replace("warehouses = [\"LON\", \"MAN\"]", "warehouses = [\"LON\", \"MAN\", \"BRS\"]")
    .replace(
        "[[customers]]\nname = \"North\"",
        "[[customers]]\nname = \"West\"\nlatitude_deg = 51.45\nlongitude_deg = -2.59\nshare = 0.2\n\n[[customers]]\nname = \"North\"",
    );
    assert!(text.contains("\"BRS\"]") && text.contains("West"));
    let achieved = |method: &str, target: f64| {
        let text = text.replace(
            "safety_stock = \"normal\"",
            &format!("safety_stock = \"{method}\""),
        );
        let mut s = Scenario::load(&write(&format!("three-{method}"), &text))
            .unwrap()
            .scenario;
        s.replenishment.service_level = toml::Spanned::new(0..0, target);
        let k = run(&s);
        assert_eq!(k.safety_stock_method, method);
        assert!(k.achieved_network_fill_rate.unwrap() >= k.achieved_fill_rate.unwrap());
        k.achieved_cycle_service_level.unwrap()
    };
    // Over the year, measured: `quantile` 0.791, 0.897, 0.947 (seeds 99, 12345 and 2024:
    // 0.805–0.808, 0.900–0.907, 0.949–0.960); `normal` 0.812, 0.888, 0.938 (0.815–0.822,
    // 0.895–0.904, 0.934–0.941). Half a year, before the Christmas closes, the seeds spread
    // over ±4 points at 0.80.
    for method in ["quantile", "normal"] {
        for target in [0.80, 0.90, 0.95] {
            let csl = achieved(method, target);
            assert!((csl - target).abs() <= 0.03, "{method} {target}: {csl}");
        }
    }
}

/// The shipped scenario forecast with `forecast` instead of its own.
fn with_forecast(forecast: &str) -> Summary {
    let text = safety_stock_text().replace(
        "forecast = \"holt_winters_fitted\"",
        &format!("forecast = \"{forecast}\""),
    );
    assert!(text.contains(forecast));
    let path = write(&format!("ss-{}", forecast.replace([':', ','], "-")), &text);
    run(&Scenario::load(&path).unwrap().scenario)
}

/// The shipped scenario's Holt-Winters fitted as it goes, against α = β = γ = 0.1: the
/// forecasts err less (one-step MAE 1.525 against 1.565 units), the safety stock it sets costs
/// less stock, and it still keeps the 95 % promise within 2 points; AutoETS errs less again.
#[test]
fn a_fitted_forecast_errs_less_and_keeps_the_promise() {
    let with = with_forecast;
    let (fixed, fitted) = (with("holt_winters"), with("holt_winters_fitted"));
    let mae = |k: &Summary| k.forecast_mae_units;
    assert!(
        mae(&fitted) < mae(&fixed) - 0.02,
        "{} vs {}",
        mae(&fitted),
        mae(&fixed)
    );
    assert!(fitted.average_on_hand_units < fixed.average_on_hand_units);
    let csl = fitted.achieved_cycle_service_level.unwrap();
    assert!((0.93..=0.97).contains(&csl), "{csl}");
    // AutoETS, chosen and fitted again every 28 days, errs less still (1.474 units).
    let ets = with("auto_ets");
    assert!(
        mae(&ets) < mae(&fitted) - 0.02,
        "{} vs {}",
        mae(&ets),
        mae(&fitted)
    );
}

/// ADIDA and IMAPA forecast replenishment too, fitted again every 28 days: on the shipped
/// scenario they err about as much as Holt-Winters with α = β = γ = 0.1 (1.566 and 1.569 units
/// against 1.565) and keep the 95 % promise within 2 points (0.934, 0.935). The mean of fitted
/// Holt-Winters and ADIDA errs less than either member (1.504 against 1.525 and 1.566).
#[test]
fn aggregation_and_combinations_forecast_replenishment() {
    let mae = |k: &Summary| k.forecast_mae_units;
    let (adida, imapa) = (with_forecast("adida"), with_forecast("imapa"));
    for k in [&adida, &imapa] {
        assert!(
            (1.54..1.60).contains(&mae(k)),
            "{} {}",
            k.forecast_method,
            mae(k)
        );
        let csl = k.achieved_cycle_service_level.unwrap();
        assert!((0.93..=0.97).contains(&csl), "{} {csl}", k.forecast_method);
    }
    let fitted = with_forecast("holt_winters_fitted");
    let mean = with_forecast("mean:holt_winters_fitted,adida");
    assert_eq!(mean.forecast_method, "mean:holt_winters_fitted,adida");
    assert!(
        mae(&mean) < mae(&fitted).min(mae(&adida)) - 0.015,
        "{} against {} and {}",
        mae(&mean),
        mae(&fitted),
        mae(&adida)
    );
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
            .args(["--out", std::env::temp_dir().to_str().unwrap()])
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
        let path = std::env::temp_dir().join(format!("qm-tune-null-{}.csv", std::process::id()));
        qm_simulator::tools::tune::write_csv(rows, &path).unwrap();
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
    let report = qm_simulator::tools::tune::report(&rows, 0.9);
    let row = report.lines().nth(2).unwrap();
    assert!(row.contains("95.5 % ± 6.4 pt"), "{report}");
    assert!(row.split_whitespace().any(|cell| cell == "—"), "{report}");
    rows[0].runs[1].cycle_service_level = Some(0.8);
    let cells = csv_of(&rows);
    assert!(
        (cells[14].parse::<f64>().unwrap() - 0.85).abs() < 1e-12,
        "{cells:?}"
    );
    let report = qm_simulator::tools::tune::report(&rows, 0.9);
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
