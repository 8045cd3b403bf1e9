//! Hostile input: arbitrary bytes, and valid files with bytes flipped, cut or swapped, fed to
//! the scenario parser, the CSV importer, the demand-log decoder and the reader of a run's
//! results file (the journal's decoder has its own in the engine's tests). Each gives a result
//! or a typed error that says where, and never panics or allocates beyond its input. Daily
//! series of zeros, constants, spikes and huge values get finite forecasts of at least 0 units
//! from every method, with quantiles that ascend with their levels.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::hostile_series;
use proptest::prelude::*;
use qm_simulator::demand::import::import;
use qm_simulator::demand::log::DemandLog;
use qm_simulator::scenario::columns::ColumnMapping;
use qm_simulator::scenario::Scenario;
use qm_simulator::sim::read_results;
use qm_simulator::tools::forecast_many::{self, Procedure, Request, WHOLE_METHODS};

fn scenario_text(name: &str) -> String {
    std::fs::read_to_string(common::scenario(name)).unwrap()
}

const HISTORY: &str = "\
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,\"HANGING HEART, WHITE\",6,2011-06-01 08:26:00,2.55,17850,United Kingdom
536365,71053,LANTERN,6,2011-06-01 08:26:00,3.39,17850,United Kingdom
536366,22633,HAND WARMER,12,2011-06-01 09:00:00,1.85,,France
C536369,85123A,HANGING HEART,-2,2011-06-02 10:00:00,2.55,17850,United Kingdom
536371,71053,damaged,-4,2011-06-03 12:00:00,0,,United Kingdom
";

/// `bytes` with some bytes replaced and maybe cut short.
fn damaged(
    bytes: &[u8],
    edits: &[(prop::sample::Index, u8)],
    cut: Option<prop::sample::Index>,
) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for (at, value) in edits {
        let i = at.index(out.len());
        out[i] = *value;
    }
    if let Some(cut) = cut {
        out.truncate(cut.index(out.len() + 1));
    }
    out
}

fn temp_file(name: &str) -> PathBuf {
    let dir = common::test_root().join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_scenario_parser_refuses_damage_with_where_and_what(
        which in 0usize..3,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let name = ["baseline.toml", "black-friday.toml", "warehouse-sizing.toml"][which];
        let bytes = damaged(scenario_text(name).as_bytes(), &edits, cut);
        let text = String::from_utf8_lossy(&bytes);
        if let Err(error) = Scenario::parse(&text, Path::new("hostile.toml")) {
            prop_assert!(error.to_string().starts_with("hostile.toml"), "{error}");
        }
    }

    #[test]
    fn the_scenario_parser_survives_arbitrary_text(text in "\\PC{0,400}") {
        if let Err(error) = Scenario::parse(&text, Path::new("noise.toml")) {
            prop_assert!(error.to_string().starts_with("noise.toml"), "{error}");
        }
    }

    #[test]
    fn the_demand_log_decoder_refuses_damage(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        cut in prop::option::of(any::<prop::sample::Index>()),
        noise in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let path = temp_file("log.csv");
        std::fs::write(&path, HISTORY).unwrap();
        let log = import(&path, &ColumnMapping::preset("online_retail").unwrap(), false).unwrap().log;
        let bytes = log.to_bytes();
        let mangled = damaged(&bytes, &edits, cut);
        match DemandLog::from_bytes(&mangled, "hostile.qmd") {
            Ok(back) => prop_assert_eq!(back.to_bytes(), mangled, "a damaged log decoded"),
            Err(error) => prop_assert!(error.to_string().starts_with("hostile.qmd"), "{error}"),
        }
        prop_assert!(DemandLog::from_bytes(&noise, "noise.qmd").is_err() || noise.is_empty());
    }
}

/// The results file of a one-day run of the baseline, made once.
fn results_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let out = temp_file("run");
        let scenario = common::scenario("baseline.toml");
        common::ok(&common::qm(&[
            "simulate",
            scenario.to_str().unwrap(),
            "--days",
            "1",
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]));
        std::fs::read(out.join("baseline/results.qmr")).unwrap()
    })
}

proptest! {
    // Each case reads a file through polars, or a 0.7 MB results file: fewer cases.
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    #[test]
    fn the_results_file_reader_refuses_damage(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let bytes = results_bytes();
        let mangled = damaged(bytes, &edits, cut);
        let dir = temp_file("damaged-run");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("results.qmr"), &mangled).unwrap();
        match read_results(&dir) {
            Ok(_) => prop_assert_eq!(mangled.as_slice(), bytes, "damaged results were read"),
            Err(error) => prop_assert!(error.to_string().contains("results.qmr"), "{error}"),
        }
    }

    #[test]
    fn the_csv_importer_survives_arbitrary_bytes(noise in prop::collection::vec(any::<u8>(), 0..400)) {
        let path = temp_file("noise.csv");
        std::fs::write(&path, &noise).unwrap();
        if let Err(error) = import(&path, &ColumnMapping::preset("online_retail").unwrap(), false) {
            prop_assert!(error.to_string().contains("noise.csv"), "{error}");
        }
    }

    #[test]
    fn the_csv_importer_counts_or_refuses_damaged_rows(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in prop::option::of(any::<prop::sample::Index>()),
        strict in any::<bool>(),
    ) {
        let path = temp_file(&format!("damaged-{}.csv", strict as u8));
        std::fs::write(&path, damaged(HISTORY.as_bytes(), &edits, cut)).unwrap();
        let preset = ColumnMapping::preset("online_retail").unwrap();
        match import(&path, &preset, strict) {
            Ok(imported) => {
                // Every bad row it set aside is quoted with its row number.
                for (at, reason) in &imported.bad_rows {
                    prop_assert!(at.row >= 1 && at.line >= Some(2) && !reason.is_empty());
                }
            }
            Err(error) => {
                let message = error.to_string();
                prop_assert!(message.contains("damaged-"), "the error does not name the file: {message}");
            }
        }
    }
}

/// `weekday_ses` with α chosen, `auto`, and every whole-history method.
fn procedures() -> Vec<Procedure> {
    let mut all = vec![Procedure::WeekdaySes(None), Procedure::Auto];
    all.extend(WHOLE_METHODS.map(Procedure::Whole));
    all
}

proptest! {
    #[test]
    fn every_method_forecasts_hostile_series_in_finite_units_of_at_least_zero(
        days in prop::collection::vec(prop::collection::vec(any::<u8>(), 1..90), 1..3),
        method in any::<prop::sample::Index>(),
        horizon in 1usize..15,
        lead_days in prop::option::of(1usize..15),
        per_step in any::<bool>(),
        analytic in any::<bool>(),
    ) {
        let series = hostile_series::series(days.iter().map(Vec::as_slice));
        let procedures = procedures();
        let request = Request {
            procedure: procedures[method.index(procedures.len())],
            horizon,
            levels: vec![0.05, 0.5, 0.95],
            lead_days,
            per_step,
            analytic,
        };
        let histories: Vec<&[f64]> = series.iter().map(|s| s.values.as_slice()).collect();
        let (forecasts, _) = forecast_many::forecast_all(&histories, &request);
        hostile_series::check(&series, &forecasts, &request).map_err(TestCaseError::fail)?;
        forecast_many::backtest_scores(&series, &request, 2);
    }
}
