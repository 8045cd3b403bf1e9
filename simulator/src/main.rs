//! `qm`: Quartermaster's command line. Parses, runs, maps errors to exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use qm_reports::export::Format;
use qm_simulator::calculators::{self, CalculatorError, PolicyTarget};
use qm_simulator::demand_log::LogError;
use qm_simulator::import::{describe, import, ColumnMapping, ImportError, PRESETS};
use qm_simulator::run::{read_results, simulate_until, write_outputs, RunOutput};
use qm_simulator::scenario::{Scenario, ScenarioError, MAX_DAYS};
use qm_simulator::tune;
use rayon::prelude::*;

// polars allocates and frees many column buffers; mimalloc reuses them instead of faulting in
// fresh pages (`qm import` of the full UCI file: see benches/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Quartermaster: stock allocation engine and supply-chain simulator.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario through the engine and write its KPIs.
    Simulate {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Folder for the outputs; the run goes in a sub-folder named after the scenario.
        #[arg(long, default_value = "runs")]
        out: PathBuf,
        /// Seed overriding the scenario's.
        #[arg(long, conflicts_with = "seeds")]
        seed: Option<u64>,
        /// Several seeds, run in parallel (comma-separated); each run gets a `seed-N` sub-folder.
        #[arg(long, value_delimiter = ',')]
        seeds: Vec<u64>,
        /// Simulate only the first N days of the horizon.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_DAYS as i64))]
        days: Option<u32>,
        #[command(flatten)]
        formats: Formats,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Benchmark allocation strategies on one scenario: the same demand through each (common
    /// random numbers), replicated, in parallel; KPIs with 95 % intervals and paired differences
    /// against the first strategy, and the engine's speed.
    Bench {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Strategies (comma-separated); the first is the reference.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "nearest,lowest_cost,fewest_shipments,most_stock,priority"
        )]
        strategies: Vec<String>,
        /// Replications per strategy: replication k runs every strategy with seed + k.
        #[arg(long, default_value_t = 10)]
        replications: u32,
        #[command(flatten)]
        many: ManyRuns,
    },
    /// Size warehouses: per warehouse, the smallest stock level and pick/pack capacity at which
    /// the targets hold over the whole run and over its peak (the days events raise demand), in
    /// every replication; with the KPIs at ±10 % around it.
    Size {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Least order fulfillment rate (default: the scenario's `[targets]`).
        #[arg(long)]
        target_fulfillment: Option<f64>,
        /// Most 95th-percentile processing hours, placement to last shipment (default: the
        /// scenario's `[targets]`).
        #[arg(long)]
        target_processing_hours: Option<f64>,
        /// Least demand fill rate: units shipped ÷ units customers wanted, ordered or shown out
        /// of stock (default: the scenario's `[targets]`).
        #[arg(long)]
        target_fill_rate: Option<f64>,
        /// Runs per point, seeds SEED, SEED + 1, …: every one must meet the targets.
        #[arg(long, default_value_t = 3)]
        replications: u32,
        #[command(flatten)]
        many: ManyRuns,
    },
    /// The durable engine: every command journaled (group commit) before it is acknowledged,
    /// and the state rebuilt from the journal after a crash.
    Engine {
        #[command(subcommand)]
        command: EngineCommand,
    },
    /// Write a run's reports again from its folder (the results `qm simulate` kept there).
    Report {
        /// The run's folder, e.g. runs/baseline.
        run_dir: PathBuf,
        #[command(flatten)]
        formats: Formats,
        /// Write into this folder instead of the run's.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Compare runs side by side: every KPI with its difference against the first run, and the
    /// report's charts overlaid (compare.csv, compare.parquet, compare.html).
    Compare {
        /// Two or more run folders; the first is the reference.
        #[arg(required = true, num_args = 2..)]
        run_dirs: Vec<PathBuf>,
        /// Folder for the comparison.
        #[arg(long, default_value = "runs/compare")]
        out: PathBuf,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Import a recorded order history (CSV, CSV.gz or Parquet) into a binary demand log.
    Import {
        /// The history file.
        file: PathBuf,
        /// The demand log to write.
        #[arg(long)]
        out: PathBuf,
        /// A built-in column layout: online_retail (UCI "Online Retail").
        #[arg(long, conflicts_with = "mapping", required_unless_present = "mapping")]
        preset: Option<String>,
        /// A TOML file naming the columns (keys as in `[demand.recorded.columns]`, see scenarios/README.md).
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Stop at the first row that does not parse (exit code 2) instead of skipping and counting it.
        #[arg(long)]
        strict: bool,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Safety stock and reorder point for a service level or a fill rate, or the numbers of a
    /// given reorder point (daily demand independent from day to day; lead time in days).
    #[command(allow_negative_numbers = true)]
    #[command(group(clap::ArgGroup::new("target").required(true).args(["service_level", "fill_rate", "reorder_point"])))]
    Policy {
        /// Mean daily demand, units.
        #[arg(long)]
        mean_demand: f64,
        /// Standard deviation of daily demand, units.
        #[arg(long)]
        demand_std: f64,
        /// Mean supplier lead time, days.
        #[arg(long)]
        lead_time_days: f64,
        /// Standard deviation of the lead time, days.
        #[arg(long, default_value_t = 0.0)]
        lead_time_std: f64,
        /// Review period for periodic review (R, S), days; 0 = continuous review.
        #[arg(long, default_value_t = 0.0)]
        review_period_days: f64,
        /// Target cycle service level (probability of no stockout per cycle), e.g. 0.95.
        #[arg(long)]
        service_level: Option<f64>,
        /// Target fill rate (share of units served from stock), e.g. 0.98; needs --order-qty.
        #[arg(long)]
        fill_rate: Option<f64>,
        /// Evaluate this reorder point, units.
        #[arg(long)]
        reorder_point: Option<f64>,
        /// Units per supplier order (for the fill rate).
        #[arg(long)]
        order_qty: Option<f64>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run a grid of safety-stock settings on the same demand: cost against service, the
    /// Pareto front, and the cheapest setting meeting a target fill rate.
    Tune {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Target levels (cycle service level; the fill rate for the fill_rate method).
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "0.80,0.90,0.95,0.98,0.99"
        )]
        service_levels: Vec<f64>,
        /// Safety stock methods: normal, fill_rate, empirical.
        #[arg(long, value_delimiter = ',', default_value = "normal,empirical")]
        methods: Vec<String>,
        /// Forecast methods (as `qm forecast`).
        #[arg(long, value_delimiter = ',', default_value = "ses,holt_winters,tsb")]
        forecasts: Vec<String>,
        /// The fill rate the recommendation must reach.
        #[arg(long, default_value_t = 0.98)]
        target_fill_rate: f64,
        /// Folder for the table; it goes to OUT/<scenario>/tune.csv.
        #[arg(long, default_value = "runs")]
        out: PathBuf,
        /// Seed overriding the scenario's (the same for every setting).
        #[arg(long)]
        seed: Option<u64>,
        /// Simulate only the first N days.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_DAYS as i64))]
        days: Option<u32>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Forecast one daily demand series: a CSV with a single column `units`, oldest day first.
    Forecast {
        /// The series (CSV).
        file: PathBuf,
        /// naive, seasonal_naive, moving_average, ses, holt, holt_winters, croston, sba, tsb or auto.
        #[arg(long)]
        method: String,
        /// Days to forecast.
        #[arg(long, default_value_t = 14)]
        horizon: u32,
        /// Season length, days (seasonal_naive, holt_winters).
        #[arg(long)]
        season_length: Option<u32>,
        /// Window, days (moving_average).
        #[arg(long)]
        window: Option<u32>,
        /// Level smoothing α (ses, holt, holt_winters, croston, sba); default 0.1.
        #[arg(long)]
        alpha: Option<f64>,
        /// Trend smoothing β (holt, holt_winters); default 0.1.
        #[arg(long)]
        beta: Option<f64>,
        /// Seasonal smoothing γ (holt_winters); default 0.1.
        #[arg(long)]
        gamma: Option<f64>,
        /// Demand-size smoothing (tsb); default 0.1.
        #[arg(long)]
        alpha_demand: Option<f64>,
        /// Demand-probability smoothing (tsb); default 0.1.
        #[arg(long)]
        alpha_probability: Option<f64>,
        /// Print `{"method": ..., "forecast": [...]}` instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Options of the commands that run a scenario many times (`bench`, `size`).
#[derive(clap::Args)]
struct ManyRuns {
    /// First seed (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Simulate only the first N days.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_DAYS as i64))]
    days: Option<u32>,
    /// Folder for the results; they go to OUT/<scenario>/<command>/.
    #[arg(long, default_value = "runs")]
    out: PathBuf,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

/// `qm engine …`.
#[derive(Subcommand)]
enum EngineCommand {
    /// Drive a durable engine with a seeded stream of reserve, confirm, release, ship and
    /// receipt commands (pipelined), journaled in DIR; resumes the stream after a crash.
    /// Prints the throughput and the acknowledgement latency.
    Drive {
        /// The engine's folder (journal segments, snapshots, genesis.json, scenario.toml).
        dir: PathBuf,
        /// The scenario whose opening engine the folder starts from (first run only).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Seed of the opening engine and of the command stream (first run only; default: the
        /// scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Commands to submit in this run.
        #[arg(long, default_value_t = 1_000_000)]
        commands: u64,
        /// Commands per submission.
        #[arg(long, default_value_t = 64)]
        submission: usize,
        /// Submissions in flight before waiting for the oldest acknowledgement.
        #[arg(long, default_value_t = 64)]
        in_flight: usize,
        /// Commands per journal batch (one fsync each) at most.
        #[arg(long, default_value_t = 4_096)]
        batch_max_commands: usize,
        /// Microseconds a started batch waits for more commands (0: sync when the queue is empty).
        #[arg(long, default_value_t = 0)]
        flush_interval_us: u64,
        /// A snapshot after every this many commands (0: none).
        #[arg(long, default_value_t = 1_000_000)]
        snapshot_every: u64,
        /// Print `acked SEQ` after every acknowledgement (for crash tests).
        #[arg(long)]
        print_acks: bool,
    },
    /// Recover DIR: cut a torn journal tail, replay the journal onto the opening engine, check
    /// the invariants, print the state hash.
    Recover {
        /// The engine's folder.
        dir: PathBuf,
    },
    /// Inspect DIR without changing it: records by kind, positions, torn tail, state hash,
    /// invariants.
    Inspect {
        /// The engine's folder.
        dir: PathBuf,
    },
}

/// Set by the first Ctrl-C: runs stop at their next daily close and write what they have.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// First Ctrl-C: finish the day and write a partial report; second: leave at once.
fn stop_on_ctrl_c() {
    let installed = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
        eprintln!(
            "\ninterrupted: stopping at the end of the simulated day (Ctrl-C again to quit now)"
        );
    });
    // Without a handler (another one is installed) Ctrl-C simply ends the process.
    drop(installed);
}

fn engine_command(command: EngineCommand) -> Result<(), Failure> {
    use qm_simulator::durable;
    match command {
        EngineCommand::Drive {
            dir,
            scenario,
            seed,
            commands,
            submission,
            in_flight,
            batch_max_commands,
            flush_interval_us,
            snapshot_every,
            print_acks,
        } => {
            if !dir.join("genesis.json").exists() {
                let Some(scenario) = scenario else {
                    return Err(anyhow::anyhow!(
                        "{}: a new engine folder needs --scenario (the opening engine)",
                        dir.display()
                    )
                    .into());
                };
                let s = Scenario::load(&scenario)?.scenario;
                durable::Genesis::create(&dir, &scenario, seed.unwrap_or(s.horizon.seed))?;
            }
            let options = durable::DriveOptions {
                commands,
                submission,
                in_flight,
                settings: durable::Settings {
                    batch_max_commands,
                    flush_interval_us,
                    snapshot_every_commands: snapshot_every,
                },
            };
            let stdout = std::io::stdout();
            let mut on_ack = |seq: u64| {
                if print_acks {
                    use std::io::Write;
                    let mut out = stdout.lock();
                    let _ = writeln!(out, "acked {seq}");
                    let _ = out.flush();
                }
            };
            let report = durable::drive(&dir, options, &mut on_ack)?;
            let r = &report.recovery;
            eprintln!(
                "recovered {} records{}{}; drove {} commands ({} order lines reserved) in {:.3} s: \
                 {:.0} commands/s, {:.0} reserve lines/s; acknowledgement latency p50 {:.1} µs, \
                 p99 {:.1} µs, max {:.1} µs; {} batches, {} snapshots (longest pause {:.1} ms); \
                 state hash {:016x}",
                r.records,
                r.snapshot.map_or(String::new(), |seq| format!(
                    " (snapshot at record {seq}, {} replayed after it)",
                    r.replayed
                )),
                r.torn.as_ref().map_or(String::new(), |t| format!(
                    " (cut a torn tail of {} bytes: {})",
                    t.bytes, t.reason
                )),
                report.commands,
                report.reserve_lines,
                report.seconds,
                report.commands as f64 / report.seconds,
                report.reserve_lines as f64 / report.seconds,
                report.ack_latency_ns.value_at_quantile(0.5) as f64 / 1e3,
                report.ack_latency_ns.value_at_quantile(0.99) as f64 / 1e3,
                report.ack_latency_ns.max() as f64 / 1e3,
                report.batches,
                report.snapshots,
                report.longest_snapshot_pause_ns as f64 / 1e6,
                report.state_hash
            );
            Ok(())
        }
        EngineCommand::Recover { dir } => {
            let genesis = durable::Genesis::read(&dir)?;
            let (durable, recovery) = durable::Durable::open(
                &dir,
                &|| Ok(genesis.engine(&dir)?.0),
                durable::Settings::default(),
            )?;
            let invariants = durable.engine().check_invariants();
            durable.close()?;
            println!("records            {}", recovery.records);
            match recovery.snapshot {
                Some(seq) => println!(
                    "snapshot           at record {seq}; {} records replayed after it",
                    recovery.replayed
                ),
                None => println!(
                    "snapshot           none; {} records replayed",
                    recovery.replayed
                ),
            }
            for skipped in &recovery.snapshots_skipped {
                println!("passed over        {skipped}");
            }
            let torn = recovery
                .torn
                .as_ref()
                .map(|t| format!("cut {} bytes at byte {}: {}", t.bytes, t.offset, t.reason));
            print_torn_and_hash(torn, recovery.state_hash);
            print_invariants(invariants, "recovery")
        }
        EngineCommand::Inspect { dir } => {
            let i = durable::inspect(&dir)?;
            println!("records            {}", i.records);
            for (kind, n) in &i.kinds {
                if *n > 0 {
                    println!("  {kind:<17}{n}");
                }
            }
            let first = i.segments.first().map_or(1, |s| s.0);
            println!(
                "segments           {} (records {first}–{})",
                i.segments.len(),
                i.records
            );
            println!(
                "whole records end  byte {} of the last segment",
                i.valid_len
            );
            if let Some(offset) = i.last_record_offset {
                println!("last record at     byte {offset}");
            }
            let torn = i.torn.as_ref().map(|t| {
                format!(
                    "{} bytes at byte {} ({}); `qm engine recover` cuts it",
                    t.bytes, t.offset, t.reason
                )
            });
            print_torn_and_hash(torn, i.state_hash);
            let s = &i.from_snapshot;
            for skipped in &s.snapshots_skipped {
                println!("passed over        {skipped}");
            }
            match s.snapshot {
                Some(seq) if s.state_hash == i.state_hash => println!(
                    "snapshot           at record {seq} + {} records: the same state hash as {}",
                    s.replayed,
                    if i.reference_is_full_replay {
                        "a full replay"
                    } else {
                        "the oldest snapshot kept + its records"
                    }
                ),
                Some(seq) => {
                    return Err(anyhow::anyhow!(
                        "the snapshot at record {seq} plus the journal after it gives state hash \
                         {:016x}, the reference {:016x}",
                        s.state_hash,
                        i.state_hash
                    )
                    .into())
                }
                None => println!("snapshot           none"),
            }
            print_invariants(i.invariants, "replay")
        }
    }
}

fn print_torn_and_hash(torn: Option<String>, state_hash: u64) {
    println!("torn tail          {}", torn.as_deref().unwrap_or("none"));
    println!("state hash         {state_hash:016x}");
}

/// Prints the invariant check; a broken one is an error (exit 1) naming what was just done.
fn print_invariants(
    invariants: Result<qm_engine::InvariantReport, qm_engine::InvariantViolation>,
    after: &str,
) -> Result<(), Failure> {
    match invariants {
        Ok(report) => {
            println!("invariants         hold ({} open holds)", report.open_holds);
            Ok(())
        }
        Err(violation) => {
            Err(anyhow::anyhow!("invariants broken after {after}: {violation}").into())
        }
    }
}

/// The report formats a command writes.
#[derive(clap::Args)]
struct Formats {
    /// Report formats to write (comma-separated): csv, parquet, json, html.
    #[arg(long = "format", value_delimiter = ',', default_value = "csv,parquet,json,html", value_parser = parse_format)]
    list: Vec<Format>,
}

fn parse_format(name: &str) -> Result<Format, String> {
    Format::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format `{name}`; formats: {}", names.join(", "))
    })
}

/// Writes a run's outputs; a run that failed midway is written too, then reported as an error.
fn finish_run(
    output: &RunOutput,
    dir: &Path,
    formats: &[Format],
    quiet: bool,
) -> Result<(), Failure> {
    let written = write_outputs(output, dir, formats)?;
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

/// A failure and the exit code it maps to: 2 for bad input, 1 for anything else.
struct Failure {
    error: anyhow::Error,
    code: u8,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        let error = error.into();
        let bad_input = error.downcast_ref::<ScenarioError>().is_some()
            || error.downcast_ref::<ImportError>().is_some()
            || error.downcast_ref::<LogError>().is_some()
            || error.downcast_ref::<CalculatorError>().is_some();
        let code = if bad_input { 2 } else { 1 };
        Failure { error, code }
    }
}

/// Shows a progress bar only once a run has taken more than a second, and never when quiet.
struct Progress {
    bar: Option<ProgressBar>,
    days: u64,
    quiet: bool,
    // Wall time decides when to show the bar; it never touches the simulation.
    started: std::time::Instant,
}

impl Progress {
    #[allow(clippy::disallowed_methods)]
    fn new(days: u32, quiet: bool) -> Self {
        Self {
            bar: None,
            days: days as u64,
            quiet,
            started: std::time::Instant::now(),
        }
    }

    fn day_done(&mut self, day: u32) {
        if self.quiet {
            return;
        }
        if self.bar.is_none() && self.started.elapsed().as_secs_f64() > 1.0 {
            let bar = ProgressBar::new(self.days);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} day {pos}/{len} · {elapsed} elapsed, ~{eta} left",
                )
                .expect("valid template"),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(day as u64 + 1);
        }
    }

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Policy {
            mean_demand,
            demand_std,
            lead_time_days,
            lead_time_std,
            review_period_days,
            service_level,
            fill_rate,
            reorder_point,
            order_qty,
            json,
        } => {
            let inputs = qm_engine::safety_stock::PolicyInputs {
                mean_demand_per_day: mean_demand,
                demand_std_per_day: demand_std,
                lead_time_days,
                lead_time_std_days: lead_time_std,
                review_period_days,
            };
            let target = match (service_level, fill_rate, reorder_point) {
                (Some(csl), _, _) => PolicyTarget::ServiceLevel(csl),
                (_, Some(beta), _) => PolicyTarget::FillRate(beta),
                (_, _, Some(r)) => PolicyTarget::ReorderPoint(r),
                _ => unreachable!("clap requires one target"),
            };
            let report = calculators::policy(&inputs, target, order_qty)?;
            if json {
                println!("{}", calculators::policy_json(&report));
            } else {
                print!("{}", calculators::policy_text(&report, order_qty));
            }
            Ok(())
        }
        Command::Tune {
            scenario,
            service_levels,
            methods,
            forecasts,
            target_fill_rate,
            out,
            seed,
            days,
            quiet,
        } => {
            if !(target_fill_rate > 0.0 && target_fill_rate <= 1.0) {
                return Err(CalculatorError::Argument {
                    option: "--target-fill-rate",
                    problem: format!("must be in (0, 1], got {target_fill_rate}"),
                }
                .into());
            }
            let settings = tune::grid(&service_levels, &methods, &forecasts)?;
            // Load once up front so a bad scenario fails before any run starts.
            let name = Scenario::load(&scenario)?.scenario.name;
            if !quiet {
                println!("tuning {name}: {} settings in parallel", settings.len());
            }
            let rows = tune::run_grid(&scenario, &settings, seed, days)?;
            let path = out.join(&name).join("tune.csv");
            tune::write_csv(&rows, &path)?;
            if !quiet {
                print!("{}", tune::report(&rows, target_fill_rate));
                println!("wrote {}", path.display());
            }
            Ok(())
        }
        Command::Forecast {
            file,
            method,
            horizon,
            season_length,
            window,
            alpha,
            beta,
            gamma,
            alpha_demand,
            alpha_probability,
            json,
        } => {
            let params = qm_engine::forecast::MethodParams {
                alpha,
                beta,
                gamma,
                season_length,
                window,
                alpha_demand,
                alpha_probability,
            };
            // Check the method before reading the file: a typo is the likelier mistake.
            qm_engine::forecast::Method::from_name(&method, &params).map_err(|e| {
                CalculatorError::Argument {
                    option: "--method",
                    problem: e.to_string(),
                }
            })?;
            let series = calculators::read_series(&file)?;
            let forecast = calculators::forecast_series(&series, &method, &params, horizon)?;
            if json {
                println!("{}", calculators::forecast_json(&forecast));
            } else {
                print!("{}", calculators::forecast_text(&forecast));
            }
            Ok(())
        }
        Command::Import {
            file,
            out,
            preset,
            mapping,
            strict,
            quiet,
        } => import_command(
            &file,
            &out,
            preset.as_deref(),
            mapping.as_deref(),
            strict,
            quiet,
        ),
        Command::Simulate {
            scenario,
            out,
            seed,
            seeds,
            days,
            formats,
            quiet,
        } => {
            let format = formats.list;
            stop_on_ctrl_c();
            let mut loaded = Scenario::load(&scenario)?;
            if let Some(days) = days {
                let horizon = *loaded.scenario.horizon.days.get_ref();
                loaded.scenario.horizon.days = toml::Spanned::new(0..0, days.min(horizon));
            }
            let s = &loaded.scenario;
            let dir = out.join(&s.name);
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
                let outputs: Vec<anyhow::Result<RunOutput>> = seeds
                    .par_iter()
                    .map(|&seed| simulate_until(s, seed, &mut |_| {}, &INTERRUPTED))
                    .collect();
                for (seed, output) in seeds.iter().zip(outputs) {
                    finish_run(&output?, &dir.join(format!("seed-{seed}")), &format, quiet)?;
                }
                return Ok(());
            }
            let seed = seeds.first().copied().or(seed).unwrap_or(s.horizon.seed);
            let mut progress = Progress::new(*s.horizon.days.get_ref(), quiet);
            let output = simulate_until(s, seed, &mut |day| progress.day_done(day), &INTERRUPTED);
            progress.finish();
            finish_run(&output?, &dir, &format, quiet)
        }
        Command::Bench {
            scenario,
            strategies,
            replications,
            many:
                ManyRuns {
                    seed,
                    days,
                    out,
                    quiet,
                },
        } => {
            let kinds = qm_simulator::bench::strategies(&strategies, replications)?;
            // Load once up front so a bad scenario fails before any run starts.
            let loaded = Scenario::load(&scenario)?.scenario;
            let seed = seed.unwrap_or(loaded.horizon.seed);
            if !quiet {
                println!(
                    "benchmarking {} strategies × {replications} replications of {} in parallel",
                    kinds.len(),
                    loaded.name
                );
            }
            let results = qm_simulator::bench::run(&scenario, days, &kinds, replications, seed)?;
            let estimates = qm_simulator::bench::estimates(&results);
            let dir = out.join(&loaded.name).join("bench");
            let written = qm_simulator::bench::write(&results, &estimates, &dir)?;
            if !quiet {
                print!("{}", qm_simulator::bench::report(&results, &estimates));
                print_written(&dir, &written);
            }
            Ok(())
        }
        Command::Size {
            scenario,
            target_fulfillment,
            target_processing_hours,
            target_fill_rate,
            replications,
            many:
                ManyRuns {
                    seed,
                    days,
                    out,
                    quiet,
                },
        } => {
            // Load once up front so a bad scenario fails before any run starts.
            let loaded = Scenario::load(&scenario)?.scenario;
            let targets = qm_simulator::size::SizeTargets::new(
                target_fulfillment.unwrap_or(*loaded.targets.order_fulfillment_rate.get_ref()),
                target_processing_hours
                    .unwrap_or(*loaded.targets.processing_time_hours_p95.get_ref()),
                target_fill_rate.unwrap_or(*loaded.targets.demand_fill_rate.get_ref()),
            )?;
            if !quiet {
                println!(
                    "sizing {} warehouses of {}: fulfillment ≥ {} %, processing p95 ≤ {} h, fill \
                     rate ≥ {} %, over the run and its peak, in each of {replications} replications",
                    loaded.warehouses.len(),
                    loaded.name,
                    targets.fulfillment * 100.0,
                    targets.processing_hours_p95,
                    targets.fill_rate * 100.0,
                );
            }
            let progress: Box<dyn FnMut(&qm_simulator::size::Evaluation)> = if quiet {
                Box::new(|_| {})
            } else {
                Box::new(|e| {
                    let verdict = if e.meets() {
                        "meets".to_string()
                    } else {
                        format!("misses {}", e.misses.join(", "))
                    };
                    eprintln!("  {:<24} {:<40} {verdict}", e.step, e.point);
                })
            };
            let mut sizing = qm_simulator::size::Sizing::new(
                &scenario,
                days,
                targets,
                replications,
                seed,
                progress,
            )?;
            let recommendation = sizing.run()?;
            let dir = out.join(&loaded.name).join("size");
            let written = qm_simulator::size::write(&sizing, &recommendation, &dir)?;
            if !quiet {
                print!("{}", qm_simulator::size::report(&sizing, &recommendation));
                print_written(&dir, &written);
            }
            Ok(())
        }
        Command::Engine { command } => engine_command(command),
        Command::Report {
            run_dir,
            formats,
            out,
        } => {
            let format = formats.list;
            let data = read_results(&run_dir)?;
            let dir = out.unwrap_or(run_dir);
            let written = qm_reports::export::write(&data, &dir, &format)?;
            if data.is_empty() {
                println!("note: this run placed no orders; its rates are undefined (null)");
            }
            if let qm_reports::run::RunStatus::Failed {
                days_completed,
                message,
            } = &data.status
            {
                println!(
                    "note: this run failed after {days_completed} simulated day(s): {message}"
                );
            }
            print_written(&dir, &written);
            Ok(())
        }
        Command::Compare {
            run_dirs,
            out,
            quiet,
        } => {
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
    }
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

