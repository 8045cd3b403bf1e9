//! The scriptable calculators behind `qm policy` and `qm forecast`: the engine's safety-stock
//! and forecast code on numbers or one series a user gives, printed as text or JSON.

use std::path::Path;

use polars::prelude::*;
use qm_engine::forecast::{Forecaster, Method, MethodParams};
use qm_engine::safety_stock::{self, PolicyInputs, PolicyReport};
use qm_reports::format::share_text;

use crate::demand::source::{read_columns, Source};
use crate::demand::DataRow;

/// Longest history `qm forecast` reads, in days (about 270 years): a bound, not a guess.
pub const MAX_HISTORY_DAYS: usize = 100_000;

/// Longest forecast horizon, in days.
pub const MAX_HORIZON_DAYS: u32 = 3_660;

/// Input that a calculator cannot use, with what is wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum CalculatorError {
    /// A number out of its range.
    #[error("{option}: {problem}")]
    Argument {
        /// The command-line option.
        option: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// The series file cannot be read or has the wrong shape.
    #[error("{path}: {problem}")]
    File {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// One row of the series is not a daily demand.
    #[error("{path}: {at}: {problem}")]
    Row {
        /// The file.
        path: String,
        /// The row.
        at: DataRow,
        /// What is wrong.
        problem: String,
    },
}

impl CalculatorError {
    /// An error about data row `row` (0-based) of the file at `path`, read into `source`.
    pub(crate) fn row(path: &Path, source: &Source, row: usize, problem: String) -> Self {
        CalculatorError::Row {
            path: path.display().to_string(),
            at: source.data_row(row),
            problem,
        }
    }
}

/// Refuses a list option that names one value twice (`shown` writes a value as the user
/// wrote it): each value is one run, one folder or one row, so a repeat is a mistake.
pub fn once_each<T: PartialEq>(
    option: &'static str,
    values: &[T],
    shown: impl Fn(&T) -> String,
) -> Result<(), CalculatorError> {
    for (i, value) in values.iter().enumerate() {
        if values[..i].contains(value) {
            return Err(CalculatorError::Argument {
                option,
                problem: format!("`{}` is listed twice", shown(value)),
            });
        }
    }
    Ok(())
}

/// Refuses an output folder that cannot be made because it, or a folder it would go in, is a
/// file: checked before a command runs, so that no work is done only to fail at the write.
pub fn folder_to_write(option: &'static str, folder: &Path) -> Result<(), CalculatorError> {
    let problem = match not_a_folder(folder) {
        None => return Ok(()),
        Some(file) if file == folder => format!("`{}` is a file, not a folder", file.display()),
        Some(file) => format!(
            "`{}` is a file, not a folder, so `{}` cannot be made",
            file.display(),
            folder.display()
        ),
    };
    Err(CalculatorError::Argument { option, problem })
}

/// Refuses an output file that is a folder, or that cannot be written because a folder it
/// would go in is a file.
pub fn file_to_write(option: &'static str, file: &Path) -> Result<(), CalculatorError> {
    let problem = if file.is_dir() {
        format!("`{}` is a folder; name the file to write", file.display())
    } else if let Some(blocker) = file.parent().and_then(not_a_folder) {
        format!(
            "`{}` is a file, not a folder, so `{}` cannot be written",
            blocker.display(),
            file.display()
        )
    } else {
        return Ok(());
    };
    Err(CalculatorError::Argument { option, problem })
}

/// The nearest of `folder` and the folders above it that exists, when it is not a folder.
fn not_a_folder(folder: &Path) -> Option<&Path> {
    folder
        .ancestors()
        .find(|a| a.exists())
        .filter(|found| !found.is_dir())
}

/// What `qm policy` is asked: the policy for a service level, for a fill rate, or of a reorder point.
#[derive(Clone, Copy, Debug)]
pub enum PolicyTarget {
    /// A target cycle service level.
    ServiceLevel(f64),
    /// A target fill rate (needs an order quantity).
    FillRate(f64),
    /// A given reorder point, evaluated.
    ReorderPoint(f64),
}

/// Largest demand (units a day, and its standard deviation) `qm policy` and `qm forecast` take:
/// beyond it the squares in σ_LT and in the error measures lose every digit, or overflow.
pub const MAX_UNITS_PER_DAY: f64 = 1e12;
/// Longest lead time, its standard deviation and review period `qm policy` takes, days.
pub const MAX_POLICY_DAYS: f64 = 36_500.0;

/// A number the user gave, shown back as they would type it: plain for the sizes people use,
/// in scientific notation where plain digits would run to hundreds (`1e300`, `1e-300`).
pub fn typed(value: f64) -> String {
    if value == 0.0 || !value.is_finite() || (1e-6..1e15).contains(&value.abs()) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

fn share(option: &'static str, value: f64) -> Result<f64, CalculatorError> {
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(CalculatorError::Argument {
            option,
            problem: format!(
                "must be strictly between 0 and 1 (0.95 = 95 %), got {}",
                typed(value)
            ),
        })
    }
}

/// Checks the inputs and computes the policy.
pub fn policy(
    inputs: &PolicyInputs,
    target: PolicyTarget,
    order_quantity: Option<f64>,
) -> Result<PolicyReport, CalculatorError> {
    if let Err((field, value)) = inputs.validate() {
        let option = match field {
            "mean_demand_per_day" => "--mean-demand",
            "demand_std_per_day" => "--demand-std",
            "lead_time_days" => "--lead-time-days",
            "lead_time_std_days" => "--lead-time-std",
            _ => "--review-period-days",
        };
        return Err(CalculatorError::Argument {
            option,
            problem: format!("must be a finite number ≥ 0, got {}", typed(value)),
        });
    }
    for (option, value, max) in [
        (
            "--mean-demand",
            inputs.mean_demand_per_day,
            MAX_UNITS_PER_DAY,
        ),
        ("--demand-std", inputs.demand_std_per_day, MAX_UNITS_PER_DAY),
        ("--lead-time-days", inputs.lead_time_days, MAX_POLICY_DAYS),
        (
            "--lead-time-std",
            inputs.lead_time_std_days,
            MAX_POLICY_DAYS,
        ),
        (
            "--review-period-days",
            inputs.review_period_days,
            MAX_POLICY_DAYS,
        ),
        (
            "--order-qty",
            order_quantity.unwrap_or(0.0),
            MAX_UNITS_PER_DAY * MAX_POLICY_DAYS,
        ),
    ] {
        if value > max {
            return Err(CalculatorError::Argument {
                option,
                problem: format!("must be at most {max:e}, got {value:e}"),
            });
        }
    }
    if let Some(q) = order_quantity {
        if !(q.is_finite() && q > 0.0) {
            return Err(CalculatorError::Argument {
                option: "--order-qty",
                problem: format!("must be a number of units > 0, got {}", typed(q)),
            });
        }
    }
    let report = match target {
        PolicyTarget::ServiceLevel(csl) => {
            safety_stock::for_service_level(inputs, share("--service-level", csl)?, order_quantity)
        }
        PolicyTarget::FillRate(beta) => {
            let q = order_quantity.ok_or(CalculatorError::Argument {
                option: "--fill-rate",
                problem: "needs --order-qty: the fill rate depends on how much each order brings"
                    .into(),
            })?;
            safety_stock::for_fill_rate(inputs, share("--fill-rate", beta)?, q)
        }
        PolicyTarget::ReorderPoint(r) => {
            if !(r.is_finite() && r.abs() <= MAX_UNITS_PER_DAY * MAX_POLICY_DAYS) {
                return Err(CalculatorError::Argument {
                    option: "--reorder-point",
                    problem: format!("must be a number of units, got {}", typed(r)),
                });
            }
            safety_stock::evaluate(inputs, r, order_quantity)
        }
    };
    let figures = [
        report.safety_stock,
        report.reorder_point,
        report.expected_units_short_per_cycle,
        report.cycle_service_level,
    ];
    if figures.iter().any(|x| !x.is_finite()) || report.fill_rate.is_some_and(f64::is_nan) {
        return Err(CalculatorError::Argument {
            option: "--mean-demand",
            problem: "these inputs give no finite policy (the figures overflow); use smaller units"
                .into(),
        });
    }
    Ok(report)
}

fn finite(x: f64) -> serde_json::Value {
    if x.is_finite() {
        serde_json::json!(x)
    } else {
        serde_json::Value::Null
    }
}

/// What the level a replenishment is triggered by is called: a reorder point under continuous
/// review, an order-up-to level under periodic review (`review_period_days` > 0), where each
/// review orders up to it.
pub fn level_name(review_period_days: f64) -> (&'static str, &'static str) {
    if review_period_days > 0.0 {
        ("order_up_to_level", "order-up-to level")
    } else {
        ("reorder_point", "reorder point")
    }
}

/// The policy as one JSON object with the documented keys (infinite z, with no uncertainty, is
/// null); the level is `reorder_point` or, under periodic review, `order_up_to_level`.
pub fn policy_json(report: &PolicyReport, review_period_days: f64) -> serde_json::Value {
    let mut object = serde_json::json!({
        "z": finite(report.z),
        "safety_stock": report.safety_stock,
        "expected_units_short_per_cycle": report.expected_units_short_per_cycle,
        "fill_rate": report.fill_rate,
        "cycle_service_level": report.cycle_service_level,
    });
    object[level_name(review_period_days).0] = serde_json::json!(report.reorder_point);
    object
}

/// The policy as aligned text; the level is named as [`level_name`] says.
pub fn policy_text(
    report: &PolicyReport,
    order_quantity: Option<f64>,
    review_period_days: f64,
) -> String {
    let fill = match (report.fill_rate, order_quantity) {
        (Some(f), Some(q)) => format!("{} (orders of {} units)", share_text(Some(f)), typed(q)),
        _ => "— (give --order-qty)".to_string(),
    };
    let rows = [
        (
            "z",
            if report.z.is_finite() {
                format!("{:.4}", report.z)
            } else {
                "— (lead-time demand is certain)".into()
            },
        ),
        ("safety stock", format!("{:.2} units", report.safety_stock)),
        (
            level_name(review_period_days).1,
            format!("{:.2} units", report.reorder_point),
        ),
        (
            "expected units short per cycle",
            format!("{:.3} units", report.expected_units_short_per_cycle),
        ),
        ("fill rate", fill),
        (
            "cycle service level",
            share_text(Some(report.cycle_service_level)),
        ),
    ];
    rows.iter().map(|(k, v)| format!("{k:<32}{v}\n")).collect()
}

/// What names `path` in an error about the file as a whole, once the file is known to exist
/// (else that error).
pub fn file_errors(path: &Path) -> Result<impl Fn(String) -> CalculatorError, CalculatorError> {
    let name = path.display().to_string();
    let file_error = move |problem: String| CalculatorError::File {
        path: name.clone(),
        problem,
    };
    if !path.is_file() {
        let problem = if path.exists() {
            "not a file (a folder or a device)"
        } else {
            "no such file"
        };
        return Err(file_error(problem.into()));
    }
    Ok(file_error)
}

/// Reads the daily demand series of `path`: a CSV (or Parquet file) whose single column `units`
/// holds one day per row, oldest first. The rows are read as the many-series reader reads them
/// (gzip, a byte-order mark, a row that cannot be read named with its line).
pub fn read_series(path: &Path) -> Result<Vec<f64>, CalculatorError> {
    let file_error = file_errors(path)?;
    let is_parquet = path.extension().is_some_and(|e| e == "parquet");
    let source = read_columns(path, &["units"], is_parquet).map_err(&file_error)?;
    if source.header != ["units"] {
        // A file of dated rows (or of many series) has a reader of its own.
        let hint = if source.header.len() > 1 {
            "; a file with a date column reads with `--date COLUMN --value COLUMN` (and `--id \
             COLUMN` for many series in one file)"
        } else {
            ""
        };
        return Err(file_error(format!(
            "expected one column named `units` (daily demand, oldest first), found: {}{hint}",
            source.header.join(", ")
        )));
    }
    let frame = &source.frame;
    if frame.height() > MAX_HISTORY_DAYS {
        return Err(file_error(format!(
            "{} rows is more than the {MAX_HISTORY_DAYS} days `qm forecast` reads",
            frame.height()
        )));
    }
    let row_error = |row: usize, problem: String| CalculatorError::row(path, &source, row, problem);
    if let Some((row, why)) = source.first_broken() {
        return Err(row_error(row, why.to_string()));
    }
    // In one column an empty line is a day left out, which would shift every day after it.
    if let Some(&(row, line)) = source.empty_lines.first() {
        return Err(file_error(format!(
            "line {line}: an empty line before row {}: write 0 for a day without demand",
            row + 1
        )));
    }
    let column = frame
        .column("units")
        .and_then(|c| c.as_materialized_series().cast(&DataType::String))
        .map_err(|e| file_error(e.to_string()))?;
    let text = column.str().map_err(|e| file_error(e.to_string()))?;
    let mut series = Vec::with_capacity(text.len());
    for (i, cell) in text.iter().enumerate() {
        let cell = cell.unwrap_or("").trim();
        let bad = |problem: String| row_error(i, problem);
        let units: f64 = cell
            .parse()
            .map_err(|_| bad(format!("`{cell}` is not a number of units")))?;
        if !(units.is_finite() && (0.0..=MAX_UNITS_PER_DAY).contains(&units)) {
            return Err(bad(format!(
                "{cell} units: demand is finite, ≥ 0 and ≤ {MAX_UNITS_PER_DAY:e} a day"
            )));
        }
        series.push(units);
    }
    if series.is_empty() {
        return Err(file_error(
            "no rows: give at least one day of demand".into(),
        ));
    }
    Ok(series)
}

/// A forecast of one series.
#[derive(Clone, Debug)]
pub struct SeriesForecast {
    /// The method asked for.
    pub method: Method,
    /// For `auto`, the method it chose; otherwise the same.
    pub chosen: Method,
    /// Forecast for days 1..=horizon after the history.
    pub forecast: Vec<f64>,
    /// The fitted forecaster (its one-step errors over the history).
    pub fitted: Forecaster,
}

/// Fits `method` to `series` online and forecasts `horizon_days` ahead.
pub fn forecast_series(
    series: &[f64],
    method: &str,
    params: &MethodParams,
    horizon_days: u32,
) -> Result<SeriesForecast, CalculatorError> {
    let method = Method::from_name(method, params).map_err(|e| CalculatorError::Argument {
        option: "--method",
        problem: e.to_string(),
    })?;
    if !(1..=MAX_HORIZON_DAYS).contains(&horizon_days) {
        return Err(CalculatorError::Argument {
            option: "--horizon",
            problem: format!("must be between 1 and {MAX_HORIZON_DAYS} days, got {horizon_days}"),
        });
    }
    let mut fitted = Forecaster::new(method);
    for &units in series {
        fitted.observe(units);
    }
    Ok(SeriesForecast {
        method,
        chosen: fitted.chosen_method(),
        forecast: (1..=horizon_days).map(|h| fitted.forecast(h)).collect(),
        fitted,
    })
}

/// `{"method": ..., "fitted_as_it_goes": ..., "forecast": [...]}`.
pub fn forecast_json(f: &SeriesForecast) -> serde_json::Value {
    serde_json::json!({
        "method": f.method.to_string(),
        "fitted_as_it_goes": fitted_as_it_goes(&f.method).is_some(),
        "forecast": f.forecast,
    })
}

/// How a method the file form fits (or, for `auto`, chooses) on the whole history fits here, as
/// a scenario's forecaster fits it day by day; `None` for the methods both forms run alike.
pub fn fitted_as_it_goes(method: &Method) -> Option<&'static str> {
    match method {
        Method::Fitted(_) => Some(
            "the forecast of the family's smoothing setting (of a grid of 5 to 12) whose squared \
             one-step errors since the first day sum least",
        ),
        Method::AutoEts { .. } => Some(
            "the ETS model chosen and fitted again every 28 days on the last 364 days, its states \
             stepped daily in between",
        ),
        Method::Adida | Method::Imapa => Some(
            "the bucket size and α fitted again every 28 days on the last 364 days, the buckets \
             smoothed daily in between",
        ),
        Method::Auto => Some(
            "the candidate of naive … tsb, with their default smoothing, whose squared one-step \
             errors since the first day sum least",
        ),
        Method::Mean(combination) => (combination.members().iter())
            .any(|member| fitted_as_it_goes(member).is_some())
            .then_some("each member as a scenario runs it"),
        _ => None,
    }
}

