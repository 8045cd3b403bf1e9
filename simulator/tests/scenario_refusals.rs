//! A scenario file refused, each error at `file:line:column` with its key and what is expected:
//! syntax and types, unknown keys and variants, codes that name nothing, tables left out, codes
//! the tables could not show, and values out of range (horizons, weights, multipliers, prices,
//! fees, ramps, sizes that scale memory or time), refused before anything is allocated; values
//! at the bounds accepted.

mod common;
use common::edited::{edited, refusal, shipped};
use common::{scenario, simulate_two_days, temp_dir};

use std::path::Path;

use qm_simulator::scenario::{Scenario, ScenarioError};

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

#[test]
fn bad_scenarios_are_refused_with_file_line_column_and_what_is_expected() {
    let cases = [
        (edited("baseline.toml", &[("orders_per_day = 3000", "orders_per_day = -5")]), "bad.toml:83:18: demand.orders_per_day: must be a rate > 0"),
        (edited("baseline.toml", &[("seed = 42", "seed = 42\nspeed = 3")]), "unknown field `speed`"),
        (edited("baseline.toml", &[("warehouses = [\"MAN\", \"LON\"]", "warehouses = [\"MAN\", \"XYZ\"]")]), "bad.toml:46:22: channels[1].warehouses[1]: no warehouse has code \"XYZ\""),
        (edited("baseline.toml", &[("strategy = \"priority\"", "strategy = \"fastest\"")]), "bad.toml:47:12: unknown variant `fastest`, expected one of `nearest`, `lowest_cost`"),
        // An infinite exponent read "must be a number ≥ 0", which it is.
        (edited("baseline.toml", &[("zipf_exponent = 1.1", "zipf_exponent = inf")]), "bad.toml:12:17: catalog.zipf_exponent: must be a finite number ≥ 0"),
        (edited("baseline.toml", &[("abandonment_rate = 0.2", "abandonment_rate = 1.5")]), "carts.abandonment_rate: must be a probability"),
        (edited("baseline.toml", &[("days = 28", "days = \"many\"")]), "bad.toml:7:8: invalid type: string \"many\", expected u32"),
        // A storage capacity of 0 had no share to report against: the peak's share was null.
        (edited("baseline.toml", &[("capacity_lines_per_day = 20000", "capacity_lines_per_day = 20000\nstorage_capacity_units = 0")]), "bad.toml:21:26: warehouses[0].storage_capacity_units: must be at least 1 unit"),
        // A cell listed twice: which of its two opening stocks held was the file's order.
        (edited("flash-sale.toml", &[("{ sku = \"SKU00002\", warehouse = \"MAN\", units = 0 }", "{ sku = \"SKU00002\", warehouse = \"LON\", units = 0 }")]), "bad.toml:35:11: initial_stock.cells[3]: \"SKU00002\" at \"LON\" is listed already"),
        // serde quoted a float given for a whole number in full: 1e300 as 301 digits.
        (edited("baseline.toml", &[("hold_ttl_minutes = 30", "hold_ttl_minutes = 1e300")]), "bad.toml:95:20: invalid type: floating point `1e300`, expected u32"),
        (edited("baseline.toml", &[("pick_error_rate = 0.003", "pick_error_rate = -0.1")]), "accuracy.pick_error_rate: must be a probability"),
        (edited("baseline.toml", &[("day_of_week = [1.15, 1.1,", "day_of_week = [1.1,")]), "bad.toml:89:15: demand.day_of_week: must be 7 weights"),
        (edited("baseline.toml", &[("start_date = 2026-03-02", "start_date = 2026-03-02T10:00:00")]), "horizon.start_date: must be a plain date"),
        (edited("black-friday.toml", &[("start = 2026-12-12", "start = 2027-02-12")]), "bad.toml:131:9: demand.events[2].start: must be within the horizon, 2026-11-01 to 2026-12-31"),
        (edited("black-friday.toml", &[("multiplier = 4.0", "multiplier = -4.0")]), "demand.events[0].multiplier: must be a number > 0"),
        (edited("flash-sale.toml", &[("skus = [\"SKU00001\", \"SKU00002\", \"SKU00003\"]", "skus = [\"SKU00001\", \"SKU99999\"]")]), "demand.events[0].skus[1]: no SKU has code \"SKU99999\""),
        (edited("flash-sale.toml", &[("{ sku = \"SKU00003\", warehouse = \"MAN\", units = 300 }", "{ sku = \"SKU00003\", warehouse = \"MAN\", units = -3 }")]), "initial_stock.cells[5].units: must be a unit count ≥ 0"),
        (edited("flash-sale.toml", &[("{ sku = \"SKU00003\", warehouse = \"MAN\", units = 300 }", "{ sku = \"SKU77777\", warehouse = \"MAN\", units = 300 }")]), "bad.toml:37:11: initial_stock.cells[5].sku: no SKU has code \"SKU77777\""),
        (edited("flash-sale.toml", &[("{ sku = \"SKU00003\", warehouse = \"MAN\", units = 300 }", "{ sku = \"SKU00003\", warehouse = \"PAR\", units = 300 }")]), "bad.toml:37:35: initial_stock.cells[5].warehouse: no warehouse has code \"PAR\""),
        (edited("flash-sale.toml", &[("sku = \"SKU00001\"\nreorder_point_units = 100", "sku = \"SKU-1\"\nreorder_point_units = 100")]), "bad.toml:101:7: replenishment.skus[0].sku: no SKU has code \"SKU-1\""),
        (edited("multichannel-lag.toml", &[("oversold = \"backorder\"", "oversold = \"shrug\"")]), "unknown variant `shrug`, expected `cancel` or `backorder`"),
        (edited("long-tail.toml", &[("delay_days_max = 21", "delay_days_max = 1")]), "returns.delay_days_max: must be ≥ delay_days_min"),
        (edited("flash-sale.toml", &[("order_quantity_units = 400", "order_quantity_units = 0")]), "replenishment.skus[0].order_quantity_units: must be between 1"),
        (edited("baseline.toml", &[("lead_time_days = 10", "lead_time_days = -10")]), "replenishment.suppliers[1].lead_time_days: must be between 0 and 365 days"),
        (shipped("baseline.toml") + "\n[targets]\norder_fulfillment_rate = 1.5\n", "targets.order_fulfillment_rate: must be a probability"),
        (shipped("baseline.toml") + "\n[targets]\nprocessing_time_hours_p95 = 0\n", "targets.processing_time_hours_p95: must be a number > 0"),
        // A target of 1e300 hours was taken, and printed beside the KPI in 301 digits.
        (shipped("baseline.toml") + "\n[targets]\nprocessing_time_hours_p50 = 1e300\n", "bad.toml:124:29: targets.processing_time_hours_p50: must be a number > 0 and ≤ 87840"),
        (shipped("baseline.toml") + "\n[targets]\nfulfillment = 0.9\n", "unknown field `fulfillment`"),
    ];
    for (text, expected) in cases {
        let message = refusal(&text);
        assert!(
            message.contains(expected),
            "expected {expected:?} in {message:?}"
        );
    }
    assert!(matches!(
        Scenario::load(Path::new("no/such/file.toml")),
        Err(ScenarioError::Read { .. })
    ));
}

