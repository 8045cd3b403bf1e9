//! Hostile inputs that once panicked, ran away with memory, gave a silently wrong result, wrote
//! where they should not, or failed without saying where: each is now refused with its
//! location and exit code 2, or read correctly.

mod common;
use common::{qm, scenario};

use std::path::{Path, PathBuf};

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

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qm-refusals-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
            "bad.toml:44:1: channels[1].code: \"web\" is listed twice",
        ),
        (
            "baseline.toml",
            &[("code = \"MAN\"", "code = \"LON\"")],
            "bad.toml:22:1: warehouses[1].code: \"LON\" is listed twice",
        ),
        (
            "baseline.toml",
            &[("warehouses = [\"MAN\", \"LON\"]", "warehouses = []")],
            "bad.toml:44:1: channels[1].warehouses: must name at least one warehouse",
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
            "bad.toml:151:1: fulfillment.carriers[1].bands: needs at least one band",
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

const HEADER: &str =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
const ROW_1: &str =
    "536365,85123A,\"HEART, WHITE\",6,2011-06-01 08:26:00,2.55,17850,United Kingdom";
const ROW_2: &str = "536366,71053,LANTERN,6,2011-06-01 09:26:00,3.39,17850,United Kingdom";

/// `qm import` of `bytes` (as `history.csv`) with the online-retail preset and `extra`
/// options: (exit code, standard output, standard error).
fn import(dir: &Path, bytes: &[u8], extra: &[&str]) -> (i32, String, String) {
    let csv = dir.join("history.csv");
    std::fs::write(&csv, bytes).unwrap();
    import_file(&csv, dir, extra)
}

fn import_file(file: &Path, dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = dir.join("history.qmd");
    let mut args = vec![
        "import",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    if !extra.contains(&"--mapping") {
        args.extend(["--preset", "online_retail"]);
    }
    args.extend(extra);
    let output = qm(&args);
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn csv_rows_that_cannot_be_read_are_counted_with_their_line() {
    let dir = temp_dir("rows");
    // Invalid UTF-8 in a column nobody reads: the row is kept.
    let unused =
        format!("{HEADER}\n{ROW_1}\n536367,22633,BAD \u{0}X,6,2011-06-01 09:00:00,1.85,1,France\n")
            .replace("BAD \u{0}X", "BAD \u{FFFD}X")
            .into_bytes();
    let mut unused = unused;
    let at = unused
        .windows(3)
        .position(|w| w == "\u{FFFD}".as_bytes())
        .unwrap();
    unused.splice(at..at + 3, [0xff, 0xfe]);
    let (code, stdout, stderr) = import(&dir, &unused, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("rows used                     2"),
        "{stdout}"
    );
    // In a mapped column: that row is bad, with its line; the file is not refused.
    let mut used = format!(
        "{HEADER}\n{ROW_1}\n536368,2263X,LAMP,6,2011-06-01 09:00:00,1.85,1,France\n{ROW_2}\n"
    )
    .into_bytes();
    let at = used.windows(5).position(|w| w == b"2263X").unwrap();
    used[at + 4] = 0xff;
    let (code, stdout, stderr) = import(&dir, &used, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("bad row 2: invalid UTF-8: in column `StockCode` (line 3)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("rows used                     2"),
        "{stdout}"
    );
    // An unbalanced quote says which lines it swallowed.
    let quote = format!("{HEADER}\n{ROW_1}\n536369,22633,\"OPEN,6,2011-06-01 09:00:00,1.85,1,France\n{ROW_2}\n{ROW_2}\n");
    let (code, stdout, _) = import(&dir, quote.as_bytes(), &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("bad row 2: unbalanced quote: a quoted field runs from line 3 to line 5"),
        "{stdout}"
    );
    // Extra fields are a bad row, not silently accepted.
    let extra = format!("{HEADER}\n{ROW_1}\n{ROW_2},surprise\n");
    let (_, stdout, _) = import(&dir, extra.as_bytes(), &[]);
    assert!(
        stdout.contains("bad row 2: extra fields: 9 where the header has 8 (line 3)"),
        "{stdout}"
    );
    let (code, _, stderr) = import(&dir, extra.as_bytes(), &["--strict"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("row 2: extra fields"), "{stderr}");
    // A trailing blank line is not a row, even with --strict.
    let blank = format!("{HEADER}\n{ROW_1}\n{ROW_2}\n\n");
    let (code, stdout, stderr) = import(&dir, blank.as_bytes(), &["--strict"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("rows read                     2"),
        "{stdout}"
    );
}

#[test]
fn an_import_that_keeps_no_row_is_an_error_that_says_why() {
    let dir = temp_dir("empty");
    let (code, _, stderr) = import(&dir, format!("{HEADER}\n").as_bytes(), &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no row kept: the file has a header but no data rows"),
        "{stderr}"
    );
    // A timestamp format that matches nothing.
    let mapping = dir.join("mapping.toml");
    std::fs::write(
        &mapping,
        "order_id = \"InvoiceNo\"\ntimestamp = \"InvoiceDate\"\nsku = \"StockCode\"\nquantity = \"Quantity\"\ntimestamp_format = \"%d/%m/%Y\"\n",
    )
    .unwrap();
    let rows = format!("{HEADER}\n{ROW_1}\n{ROW_2}\n");
    let (code, _, stderr) = import(
        &dir,
        rows.as_bytes(),
        &["--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no row kept: all 2 rows were set aside: bad_row: bad timestamp (2)"),
        "{stderr}"
    );
    // An empty cancellation prefix would make every order a cancellation.
    std::fs::write(
        &mapping,
        "order_id = \"InvoiceNo\"\ntimestamp = \"InvoiceDate\"\nsku = \"StockCode\"\nquantity = \"Quantity\"\ncancellation_prefix = \"\"\n",
    )
    .unwrap();
    let (code, _, stderr) = import(
        &dir,
        rows.as_bytes(),
        &["--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("cancellation_prefix is empty"), "{stderr}");
    // One column in two roles: refused before reading, not a panic or every row "empty".
    for extra in ["", "unit_price = \"UnitPrice\"\n"] {
        std::fs::write(
            &mapping,
            format!("order_id = \"InvoiceNo\"\ntimestamp = \"InvoiceNo\"\nsku = \"StockCode\"\nquantity = \"Quantity\"\n{extra}"),
        )
        .unwrap();
        let (code, _, stderr) = import(
            &dir,
            rows.as_bytes(),
            &["--mapping", mapping.to_str().unwrap()],
        );
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("column `InvoiceNo` is mapped to both `order_id` and `timestamp`"),
            "{stderr}"
        );
    }
}

#[test]
fn whole_numbers_stored_as_floats_are_quantities() {
    use polars::prelude::*;
    let dir = temp_dir("floats");
    // What pandas writes for an integer column with a missing value: float64 with a null.
    let mut frame = df!(
        "InvoiceNo" => ["536365", "536366", "536367"],
        "StockCode" => ["85123A", "71053", "22633"],
        "Quantity" => [Some(6.0f64), None, Some(12.0)],
        "InvoiceDate" => ["2011-06-01 08:26:00", "2011-06-01 09:26:00", "2011-06-01 10:26:00"],
        "UnitPrice" => [2.55f64, 3.39, 1.85],
        "CustomerID" => [Some(17850.0f64), Some(17850.0), None],
        "Country" => ["United Kingdom", "United Kingdom", "France"],
    )
    .unwrap();
    let path = dir.join("history.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    let (code, stdout, stderr) = import_file(&path, &dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("rows used                     2"),
        "{stdout}"
    );
    assert!(
        stdout.contains("bad row 2: bad quantity: `` is not a whole number"),
        "{stdout}"
    );
}

#[test]
fn an_import_never_overwrites_the_history_it_reads() {
    let dir = temp_dir("same");
    let csv = dir.join("history.csv");
    let rows = format!("{HEADER}\n{ROW_1}\n{ROW_2}\n");
    std::fs::write(&csv, &rows).unwrap();
    let dotted = dir.join(".").join("history.csv");
    for out in [&csv, &dotted] {
        let output = qm(&[
            "import",
            csv.to_str().unwrap(),
            "--preset",
            "online_retail",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("--out is the history being read"));
        assert_eq!(std::fs::read_to_string(&csv).unwrap(), rows);
    }
    // A log that cannot be written is the folder's fault, not the history's: exit 1, as
    // `qm simulate` into a folder it cannot create.
    let nowhere = dir.join("history.csv").join("log.qmd");
    let output = qm(&[
        "import",
        csv.to_str().unwrap(),
        "--preset",
        "online_retail",
        "--out",
        nowhere.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot write {}", nowhere.display())),
        "{stderr}"
    );
}

/// A history that is not a CSV is refused as soon as that shows, not read whole into memory: a
/// line without end (a device, a binary file) at 16 MiB, a header without the mapped columns
/// before its first row.
#[test]
fn a_file_that_is_not_a_csv_history_is_refused_before_it_fills_memory() {
    let dir = temp_dir("not-csv");
    let long = format!("{HEADER}\n1,\"{}\n", "x".repeat((16 << 20) + 1));
    let (code, _, stderr) = import(&dir, long.as_bytes(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("history.csv: after data row 0: a line longer than 16 MiB: not a CSV file"),
        "{stderr}"
    );
    #[cfg(unix)]
    for (device, message) in [
        (
            "/dev/zero",
            "the header cannot be read: a line longer than 16 MiB: not a CSV file",
        ),
        ("/dev/urandom", "no column `InvoiceNo`; the file has: "),
    ] {
        let link = dir.join("device.csv");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(device, &link).unwrap();
        let (code, _, stderr) = import_file(&link, &dir, &[]);
        assert_eq!(code, 2, "{device}: {stderr}");
        assert!(stderr.contains(message), "{device}: {stderr}");
    }
}

/// A scenario, a column mapping or a durable engine's opening scenario read from a device
/// that never ends is refused at 64 MiB, not read until memory runs out.
#[cfg(unix)]
#[test]
fn a_toml_input_without_end_is_refused_at_its_bound() {
    let dir = temp_dir("endless");
    let csv = dir.join("history.csv");
    std::fs::write(&csv, format!("{HEADER}\n{ROW_1}\n")).unwrap();
    let engine = dir.join("engine");
    for (args, message) in [
        (
            vec!["simulate", "/dev/zero"],
            "/dev/zero: larger than 64 MiB: not a scenario file",
        ),
        (
            vec![
                "import",
                csv.to_str().unwrap(),
                "--mapping",
                "/dev/zero",
                "--out",
                "unused.qmd",
            ],
            "/dev/zero: larger than 64 MiB: not a column mapping",
        ),
        (
            vec![
                "engine",
                "drive",
                engine.to_str().unwrap(),
                "--scenario",
                "/dev/zero",
            ],
            "/dev/zero: larger than 64 MiB: not a scenario file",
        ),
    ] {
        let output = qm(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert!(!engine.join("genesis.json").exists(), "nothing written");
}

/// polars' Parquet reader panics on some damaged footers and pages; `qm import` turns that into
/// a located refusal with nothing of the panic on the terminal.
#[test]
fn a_damaged_parquet_file_is_refused_not_a_panic() {
    use polars::prelude::*;
    let dir = temp_dir("parquet-damage");
    let mut frame = df!(
        "InvoiceNo" => ["536365", "536366", "536367"],
        "StockCode" => ["85123A", "71053", "22633"],
        "Quantity" => [6i64, 6, 12],
        "InvoiceDate" => ["2011-06-01 08:26:00", "2011-06-01 09:26:00", "2011-06-01 10:26:00"],
        "UnitPrice" => [2.55f64, 3.39, 1.85],
        "CustomerID" => ["17850", "17850", "13047"],
        "Country" => ["United Kingdom", "United Kingdom", "France"],
    )
    .unwrap();
    let mut good = Vec::new();
    ParquetWriter::new(&mut good).finish(&mut frame).unwrap();
    let path = dir.join("history.parquet");
    let preset = qm_simulator::scenario::columns::ColumnMapping::preset("online_retail").unwrap();
    // Every byte of the footer set to 0xff in turn: the first that made the reader panic.
    let footer = good.len()
        - 8
        - u32::from_le_bytes(good[good.len() - 8..good.len() - 4].try_into().unwrap()) as usize;
    let panicking = (footer..good.len() - 8).find_map(|i| {
        let mut bytes = good.clone();
        bytes[i] = 0xff;
        std::fs::write(&path, &bytes).unwrap();
        match qm_simulator::demand::import::import(&path, &preset, false) {
            Err(e) if e.to_string().contains("not a readable Parquet file") => Some(bytes),
            _ => None,
        }
    });
    let bytes = panicking.expect("some footer damage makes polars panic");
    std::fs::write(&path, &bytes).unwrap();
    let out = dir.join("history.qmd");
    let output = qm(&[
        "import",
        path.to_str().unwrap(),
        "--preset",
        "online_retail",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: {}: not a readable Parquet file",
            path.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
