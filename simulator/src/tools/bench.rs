//! `qm bench`: the same scenario through several allocation strategies, replicated with common
//! random numbers (replication k runs every strategy with seed + k, so the demand draws are the
//! same), in parallel. Per strategy: every KPI's mean with a 95 % confidence interval, and the
//! paired difference against the first strategy with its interval, so a real difference can be
//! told from noise; and the engine's own speed measured in the same runs.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use qm_engine::allocation::StrategyKind;
use qm_engine::forecast::backtest::quantile;
use qm_reports::format;
use qm_reports::kpi::{self, KpiReading};
use qm_reports::run::{KpiValue, RunData, Target};
use toml::Spanned;

use super::error::ToolError;
use super::parallel::all_or_first_error;
use super::shards::{self, Job, Plan, Shard, ShardDone};
pub use super::stats::Estimate;
use crate::scenario::Scenario;
use crate::sim::{simulate, write_outputs};
use crate::tools::calculators::{once_each, CalculatorError};

/// The most replications one bench runs.
pub const MAX_REPLICATIONS: u32 = 1_000;

/// KPIs printed in the terminal summary after those with a target (the CSV has every KPI).
const PRINTED: &[&str] = &[
    "order_fulfillment_rate",
    "unit_fill_rate",
    "order_accuracy",
    "processing_time_hours_p95",
    "shipped_within_24h_share",
    "split_shipment_rate",
    "shipping_cost_cents_per_order",
    "shipping_cost_above_bound_share",
    "shipping_distance_km_per_order",
    "lost_sales_units",
    "capacity_saturated_warehouse_days",
];

/// A strategy as `qm bench` runs it: the engine's strategy, wrapped in `capacity_aware(…)` or
/// not, set on every channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchStrategy {
    /// The allocation strategy.
    pub kind: StrategyKind,
    /// Whether warehouses with pick/pack capacity left are preferred.
    pub capacity_aware: bool,
    name: String,
}

impl BenchStrategy {
    /// `nearest`, `capacity_aware(nearest)`, …: the engine's own name of the channel strategy.
    pub fn parse(name: &str) -> Option<Self> {
        let (inner, capacity_aware) = match name
            .strip_prefix("capacity_aware(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            Some(inner) => (inner, true),
            None => (name, false),
        };
        Some(BenchStrategy {
            kind: StrategyKind::from_name(inner)?,
            capacity_aware,
            name: name.to_string(),
        })
    }

