//! Writes a run's tables as CSV and Parquet, its summary as JSON, and its HTML report.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::files::{self, PathError};
use crate::kpi;
use crate::run::{KpiValue, RunData, RunStatus};
use crate::tables::{self, Table};

/// An export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One `.csv` per table.
    Csv,
    /// One `.parquet` per table.
    Parquet,
    /// `summary.json` and `latency.json`.
    Json,
    /// `report.html`.
    Html,
}

impl Format {
    /// Every format, in the order they are written.
    pub const ALL: [Format; 4] = [Format::Csv, Format::Parquet, Format::Json, Format::Html];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Json => "json",
            Format::Html => "html",
        }
    }

    /// The format called `name`.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file could not be created or written.
    #[error(transparent)]
    Io(#[from] PathError),
    /// polars could not encode a table.
    #[error("cannot write {path}: {cause}")]
    Polars {
        /// The file.
        path: PathBuf,
        /// The cause (not a `source`: the message already says it, once).
        cause: PolarsError,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    PathError::on("cannot write", path)
}

/// Writes `run` in every format of `formats` into `dir` (created if needed); returns the files.
pub fn write(run: &RunData, dir: &Path, formats: &[Format]) -> Result<Vec<PathBuf>, ExportError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut written = Vec::new();
    let mut tables = tables::build(run);
    for &format in formats {
        match format {
            Format::Csv | Format::Parquet => {
                for table in &mut tables {
                    written.push(write_table(table, dir, format)?);
                }
            }
            Format::Json => {
                for (name, text) in [
                    ("summary.json", summary_json(run, &tables)),
                    ("latency.json", latency_json(run)),
                ] {
                    let path = dir.join(name);
                    files::write(&path, text).map_err(io(&path))?;
                    written.push(path);
                }
            }
            Format::Html => {
                let path = dir.join("report.html");
                files::write(&path, crate::html::report(run)).map_err(io(&path))?;
                written.push(path);
            }
        }
    }
    Ok(written)
}

/// The files [`write()`] writes for `format`, by name.
pub fn file_names(format: Format) -> Vec<String> {
    match format {
        Format::Csv | Format::Parquet => (tables::TABLE_NAMES.iter())
            .map(|table| format!("{table}.{}", format.name()))
            .collect(),
        Format::Json => vec!["summary.json".into(), "latency.json".into()],
        Format::Html => vec!["report.html".into()],
    }
}

/// Removes from `dir` the reports of every format but `formats`: what a run written there before
/// left, so that the folder holds one run's reports and never one run's `report.html` beside
/// another's CSV. Only the files [`write()`] writes are touched.
pub fn remove_other_formats(dir: &Path, formats: &[Format]) -> Result<(), ExportError> {
    for format in Format::ALL.into_iter().filter(|f| !formats.contains(f)) {
        for name in file_names(format) {
            let path = dir.join(name);
            files::remove(&path).map_err(PathError::on::<ExportError>("cannot remove", &path))?;
        }
    }
    Ok(())
}

/// Writes one table as `<name>.csv` or `<name>.parquet`.
pub fn write_table(table: &mut Table, dir: &Path, format: Format) -> Result<PathBuf, ExportError> {
    let path = dir.join(format!("{}.{}", table.name, format.name()));
    match format {
        Format::Parquet => write_frame(&path, |file| {
            ParquetWriter::new(file)
                .finish(&mut table.frame)
                .map(|_| ())
        })?,
        _ => write_csv(&table.frame, &path)?,
    }
    Ok(path)
}

/// Writes `frame` as CSV at `path`, its text cells spreadsheet-safe.
pub fn write_csv(frame: &DataFrame, path: &Path) -> Result<(), ExportError> {
    write_frame(path, |file| {
        CsvWriter::new(file).finish(&mut spreadsheet_safe(frame)?)
    })
}

/// Writes a file with a polars writer, through [`crate::files::write_with`].
fn write_frame(
    path: &Path,
    fill: impl FnOnce(&mut File) -> PolarsResult<()>,
) -> Result<(), ExportError> {
    crate::files::write_with(path, fill).map_err(|e| match e {
        PolarsError::IO { error, msg } => match std::sync::Arc::try_unwrap(error) {
            Ok(cause) => PathError::on("cannot write", path)(cause),
            Err(error) => ExportError::Polars {
                path: path.to_path_buf(),
                cause: PolarsError::IO { error, msg },
            },
        },
        cause => ExportError::Polars {
            path: path.to_path_buf(),
            cause,
        },
    })
}

