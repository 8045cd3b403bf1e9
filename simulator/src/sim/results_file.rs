//! The results file a run folder keeps for `qm report` and `qm compare`.

use std::path::{Path, PathBuf};

use qm_reports::run::RunData;

use super::error::SimError;

/// The file in a run folder that keeps the run's results for `qm report` and `qm compare`.
pub const RESULTS_FILE: &str = "results.qmr";
/// First bytes of a results file, with its format version. The CRC-32 of the body follows
/// (4 bytes, little-endian), then the body: a flipped bit in a figure would otherwise decode
/// into a report that looks right and is not.
const RESULTS_MAGIC: &[u8; 8] = b"QMRUN\x00\x00\x05";
/// Bytes of the body's checksum.
const CHECKSUM_BYTES: usize = 4;

/// Writes a run's results file and its reports in `formats` into `dir`; returns the files. The
/// reports of other formats an earlier run left in `dir` are removed: a folder holds one run.
pub fn write_outputs(
    data: &RunData,
    dir: &Path,
    formats: &[qm_reports::export::Format],
) -> Result<Vec<PathBuf>, SimError> {
    std::fs::create_dir_all(dir).map_err(|cause| SimError::CreateFolder {
        path: dir.into(),
        cause,
    })?;
    let path = dir.join(RESULTS_FILE);
    let body = crate::codec::encode(data)?;
    let mut bytes = RESULTS_MAGIC.to_vec();
    bytes.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    bytes.extend(body);
    qm_reports::files::write(&path, bytes).map_err(|cause| SimError::Write {
        path: path.clone(),
        cause,
    })?;
    qm_reports::export::remove_other_formats(dir, formats)?;
    let mut written = vec![path];
    written.extend(qm_reports::export::write(data, dir, formats)?);
    Ok(written)
}

/// A results file as read: its bytes, checked against their checksum, and the run they decode to.
pub struct Results {
    /// The run.
    pub data: RunData,
    /// The file's bytes, as read and checked.
    bytes: Vec<u8>,
}

impl Results {
    /// Writes the file, the very bytes that were read and checked, into `to` (created if
    /// needed), so that a folder given this run's reports holds the run whole; returns the copy.
    pub fn copy_into(&self, to: &Path) -> Result<PathBuf, SimError> {
        let path = to.join(RESULTS_FILE);
        std::fs::create_dir_all(to).map_err(|cause| SimError::CreateFolder {
            path: to.into(),
            cause,
        })?;
        qm_reports::files::write(&path, &self.bytes).map_err(|cause| SimError::Write {
            path: path.clone(),
            cause,
        })?;
        Ok(path)
    }
}

/// Removes a run's results file and its reports in every format from `dir`, then `dir` itself if
/// that leaves it empty (a file qm did not write keeps it). Nothing there is nothing to do.
pub fn remove_run(dir: &Path) -> Result<(), SimError> {
    remove_file(&dir.join(RESULTS_FILE))?;
    qm_reports::export::remove_other_formats(dir, &[])?;
    let _ = std::fs::remove_dir(dir); // fails, as it should, while anything else is in it
    Ok(())
}

/// Removes `path`; one that is not there is already removed.
pub fn remove_file(path: &Path) -> Result<(), SimError> {
    qm_reports::files::remove(path).map_err(|cause| SimError::Remove {
        path: path.into(),
        cause,
    })
}

/// How many runs a refusal of the folder above them names.
pub const RUNS_NAMED: usize = 4;

/// The folders directly inside `dir` that hold a results file, sorted, as paths: at most
/// [`RUNS_NAMED`], then how many more; none when `dir` cannot be listed.
fn runs_inside(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut runs: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.join(RESULTS_FILE).is_file())
        .collect();
    runs.sort();
    let more = runs.len().saturating_sub(RUNS_NAMED);
    let mut named: Vec<String> = runs
        .iter()
        .take(RUNS_NAMED)
        .map(|path| path.display().to_string())
        .collect();
    if more > 0 {
        named.push(format!("and {more} more"));
    }
    named
}

/// Reads the results a run wrote into `dir`.
pub fn read_results(dir: &Path) -> Result<RunData, SimError> {
    Ok(read_results_file(dir)?.data)
}

/// Reads the results file a run wrote into `dir`, keeping its bytes for a copy.
pub fn read_results_file(dir: &Path) -> Result<Results, SimError> {
    let path = dir.join(RESULTS_FILE);
    let bytes = std::fs::read(&path).map_err(|cause| SimError::NoResults {
        dir: dir.into(),
        file: RESULTS_FILE,
        cause,
        runs_inside: runs_inside(dir),
    })?;
    let Some(sealed) = bytes.strip_prefix(RESULTS_MAGIC.as_slice()) else {
        return Err(SimError::ForeignResults { path });
    };
    let damaged = |problem: String| SimError::DamagedResults {
        path: path.clone(),
        problem,
    };
    if sealed.len() < CHECKSUM_BYTES {
        return Err(damaged(format!(
            "{} bytes where the header alone takes {}",
            bytes.len(),
            RESULTS_MAGIC.len() + CHECKSUM_BYTES
        )));
    }
    let (checksum, body) = sealed.split_at(CHECKSUM_BYTES);
    if crc32fast::hash(body).to_le_bytes() != checksum {
        return Err(damaged(
            "checksum mismatch: the file is not what the run wrote".into(),
        ));
    }
    let data = crate::codec::decode(body)
        .map_err(|cause| damaged(format!("the body does not decode: {cause}")))?;
    Ok(Results { data, bytes })
}
