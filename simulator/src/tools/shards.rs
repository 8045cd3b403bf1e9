//! `--shard I/N` and `--gather` of `qm bench` and `qm tune`: one command's runs split over many
//! processes or machines (a cluster scheduler's array job, one task a shard), then gathered into
//! the very tables one process writes.
//!
//! A command lists its jobs (strategy × replication, setting × replication) in one order. Shard I
//! of N runs the jobs whose index is I modulo N and writes each job's result to a file of its own
//! under the command's runs folder as soon as the job ends, so a shard stopped midway keeps what
//! it finished and, run again, skips it. Every file carries the command's plan (the scenario's
//! bytes, every option that changes a run, qm's version): the gather takes only the results of
//! its own plan, and says which file differs and how.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::ToolError;
use super::parallel::all_or_first_error;
use crate::scenario::Scenario;
use crate::sim::SimError;

/// The most shards one command splits into.
pub const MAX_SHARDS: u32 = 100_000;
/// First bytes of a result file, with its format version. The CRC-32 of the body follows (4
/// bytes, little-endian), then the body.
const RUN_MAGIC: &[u8; 8] = b"QMSHARD\x01";
/// Bytes of the body's checksum.
const CHECKSUM_BYTES: usize = 4;
/// Missing runs named in a gather's error before it only counts the rest.
const MISSING_NAMED: usize = 12;

/// Shard `index` of `count`: the jobs whose index is `index` modulo `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// From 0.
    pub index: u32,
    /// How many shards the command is split into.
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N`, 0 ≤ I < N ≤ [`MAX_SHARDS`]: what a Slurm array task has as
    /// `$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT` for `--array=0-(N-1)`.
    fn from_str(text: &str) -> Result<Shard, String> {
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not I/N (shard I of N, from 0)"))?;
        let number = |part: &str, what: &str| {
            part.trim()
                .parse::<u32>()
                .map_err(|_| format!("`{part}` in `{text}` is not a whole number ({what})"))
        };
        let shard = Shard {
            index: number(index, "the shard, from 0")?,
            count: number(count, "how many shards")?,
        };
        if !(1..=MAX_SHARDS).contains(&shard.count) {
            return Err(format!(
                "{} shards: between 1 and {MAX_SHARDS}",
                shard.count
            ));
        }
        if shard.index >= shard.count {
            return Err(format!(
                "shard {} of {}: shards are numbered from 0 to {}",
                shard.index,
                shard.count,
                shard.count - 1
            ));
        }
        Ok(shard)
    }
}

/// What every run of one command shares; a result written under another plan is not gathered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// `bench` or `tune`.
    pub command: String,
    /// CRC-32 of the scenario file's bytes and of the recorded history it replays, if any.
    pub scenario_crc32: u32,
    /// Every option that changes a run, as (option, how it was given): `("--seed", "--seed
    /// 7")`, `("--days", "every day")`.
    pub options: Vec<(String, String)>,
    /// The version of qm that ran it.
    pub qm_version: String,
}

impl Plan {
    /// The plan of `command` on the scenario at `path` with `options`.
    pub fn new(
        command: &str,
        path: &Path,
        scenario: &Scenario,
        options: Vec<(&str, String)>,
    ) -> Result<Plan, ToolError> {
        let mut crc = crc32fast::Hasher::new();
        for file in std::iter::once(path.to_path_buf()).chain(scenario.recorded_path()) {
            let bytes = std::fs::read(&file).map_err(ToolError::io("cannot read", &file))?;
            crc.update(&(bytes.len() as u64).to_le_bytes());
            crc.update(&bytes);
        }
        Ok(Plan {
            command: command.to_string(),
            scenario_crc32: crc.finalize(),
            options: options
                .into_iter()
                .map(|(option, given)| (option.to_string(), given))
                .collect(),
            qm_version: env!("CARGO_PKG_VERSION").to_string(),
        })
    }

