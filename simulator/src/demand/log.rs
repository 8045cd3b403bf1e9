//! The binary demand log: an imported order history, ready to replay without parsing text.
//!
//! Layout: a 48-byte header, then the payload (the [`DemandLog`], encoded by [`crate::codec`]).
//!
//! | bytes | field |
//! | --- | --- |
//! | 0..8 | magic `QMDEMAND` |
//! | 8..12 | format version (u32, little-endian) |
//! | 12..20 | rows read from the source (u64) |
//! | 20..28 | orders (u64) |
//! | 28..36 | order lines (u64) |
//! | 36..44 | payload length in bytes (u64) |
//! | 44..48 | CRC-32 of the payload (u32) |
//!
//! A log whose magic, version, length or checksum disagrees is refused before decoding.

use std::collections::BTreeMap;
use std::path::Path;

use qm_money::Cents;
use serde::{Deserialize, Serialize};

use crate::codec;

const MAGIC: &[u8; 8] = b"QMDEMAND";
/// Bumped whenever [`DemandLog`]'s encoding changes.
pub const FORMAT_VERSION: u32 = 1;
const HEADER_BYTES: usize = 48;
/// Largest payload accepted (the full UCI history is about 9 MB).
pub const MAX_PAYLOAD_BYTES: u64 = 8 << 30;

/// Why a demand log was refused.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The file could not be read.
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: String,
        /// What the system said (not a `source`: the message already says it, once).
        cause: std::io::Error,
    },
    /// The log could not be written (the system's fault or the folder's, not the history's).
    #[error("cannot write {path}: {cause}")]
    Write {
        /// The file.
        path: String,
        /// What the system said.
        cause: std::io::Error,
    },
    /// The file is not a demand log, is from another version, or is damaged.
    #[error("{path}: {problem}; re-create it with `qm import`")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

impl LogError {
    /// Whether the user's input is at fault (exit code 2): a log that cannot be read or is
    /// damaged, not one that cannot be written.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, LogError::Write { .. })
    }
}

/// One SKU code seen in the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedSku {
    /// Its code as recorded.
    pub code: String,
    /// Median recorded unit price (zero when no line had a price).
    pub unit_price_cents: Cents,
}

/// One recorded order (an invoice), its lines back to back in [`DemandLog::lines`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedOrder {
    /// When it was placed: ms since the Unix epoch, UTC.
    pub at_ms: i64,
    /// Index into [`DemandLog::regions`], or [`NONE`].
    pub region: u32,
    /// Index into [`DemandLog::channels`], or [`NONE`].
    pub channel: u32,
    /// Index of its first line.
    pub first_line: u32,
    /// How many lines.
    pub line_count: u32,
}

/// "Not recorded" for an optional index.
pub const NONE: u32 = u32::MAX;

/// One recorded order line.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedLine {
    /// Index into [`DemandLog::skus`].
    pub sku: u32,
    /// Units ordered (> 0).
    pub units: u32,
}

/// What a negative recorded line does to an earlier order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Undo {
    /// A cancellation invoice: released if the order has not shipped, else returned.
    Cancellation,
    /// A customer return of shipped units.
    Return,
}

/// A cancellation or return matched to the order line it undoes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedUndo {
    /// When: ms since the Unix epoch, UTC.
    pub at_ms: i64,
    /// The order it undoes (index into [`DemandLog::orders`]).
    pub order: u32,
    /// The line within that order.
    pub line: u32,
    /// Units undone.
    pub units: u32,
    /// Which kind.
    pub kind: Undo,
}

/// Stock written off in the history (damaged, lost): an inventory adjustment, not demand.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedWriteOff {
    /// When: ms since the Unix epoch, UTC.
    pub at_ms: i64,
    /// Index into [`DemandLog::skus`].
    pub sku: u32,
    /// Units written off.
    pub units: u32,
}

