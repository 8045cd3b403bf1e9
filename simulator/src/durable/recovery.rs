//! Reading the journal (cutting a torn tail) and rebuilding the engine from the newest valid
//! snapshot plus the records after it.

use std::path::{Path, PathBuf};

use qm_engine::journal::{self, JournalError, TornTail};
use qm_engine::Engine;

use super::error::{DurableError, Result};
use super::files::*;
use super::settings::*;

/// The whole journal of a folder, read across its segments.
pub struct JournalRead {
    /// The first record the segments hold (1 unless older segments were deleted).
    pub first_seq: u64,
    /// Every whole record, in order.
    pub records: Vec<journal::Record>,
    /// The segments: (first record, path, bytes of whole records).
    pub segments: Vec<(u64, PathBuf, usize)>,
    /// Bytes of whole records in the last segment: cut it there.
    pub valid_len: usize,
    /// A torn tail of the last segment, if any.
    pub torn: Option<TornTail>,
}

impl JournalRead {
    /// The last record's sequence number (`first_seq − 1` with none).
    pub fn last_seq(&self) -> u64 {
        self.first_seq - 1 + self.records.len() as u64
    }
}

/// Reads every segment of `dir`'s journal. A torn tail is allowed in the last segment only;
/// a gap between segments, or damage anywhere else, is refused with where and what.
pub fn read_journal(dir: &Path) -> Result<JournalRead> {
    let list = segments(dir)?;
    let Some(&(first_seq, _)) = list.first() else {
        return Err(DurableError::Refused(format!(
            "{}: no journal segment ({SEGMENT_PREFIX}*.qmj): not a durable engine folder, or its \
             journal was deleted",
            dir.display()
        )));
    };
    let mut read = JournalRead {
        first_seq,
        records: Vec::new(),
        segments: Vec::new(),
        valid_len: 0,
        torn: None,
    };
    for (i, (first, path)) in list.iter().enumerate() {
        let expected = read.last_seq() + 1;
        if *first != expected {
            return Err(DurableError::Refused(format!(
                "{}: starts at record {first}, but the segment before ends at record {}: records \
                 are missing or repeated",
                path.display(),
                expected - 1
            )));
        }
        let bytes = std::fs::read(path).map_err(DurableError::io("cannot read", path))?;
        let scan = journal::scan_from(&bytes, *first).map_err(|cause: JournalError| {
            DurableError::Journal {
                path: path.clone(),
                cause,
            }
        })?;
        if let Some(torn) = &scan.torn {
            if i + 1 < list.len() {
                return Err(DurableError::Refused(format!(
                    "{}: damaged at byte {} ({}), and later segments follow: this is not a torn \
                     write. Refusing to skip records: restore the journal from a backup",
                    path.display(),
                    torn.offset,
                    torn.reason
                )));
            }
        }
        read.segments.push((*first, path.clone(), scan.valid_len));
        read.records.extend(scan.records);
        read.valid_len = scan.valid_len;
        read.torn = scan.torn;
    }
    Ok(read)
}

/// What recovery found.
#[derive(Clone, Debug, PartialEq)]
pub struct Recovery {
    /// The last whole record's sequence number.
    pub records: u64,
    /// The snapshot loaded (its journal position), if any.
    pub snapshot: Option<u64>,
    /// Snapshots passed over, with why (damaged, or before the journal's first segment).
    pub snapshots_skipped: Vec<String>,
    /// Records applied after the snapshot (all of them without one).
    pub replayed: u64,
    /// Bytes of the last journal segment kept.
    pub valid_len: usize,
    /// The torn tail cut off, if any.
    pub torn: Option<TornTail>,
    /// The last acknowledged record on file, if the folder keeps it.
    pub acknowledged: Option<u64>,
    /// The state hash after recovery.
    pub state_hash: u64,
}

/// Where a recovery starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The opening engine: replay every record (needs the journal from record 1).
    Genesis,
    /// The newest snapshot that decodes and fits.
    NewestSnapshot,
    /// The oldest snapshot that decodes and fits (an independent path to check the newest).
    OldestSnapshot,
}

/// Rebuilds the state of `dir` without changing any file: a snapshot chosen by `start` (or
/// none) loaded into a `genesis()` engine, then the journal after it.
/// Corruption in the journal, or a journal ending before the newest snapshot, is refused with
/// where and what; a damaged snapshot is passed over.
pub fn recover(
    dir: &Path,
    genesis: &dyn Fn() -> Result<Engine>,
    start: Start,
) -> Result<(Engine, Recovery)> {
    recover_from(dir, &read_journal(dir)?, genesis, start)
}

