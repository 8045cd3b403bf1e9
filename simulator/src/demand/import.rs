//! Recorded order histories (CSV or Parquet, read with polars) into a [`DemandLog`].
//!
//! Every row ends up in exactly one place: an order line, a cancellation or return matched
//! to the line it undoes, a stock write-off, or a set-aside reason that is counted. Rows
//! that do not parse are reported with their row number (1 = the first data row) and
//! skipped, or stop the import when `strict` is set.

use std::path::Path;

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use polars::prelude::*;
use qm_money::Cents;
use rustc_hash::FxHashMap;

use super::csv_rows::RowLines;
pub use super::import_report::describe;
use super::import_report::nothing_kept;
use super::log::{
    DemandLog, ImportCounts, RecordedLine, RecordedOrder, RecordedSku, RecordedUndo,
    RecordedWriteOff, Undo, NONE,
};
use super::source::{epoch_ms, read_source, DataRow, Source};
use crate::scenario::columns::ColumnMapping;
use crate::scenario::MAX_UNIT_PRICE_CENTS;

/// Most units in one recorded line (the engine's line limit).
pub const MAX_RECORDED_UNITS: i64 = qm_engine::constants::MAX_LINE_QUANTITY as i64;
/// Bad rows quoted in the import report; the rest are only counted.
pub const BAD_ROWS_QUOTED: usize = 10;

/// Why an import failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read as CSV or Parquet.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// What polars or the system said.
        message: String,
    },
    /// A mapped column is missing, or the mapping itself is wrong.
    #[error("{path}: {message}")]
    Mapping {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Every row was set aside (or there was none): an empty history is never what was meant.
    #[error("{path}: no row kept: {why}")]
    NothingKept {
        /// The file.
        path: String,
        /// Why, with the commonest reasons.
        why: String,
    },
    /// `strict` import and a row that does not parse.
    #[error("{path}: {at}: {reason} (run without --strict to skip and count such rows)")]
    BadRow {
        /// The file.
        path: String,
        /// The row.
        at: DataRow,
        /// What is wrong with it.
        reason: String,
    },
}

/// An import's result: the log and the bad rows quoted for the user.
pub struct Imported {
    /// The history, ready to replay or write.
    pub log: DemandLog,
    /// The first [`BAD_ROWS_QUOTED`] bad rows: (row, reason).
    pub bad_rows: Vec<(DataRow, String)>,
}

/// One column as text or as timestamps, whichever the file holds.
enum Times {
    Text(StringChunked),
    /// Milliseconds since the epoch, already UTC (Parquet datetime columns).
    Epoch(Vec<Option<i64>>),
}

/// Reads `path` (CSV, optionally gzip-compressed, or Parquet by its extension) and maps it.
pub fn import(path: &Path, mapping: &ColumnMapping, strict: bool) -> Result<Imported, ImportError> {
    import_with_progress(path, mapping, strict, &mut |_, _| {})
}

/// Rows between two calls of an import's progress.
const PROGRESS_ROWS: usize = 65_536;

