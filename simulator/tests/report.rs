//! Reports end to end through the `qm` binary: what `qm simulate` writes, `qm report` and
//! `qm compare`, the files opened by the tools analysts use (pandas, DuckDB), and the HTML report
//! in a real browser (headless Chromium).

mod common;
use common::{ok, qm, scenario};

use std::path::{Path, PathBuf};
use std::process::Command;

use qm_reports::unit::Unit;
use std::sync::OnceLock;

/// Two 4-day runs of the baseline with seeds 1 and 2, made once for every test here.
fn runs() -> &'static (PathBuf, PathBuf) {
    static RUNS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    RUNS.get_or_init(|| {
        let out = common::test_root().join("report");
        let _ = std::fs::remove_dir_all(&out);
        ok(&qm(&[
            "simulate",
            scenario("baseline.toml").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--days",
            "4",
            "--seeds",
            "1,2",
            "--quiet",
        ]));
        (out.join("baseline/seed-1"), out.join("baseline/seed-2"))
    })
}

/// Writes `text` as a scenario file into `dir` and runs it for `days` days, its outputs in `dir`.
fn simulate_text(dir: &Path, text: &str, days: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("variant.toml");
    std::fs::write(&file, text).unwrap();
    ok(&qm(&[
        "simulate",
        file.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
        "--days",
        days,
        "--quiet",
    ]));
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn simulate_writes_every_table_in_every_format() {
    let (a, _) = runs();
    for table in qm_reports::tables::TABLE_NAMES {
        for ext in ["csv", "parquet"] {
            assert!(a.join(format!("{table}.{ext}")).exists(), "{table}.{ext}");
        }
    }
    for file in ["summary.json", "latency.json", "report.html", "results.qmr"] {
        assert!(a.join(file).exists(), "{file}");
    }
    let k = summary(a);
    assert_eq!(k["status"], "completed");
    assert_eq!(k["days"], 4);
    // Baseline: three warehouses, two channels, 2,000 SKUs.
    assert_eq!(k["warehouses"].as_array().unwrap().len(), 3);
    assert_eq!(k["channels"].as_array().unwrap().len(), 2);
    // The JSON rows are the tables' rows: same names, derived columns included.
    assert_eq!(k["channels"][0]["channel"], "web");
    let web = k["channels"][0]["order_fulfillment_rate"].as_f64().unwrap();
    assert!((0.5..=1.0).contains(&web), "{web}");
    assert_eq!(k["warehouses"][0]["warehouse"], "LON");
    assert!(k["warehouses"][0]["capacity_use_share"].as_f64().unwrap() > 0.0);
    let skus = std::fs::read_to_string(a.join("skus.csv")).unwrap();
    assert_eq!(skus.lines().count(), 1 + 2_000);
    let daily = std::fs::read_to_string(a.join("daily.csv")).unwrap();
    assert!(
        daily.lines().nth(1).unwrap().starts_with("2026-03-02,0,"),
        "{daily}"
    );
}

#[test]
fn report_rebuilds_the_chosen_formats_from_the_results() {
    let (a, _) = runs();
    let out = a.with_file_name("again");
    let printed = ok(&qm(&[
        "report",
        a.to_str().unwrap(),
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(printed.contains("daily.csv"), "{printed}");
    assert!(out.join("skus.csv").exists());
    assert!(!out.join("report.html").exists() && !out.join("daily.parquet").exists());
    for table in ["daily.csv", "skus.csv", "summary.csv", "warehouses.csv"] {
        assert_eq!(
            std::fs::read(a.join(table)).unwrap(),
            std::fs::read(out.join(table)).unwrap(),
            "{table} rebuilt byte for byte"
        );
    }

    let missing = qm(&["report", out.join("nothing-here").to_str().unwrap()]);
    assert_eq!(
        missing.status.code(),
        Some(2),
        "a path that names nothing is bad input"
    );
    let message = String::from_utf8_lossy(&missing.stderr);
    assert!(
        message.contains("holds no run results (results.qmr)"),
        "{message}"
    );
    let bad = qm(&["report", a.to_str().unwrap(), "--format", "xlsx"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("unknown format `xlsx`; formats: csv, parquet, json, html"));
}

/// The names of what `dir` holds, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A folder holds one run's reports: a run written with fewer formats removes the reports an
/// earlier run left (its `report.html` and Parquet would have stood beside the new CSV), and
/// `qm report --out` into another run's folder carries the results file along and leaves none of
/// the other run's reports. `qm report` into the run's own folder removes nothing.
#[test]
fn a_folder_holds_the_reports_of_one_run() {
    let (a, b) = runs();
    let out = a.with_file_name("one-run");
    let _ = std::fs::remove_dir_all(&out);
    let simulate = |seed: &str, format: &str| {
        let (scenario, dir) = (scenario("baseline.toml"), out.to_str().unwrap());
        let args = [
            "simulate",
            scenario.to_str().unwrap(),
            "--seed",
            seed,
            "--days",
            "2",
        ];
        ok(&qm(&[
            &args[..],
            &["--out", dir, "--format", format, "--quiet"],
        ]
        .concat()));
    };
    let run = out.join("baseline");
    simulate("7", "csv,parquet,json,html");
    assert_eq!(names_in(&run).len(), 1 + 10 + 10 + 2 + 1);
    simulate("8", "csv");
    let csv_only = names_in(&run);
    assert_eq!(csv_only.len(), 1 + 10, "{csv_only:?}");
    assert!(csv_only
        .iter()
        .all(|f| f.ends_with(".csv") || f == "results.qmr"));
    ok(&qm(&["report", run.to_str().unwrap(), "--format", "html"]));
    assert_eq!(
        names_in(&run).len(),
        1 + 10 + 1,
        "its own folder: nothing removed"
    );

    let other = out.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    for (dir, format) in [(a, "csv"), (b, "json")] {
        let args = [
            "report",
            dir.to_str().unwrap(),
            "--out",
            other.to_str().unwrap(),
        ];
        ok(&qm(&[&args[..], &["--format", format]].concat()));
    }
    assert_eq!(
        names_in(&other),
        ["latency.json", "notes.txt", "results.qmr", "summary.json"]
    );
    assert_eq!(
        std::fs::read(other.join("results.qmr")).unwrap(),
        std::fs::read(b.join("results.qmr")).unwrap()
    );
    std::fs::remove_dir_all(&out).unwrap();
}

/// A run of several seeds replaces a single run in its folder, and the folders of seeds it does
/// not run; a single run replaces the seeds' folders and `seeds.csv`. A file qm did not write
/// stays, and with it its folder.
#[test]
fn a_run_replaces_the_earlier_runs_seeds_or_single_run() {
    let out = runs().0.with_file_name("replaced");
    let _ = std::fs::remove_dir_all(&out);
    let (scenario, dir) = (scenario("baseline.toml"), out.to_str().unwrap());
    let simulate = |more: &[&str]| {
        let args = [
            "simulate",
            scenario.to_str().unwrap(),
            "--days",
            "1",
            "--out",
            dir,
        ];
        ok(&qm(&[&args[..], more, &["--quiet"]].concat()));
    };
    let run = out.join("baseline");
    simulate(&[]);
    simulate(&["--seeds", "1,2,3"]);
    std::fs::write(run.join("seed-3/notes.txt"), "mine").unwrap();
    assert_eq!(names_in(&run), ["seed-1", "seed-2", "seed-3", "seeds.csv"]);
    simulate(&["--seeds", "1,2"]);
    assert_eq!(names_in(&run), ["seed-1", "seed-2", "seed-3", "seeds.csv"]);
    let seed_3: Vec<_> = std::fs::read_dir(run.join("seed-3")).unwrap().collect();
    assert_eq!(seed_3.len(), 1, "only the file qm did not write");
    simulate(&["--format", "html"]);
    assert_eq!(names_in(&run), ["report.html", "results.qmr", "seed-3"]);
    std::fs::remove_dir_all(&out).unwrap();
}

/// A bench keeps the report of each strategy it runs and no other: the folder of a strategy an
/// earlier bench ran goes, as `bench.csv` no longer lists it.
#[test]
fn a_bench_replaces_the_earlier_benchs_strategies() {
    let out = runs().0.with_file_name("benches");
    let _ = std::fs::remove_dir_all(&out);
    let (scenario, dir) = (scenario("baseline.toml"), out.to_str().unwrap());
    for strategies in ["nearest,priority", "nearest,most_stock"] {
        let args = [
            "bench",
            scenario.to_str().unwrap(),
            "--strategies",
            strategies,
        ];
        let more = [
            "--days",
            "1",
            "--replications",
            "1",
            "--out",
            dir,
            "--quiet",
        ];
        ok(&qm(&[&args[..], &more].concat()));
    }
    let names = names_in(&out.join("baseline/bench"));
    let folders: Vec<&String> = names.iter().filter(|n| !n.contains('.')).collect();
    assert_eq!(folders, ["most_stock", "nearest"], "{names:?}");
    std::fs::remove_dir_all(&out).unwrap();
}

/// A results file that is not byte for byte what the run wrote is refused, never reported: a
/// flipped bit in a figure decodes into a report that looks right.
#[test]
fn report_refuses_a_damaged_or_foreign_results_file() {
    let (a, _) = runs();
    let written = std::fs::read(a.join("results.qmr")).unwrap();
    let refusal = |name: &str, bytes: &[u8]| -> String {
        let dir = a.with_file_name(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("results.qmr"), bytes).unwrap();
        for command in [
            vec!["report", dir.to_str().unwrap()],
            vec!["compare", a.to_str().unwrap(), dir.to_str().unwrap()],
        ] {
            let out = qm(&command);
            assert_eq!(out.status.code(), Some(1), "{command:?}");
            assert!(!dir.join("summary.json").exists(), "nothing reported");
        }
        let out = qm(&["report", dir.to_str().unwrap()]);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // One bit of the last figure: the encoding still decodes, the checksum does not match.
    let mut flipped = written.clone();
    *flipped.last_mut().unwrap() ^= 0x10;
    let message = refusal("flipped", &flipped);
    assert!(
        message.contains("results.qmr: damaged results file: checksum mismatch"),
        "{message}"
    );
    let message = refusal("cut", &written[..10]);
    assert!(
        message.contains("damaged results file: 10 bytes where the header alone takes 12"),
        "{message}"
    );
    let mut older = written.clone();
    older[7] = 3;
    let message = refusal("older", &older);
    assert!(
        message.contains("not a results file of this version of qm"),
        "{message}"
    );
}

/// One run named twice (here by two spellings of its path) is refused: it would be compared with
/// itself under one label.
#[test]
fn compare_refuses_a_run_listed_twice() {
    let (a, b) = runs();
    let (again, dir) = (a.join("."), a.with_file_name("compared-twice"));
    let out = qm(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        again.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("RUN_DIR: `") && stderr.contains("` is listed twice"),
        "{stderr}"
    );
}

#[test]
fn compare_lists_each_kpi_per_run_with_its_difference() {
    let (a, b) = runs();
    let out = a.with_file_name("compared");
    let printed = ok(&qm(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(
        printed.contains("seed-1") && printed.contains("seed-2"),
        "{printed}"
    );
    assert!(printed.contains("order_fulfillment_rate"), "{printed}");
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "run,kpi,unit,value,text,difference_vs_first,relative_difference_vs_first"
    );
    assert_eq!(csv.lines().count(), 1 + 2 * qm_reports::kpi::KPIS.len());
    // The seed is a KPI too, with no difference: it identifies the draws and measures nothing.
    assert!(csv.contains("seed-2,seed,count,2.0,,,\n"), "{csv}");
    assert!(
        printed
            .lines()
            .any(|l| l.starts_with("seed") && !l.contains('(')),
        "{printed}"
    );
    let placed = |dir: &Path| summary(dir)["orders_placed"].as_u64().unwrap() as f64;
    let expected = format!(
        "seed-2,orders_placed,orders,{:.1},,{:.1},",
        placed(b),
        placed(b) - placed(a)
    );
    assert!(csv.contains(&expected), "{expected} in\n{csv}");
    let html = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert!(html.contains("seed-1: shipped complete") && html.contains("seed-2: to ship"));
    assert!(html.matches("<svg").count() >= 4);
    assert!(out.join("compare.parquet").exists());

    let alone = qm(&["compare", a.to_str().unwrap()]);
    assert_eq!(
        alone.status.code(),
        Some(2),
        "one run is nothing to compare"
    );
}

#[test]
fn a_run_without_orders_reports_undefined_rates() {
    let dir = common::test_root().join("empty");
    let text = std::fs::read_to_string(scenario("baseline.toml"))
        .unwrap()
        .replace("orders_per_day = 3000", "orders_per_day = 0.0001");
    simulate_text(&dir, &text, "1");
    let run = dir.join("baseline");
    let k = summary(&run);
    assert_eq!(k["orders_placed"], 0);
    for rate in [
        "order_fulfillment_rate",
        "order_accuracy",
        "unit_fill_rate",
        "processing_time_hours_p95",
    ] {
        assert!(k[rate].is_null(), "{rate} must be null, not {}", k[rate]);
    }
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(html.contains("No orders were placed in this run"));
    let printed = ok(&qm(&["report", run.to_str().unwrap(), "--format", "json"]));
    assert!(printed.contains("this run placed no orders"), "{printed}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_scenario_sets_the_targets_the_report_judges_against() {
    let dir = common::test_root().join("targets");
    let text = std::fs::read_to_string(scenario("baseline.toml")).unwrap()
        + "\n[targets]\norder_fulfillment_rate = 0.5\nprocessing_time_hours_p95 = 12\n";
    simulate_text(&dir, &text, "3");
    let summary = std::fs::read_to_string(dir.join("baseline/summary.csv")).unwrap();
    let row = |kpi: &str| {
        summary
            .lines()
            .find(|l| l.starts_with(&format!("{kpi},")))
            .unwrap()
            .to_string()
    };
    // Three days of the baseline fulfil over 99 % of orders (met at 0.5) and ship the 95th
    // percentile in about 23 h (missed at 12 h); accuracy keeps its default 0.99.
    assert!(
        row("order_fulfillment_rate").contains(",share,0.5,at_least,true,"),
        "{}",
        row("order_fulfillment_rate")
    );
    assert!(
        row("processing_time_hours_p95").contains(",hours,12.0,at_most,false,"),
        "{}",
        row("processing_time_hours_p95")
    );
    assert!(
        row("order_accuracy").contains(",share,0.99,at_least,true,"),
        "{}",
        row("order_accuracy")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ctrl_c_stops_at_the_end_of_the_day_and_writes_a_partial_report() {
    let out = common::test_root().join("interrupt");
    let _ = std::fs::remove_dir_all(&out);
    let child = Command::new(env!("CARGO_BIN_EXE_qm"))
        .args([
            "simulate",
            scenario("one-year-benchmark.toml").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json,html",
            "--quiet",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let done = child.wait_with_output().unwrap();
    let message = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(1), "{message}");
    assert!(
        message.contains("the run failed after") && message.contains("interrupted after day"),
        "{message}"
    );
    let run = out.join("one-year-benchmark");
    let k = summary(&run);
    assert_eq!(k["status"], "failed");
    let days = k["days"].as_u64().unwrap();
    assert!((1..365).contains(&days), "{days} days closed");
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(html.contains(&format!(
        "This run failed after {days} simulated day(s): interrupted after day {days} of 365"
    )));
    std::fs::remove_dir_all(&out).unwrap();
}

/// Ctrl-C during `qm simulate --seeds`: every seed stops at its next daily close and writes the
/// report of the days it closed, each in its own folder; no `seeds.csv` mixes their horizons.
#[test]
fn ctrl_c_during_several_seeds_writes_every_seeds_partial_report() {
    use std::io::{BufRead, BufReader};
    let out = common::temp_dir("ctrl-c-seeds");
    let mut child = Command::new(env!("CARGO_BIN_EXE_qm"))
        .args([
            "simulate",
            scenario("one-year-benchmark.toml").to_str().unwrap(),
        ])
        .args(["--seeds", "1,2", "--out", out.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The first line is printed once the handler is installed and the runs are starting.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("running 2 seeds"), "{first}");
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("2 of 2 seeds failed, so there is no seeds.csv"),
        "{stderr}"
    );
    let dir = out.join("one-year-benchmark");
    assert!(!dir.join("seeds.csv").exists());
    for seed in [1, 2] {
        assert!(stderr.contains(&format!("seed {seed}: the run failed after ")));
        let summary = std::fs::read_to_string(dir.join(format!("seed-{seed}/summary.json")))
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
        let days = summary["days"].as_u64().unwrap();
        assert!((1..365).contains(&days), "seed {seed}: {days} days");
    }
    std::fs::remove_dir_all(&out).unwrap();
}

/// Whether an external tool must be present (CI sets these) or may be skipped.
fn required(variable: &str) -> bool {
    std::env::var_os(variable).is_some_and(|v| v == "1")
}

#[test]
fn pandas_and_duckdb_read_the_files_as_they_are() {
    let probe = Command::new("python3")
        .args(["-c", "import pandas, duckdb, pyarrow"])
        .output();
    if !probe.as_ref().is_ok_and(|p| p.status.success()) {
        assert!(
            !required("QM_REQUIRE_READERS"),
            "QM_REQUIRE_READERS=1 but python3 with pandas, pyarrow and duckdb is missing"
        );
        eprintln!("skipped: python3 with pandas, pyarrow and duckdb is not installed (pip install pandas pyarrow duckdb)");
        return;
    }
    let (a, _) = runs();
    let placed = summary(a)["orders_placed"].as_u64().unwrap();
    let shipping_cents = summary(a)["shipping_cost_cents"].as_u64().unwrap();
    let script = format!(
        r#"
import datetime, duckdb, pandas as pd
d = r"{dir}"
daily = pd.read_parquet(d + "/daily.parquet")
assert isinstance(daily["date"].iloc[0], (datetime.date, pd.Timestamp)), type(daily["date"].iloc[0])
assert str(daily["date"].iloc[0])[:10] == "2026-03-02"
assert int(daily["orders_placed"].sum()) == {placed}
# Each day's shipments are its placed orders': over the days, the run's shipping cost.
assert int(daily["shipping_cost_cents"].sum()) == {shipping_cents}
assert pd.read_csv(d + "/skus.csv")["abc_class"].isin(["A", "B", "C"]).all()
con = duckdb.connect()
for source in ["daily.parquet", "daily.csv"]:
    kind, total = con.execute(f"select typeof(date), sum(orders_placed) from '{{d}}/{{source}}' group by 1").fetchone()
    assert kind == "DATE", (source, kind)
    assert total == {placed}, (source, total)
kinds = con.execute(f"select count(*) from '{{d}}/summary.parquet' where value is null and text is null").fetchone()[0]
assert kinds >= 1
print("ok")
"#,
        dir = a.display()
    );
    let done = Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        done.status.success() && String::from_utf8_lossy(&done.stdout).trim() == "ok",
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
}

/// Loads `page` in headless Chromium: (console lines, screenshot as RGB rows).
fn chromium(page: &Path, width: u32, height: u32) -> (Vec<String>, png::OutputInfo, Vec<u8>) {
    let shot = page.with_extension("png");
    let done = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--window-size={width},{height}"),
            &format!("--screenshot={}", shot.display()),
            &format!("file://{}", page.display()),
        ])
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    // Chromium logs every console message (and uncaught error) of the page as CONSOLE.
    let console = String::from_utf8_lossy(&done.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    (console, info, pixels)
}

#[test]
fn the_html_report_renders_in_a_real_browser_without_errors() {
    if Command::new("chromium").arg("--version").output().is_err() {
        assert!(
            !required("QM_REQUIRE_CHROMIUM"),
            "QM_REQUIRE_CHROMIUM=1 but chromium is not installed"
        );
        eprintln!("skipped: chromium is not installed (Debian: apt-get install chromium)");
        return;
    }
    // The harness sees console errors: a page that logs one must be caught.
    let dir = common::test_root().join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    let control = dir.join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><p>x</p><script>console.error('deliberate')</script>",
    )
    .unwrap();
    let (console, _, _) = chromium(&control, 300, 200);
    assert!(
        console.iter().any(|l| l.contains("deliberate")),
        "the console capture does not work: {console:?}"
    );

    // Four days of the baseline ship 99.6 % of orders complete, short of a 99.9 % target (a red
    // card), and meet the 99 % accuracy target (a green card).
    let text = std::fs::read_to_string(scenario("baseline.toml")).unwrap()
        + "\n[targets]\norder_fulfillment_rate = 0.999\n";
    simulate_text(&dir, &text, "4");
    let (console, info, pixels) = chromium(&dir.join("baseline/report.html"), 1200, 1600);
    assert!(console.is_empty(), "console output: {console:?}");
    assert_eq!((info.width, info.height), (1200, 1600));
    let channels = info.color_type.samples();
    let rgb: Vec<(u8, u8, u8)> = pixels
        .chunks(channels)
        .map(|p| (p[0], p[1], p[2]))
        .collect();
    let count = |c: (u8, u8, u8)| rgb.iter().filter(|&&p| p == c).count();
    let white = count((255, 255, 255));
    assert!(
        white < rgb.len() * 95 / 100,
        "the screenshot is blank: {white} of {} pixels white",
        rgb.len()
    );
    // Both card backgrounds are on screen.
    let (green, red) = (count((0xe3, 0xf5, 0xe6)), count((0xfd, 0xe2, 0xe1)));
    assert!(
        green > 5_000 && red > 5_000,
        "green {green}, red {red} pixels"
    );
    // The first chart's fulfilled line (palette blue) is drawn.
    assert!(count((31, 119, 180)) > 500, "no chart line on screen");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bench_replicates_strategies_and_tells_real_differences_from_noise() {
    let out = common::test_root().join("bench");
    let _ = std::fs::remove_dir_all(&out);
    let printed = ok(&qm(&[
        "bench",
        scenario("baseline.toml").to_str().unwrap(),
        "--strategies",
        "nearest,most_stock",
        "--replications",
        "3",
        "--days",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(
        printed.contains("vs nearest:") && printed.contains("lines/s"),
        "{printed}"
    );
    let dir = out.join("baseline/bench");
    let csv = std::fs::read_to_string(dir.join("bench.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let numeric = qm_reports::kpi::KPIS
        .iter()
        .filter(|k| !matches!(k.unit, Unit::Text | Unit::Date))
        .count();
    // The seed and the days name the runs; they are not measured, so they get no interval.
    assert_eq!(rows.len(), 2 * (numeric - 2));
    assert!(!rows.iter().any(|r| r[1] == "seed" || r[1] == "days"));
    let row = |strategy: &str, kpi: &str| {
        rows.iter()
            .find(|r| r[0] == strategy && r[1] == kpi)
            .unwrap()
            .clone()
    };
    // The reference against itself: every paired difference is exactly 0, interval [0, 0].
    let itself = row("nearest", "shipping_distance_km_per_order");
    assert_eq!(itself[3], "3");
    assert_eq!(&itself[7..12], ["0.0", "0.0", "0.0", "false", "3"]);
    // A KPI with a target in the scenario: the target, and the replications that met it (the
    // baseline ships about 99.5 % of its orders complete against 98 %).
    assert_eq!(itself[12..15], ["", "", ""]);
    let fulfilled = row("most_stock", "order_fulfillment_rate");
    assert_eq!(fulfilled[12..15], ["0.98", "at_least", "3"]);
    assert!(
        printed.contains("order_fulfillment_rate (target ≥ 98.00 %)")
            && printed.contains("met in 3 of 3"),
        "{printed}"
    );
    // most_stock ships from whichever warehouse holds the most, not the closest: farther, in
    // every replication, so the interval of the difference excludes 0.
    let farther = row("most_stock", "shipping_distance_km_per_order");
    let (low, high): (f64, f64) = (farther[8].parse().unwrap(), farther[9].parse().unwrap());
    assert!(low > 0.0 && high >= low, "{farther:?}");
    assert_eq!(farther[10], "true");
    let speed = std::fs::read_to_string(dir.join("engine_speed.csv")).unwrap();
    assert_eq!(speed.lines().count(), 1 + 2 * 3);
    for file in [
        "compare.html",
        "compare.csv",
        "nearest/report.html",
        "most_stock/summary.json",
    ] {
        assert!(dir.join(file).exists(), "{file}");
    }

    let bad = qm(&[
        "bench",
        scenario("baseline.toml").to_str().unwrap(),
        "--strategies",
        "nearest,fastest",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("unknown strategy `fastest`; strategies: nearest, lowest_cost"));
    let none = qm(&[
        "bench",
        scenario("baseline.toml").to_str().unwrap(),
        "--replications",
        "0",
    ]);
    assert_eq!(none.status.code(), Some(2));
    std::fs::remove_dir_all(&out).unwrap();
}
