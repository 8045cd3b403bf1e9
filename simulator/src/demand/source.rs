//! Reading a history's columns: a Parquet file whole (its reader's panics turned into errors), a
//! CSV's mapped columns row by row, and typed timestamps as epoch milliseconds.

use std::path::Path;

use polars::prelude::*;

use super::csv_rows::{self, RowLines};
use super::guard::without_panics;
use crate::scenario::columns::ColumnMapping;

/// The mapped columns of a history, and the rows the reader could not read.
pub(crate) struct Source {
    pub(crate) frame: DataFrame,
    pub(crate) broken: Vec<Option<String>>,
    /// Every column name the file has, in order.
    pub(crate) header: Vec<String>,
    /// The line of the CSV each row starts on (none in Parquet, which has no lines).
    pub(crate) lines: RowLines,
    /// The rows before which a CSV has empty lines, each with the line of the first (none in
    /// Parquet).
    pub(crate) empty_lines: Vec<(usize, u64)>,
}

impl Source {
    /// The first row the reader could not read, and why.
    pub(crate) fn first_broken(&self) -> Option<(usize, &str)> {
        (self.broken.iter().enumerate()).find_map(|(row, why)| Some((row, why.as_deref()?)))
    }

    /// Where data row `row` (0-based) stands, for a message.
    pub(crate) fn data_row(&self, row: usize) -> DataRow {
        DataRow::of(row, &self.lines)
    }
}

/// Where a data row of a history or series stands, as messages name it: its number (1-based,
/// the header not counted) and, in a CSV, the line it starts on. A Parquet file has no lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataRow {
    /// 1-based data row.
    pub row: u64,
    /// The line of a CSV the row starts on (the header is line 1); none in Parquet.
    pub line: Option<u64>,
}

impl DataRow {
    /// Row `row` (0-based) of a file whose rows start on `lines` (none noted: Parquet).
    pub(crate) fn of(row: usize, lines: &RowLines) -> DataRow {
        DataRow {
            row: row as u64 + 1,
            line: lines.line_of(row),
        }
    }
}

impl std::fmt::Display for DataRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}", self.row)?;
        match self.line {
            Some(line) => write!(f, " (line {line})"),
            None => Ok(()),
        }
    }
}

/// Reads a Parquet file whole, or a CSV's mapped columns row by row.
pub(super) fn read_source(
    path: &Path,
    mapping: &ColumnMapping,
    is_parquet: bool,
) -> Result<Source, String> {
    let wanted: Vec<&str> = mapping.columns().collect();
    read_columns(path, &wanted, is_parquet)
}

/// Reads a Parquet file whole, or the `wanted` columns of a CSV (gzip or not) row by row, every
/// one as text: parsing is the caller's, so a bad cell is reported with its row. A wanted column
/// the file lacks is an error that names it and the columns the file has.
pub(crate) fn read_columns(
    path: &Path,
    wanted: &[&str],
    is_parquet: bool,
) -> Result<Source, String> {
    Ok(if is_parquet {
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let frame =
            without_panics(|| ParquetReader::new(file).finish())?.map_err(|e| e.to_string())?;
        let header: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        csv_rows::column_positions(wanted, &header)?;
        Source {
            frame,
            broken: Vec::new(),
            header,
            lines: RowLines::default(),
            empty_lines: Vec::new(),
        }
    } else {
        let read = csv_rows::read(path, wanted)?;
        Source {
            frame: read.frame,
            broken: read.broken,
            header: read.header,
            lines: read.lines,
            empty_lines: read.empty_lines,
        }
    })
}

/// A timestamp column's values as milliseconds since the epoch (UTC) when the file typed it as
/// a datetime or a date; `None` for text, which the rows parse with the mapping's format.
pub(crate) fn epoch_ms(column: &Column) -> PolarsResult<Option<Vec<Option<i64>>>> {
    let physical = column.as_materialized_series().to_physical_repr();
    Ok(match column.dtype() {
        DataType::Datetime(unit, _) => {
            let per_ms = match unit {
                TimeUnit::Milliseconds => 1,
                TimeUnit::Microseconds => 1_000,
                TimeUnit::Nanoseconds => 1_000_000,
            };
            Some(
                physical
                    .i64()?
                    .iter()
                    .map(|v| v.map(|v| v.div_euclid(per_ms)))
                    .collect(),
            )
        }
        DataType::Date => Some(
            physical
                .i32()?
                .iter()
                .map(|v| v.map(|d| d as i64 * 86_400_000))
                .collect(),
        ),
        _ => None,
    })
}
