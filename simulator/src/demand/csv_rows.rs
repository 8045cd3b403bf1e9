//! A CSV history read row by row (optionally gzip-compressed): only the mapped columns are
//! decoded, so a bad byte in a cell nobody reads costs nothing, and a row that cannot be read
//! (invalid UTF-8 in a mapped cell, more or fewer fields than the header, an unbalanced quote
//! that swallowed the lines after it) becomes a bad row with its line, not a refused file.

use std::io::Read;
use std::path::Path;

use polars::prelude::*;

use super::csv_text::CsvText;

/// The mapped columns as text, one entry per data row, and the rows that could not be read.
pub struct CsvColumns {
    /// The mapped columns (`None` cells for empty or unreadable ones).
    pub frame: DataFrame,
    /// Per data row: why it could not be read, if it could not.
    pub broken: Vec<Option<String>>,
    /// Every column name of the header, in order (a byte-order mark taken off).
    pub header: Vec<String>,
    /// Per data row: the line it starts on (the header is line 1).
    pub lines: RowLines,
    /// The data rows before which the reader passed over empty lines, each with the line of the
    /// first of them (empty lines at the end are not counted): in a one-column file, days left
    /// empty.
    pub empty_lines: Vec<(usize, u64)>,
}

/// The line each data row starts on, kept as the rows that do not start one line after the row
/// before them (the first row, and rows after a record of several lines or after empty lines):
/// a history of millions of one-line rows keeps a handful.
#[derive(Debug, Default)]
pub struct RowLines {
    /// (row, line), rows ascending.
    starts: Vec<(usize, u64)>,
}

impl RowLines {
    /// Notes that `row`, the row after the last one noted, starts on `line`.
    fn push(&mut self, row: usize, line: u64) {
        if self.line_of(row) != Some(line) {
            self.starts.push((row, line));
        }
    }

    /// The line `row` starts on; `None` before any row is noted.
    pub fn line_of(&self, row: usize) -> Option<u64> {
        let after = self.starts.partition_point(|&(r, _)| r <= row);
        let &(start, line) = self.starts.get(after.checked_sub(1)?)?;
        Some(line + (row - start) as u64)
    }
}

/// gzip's magic number: such a file is decompressed whatever its name.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The magic numbers of files that are not CSV text, and what the file is.
const NOT_CSV: [(&[u8], &str); 3] = [
    (
        b"PK\x03\x04",
        "a ZIP archive (an Excel .xlsx workbook, or a zipped file), not a CSV: save the sheet as \
         CSV, or unzip it",
    ),
    (
        b"\xd0\xcf\x11\xe0",
        "an Excel 97-2003 workbook (.xls), not a CSV: save the sheet as CSV",
    ),
    (b"PAR1", "a Parquet file, not a CSV: name it *.parquet"),
];

/// The text of the file at `path`: gzip undone (whatever the file's name), through [`CsvText`].
fn open(path: &Path) -> std::io::Result<CsvText<Box<dyn Read>>> {
    let mut file = std::fs::File::open(path)?;
    let mut magic = Vec::with_capacity(4);
    (&mut file).take(4).read_to_end(&mut magic)?;
    if let Some((_, what)) = NOT_CSV.iter().find(|(m, _)| magic.starts_with(m)) {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, *what));
    }
    let gzip = magic.starts_with(&GZIP_MAGIC);
    let whole = std::io::Cursor::new(magic).chain(file);
    Ok(CsvText::new(if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(whole))
    } else {
        Box::new(whole)
    }))
}

/// The CSV reader over a history's text.
type TextReader = csv::Reader<std::io::BufReader<CsvText<Box<dyn Read>>>>;

/// Reads the columns named in `wanted` from the CSV at `path`; `Err` when the file or its
/// header cannot be read at all, or the header lacks a wanted column.
pub fn read(path: &Path, wanted: &[&str]) -> Result<CsvColumns, String> {
    let source = open(path).map_err(|e| e.to_string())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, source));
    let header = read_header(&mut reader)?;
    // A mapped column the header lacks fails the read before a row is read.
    let found = column_positions(wanted, &header)?;
    let mut rows = Rows::new(found.len(), record_end(&reader).0);
    let mut record = csv::ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| format!("after data row {}: {e}", rows.broken.len()))?
    {
        rows.push(&record, record_end(&reader), &found, header.len());
    }
    let columns: Vec<Column> = found
        .iter()
        .zip(rows.cells)
        .map(|(&(name, _), values)| {
            Column::new(
                name.into(),
                StringChunked::from_iter_options(name.into(), values.into_iter()).into_series(),
            )
        })
        .collect();
    let frame = DataFrame::new(rows.broken.len(), columns).map_err(|e| e.to_string())?;
    Ok(CsvColumns {
        frame,
        broken: rows.broken,
        header,
        lines: rows.lines,
        empty_lines: rows.empty_lines,
    })
}

