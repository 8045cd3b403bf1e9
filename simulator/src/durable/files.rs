//! The folder's files: journal segments and snapshots by number, and durable creation.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use qm_engine::journal::{self};

use super::error::{DurableError, Result};
use super::settings::*;

/// Takes the folder's exclusive lock (creating its lock file), or says another process holds
/// it. The lock goes with the returned file, and with the process however it ends.
pub(super) fn lock_exclusive(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(DurableError::io("cannot open", &path))?;
    lock(dir, &path, file, File::try_lock)
}

/// Takes a shared lock on the folder, so that no process writes it while it is read; `None`
/// when the folder has no lock file (no process has opened it for writing). Creates nothing.
pub(super) fn lock_shared(dir: &Path) -> Result<Option<File>> {
    let path = dir.join(LOCK_FILE);
    match File::open(&path) {
        Ok(file) => lock(dir, &path, file, File::try_lock_shared).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DurableError::io("cannot open", &path)(e)),
    }
}

fn lock(
    dir: &Path,
    path: &Path,
    file: File,
    try_lock: fn(&File) -> std::result::Result<(), std::fs::TryLockError>,
) -> Result<File> {
    match try_lock(&file) {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(DurableError::InUse {
            dir: dir.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(cause)) => {
            Err(DurableError::io("cannot lock", path)(cause))
        }
    }
}

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

/// The file holding the last acknowledged record's number: written after each batch's sync and
/// before its acknowledgements, so it never runs ahead of the synced journal. Recovery refuses a
/// journal that ends before it (acknowledged records deleted or cut).
pub(super) const ACKNOWLEDGED_FILE: &str = "acknowledged.qma";

/// The acknowledged position's bytes: the record number and its CRC-32, little-endian.
fn acknowledged_bytes(seq: u64) -> [u8; 12] {
    let mut bytes = [0u8; 12];
    bytes[..8].copy_from_slice(&seq.to_le_bytes());
    bytes[8..].copy_from_slice(&crc32fast::hash(&seq.to_le_bytes()).to_le_bytes());
    bytes
}

/// Records `seq` as acknowledged, in place. Not synced: after a power loss the position may lag
/// the journal (the check then covers less), never lead it.
pub(super) fn write_acknowledged(file: &File, seq: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.write_all_at(&acknowledged_bytes(seq), 0)
}

/// Opens the acknowledged-position file for writing: `fresh` (a new folder) creates it and
/// fails if it is there; otherwise it is created if missing and kept if present.
pub(super) fn open_acknowledged(dir: &Path, fresh: bool) -> Result<File> {
    let path = dir.join(ACKNOWLEDGED_FILE);
    let doing = if fresh {
        "cannot create"
    } else {
        "cannot open"
    };
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .create_new(fresh)
        .truncate(false)
        .open(&path)
        .map_err(DurableError::io(doing, &path))
}

/// Creates the acknowledged-position file at 0 (a new folder), durably.
pub(super) fn create_acknowledged(dir: &Path) -> Result<File> {
    let file = open_acknowledged(dir, true)?;
    write_acknowledged(&file, 0)?;
    file.sync_all()?;
    sync_dir(dir)?;
    Ok(file)
}

/// The last acknowledged record of `dir`; `None` when the file is missing.
pub(super) fn read_acknowledged(dir: &Path) -> Result<Option<u64>> {
    let path = dir.join(ACKNOWLEDGED_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(DurableError::io("cannot read", &path)(e)),
    };
    let seq = bytes
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
    match seq {
        Some(seq) if bytes.len() == 12 && bytes[..] == acknowledged_bytes(seq) => Ok(Some(seq)),
        _ => Err(DurableError::Refused(format!(
            "{}: damaged ({} bytes, checksum mismatch): cannot tell how far the journal reached; \
             restore it from a backup, or delete it to recover without that check",
            path.display(),
            bytes.len()
        ))),
    }
}

/// Removes what a crash can leave behind: temporary snapshot and segment files.
pub(super) fn remove_temporaries(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(DurableError::io("cannot list", dir))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".qms.tmp") || name.ends_with(".qmj.tmp") {
            std::fs::remove_file(&path).map_err(DurableError::io("cannot delete", &path))?;
        }
    }
    Ok(())
}