    /// Its name, as given.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Checks strategy names and the replication count; the first strategy is the reference.
pub fn strategies(
    names: &[String],
    replications: u32,
) -> Result<Vec<BenchStrategy>, CalculatorError> {
    if !(1..=MAX_REPLICATIONS).contains(&replications) {
        return Err(CalculatorError::Argument {
            option: "--replications",
            problem: format!("must be between 1 and {MAX_REPLICATIONS}, got {replications}"),
        });
    }
    let all: Vec<&str> = StrategyKind::ALL.iter().map(|k| k.name()).collect();
    let mut kinds: Vec<BenchStrategy> = Vec::new();
    for name in names {
        let kind = BenchStrategy::parse(name).ok_or_else(|| CalculatorError::Argument {
            option: "--strategies",
            problem: format!(
                "unknown strategy `{name}`; strategies: {}, each also as capacity_aware(…)",
                all.join(", ")
            ),
        })?;
        kinds.push(kind);
    }
    once_each("--strategies", &kinds, |kind| kind.name().to_string())?;
    if kinds.is_empty() {
        return Err(CalculatorError::Argument {
            option: "--strategies",
            problem: "name at least one strategy".into(),
        });
    }
    Ok(kinds)
}

/// One strategy's runs, replication by replication.
pub struct StrategyRuns {
    /// The strategy.
    pub strategy: BenchStrategy,
    /// One run's results per replication, replication 0 first.
    pub runs: Vec<RunData>,
}

/// How each strategy is run.
#[derive(Clone, Copy, Debug)]
pub struct Runs {
    /// Only the first days, if given.
    pub days: Option<u32>,
    /// Replications per strategy.
    pub replications: u32,
    /// Replication k's seed is `seed + k`, wrapping past `u64::MAX` to 0 (as `qm tune`'s).
    pub seed: u64,
    /// Whether each run computes its shipping-cost bound, and under which relaxation.
    pub cost_bound: Option<crate::sim::cost_bound::Relaxation>,
}

impl Runs {
    /// Every strategy × replication, as (strategy index, replication), strategy-major.
    pub fn jobs(&self, strategies: usize) -> Vec<(usize, u32)> {
        let replications = self.replications;
        (0..strategies)
            .flat_map(|s| (0..replications).map(move |k| (s, k)))
            .collect()
    }
}

/// Runs every strategy × replication of the scenario at `path` (every channel set to the
/// strategy), in parallel. Replication k uses seed `seed + k` for every strategy. `run_done`
/// hears of each run finished.
pub fn run(
    path: &Path,
    kinds: &[BenchStrategy],
    runs: Runs,
    run_done: &(dyn Fn() + Sync),
) -> Result<Vec<StrategyRuns>, ToolError> {
    let jobs = runs.jobs(kinds.len());
    let outputs = all_or_first_error(&jobs, |&(s, k)| {
        let data = one_run(path, &kinds[s], runs, k);
        run_done();
        data
    })?;
    Ok(group(kinds, outputs, runs.replications))
}

/// The runs folder of a sharded bench whose tables go to `dir`.
pub fn runs_dir(dir: &Path) -> PathBuf {
    dir.join("runs")
}

/// The bench's jobs in the order `--shard` splits them: strategy-major, as [`Runs::jobs`].
pub fn shard_jobs(kinds: &[BenchStrategy], runs: Runs) -> Vec<Job> {
    runs.jobs(kinds.len())
        .into_iter()
        .map(|(s, k)| Job {
            label: format!("{} replication {k}", kinds[s].name()),
            file: Path::new(kinds[s].name()).join(format!("replication-{k}.qmb")),
        })
        .collect()
}

/// The plan every shard of this bench writes into its files, and the gather checks.
pub fn shard_plan(
    path: &Path,
    scenario: &Scenario,
    kinds: &[BenchStrategy],
    runs: Runs,
) -> Result<Plan, ToolError> {
    let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    let options = vec![
        ("--strategies", format!("--strategies {}", names.join(","))),
        (
            "--replications",
            format!("--replications {}", runs.replications),
        ),
        ("--seed", format!("--seed {}", runs.seed)),
        (
            "--days",
            runs.days
                .map_or("every day".into(), |d| format!("--days {d}")),
        ),
        (
            "--cost-bound",
            runs.cost_bound.map_or("no --cost-bound".into(), |r| {
                format!("--cost-bound={}", r.name())
            }),
        ),
    ];
    Plan::new("bench", path, scenario, options)
}

/// Runs `shard`'s runs of the bench, each into its file under [`runs_dir`]`(dir)`.
pub fn run_shard(
    path: &Path,
    kinds: &[BenchStrategy],
    runs: Runs,
    shard: Shard,
    plan: &Plan,
    dir: &Path,
    run_done: &(dyn Fn() + Sync),
) -> Result<ShardDone, ToolError> {
    let jobs = runs.jobs(kinds.len());
    let run = |i: usize| one_run(path, &kinds[jobs[i].0], runs, jobs[i].1);
    shards::run_shard(
        &shard_jobs(kinds, runs),
        plan,
        shard,
        &runs_dir(dir),
        run,
        run_done,
    )
}

/// The bench's runs, read from its shards' files under [`runs_dir`]`(dir)`: what [`run`]
/// returns in one process.
pub fn gather(
    kinds: &[BenchStrategy],
    runs: Runs,
    plan: &Plan,
    dir: &Path,
) -> Result<Vec<StrategyRuns>, ToolError> {
    let found: Vec<RunData> = shards::gather(&shard_jobs(kinds, runs), plan, &runs_dir(dir))?;
    Ok(group(kinds, found, runs.replications))
}

/// Replication `k` of `strategy` on the scenario at `path`: every channel set to the strategy,
/// seed `seed + k`. A run that stops midway is an error naming it.
fn one_run(
    path: &Path,
    strategy: &BenchStrategy,
    runs: Runs,
    k: u32,
) -> Result<RunData, ToolError> {
    let mut variant = Scenario::load_variant(path, runs.days)?;
    variant.cost_bound = runs.cost_bound;
    for channel in &mut variant.channels {
        channel.strategy = Spanned::new(0..0, strategy.kind);
        channel.capacity_aware = strategy.capacity_aware;
    }
    let output = simulate(&variant, runs.seed.wrapping_add(u64::from(k)), &mut |_| {});
    let which = format!("{} replication {k}", strategy.name());
    Ok(ToolError::whole_run(output, &which)?.data)
}

/// The runs of `kinds` in job order ([`Runs::jobs`]: strategy-major), grouped by strategy.
fn group(kinds: &[BenchStrategy], runs: Vec<RunData>, replications: u32) -> Vec<StrategyRuns> {
    let mut runs = runs.into_iter();
    kinds
        .iter()
        .map(|strategy| StrategyRuns {
            strategy: strategy.clone(),
            runs: runs.by_ref().take(replications as usize).collect(),
        })
        .collect()
}

/// One KPI of one strategy across replications.
pub struct KpiEstimate {
    /// The catalog entry.
    pub kpi: &'static kpi::Kpi,
    /// Its value in each replication, in order (`None` where the run leaves it undefined).
    pub replications: Vec<Option<f64>>,
    /// Its value.
    pub value: Option<Estimate>,
    /// Its paired difference against the first strategy (replications where both are defined).
    pub difference: Option<Estimate>,
    /// The scenario's target for it, and how many replications met it (an undefined value
    /// meets none).
    pub target: Option<(Target, usize)>,
}

fn values(runs: &[RunData]) -> Vec<Vec<KpiReading>> {
    runs.iter().map(kpi::readings).collect()
}

/// Every strategy's runs, and the estimates drawn from them.
pub struct Benchmark {
    /// Per strategy, its replications.
    pub results: Vec<StrategyRuns>,
    /// Per strategy, every numeric KPI: mean, interval, and paired difference against the first.
    pub estimates: Vec<Vec<KpiEstimate>>,
}

impl Benchmark {
    /// The estimates of `results`.
    pub fn new(results: Vec<StrategyRuns>) -> Benchmark {
        let estimates = estimates(&results);
        Benchmark { results, estimates }
    }