/// As [`import`]; `progress(rows_done, rows)` hears of the rows mapped so far, every
/// `PROGRESS_ROWS` rows and at the end.
pub fn import_with_progress(
    path: &Path,
    mapping: &ColumnMapping,
    strict: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Imported, ImportError> {
    let name = path.display().to_string();
    let read_err = |e: PolarsError| ImportError::Read {
        path: name.clone(),
        message: e.to_string(),
    };
    let mapping_err = |message: String| ImportError::Mapping {
        path: name.clone(),
        message,
    };
    let tz: Tz = mapping.time_zone.parse().map_err(|_| {
        mapping_err(format!(
            "unknown time zone `{}` (use an IANA name such as Europe/London, or UTC)",
            mapping.time_zone
        ))
    })?;
    let is_parquet = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    mapping.check().map_err(mapping_err)?;
    let Source {
        frame,
        broken,
        lines,
        ..
    } = read_source(path, mapping, is_parquet).map_err(|message| ImportError::Read {
        path: name.clone(),
        message,
    })?;
    let text = |column: &str| -> Result<StringChunked, ImportError> {
        let found = frame.column(column).map_err(read_err)?;
        let series = found
            .as_materialized_series()
            .cast(&DataType::String)
            .map_err(read_err)?;
        Ok(series.str().map_err(read_err)?.clone())
    };
    let optional = |column: &Option<String>| column.as_deref().map(text).transpose();
    let order_ids = text(&mapping.order_id)?;
    let skus = text(&mapping.sku)?;
    let quantities = text(&mapping.quantity)?;
    let prices = optional(&mapping.unit_price)?;
    let channels = optional(&mapping.channel)?;
    let customers = optional(&mapping.customer_id)?;
    let regions = optional(&mapping.region)?;
    let times = {
        let column = frame.column(&mapping.timestamp).map_err(read_err)?;
        match epoch_ms(column).map_err(read_err)? {
            Some(values) => Times::Epoch(values),
            None => Times::Text(text(&mapping.timestamp)?),
        }
    };
    let mut builder = Builder::new(name.clone(), tz, mapping.clone(), strict, lines);
    let rows = frame.height();
    let mut order_ids = order_ids.iter();
    let mut skus = skus.iter();
    let mut quantities = quantities.iter();
    let mut prices = prices.as_ref().map(|c| c.iter());
    let mut channels = channels.as_ref().map(|c| c.iter());
    let mut customers = customers.as_ref().map(|c| c.iter());
    let mut regions = regions.as_ref().map(|c| c.iter());
    let mut text_times = match &times {
        Times::Text(c) => Some(c.iter()),
        Times::Epoch(_) => None,
    };
    for row in 0..rows {
        let next = |it: &mut Option<_>| -> Option<&str> {
            it.as_mut()
                .and_then(|i: &mut _| Iterator::next(i))
                .flatten()
        };
        let time = match &times {
            Times::Text(_) => Time::Text(next(&mut text_times)),
            Times::Epoch(values) => Time::Epoch(values[row]),
        };
        let raw = RawRow {
            row: row as u64 + 1,
            order_id: order_ids.next().flatten(),
            sku: skus.next().flatten(),
            quantity: quantities.next().flatten(),
            time,
            price: next(&mut prices),
            channel: next(&mut channels),
            customer: next(&mut customers),
            region: next(&mut regions),
        };
        match broken.get(row) {
            Some(Some(reason)) => builder.unreadable(raw.row, reason.clone())?,
            _ => builder.row(raw)?,
        }
        if (row + 1) % PROGRESS_ROWS == 0 {
            progress(row as u64 + 1, rows as u64);
        }
    }
    progress(rows as u64, rows as u64);
    kept(builder.finish(), name)
}

/// The import, unless it kept no row: an empty history is never what was meant.
fn kept(imported: Imported, path: String) -> Result<Imported, ImportError> {
    if imported.log.counts.rows_used == 0 {
        return Err(ImportError::NothingKept {
            path,
            why: nothing_kept(&imported.log.counts, &imported.bad_rows),
        });
    }
    Ok(imported)
}

enum Time<'a> {
    Text(Option<&'a str>),
    Epoch(Option<i64>),
}

struct RawRow<'a> {
    row: u64,
    order_id: Option<&'a str>,
    sku: Option<&'a str>,
    quantity: Option<&'a str>,
    time: Time<'a>,
    price: Option<&'a str>,
    channel: Option<&'a str>,
    customer: Option<&'a str>,
    region: Option<&'a str>,
}

/// An order being built: its rows are not always contiguous in the source.
struct OpenOrder {
    at_ms: i64,
    first_row: u64,
    region: u32,
    channel: u32,
    lines: Vec<RecordedLine>,
    /// Customer index (for matching undos), or NONE.
    customer: u32,
}

