//! Exports of hand-made runs: typed columns that read back as written, and honest reports of
//! empty and failed runs.

use polars::prelude::*;
use qm_reports::export::{self, Format};
use qm_reports::run::*;
use qm_reports::unit::Unit;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("qm-reports-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Two days, one warehouse, one SKU: 10 orders placed, 8 fulfilled.
fn small_run() -> RunData {
    RunData {
        kpis: vec![
            ("scenario".into(), KpiValue::Text("tiny".into())),
            ("start_date".into(), KpiValue::Text("2026-11-27".into())),
            ("days".into(), KpiValue::Count(2)),
            ("orders_placed".into(), KpiValue::Count(10)),
            ("orders_to_ship".into(), KpiValue::Count(10)),
            ("orders_shipped".into(), KpiValue::Count(8)),
            ("orders_shipped_complete".into(), KpiValue::Count(8)),
            ("order_fulfillment_rate".into(), KpiValue::Number(0.8)),
            ("order_accuracy".into(), KpiValue::Number(1.0)),
        ],
        targets: vec![
            Target {
                kpi: "order_accuracy".into(),
                bound: Bound::AtLeast,
                value: 0.99,
            },
            Target {
                kpi: "order_fulfillment_rate".into(),
                bound: Bound::AtLeast,
                value: 0.98,
            },
        ],
        events: vec![EventSpan {
            name: "Black Friday".into(),
            first_day: 0,
            last_day: 0,
        }],
        daily: (0..2)
            .map(|day| DayRow {
                day,
                date: format!("2026-11-{}", 27 + day),
                counts: Counts {
                    orders_placed: 5,
                    orders_shipped_complete: 4,
                    ..Counts::default()
                },
                processing_time_hours_p50: Some(10.0),
                ..Default::default()
            })
            .collect(),
        skus: vec![SkuRow {
            sku: "A-1".into(),
            unit_price_cents: qm_money::Cents::new(250),
            counts: Counts {
                units_ordered: 12,
                units_shipped: 9,
                ..Counts::default()
            },
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn parquet_and_csv_read_back_typed() {
    let dir = temp_dir("typed");
    export::write(&small_run(), &dir, &[Format::Csv, Format::Parquet]).unwrap();
    let daily = ParquetReader::new(std::fs::File::open(dir.join("daily.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(daily.column("date").unwrap().dtype(), &DataType::Date);
    assert_eq!(
        daily.column("orders_placed").unwrap().dtype(),
        &DataType::UInt64
    );
    assert_eq!(
        daily.column("date").unwrap().get(1).unwrap().to_string(),
        "2026-11-28"
    );
    // Processing percentiles of a day without completed orders are null, not 0.
    assert_eq!(
        daily
            .column("processing_time_hours_p95")
            .unwrap()
            .null_count(),
        2
    );

    let csv = std::fs::read_to_string(dir.join("daily.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("date,day,demand_multiplier,events,orders_placed"),
        "{header}"
    );
    assert!(
        csv.lines().nth(1).unwrap().starts_with("2026-11-27,0,"),
        "{csv}"
    );

    let skus = ParquetReader::new(std::fs::File::open(dir.join("skus.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(
        skus.column("abc_class")
            .unwrap()
            .get(0)
            .unwrap()
            .to_string(),
        "\"A\""
    );
    assert_eq!(
        skus.column("ordered_value_cents")
            .unwrap()
            .get(0)
            .unwrap()
            .to_string(),
        "3000"
    );
    let summary = ParquetReader::new(std::fs::File::open(dir.join("summary.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(summary.height(), qm_reports::kpi::KPIS.len());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_empty_run_says_so_instead_of_reporting_zero_rates() {
    let mut run = small_run();
    for (name, value) in &mut run.kpis {
        if name.starts_with("orders_") {
            *value = KpiValue::Count(0);
        }
    }
    let dir = temp_dir("empty");
    export::write(&run, &dir, &[Format::Json, Format::Html]).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["status"], "completed");
    assert_eq!(summary["orders_placed"], 0);
    assert!(summary["order_fulfillment_rate"].is_null(), "{summary}");
    assert!(summary["order_accuracy"].is_null());
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("No orders were placed in this run"));
    assert!(html.contains("undefined: orders_to_ship is 0"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_run_is_reported_as_failed_with_its_error() {
    let mut run = small_run();
    run.status = RunStatus::Failed {
        days_completed: 2,
        message: "day 2: the engine broke an invariant <cell 7>".into(),
    };
    let dir = temp_dir("failed");
    export::write(&run, &dir, &[Format::Json, Format::Html]).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["status"], "failed");
    assert_eq!(
        summary["failure"],
        "day 2: the engine broke an invariant <cell 7>"
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("This run failed after 2 simulated day(s): day 2: the engine broke an invariant &lt;cell 7&gt;"),
        "the banner names the failure, escaped"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn headline_cards_are_green_when_met_and_red_when_missed() {
    let html = qm_reports::html::report(&small_run());
    // Accuracy 100 % meets ≥ 99 %; fulfillment 80 % misses ≥ 98 %.
    let card = |kpi: &str| {
        let at = html
            .find(&format!("<div class=\"name\">{kpi}</div>"))
            .unwrap();
        let open = html[..at].rfind("<div class=\"card").unwrap();
        html[open..at].to_string()
    };
    assert!(card("order_accuracy").contains("card good"));
    assert!(card("order_fulfillment_rate").contains("card bad"));
    assert!(html.contains("target ≥ 98.00 % · missed"));
    // Self-contained: no script, and nothing loaded from elsewhere (the SVG namespace URI is a name).
    for forbidden in ["<script", "<link", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    // The event is shaded and labelled on the daily chart.
    assert!(html.contains("Black Friday"));
    // Daily orders and stock are charted; the processing-time chart has no completed order to show.
    assert_eq!(html.matches("<svg").count(), 2);
    assert!(html
        .contains("<b>Processing time: placement to shipped complete</b>: no data in this run."));
}

#[test]
fn comparison_reports_differences_against_the_first_run() {
    let a = small_run();
    let mut b = small_run();
    for (name, value) in &mut b.kpis {
        if name == "order_fulfillment_rate" {
            *value = KpiValue::Number(0.9);
        }
    }
    let runs = [("a", &a), ("b", &b)];
    let kpis = qm_reports::compare::kpis(&runs);
    let table = qm_reports::compare::table(&runs, &kpis);
    assert_eq!(table.frame.height(), 2 * qm_reports::kpi::KPIS.len());
    let rate = table
        .frame
        .clone()
        .difference_of("order_fulfillment_rate", "b");
    assert!((rate - 0.1).abs() < 1e-12, "{rate}");
    let text = qm_reports::compare::text(&runs, &kpis);
    // Money in cents, with its unit, in values and differences alike.
    assert_eq!(
        qm_reports::format::signed_difference(-2064.52, Unit::Cents),
        "-2,064.52 cents"
    );
    assert_eq!(
        qm_reports::format::display(&KpiValue::Number(2064.52), Unit::Cents),
        "2,064.52 cents"
    );
    assert_eq!(
        qm_reports::format::display(&KpiValue::Count(98_000), Unit::Cents),
        "98,000 cents"
    );
    assert_eq!(
        qm_reports::format::signed_difference(67.0, Unit::Orders),
        "+67"
    );
    assert!(
        text.contains("order_fulfillment_rate")
            && text.contains("80.00 %")
            && text.contains("90.00 % (+10.00 pt)"),
        "{text}"
    );
    assert!(!text.contains("different numbers of days"), "{text}");
}

/// Runs over different horizons: their totals are not comparable, and the comparison says so.
#[test]
fn comparison_says_when_the_runs_cover_different_numbers_of_days() {
    let a = small_run();
    let mut b = small_run();
    let days = |run: &RunData| run.number("days").unwrap();
    for (name, value) in &mut b.kpis {
        if name == "days" {
            *value = KpiValue::Count(2 * days(&a) as u64);
        }
    }
    let runs = [("a", &a), ("b", &b)];
    let note = format!(
        "the runs cover different numbers of days (a: {}, b: {})",
        days(&a),
        2.0 * days(&a)
    );
    let text = qm_reports::compare::text(&runs, &qm_reports::compare::kpis(&runs));
    assert!(text.starts_with(&format!("note: {note}")), "{text}");
    let dir = std::env::temp_dir().join(format!("qm-compare-days-{}", std::process::id()));
    qm_reports::compare::write(&runs, &dir).unwrap();
    let html = std::fs::read_to_string(dir.join("compare.html")).unwrap();
    assert!(
        html.contains("The runs cover different numbers of days (a: "),
        "{html}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// In `compare.html` each run's value is judged against its own scenario's target.
#[test]
fn comparison_judges_each_run_by_its_own_targets() {
    let a = small_run();
    let mut b = small_run();
    for target in &mut b.targets {
        if target.kpi == "order_fulfillment_rate" {
            target.value = 0.75;
        }
    }
    let runs = [("a", &a), ("b", &b)];
    let dir = std::env::temp_dir().join(format!("qm-compare-targets-{}", std::process::id()));
    qm_reports::compare::write(&runs, &dir).unwrap();
    let html = std::fs::read_to_string(dir.join("compare.html")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let row = html
        .split("<tr>")
        .find(|r| r.contains("<code>order_fulfillment_rate</code>"))
        .unwrap();
    // 80 % misses a's 98 % and meets b's 75 %.
    assert!(
        row.contains("<span class=\"bad-text\">80.00 %</span>")
            && row.contains("<span class=\"good-text\">80.00 %</span>"),
        "{row}"
    );
}

/// The `difference_vs_first` of one KPI and run, read from the long table.
trait Difference {
    fn difference_of(self, kpi: &str, run: &str) -> f64;
}

impl Difference for DataFrame {
    fn difference_of(self, kpi: &str, run: &str) -> f64 {
        let kpis = self.column("kpi").unwrap().str().unwrap().clone();
        let runs = self.column("run").unwrap().str().unwrap().clone();
        let diffs = self
            .column("difference_vs_first")
            .unwrap()
            .f64()
            .unwrap()
            .clone();
        (0..self.height())
            .find(|&i| kpis.get(i) == Some(kpi) && runs.get(i) == Some(run))
            .and_then(|i| diffs.get(i))
            .unwrap()
    }
}

/// Money is in cents wherever it shows, with its unit: the HTML card of a cents KPI read "10.48"
/// (currency units) while summary.json held 1047.5.
#[test]
fn the_html_shows_money_in_cents_with_its_unit() {
    let mut run = small_run();
    run.kpis.push((
        "shipping_cost_cents_per_order".into(),
        KpiValue::Number(1047.5),
    ));
    let page = qm_reports::html::report(&run);
    assert!(page.contains("1,047.50 cents"), "no cents card");
    assert!(!page.contains(">10.48<"));
}
