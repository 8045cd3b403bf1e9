//! Hostile inputs that once panicked, ran away with memory, gave a silently wrong result, wrote
//! where they should not, or failed without saying where: each is now refused with its
//! location and exit code 2, or read correctly.

mod common;
use common::{qm, scenario, temp_dir};

use std::path::Path;

use qm_simulator::scenario::Scenario;

fn shipped(name: &str) -> String {
    std::fs::read_to_string(scenario(name)).unwrap()
}

/// `name` with each `(from, to)` applied once (each `from` must be there).
fn edited(name: &str, edits: &[(&str, &str)]) -> String {
    let mut text = shipped(name);
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    text
}

/// The error parsing `text` gives, which must name `bad.toml:line:column` with a real line.
fn refusal(text: &str) -> String {
    let error = match Scenario::parse(text, Path::new("bad.toml")) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    };
    let mut parts = error.splitn(4, ':');
    assert_eq!(parts.next(), Some("bad.toml"), "{error}");
    let line: usize = parts.next().unwrap().parse().expect(&error);
    let column: usize = parts.next().unwrap().parse().expect(&error);
    assert!(line >= 1 && column >= 1, "{error}");
    error
}

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
    for weights in [
        "[1e308, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308]",
        "[5e-324, 0, 0, 0, 0, 0, 0]",
    ] {
        let error = refusal(&edited(
            "baseline.toml",
            &[(week, &format!("day_of_week = {weights}"))],
        ));
        assert!(
            error.contains(
                "demand.day_of_week: must be 7 weights, each 0 or within 1e-12..=1e12 (Monday \
                 first), not all 0"
            ),
            "{error}"
        );
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
    common::ok(&qm(&[
        "simulate",
        path.to_str().unwrap(),
        "--days",
        "2",
        "--format",
        "csv,json",
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ]));
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
fn a_recorded_history_that_is_not_a_file_is_located() {
    for (path, problem) in [
        ("/", "not a file (a folder or a device): /"),
        (
            "/nonexistent/history.csv",
            "no such file: /nonexistent/history.csv",
        ),
    ] {
        let error = refusal(&edited(
            "online-retail.toml",
            &[(
                "path = \"data/online-retail-2011-10-to-12.csv.gz\"",
                &format!("path = \"{path}\""),
            )],
        ));
        assert!(
            error.contains(&format!("demand.recorded.path: {problem}")),
            "{error}"
        );
    }
}

#[test]
fn entries_that_clash_or_overflow_are_located() {
    /// A shipped scenario, its edits, and the refusal expected.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (
            "baseline.toml",
            &[("warehouses = [\"MAN\", \"LON\"]", "warehouses = [\"MAN\", \"MAN\"]")],
            "bad.toml:46:22: channels[1].warehouses[1]: \"MAN\" is listed twice",
        ),
        (
            "baseline.toml",
            &[("code = \"marketplace\"", "code = \"web\"")],
            "bad.toml:45:8: channels[1].code: \"web\" is listed twice",
        ),
        (
            "baseline.toml",
            &[("code = \"MAN\"", "code = \"LON\"")],
            "bad.toml:23:8: warehouses[1].code: \"LON\" is listed twice",
        ),
        (
            "baseline.toml",
            &[("warehouses = [\"MAN\", \"LON\"]", "warehouses = []")],
            "bad.toml:46:14: channels[1].warehouses: must name at least one warehouse",
        ),
        (
            "baseline.toml",
            &[("orders_per_day = 3000\n", "")],
            "bad.toml:82:1: demand.orders_per_day: must be a rate > 0",
        ),
        (
            "baseline.toml",
            &[("name = \"Bristol\"", "name = \"London\"")],
            "customers[4].name: \"London\" is listed twice",
        ),
        (
            "baseline.toml",
            &[("code = \"IMPORT\"", "code = \"DOMESTIC\"")],
            "replenishment.suppliers[1].code: \"DOMESTIC\" is listed twice",
        ),
        (
            "flash-sale.toml",
            &[("sku = \"SKU00002\"\nreorder_point_units", "sku = \"SKU00001\"\nreorder_point_units")],
            "replenishment.skus[1].sku: \"SKU00001\" has a policy already",
        ),
        (
            "black-friday.toml",
            &[("code = \"AIR\"", "code = \"GROUND\"")],
            "fulfillment.carriers[1].code: \"GROUND\" is listed twice",
        ),
        (
            "black-friday.toml",
            &[(
                "bands = [\n  { max_distance_km = 6000, base_cents = 2200, per_kg_cents = 300, transit_days = 1 },\n]",
                "bands = []",
            )],
            "bad.toml:153:9: fulfillment.carriers[1].bands: needs at least one band",
        ),
        (
            "baseline.toml",
            &[
                ("days_of_cover = ", "days_of_cover = 3000 # "),
                ("orders_per_day = 3000", "orders_per_day = 900000"),
            ],
            "initial_stock.days_of_cover: 3000 days of up to",
        ),
    ];
    for (name, edits, expected) in cases {
        let error = refusal(&edited(name, edits));
        assert!(error.contains(expected), "{expected}\n{error}");
    }
}

