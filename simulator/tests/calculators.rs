//! `qm policy` and `qm forecast` end to end: the binary, its JSON, its errors and exit codes,
//! against numbers worked by hand.

mod common;
use common::{ok, qm};

fn json(args: &[&str]) -> serde_json::Value {
    let out = qm(args);
    assert!(
        out.status.success(),
        "qm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn number(v: &serde_json::Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} in {v}"))
}

const EXAMPLE: [&str; 8] = [
    "policy",
    "--mean-demand",
    "40",
    "--demand-std",
    "12",
    "--lead-time-days",
    "7",
    "--json",
];

#[test]
fn policy_for_a_service_level_with_a_stochastic_lead_time() {
    let mut args = EXAMPLE.to_vec();
    args.extend([
        "--lead-time-std",
        "2",
        "--service-level",
        "0.95",
        "--order-qty",
        "300",
    ]);
    let v = json(&args);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "cycle_service_level",
            "expected_units_short_per_cycle",
            "fill_rate",
            "reorder_point",
            "safety_stock",
            "z"
        ]
    );
    // σ_LT = sqrt(7·144 + 1600·4) = 86.0697; SS = 1.6449 · 86.0697 = 141.57; ROP = 280 + SS
    assert!((number(&v, "z") - 1.6449).abs() < 1e-4);
    assert!((number(&v, "safety_stock") - 141.57).abs() < 0.01);
    assert!((number(&v, "reorder_point") - 421.57).abs() < 0.01);
    // ESC = 86.0697 · G(1.6449) = 86.0697 · 0.02089 = 1.798; fill = 1 − 1.798/300
    assert!((number(&v, "expected_units_short_per_cycle") - 1.798).abs() < 0.001);
    assert!((number(&v, "fill_rate") - 0.99401).abs() < 1e-5);
    assert_eq!(number(&v, "cycle_service_level"), 0.95);
}

#[test]
fn policy_for_a_fill_rate_and_of_a_given_reorder_point() {
    let mut args = EXAMPLE.to_vec();
    args.extend([
        "--lead-time-std",
        "2",
        "--fill-rate",
        "0.98",
        "--order-qty",
        "300",
    ]);
    let v = json(&args);
    // G(k) = 0.02 · 300 / 86.0697 = 0.06971 → k = 1.0920 (between G(1.09) and G(1.10))
    assert!((number(&v, "z") - 1.0920).abs() < 1e-3);
    assert!((number(&v, "fill_rate") - 0.98).abs() < 1e-9);
    assert!((number(&v, "expected_units_short_per_cycle") - 6.0).abs() < 1e-6);

    // No lead-time variability: σ_LT = 12·sqrt(7) = 31.749; ROP 300 → z = 20/31.749 = 0.6299
    let mut args = EXAMPLE.to_vec();
    args.extend(["--reorder-point", "300", "--order-qty", "300"]);
    let v = json(&args);
    assert!((number(&v, "z") - 0.6299).abs() < 1e-4);
    assert!((number(&v, "safety_stock") - 20.0).abs() < 1e-9);
    assert!((number(&v, "cycle_service_level") - 0.7356).abs() < 1e-4);
    // Without --order-qty the fill rate is null, not a made-up number.
    let mut args = EXAMPLE.to_vec();
    args.extend(["--service-level", "0.9"]);
    assert!(json(&args)["fill_rate"].is_null());
    // Certain lead-time demand has no z: null in the JSON, `—` in the text, never `inf`.
    let certain = [
        "policy",
        "--mean-demand",
        "10",
        "--demand-std",
        "0",
        "--lead-time-days",
        "5",
        "--fill-rate",
        "0.98",
        "--order-qty",
        "10",
    ];
    let mut args = certain.to_vec();
    args.push("--json");
    assert!(json(&args)["z"].is_null());
    let text = ok(&qm(&certain));
    assert!(
        text.contains("— (lead-time demand is certain)") && !text.contains("inf"),
        "{text}"
    );
    // A target service level on certain demand is met every cycle: the policy's level is 1.
    let mut args = certain[..7].to_vec();
    args.extend(["--service-level", "0.95", "--json"]);
    let policy = json(&args);
    assert!(policy["z"].is_null(), "{policy}");
    assert_eq!(policy["cycle_service_level"], 1.0, "{policy}");
    assert_eq!(policy["reorder_point"], 50.0, "{policy}");
}