    /// How a file's plan `theirs` differs from this one, in the words of the options; `None`
    /// when they are the same.
    fn difference(&self, theirs: &Plan) -> Option<String> {
        let asks = |theirs: &str, ours: &str| {
            Some(format!(
                "it was run with {theirs}, this {} asks for {ours}",
                self.command
            ))
        };
        if theirs.command != self.command {
            return Some(format!("it is a result of qm {}", theirs.command));
        }
        if theirs.qm_version != self.qm_version {
            let qm = |v: &str| format!("qm {v}");
            return asks(&qm(&theirs.qm_version), &qm(&self.qm_version));
        }
        if theirs.scenario_crc32 != self.scenario_crc32 {
            return Some(
                "it was run on another version of the scenario (or of the history it replays)"
                    .into(),
            );
        }
        for (ours, given) in &self.options {
            let theirs = theirs.options.iter().find(|(option, _)| option == ours);
            match theirs {
                Some((_, same)) if same == given => {}
                Some((_, other)) => return asks(other, given),
                None => return asks(&format!("no {ours}"), given),
            }
        }
        (theirs.options.len() != self.options.len())
            .then(|| "it was run with options this version does not know".into())
    }
}

/// One job of a sharded command.
#[derive(Clone, Debug)]
pub struct Job {
    /// How messages name it: `nearest replication 3`.
    pub label: String,
    /// Its file, relative to the runs folder: `nearest/replication-3.qmb`.
    pub file: PathBuf,
}

/// One job's result as a shard writes it.
#[derive(Serialize, Deserialize)]
struct ResultFile<T> {
    plan: Plan,
    job: String,
    result: T,
}

/// What a shard did.
#[derive(Debug, Default)]
pub struct ShardDone {
    /// Runs it made.
    pub ran: usize,
    /// Runs an earlier attempt of this shard had written under the same plan, kept.
    pub kept: usize,
}

/// The indices of `shard`'s jobs among `jobs`.
pub fn shard_jobs(jobs: usize, shard: Shard) -> Vec<usize> {
    (shard.index as usize..jobs)
        .step_by(shard.count as usize)
        .collect()
}

/// Runs `shard`'s jobs of the command `plan` describes, in parallel (`run` makes job i's
/// result), each written to its file under `runs_dir` as soon as it ends; a job whose file
/// already holds its result under `plan` is kept. `job_done` hears of each job done, kept ones
/// included.
pub fn run_shard<T>(
    jobs: &[Job],
    plan: &Plan,
    shard: Shard,
    runs_dir: &Path,
    run: impl Fn(usize) -> Result<T, ToolError> + Sync,
    job_done: &(dyn Fn() + Sync),
) -> Result<ShardDone, ToolError>
where
    T: Serialize + DeserializeOwned,
{
    let mine = shard_jobs(jobs.len(), shard);
    let ran = all_or_first_error(&mine, |&i| {
        let file = runs_dir.join(&jobs[i].file);
        let kept = read_result::<T>(&file, plan, &jobs[i].label).is_ok();
        if !kept {
            write_result(&file, plan, &jobs[i].label, &run(i)?)?;
        }
        job_done();
        Ok::<_, ToolError>(!kept)
    })?;
    let ran = ran.iter().filter(|&&ran| ran).count();
    Ok(ShardDone {
        ran,
        kept: mine.len() - ran,
    })
}

