//! Scenario values out of range (horizons, weights, multipliers, prices, fees, ramps, sizes
//! that scale memory or time): each refused at its key with `file:line:column`, the bound
//! named, before anything is allocated; values at the bounds accepted.

mod common;
use common::edited::{edited, refusal};
use common::{scenario, simulate_two_days, temp_dir};

use std::path::Path;

use qm_simulator::scenario::Scenario;

#[test]
fn horizons_out_of_range_are_refused_before_any_date_is_computed() {
    for days in ["0", "1000000", "4000000000"] {
        let error = refusal(&edited(
            "black-friday.toml",
            &[("days = 61", &format!("days = {days}"))],
        ));
        assert!(
            error.contains("horizon.days: must be between 1 and 3660"),
            "{error}"
        );
    }
}

/// An order's lines and a line's units: the most from 1 to the engine's limit, the mean from 1
/// to that most; each refused at its own key, and the bounds themselves accepted.
#[test]
fn order_and_line_sizes_are_counts_with_means_between_one_and_their_most() {
    let most_lines = "must be between 1 and max_lines_per_order";
    let most_units = "must be between 1 and max_units_per_line";
    for (from, to, expected) in [
        (
            "max_lines_per_order = 4",
            "= 65",
            "85:23: demand.max_lines_per_order: must be between 1 and 64",
        ),
        (
            "max_units_per_line = 2",
            "= 0",
            "87:22: demand.max_units_per_line: must be between 1 and 10000",
        ),
        (
            "mean_lines_per_order = 1.8",
            "= 4.5",
            &format!("84:24: demand.mean_lines_per_order: {most_lines}"),
        ),
        (
            "mean_units_per_line = 1.2",
            "= 0.5",
            &format!("86:23: demand.mean_units_per_line: {most_units}"),
        ),
        (
            "mean_units_per_line = 1.2",
            "= nan",
            &format!("86:23: demand.mean_units_per_line: {most_units}"),
        ),
    ] {
        let key = from.split(' ').next().unwrap();
        let error = refusal(&edited("baseline.toml", &[(from, &format!("{key} {to}"))]));
        assert!(
            error.starts_with(&format!("bad.toml:{expected}")),
            "{key} {to}: {error}"
        );
    }
    let at_the_bounds = edited(
        "baseline.toml",
        &[
            ("mean_lines_per_order = 1.8", "mean_lines_per_order = 64"),
            ("max_lines_per_order = 4", "max_lines_per_order = 64"),
            ("mean_units_per_line = 1.2", "mean_units_per_line = 1"),
            ("max_units_per_line = 2", "max_units_per_line = 10000"),
        ],
    );
    Scenario::parse(&at_the_bounds, Path::new("ok.toml")).expect("sizes at their bounds");
}

/// A horizon may end on 9999-12-31 and no later: the next day has a five-digit year, which the
/// tables wrote as `+10000-01-01`.
#[test]
fn a_horizon_past_the_last_four_digit_year_is_refused() {
    let error = refusal(&edited(
        "baseline.toml",
        &[("start_date = 2026-03-02", "start_date = 9999-12-05")],
    ));
    assert!(
        error.contains(
            "horizon.days: the run would end on +10000-01-01, after 9999-12-31, the last date \
             with a four-digit year"
        ),
        "{error}"
    );
    let last_day = edited(
        "baseline.toml",
        &[("start_date = 2026-03-02", "start_date = 9999-12-04")],
    );
    Scenario::parse(&last_day, Path::new("ok.toml")).expect("a run ending on 9999-12-31");
}

