//! `qm forecast` of one series end to end: the binary, its JSON and text, the rows it refuses
//! with their lines, its errors and exit codes, against numbers worked by hand.

mod common;
use common::{ok, qm, qm_json as json};

fn series_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = common::test_root().join("forecast");
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

/// The methods a file with a date column fits (or chooses, `auto`) on the whole history (the
/// fitted families, `auto_ets`, `adida`, `imapa`, `auto`) run here as a scenario's forecaster runs
/// them, fitted as it goes:
/// the output says so, in the text and in the JSON, and a method both forms run alike does not.
/// `weekday_ses`, which needs weekdays, is refused with what to give it.
#[test]
fn forecast_says_when_a_method_is_fitted_as_it_goes() {
    let mut rows = String::from("units\n");
    for t in 0..70 {
        rows += &format!("{}\n", [5, 7, 6, 8, 12, 15, 3][t % 7] + t / 10);
    }
    let path = series_file("weekly.csv", &rows);
    let run = |method: &str, json_out: bool| {
        let mut args = vec!["forecast", path.to_str().unwrap(), "--method", method];
        if json_out {
            args.push("--json");
        }
        ok(&qm(&args))
    };
    for method in [
        "holt_fitted",
        "holt_winters_fitted",
        "auto_ets",
        "adida",
        "mean:ses,imapa",
        "auto",
    ] {
        let v: serde_json::Value = serde_json::from_str(&run(method, true)).unwrap();
        assert_eq!(v["fitted_as_it_goes"], true, "{method}");
        let text = run(method, false);
        assert!(
            text.contains("fitted as it goes, as a scenario's forecaster")
                && text.contains("(--date, --value) the fit is on the whole history"),
            "{method}: {text}"
        );
    }
    for method in ["ses", "holt_winters", "tsb", "mean:ses,holt"] {
        let v: serde_json::Value = serde_json::from_str(&run(method, true)).unwrap();
        assert_eq!(v["fitted_as_it_goes"], false, "{method}");
        assert!(
            !run(method, false).contains("fitted as it goes"),
            "{method}"
        );
    }
    // `weekday_ses` is a method of dated series only: the refusal says what to give it.
    let refused = qm(&[
        "forecast",
        path.to_str().unwrap(),
        "--method",
        "weekday_ses",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(
            "--method: weekday_ses needs each day's weekday: give the file a date column"
        ),
        "{stderr}"
    );
}

/// One series is read as a file of many is: a row the CSV reader cannot read is named with its
/// line, and an empty line, a day left out, is refused rather than skipped.
#[test]
fn forecast_reads_one_series_as_it_reads_many() {
    let quoted = series_file("quoted.csv", "units\n3\n\"4\n5\n");
    let gap = series_file("gap.csv", "units\n3\n\n4\n");
    // Old Mac line breaks, a CR alone: the empty line is seen as with LF.
    let gap_cr = series_file("gap-cr.csv", "units\r3\r\r4\r");
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
            gap_cr,
            "gap-cr.csv: line 3: an empty line before row 2: write 0 for a day without demand",
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
            "quoted-id.csv: row 1 (line 2): a line break inside a value: the quoted field in \
             column `sku` runs from line 2 to line 3 (a quote left open by mistake?)",
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
            "found: day, units; a file with a date column reads with `--date COLUMN --value COLUMN`",
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
