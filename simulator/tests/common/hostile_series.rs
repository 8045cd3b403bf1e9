//! Daily series drawn from bytes, and what `qm forecast`'s procedure must give for any of them:
//! shared by `hostile.rs` (random cases on every test run) and the `forecast_series` fuzz target
//! (coverage-guided, by `#[path]`), so both hold the one property.

use qm_simulator::tools::forecast_many::{Request, SeriesForecast};
use qm_simulator::tools::series_file::Series;

/// A byte as a day's units: 0, a small count, a half, or a power of ten up to the most a series
/// file may hold (1e12), so that runs of zeros, constants and spikes are a byte each.
pub fn units(b: u8) -> f64 {
    match b >> 6 {
        0 => 0.0,
        1 => f64::from(b & 63),
        2 => f64::from(b & 63) * 0.5,
        _ => 10f64.powi(i32::from(b & 15).min(12)),
    }
}

/// Series `s0`, `s1`, … from 2026-01-01, one per chunk of bytes.
pub fn series<'b>(chunks: impl Iterator<Item = &'b [u8]>) -> Vec<Series> {
    let first_day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    chunks
        .enumerate()
        .map(|(i, bytes)| Series {
            id: format!("s{i}"),
            first_day,
            values: bytes.iter().copied().map(units).collect(),
            days_filled: 0,
        })
        .collect()
}

/// Whether `forecasts` of `series` under `request` are what a forecast of demand must be: every
/// point finite and at least 0 units, each day's quantiles finite, at least 0 and ascending with
/// their levels, the lead-time sum and its quantiles finite and the sum at least 0; else what
/// is wrong, naming the series.
pub fn check(
    series: &[Series],
    forecasts: &[SeriesForecast],
    request: &Request,
) -> Result<(), String> {
    for (s, f) in series.iter().zip(forecasts) {
        let point = &f.point;
        if !point.iter().all(|p| p.is_finite() && *p >= 0.0) {
            return Err(format!("{}: points {point:?}", s.id));
        }
        for day in 0..request.horizon {
            let each: Vec<f64> = f.quantiles.iter().flatten().map(|q| q[day]).collect();
            let ascending = each.windows(2).all(|w| w[0] <= w[1]);
            if !(each.iter().all(|q| q.is_finite() && *q >= 0.0) && ascending) {
                return Err(format!("{}: day {day}'s quantiles {each:?}", s.id));
            }
        }
        if let Some(lead) = &f.lead_time {
            let mut quantiles = lead.quantiles.iter().flatten();
            let finite = quantiles.all(|q| q.is_finite());
            if !(lead.point.is_finite() && lead.point >= 0.0 && finite) {
                return Err(format!("{}: lead time {lead:?}", s.id));
            }
        }
    }
    Ok(())
}