/// `text` without any `[[table]]` entry.
fn without_tables(text: &str, table: &str) -> String {
    let mut kept = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with('[') {
            inside = line == format!("[[{table}]]");
        }
        if !inside {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

#[test]
fn a_scenario_with_no_warehouse_channel_or_customer_is_refused() {
    for table in ["warehouses", "channels", "customers"] {
        // Left out, the list is a missing field (serde's error); given empty, validation's.
        let text = format!("{table} = []\n") + &without_tables(&shipped("baseline.toml"), table);
        assert!(!text.contains(&format!("[[{table}]]")));
        let message = refusal(&text);
        // Placed at the empty list: `warehouses = []` has it at column 14.
        let column = table.len() + 4;
        let expected =
            format!("bad.toml:1:{column}: {table}: at least one [[{table}]] table is needed");
        assert!(
            message.contains(&expected),
            "expected {expected:?} in {message:?}"
        );
    }
}

/// Codes and customer names are what the tables show: an empty warehouse code was written as
/// `""`, which pandas reads as a missing value, and a newline or a space at either end made rows
/// that look alike. Each is refused at its entry; 256 characters and non-ASCII letters pass.
#[test]
fn codes_are_plain_non_empty_text_of_at_most_256_characters() {
    let problem =
        "must be 1 to 256 characters, with no control character and no space at either end";
    let long = "S".repeat(257);
    let cases = [
        (
            edited("baseline.toml", &[("code = \"BRS\"", "code = \"\"")]),
            "bad.toml:29:8: warehouses[2].code",
        ),
        (
            edited("baseline.toml", &[("code = \"web\"", "code = \"w\\neb\"")]),
            "bad.toml:38:8: channels[0].code",
        ),
        (
            edited("baseline.toml", &[("name = \"Glasgow\"", "name = \" Glasgow\"")]),
            "customers[3].name",
        ),
        (
            edited("baseline.toml", &[("code = \"IMPORT\"", "code = \"IMPORT\\t\"")]),
            "replenishment.suppliers[1].code",
        ),
        (
            edited("baseline.toml", &[("[[warehouses]]", format!("[[skus]]\ncode = \"{long}\"\nunit_weight_grams = 10\nunit_price_cents = 100\n\n[[warehouses]]").as_str())]),
            "skus[0].code",
        ),
    ];
    for (text, key) in cases {
        let message = refusal(&text);
        assert!(message.contains(&format!("{key}: {problem}")), "{message}");
    }
    // An event's name also keeps out `;`, which separates the day's events in daily.csv.
    for name in ["Black Friday; Cyber Monday", "", "Black\\nFriday"] {
        let text = edited(
            "black-friday.toml",
            &[(
                "name = \"Black Friday\"",
                format!("name = \"{name}\"").as_str(),
            )],
        );
        let message = refusal(&text);
        assert!(
            message.contains("demand.events[0].name: must be 1 to 256 characters, with no `;`"),
            "{message}"
        );
    }
    let longest = "L".repeat(256);
    for code in [longest.as_str(), "Lyon–Nord 2"] {
        let text = edited(
            "baseline.toml",
            &[("code = \"web\"", format!("code = \"{code}\"").as_str())],
        );
        Scenario::parse(&text, Path::new("ok.toml")).expect(code);
    }
}