struct PendingUndo {
    at_ms: i64,
    row: u64,
    customer: u32,
    sku: u32,
    units: u32,
    kind: Undo,
}

struct Builder {
    path: String,
    tz: Tz,
    mapping: ColumnMapping,
    strict: bool,
    counts: ImportCounts,
    bad_rows: Vec<(DataRow, String)>,
    /// The line each row of a CSV starts on (none noted in Parquet).
    lines: RowLines,
    skus: Interner,
    /// Recorded unit prices per SKU, for the median.
    prices: Vec<Vec<u64>>,
    regions: Interner,
    channels: Interner,
    customers: Interner,
    order_index: FxHashMap<String, usize>,
    orders: Vec<OpenOrder>,
    undos: Vec<PendingUndo>,
    write_offs: Vec<RecordedWriteOff>,
    /// The last text timestamp parsed and its value: lines of one invoice share it.
    last_time: (String, Option<i64>),
    /// The last order id seen and its index: an invoice's rows are usually together.
    last_order: (String, usize),
    /// The last customer id seen and its index.
    last_customer: (String, u32),
}

#[derive(Default)]
struct Interner {
    index: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn get(&mut self, name: Option<&str>) -> u32 {
        let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
            return NONE;
        };
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.index.insert(name.to_string(), i);
        self.names.push(name.to_string());
        i
    }
}

/// Counts one more `key`, allocating its name only the first time (this runs per row).
fn bump(counts: &mut std::collections::BTreeMap<String, u64>, key: &str) {
    match counts.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            counts.insert(key.to_string(), 1);
        }
    }
}

impl Builder {
    fn new(path: String, tz: Tz, mapping: ColumnMapping, strict: bool, lines: RowLines) -> Self {
        Builder {
            path,
            tz,
            mapping,
            strict,
            counts: ImportCounts::default(),
            bad_rows: Vec::new(),
            lines,
            skus: Interner::default(),
            prices: Vec::new(),
            regions: Interner::default(),
            channels: Interner::default(),
            customers: Interner::default(),
            order_index: FxHashMap::default(),
            orders: Vec::new(),
            undos: Vec::new(),
            write_offs: Vec::new(),
            last_time: (String::new(), None),
            last_order: (String::new(), usize::MAX),
            last_customer: (String::new(), u32::MAX - 1),
        }
    }

    fn set_aside(&mut self, reason: &str) {
        bump(&mut self.counts.set_aside, reason);
    }

    fn note(&mut self, note: &str) {
        bump(&mut self.counts.notes, note);
    }

    fn bad(&mut self, row: u64, reason: String) -> Result<(), ImportError> {
        let at = DataRow::of(row as usize - 1, &self.lines);
        if self.strict {
            return Err(ImportError::BadRow {
                path: self.path.clone(),
                at,
                reason,
            });
        }
        let kind = reason.split(':').next().unwrap_or(&reason).to_string();
        self.set_aside(&format!("bad_row: {kind}"));
        if self.bad_rows.len() < BAD_ROWS_QUOTED {
            self.bad_rows.push((at, reason));
        }
        Ok(())
    }

    /// A row the reader could not read at all: counted, and bad.
    fn unreadable(&mut self, row: u64, reason: String) -> Result<(), ImportError> {
        self.counts.rows_read += 1;
        self.bad(row, reason)
    }

    fn timestamp(&mut self, time: &Time<'_>) -> Result<i64, String> {
        match *time {
            Time::Epoch(Some(ms)) => Ok(ms),
            Time::Epoch(None) | Time::Text(None) => Err("empty timestamp".into()),
            Time::Text(Some(text)) => {
                let text = text.trim();
                if self.last_time.0 != text {
                    let parsed =
                        NaiveDateTime::parse_from_str(text, &self.mapping.timestamp_format)
                            .ok()
                            .and_then(|naive| self.tz.from_local_datetime(&naive).earliest())
                            .map(|t| t.timestamp_millis());
                    self.last_time = (text.to_string(), parsed);
                }
                self.last_time.1.ok_or_else(|| {
                    format!(
                        "bad timestamp: `{text}` does not match `{}` in {}",
                        self.mapping.timestamp_format, self.tz
                    )
                })
            }
        }
    }