/// A measure as text, `—` where the history leaves it undefined (no day scored, no demand).
fn shown(value: Option<f64>, text: impl Fn(f64) -> String) -> String {
    value.map_or("—".into(), text)
}

/// The forecast and the in-sample one-step errors, as text.
pub fn forecast_text(f: &SeriesForecast) -> String {
    let mut out = String::new();
    let e = f.fitted.errors();
    out.push_str(&format!(
        "method {}{} · {} days of history\n",
        f.method,
        if f.method != f.chosen {
            format!(" (chose {})", f.chosen.name())
        } else {
            String::new()
        },
        f.fitted.days_seen()
    ));
    out.push_str(&format!(
        "one-step errors over the history: MAE {} · RMSE {} · MAPE {} · WAPE {} · MASE {} · bias {}\n",
        shown(e.mae(), |x| format!("{x:.3}")),
        shown(e.rmse(), |x| format!("{x:.3}")),
        shown(e.mape(), |x| format!("{:.1} %", 100.0 * x)),
        shown(e.wape(), |x| format!("{:.1} %", 100.0 * x)),
        shown(e.mase(), |x| format!("{x:.3}")),
        shown(e.bias(), |x| format!("{x:+.3} units/day")),
    ));
    if let Some(how) = fitted_as_it_goes(&f.method) {
        out.push_str(&format!(
            "fitted as it goes, as a scenario's forecaster: {how}. With a date column \
             (--date, --value) the fit is on the whole history at once\n"
        ));
    }
    for (h, units) in f.forecast.iter().enumerate() {
        out.push_str(&format!("day +{:<4} {units:.3}\n", h + 1));
    }
    out
}