#[test]
fn more_channels_carriers_or_warehouses_than_the_engine_takes_are_located() {
    let mut text = shipped("baseline.toml");
    for i in 0..256 {
        text.push_str(&format!(
            "\n[[channels]]\ncode = \"extra{i}\"\nwarehouses = [\"LON\"]\nstrategy = \"nearest\"\nshare = 1.0\n"
        ));
    }
    let error = refusal(&text);
    assert!(
        error.contains("channels[256]: at most 256 channels"),
        "{error}"
    );
    let mut text = shipped("black-friday.toml");
    for i in 0..31 {
        text.push_str(&format!(
            "\n[[fulfillment.carriers]]\ncode = \"C{i}\"\nbands = [{{ max_distance_km = 100, base_cents = 1, per_kg_cents = 1, transit_days = 1 }}]\n"
        ));
    }
    let error = refusal(&text);
    assert!(
        error.contains("fulfillment.carriers[32]: at most 32 carriers"),
        "{error}"
    );
    let mut text = shipped("baseline.toml");
    for i in 0..62 {
        text.push_str(&format!(
            "\n[[warehouses]]\ncode = \"W{i}\"\nlatitude_deg = 51.0\nlongitude_deg = 0.0\ncapacity_lines_per_day = 10\n"
        ));
    }
    let error = refusal(&text);
    assert!(
        error.contains("warehouses: at most 64 warehouses"),
        "{error}"
    );
}