    /// Interns a customer id, remembering the last one (an invoice's rows share it).
    fn customer(&mut self, id: Option<&str>) -> u32 {
        let id = id.map(str::trim).unwrap_or("");
        if self.last_customer.1 != u32::MAX - 1 && self.last_customer.0 == id {
            return self.last_customer.1;
        }
        let index = self.customers.get(Some(id));
        self.last_customer.0.clear();
        self.last_customer.0.push_str(id);
        self.last_customer.1 = index;
        index
    }

    fn sku(&mut self, code: &str) -> u32 {
        let i = self.skus.get(Some(code));
        if i as usize == self.prices.len() {
            self.prices.push(Vec::new());
        }
        i
    }

    fn is_product(&self, code: &str) -> bool {
        let digits = self.mapping.product_code_digits as usize;
        digits == 0
            || (code.len() >= digits && code.as_bytes()[..digits].iter().all(u8::is_ascii_digit))
    }

    fn row(&mut self, raw: RawRow<'_>) -> Result<(), ImportError> {
        self.counts.rows_read += 1;
        let row = raw.row;
        let Some(order_id) = raw.order_id.map(str::trim).filter(|s| !s.is_empty()) else {
            return self.bad(row, "empty order id".into());
        };
        let Some(code) = raw.sku.map(str::trim).filter(|s| !s.is_empty()) else {
            return self.bad(row, "empty SKU".into());
        };
        let at_ms = match self.timestamp(&raw.time) {
            Ok(ms) => ms,
            Err(reason) => return self.bad(row, reason),
        };
        let quantity_text = raw.quantity.unwrap_or("").trim();
        let quantity: i64 = match whole_number(quantity_text) {
            Some(q) => q,
            None => {
                return self.bad(
                    row,
                    format!("bad quantity: `{quantity_text}` is not a whole number"),
                )
            }
        };
        if quantity == 0 {
            return self.bad(
                row,
                "zero quantity: a line must move at least one unit".into(),
            );
        }
        if quantity.abs() > MAX_RECORDED_UNITS {
            return self.bad(
                row,
                format!("quantity too large: {quantity} is beyond ±{MAX_RECORDED_UNITS} units"),
            );
        }
        let price_text = raw.price.map(str::trim).filter(|p| !p.is_empty());
        let price_cents = match price_text.map(|text| (text, text.parse::<f64>())) {
            None => None,
            // Past f64's range (±inf) saturates to a price out of range below.
            Some((_, Ok(p))) if !p.is_nan() => Some((p * 100.0).round() as i64),
            Some((text, _)) => {
                return self.bad(row, format!("bad price: `{text}` is not a number"))
            }
        };
        if !self.is_product(code) {
            self.set_aside("non_product_code");
            return Ok(());
        }
        if let Some(problem) = price_cents
            .zip(price_text)
            .and_then(|(cents, text)| price_out_of_range(cents, text))
        {
            return self.bad(row, problem);
        }
        let customer = self.customer(raw.customer);
        let cancelled = self
            .mapping
            .cancellation_prefix
            .as_deref()
            .is_some_and(|prefix| order_id.starts_with(prefix));
        let units = quantity.unsigned_abs() as u32;
        let sku = self.sku(code);
        if cancelled || quantity < 0 {
            if quantity > 0 {
                self.set_aside("cancellation_with_positive_quantity");
                return Ok(());
            }
            if !cancelled && customer == NONE && price_cents.unwrap_or(0) == 0 {
                // No customer, no price: stock written off (damaged, lost), not demand.
                self.write_offs.push(RecordedWriteOff { at_ms, sku, units });
                self.counts.write_off_lines += 1;
                self.counts.rows_used += 1;
                return Ok(());
            }
            let kind = if cancelled {
                Undo::Cancellation
            } else {
                Undo::Return
            };
            self.undos.push(PendingUndo {
                at_ms,
                row,
                customer,
                sku,
                units,
                kind,
            });
            return Ok(());
        }
        self.note_sale(customer, price_cents, sku);
        let index = self.order_of(order_id, at_ms, row, (raw.region, raw.channel), customer);
        let order = &mut self.orders[index];
        order.at_ms = order.at_ms.min(at_ms);
        order.lines.push(RecordedLine { sku, units });
        self.counts.sale_lines += 1;
        self.counts.rows_used += 1;
        Ok(())
    }

