//! `qm simulate`, `qm report` and `qm compare`: one run (or several seeds) and its reports.

use std::path::{Path, PathBuf};

use qm_reports::export::Format;
use qm_reports::run::RunData;
use qm_simulator::scenario::Scenario;
use qm_simulator::sim::{
    read_results, read_results_file, simulate_until, write_outputs, RunOutput, SimError,
};
use qm_simulator::tools::{calculators, seeds};
use rayon::prelude::*;

use super::args::{CompareArgs, ReportArgs, SimulateArgs};
use super::failure::Failure;
use super::output::{note_missing_bound, print_summary, print_written};
use super::progress::{stop_on_ctrl_c, Jobs, Progress, INTERRUPTED};

/// `qm simulate`: one run, or one per seed in parallel.
pub fn simulate(args: SimulateArgs) -> Result<(), Failure> {
    let SimulateArgs {
        scenario,
        out,
        seed,
        seeds,
        days,
        cost_bound,
        formats,
        quiet,
    } = args;
    let format = formats.list;
    calculators::once_each("--seeds", &seeds, u64::to_string)?;
    calculators::once_each("--format", &format, |f| f.name().to_string())?;
    stop_on_ctrl_c("stopping at the end of the simulated day");
    let mut loaded = Scenario::load(&scenario)?;
    loaded.scenario.shorten(&scenario, days)?;
    loaded.scenario.cost_bound = cost_bound;
    let s = &loaded.scenario;
    let dir = out.join(&s.name);
    calculators::folder_to_write("--out", &dir)?;
    if seeds.len() > 1 {
        let total = *s.horizon.days.get_ref();
        if !quiet {
            println!(
                "running {} seeds of {} ({} days each) in parallel",
                seeds.len(),
                s.name,
                total
            );
        }
        let bar = Jobs::new(seeds.len(), "seeds", quiet);
        let outputs: Vec<Result<RunOutput, SimError>> = seeds
            .par_iter()
            .map(|&seed| {
                let output = simulate_until(s, seed, &mut |_| {}, &INTERRUPTED);
                bar.done();
                output
            })
            .collect();
        bar.finish();
        let outputs = outputs.into_iter().collect::<Result<Vec<_>, _>>()?;
        note_missing_bound(
            s.cost_bound,
            &outputs.iter().map(|o| &o.data).collect::<Vec<_>>(),
        );
        // Every seed's folder is written, a failed run's too, before any failure is reported.
        seeds::clear_earlier_run(&dir, &seeds)?;
        let mut failed = Vec::new();
        for (seed, output) in seeds.iter().zip(&outputs) {
            let seed_dir = seeds::seed_dir(&dir, *seed);
            if let Err(failure) = finish_run(output, &seed_dir, &format, true) {
                failed.push(format!("seed {seed}: {:#}", failure.error));
            }
        }
        if !failed.is_empty() {
            return Err(anyhow::anyhow!(
                "{} of {} seeds failed, so there is no {}:\n{}",
                failed.len(),
                seeds.len(),
                seeds::SEEDS_FILE,
                failed.join("\n")
            )
            .into());
        }
        let data: Vec<&RunData> = outputs.iter().map(|o| &o.data).collect();
        let rows = seeds::aggregate(&data);
        let path = seeds::write(&seeds, &rows, &dir)?;
        if !quiet {
            print!("{}", seeds::report(data[0], &rows));
            println!("wrote {} and a seed-N folder per seed", path.display());
        }
        return Ok(());
    }
    let seed = seeds.first().copied().or(seed).unwrap_or(s.horizon.seed);
    let mut progress = Progress::new(*s.horizon.days.get_ref(), quiet);
    let output = simulate_until(s, seed, &mut |day| progress.day_done(day), &INTERRUPTED);
    progress.finish();
    let output = output?;
    note_missing_bound(s.cost_bound, &[&output.data]);
    seeds::clear_earlier_run(&dir, &[])?;
    finish_run(&output, &dir, &format, quiet)
}

/// Writes a run's outputs; a run that failed midway is written too, then reported as an error.
fn finish_run(
    output: &RunOutput,
    dir: &Path,
    formats: &[Format],
    quiet: bool,
) -> Result<(), Failure> {
    let written = write_outputs(&output.data, dir, formats)?;
    if let Some(message) = output.failure() {
        return Err(anyhow::anyhow!(
            "the run failed after {} simulated day(s): {message}\nthe report of those days is in {}",
            output.summary.days,
            dir.display()
        )
        .into());
    }
    if !quiet {
        print_summary(output, dir, &written);
    }
    Ok(())
}

/// `qm report`: a run's reports written again from its results file.
pub fn report(args: ReportArgs) -> Result<(), Failure> {
    calculators::once_each("--format", &args.formats.list, |f| f.name().to_string())?;
    if let Some(out) = &args.out {
        calculators::folder_to_write("--out", out)?;
    }
    let results = read_results_file(&args.run_dir)?;
    let data = &results.data;
    let dir = args.out.clone().unwrap_or_else(|| args.run_dir.clone());
    let mut written = Vec::new();
    if !same_folder(&dir, &args.run_dir) {
        // The other folder gets this run whole: its results file, and no other run's reports.
        written.push(results.copy_into(&dir)?);
        qm_reports::export::remove_other_formats(&dir, &args.formats.list)?;
    }
    written.extend(qm_reports::export::write(data, &dir, &args.formats.list)?);
    if data.is_empty() {
        println!("note: this run placed no orders; its rates are undefined (null)");
    }
    if let qm_reports::run::RunStatus::Failed {
        days_completed,
        message,
    } = &data.status
    {
        println!("note: this run failed after {days_completed} simulated day(s): {message}");
    }
    print_written(&dir, &written);
    Ok(())
}

/// Whether two paths name one folder (one that does not exist yet is no other's).
fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `qm compare`: runs side by side against the first.
pub fn compare(args: CompareArgs) -> Result<(), Failure> {
    let CompareArgs {
        run_dirs,
        out,
        quiet,
    } = args;
    // One run twice would be compared with itself under one label.
    let folders: Vec<PathBuf> = (run_dirs.iter())
        .map(|dir| dir.canonicalize().unwrap_or_else(|_| dir.clone()))
        .collect();
    calculators::once_each("RUN_DIR", &folders, |dir| dir.display().to_string())?;
    calculators::folder_to_write("--out", &out)?;
    let runs = run_dirs
        .iter()
        .map(|dir| Ok((run_label(dir, &run_dirs), read_results(dir)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let runs: Vec<(&str, &qm_reports::run::RunData)> = runs
        .iter()
        .map(|(label, data)| (label.as_str(), data))
        .collect();
    let written = qm_reports::compare::write(&runs, &out)?;
    if !quiet {
        print!(
            "{}",
            qm_reports::compare::text(&runs, &qm_reports::compare::kpis(&runs))
        );
        print_written(&out, &written);
    }
    Ok(())
}

/// A run's label in a comparison: its folder name, or the whole path when names repeat.
fn run_label(dir: &Path, all: &[PathBuf]) -> String {
    let name = |d: &Path| {
        d.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| d.display().to_string())
    };
    let mine = name(dir);
    if all.iter().filter(|d| name(d) == mine).count() > 1 {
        dir.display().to_string()
    } else {
        mine
    }
}
