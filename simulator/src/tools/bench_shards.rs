//! `qm bench --shard I/N` and `qm bench --gather`: one bench split over many processes or
//! machines (a cluster scheduler's array job, one task a shard), then gathered into the very
//! tables one process writes.
//!
//! A shard runs the jobs (strategy × replication, strategy-major) whose index is I modulo N, and
//! writes each run's results to a file of its own under `runs/` as soon as the run ends, so a
//! shard stopped midway keeps what it finished and, run again, skips it. Every file carries the
//! bench's plan (the scenario's bytes, strategies, replications, seed, days, bound, qm's
//! version): the gather takes only the runs of its own plan, and says which file differs and how.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use qm_reports::run::RunData;
use serde::{Deserialize, Serialize};

use super::bench::{group, one_run, BenchStrategy, Runs, StrategyRuns};
use super::error::ToolError;
use super::parallel::all_or_first_error;
use crate::scenario::Scenario;
use crate::sim::SimError;

/// The folder, inside the bench's own, that holds the shards' run files.
pub const RUNS_FOLDER: &str = "runs";
/// The most shards one bench splits into.
pub const MAX_SHARDS: u32 = 100_000;
/// First bytes of a run file, with its format version. The CRC-32 of the body follows (4
/// bytes, little-endian), then the body.
const RUN_MAGIC: &[u8; 8] = b"QMBENCH\x01";
/// Bytes of the body's checksum.
const CHECKSUM_BYTES: usize = 4;
/// Missing runs named in a gather's error before it only counts the rest.
const MISSING_NAMED: usize = 12;

/// Shard `index` of `count`: the jobs whose index is `index` modulo `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// From 0.
    pub index: u32,
    /// How many shards the bench is split into.
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

/// What every run of one bench shares; a run written under another plan is not gathered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// CRC-32 of the scenario file's bytes and of the recorded history it replays, if any.
    pub scenario_crc32: u32,
    /// The strategies, in order.
    pub strategies: Vec<String>,
    /// Replications per strategy.
    pub replications: u32,
    /// Replication k's seed is `seed + k`.
    pub seed: u64,
    /// Only the first days, if given.
    pub days: Option<u32>,
    /// Whether each run computes its shipping-cost bound.
    pub cost_bound: bool,
    /// The version of qm that ran it.
    pub qm_version: String,
}

impl Plan {
    /// The plan of benching `kinds` on the scenario at `path` as `runs` says.
    pub fn new(
        path: &Path,
        scenario: &Scenario,
        kinds: &[BenchStrategy],
        runs: Runs,
    ) -> Result<Plan, ToolError> {
        let mut crc = crc32fast::Hasher::new();
        for file in std::iter::once(path.to_path_buf()).chain(scenario.recorded_path()) {
            let bytes = std::fs::read(&file).map_err(ToolError::io("cannot read", &file))?;
            crc.update(&(bytes.len() as u64).to_le_bytes());
            crc.update(&bytes);
        }
        Ok(Plan {
            scenario_crc32: crc.finalize(),
            strategies: kinds.iter().map(|k| k.name().to_string()).collect(),
            replications: runs.replications,
            seed: runs.seed,
            days: runs.days,
            cost_bound: runs.cost_bound,
            qm_version: env!("CARGO_PKG_VERSION").to_string(),
        })
    }

    /// How a file's plan `theirs` differs from this one, in the words of the options; `None`
    /// when they are the same.
    fn difference(&self, theirs: &Plan) -> Option<String> {
        let said = |theirs: String, ours: String| {
            Some(format!(
                "it was run with {theirs}, this bench asks for {ours}"
            ))
        };
        let days = |d: Option<u32>| d.map_or("every day".to_string(), |d| format!("--days {d}"));
        let bound = |b: bool| if b { "--cost-bound" } else { "no --cost-bound" }.to_string();
        if theirs.qm_version != self.qm_version {
            let qm = |v: &str| format!("qm {v}");
            return said(qm(&theirs.qm_version), qm(&self.qm_version));
        }
        if theirs.scenario_crc32 != self.scenario_crc32 {
            return Some(
                "it was run on another version of the scenario (or of the history it replays)"
                    .into(),
            );
        }
        if theirs.strategies != self.strategies {
            let list = |s: &[String]| format!("--strategies {}", s.join(","));
            return said(list(&theirs.strategies), list(&self.strategies));
        }
        if theirs.replications != self.replications {
            let r = |n: u32| format!("--replications {n}");
            return said(r(theirs.replications), r(self.replications));
        }
        if theirs.seed != self.seed {
            let seed = |n: u64| format!("--seed {n}");
            return said(seed(theirs.seed), seed(self.seed));
        }
        if theirs.days != self.days {
            return said(days(theirs.days), days(self.days));
        }
        if theirs.cost_bound != self.cost_bound {
            return said(bound(theirs.cost_bound), bound(self.cost_bound));
        }
        None
    }
}

/// One run as a shard writes it.
#[derive(Serialize, Deserialize)]
struct RunFile {
    plan: Plan,
    strategy: String,
    replication: u32,
    data: RunData,
}

/// Where the run of replication `k` of `strategy` goes, in the bench folder `dir`.
pub fn run_path(dir: &Path, strategy: &str, k: u32) -> PathBuf {
    dir.join(RUNS_FOLDER)
        .join(strategy)
        .join(format!("replication-{k}.qmb"))
}