/// Relative weights are bounded: shares of 1e308 overflowed their sum ("customers[].share:
/// Overflow when summing weights", exit 1, no line), seven weekday weights of 1e308 ran with no
/// demand at all (their mean was infinite), and a lone 5e-324 weekday made the busiest day
/// "expect inf orders".
#[test]
fn relative_weights_are_bounded_so_sums_and_means_stay_finite() {
    for (from, key) in [
        ("share = 0.4", "customers[0].share"),
        ("share = 0.7", "channels[0].share"),
        ("share = 0.8\nlead", "replenishment.suppliers[0].share"),
    ] {
        for share in ["1e308", "5e-324", "0", "nan"] {
            // `from` may run on into the next line, to find the supplier's share.
            let to = format!("share = {share}{}", &from["share = 0.8".len()..]);
            let error = refusal(&edited("baseline.toml", &[(from, &to)]));
            assert!(
                error.contains(&format!(
                    "{key}: must be a relative weight within 1e-12..=1e12"
                )),
                "{error}"
            );
        }
    }
    let week = "day_of_week = [1.15, 1.1, 1.0, 1.0, 0.95, 0.8, 1.0]";
    let weekly = "demand.day_of_week: must be 7 weights, each 0 or within 1e-12..=1e12 (Monday \
                  first), not all 0";
    for (from, to, problem) in [
        (
            week,
            "day_of_week = [1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308]",
            weekly,
        ),
        (week, "day_of_week = [5e-324, 0, 0, 0, 0, 0, 0]", weekly),
        // 23 hours' weights.
        (
            "intraday = [0.3, 0.2,",
            "intraday = [0.2,",
            "demand.intraday: must be 24 weights, each 0 or within 1e-12..=1e12 (midnight first), \
             not all 0",
        ),
    ] {
        let error = refusal(&edited("baseline.toml", &[(from, to)]));
        assert!(error.contains(problem), "{error}");
    }
    let flat = edited(
        "baseline.toml",
        &[(
            week,
            "day_of_week = [1e12, 1e12, 1e12, 1e12, 1e12, 0, 1e-12]",
        )],
    );
    Scenario::parse(&flat, Path::new("ok.toml")).expect("weights at the bounds");
}

/// An event's ramp is at most `MAX_DAYS`, refused at its key: 4,000,000,000 days was blamed on
/// `horizon.days` ("the horizon expects 9.016e14 order lines"), the ramp's days counted whole
/// though only the horizon's can be simulated.
#[test]
fn an_event_ramp_is_bounded_and_counts_only_inside_the_horizon() {
    for ramp in ["3661", "4000000000"] {
        let error = refusal(&edited(
            "black-friday.toml",
            &[("ramp_up_days = 3", &format!("ramp_up_days = {ramp}"))],
        ));
        assert!(
            error.contains("demand.events[0].ramp_up_days: must be at most 3660 days"),
            "{error}"
        );
        assert!(!error.contains("horizon.days"), "{error}");
    }
    let longest = edited(
        "black-friday.toml",
        &[
            ("ramp_up_days = 3", "ramp_up_days = 3660"),
            ("ramp_up_days = 1", "ramp_up_days = 3660"),
            ("ramp_up_days = 5", "ramp_up_days = 3660"),
        ],
    );
    Scenario::parse(&longest, Path::new("ok.toml")).expect("ramps of 3660 days");
}

#[test]
fn trend_and_event_multipliers_have_upper_bounds() {
    for trend in ["1e300", "11"] {
        let error = refusal(&edited(
            "black-friday.toml",
            &[("trend_per_year = 0.1", &format!("trend_per_year = {trend}"))],
        ));
        assert!(
            error.contains("demand.trend_per_year: must be a number > -1 and ≤ 10"),
            "{error}"
        );
    }
    for multiplier in ["1e300", "9.2e18", "1e5"] {
        let error = refusal(&edited(
            "black-friday.toml",
            &[("multiplier = 4.0", &format!("multiplier = {multiplier}"))],
        ));
        assert!(
            error.contains("multiplier: must be a number > 0 and ≤ 1000"),
            "{error}"
        );
    }
}

/// A warehouse's stock multiplier out of range is refused with its range, not echoed back (1e300
/// printed 301 digits).
#[test]
fn a_stock_multiplier_out_of_range_is_refused_with_its_range() {
    for multiplier in ["1e300", "-1", "101"] {
        let error = refusal(&edited(
            "baseline.toml",
            &[(
                "capacity_lines_per_day = 20000\n",
                &format!("capacity_lines_per_day = 20000\nstock_multiplier = {multiplier}\n"),
            )],
        ));
        assert!(
            error.ends_with("stock_multiplier: must be a number ≥ 0 and ≤ 100"),
            "{error}"
        );
    }
}