/// What an import did with every row it read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportCounts {
    /// Data rows in the source (header excluded).
    pub rows_read: u64,
    /// Rows that became an order line, an undo or a write-off.
    pub rows_used: u64,
    /// Rows that became order lines.
    pub sale_lines: u64,
    /// Cancellation rows matched to an earlier line.
    pub cancellation_lines: u64,
    /// Return rows matched to an earlier line.
    pub return_lines: u64,
    /// Write-off rows.
    pub write_off_lines: u64,
    /// Orders (invoices) built from the sale lines.
    pub orders: u64,
    /// Rows not used, by reason (bad rows included, as `bad_row: <reason>`).
    pub set_aside: BTreeMap<String, u64>,
    /// Rows used but worth knowing about (no customer, zero price), by note.
    pub notes: BTreeMap<String, u64>,
}

impl ImportCounts {
    /// Rows set aside, all reasons together.
    pub fn rows_set_aside(&self) -> u64 {
        self.set_aside.values().sum()
    }
}

/// An imported order history.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DemandLog {
    /// The file it came from (name only).
    pub source: String,
    /// SKUs in first-seen order.
    pub skus: Vec<RecordedSku>,
    /// Ship-to regions or countries, in first-seen order.
    pub regions: Vec<String>,
    /// Channels, in first-seen order.
    pub channels: Vec<String>,
    /// Orders sorted by time (ties in source order).
    pub orders: Vec<RecordedOrder>,
    /// Every order's lines.
    pub lines: Vec<RecordedLine>,
    /// Cancellations and returns, sorted by time.
    pub undos: Vec<RecordedUndo>,
    /// Write-offs, sorted by time.
    pub write_offs: Vec<RecordedWriteOff>,
    /// What the import did with each row.
    pub counts: ImportCounts,
}

