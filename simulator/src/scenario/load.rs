//! Reading a scenario file: parse, validate, and the helpers the run code asks of it.

use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use toml::Spanned;

use super::checker::Checker;
use super::error::{position, shorten_numbers, ScenarioError};
use super::limits::MAX_SCENARIO_BYTES;
use super::spec::{sku_code, to_date, Scenario};

/// A loaded scenario with its source, for error positions.
pub struct LoadedScenario {
    /// The scenario.
    pub scenario: Scenario,
    /// Where it came from.
    pub path: PathBuf,
    /// Its text, for the positions of errors found after loading.
    text: String,
}

impl LoadedScenario {
    /// An error about the value of `key` at `span`, located as validation's are: for what a
    /// command asks of a scenario beyond its own checks.
    pub fn invalid(&self, span: Range<usize>, key: &str, problem: &str) -> ScenarioError {
        let mut c = Checker::new(&self.text, &self.path);
        c.fail(span, key, problem);
        c.first.expect("a failure was just reported")
    }
}

impl Scenario {
    /// Reads, parses and validates a scenario file.
    pub fn load(path: &Path) -> Result<LoadedScenario, ScenarioError> {
        Self::parse(&Self::read_text(path, "scenario file")?, path)
    }

    /// Reads the text of a scenario file, or of a TOML file `what` names: at most
    /// [`MAX_SCENARIO_BYTES`] of UTF-8.
    pub fn read_text(path: &Path, what: &'static str) -> Result<String, ScenarioError> {
        use std::io::Read;
        let read_error = |cause| ScenarioError::Read {
            path: path.into(),
            what,
            cause,
        };
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| file.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes))
            .map_err(read_error)?;
        if bytes.len() as u64 > MAX_SCENARIO_BYTES {
            return Err(ScenarioError::TooLarge {
                path: path.into(),
                what,
                max_bytes: MAX_SCENARIO_BYTES,
            });
        }
        String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let before = std::str::from_utf8(&e.as_bytes()[..valid]).expect("valid up to here");
            let (line, column) = position(before, valid);
            ScenarioError::Parse {
                path: path.into(),
                line,
                column,
                message: format!("invalid UTF-8 at byte {valid}: a {what} is UTF-8 text"),
            }
        })
    }

    /// Parses and validates scenario text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<LoadedScenario, ScenarioError> {
        let mut scenario: Scenario = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((0, 0), |span| position(text, span.start));
            ScenarioError::Parse {
                path: path.into(),
                line,
                column,
                message: shorten_numbers(e.message().trim_end()),
            }
        })?;
        scenario.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut c = Checker::new(text, path);
        scenario.validate(&mut c);
        match c.first {
            Some(error) => Err(error),
            None => Ok(LoadedScenario {
                scenario,
                path: path.into(),
                text: text.to_string(),
            }),
        }
    }

    /// Loads the scenario at `path` cut to its first `days` (if given): the starting point of
    /// the variants that `qm bench`, `qm tune` and `qm size` run.
    pub fn load_variant(path: &Path, days: Option<u32>) -> Result<Scenario, ScenarioError> {
        let mut s = Self::load(path)?.scenario;
        s.shorten(path, days)?;
        Ok(s)
    }

    /// Cuts the horizon (of the scenario at `path`) to its first `days` (`--days`), if given.
    pub fn shorten(&mut self, path: &Path, days: Option<u32>) -> Result<(), ScenarioError> {
        if days.is_some() {
            self.horizon.days = Spanned::new(0..0, self.run_days(path, days)?);
        }
        Ok(())
    }

    /// The days a run lasts: `days` (`--days`) if given, else the horizon. More days than the
    /// horizon has are refused, not quietly cut back.
    pub fn run_days(&self, path: &Path, days: Option<u32>) -> Result<u32, ScenarioError> {
        let horizon = *self.horizon.days.get_ref();
        match days {
            Some(days) if days > horizon => Err(ScenarioError::DaysBeyondHorizon {
                path: path.into(),
                days,
                horizon,
            }),
            _ => Ok(days.unwrap_or(horizon)),
        }
    }

    /// The first simulated day.
    pub fn start_date(&self) -> NaiveDate {
        to_date(self.horizon.start_date.get_ref()).expect("validated")
    }

    /// SKU codes in id order.
    pub fn sku_codes(&self) -> Vec<String> {
        if self.skus.is_empty() {
            (1..=*self.catalog.skus.get_ref()).map(sku_code).collect()
        } else {
            self.skus.iter().map(|s| s.code.clone()).collect()
        }
    }
}
