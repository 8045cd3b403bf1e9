//! Forecast-driven replenishment end to end: the safety stock delivers (about) what it promises,
//! more promise costs more stock, the events calendar prevents holiday stockouts, and bad
//! `[replenishment]` keys are refused with where and what.

mod common;

use common::calibration::{safety_stock_text, text_with, write};
use qm_simulator::scenario::Scenario;
use qm_simulator::sim::metrics::Summary;
use qm_simulator::sim::simulate;

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