/// Prices, weights, fees and the holding rate are bounded, so a run's amounts stay exact: at
/// 10^17 cents a unit, or a holding rate of 1e300, the holding cost reached u64::MAX cents and
/// showed it as a figure.
#[test]
fn prices_weights_and_fees_are_bounded_and_a_drawn_price_is_capped() {
    for (scenario, from, to, says) in [
        (
            "long-tail.toml",
            "holding_cost_rate_per_year = 0.3",
            "holding_cost_rate_per_year = 1e300",
            "catalog.holding_cost_rate_per_year: must be a number ≥ 0 and ≤ 10",
        ),
        (
            "black-friday.toml",
            "base_cents = 650",
            "base_cents = 18446744073709551615",
            "fulfillment.carriers[0].bands[0].base_cents: must be at most 100000000 cents",
        ),
        (
            "black-friday.toml",
            "per_kg_cents = 90",
            "per_kg_cents = 100000001",
            "fulfillment.carriers[0].bands[1].per_kg_cents: must be at most 100000000 cents",
        ),
    ] {
        let error = refusal(&edited(scenario, &[(from, to)]));
        assert!(error.contains(says), "{error}");
    }
    let error = refusal(&edited(
        "baseline.toml",
        &[("unit_price_cents = 2500", "unit_price_cents = 10000000001")],
    ));
    assert!(
        error.contains("catalog.unit_price_cents: must be 1 to 10000000000 cents"),
        "{error}"
    );
    let listed = "[[skus]]\ncode = \"GOLD\"\nunit_weight_grams = 10\nunit_price_cents = 99999999999999\npopularity = 1.0\n\n[[warehouses]]";
    let error = refusal(&edited("baseline.toml", &[("[[warehouses]]", listed)]));
    assert!(
        error.starts_with(
            "bad.toml:19:20: skus[0].unit_price_cents: must be at most 10000000000 cents"
        ),
        "{error}"
    );
    // Units of at most 10 tonnes: a shipment's weight charge stays exact.
    let error = refusal(&edited(
        "baseline.toml",
        &[("unit_weight_grams = 600", "unit_weight_grams = 10000001")],
    ));
    assert!(
        error.contains("catalog.unit_weight_grams: must be 1 to 10000000 grams"),
        "{error}"
    );
    let heavy = listed.replace("unit_weight_grams = 10", "unit_weight_grams = 4000000000");
    let heavy = heavy.replace("99999999999999", "100");
    let error = refusal(&edited("baseline.toml", &[("[[warehouses]]", &heavy)]));
    assert!(
        error.starts_with(
            "bad.toml:18:21: skus[0].unit_weight_grams: must be at most 10000000 grams"
        ),
        "{error}"
    );
    // The highest median with a wide spread: every drawn price is capped, every amount exact.
    let dir = temp_dir("prices");
    let path = dir.join("dear.toml");
    let text = edited(
        "baseline.toml",
        &[(
            "unit_price_cents = 2500",
            "unit_price_cents = 10000000000\nprice_sigma = 3.0",
        )],
    );
    std::fs::write(&path, text).unwrap();
    simulate_two_days(&path, &dir);
    let skus = std::fs::read_to_string(dir.join("baseline/skus.csv")).unwrap();
    let prices: Vec<u64> = skus
        .lines()
        .skip(1)
        .map(|row| row.split(',').nth(4).unwrap().parse().unwrap())
        .collect();
    assert_eq!(prices.len(), 2_000);
    assert_eq!(
        prices.iter().max(),
        Some(&10_000_000_000),
        "capped, and reached"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("baseline/summary.json")).unwrap())
            .unwrap();
    let holding = summary["holding_cost_cents"].as_u64().unwrap();
    assert!(holding > 0 && holding < u64::MAX / 1000, "{holding}");
}