/// What a shard did.
#[derive(Debug, Default)]
pub struct ShardDone {
    /// Runs it made.
    pub ran: usize,
    /// Runs an earlier attempt of this shard had written under the same plan, kept.
    pub kept: usize,
    /// The shard's run files, in job order.
    pub files: Vec<PathBuf>,
}

/// Runs `shard`'s jobs of the bench `plan` describes, in parallel, each written to its file
/// under `dir` as soon as it ends; a job whose file already holds its run under `plan` is kept.
/// `run_done` hears of each job done, kept ones included.
pub fn run_shard(
    path: &Path,
    kinds: &[BenchStrategy],
    runs: Runs,
    plan: &Plan,
    shard: Shard,
    dir: &Path,
    run_done: &(dyn Fn() + Sync),
) -> Result<ShardDone, ToolError> {
    let mine: Vec<(usize, u32)> = runs
        .jobs(kinds.len())
        .into_iter()
        .enumerate()
        .filter(|&(j, _)| j % shard.count as usize == shard.index as usize)
        .map(|(_, job)| job)
        .collect();
    let outcomes = all_or_first_error(&mine, |&(s, k)| {
        let name = kinds[s].name();
        let file = run_path(dir, name, k);
        if read_run(&file, plan, name, k).is_ok() {
            run_done();
            return Ok((file, false));
        }
        let data = one_run(path, &kinds[s], runs, k)?;
        write_run(&file, plan, name, k, data)?;
        run_done();
        Ok::<_, ToolError>((file, true))
    })?;
    let ran = outcomes.iter().filter(|(_, ran)| *ran).count();
    Ok(ShardDone {
        ran,
        kept: outcomes.len() - ran,
        files: outcomes.into_iter().map(|(file, _)| file).collect(),
    })
}

/// Reads every run of the bench `plan` describes from the shards' files under `dir`: the
/// runs one process would have made, grouped as [`super::bench::run`] returns them. Refuses, with
/// the file and the reason, a file that is damaged or holds a run of another plan, and names
/// the runs no file holds yet.
pub fn gather(
    kinds: &[BenchStrategy],
    runs: Runs,
    plan: &Plan,
    dir: &Path,
) -> Result<Vec<StrategyRuns>, ToolError> {
    let jobs = runs.jobs(kinds.len());
    let mut found = Vec::with_capacity(jobs.len());
    let mut missing = Vec::new();
    for &(s, k) in &jobs {
        let name = kinds[s].name();
        let file = run_path(dir, name, k);
        match read_run(&file, plan, name, k) {
            Ok(data) => found.push(((s, k), data)),
            Err(RunFileError::Missing) => missing.push(format!("{name} replication {k}")),
            Err(RunFileError::Damaged(problem)) => {
                return Err(ToolError::DamagedRun(format!(
                    "{}: {problem}",
                    file.display()
                )))
            }
            Err(RunFileError::Foreign(problem)) => {
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
            dir.join(RUNS_FOLDER).display(),
            missing[..named].join(", ")
        )));
    }
    Ok(group(kinds, found))
}

/// Why a run file was not taken.
enum RunFileError {
    /// There is none.
    Missing,
    /// It cannot be read, is not a run file, or is not what its shard wrote.
    Damaged(String),
    /// It holds a run of another bench, or another run of this one.
    Foreign(String),
}

fn write_run(
    file: &Path,
    plan: &Plan,
    strategy: &str,
    replication: u32,
    data: RunData,
) -> Result<(), ToolError> {
    let folder = file
        .parent()
        .expect("a run file is inside its strategy's folder");
    std::fs::create_dir_all(folder).map_err(ToolError::io("cannot create", folder))?;
    let run = RunFile {
        plan: plan.clone(),
        strategy: strategy.to_string(),
        replication,
        data,
    };
    let body = crate::codec::encode(&run).map_err(SimError::Encode)?;
    let mut bytes = RUN_MAGIC.to_vec();
    bytes.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    bytes.extend(body);
    qm_reports::files::write(file, bytes).map_err(ToolError::io("cannot write", file))
}

fn read_run(file: &Path, plan: &Plan, strategy: &str, k: u32) -> Result<RunData, RunFileError> {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(RunFileError::Missing),
        Err(e) => return Err(RunFileError::Damaged(format!("cannot be read: {e}"))),
    };
    let refused = |problem: &str| Err(RunFileError::Damaged(problem.to_string()));
    let Some(sealed) = bytes.strip_prefix(RUN_MAGIC.as_slice()) else {
        return refused("not a bench run file of this version of qm");
    };
    if sealed.len() < CHECKSUM_BYTES {
        return refused("truncated: shorter than its header");
    }
    let (checksum, body) = sealed.split_at(CHECKSUM_BYTES);
    if crc32fast::hash(body).to_le_bytes() != checksum {
        return refused("checksum mismatch: the file is not what its shard wrote");
    }
    let run: RunFile = crate::codec::decode(body)
        .map_err(|cause| RunFileError::Damaged(format!("the body does not decode: {cause}")))?;
    if let Some(difference) = plan.difference(&run.plan) {
        return Err(RunFileError::Foreign(format!(
            "another bench's run: {difference}"
        )));
    }
    if run.strategy != strategy || run.replication != k {
        return Err(RunFileError::Foreign(format!(
            "holds {} replication {}, not {strategy} replication {k}",
            run.strategy, run.replication
        )));
    }
    Ok(run.data)
}