fn print_written(dir: &Path, written: &[PathBuf]) {
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    println!("wrote {}/: {}", dir.display(), names.join(", "));
}

/// `qm import`: reads, maps and counts every row, then writes the log.
fn import_command(
    file: &Path,
    out: &Path,
    preset: Option<&str>,
    mapping: Option<&Path>,
    strict: bool,
    quiet: bool,
) -> Result<(), Failure> {
    let mapping = match (preset, mapping) {
        (Some(name), _) => ColumnMapping::preset(name).ok_or_else(|| ImportError::Mapping {
            path: file.display().to_string(),
            message: format!("unknown preset `{name}`; presets: {}", PRESETS.join(", ")),
        })?,
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            toml::from_str(&text).map_err(|e| ImportError::Mapping {
                path: path.display().to_string(),
                message: e.to_string().trim_end().to_string(),
            })?
        }
        (None, None) => unreachable!("clap requires --preset or --mapping"),
    };
    // Wall time only for the rows-per-second figure printed to the user.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let imported = import(file, &mapping, strict)?;
    let seconds = started.elapsed().as_secs_f64();
    imported.log.write(out)?;
    if !quiet {
        print!("{}", describe(&imported.log.counts, &imported.bad_rows));
        println!(
            "read in {seconds:.2} s ({:.2} M rows/s); wrote {} ({} orders, {} lines, {} SKUs)",
            imported.log.counts.rows_read as f64 / seconds.max(1e-9) / 1e6,
            out.display(),
            imported.log.orders.len(),
            imported.log.lines.len(),
            imported.log.skus.len()
        );
    }
    Ok(())
}