#[test]
fn what_a_scenario_asks_for_together_is_bounded_before_allocating() {
    // 10^9 SKUs: refused by its range, at once.
    let error = refusal(&edited(
        "baseline.toml",
        &[("skus = 2000", "skus = 1000000000")],
    ));
    assert!(
        error.contains("bad.toml:11:8: catalog.skus: must be between 1 and 2000000"),
        "{error}"
    );
    // 2 million SKUs are allowed, but not in three warehouses (6 million cells).
    let error = refusal(&edited(
        "baseline.toml",
        &[("skus = 2000", "skus = 2000000")],
    ));
    assert!(
        error.contains("2000000 SKUs × 3 warehouses = 6000000 cells; at most 2000000"),
        "{error}"
    );
    // 1.2 million cells may run one forecaster each, not twelve (Holt-Winters fitted as it goes).
    let error = refusal(&edited(
        "safety-stock.toml",
        &[("skus = 400", "skus = 600000")],
    ));
    assert!(
        error.contains(
            "bad.toml:89:12: replenishment.forecast: `holt_winters_fitted` runs 12 forecasters a \
             cell: 1200000 cells × 12 = 14400000; at most 12000000"
        ),
        "{error}"
    );
    // The old maximum rate is refused by its range; a legal rate that events lift above the
    // busiest-day bound is refused at the rate.
    let error = refusal(&edited(
        "baseline.toml",
        &[("orders_per_day = 3000", "orders_per_day = 10000000")],
    ));
    assert!(
        error.contains("demand.orders_per_day: must be a rate > 0 and ≤ 1000000"),
        "{error}"
    );
    let error = refusal(&edited(
        "black-friday.toml",
        &[("orders_per_day = 4000", "orders_per_day = 900000")],
    ));
    assert!(
        error.contains("demand.orders_per_day: the busiest day expects"),
        "{error}"
    );
    // Ten years of a million orders a day is more lines than a run may take.
    let error = refusal(&edited(
        "baseline.toml",
        &[
            ("days = 28", "days = 3650"),
            ("orders_per_day = 3000", "orders_per_day = 800000"),
        ],
    ));
    assert!(
        error.contains("horizon.days: the horizon expects"),
        "{error}"
    );
}

/// A recorded history's SKUs are known only once it is read: its cells and their forecasters
/// are then held to the catalog's limits (800,000 SKUs at 3 warehouses ran on in 2.3 GB).
#[test]
fn a_recorded_history_with_more_skus_than_cells_allow_is_refused() {
    let s = Scenario::load(&scenario("online-retail.toml"))
        .unwrap()
        .scenario;
    assert_eq!(s.warehouses.len(), 3);
    assert_eq!(s.recorded_skus_within_limits(666_666), Ok(()));
    assert_eq!(
        s.recorded_skus_within_limits(666_667),
        Err("666667 SKUs × 3 warehouses = 2000001 cells; at most 2000000".into())
    );
    let mut fitted = s;
    fitted.replenishment.forecast = toml::Spanned::new(0..0, "holt_winters_fitted".into());
    let problem = fitted.recorded_skus_within_limits(400_000).unwrap_err();
    assert!(
        problem.starts_with("`holt_winters_fitted` runs 12 forecasters a cell: 1200000 cells × 12"),
        "{problem}"
    );
}

/// The `days` policy's levels are bounded as the opening stock is: a level of 10^15 days asked
/// the engine for a receipt of 4,294,967,295 units and failed the run on its first day.
#[test]
fn the_days_policy_levels_are_bounded_like_the_opening_stock() {
    for (edits, says) in [
        (
            vec![("order_up_to_days = 12.0", "order_up_to_days = 1e15")],
            "replenishment.order_up_to_days: must be ≥ reorder_point_days and ≤ 3650",
        ),
        (
            vec![
                ("orders_per_day = 3000", "orders_per_day = 1000000"),
                ("order_up_to_days = 12.0", "order_up_to_days = 3650"),
            ],
            "replenishment.order_up_to_days: 3650 days of up to",
        ),
    ] {
        let error = refusal(&edited("baseline.toml", &edits));
        assert!(
            error.starts_with(&format!("bad.toml:109:20: {says}")),
            "{error}"
        );
    }
}

#[test]
fn simulated_time_keys_are_bounded_and_time_saturates() {
    let error = refusal(&edited(
        "baseline.toml",
        &[("minutes_to_pay = 5", "minutes_to_pay = 1e300")],
    ));
    assert!(
        error.contains("carts.minutes_to_pay: must be a number ≥ 0 and ≤ 43200"),
        "{error}"
    );
    let error = refusal(&edited(
        "baseline.toml",
        &[("lead_time_std_days = 0.5", "lead_time_std_days = 1e300")],
    ));
    assert!(
        error.contains("lead_time_std_days: must be a number ≥ 0 and ≤ 365"),
        "{error}"
    );
    // A draw beyond the end of time lands there instead of wrapping to the past.
    assert_eq!(qm_simulator::time::later_ms(5, 1e300), u64::MAX);
    assert_eq!(qm_simulator::time::later_ms(u64::MAX - 1, 10.0), u64::MAX);
    assert_eq!(qm_simulator::time::later_ms(5, 2.9), 7);
}