/// The header's names, a byte-order mark taken off the first; `Err` for UTF-16 text (its
/// byte-order mark), which would otherwise read as a header of garbled names.
fn read_header(reader: &mut TextReader) -> Result<Vec<String>, String> {
    let names = reader
        .byte_headers()
        .map_err(|e| format!("the header cannot be read: {e}"))?;
    let first = names.get(0).unwrap_or_default();
    if first.starts_with(b"\xff\xfe") || first.starts_with(b"\xfe\xff") {
        return Err(
            "UTF-16 text (it begins with a UTF-16 byte-order mark, as Excel's \"Unicode \
                    Text\" does), not UTF-8: save the sheet as \"CSV UTF-8\""
                .to_string(),
        );
    }
    Ok(names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let name = String::from_utf8_lossy(name);
            if i == 0 {
                name.trim_start_matches('\u{feff}').to_string()
            } else {
                name.into_owned()
            }
        })
        .collect())
}

/// Where the record just read ends: its last line, and whether it ended with the text, a quote
/// left open (else with a line break, LF alone: [`CsvText`] folds CRLF and ends the last line with
/// one; the reader is then on the line after the record's).
fn record_end(reader: &TextReader) -> (u64, bool) {
    let ended_with_text = reader.get_ref().get_ref().ended();
    let line = reader.position().line() - u64::from(!ended_with_text);
    (line, ended_with_text)
}

/// The rows read so far.
struct Rows {
    cells: Vec<Vec<Option<String>>>,
    broken: Vec<Option<String>>,
    lines: RowLines,
    empty_lines: Vec<(usize, u64)>,
    /// The line the last record (or the header) ended on.
    previous_end_line: u64,
}

impl Rows {
    fn new(columns: usize, header_end_line: u64) -> Self {
        Rows {
            cells: vec![Vec::new(); columns],
            broken: Vec::new(),
            lines: RowLines::default(),
            empty_lines: Vec::new(),
            previous_end_line: header_end_line,
        }
    }

    /// Adds the `record` whose end [`record_end`] gave: its mapped cells (`found`), or why it
    /// cannot be read.
    fn push(
        &mut self,
        record: &csv::ByteRecord,
        (end_line, ended_with_text): (u64, bool),
        found: &[(&str, usize)],
        header_fields: usize,
    ) {
        let row = self.broken.len();
        let content = record.as_slice();
        // Only a record the reader began on an earlier line can hold line breaks.
        let begun = record.position().map_or(end_line, |p| p.line());
        let first_line = if end_line > begun {
            end_line.saturating_sub(newlines(content)).max(1)
        } else {
            end_line
        };
        // Lines between the last record and this one are empty lines the reader passed over.
        if first_line > self.previous_end_line + 1 {
            self.empty_lines.push((row, self.previous_end_line + 1));
        }
        self.previous_end_line = end_line;
        self.lines.push(row, first_line);
        // The lines a quoted field of several lines runs over; a record that ended with the text
        // did so inside a quote that was never closed.
        let runs = if ended_with_text {
            Some(format!("from line {first_line} to the end of the file"))
        } else {
            (end_line > first_line).then(|| format!("from line {first_line} to line {end_line}"))
        };
        let mut problem = (record.len() != header_fields)
            .then(|| shape_problem(record, header_fields, runs.as_deref()));
        // Each mapped cell decoded once; the first that cannot be read makes the row bad, and
        // the cells of the row already kept are taken back.
        if problem.is_none() {
            for (k, &(name, i)) in found.iter().enumerate() {
                problem = match std::str::from_utf8(&record[i]) {
                    Ok(text) if !text.contains('\n') => {
                        self.cells[k].push((!text.is_empty()).then(|| text.to_string()));
                        continue;
                    }
                    // A quote never closed is certain; one closed lines later is a line
                    // break inside the value, most often a stray quote closed by another.
                    Ok(_) if ended_with_text => Some(format!(
                        "unbalanced quote: a quoted field in column `{name}` runs {}",
                        runs.as_deref().unwrap_or("to the end of the file")
                    )),
                    Ok(_) => Some(format!(
                        "a line break inside a value: the quoted field in column `{name}` runs \
                         {} (a quote left open by mistake?)",
                        runs.as_deref().unwrap_or("over a line break")
                    )),
                    Err(_) => Some(format!("invalid UTF-8: in column `{name}`")),
                };
                for column in &mut self.cells[..k] {
                    column.pop();
                }
                break;
            }
        }
        for column in self.cells.iter_mut().filter(|c| c.len() == row) {
            column.push(None);
        }
        self.broken.push(problem);
    }
}

