//! `qm bench`, `qm size` and `qm tune`: commands that run a scenario many times.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use qm_reports::format;
use qm_reports::run::RunData;
use qm_reports::unit::Unit;
use qm_simulator::scenario::Scenario;
use qm_simulator::tools::calculators::{self, typed, CalculatorError};
use qm_simulator::tools::shards::{self, Shard};
use qm_simulator::tools::{bench, size, size_report, stats, tune, tune_report, ToolError};

use super::args::{BenchArgs, SizeArgs, TuneArgs};
use super::failure::Failure;
use super::output::{note_missing_bound, print_written};
use super::progress::{stop_on_ctrl_c, Jobs, INTERRUPTED};

/// `qm bench`: strategies compared on the same demand, in one process, as one shard of many,
/// or gathered from its shards.
pub fn bench(args: BenchArgs) -> Result<(), Failure> {
    let BenchArgs {
        scenario,
        strategies,
        replications,
        cost_bound,
        split,
        many,
    } = args;
    let kinds = bench::strategies(&strategies, replications)?;
    // Load once up front so a bad scenario fails before any run starts.
    let loaded = Scenario::load(&scenario)?.scenario;
    loaded.run_days(&scenario, many.days)?;
    let runs = bench::Runs {
        days: many.days,
        replications,
        seed: many.seed.unwrap_or(loaded.horizon.seed),
        cost_bound,
    };
    let dir = many.out.join(&loaded.name).join("bench");
    calculators::folder_to_write("--out", &dir)?;
    let results = if let Some(shard) = split.shard {
        let plan = bench::shard_plan(&scenario, &loaded, &kinds, runs)?;
        let bar = shard_starts(shard, kinds.len() * replications as usize, many.quiet);
        let done = bench::run_shard(&scenario, &kinds, runs, shard, &plan, &dir, &|| bar.done());
        bar.finish();
        shard_done(done?, &bench::runs_dir(&dir), many.quiet);
        return Ok(());
    } else if split.gather {
        let plan = bench::shard_plan(&scenario, &loaded, &kinds, runs)?;
        bench::gather(&kinds, runs, &plan, &dir)?
    } else {
        if !many.quiet {
            let strategies = match kinds.len() {
                1 => "1 strategy".to_string(),
                n => format!("{n} strategies"),
            };
            let replications = stats::replications_text(replications as usize);
            println!(
                "benchmarking {strategies} × {replications} of {} in parallel",
                loaded.name
            );
        }
        let bar = Jobs::new(kinds.len() * replications as usize, "runs", many.quiet);
        let results = bench::run(&scenario, &kinds, runs, &|| bar.done());
        bar.finish();
        results?
    };
    let outputs: Vec<&RunData> = results.iter().flat_map(|s| &s.runs).collect();
    note_missing_bound(cost_bound, &outputs);
    let benchmark = bench::Benchmark::new(results);
    write_and_report(
        &dir,
        many.quiet,
        |dir| benchmark.write(dir),
        || benchmark.report(),
    )
}

/// Says which of `all` runs the shard runs, and returns its progress bar.
fn shard_starts(shard: Shard, all: usize, quiet: bool) -> Jobs {
    let mine = shards::shard_jobs(all, shard).len();
    if !quiet {
        println!(
            "shard {} of {} (from 0): {mine} of the {all} runs",
            shard.index, shard.count
        );
    }
    Jobs::new(mine, "runs", quiet)
}

/// Says what the shard did and where its runs are.
fn shard_done(done: shards::ShardDone, runs_dir: &Path, quiet: bool) {
    if !quiet {
        println!(
            "ran {} runs, kept {} an earlier attempt had finished; they are in {}/\n\
             when every shard is done: the same command with --gather instead of --shard",
            done.ran,
            done.kept,
            runs_dir.display()
        );
    }
}

/// `qm size`: the least stock and capacity per warehouse that meet the targets.
pub fn size(args: SizeArgs) -> Result<(), Failure> {
    let SizeArgs {
        scenario,
        target_fulfillment,
        target_processing_hours,
        target_fill_rate,
        replications,
        many,
    } = args;
    // Load once up front so a bad scenario fails before any run starts.
    let loaded = Scenario::load(&scenario)?.scenario;
    loaded.run_days(&scenario, many.days)?;
    let targets = size::SizeTargets::new(
        target_fulfillment.unwrap_or(*loaded.targets.order_fulfillment_rate.get_ref()),
        target_processing_hours.unwrap_or(*loaded.targets.processing_time_hours_p95.get_ref()),
        target_fill_rate.unwrap_or(*loaded.targets.demand_fill_rate.get_ref()),
    )?;
    let dir = many.out.join(&loaded.name).join("size");
    calculators::folder_to_write("--out", &dir)?;
    let bar = Jobs::new(0, "points", many.quiet);
    let progress: Box<dyn FnMut(&size::Evaluation)> = if many.quiet {
        Box::new(|_| {})
    } else {
        let bar = bar.clone();
        Box::new(move |e| {
            let verdict = if e.meets() {
                "meets".to_string()
            } else {
                format!("misses {}", e.misses.join(", "))
            };
            bar.more(1);
            bar.done();
            bar.println(format!("  {:<24} {:<40} {verdict}", e.step, e.point));
        })
    };
    let mut sizing = size::Sizing::new(
        &scenario,
        many.days,
        targets,
        replications,
        many.seed,
        progress,
    )?;
    if !many.quiet {
        let each = match replications {
            1 => "in its one replication".to_string(),
            n => format!("in each of {n} replications"),
        };
        println!(
            "sizing {} warehouses of {}: fulfillment ≥ {}, processing p95 ≤ {}, fill rate ≥ \
             {}, over the run and its peak, {each}",
            loaded.warehouses.len(),
            loaded.name,
            format::display_given(targets.fulfillment, Unit::Share),
            format::display_given(targets.processing_hours_p95, Unit::Hours),
            format::display_given(targets.fill_rate, Unit::Share),
        );
    }
    let recommendation = sizing.run();
    bar.finish();
    let recommendation = recommendation?;
    write_and_report(
        &dir,
        many.quiet,
        |dir| size_report::write(&sizing, &recommendation, dir),
        || size_report::report(&sizing, &recommendation),
    )
}

