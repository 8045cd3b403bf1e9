//! Bytes as daily series → `qm forecast`'s procedure for a file of many series: every method, a
//! horizon, quantiles, a lead time and a backtest, then the output tables. Two forms: a CSV file
//! read as `qm forecast FILE --id id --date date --value units` reads it (the first byte even),
//! or (odd) values taken straight from the bytes, so that long, constant, all-zero, spiky and
//! huge series come quickly. Any input gives forecasts or a typed error: never a panic; every
//! point forecast finite and at least 0, and each day's quantiles finite, at least 0 and
//! ascending with their levels.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use qm_engine::forecast::{Method, MethodParams};
use qm_simulator::tools::forecast_many::{self, Members, Procedure, Request, WHOLE_METHODS};
use qm_simulator::tools::forecast_output;
use qm_simulator::tools::series_file::{read_long, LongColumns};

#[path = "../../simulator/tests/common/hostile_series.rs"]
mod hostile_series;

/// Every procedure `--method` can name, with the online methods' defaults.
fn procedures() -> &'static [Procedure] {
    static ALL: OnceLock<Vec<Procedure>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = vec![
            Procedure::WeekdaySes(None),
            Procedure::WeekdaySes(Some(0.3)),
            Procedure::Auto,
            Procedure::Mean(Members::parse("weekday_ses,auto_ets").unwrap(), None),
            Procedure::Mean(
                Members::parse("adida,imapa,holt_fitted").unwrap(),
                Some(1.0),
            ),
        ];
        all.extend(WHOLE_METHODS.map(Procedure::Whole));
        let params = MethodParams::default();
        for name in [
            "naive",
            "ses",
            "holt",
            "croston",
            "sba",
            "tsb",
            "moving_average",
        ] {
            all.push(Procedure::Online(Method::from_name(name, &params).unwrap()));
        }
        all
    })
}

/// The file a CSV input is written to, in a folder of this process's own.
fn csv_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("qm-fuzz-forecast-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("series.csv")
    })
}

fuzz_target!(|data: &[u8]| {
    let [form, method, horizon, flags, rest @ ..] = data else {
        return;
    };
    let series = if form % 2 == 0 {
        let mut text = b"id,date,units\n".to_vec();
        text.extend_from_slice(rest);
        std::fs::write(csv_path(), text).unwrap();
        let columns = LongColumns {
            id: vec!["id".into()],
            date: "date".into(),
            value: "units".into(),
        };
        match read_long(csv_path(), &columns) {
            Ok(series) => series,
            Err(_) => return,
        }
    } else {
        let count = usize::from(form / 2 % 4) + 1;
        hostile_series::series(rest.chunks(rest.len().div_ceil(count).max(1)))
    };
    let procedures = procedures();
    let request = Request {
        procedure: procedures[usize::from(*method) % procedures.len()],
        horizon: usize::from(horizon % 30) + 1,
        levels: vec![0.05, 0.5, 0.95],
        lead_days: (flags & 1 == 1).then_some(usize::from(flags >> 4) + 1),
        per_step: flags & 2 == 2,
        analytic: flags & 4 == 4,
    };
    let histories: Vec<&[f64]> = series.iter().map(|s| s.values.as_slice()).collect();
    let (forecasts, _) = forecast_many::forecast_all(&histories, &request);
    if let Err(wrong) = hostile_series::check(&series, &forecasts, &request) {
        panic!("{wrong}");
    }
    let _ = forecast_many::backtest_scores(&series, &request, usize::from(flags >> 3 & 1) * 2);
    forecast_output::tables(&series, &forecasts, &request.levels).unwrap();
});
