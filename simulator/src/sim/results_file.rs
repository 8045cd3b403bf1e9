//! The results file a run folder keeps for `qm report` and `qm compare`.

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::results::RunOutput;
use qm_reports::run::RunData;

/// The file in a run folder that keeps the run's results for `qm report` and `qm compare`.
pub const RESULTS_FILE: &str = "results.qmr";
/// First bytes of a results file, with its format version.
const RESULTS_MAGIC: &[u8; 8] = b"QMRUN\x00\x00\x02";

/// Writes the run's results file and its reports in `formats` into `dir`; returns the files.
pub fn write_outputs(
    output: &RunOutput,
    dir: &Path,
    formats: &[qm_reports::export::Format],
) -> Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    let path = dir.join(RESULTS_FILE);
    let mut bytes = RESULTS_MAGIC.to_vec();
    bytes.extend(crate::codec::encode(&output.data)?);
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    let mut written = vec![path];
    written.extend(qm_reports::export::write(&output.data, dir, formats)?);
    Ok(written)
}

/// Reads the results a run wrote into `dir`.
pub fn read_results(dir: &Path) -> Result<RunData> {
    let path = dir.join(RESULTS_FILE);
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "{} holds no run results ({RESULTS_FILE}): give the folder `qm simulate` wrote, e.g. runs/baseline",
            dir.display()
        )
    })?;
    let Some(body) = bytes.strip_prefix(RESULTS_MAGIC.as_slice()) else {
        bail!(
            "{}: not a results file of this version of qm (run the scenario again)",
            path.display()
        )
    };
    crate::codec::decode(body).with_context(|| format!("{}: damaged results file", path.display()))
}