/// Line breaks inside a record's fields (quoted ones).
fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Why a `record` does not fit a `header`-field file; `runs` says where a quoted field of
/// several lines, or one never closed, runs.
fn shape_problem(record: &csv::ByteRecord, header: usize, runs: Option<&str>) -> String {
    let fields = record.len();
    if let (Some(runs), true) = (runs, fields < header) {
        format!(
            "unbalanced quote: a quoted field runs {runs}, and the row has {fields} fields where the header has {header}"
        )
    } else if fields > header {
        let hint = decimal_comma(record, header).map_or(String::new(), |number| {
            format!(" (`{number}` with a decimal comma? qm reads decimal points)")
        });
        format!("extra fields: {fields} where the header has {header}{hint}")
    } else {
        format!("missing fields: {fields} where the header has {header}")
    }
}

/// In a file of one column, a row of two fields of digits: most likely one number written with a
/// decimal comma (a spreadsheet's export in many locales; with one column no separator shows).
fn decimal_comma(record: &csv::ByteRecord, header: usize) -> Option<String> {
    let digits = |field: &[u8]| !field.is_empty() && field.iter().all(u8::is_ascii_digit);
    (header == 1 && record.len() == 2 && digits(&record[0]) && digits(&record[1])).then(|| {
        format!(
            "{},{}",
            String::from_utf8_lossy(&record[0]),
            String::from_utf8_lossy(&record[1])
        )
    })
}

/// Each `wanted` column with its position in `header`; `Err` names the first one the header
/// lacks, a close name if one is there, and the header.
pub(crate) fn column_positions<'w>(
    wanted: &[&'w str],
    header: &[String],
) -> Result<Vec<(&'w str, usize)>, String> {
    wanted
        .iter()
        .map(|&w| match header.iter().position(|h| h == w) {
            Some(i) => Ok((w, i)),
            None => Err(missing_column(w, header)),
        })
        .collect()
}

/// The message for a mapped `column` the file lacks: a close name if one is there, and the
/// header.
fn missing_column(column: &str, header: &[String]) -> String {
    // Bytes UTF-8 does not have (read as U+FFFD), or NUL: not the text of a CSV UTF-8 file.
    if header.iter().any(|h| h.contains(['\u{fffd}', '\0'])) {
        return format!(
            "no column `{column}`, and the header is not UTF-8 text throughout (binary data, or \
             another encoding such as Windows-1252: save it as \"CSV UTF-8\"); the file has: {}",
            shown_header(header)
        );
    }
    // An empty file, or one whose first line is blank, has no column names to list.
    if header.iter().all(|h| h.trim().is_empty()) {
        return format!("no column `{column}`: the header (the file's first line) is empty");
    }
    // A whole header in one name: the file is separated by something else than commas.
    if let [only] = header {
        let separator = [(';', "`;`"), ('\t', "tabs"), ('|', "`|`")]
            .into_iter()
            .find(|(c, _)| only.contains(*c));
        if let Some((_, name)) = separator {
            return format!(
                "no column `{column}`: the header is one column, separated by {name}; qm reads \
                 comma-separated files with decimal points (save it as CSV with commas)"
            );
        }
    }
    let wanted = column.to_lowercase();
    let close = header.iter().find(|h| {
        let h = h.to_lowercase();
        !wanted.is_empty() && (h.contains(&wanted) || wanted.contains(&h))
    });
    let hint = close.map_or(String::new(), |h| format!(" (did you mean `{h}`?)"));
    format!(
        "no column `{column}`{hint}; the file has: {}",
        shown_header(header)
    )
}

/// The header as a message shows it: control characters replaced, cut after
/// [`SHOWN_HEADER_CHARS`] characters (a binary file's first line can run to megabytes).
fn shown_header(header: &[String]) -> String {
    let joined = header.join(", ");
    let mut shown: String = joined
        .chars()
        .take(SHOWN_HEADER_CHARS)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if joined.chars().nth(SHOWN_HEADER_CHARS).is_some() {
        shown.push_str(" …");
    }
    shown
}

/// Most characters of a header a message shows.
const SHOWN_HEADER_CHARS: usize = 300;