/// Under periodic review the level is an order-up-to level, named so in the text and the JSON:
/// it covers the lead time and the review period, z · σ · √(L + R) above their demand.
#[test]
fn periodic_review_names_its_order_up_to_level() {
    let base = [
        "policy",
        "--mean-demand",
        "40",
        "--demand-std",
        "12",
        "--lead-time-days",
        "7",
        "--review-period-days",
        "7",
    ];
    let v = json(&[&base[..], &["--service-level", "0.95", "--json"]].concat());
    assert!(v.get("reorder_point").is_none(), "{v}");
    let level = number(&v, "order_up_to_level");
    let expected = 40.0 * 14.0 + 1.6448536269514724 * 12.0 * 14f64.sqrt();
    assert!(
        (level - expected).abs() < 1e-9,
        "{level} against {expected}"
    );
    let text = ok(&qm(&[&base[..], &["--service-level", "0.95"]].concat()));
    assert!(
        text.contains("order-up-to level               633.85 units"),
        "{text}"
    );
    assert!(!text.contains("reorder point"), "{text}");
    // `--order-up-to` evaluates a given level, as `--reorder-point` does.
    let v = json(&[&base[..], &["--order-up-to", "640", "--json"]].concat());
    assert_eq!(number(&v, "order_up_to_level"), 640.0);
    assert!((number(&v, "safety_stock") - 80.0).abs() < 1e-9);
}