    /// The terminal summary (the `report` function).
    pub fn report(&self) -> String {
        report(&self.results, &self.estimates)
    }

    /// Writes the outputs into `dir` ([`write`]).
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, ToolError> {
        write(&self.results, &self.estimates, dir)
    }
}

/// Every numeric KPI per strategy: mean, interval, and paired difference against the first.
fn estimates(results: &[StrategyRuns]) -> Vec<Vec<KpiEstimate>> {
    let reference = values(&results[0].runs);
    results
        .iter()
        .map(|strategy| {
            let mine = values(&strategy.runs);
            kpi::KPIS
                .iter()
                .enumerate()
                .filter(|(_, kpi)| kpi.is_measured())
                .map(|(i, kpi)| {
                    let replications: Vec<Option<f64>> =
                        mine.iter().map(|r| r[i].value.as_f64()).collect();
                    let own: Vec<f64> = replications.iter().flatten().copied().collect();
                    let target = strategy.runs[0]
                        .target(kpi.name)
                        .map(|t| (t.clone(), own.iter().filter(|&&v| t.met_by(v)).count()));
                    let paired: Vec<f64> = mine
                        .iter()
                        .zip(&reference)
                        .filter_map(|(a, b)| Some(a[i].value.as_f64()? - b[i].value.as_f64()?))
                        .collect();
                    KpiEstimate {
                        kpi,
                        replications,
                        value: Estimate::of(&own),
                        difference: Estimate::of(&paired),
                        target,
                    }
                })
                .collect()
        })
        .collect()
}

/// The engine's speed in one run: order lines reserved per second inside `reserve`, and the
/// reserve call's latency percentiles.
pub fn engine_speed(data: &RunData) -> Option<(f64, u64, u64)> {
    let reserve = data.latency.kinds.iter().find(|k| k.call == "reserve")?;
    let seconds = reserve.latency_ns_mean * reserve.calls as f64 / 1e9;
    let lines = data.latency.order_lines_reserved as f64;
    Some((
        if seconds > 0.0 { lines / seconds } else { 0.0 },
        reserve.latency_ns_p50,
        reserve.latency_ns_p99,
    ))
}

fn interval(e: &Option<Estimate>) -> (Option<f64>, Option<f64>, Option<f64>) {
    match e {
        Some(e) => (
            Some(e.mean),
            e.half_width.map(|h| e.mean - h),
            e.half_width.map(|h| e.mean + h),
        ),
        None => (None, None, None),
    }
}

/// `bench.csv`: one row per strategy and KPI: the estimates, then one column per replication
/// (`seed_N`, N its seed), the value each estimate is drawn from.
fn table(results: &[StrategyRuns], estimates: &[Vec<KpiEstimate>]) -> PolarsResult<DataFrame> {
    let mut rows: Vec<(&str, &KpiEstimate)> = Vec::new();
    for (strategy, kpis) in results.iter().zip(estimates) {
        rows.extend(kpis.iter().map(|k| (strategy.strategy.name(), k)));
    }
    let mut frame = estimates_table(&rows)?;
    for (k, run) in results[0].runs.iter().enumerate() {
        let name = match run.kpi("seed") {
            Some(KpiValue::Count(seed)) => format!("seed_{seed}"),
            _ => format!("replication_{k}"),
        };
        let values: Vec<Option<f64>> = (rows.iter())
            .map(|(_, e)| e.replications.get(k).copied().flatten())
            .collect();
        frame.with_column(Column::new(name.into(), values))?;
    }
    Ok(frame)
}

/// The estimate columns of `bench.csv`.
fn estimates_table(rows: &[(&str, &KpiEstimate)]) -> PolarsResult<DataFrame> {
    let column = |f: &dyn Fn(&KpiEstimate) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(|(_, k)| f(k)).collect()
    };
    df!(
        "strategy" => rows.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        "kpi" => rows.iter().map(|(_, k)| k.kpi.name).collect::<Vec<_>>(),
        "unit" => rows.iter().map(|(_, k)| k.kpi.unit.as_str()).collect::<Vec<_>>(),
        "replications" => rows.iter().map(|(_, k)| k.value.map_or(0, |e| e.n as u32)).collect::<Vec<_>>(),
        "mean" => column(&|k| interval(&k.value).0),
        "ci95_low" => column(&|k| interval(&k.value).1),
        "ci95_high" => column(&|k| interval(&k.value).2),
        "difference_vs_first" => column(&|k| interval(&k.difference).0),
        "difference_ci95_low" => column(&|k| interval(&k.difference).1),
        "difference_ci95_high" => column(&|k| interval(&k.difference).2),
        "difference_is_significant" => rows.iter().map(|(_, k)| k.difference.map(|d| d.excludes_zero())).collect::<Vec<_>>(),
        "difference_replications" => rows.iter().map(|(_, k)| k.difference.map_or(0, |e| e.n as u32)).collect::<Vec<_>>(),
        "target" => rows.iter().map(|(_, k)| k.target.as_ref().map(|(t, _)| t.value)).collect::<Vec<_>>(),
        "target_bound" => rows.iter().map(|(_, k)| k.target.as_ref().map(|(t, _)| t.bound.name())).collect::<Vec<_>>(),
        "replications_meeting_target" => rows.iter().map(|(_, k)| k.target.as_ref().map(|&(_, met)| met as u32)).collect::<Vec<_>>(),
    )
}