#[test]
fn invalid_utf8_in_a_scenario_names_its_line_and_byte() {
    let dir = temp_dir("utf8");
    let mut bytes = shipped("baseline.toml").into_bytes();
    let at = bytes.windows(6).position(|w| w == b"London").unwrap();
    bytes[at + 1] = 0xff;
    let path = dir.join("bad.toml");
    std::fs::write(&path, &bytes).unwrap();
    let out = qm(&[
        "simulate",
        path.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let error = String::from_utf8_lossy(&out.stderr);
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let column = at + 1 - bytes[..at].iter().rposition(|&b| b == b'\n').unwrap();
    assert!(
        error.contains(&format!(
            "bad.toml:{line}:{column}: invalid UTF-8 at byte {}",
            at + 1
        )),
        "{error}"
    );
}

#[test]
fn a_run_folder_name_stays_inside_out_and_links_there_are_not_followed() {
    for name in ["../../x", "/tmp/abs", "", ".", "a/b"] {
        let error = refusal(&edited(
            "baseline.toml",
            &[("name = \"baseline\"", &format!("name = {name:?}"))],
        ));
        assert!(error.contains("cannot name the output folder"), "{error}");
    }
    let dir = temp_dir("links");
    let precious = dir.join("precious.txt");
    std::fs::write(&precious, "keep").unwrap();
    std::fs::create_dir_all(dir.join("baseline")).unwrap();
    for file in ["summary.json", "daily.csv", "results.qmr"] {
        std::os::unix::fs::symlink(&precious, dir.join("baseline").join(file)).unwrap();
    }
    let out = qm(&[
        "simulate",
        scenario("baseline.toml").to_str().unwrap(),
        "--days",
        "1",
        "--format",
        "csv,json",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep");
    let summary = std::fs::read_to_string(dir.join("baseline/summary.json")).unwrap();
    assert!(summary.starts_with('{'));
}

#[test]
fn text_cells_a_spreadsheet_would_run_are_defused_in_csv_only() {
    let dir = temp_dir("formula");
    let text = edited(
        "baseline.toml",
        &[("code = \"marketplace\"", "code = \"=HYPERLINK(1)\"")],
    );
    let path = dir.join("formula.toml");
    std::fs::write(&path, text).unwrap();
    let out = qm(&[
        "simulate",
        path.to_str().unwrap(),
        "--days",
        "1",
        "--format",
        "csv,parquet",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let channels = std::fs::read_to_string(dir.join("baseline/channels.csv")).unwrap();
    assert!(channels.contains("'=HYPERLINK(1)"), "{channels}");
    assert!(
        !channels.lines().any(|l| l.starts_with("=HYPERLINK")),
        "{channels}"
    );
}

#[test]
fn calculators_refuse_figures_that_would_overflow_or_hang() {
    let out = qm(&[
        "policy",
        "--mean-demand",
        "1e300",
        "--demand-std",
        "1e300",
        "--lead-time-days",
        "5",
        "--service-level",
        "0.9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--mean-demand: must be at most"));
    let out = qm(&[
        "engine",
        "drive",
        "/nonexistent",
        "--flush-interval-us",
        "1000000000000",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1000000000000 is not in 0..=1000000"));
    // A count of commands or submissions is at least 1: 0 is refused as an argument, before the
    // folder is touched (it was taken as 1, or refused later as a setting with exit code 1).
    for (option, value) in [
        ("--submission", "0"),
        ("--in-flight", "0"),
        ("--batch-max-commands", "0"),
        ("--batch-max-commands", "1048577"),
    ] {
        let out = qm(&["engine", "drive", "/nonexistent", option, value]);
        assert_eq!(out.status.code(), Some(2), "{option} {value}");
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(
            message.contains(&format!("'{value}' for '{option} <"))
                && message.contains(&format!("{value} is not in 1..=1048576")),
            "{message}"
        );
    }
}

/// A list option is one run, folder or row per value: a value given twice is refused before
/// anything runs (two seeds `1` wrote `seed-1` twice, then failed with a table error).
#[test]
fn list_options_that_name_a_value_twice_are_refused() {
    let scenario = scenario("baseline.toml");
    for (args, message) in [
        (
            vec!["simulate", "--seeds", "1,2,1"],
            "--seeds: `1` is listed twice",
        ),
        (
            vec!["simulate", "--format", "csv,html,csv"],
            "--format: `csv` is listed twice",
        ),
        (
            vec!["bench", "--strategies", "nearest,priority,nearest"],
            "--strategies: `nearest` is listed twice",
        ),
        (
            vec!["tune", "--service-levels", "0.9,0.95,0.9"],
            "--service-levels: `0.9` is listed twice",
        ),
        (
            vec!["tune", "--methods", "normal,normal"],
            "--methods: `normal` is listed twice",
        ),
        (
            vec!["tune", "--forecasts", "holt_winters,holt-winters"],
            "--forecasts: `holt_winters` is listed twice",
        ),
    ] {
        let out = temp_dir("twice");
        let mut args = args.clone();
        args.extend([scenario.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        let output = qm(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!out.join("baseline").exists(), "{args:?} wrote nothing");
    }
}

#[test]
fn an_unknown_cost_bound_relaxation_is_refused_naming_both() {
    let out = temp_dir("relaxation");
    let baseline = scenario("baseline.toml");
    for command in ["simulate", "bench"] {
        let output = qm(&[
            command,
            baseline.to_str().unwrap(),
            "--cost-bound=lines",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("`lines` is not a relaxation: unit_share or line_share"),
            "{command}: {stderr}"
        );
        assert!(!out.join("baseline").exists(), "{command} wrote nothing");
    }
}

/// `qm … | head` closes the pipe before `qm` has printed everything: `qm` ends quietly (by
/// SIGPIPE, as Unix tools do), never with a panic about a broken pipe.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_qm_quietly() {
    use std::os::unix::process::ExitStatusExt;
    for _ in 0..5 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_qm"))
            .args(["policy", "loss", "--z", "1.2"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reading end closes at once, most often before qm's first line.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            output.status.success() || output.status.signal() == Some(libc::SIGPIPE),
            "{:?}: {stderr}",
            output.status
        );
    }
}