impl DemandLog {
    /// The log as bytes: header then payload.
    pub fn to_bytes(&self) -> Vec<u8> {
        let payload = codec::encode(self).expect("a demand log always encodes");
        let mut bytes = Vec::with_capacity(HEADER_BYTES + payload.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&self.counts.rows_read.to_le_bytes());
        bytes.extend_from_slice(&(self.orders.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&(self.lines.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        debug_assert_eq!(bytes.len(), HEADER_BYTES);
        bytes.extend_from_slice(&payload);
        bytes
    }

    /// Reads a log back, refusing anything damaged; `path` names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &str) -> Result<Self, LogError> {
        let corrupt = |problem: String| LogError::Corrupt {
            path: path.into(),
            problem,
        };
        if bytes.len() < HEADER_BYTES || &bytes[..8] != MAGIC {
            return Err(corrupt(
                "not a Quartermaster demand log (no QMDEMAND header)".into(),
            ));
        }
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        let version = u32_at(8);
        if version != FORMAT_VERSION {
            return Err(corrupt(format!(
                "format version {version}, this qm reads version {FORMAT_VERSION}"
            )));
        }
        let (rows_read, orders, lines) = (u64_at(12), u64_at(20), u64_at(28));
        let (payload_len, crc) = (u64_at(36), u32_at(44));
        let payload = &bytes[HEADER_BYTES..];
        if payload_len > MAX_PAYLOAD_BYTES || payload.len() as u64 != payload_len {
            return Err(corrupt(format!(
                "truncated or padded: the header promises {payload_len} payload bytes, the file holds {}",
                payload.len()
            )));
        }
        let actual = crc32fast::hash(payload);
        if actual != crc {
            return Err(corrupt(format!(
                "checksum mismatch (header {crc:08x}, payload {actual:08x}): the file is damaged"
            )));
        }
        let log: DemandLog =
            codec::decode(payload).map_err(|e| corrupt(format!("payload does not decode: {e}")))?;
        // The header's counts sit outside the checksum: each must agree with the payload.
        if log.orders.len() as u64 != orders
            || log.lines.len() as u64 != lines
            || log.counts.rows_read != rows_read
        {
            return Err(corrupt(
                "the header's row, order and line counts disagree with the payload".into(),
            ));
        }
        log.check().map_err(corrupt)?;
        Ok(log)
    }

    /// Cross-references every index, so replay can index without checking.
    fn check(&self) -> Result<(), String> {
        for (i, o) in self.orders.iter().enumerate() {
            let end = o.first_line as u64 + o.line_count as u64;
            if end > self.lines.len() as u64 || o.line_count == 0 {
                return Err(format!("order {i} points outside the lines"));
            }
            if (o.region != NONE && o.region as usize >= self.regions.len())
                || (o.channel != NONE && o.channel as usize >= self.channels.len())
            {
                return Err(format!("order {i} names an unknown region or channel"));
            }
        }
        if self
            .lines
            .iter()
            .any(|l| l.sku as usize >= self.skus.len() || l.units == 0)
        {
            return Err("a line names an unknown SKU or has no units".into());
        }
        for u in &self.undos {
            let order = self
                .orders
                .get(u.order as usize)
                .ok_or("an undo names an unknown order")?;
            if u.line >= order.line_count || u.units == 0 {
                return Err("an undo names an unknown line or has no units".into());
            }
        }
        if self
            .write_offs
            .iter()
            .any(|w| w.sku as usize >= self.skus.len())
        {
            return Err("a write-off names an unknown SKU".into());
        }
        Ok(())
    }

    /// Writes the log to `path`.
    pub fn write(&self, path: &Path) -> Result<(), LogError> {
        qm_reports::files::write(path, self.to_bytes()).map_err(|cause| LogError::Write {
            path: path.display().to_string(),
            cause,
        })
    }

    /// Reads and checks the log at `path`.
    pub fn read(path: &Path) -> Result<Self, LogError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|cause| LogError::Io {
            path: name.clone(),
            cause,
        })?;
        Self::from_bytes(&bytes, &name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DemandLog {
        DemandLog {
            source: "t.csv".into(),
            skus: vec![RecordedSku {
                code: "85123A".into(),
                unit_price_cents: Cents::new(255),
            }],
            regions: vec!["United Kingdom".into()],
            channels: vec![],
            orders: vec![RecordedOrder {
                at_ms: 1_291_191_960_000,
                region: 0,
                channel: NONE,
                first_line: 0,
                line_count: 1,
            }],
            lines: vec![RecordedLine { sku: 0, units: 6 }],
            undos: vec![RecordedUndo {
                at_ms: 1_291_200_000_000,
                order: 0,
                line: 0,
                units: 2,
                kind: Undo::Cancellation,
            }],
            write_offs: vec![],
            counts: ImportCounts {
                rows_read: 2,
                rows_used: 2,
                sale_lines: 1,
                cancellation_lines: 1,
                orders: 1,
                ..Default::default()
            },
        }
    }

    #[test]
    fn round_trips_and_refuses_every_kind_of_damage() {
        let log = sample();
        let bytes = log.to_bytes();
        assert_eq!(DemandLog::from_bytes(&bytes, "x").unwrap(), log);
        let refused = |bytes: &[u8]| DemandLog::from_bytes(bytes, "x").unwrap_err().to_string();
        assert!(
            refused(&bytes[..bytes.len() - 3]).contains("truncated"),
            "{}",
            refused(&bytes[..bytes.len() - 3])
        );
        assert!(refused(&bytes[..20]).contains("no QMDEMAND header"));
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x40;
        assert!(refused(&flipped).contains("checksum mismatch"));
        let mut version = bytes.clone();
        version[8] = 9;
        assert!(refused(&version).contains("format version 9"));
        // A consistent file whose payload points outside itself is refused too.
        let mut bad = sample();
        bad.undos[0].line = 5;
        assert!(refused(&bad.to_bytes()).contains("unknown line"));
    }
}
