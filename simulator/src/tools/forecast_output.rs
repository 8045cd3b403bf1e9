//! What `qm forecast` writes for a file of series: the forecast table (CSV and Parquet, one row
//! per series and day) and `forecast.json` (the procedure, what it chose, the backtest's scores).

use std::path::{Path, PathBuf};

use polars::prelude::*;
use qm_reports::export::{self, Format};
use qm_reports::tables::Table;

use super::forecast_many::{OriginScores, SeriesForecast};
use super::series_file::Series;
use super::ToolError;

/// The column of quantile level `p`: `quantile_05_units` for 0.05, `quantile_975_units` for
/// 0.975.
pub fn quantile_column(p: f64) -> String {
    let digits = format!("{p}");
    format!("quantile_{}_units", digits.trim_start_matches("0."))
}

/// The forecast table, and the lead-time table when a lead time was asked.
pub fn tables(
    series: &[Series],
    forecasts: &[SeriesForecast],
    levels: &[f64],
) -> PolarsResult<Vec<Table>> {
    let mut tables = vec![table(series, forecasts, levels)?];
    if forecasts.iter().any(|f| f.lead_time.is_some()) {
        tables.push(lead_time_table(series, forecasts, levels)?);
    }
    Ok(tables)
}

/// One row per series: the lead time's days, its demand (Σ of the point forecasts) and one
/// column per quantile level of that sum.
fn lead_time_table(
    series: &[Series],
    forecasts: &[SeriesForecast],
    levels: &[f64],
) -> PolarsResult<Table> {
    let leads: Vec<_> = forecasts
        .iter()
        .filter_map(|f| f.lead_time.as_ref())
        .collect();
    let mut columns = vec![
        Column::new(
            "id".into(),
            series.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "lead_time_days".into(),
            leads.iter().map(|l| l.days as u32).collect::<Vec<_>>(),
        ),
        Column::new(
            "demand_units".into(),
            leads.iter().map(|l| l.point).collect::<Vec<_>>(),
        ),
    ];
    for (i, &p) in levels.iter().enumerate() {
        columns.push(Column::new(
            quantile_column(p).into(),
            (leads.iter())
                .map(|l| l.quantiles.as_ref().map(|q| q[i]))
                .collect::<Vec<_>>(),
        ));
    }
    Ok(Table {
        name: "lead_time",
        row: "series",
        wall_clock: false,
        frame: DataFrame::new(leads.len(), columns)?,
        columns: vec![
            ("id", "the series"),
            ("lead_time_days", "days from the first forecast day"),
            ("demand_units", "Σ of the point forecasts over the lead time, units"),
            (
                "quantile_<level>_units",
                "per quantile level: the empirical quantile of the lead time's total demand (the sum, from the errors of past lead-time sums), units; null when the history is too short to give one such error",
            ),
        ],
    })
}

/// The forecast table: id, date, step (1 = the first day after the history), point forecast and
/// one column per quantile level.
pub fn table(
    series: &[Series],
    forecasts: &[SeriesForecast],
    levels: &[f64],
) -> PolarsResult<Table> {
    let mut ids = Vec::new();
    let mut dates = Vec::new();
    let mut steps = Vec::new();
    let mut points = Vec::new();
    let mut quantiles: Vec<Vec<Option<f64>>> = vec![Vec::new(); levels.len()];
    for (s, f) in series.iter().zip(forecasts) {
        for (step, point) in f.point.iter().enumerate() {
            let day = s.first_day + chrono::Days::new((s.values.len() + step) as u64);
            ids.push(s.id.clone());
            dates.push(day.to_string());
            steps.push(step as u32 + 1);
            points.push(*point);
            for (i, column) in quantiles.iter_mut().enumerate() {
                column.push(f.quantiles.as_ref().map(|q| q[i][step]));
            }
        }
    }
    let points_len = points.len();
    let mut columns = vec![
        Column::new("id".into(), ids),
        Column::new("date".into(), dates),
        Column::new("step".into(), steps),
        Column::new("forecast_units".into(), points),
    ];
    let mut definitions = vec![
        ("id", "the series"),
        ("date", "the day forecast (YYYY-MM-DD)"),
        ("step", "days after the series' last day (1 = the next day)"),
        ("forecast_units", "point forecast, units"),
    ];
    for (i, &p) in levels.iter().enumerate() {
        columns.push(Column::new(
            quantile_column(p).into(),
            std::mem::take(&mut quantiles[i]),
        ));
    }
    if !levels.is_empty() {
        definitions.push((
            "quantile_<level>_units",
            "per quantile level (0.05 → quantile_05_units): the empirical quantile of the day's demand, units; null when the history is too short to give a forecast error",
        ));
    }
    Ok(Table {
        name: "forecast",
        row: "series and day",
        wall_clock: false,
        frame: DataFrame::new(points_len, columns)?,
        columns: definitions,
    })
}