/// `frame` with every text cell made [`crate::files::spreadsheet_safe`] (only the text columns
/// holding such a cell are rebuilt).
fn spreadsheet_safe(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let mut safe = frame.clone();
    let text: Vec<String> = frame
        .columns()
        .iter()
        .filter(|c| c.dtype() == &DataType::String)
        .map(|c| c.name().to_string())
        .collect();
    for name in text {
        let column = safe.column(name.as_ref())?.str()?.clone();
        if !column.iter().flatten().any(crate::files::runs_as_formula) {
            continue;
        }
        let defused: StringChunked = column
            .iter()
            .map(|cell| cell.map(crate::files::spreadsheet_safe))
            .collect();
        let name: &str = &name;
        safe.replace(name, defused.with_name(name.into()).into_series().into())?;
    }
    Ok(safe)
}

fn json_value(value: &KpiValue) -> String {
    match value {
        KpiValue::Count(n) => n.to_string(),
        KpiValue::Number(x) if x.is_finite() => serde_json::to_string(x).expect("a finite float"),
        KpiValue::Text(text) => serde_json::to_string(text).expect("a string"),
        KpiValue::Number(_) | KpiValue::Missing => "null".into(),
    }
}

/// One JSON object per row of `frame`, with the table's column names and values.
fn rows_json(frame: &DataFrame) -> serde_json::Value {
    use serde_json::Value;
    let value = |v: AnyValue| match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(b),
        AnyValue::UInt32(n) => n.into(),
        AnyValue::UInt64(n) => n.into(),
        AnyValue::Int32(n) => n.into(),
        AnyValue::Int64(n) => n.into(),
        AnyValue::Float64(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        AnyValue::String(text) => text.into(),
        AnyValue::StringOwned(text) => text.as_str().into(),
        other => other.to_string().into(),
    };
    (0..frame.height())
        .map(|i| {
            frame
                .columns()
                .iter()
                .map(|c| {
                    let cell = c.get(i).map_or(Value::Null, value);
                    (c.name().to_string(), cell)
                })
                .collect::<serde_json::Map<_, _>>()
                .into()
        })
        .collect::<Vec<Value>>()
        .into()
}

/// `summary.json`: the run's status, every KPI by name in catalog order (null when undefined),
/// then one object per warehouse and per channel, as in the `warehouses` and `channels` tables.
pub fn summary_json(run: &RunData, tables: &[Table]) -> String {
    let mut out = String::from("{\n");
    let (status, failure) = match &run.status {
        RunStatus::Completed => ("completed", "null".to_string()),
        RunStatus::Failed { message, .. } => {
            ("failed", serde_json::to_string(message).expect("a string"))
        }
    };
    out += &format!("  \"status\": \"{status}\",\n  \"failure\": {failure},\n");
    for reading in kpi::readings(run) {
        out += &format!(
            "  \"{}\": {},\n",
            reading.kpi.name,
            json_value(&reading.value)
        );
    }
    let rows = |name: &str| {
        let frame = &tables
            .iter()
            .find(|t| t.name == name)
            .expect("every table is built")
            .frame;
        serde_json::to_string_pretty(&rows_json(frame))
            .expect("plain values")
            .replace('\n', "\n  ")
    };
    out += &format!(
        "  \"warehouses\": {},\n  \"channels\": {}\n}}\n",
        rows("warehouses"),
        rows("channels")
    );
    out
}

/// `latency.json`: wall-clock engine latency, apart from the reproducible KPIs.
pub fn latency_json(run: &RunData) -> String {
    let l = &run.latency;
    #[derive(serde::Serialize)]
    struct Latency<'a> {
        calls: u64,
        engine_seconds: f64,
        engine_calls_per_second: f64,
        kinds: &'a [crate::run::LatencyRow],
    }
    serde_json::to_string_pretty(&Latency {
        calls: l.calls,
        engine_seconds: l.engine_seconds,
        engine_calls_per_second: l.engine_calls_per_second,
        kinds: &l.kinds,
    })
    .expect("plain rows")
        + "\n"
}