    /// Notes a sale line's anonymous customer or zero price, and keeps its price for the SKU's
    /// median.
    fn note_sale(&mut self, customer: u32, price_cents: Option<i64>, sku: u32) {
        if customer == NONE {
            self.note("no_customer (kept, anonymous)");
        }
        if price_cents == Some(0) {
            self.note("zero_price (kept)");
        }
        if let Some(p) = price_cents.filter(|&p| p > 0) {
            self.prices[sku as usize].push(p as u64);
        }
    }

    /// The index of order `order_id`, opened at this row (with its region and channel) if it is
    /// new; the last order seen is remembered, since an invoice's rows are usually together.
    fn order_of(
        &mut self,
        order_id: &str,
        at_ms: i64,
        row: u64,
        (region, channel): (Option<&str>, Option<&str>),
        customer: u32,
    ) -> usize {
        if self.last_order.1 != usize::MAX && self.last_order.0 == order_id {
            self.last_order.1
        } else {
            let index = match self.order_index.get(order_id) {
                Some(&i) => i,
                None => {
                    let i = self.orders.len();
                    let region = self.regions.get(region);
                    let channel = self.channels.get(channel);
                    self.order_index.insert(order_id.to_string(), i);
                    self.orders.push(OpenOrder {
                        at_ms,
                        first_row: row,
                        region,
                        channel,
                        lines: Vec::new(),
                        customer,
                    });
                    i
                }
            };
            self.last_order.0.clear();
            self.last_order.0.push_str(order_id);
            self.last_order.1 = index;
            index
        }
    }

    fn finish(mut self) -> Imported {
        // Orders by time, ties in source order.
        let mut by_time: Vec<usize> = (0..self.orders.len()).collect();
        by_time.sort_by_key(|&i| (self.orders[i].at_ms, self.orders[i].first_row));
        // Undos match the latest earlier line of the same customer and SKU that still has units.
        let mut open_lines: FxHashMap<(u32, u32), Vec<(u32, u32)>> = self
            .undos
            .iter()
            .filter(|u| u.customer != NONE)
            .map(|u| ((u.customer, u.sku), Vec::new()))
            .collect();
        let mut orders = Vec::with_capacity(self.orders.len());
        let mut lines = Vec::with_capacity(self.counts.sale_lines as usize);
        for &old in &by_time {
            let o = &self.orders[old];
            let new = orders.len() as u32;
            if o.customer != NONE {
                for (line, l) in o.lines.iter().enumerate() {
                    if let Some(list) = open_lines.get_mut(&(o.customer, l.sku)) {
                        list.push((new, line as u32));
                    }
                }
            }
            orders.push(RecordedOrder {
                at_ms: o.at_ms,
                region: o.region,
                channel: o.channel,
                first_line: lines.len() as u32,
                line_count: o.lines.len() as u32,
            });
            lines.extend_from_slice(&o.lines);
        }
        let mut undos = self.match_undos(&orders, &lines, &open_lines);
        undos.sort_by_key(|u| u.at_ms);
        self.write_offs.sort_by_key(|w| w.at_ms);
        self.counts.orders = orders.len() as u64;
        assert_eq!(
            self.counts.rows_used + self.counts.rows_set_aside(),
            self.counts.rows_read,
            "every row is used or set aside"
        );
        let skus = self
            .skus
            .names
            .into_iter()
            .zip(self.prices.iter_mut())
            .map(|(code, prices)| {
                let unit_price_cents = if prices.is_empty() {
                    Cents::ZERO
                } else {
                    let middle = prices.len() / 2;
                    Cents::new(*prices.select_nth_unstable(middle).1)
                };
                RecordedSku {
                    code,
                    unit_price_cents,
                }
            })
            .collect();
        let source = Path::new(&self.path)
            .file_name()
            .map_or(self.path.clone(), |n| n.to_string_lossy().into_owned());
        Imported {
            log: DemandLog {
                source,
                skus,
                regions: self.regions.names,
                channels: self.channels.names,
                orders,
                lines,
                undos,
                write_offs: self.write_offs,
                counts: self.counts,
            },
            bad_rows: self.bad_rows,
        }
    }

