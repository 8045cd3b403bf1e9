//! What a durable engine's folder starts from: a scenario copy and a seed.

use std::path::{Path, PathBuf};

use qm_engine::Engine;

use super::error::{DurableError, Result};
use super::files::sync_dir;
use super::settings::{GENESIS_FILE, SCENARIO_COPY};

/// What a durable engine's folder starts from: a scenario and a seed (the opening engine).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Genesis {
    /// The scenario file the folder was made from (its relative paths resolve from there).
    pub scenario_path: PathBuf,
    /// The seed of the opening engine.
    pub seed: u64,
    /// CRC-32 of the folder's scenario copy: a copy changed or damaged since is refused (the
    /// journal would replay onto another opening engine). Absent in older folders.
    #[serde(default)]
    pub scenario_crc32: Option<u32>,
}

impl Genesis {
    /// Writes the genesis into `dir` (a copy of the scenario text, so later edits of the file
    /// cannot change what the journal replays onto), unless one is there already.
    pub fn create(dir: &Path, scenario_path: &Path, seed: u64) -> Result<Genesis> {
        std::fs::create_dir_all(dir).map_err(DurableError::io("cannot create", dir))?;
        if dir.join(GENESIS_FILE).exists() {
            return Genesis::read(dir);
        }
        let text = crate::scenario::Scenario::read_text(scenario_path, "scenario file")?;
        // Refuse a bad scenario before anything is written.
        crate::scenario::Scenario::parse(&text, scenario_path)?;
        let genesis = Genesis {
            scenario_path: scenario_path.to_path_buf(),
            seed,
            scenario_crc32: Some(crc32fast::hash(text.as_bytes())),
        };
        qm_reports::files::write(&dir.join(SCENARIO_COPY), &text)?;
        qm_reports::files::write(
            &dir.join(GENESIS_FILE),
            serde_json::to_string_pretty(&genesis)?,
        )?;
        sync_dir(dir)?;
        Ok(genesis)
    }

    /// Refuses a `scenario` or `seed` that names another opening engine than this genesis of
    /// `dir`: they choose a new folder's, and a folder keeps the one it was made from. The
    /// same scenario (the text of the folder's copy, wherever the file is) and the same seed are
    /// accepted.
    pub fn check_same(&self, dir: &Path, scenario: Option<&Path>, seed: Option<u64>) -> Result<()> {
        let made_from = || {
            format!(
                "{} was made from {} with seed {}",
                dir.display(),
                self.scenario_path.display(),
                self.seed
            )
        };
        if let Some(path) = scenario {
            let read = |path: &Path| crate::scenario::Scenario::read_text(path, "scenario file");
            if read(path)? != read(&dir.join(SCENARIO_COPY))? {
                return Err(DurableError::OtherGenesis(format!(
                    "{}; --scenario {} is another scenario: --scenario and --seed choose a new \
                     folder's opening engine",
                    made_from(),
                    path.display()
                )));
            }
        }
        match seed {
            Some(seed) if seed != self.seed => Err(DurableError::OtherGenesis(format!(
                "{}; --seed {seed} is another seed: --scenario and --seed choose a new folder's \
                 opening engine",
                made_from()
            ))),
            _ => Ok(()),
        }
    }

    /// Reads the genesis of `dir`.
    pub fn read(dir: &Path) -> Result<Genesis> {
        let path = dir.join(GENESIS_FILE);
        let text = std::fs::read_to_string(&path).map_err(|cause| DurableError::NotAFolder {
            dir: dir.to_path_buf(),
            cause,
        })?;
        serde_json::from_str(&text).map_err(|cause| DurableError::DamagedGenesis { path, cause })
    }

    /// The opening engine and the scenario's customer regions.
    pub fn engine(
        &self,
        dir: &Path,
    ) -> Result<(Engine, crate::scenario::Scenario, Vec<qm_engine::GeoPoint>)> {
        let copy = dir.join(SCENARIO_COPY);
        // The folder's copy is state, not input: a copy that cannot be read is damage (exit 1).
        let text = crate::scenario::Scenario::read_text(&copy, "scenario file")
            .map_err(|e| DurableError::Refused(e.to_string()))?;
        let crc = crc32fast::hash(text.as_bytes());
        if self.scenario_crc32.is_some_and(|expected| expected != crc) {
            return Err(DurableError::Refused(format!(
                "{}: changed since the folder was made (its checksum is {crc:08x}, {GENESIS_FILE} \
                 recorded {:08x}): the journal would replay onto another opening engine; \
                 restore the copy from a backup",
                copy.display(),
                self.scenario_crc32.unwrap_or(0)
            )));
        }
        let s = crate::scenario::Scenario::parse(&text, &self.scenario_path)?.scenario;
        let (engine, regions) = crate::sim::opening_engine(&s, self.seed)?;
        Ok((engine, s, regions))
    }
}