/// The terminal summary: headline KPIs per strategy (mean ± half-width, the replications that
/// met the scenario's target, and the paired difference against the first strategy, `*` when
/// its interval excludes 0), then engine speed.
fn report(results: &[StrategyRuns], estimates: &[Vec<KpiEstimate>]) -> String {
    let first = results[0].strategy.name();
    let width = results
        .iter()
        .map(|s| s.strategy.name().len())
        .max()
        .unwrap_or(0)
        .max(18);
    let mut out = String::new();
    // Every KPI the scenario sets a target for, then the usual comparison KPIs.
    let targets = &results[0].runs[0].targets;
    let mut names: Vec<&str> = targets.iter().map(|t| t.kpi.as_str()).collect();
    // The bound's share only where the runs computed the bound (`--cost-bound`).
    let bounded = results[0].runs[0]
        .number("shipping_cost_lower_bound_cents")
        .is_some();
    let usual: Vec<&str> = PRINTED
        .iter()
        .copied()
        .filter(|p| !names.contains(p) && (bounded || !p.contains("_bound")))
        .collect();
    names.extend(usual);
    for name in names {
        let target = estimates[0]
            .iter()
            .find(|k| k.kpi.name == name)
            .and_then(|k| Some((&k.target.as_ref()?.0, k.kpi.unit)));
        match target {
            Some((t, unit)) => out += &format!("{name} ({})\n", format::target_text(t, unit)),
            None => out += &format!("{name}\n"),
        }
        for (strategy, kpis) in results.iter().zip(estimates) {
            let Some(k) = kpis.iter().find(|k| k.kpi.name == name) else {
                continue;
            };
            let unit = k.kpi.unit;
            let met = k.target.as_ref().map_or(String::new(), |&(_, met)| {
                format!("  met in {met} of {}", strategy.runs.len())
            });
            let value = k.value.map_or("—".into(), |e| match e.half_width {
                Some(h) => format::estimate(e.mean, h, unit),
                None => format::display(&KpiValue::Number(e.mean), unit),
            });
            let difference = match (strategy.strategy.name() == first, k.difference) {
                (true, _) | (_, None) => String::new(),
                (false, Some(d)) => match d.half_width {
                    Some(h) => format!(
                        "  vs {first}: {}{}",
                        format::difference_interval(d.mean, h, unit),
                        if d.excludes_zero() { " *" } else { "" }
                    ),
                    None => format!("  vs {first}: {}", format::signed_difference(d.mean, unit)),
                },
            };
            out += &format!(
                "  {:<width$} {value:>24}{met}{difference}\n",
                strategy.strategy.name()
            );
        }
    }
    out += "\nengine speed (wall clock, median over replications): order lines/s in reserve, reserve p50 / p99\n";
    for strategy in results {
        let speeds: Vec<(f64, u64, u64)> = strategy.runs.iter().filter_map(engine_speed).collect();
        if speeds.is_empty() {
            continue;
        }
        // The mean of the two middle values for an even count.
        let median = |values: Vec<f64>| quantile(&values, 0.5).expect("one run at least");
        let lines = median(speeds.iter().map(|s| s.0).collect());
        let p50 = median(speeds.iter().map(|s| s.1 as f64).collect());
        let p99 = median(speeds.iter().map(|s| s.2 as f64).collect());
        out += &format!(
            "  {:<width$} {:>12} lines/s   {:>6} ns / {:>6} ns\n",
            strategy.strategy.name(),
            qm_reports::format::group_thousands(lines, 0),
            qm_reports::format::group_thousands(p50, 0),
            qm_reports::format::group_thousands(p99, 0),
        );
    }
    out += "\n± is the 95 % confidence interval over replications; * marks a paired difference whose interval excludes 0.\n";
    out
}

