//! The results file a run folder keeps for `qm report` and `qm compare`.

use std::path::{Path, PathBuf};

use qm_reports::run::RunData;

use super::error::SimError;
use super::results::RunOutput;

/// The file in a run folder that keeps the run's results for `qm report` and `qm compare`.
pub const RESULTS_FILE: &str = "results.qmr";
/// First bytes of a results file, with its format version.
const RESULTS_MAGIC: &[u8; 8] = b"QMRUN\x00\x00\x03";

/// Writes the run's results file and its reports in `formats` into `dir`; returns the files.
pub fn write_outputs(
    output: &RunOutput,
    dir: &Path,
    formats: &[qm_reports::export::Format],
) -> Result<Vec<PathBuf>, SimError> {
    std::fs::create_dir_all(dir).map_err(|cause| SimError::CreateFolder {
        path: dir.into(),
        cause,
    })?;
    let path = dir.join(RESULTS_FILE);
    let mut bytes = RESULTS_MAGIC.to_vec();
    bytes.extend(crate::codec::encode(&output.data)?);
    qm_reports::files::write(&path, bytes).map_err(|cause| SimError::Write {
        path: path.clone(),
        cause,
    })?;
    let mut written = vec![path];
    written.extend(qm_reports::export::write(&output.data, dir, formats)?);
    Ok(written)
}

/// Reads the results a run wrote into `dir`.
pub fn read_results(dir: &Path) -> Result<RunData, SimError> {
    let path = dir.join(RESULTS_FILE);
    let bytes = std::fs::read(&path).map_err(|cause| SimError::NoResults {
        dir: dir.into(),
        file: RESULTS_FILE,
        cause,
    })?;
    let Some(body) = bytes.strip_prefix(RESULTS_MAGIC.as_slice()) else {
        return Err(SimError::ForeignResults { path });
    };
    crate::codec::decode(body).map_err(|cause| SimError::DamagedResults { path, cause })
}
