//! `qm engine inspect`: a folder read without changing it.

use std::path::{Path, PathBuf};

use qm_engine::journal::{Command, TornTail};

use super::error::Result;
use super::files::lock_shared;
use super::genesis::*;
use super::recovery::*;

/// What `qm engine inspect` reports about a folder.
pub struct Inspection {
    /// Whole records.
    pub records: u64,
    /// Records by command kind, in a fixed order.
    pub kinds: Vec<(&'static str, u64)>,
    /// The journal's segments: (first record, path, bytes of whole records).
    pub segments: Vec<(u64, PathBuf, usize)>,
    /// Bytes of whole records in the last segment (with the magic).
    pub valid_len: usize,
    /// Where the last whole record starts in the last segment.
    pub last_record_offset: Option<usize>,
    /// A torn tail, which `recover` would cut.
    pub torn: Option<TornTail>,
    /// The state hash of the reference recovery: a full replay from the opening engine, or,
    /// once old segments are deleted, the oldest snapshot kept + the journal after it.
    pub state_hash: u64,
    /// Whether the reference was a full replay.
    pub reference_is_full_replay: bool,
    /// The engine's invariant check after the replay.
    pub invariants: Result<qm_engine::InvariantReport, qm_engine::InvariantViolation>,
    /// Recovery as `recover` would do it (newest valid snapshot + the journal after it); its
    /// state hash must equal the reference's.
    pub from_snapshot: Recovery,
}

/// Reads a folder's journal without changing it and replays it onto its genesis.
pub fn inspect(dir: &Path) -> Result<Inspection> {
    let genesis = Genesis::read(dir)?;
    // A folder a writer holds changes while it is read: refused, not misread.
    let _lock = lock_shared(dir)?;
    let make = || Ok(genesis.engine(dir)?.0);
    let scan = read_journal(dir)?;
    // The reference: a full replay when the journal still starts at record 1, else the oldest
    // snapshot kept; the newest snapshot + its tail must agree with it.
    let reference = if scan.first_seq == 1 {
        Start::Genesis
    } else {
        Start::OldestSnapshot
    };
    let (engine, full) = recover_from(dir, &scan, &make, reference)?;
    let (_, from_snapshot) = recover_from(dir, &scan, &make, Start::NewestSnapshot)?;
    const KINDS: [&str; 12] = [
        "reserve",
        "confirm",
        "release",
        "expire_holds",
        "ship",
        "short_pick",
        "receive",
        "restock_return",
        "adjust",
        "set_reorder_point",
        "archive_finished",
        "keyed",
    ];
    let mut counts = [0u64; 12];
    for record in &scan.records {
        let kind = match record.command {
            Command::Reserve { .. } => 0,
            Command::Confirm { .. } => 1,
            Command::Release { .. } => 2,
            Command::ExpireHolds { .. } => 3,
            Command::Ship { .. } => 4,
            Command::ShortPick { .. } => 5,
            Command::Receive { .. } => 6,
            Command::RestockReturn { .. } => 7,
            Command::Adjust { .. } => 8,
            Command::SetReorderPoint { .. } => 9,
            Command::ArchiveFinished { .. } => 10,
            Command::Keyed { .. } => 11,
        };
        counts[kind] += 1;
    }
    Ok(Inspection {
        records: full.records,
        kinds: KINDS.iter().copied().zip(counts).collect(),
        segments: scan
            .segments
            .iter()
            .map(|(first, path, len)| (*first, path.clone(), *len))
            .collect(),
        valid_len: full.valid_len,
        last_record_offset: scan.records.last().map(|r| r.offset),
        torn: full.torn,
        state_hash: full.state_hash,
        reference_is_full_replay: reference == Start::Genesis,
        invariants: engine.check_invariants(),
        from_snapshot,
    })
}