/// Refuses a journal that ends before the last acknowledged record: acknowledged records were
/// deleted or cut (a segment removed, a segment truncated at a record boundary or to its magic).
fn check_reach(dir: &Path, scan: &JournalRead, acknowledged: Option<u64>) -> Result<()> {
    let last = scan.last_seq();
    match acknowledged {
        Some(seq) if last < seq => Err(DurableError::Refused(format!(
            "{}: the journal ends at record {last}, but records up to {seq} were acknowledged: \
             {} acknowledged records are missing (a segment deleted or cut short). Refusing to \
             drop them: restore the journal from a backup",
            dir.display(),
            seq - last
        ))),
        _ => Ok(()),
    }
}

/// Refuses a journal that ends before the newest snapshot (`snapshots`, newest first): the writer
/// takes a snapshot at record S only once records up to S are durable, so the ones after the
/// journal's end were deleted or cut. This holds without `acknowledged.qma`.
fn check_snapshots_reached(scan: &JournalRead, snapshots: &[(u64, PathBuf)]) -> Result<()> {
    let last = scan.last_seq();
    let Some((seq, path)) = snapshots.first().filter(|(seq, _)| *seq > last) else {
        return Ok(());
    };
    let missing = if *seq == last + 1 {
        format!("record {seq} was durable before that snapshot was taken and is")
    } else {
        format!(
            "records {}–{seq} were durable before that snapshot was taken and are",
            last + 1
        )
    };
    Err(DurableError::Refused(format!(
        "{}: a snapshot at record {seq}, but the journal ends at record {last}: {missing} missing \
         (a segment deleted or cut short). Refusing to drop them: restore the journal from a \
         backup",
        path.display()
    )))
}

/// [`recover`] from a journal already read.
pub(super) fn recover_from(
    dir: &Path,
    scan: &JournalRead,
    genesis: &dyn Fn() -> Result<Engine>,
    start: Start,
) -> Result<(Engine, Recovery)> {
    let acknowledged = read_acknowledged(dir)?;
    check_reach(dir, scan, acknowledged)?;
    let mut candidates = snapshots(dir)?;
    check_snapshots_reached(scan, &candidates)?;
    let records = scan.last_seq();
    let mut skipped = Vec::new();
    let mut loaded = None;
    if start != Start::Genesis {
        if start == Start::OldestSnapshot {
            candidates.reverse();
        }
        for (seq, file) in candidates {
            let name = file.display();
            if seq + 1 < scan.first_seq {
                skipped.push(format!(
                    "{name}: at record {seq}, before the journal's first segment (record {})",
                    scan.first_seq
                ));
                continue;
            }
            let decoded = std::fs::read(&file)
                .map_err(|e| e.to_string())
                .and_then(|b| qm_engine::snapshot::decode(&b).map_err(|e| e.to_string()));
            match decoded {
                Ok((at, state)) if at == seq => {
                    let engine = genesis()?;
                    match engine.load_state(&state) {
                        Ok(()) => {
                            loaded = Some((seq, engine));
                            break;
                        }
                        Err(e) => skipped.push(format!("{name}: {e}")),
                    }
                }
                Ok((at, _)) => skipped.push(format!("{name}: holds record {at}, not {seq}")),
                Err(e) => skipped.push(format!("{name}: {e}")),
            }
        }
    }
    let (snapshot, engine) = match loaded {
        Some((seq, engine)) => (Some(seq), engine),
        None if scan.first_seq > 1 => {
            return Err(DurableError::Refused(format!(
            "{}: the journal begins at record {} and no valid snapshot covers the records before \
             it{}; restore a snapshot from a backup",
            dir.display(),
            scan.first_seq,
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" ({})", skipped.join("; "))
            }
        )))
        }
        None => (None, genesis()?),
    };
    let from = snapshot.unwrap_or(0);
    for record in scan.records.iter().filter(|r| r.seq > from) {
        engine.apply(&record.command);
    }
    let recovery = Recovery {
        records,
        snapshot,
        snapshots_skipped: skipped,
        replayed: records - from.max(scan.first_seq - 1),
        valid_len: scan.valid_len,
        torn: scan.torn.clone(),
        acknowledged,
        state_hash: engine.state_hash(),
    };
    Ok((engine, recovery))
}
