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

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use qm_engine::forecast::{Method, MethodParams};
use qm_simulator::tools::forecast_many::{self, Members, Procedure, Request, WHOLE_METHODS};
use qm_simulator::tools::forecast_output;
use qm_simulator::tools::series_file::{read_long, LongColumns, Series};

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

/// A byte as a day's units: 0, a small count, a half, or a power of ten up to the reader's
/// most (1e12), so that runs of zeros, constants and spikes are a byte each.
fn units(b: u8) -> f64 {
    match b >> 6 {
        0 => 0.0,
        1 => f64::from(b & 63),
        2 => f64::from(b & 63) * 0.5,
        _ => 10f64.powi(i32::from(b & 15).min(12)),
    }
}

/// Up to four series cut from `bytes`.
fn series_of(count: usize, bytes: &[u8]) -> Vec<Series> {
    let first_day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let per = bytes.len().div_ceil(count).max(1);
    bytes
        .chunks(per)
        .enumerate()
        .map(|(i, chunk)| Series {
            id: format!("s{i}"),
            first_day,
            values: chunk.iter().copied().map(units).collect(),
            days_filled: 0,
        })
        .collect()
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
        series_of(usize::from(form / 2 % 4) + 1, rest)
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
    for (s, f) in series.iter().zip(&forecasts) {
        let point = &f.point;
        assert!(
            point.iter().all(|p| p.is_finite() && *p >= 0.0),
            "{}: {point:?}",
            s.id
        );
        if let Some(levels) = &f.quantiles {
            for day in 0..request.horizon {
                let each: Vec<f64> = levels.iter().map(|q| q[day]).collect();
                let ascending = each.windows(2).all(|w| w[0] <= w[1]);
                assert!(each[0] >= 0.0 && ascending, "{}: day {day}: {each:?}", s.id);
            }
        }
        if let Some(lead) = &f.lead_time {
            assert!(
                lead.point.is_finite() && lead.point >= 0.0,
                "{}: {lead:?}",
                s.id
            );
            let quantiles = lead.quantiles.iter().flatten();
            assert!(quantiles.copied().all(f64::is_finite), "{}: {lead:?}", s.id);
        }
    }
    let _ = forecast_many::backtest_scores(&series, &request, usize::from(flags >> 3 & 1) * 2);
    forecast_output::tables(&series, &forecasts, &request.levels).unwrap();
});