    /// Each pending cancellation or return matched to the latest earlier lines of the same
    /// customer and SKU that still have units (`open_lines`, in time order); one with no match
    /// is set aside, one matched in part noted.
    fn match_undos(
        &mut self,
        orders: &[RecordedOrder],
        lines: &[RecordedLine],
        open_lines: &FxHashMap<(u32, u32), Vec<(u32, u32)>>,
    ) -> Vec<RecordedUndo> {
        // Units of each line not yet undone.
        let mut remaining: Vec<u32> = lines.iter().map(|l: &RecordedLine| l.units).collect();
        let mut undos = Vec::new();
        self.undos.sort_by_key(|u| (u.at_ms, u.row));
        for pending in std::mem::take(&mut self.undos) {
            let reason = match pending.kind {
                Undo::Cancellation => "cancellation_unmatched",
                Undo::Return => "return_unmatched",
            };
            if pending.customer == NONE {
                self.set_aside(reason);
                continue;
            }
            let mut left = pending.units;
            if let Some(candidates) = open_lines.get(&(pending.customer, pending.sku)) {
                for &(order, line) in candidates.iter().rev() {
                    if orders[order as usize].at_ms > pending.at_ms || left == 0 {
                        continue;
                    }
                    let have = &mut remaining[(orders[order as usize].first_line + line) as usize];
                    let take = left.min(*have);
                    if take > 0 {
                        *have -= take;
                        left -= take;
                        undos.push(RecordedUndo {
                            at_ms: pending.at_ms,
                            order,
                            line,
                            units: take,
                            kind: pending.kind,
                        });
                    }
                }
            }
            if left == pending.units {
                self.set_aside(reason);
                continue;
            }
            if left > 0 {
                self.note("undo_partly_matched (the rest predates the history)");
            }
            self.counts.rows_used += 1;
            match pending.kind {
                Undo::Cancellation => self.counts.cancellation_lines += 1,
                Undo::Return => self.counts.return_lines += 1,
            }
        }
        undos
    }
}

/// Why a recorded price of `cents` (written `text`) cannot be a unit price: below 0, or beyond
/// the scenario's bound on unit prices.
fn price_out_of_range(cents: i64, text: &str) -> Option<String> {
    if cents < 0 {
        Some(format!("negative price: {text}"))
    } else if cents as u64 > MAX_UNIT_PRICE_CENTS {
        Some(format!(
            "price too large: {text} is beyond {MAX_UNIT_PRICE_CENTS} cents"
        ))
    } else {
        None
    }
}

/// A whole number written as an integer (`6`) or as a float with no fraction (`6.0`, what a
/// float column of counts with nulls holds).
fn whole_number(text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let x: f64 = text.parse().ok()?;
    (x.is_finite() && x.fract() == 0.0 && x.abs() <= MAX_RECORDED_UNITS as f64 * 2.0)
        .then_some(x as i64)
}