/// `qm tune`: a grid of safety-stock settings, cost against service.
pub fn tune(args: TuneArgs) -> Result<(), Failure> {
    let TuneArgs {
        scenario,
        service_levels,
        methods,
        forecasts,
        target_fill_rate,
        out,
        seed,
        bisect,
        replications,
        days,
        quiet,
        split,
    } = args;
    if !(target_fill_rate > 0.0 && target_fill_rate <= 1.0) {
        return Err(CalculatorError::Argument {
            option: "--target-fill-rate",
            problem: format!("must be in (0, 1], got {}", typed(target_fill_rate)),
        }
        .into());
    }
    if bisect && (split.shard.is_some() || split.gather) {
        return Err(CalculatorError::Argument {
            option: "--bisect",
            problem: "a bisection cannot be split into shards: each of its runs depends on the \
                      runs before it"
                .into(),
        }
        .into());
    }
    let levels = if bisect {
        vec![tune::SEARCH_RANGE.0]
    } else {
        service_levels
    };
    let settings = tune::grid(&levels, &methods, &forecasts)?;
    // Load once up front so a bad scenario fails before any run starts.
    let loaded = Scenario::load(&scenario)?;
    let judged_days = tune::days_after_warmup(&loaded, days)?;
    let dir = out.join(&loaded.scenario.name);
    calculators::folder_to_write("--out", &dir)?;
    let grid = tune::GridRuns {
        seed,
        replications,
        days,
    };
    if let Some(shard) = split.shard {
        let plan = tune::shard_plan(&scenario, &loaded, &settings, grid)?;
        let bar = shard_starts(shard, settings.len() * replications as usize, quiet);
        let done = tune::run_shard(&scenario, &settings, grid, shard, &plan, &dir, &|| {
            bar.done()
        });
        bar.finish();
        shard_done(done?, &tune::runs_dir(&dir), quiet);
        return Ok(());
    }
    let (rows, found) = if split.gather {
        let plan = tune::shard_plan(&scenario, &loaded, &settings, grid)?;
        (tune::gather(&settings, replications, &plan, &dir)?, None)
    } else {
        if !quiet {
            let what = if bisect { "searches" } else { "settings" };
            println!(
                "tuning {}: {} {what} × {} in parallel; every figure counts the last {} of {} \
                 days, after the {}-day warm-up",
                loaded.scenario.name,
                settings.len(),
                stats::replications_text(replications as usize),
                judged_days.len(),
                judged_days.end,
                judged_days.start
            );
        }
        run_tune(&scenario, &settings, grid, bisect, target_fill_rate, quiet)?
    };
    // Only the grid listens for Ctrl-C (a bisection stops at once).
    let interrupted = INTERRUPTED.load(Ordering::Relaxed);
    if rows.is_empty() {
        return Err(
            anyhow::anyhow!("interrupted before any setting finished: nothing written").into(),
        );
    }
    let path = tune_report::write(&rows, seed.unwrap_or(loaded.scenario.horizon.seed), &dir)?;
    if !quiet {
        print!("{}", tune_report::report(&rows, target_fill_rate));
        if let Some(found) = found {
            print!("{}", tune_report::search_report(&found, target_fill_rate));
        }
        println!("wrote {} and tune_runs.csv", path.display());
    }
    if interrupted {
        return Err(anyhow::anyhow!(
            "interrupted: {} of {} settings finished every replication; {} holds those, and the \
             front and the recommendation cover them only",
            rows.len(),
            settings.len(),
            path.display()
        )
        .into());
    }
    Ok(())
}

/// The grid's runs, or with `bisect` a search per method × forecast for the least target whose
/// mean fill rate meets `goal`, in this process.
fn run_tune(
    scenario: &Path,
    settings: &[tune::Setting],
    grid: tune::GridRuns,
    bisect: bool,
    goal: f64,
    quiet: bool,
) -> Result<(Vec<tune::TuneRow>, Option<Vec<tune::Found>>), ToolError> {
    let tune::GridRuns {
        seed,
        replications,
        days,
    } = grid;
    let runs = if bisect {
        // Two ends and about seven halvings per search.
        settings.len() * 9 * replications as usize
    } else {
        settings.len() * replications as usize
    };
    if !bisect {
        stop_on_ctrl_c(
            "no new run starts; the runs under way end at their next daily close, and the \
             settings that finished are written",
        );
    }
    let bar = Jobs::new(runs, "runs", quiet);
    let done = || bar.done();
    let outcome = if bisect {
        tune::bisect(scenario, settings, goal, seed, replications, days, &done)
            .map(|(rows, found)| (rows, Some(found)))
    } else {
        let stop = &INTERRUPTED;
        tune::run_grid(scenario, settings, seed, replications, days, &done, stop).map(|r| (r, None))
    };
    bar.finish();
    outcome
}

/// Writes a command's files to `dir` and, unless `quiet`, prints its report and the files.
fn write_and_report(
    dir: &Path,
    quiet: bool,
    write: impl FnOnce(&Path) -> Result<Vec<PathBuf>, ToolError>,
    report: impl FnOnce() -> String,
) -> Result<(), Failure> {
    let written = write(dir)?;
    if !quiet {
        print!("{}", report());
        print_written(dir, &written);
    }
    Ok(())
}
