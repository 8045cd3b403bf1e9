//! A CSV history read row by row (optionally gzip-compressed): only the mapped columns are
//! decoded, so a bad byte in a cell nobody reads costs nothing, and a row that cannot be read
//! (invalid UTF-8 in a mapped cell, more or fewer fields than the header, an unbalanced quote
//! that swallowed the lines after it) becomes a bad row with its line, not a refused file.

use std::io::Read;
use std::path::Path;

use polars::prelude::*;

/// The mapped columns as text, one entry per data row, and the rows that could not be read.
pub struct CsvColumns {
    /// The mapped columns (`None` cells for empty or unreadable ones).
    pub frame: DataFrame,
    /// Per data row: why it could not be read, if it could not.
    pub broken: Vec<Option<String>>,
    /// Every column name of the header, in order (a byte-order mark taken off).
    pub header: Vec<String>,
    /// The data rows before which the reader passed over empty lines (empty lines at the end
    /// are not counted): in a one-column file, days left empty.
    pub empty_lines_before: Vec<usize>,
}

/// gzip's magic number: such a file is decompressed whatever its name.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Longest line a history may have. A row is a few hundred bytes; bytes without a line break
/// for longer are not a CSV (a device such as /dev/zero, a binary file), and the reader would
/// otherwise gather them into one record without end.
pub const MAX_LINE_BYTES: usize = 16 << 20;

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

fn open(path: &Path) -> std::io::Result<Box<dyn Read>> {
    let mut file = std::fs::File::open(path)?;
    let mut magic = Vec::with_capacity(4);
    (&mut file).take(4).read_to_end(&mut magic)?;
    if let Some((_, what)) = NOT_CSV.iter().find(|(m, _)| magic.starts_with(m)) {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, *what));
    }
    let gzip = magic.starts_with(&GZIP_MAGIC);
    let whole = std::io::Cursor::new(magic).chain(file);
    Ok(if gzip {
        Box::new(LineLimit::new(flate2::read::MultiGzDecoder::new(whole)))
    } else {
        Box::new(LineLimit::new(whole))
    })
}

/// A reader that fails once a line (decompressed) passes [`MAX_LINE_BYTES`]. It measures the
/// line a read ends in and the one it starts in; a line wholly inside one read is shorter than
/// the read, and the CSV reader reads 1 MiB at a time.
struct LineLimit<R> {
    inner: R,
    /// Bytes read since the last line break.
    line_bytes: usize,
}

impl<R> LineLimit<R> {
    fn new(inner: R) -> Self {
        LineLimit {
            inner,
            line_bytes: 0,
        }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        let too_long = match chunk.iter().position(|&b| b == b'\n') {
            None => {
                self.line_bytes += n;
                self.line_bytes > MAX_LINE_BYTES
            }
            Some(first_break) => {
                let ended = self.line_bytes + first_break;
                let last_break = chunk
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .unwrap_or(first_break);
                self.line_bytes = n - last_break - 1;
                ended > MAX_LINE_BYTES
            }
        };
        if too_long {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "a line longer than {} MiB: not a CSV file",
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        Ok(n)
    }
}

/// Reads the columns named in `wanted` from the CSV at `path`; `Err` when the file or its
/// header cannot be read at all, or the header lacks a wanted column.
pub fn read(path: &Path, wanted: &[&str]) -> Result<CsvColumns, String> {
    let source = open(path).map_err(|e| e.to_string())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, source));
    let header: Vec<String> = reader
        .byte_headers()
        .map_err(|e| format!("the header cannot be read: {e}"))?
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let name = String::from_utf8_lossy(name);
            // A byte-order mark is not part of the first name.
            if i == 0 {
                name.trim_start_matches('\u{feff}').to_string()
            } else {
                name.into_owned()
            }
        })
        .collect();
    // A mapped column the header lacks fails the read before a row is read.
    let found = column_positions(wanted, &header)?;
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); found.len()];
    let mut broken = Vec::new();
    let mut empty_lines_before = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|e| format!("after data row {}: {e}", broken.len()))?;
        if !more {
            break;
        }
        let first_line = record.position().map_or(0, |p| p.line());
        let last_line = reader.position().line().saturating_sub(1).max(first_line);
        let row = broken.len();
        // A record's position is where the reader began it, before the empty lines it passed
        // over: a record that took more lines than its own had some before it. (A last record
        // without a line break ends on its own line, so the empty lines before it go unseen.)
        let lines_taken = reader.position().line().saturating_sub(first_line);
        if lines_taken > 1 && lines_taken > 1 + newlines(record.as_slice()) {
            empty_lines_before.push(row);
        }
        let mut problem = (record.len() != header.len())
            .then(|| shape_problem(record.len(), header.len(), first_line, last_line));
        // Each mapped cell decoded once; the first that cannot be read makes the row bad, and
        // the cells of the row already kept are taken back.
        if problem.is_none() {
            for (k, &(name, i)) in found.iter().enumerate() {
                problem = match std::str::from_utf8(&record[i]) {
                    Ok(text) if !text.contains('\n') => {
                        cells[k].push((!text.is_empty()).then(|| text.to_string()));
                        continue;
                    }
                    Ok(_) => Some(format!(
                        "unbalanced quote: a quoted field in column `{name}` runs from line {first_line} to line {last_line}"
                    )),
                    Err(_) => Some(format!("invalid UTF-8: in column `{name}` (line {first_line})")),
                };
                for column in &mut cells[..k] {
                    column.pop();
                }
                break;
            }
        }
        for column in cells.iter_mut().filter(|c| c.len() == row) {
            column.push(None);
        }
        broken.push(problem);
    }
    let columns: Vec<Column> = found
        .iter()
        .zip(cells)
        .map(|(&(name, _), values)| {
            Column::new(
                name.into(),
                StringChunked::from_iter_options(name.into(), values.into_iter()).into_series(),
            )
        })
        .collect();
    let frame = DataFrame::new(broken.len(), columns).map_err(|e| e.to_string())?;
    Ok(CsvColumns {
        frame,
        broken,
        header,
        empty_lines_before,
    })
}

/// Line breaks inside a record's fields (quoted ones).
fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Why a row with `fields` fields, on lines `first..=last`, does not fit a `header`-field file.
fn shape_problem(fields: usize, header: usize, first: u64, last: u64) -> String {
    if last > first && fields < header {
        format!(
            "unbalanced quote: a quoted field runs from line {first} to line {last}, and the row has {fields} fields where the header has {header}"
        )
    } else if fields > header {
        format!("extra fields: {fields} where the header has {header} (line {first})")
    } else {
        format!("missing fields: {fields} where the header has {header} (line {first})")
    }
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