/// Removes the folders an earlier bench left in `dir` for strategies this one does not run (their
/// reports would stand beside a `bench.csv` that does not list them).
fn remove_other_strategies(results: &[StrategyRuns], dir: &Path) -> Result<(), ToolError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ran = results.iter().any(|s| s.strategy.name() == name);
        if !ran && BenchStrategy::parse(&name).is_some() && entry.path().is_dir() {
            crate::sim::remove_run(&entry.path())?;
        }
    }
    Ok(())
}

/// Writes `bench.csv`, `engine_speed.csv`, each strategy's first replication (its full report,
/// in `<strategy>/`), and their comparison (`compare.html`, …) into `dir`.
fn write(
    results: &[StrategyRuns],
    estimates: &[Vec<KpiEstimate>],
    dir: &Path,
) -> Result<Vec<PathBuf>, ToolError> {
    std::fs::create_dir_all(dir).map_err(ToolError::io("cannot create", dir))?;
    let csv = |frame: &mut DataFrame, name: &str| -> Result<PathBuf, ToolError> {
        let path = dir.join(name);
        qm_reports::export::write_csv(frame, &path)?;
        Ok(path)
    };
    let mut written = vec![csv(&mut table(results, estimates)?, "bench.csv")?];
    let speed_rows: Vec<(&str, usize, (f64, u64, u64))> = results
        .iter()
        .flat_map(|s| {
            s.runs
                .iter()
                .enumerate()
                .filter_map(move |(k, r)| Some((s.strategy.name(), k, engine_speed(r)?)))
        })
        .collect();
    let mut speed = df!(
        "strategy" => speed_rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "replication" => speed_rows.iter().map(|r| r.1 as u32).collect::<Vec<_>>(),
        "order_lines_per_second" => speed_rows.iter().map(|r| r.2 .0).collect::<Vec<_>>(),
        "reserve_latency_ns_p50" => speed_rows.iter().map(|r| r.2 .1).collect::<Vec<_>>(),
        "reserve_latency_ns_p99" => speed_rows.iter().map(|r| r.2 .2).collect::<Vec<_>>(),
    )?;
    written.push(csv(&mut speed, "engine_speed.csv")?);
    remove_other_strategies(results, dir)?;
    for strategy in results {
        let run_dir = dir.join(strategy.strategy.name());
        write_outputs(
            &strategy.runs[0],
            &run_dir,
            &qm_reports::export::Format::ALL,
        )?;
    }
    let runs: Vec<(&str, &RunData)> = results
        .iter()
        .map(|s| (s.strategy.name(), &s.runs[0]))
        .collect();
    written.extend(qm_reports::compare::write(&runs, dir)?);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_use_students_t() {
        // 2, 4, 6: mean 4, sd 2, t(0.975, 2) = 4.3027: half-width 4.3027 × 2 / √3 = 4.968.
        let e = Estimate::of(&[2.0, 4.0, 6.0]).unwrap();
        assert_eq!(e.mean, 4.0);
        assert!((e.half_width.unwrap() - 4.968).abs() < 1e-3, "{e:?}");
        assert!(!e.excludes_zero());
        assert!(Estimate::of(&[5.0, 5.1, 4.9]).unwrap().excludes_zero());
        assert_eq!(Estimate::of(&[1.0]).unwrap().half_width, None);
        assert!(Estimate::of(&[]).is_none());
    }

    #[test]
    fn a_strategy_is_named_bare_or_wrapped_in_capacity_aware() {
        let wrapped = BenchStrategy::parse("capacity_aware(priority)").unwrap();
        assert_eq!(wrapped.kind, StrategyKind::Priority);
        assert!(wrapped.capacity_aware);
        assert_eq!(wrapped.name(), "capacity_aware(priority)");
        let bare = BenchStrategy::parse("nearest").unwrap();
        assert!(!bare.capacity_aware);
        assert!(BenchStrategy::parse("capacity_aware(fastest)").is_none());
        assert!(BenchStrategy::parse("capacity_aware(nearest").is_none());
        let names = ["nearest".to_string(), "capacity_aware(nearest)".to_string()];
        assert_eq!(strategies(&names, 2).unwrap().len(), 2);
        let twice = ["nearest".to_string(), "nearest".to_string()];
        assert!(strategies(&twice, 2).is_err());
    }
}

#[cfg(test)]
mod hostile {
    use super::*;

    /// Result files whose checksum holds but whose runs are empty (hand-made, or from a qm
    /// that wrote nothing): the gather, the estimates, the report and the tables do not panic.
    #[test]
    fn empty_runs_gather_without_a_panic() {
        let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("tests run through cargo");
        let path = Path::new(&manifest).join("../scenarios/flash-sale.toml");
        let scenario = Scenario::load(&path).unwrap().scenario;
        let kinds = strategies(&["nearest".into(), "priority".into()], 2).unwrap();
        let runs = Runs {
            days: Some(2),
            replications: 2,
            seed: 1,
            cost_bound: None,
        };
        let plan = shard_plan(&path, &scenario, &kinds, runs).unwrap();
        let dir = std::env::temp_dir().join(format!("qm-hostile-gather-{}", std::process::id()));
        for job in shard_jobs(&kinds, runs) {
            let file = runs_dir(&dir).join(&job.file);
            shards::write_result(&file, &plan, &job.label, &RunData::default()).unwrap();
        }
        let benchmark = Benchmark::new(gather(&kinds, runs, &plan, &dir).unwrap());
        let report = benchmark.report();
        assert!(report.contains("nearest"), "{report}");
        benchmark.write(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
