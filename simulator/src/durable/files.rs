//! The folder's files: journal segments and snapshots by number, and durable creation.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use qm_engine::journal::{self};

use super::error::{DurableError, Result};
use super::settings::*;

/// The snapshot file of journal position `seq`.
pub(super) fn snapshot_path(dir: &Path, seq: u64) -> PathBuf {
    dir.join(format!("snapshot-{seq:020}.qms"))
}

/// The files of `dir` named `<prefix><number><suffix>`, by number, smallest first.
pub(super) fn numbered_files(
    dir: &Path,
    prefix: &str,
    suffix: &str,
) -> Result<Vec<(u64, PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(DurableError::io("cannot list", dir))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(number) = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .and_then(|digits| digits.parse::<u64>().ok())
        {
            found.push((number, path));
        }
    }
    found.sort();
    Ok(found)
}

/// The folder's snapshot files, newest first: (journal position, path).
pub fn snapshots(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let mut found = numbered_files(dir, "snapshot-", ".qms")?;
    found.reverse();
    Ok(found)
}

/// The journal segment starting at record `first_seq`.
pub(super) fn segment_path(dir: &Path, first_seq: u64) -> PathBuf {
    dir.join(format!("{SEGMENT_PREFIX}{first_seq:020}.qmj"))
}

/// The folder's journal segments in order: (first record, path).
pub fn segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    numbered_files(dir, SEGMENT_PREFIX, ".qmj")
}

/// Starts the segment whose first record will be `first_seq`: written whole under a temporary
/// name, synced, then renamed, so a crash never leaves a segment without its magic.
pub(super) fn create_segment(dir: &Path, first_seq: u64) -> Result<File> {
    let path = segment_path(dir, first_seq);
    let temporary = path.with_extension("qmj.tmp");
    let mut file =
        File::create(&temporary).map_err(DurableError::io("cannot create", &temporary))?;
    file.write_all(&journal::MAGIC)?;
    file.sync_all()?;
    std::fs::rename(&temporary, &path)?;
    sync_dir(dir)?;
    OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(DurableError::io("cannot open", &path))
}

/// Makes a new file's directory entry durable.
pub(super) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(DurableError::io("cannot sync", dir))
}
