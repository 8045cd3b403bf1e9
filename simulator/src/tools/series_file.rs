//! A file of many daily series in long format (one row per series and day, CSV, gzip CSV or
//! Parquet): every row checked, then grouped into series of consecutive days.
//!
//! A day a series leaves out between its first and last is a day without demand (sales files
//! usually omit them): it is filled with 0 and counted. A date that does not parse, a value that
//! is not a number or is negative, and a second row for a series' day are errors naming the row.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::*;

use super::calculators::{file_errors, CalculatorError, MAX_UNITS_PER_DAY};
use crate::demand::source::{epoch_ms, read_columns};
use crate::time::MS_PER_DAY;

/// Days one series may span (a hundred years): a stray date cannot allocate without bound.
pub const MAX_SERIES_DAYS: usize = 36_600;

/// Which columns hold what: the series' id (one column or several, joined with `_`), the day
/// and the value.
#[derive(Clone, Debug)]
pub struct LongColumns {
    /// The id's columns; none for a file of one series, named after the file's stem.
    pub id: Vec<String>,
    /// The day's column (`YYYY-MM-DD` text, or a date or datetime in Parquet).
    pub date: String,
    /// The value's column (a number ≥ 0).
    pub value: String,
}

/// One series: its values from its first day, consecutive.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The id (its columns' values joined with `_`).
    pub id: String,
    /// The day of `values[0]`.
    pub first_day: NaiveDate,
    /// One value a day.
    pub values: Vec<f64>,
    /// Days the file left out, filled with 0.
    pub days_filled: usize,
}

/// Reads `path` and returns its series sorted by id.
pub fn read_long(path: &Path, columns: &LongColumns) -> Result<Vec<Series>, CalculatorError> {
    let file_error = file_errors(path)?;
    let is_parquet = path.extension().is_some_and(|e| e == "parquet");
    let mut wanted: Vec<&str> = columns.id.iter().map(String::as_str).collect();
    wanted.extend([columns.date.as_str(), columns.value.as_str()]);
    let source = read_columns(path, &wanted, is_parquet).map_err(&file_error)?;
    let row_error = |row: usize, problem: String| CalculatorError::row(path, &source, row, problem);
    if let Some((row, why)) = source.first_broken() {
        return Err(row_error(row, why.to_string()));
    }
    let frame = &source.frame;
    let text = |column: &str| -> Result<StringChunked, CalculatorError> {
        let values = frame
            .column(column)
            .and_then(|c| c.cast(&DataType::String))
            .map_err(|e| file_error(format!("column {column}: {e}")))?;
        Ok(values.str().expect("cast to text").clone())
    };
    let ids: Vec<StringChunked> = columns
        .id
        .iter()
        .map(|c| text(c))
        .collect::<Result<_, _>>()?;
    // A file of one series (no id column) is named after its stem.
    let single_name = path
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .split('.')
                .next()
                .unwrap_or("series")
                .to_string()
        })
        .unwrap_or_else(|| "series".into());
    let days = days_of(frame, &columns.date, &row_error)?;
    let values = text(&columns.value)?;
    let mut by_id: BTreeMap<String, Vec<(NaiveDate, f64, usize)>> = BTreeMap::new();
    for (row, &day) in days.iter().enumerate() {
        let mut id = String::new();
        if ids.is_empty() {
            id = single_name.clone();
        }
        for (i, column) in ids.iter().enumerate() {
            let Some(part) = column.get(row).filter(|p| !p.is_empty()) else {
                return Err(row_error(row, format!("empty id column {}", columns.id[i])));
            };
            if i > 0 {
                id.push('_');
            }
            id.push_str(part);
        }
        let value = parse_value(values.get(row)).map_err(|p| row_error(row, p))?;
        by_id.entry(id).or_default().push((day, value, row));
    }
    by_id
        .into_iter()
        .map(|(id, rows)| assemble(id, rows).map_err(|(row, p)| row_error(row, p)))
        .collect()
}

/// The date column's days, row by row.
fn days_of(
    frame: &DataFrame,
    column: &str,
    row_error: &dyn Fn(usize, String) -> CalculatorError,
) -> Result<Vec<NaiveDate>, CalculatorError> {
    let column = frame
        .column(column)
        .expect("read_columns checks every wanted column");
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    if let Ok(Some(ms)) = epoch_ms(column) {
        return ms
            .iter()
            .enumerate()
            .map(|(row, ms)| {
                ms.and_then(|ms| {
                    epoch.checked_add_days(chrono::Days::new(
                        ms.div_euclid(MS_PER_DAY as i64) as u64
                    ))
                })
                .ok_or_else(|| row_error(row, "empty or impossible date".into()))
            })
            .collect();
    }
    let text = column
        .cast(&DataType::String)
        .map_err(|e| row_error(0, e.to_string()))?;
    let text = text.str().expect("cast to text");
    (0..text.len())
        .map(|row| {
            let cell = text.get(row).unwrap_or("");
            NaiveDate::parse_from_str(cell.trim(), "%Y-%m-%d")
                .map_err(|_| row_error(row, format!("date {cell:?} is not YYYY-MM-DD")))
        })
        .collect()
}

/// A value: a finite number from 0 to [`MAX_UNITS_PER_DAY`].
fn parse_value(cell: Option<&str>) -> Result<f64, String> {
    let cell = cell.unwrap_or("").trim();
    let value: f64 = cell
        .parse()
        .map_err(|_| format!("value {cell:?} is not a number"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("value {cell} is not a count (a number ≥ 0)"));
    }
    if value > MAX_UNITS_PER_DAY {
        return Err(format!(
            "value {cell} is more than {MAX_UNITS_PER_DAY:e} units a day"
        ));
    }
    Ok(value)
}

/// One series from its rows: sorted by day, a repeated day refused (with the later row), the
/// days left out filled with 0.
fn assemble(id: String, mut rows: Vec<(NaiveDate, f64, usize)>) -> Result<Series, (usize, String)> {
    rows.sort_by_key(|&(day, _, row)| (day, row));
    for pair in rows.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err((
                pair[1].2,
                format!(
                    "a second row for series {id} on {} (the first is row {})",
                    pair[1].0,
                    pair[0].2 + 1
                ),
            ));
        }
    }
    let first_day = rows[0].0;
    let span = (rows[rows.len() - 1].0 - first_day).num_days() as usize + 1;
    if span > MAX_SERIES_DAYS {
        let last = rows[rows.len() - 1];
        return Err((
            last.2,
            format!("series {id} spans {span} days from {first_day} (at most {MAX_SERIES_DAYS})"),
        ));
    }
    let mut values = vec![0.0; span];
    for &(day, value, _) in &rows {
        values[(day - first_day).num_days() as usize] = value;
    }
    Ok(Series {
        id,
        first_day,
        values,
        days_filled: span - rows.len(),
    })
}