/// Every table [`tables`] may make, by name.
const TABLE_NAMES: [&str; 2] = ["forecast", "lead_time"];

/// Writes each table as CSV and Parquet and `json` as `forecast.json` in `dir`. A table an
/// earlier forecast wrote there and this one does not (`lead_time` without `--lead-days`) is
/// removed, so that the folder holds one forecast.
pub fn write(
    tables: Vec<Table>,
    json: &serde_json::Value,
    dir: &Path,
) -> Result<Vec<PathBuf>, ToolError> {
    std::fs::create_dir_all(dir).map_err(ToolError::io("cannot create", dir))?;
    for name in TABLE_NAMES
        .iter()
        .filter(|&&n| tables.iter().all(|t| t.name != n))
    {
        for format in [Format::Csv, Format::Parquet] {
            crate::sim::remove_file(&dir.join(format!("{name}.{}", format.name())))?;
        }
    }
    let mut written = Vec::new();
    for mut table in tables {
        for format in [Format::Csv, Format::Parquet] {
            written.push(export::write_table(&mut table, dir, format)?);
        }
    }
    let path = dir.join("forecast.json");
    let text = serde_json::to_string_pretty(json).expect("JSON values serialise");
    qm_reports::files::write(&path, text + "\n").map_err(ToolError::io("cannot write", &path))?;
    written.push(path);
    Ok(written)
}

/// A share as a percentage without trailing zeros: 0.9 → `90`, 0.95 → `95`, 0.985 → `98.5`.
fn trimmed_percent(share: f64) -> String {
    let text = format!("{:.2}", share * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The backtest's scores as text, one line per origin.
pub fn backtest_text(scores: &[OriginScores], horizon: usize) -> String {
    let mut out = String::new();
    for s in scores {
        if s.series_scored == 0 {
            out.push_str(&format!(
                "origin {} ({} days before the end): no series has enough days before it to score\n",
                s.origin,
                horizon * s.origin
            ));
            continue;
        }
        // The outermost interval's nominal coverage: highest level − lowest (levels ascend).
        let nominal = match (s.pinball.first(), s.pinball.last()) {
            (Some((low, _)), Some((high, _))) => {
                format!(" (nominal {} %)", trimmed_percent(high - low))
            }
            _ => String::new(),
        };
        let coverage = s.coverage.map_or("—".to_string(), |c| {
            format!("{:.1} %{nominal}", c * 100.0)
        });
        let pinball: Vec<String> = s
            .pinball
            .iter()
            .map(|(p, loss)| format!("{p}: {loss:.4}"))
            .collect();
        out.push_str(&format!(
            "origin {} ({} days before the end, {} series{}): RMSSE {:.4} · MASE {:.4} · MAE {:.4} · RMSE {:.4} · pinball {} · interval coverage {coverage}{}\n",
            s.origin,
            horizon * s.origin,
            s.series_scored,
            s.alpha.map_or(String::new(), |a| format!(", α {a}")),
            s.rmsse,
            s.mase,
            s.mae,
            s.rmse,
            pinball.join(", "),
            s.lead_time_coverage.map_or(String::new(), |c| format!(
                " · lead-time interval coverage {:.1} %{nominal}",
                c * 100.0
            )),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_is_shown_beside_its_nominal_level() {
        let scores = OriginScores {
            origin: 1,
            series_scored: 3,
            pinball: vec![(0.1, 0.2), (0.5, 0.4), (0.9, 0.3)],
            coverage: Some(0.762),
            lead_time_coverage: Some(2.0 / 3.0),
            ..Default::default()
        };
        let text = backtest_text(std::slice::from_ref(&scores), 7);
        assert!(
            text.contains("interval coverage 76.2 % (nominal 80 %)"),
            "{text}"
        );
        assert!(
            text.contains("lead-time interval coverage 66.7 % (nominal 80 %)"),
            "{text}"
        );
        // One level has no interval: no coverage, and no nominal level to show.
        let one = OriginScores {
            pinball: vec![(0.5, 0.4)],
            coverage: None,
            lead_time_coverage: None,
            ..scores
        };
        let text = backtest_text(&[one], 7);
        assert!(text.contains("interval coverage —\n"), "{text}");
        assert_eq!(trimmed_percent(0.985), "98.5");
    }
}