/// Reads the result of every job of the command `plan` describes from the shards' files under
/// `runs_dir`, in job order. Refuses, with the file and the reason, a file that is damaged or
/// holds a result of another plan, and names the jobs no file holds yet.
pub fn gather<T: DeserializeOwned>(
    jobs: &[Job],
    plan: &Plan,
    runs_dir: &Path,
) -> Result<Vec<T>, ToolError> {
    let mut found = Vec::with_capacity(jobs.len());
    let mut missing = Vec::new();
    for job in jobs {
        let file = runs_dir.join(&job.file);
        match read_result(&file, plan, &job.label) {
            Ok(result) => found.push(result),
            Err(ResultFileError::Missing) => missing.push(job.label.as_str()),
            Err(ResultFileError::Damaged(problem)) => {
                return Err(ToolError::DamagedRun(format!(
                    "{}: {problem}",
                    file.display()
                )))
            }
            Err(ResultFileError::Foreign(problem)) => {
                return Err(ToolError::Gather(format!("{}: {problem}", file.display())))
            }
        }
    }
    if !missing.is_empty() {
        let named = missing.len().min(MISSING_NAMED);
        let more = match missing.len() - named {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        return Err(ToolError::Gather(format!(
            "{} of {} runs have no file under {} yet (a shard not run, still running, or \
             failed): {}{more}",
            missing.len(),
            jobs.len(),
            runs_dir.display(),
            missing[..named].join(", ")
        )));
    }
    Ok(found)
}

/// Why a result file was not taken.
enum ResultFileError {
    /// There is none.
    Missing,
    /// It cannot be read, is not a result file, or is not what its shard wrote.
    Damaged(String),
    /// It holds a run of another bench, or another run of this one.
    Foreign(String),
}

pub(crate) fn write_result<T: Serialize>(
    file: &Path,
    plan: &Plan,
    job: &str,
    result: &T,
) -> Result<(), ToolError> {
    let folder = file
        .parent()
        .expect("a result file is inside the runs folder");
    std::fs::create_dir_all(folder).map_err(ToolError::io("cannot create", folder))?;
    let sealed = ResultFile {
        plan: plan.clone(),
        job: job.to_string(),
        result,
    };
    let body = crate::codec::encode(&sealed).map_err(SimError::Encode)?;
    let mut bytes = RUN_MAGIC.to_vec();
    bytes.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    bytes.extend(body);
    qm_reports::files::write(file, bytes).map_err(ToolError::io("cannot write", file))
}

fn read_result<T: DeserializeOwned>(
    file: &Path,
    plan: &Plan,
    job: &str,
) -> Result<T, ResultFileError> {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ResultFileError::Missing),
        Err(e) => return Err(ResultFileError::Damaged(format!("cannot be read: {e}"))),
    };
    let refused = |problem: &str| Err(ResultFileError::Damaged(problem.to_string()));
    let Some(sealed) = bytes.strip_prefix(RUN_MAGIC.as_slice()) else {
        return refused("not a shard's result file of this version of qm");
    };
    if sealed.len() < CHECKSUM_BYTES {
        return refused("truncated: shorter than its header");
    }
    let (checksum, body) = sealed.split_at(CHECKSUM_BYTES);
    if crc32fast::hash(body).to_le_bytes() != checksum {
        return refused("checksum mismatch: the file is not what its shard wrote");
    }
    let sealed: ResultFile<T> = crate::codec::decode(body)
        .map_err(|cause| ResultFileError::Damaged(format!("the body does not decode: {cause}")))?;
    if let Some(difference) = plan.difference(&sealed.plan) {
        return Err(ResultFileError::Foreign(format!(
            "another {}'s run: {difference}",
            plan.command
        )));
    }
    if sealed.job != job {
        return Err(ResultFileError::Foreign(format!(
            "holds {}, not {job}",
            sealed.job
        )));
    }
    Ok(sealed.result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plan() -> Plan {
        Plan {
            command: "bench".into(),
            scenario_crc32: 7,
            options: vec![("--seed".into(), "--seed 1".into())],
            qm_version: "0.1.0".into(),
        }
    }

    proptest! {
        /// A result file with bytes changed or cut is refused as damaged, never read as another
        /// result and never a panic; the file as written reads back.
        #[test]
        fn a_damaged_result_file_is_refused(
            changes in proptest::collection::vec((any::<usize>(), 1u8..=255), 1..4),
            cut in proptest::option::of(any::<usize>()),
        ) {
            let dir = std::env::temp_dir()
                .join(format!("qm-shard-file-{}-{:?}", std::process::id(), std::thread::current().id()));
            let file = dir.join("job.qmb");
            let result: Vec<u64> = (0..40).map(|i| i * 1_000_003).collect();
            write_result(&file, &plan(), "job", &result).unwrap();
            let written = std::fs::read(&file).unwrap();
            prop_assert_eq!(read_result::<Vec<u64>>(&file, &plan(), "job").ok(), Some(result));
            let mut damaged = written.clone();
            for &(at, xor) in &changes {
                let at = at % damaged.len();
                damaged[at] ^= xor;
            }
            if let Some(cut) = cut {
                damaged.truncate(cut % written.len());
            }
            std::fs::write(&file, &damaged).unwrap();
            let read = read_result::<Vec<u64>>(&file, &plan(), "job");
            if damaged == written {
                prop_assert!(read.is_ok());
            } else {
                prop_assert!(matches!(read, Err(ResultFileError::Damaged(_))));
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn a_plan_names_the_option_that_differs() {
        let ours = plan();
        let mut theirs = plan();
        theirs.options[0].1 = "--seed 9".into();
        assert_eq!(
            ours.difference(&theirs).unwrap(),
            "it was run with --seed 9, this bench asks for --seed 1"
        );
        theirs.options.clear();
        assert_eq!(
            ours.difference(&theirs).unwrap(),
            "it was run with no --seed, this bench asks for --seed 1"
        );
        theirs.command = "tune".into();
        assert_eq!(
            ours.difference(&theirs).unwrap(),
            "it is a result of qm tune"
        );
        assert_eq!(ours.difference(&plan()), None);
    }
}