fn print_summary(output: &RunOutput, dir: &Path, written: &[PathBuf]) {
    let k = &output.summary;
    let l = &output.data.latency;
    let percent = |x: f64| format!("{:.2} %", 100.0 * x);
    println!(
        "scenario {} · seed {} · {} days from {}",
        k.scenario, k.seed, k.days, k.start_date
    );
    let reserve = l.kinds.iter().find(|x| x.call == "reserve");
    let rows: Vec<(&str, String)> = vec![
        ("orders placed", k.orders_placed.to_string()),
        ("order fulfillment rate", percent(k.order_fulfillment_rate)),
        ("unit fill rate", percent(k.unit_fill_rate)),
        ("order accuracy", percent(k.order_accuracy)),
        (
            "oversold orders (units)",
            format!("{} ({})", k.orders_oversold, k.oversold_units),
        ),
        (
            "lost sales, units (not shown)",
            format!("{} ({})", k.lost_sales_units, k.lost_sales_units_not_shown),
        ),
        (
            "backordered orders (units)",
            format!("{} ({})", k.orders_backordered, k.units_backordered),
        ),
        (
            "carts abandoned",
            format!(
                "{} ({:.0} held unit-hours)",
                k.orders_abandoned, k.held_but_abandoned_unit_hours
            ),
        ),
        (
            "processing time mean / p50 / p95",
            format!(
                "{:.1} h / {:.1} h / {:.1} h",
                k.processing_time_hours_mean,
                k.processing_time_hours_p50,
                k.processing_time_hours_p95
            ),
        ),
        (
            "shipped within 24 h / 48 h",
            format!(
                "{} / {}",
                percent(k.shipped_within_24h_share),
                percent(k.shipped_within_48h_share)
            ),
        ),
        ("split shipment rate", percent(k.split_shipment_rate)),
        (
            "shipping cost / distance per order",
            format!(
                "{:.2} / {:.0} km",
                k.shipping_cost_cents_per_order / 100.0,
                k.shipping_distance_km_per_order
            ),
        ),
        (
            "capacity-saturated warehouse-days",
            k.capacity_saturated_warehouse_days.to_string(),
        ),
        (
            "average on hand",
            format!("{:.0} units", k.average_on_hand_units),
        ),
        ("stockout SKU-days", k.stockout_sku_days.to_string()),
        (
            "inventory turns a year",
            format!("{:.1}", k.inventory_turns_per_year),
        ),
        (
            "reserve latency p50 / p99",
            reserve.map_or("-".into(), |r| {
                format!("{} ns / {} ns", r.latency_ns_p50, r.latency_ns_p99)
            }),
        ),
        (
            "engine calls per second",
            format!("{:.0}", l.engine_calls_per_second),
        ),
    ];
    for (name, value) in rows {
        println!("  {name:<36} {value}");
    }
    print_written(dir, written);
    if written.iter().any(|p| p.ends_with("report.html")) {
        println!("open {}/report.html in a browser", dir.display());
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}