#[test]
fn policy_refuses_impossible_inputs_with_exit_code_2() {
    for (extra, message) in [
        (
            vec!["--service-level", "1.2"],
            "--service-level: must be strictly between 0 and 1",
        ),
        (
            vec!["--fill-rate", "0.98"],
            "--fill-rate: needs --order-qty",
        ),
        (
            vec!["--service-level", "0.9", "--order-qty", "-5"],
            "--order-qty: must be a number of units > 0, got -5",
        ),
        // Extreme numbers are echoed as typed, not as hundreds of digits.
        (
            vec!["--reorder-point", "-1e300"],
            "--reorder-point: must be a number of units, got -1e300\n",
        ),
        (
            vec!["--service-level", "1e300"],
            "--service-level: must be strictly between 0 and 1 (0.95 = 95 %), got 1e300\n",
        ),
    ] {
        let mut args = EXAMPLE.to_vec();
        args.extend(extra);
        let out = qm(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
    }
    let out = qm(&[
        "policy",
        "--mean-demand",
        "-4",
        "--demand-std",
        "1",
        "--lead-time-days",
        "7",
        "--service-level",
        "0.9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--mean-demand: must be a finite number ≥ 0, got -4"));
}

fn series_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("qm-forecast-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn forecast_json_matches_hand_computed_methods() {
    let path = series_file("ses.csv", "units\n10\n12\n8\n10\n");
    let p = path.to_str().unwrap();
    // SES α = 0.1 (the default): 10 → 10.2 → 9.98 → 9.982, flat over the horizon
    let v = json(&["forecast", p, "--method", "ses", "--horizon", "3", "--json"]);
    assert_eq!(v["method"], "ses");
    let f: Vec<f64> = serde_json::from_value(v["forecast"].clone()).unwrap();
    assert_eq!(f.len(), 3);
    assert!(f.iter().all(|x| (x - 9.982).abs() < 1e-9), "{f:?}");
    // Holt α = β = 0.5 on 10, 12, 15 (see the engine's tests): l = 14.5, b = 2.25
    let path = series_file("holt.csv", "units\n10\n12\n15\n");
    let v = json(&[
        "forecast",
        path.to_str().unwrap(),
        "--method",
        "holt",
        "--alpha",
        "0.5",
        "--beta",
        "0.5",
        "--horizon",
        "2",
        "--json",
    ]);
    let f: Vec<f64> = serde_json::from_value(v["forecast"].clone()).unwrap();
    assert!(
        (f[0] - 16.75).abs() < 1e-9 && (f[1] - 19.0).abs() < 1e-9,
        "{f:?}"
    );
    // TSB α = 0.5 both on 0, 0, 6, 0, 4: probability 0, 0, 0.5, 0.25, 0.625, size 6 then 5
    // → 5 · 0.625
    let path = series_file("tsb.csv", "units\n0\n0\n6\n0\n4\n");
    let v = json(&[
        "forecast",
        path.to_str().unwrap(),
        "--method",
        "tsb",
        "--alpha-demand",
        "0.5",
        "--alpha-probability",
        "0.5",
        "--horizon",
        "1",
        "--json",
    ]);
    assert!((v["forecast"][0].as_f64().unwrap() - 3.125).abs() < 1e-9);
    // Moving average, window 2: (0 + 4) / 2
    let v = json(&[
        "forecast",
        path.to_str().unwrap(),
        "--method",
        "moving_average",
        "--window",
        "2",
        "--horizon",
        "1",
        "--json",
    ]);
    assert_eq!(v["forecast"][0].as_f64().unwrap(), 2.0);
}

/// The one-step error measures over the history, and `—` where the history leaves one undefined:
/// no day scored (one day of history), no demand to divide by (a series of zeros).
#[test]
fn forecast_text_shows_undefined_error_measures_as_undefined() {
    let text = |name: &str, series: &str| {
        let path = series_file(name, series);
        ok(&qm(&[
            "forecast",
            path.to_str().unwrap(),
            "--method",
            "ses",
        ]))
    };
    assert!(text("hand.csv", "units\n10\n12\n8\n10\n").contains(
        "MAE 1.407 · RMSE 1.717 · MAPE 14.8 % · WAPE 14.1 % · MASE 0.528 · bias +0.060 units/day"
    ));
    assert!(text("one-day.csv", "units\n5\n")
        .contains("MAE — · RMSE — · MAPE — · WAPE — · MASE — · bias —"));
    assert!(text("zeros.csv", "units\n0\n0\n0\n")
        .contains("MAE 0.000 · RMSE 0.000 · MAPE — · WAPE — · MASE — · bias +0.000 units/day"));
}

/// One series is read as a file of many is: a row the CSV reader cannot read is named with its
/// line, and an empty line, a day left out, is refused rather than skipped.
#[test]
fn forecast_reads_one_series_as_it_reads_many() {
    let quoted = series_file("quoted.csv", "units\n3\n\"4\n5\n");
    let gap = series_file("gap.csv", "units\n3\n\n4\n");
    let ragged = series_file("ragged.csv", "units\n3\n4,5\n");
    // A quote left open on a last line without a line break: the CSV reader alone reads `5`.
    let open_end = series_file("open-end.csv", "units\n3\n\"5");
    // A decimal comma splits a number of a one-column file in two fields.
    let decimal = series_file("decimal.csv", "units\n3\n1,5\n2,x\n");
    let read_as_the_many_series_reader = [
        (
            quoted,
            "quoted.csv: row 2 (line 3): unbalanced quote: a quoted field in column `units` runs \
             from line 3 to the end of the file",
        ),
        (
            decimal,
            "decimal.csv: row 2 (line 3): extra fields: 2 where the header has 1 (`1,5` with a \
             decimal comma? qm reads decimal points)",
        ),
        (
            open_end,
            "open-end.csv: row 2 (line 3): unbalanced quote: a quoted field in column `units` \
             runs from line 3 to the end of the file",
        ),
        // An empty line is a day left out: skipped, it would shift every day after it.
        (
            gap,
            "gap.csv: line 3: an empty line before row 2: write 0 for a day without demand",
        ),
        (
            ragged,
            "ragged.csv: row 2 (line 3): extra fields: 2 where the header has 1",
        ),
    ];
    for (file, message) in read_as_the_many_series_reader {
        let out = qm(&["forecast", file.to_str().unwrap(), "--method", "ses"]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
    }
    // A quote closed on that last line is a value like any other.
    let closed_end = series_file("closed-end.csv", "units\n3\n\"5\"");
    let out = ok(&qm(&[
        "forecast",
        closed_end.to_str().unwrap(),
        "--method",
        "naive",
    ]));
    assert!(
        out.contains("2 days of history") && out.contains("day +1    5.000"),
        "{out}"
    );
}

/// A row is named by the line it stands on whatever the file's line breaks (Windows CRLF or
/// LF), after empty lines, and when the last row has no line break; a Parquet row has no line.
#[test]
fn forecast_names_the_line_a_row_stands_on() {
    use polars::prelude::*;
    let parquet = series_file("negative.parquet", "");
    let mut frame = df!("units" => [1.0, 2.0, -3.0]).unwrap();
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .finish(&mut frame)
        .unwrap();
    let long = ["--id", "sku", "--date", "date", "--value", "units"];
    let cases: [(&str, &str, &[&str], &str); 7] = [
        (
            "crlf.csv",
            "units\r\n1\r\n2\r\n-4\r\n",
            &[],
            "crlf.csv: row 3 (line 4): -4 units",
        ),
        (
            "crlf-ragged.csv",
            "units\r\n1\r\n\"2\r\n\",3\r\n",
            &[],
            "crlf-ragged.csv: row 2 (line 3): extra fields: 2 where the header has 1",
        ),
        (
            "crlf-gap.csv",
            "units\r\n1\r\n\r\n2\r\n",
            &[],
            "crlf-gap.csv: line 3: an empty line before row 2",
        ),
        // The last row ends with the text: it stands on the line the reader is on.
        (
            "gap-last.csv",
            "units\n1\n\n2",
            &[],
            "gap-last.csv: line 3: an empty line before row 2",
        ),
        // Many series pass over empty lines; the rows after them keep their own lines.
        (
            "long.csv",
            "sku,date,units\r\na,2024-01-01,1\r\n\r\n\r\nb,2024-01-02,x",
            &long,
            "long.csv: row 2 (line 5): value \"x\" is not a number",
        ),
        // A note of two lines in a column nobody reads moves the rows after it down a line.
        (
            "note.csv",
            "sku,date,units,note\na,2024-01-01,1,\"two\nlines\"\na,2024-01-02,x,\n",
            &long,
            "note.csv: row 2 (line 4): value \"x\" is not a number",
        ),
        (
            "quoted-id.csv",
            "sku,date,units\n\"a\nb\",2024-01-01,1\n\na,2024-01-01,-1\n",
            &long,
            "quoted-id.csv: row 1 (line 2): unbalanced quote: a quoted field in column `sku` \
             runs from line 2 to line 3",
        ),
    ];
    for (name, text, extra, message) in cases {
        let path = series_file(name, text);
        let mut args = vec!["forecast", path.to_str().unwrap(), "--method", "naive"];
        args.extend(extra);
        let out = qm(&args);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{name}: {stderr}");
    }
    let out = qm(&["forecast", parquet.to_str().unwrap(), "--method", "naive"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("negative.parquet: row 3: -3.0 units: demand is finite"),
        "{stderr}"
    );
}

/// A smoothing or length option the method does not read is refused, not silently unused; the
/// options a method reads are taken.
#[test]
fn forecast_refuses_an_option_its_method_does_not_read() {
    let path = series_file("unread.csv", "units\n1\n3\n0\n2\n5\n1\n4\n2\n");
    let file = path.to_str().unwrap();
    for (args, message) in [
        (
            vec!["--method", "naive", "--alpha", "0.5"],
            "--alpha: `naive` does not read it (it reads none of the smoothing or length options)",
        ),
        (
            vec!["--method", "tsb", "--alpha", "0.5"],
            "--alpha: `tsb` does not read it (it reads --alpha-demand, --alpha-probability)",
        ),
        (
            vec!["--method", "croston", "--alpha-demand", "2"],
            "--alpha-demand: `croston` does not read it (it reads --alpha)",
        ),
        (
            vec!["--method", "ses", "--window", "3"],
            "--window: `ses` does not read it (it reads --alpha)",
        ),
        (
            vec!["--method", "mean:ses,naive", "--alpha", "0.3"],
            "--alpha: `mean:ses,naive` does not read it",
        ),
    ] {
        let mut all = vec!["forecast", file];
        all.extend(args);
        let out = qm(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{all:?}: {stderr}");
    }
    // Each option holt_winters reads changes its forecast.
    let forecast = |extra: &[&str]| {
        let mut all = vec!["forecast", file, "--method", "holt_winters", "--json"];
        all.extend(extra);
        json(&all)["forecast"].clone()
    };
    let defaults = forecast(&[]);
    for option in ["--alpha", "--beta", "--gamma"] {
        assert_ne!(forecast(&[option, "0.6"]), defaults, "{option}");
    }
    assert_ne!(forecast(&["--season-length", "3"]), defaults);
}

#[test]
fn forecast_reports_bad_rows_and_shapes_with_exit_code_2() {
    let bad = series_file("bad.csv", "units\n3\nlots\n");
    let wide = series_file("wide.csv", "day,units\n1,3\n");
    let negative = series_file("negative.csv", "units\n3\n-1\n");
    let huge = series_file("huge.csv", "units\n3\n1e308\n");
    let long_huge = series_file("long-huge.csv", "id,date,units\na,2026-01-01,2e12\n");
    let good = series_file("good.csv", "units\n3\n");
    for (args, message) in [
        (
            vec!["forecast", bad.to_str().unwrap(), "--method", "ses"],
            "bad.csv: row 2 (line 3): `lots` is not a number of units",
        ),
        (
            vec!["forecast", wide.to_str().unwrap(), "--method", "ses"],
            "expected one column named `units`",
        ),
        (
            vec!["forecast", negative.to_str().unwrap(), "--method", "ses"],
            "row 2 (line 3): -1 units: demand is finite, ≥ 0 and ≤ 1e12 a day",
        ),
        // Beyond 10¹² units a day the error measures overflow (MAE inf, WAPE NaN %).
        (
            vec!["forecast", huge.to_str().unwrap(), "--method", "ses"],
            "row 2 (line 3): 1e308 units: demand is finite, ≥ 0 and ≤ 1e12 a day",
        ),
        (
            vec![
                "forecast",
                long_huge.to_str().unwrap(),
                "--method",
                "ses",
                "--id",
                "id",
                "--date",
                "date",
                "--value",
                "units",
            ],
            "row 1 (line 2): value 2e12 is more than 1e12 units a day",
        ),
        (
            vec!["forecast", good.to_str().unwrap(), "--method", "arima"],
            "unknown forecast method `arima`",
        ),
        (
            vec![
                "forecast",
                good.to_str().unwrap(),
                "--method",
                "ses",
                "--alpha",
                "1.5",
            ],
            "alpha must be in (0, 1], got 1.5",
        ),
        (
            vec!["forecast", "/nonexistent/units.csv", "--method", "ses"],
            "no such file",
        ),
        (
            vec!["forecast", "/", "--method", "ses"],
            "/: not a file (a folder or a device)",
        ),
        // A long-format file's options, given to a single series, are refused, not ignored.
        (
            vec![
                "forecast",
                good.to_str().unwrap(),
                "--method",
                "ses",
                "--quantiles",
                "0.1,0.9",
            ],
            "required arguments were not provided:\n  --value <VALUE>\n  --date <DATE>",
        ),
        (
            vec![
                "forecast",
                good.to_str().unwrap(),
                "--method",
                "ses",
                "--backtest",
                "2",
            ],
            "--date <DATE>",
        ),
        (
            vec![
                "forecast",
                good.to_str().unwrap(),
                "--method",
                "ses",
                "--out",
                "x",
            ],
            "--date <DATE>",
        ),
    ] {
        let out = qm(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// `qm policy eoq`, `loss` and `base-stock` against stockpyl 1.0.2 itself on a spread of inputs
/// (`stockpyl.eoq.economic_order_quantity`, `stockpyl.loss_functions.standard_normal_loss` and
/// `standard_normal_second_loss`, `stockpyl.newsvendor.newsvendor_normal` and
/// `newsvendor_poisson`). Skipped, with the reason, where python3 cannot import
/// stockpyl, unless `QM_REQUIRE_STOCKPYL` is set (CI installs it and sets it).
#[test]
fn eoq_and_loss_functions_match_stockpyl() {
    let script = r#"
import json, stockpyl.eoq as e, stockpyl.loss_functions as lf
eoq = [list(e.economic_order_quantity(k, h, d)) + [e.economic_order_quantity(k, h, d, order_quantity=q)[1]]
       for k, h, d, q in [(8, 0.225, 1300, 500), (100, 2.5, 12000, 40), (0.5, 10, 3, 1), (2500, 0.01, 1e6, 2e5)]]
loss = [[float(x) for x in lf.standard_normal_loss(z) + lf.standard_normal_second_loss(z)]
        for z in [-3.0, -1.2, 0.0, 0.5, 1.2, 2.33, 4.0]]
import stockpyl.newsvendor as nv
base = [[float(x) for x in (nv.newsvendor_normal(h, p, m, sd, base_stock_level=s) if sd else nv.newsvendor_poisson(h, p, m, base_stock_level=s))]
        for h, p, m, sd, s in [(1, 4, 20, 5, None), (1, 4, 20, 5, 18), (0.5, 9, 3.2, 0, None), (2, 3, 150, 0, None), (1, 4, 20, 0, 18), (3, 1, 0.4, 0, None)]]
import stockpyl.rq as rq
problems = [(0.225, 7.5, 8, 1300, 150, 1/12), (1.0, 20.0, 50, 200, 30, 0.5), (2.0, 5.0, 100, 50, 10, 2.0)]
from scipy.stats import norm
def service(r, q, p):
    mu, sd = p[3] * p[5], p[4] * p[5] ** 0.5
    z = (r - mu) / sd
    short = sd * (norm.pdf(z) - z * norm.sf(z))
    return [norm.cdf(z), short, 1 - short / q]
rqs = [[rq.r_q_cost(p[3] * p[5] + 10, 200, *p), rq.r_q_optimal_r_for_q(200, p[0], p[1], p[3], p[4], p[5]),
        *[float(x) for x in rq.r_q_eoqss_approximation(*p)], *[float(x) for x in rq.r_q_loss_function_approximation(*p)],
        *service(p[3] * p[5] + 10, 200, p)]
       for p in problems]
print(json.dumps({"eoq": eoq, "loss": loss, "base": base, "rq": rqs}))
"#;
    let Some(reference) = common::stockpyl_reference(script) else {
        return;
    };
    check_eoq(&reference);
    check_base_stock(&reference);
    check_losses(&reference);
    check_rq(&reference);
}

/// (r, Q): the exact cost of a given policy (stockpyl integrates numerically; here in closed
/// form) and its service (against scipy's normal distribution), the best r for Q = 200 (stockpyl bisects to 1e-6 on g), EOQ plus safety stock, and
/// the loss-function heuristic (stockpyl iterates to 1e-6).
fn check_rq(reference: &serde_json::Value) {
    let problems = [
        (0.225, 7.5, 8.0, 1300.0, 150.0, 1.0 / 12.0),
        (1.0, 20.0, 50.0, 200.0, 30.0, 0.5),
        (2.0, 5.0, 100.0, 50.0, 10.0, 2.0),
    ];
    for (i, (h, p, k, mean, std, lead)) in problems.iter().enumerate() {
        let expected = |j: usize| reference["rq"][i][j].as_f64().unwrap();
        let base: Vec<String> = [h, p, k, mean, std, lead]
            .iter()
            .map(|x| x.to_string())
            .collect();
        let run = |extra: &[&str]| {
            let mut args = vec![
                "policy",
                "rq",
                "--holding-cost",
                &base[0],
                "--stockout-cost",
                &base[1],
                "--fixed-cost",
                &base[2],
                "--demand-mean",
                &base[3],
                "--demand-std",
                &base[4],
                "--lead-time",
                &base[5],
                "--json",
            ];
            args.extend(extra);
            json(&args)
        };
        let r = (mean * lead + 10.0).to_string();
        let given = run(&["--reorder-point", &r, "--order-qty", "200"]);
        let cost = given["policies"][0]["expected_cost"].as_f64().unwrap();
        // Service of the given policy, against scipy's normal distribution.
        let service = [
            ("cycle_service_level", 6),
            ("expected_units_short_per_cycle", 7),
            ("fill_rate", 8),
        ];
        for (key, j) in service {
            let ours = given["policies"][0][key].as_f64().unwrap();
            assert!(
                (ours - expected(j)).abs() < 1e-9,
                "{i} {key}: {ours} against {}",
                expected(j)
            );
        }
        assert!(
            (cost - expected(0)).abs() <= 1e-7 * expected(0),
            "{i}: {cost} against {}",
            expected(0)
        );
        let best = run(&["--order-qty", "200"]);
        let best_r = best["policies"][0]["reorder_point"].as_f64().unwrap();
        assert!(
            (best_r - expected(1)).abs() < 1e-3,
            "{i}: {best_r} against {}",
            expected(1)
        );
        let heuristics = run(&[]);
        let policy = |j: usize, key: &str| heuristics["policies"][j][key].as_f64().unwrap();
        assert!((policy(0, "reorder_point") - expected(2)).abs() < 1e-9);
        assert!((policy(0, "order_quantity") - expected(3)).abs() < 1e-9);
        assert!(
            (policy(1, "reorder_point") - expected(4)).abs() < 1e-4,
            "{}",
            policy(1, "reorder_point")
        );
        assert!(
            (policy(1, "order_quantity") - expected(5)).abs() < 1e-4,
            "{}",
            policy(1, "order_quantity")
        );
    }
}

fn check_eoq(reference: &serde_json::Value) {
    let inputs = [
        (8.0, 0.225, 1300.0, 500.0),
        (100.0, 2.5, 12000.0, 40.0),
        (0.5, 10.0, 3.0, 1.0),
        (2500.0, 0.01, 1e6, 2e5),
    ];
    for (i, (k, h, d, q)) in inputs.iter().enumerate() {
        let args = [k, h, d, q].map(|x| x.to_string());
        let v = json(&[
            "policy",
            "eoq",
            "--fixed-cost",
            &args[0],
            "--holding-cost",
            &args[1],
            "--demand-rate",
            &args[2],
            "--order-qty",
            &args[3],
            "--json",
        ]);
        let expected = &reference["eoq"][i];
        for (key, j) in [
            ("order_quantity", 0),
            ("annual_cost", 1),
            ("given_quantity_annual_cost", 2),
        ] {
            let (ours, theirs) = (number(&v, key), expected[j].as_f64().unwrap());
            assert!(
                (ours - theirs).abs() <= 1e-9 * theirs.abs().max(1.0),
                "{key} {args:?}: {ours} against {theirs}"
            );
        }
        assert!((number(&v, "orders_per_year") - d / number(&v, "order_quantity")).abs() < 1e-12);
    }
}

fn check_base_stock(reference: &serde_json::Value) {
    let base = [
        (1.0, 4.0, 20.0, Some(5.0), None),
        (1.0, 4.0, 20.0, Some(5.0), Some(18.0)),
        (0.5, 9.0, 3.2, None, None),
        (2.0, 3.0, 150.0, None, None),
        (1.0, 4.0, 20.0, None, Some(18.0)),
        (3.0, 1.0, 0.4, None, None),
    ];
    for (i, (h, p, mean, std, level)) in base.iter().enumerate() {
        let mut args: Vec<String> = ["policy", "base-stock", "--holding-cost", &h.to_string()]
            .map(String::from)
            .to_vec();
        args.extend([
            "--stockout-cost".into(),
            p.to_string(),
            "--demand-mean".into(),
            mean.to_string(),
        ]);
        if let Some(std) = std {
            args.extend(["--demand-std".into(), std.to_string()]);
        }
        if let Some(level) = level {
            args.extend(["--level".into(), level.to_string()]);
        }
        args.push("--json".into());
        let v = json(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let expected = &reference["base"][i];
        for (key, j) in [("base_stock_level", 0), ("expected_cost_per_period", 1)] {
            let (ours, theirs) = (number(&v, key), expected[j].as_f64().unwrap());
            assert!(
                (ours - theirs).abs() <= 1e-9 * theirs.abs().max(1.0),
                "{key} {args:?}: {ours} against {theirs}"
            );
        }
    }
}

fn check_losses(reference: &serde_json::Value) {
    for (i, z) in [-3.0, -1.2, 0.0, 0.5, 1.2, 2.33, 4.0].iter().enumerate() {
        let v = json(&["policy", "loss", "--z", &z.to_string(), "--json"]);
        let expected = &reference["loss"][i];
        let keys = [
            "loss",
            "complementary_loss",
            "second_order_loss",
            "complementary_second_order_loss",
        ];
        for (j, key) in keys.iter().enumerate() {
            let (ours, theirs) = (number(&v, key), expected[j].as_f64().unwrap());
            assert!(
                (ours - theirs).abs() < 1e-9,
                "{key} at z = {z}: {ours} against {theirs}"
            );
        }
    }
}
