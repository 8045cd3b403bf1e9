//! The command line as typed values: clap's structs, one per subcommand.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use qm_reports::export::Format;
use qm_simulator::durable::MAX_BATCH_COMMANDS;
use qm_simulator::scenario::MAX_DAYS;
use qm_simulator::sim::cost_bound::Relaxation;
use qm_simulator::tools::shards::Shard;

/// Quartermaster: stock allocation engine and supply-chain simulator.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands, each with its options.
#[derive(Subcommand)]
pub enum Command {
    /// Run a scenario through the engine and write its KPIs.
    Simulate(SimulateArgs),
    /// Benchmark allocation strategies on one scenario: the same demand through each (common
    /// random numbers), replicated, in parallel; KPIs with 95 % intervals and paired differences
    /// against the first strategy, and the engine's speed.
    Bench(BenchArgs),
    /// Size warehouses: per warehouse, the smallest stock level and pick/pack capacity at which
    /// the targets hold over the whole run and over its peak (the days events raise demand), in
    /// every replication; with the KPIs at ±10 % around it.
    Size(SizeArgs),
    /// The durable engine: every command journaled (group commit) before it is acknowledged,
    /// and the state rebuilt from the journal after a crash.
    Engine {
        #[command(subcommand)]
        command: EngineCommand,
    },
    /// Serve the durable engine over HTTP (JSON): reserve, confirm, release, ship, receipts and
    /// stock, each write answered once it is journaled and synced (docs/service.md).
    Serve(ServeArgs),
    /// Write a run's reports again from its folder (the results `qm simulate` kept there).
    Report(ReportArgs),
    /// Compare runs side by side: every KPI with its difference against the first run, and the
    /// report's charts overlaid (compare.csv, compare.parquet, compare.html).
    Compare(CompareArgs),
    /// Import a recorded order history (CSV, CSV.gz or Parquet) into a binary demand log.
    Import(ImportArgs),
    /// Safety stock and reorder point for a service level or a fill rate, or the numbers of a
    /// given reorder point (daily demand independent from day to day; lead time in days).
    /// `qm policy eoq` and `qm policy loss` answer the EOQ problem and give the standard
    /// normal loss functions.
    #[command(
        allow_negative_numbers = true,
        args_conflicts_with_subcommands = true,
        subcommand_negates_reqs = true
    )]
    #[command(group(clap::ArgGroup::new("target").required(true).args(["service_level", "fill_rate", "reorder_point"])))]
    Policy(PolicyArgs),
    /// Run a grid of safety-stock settings on the same demand: cost against service, the
    /// Pareto front, and the cheapest setting meeting a target fill rate.
    Tune(TuneArgs),
    /// Forecast one daily demand series: a file (CSV, gzip or not, or Parquet) with a single column
    /// `units`, oldest day first.
    Forecast(ForecastArgs),
}

/// `qm serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// The engine's folder: made from --scenario if it is new, else opened where its journal
    /// left off (a folder of `qm engine drive` too).
    pub dir: PathBuf,
    /// The scenario whose opening engine a new folder starts from (a folder made from another
    /// is refused).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Seed of a new folder's opening engine (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The address to listen on (port 0: any free port, printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// A snapshot after every this many commands (0: none).
    #[arg(long, default_value_t = 1_000_000)]
    pub snapshot_every: u64,
    /// Orders the engine holds at once (open, and finished ones not yet archived), allocated
    /// at start, about 300 bytes each: past it the order table grows, pausing every request
    /// for the copy.
    #[arg(long, default_value_t = 1_000_000)]
    pub open_orders: usize,
    /// Finished orders (released, expired, or shipped whole) placed more than this many days
    /// ago are archived at start and every hour: forgotten, their ids free again. Returns can
    /// name an order until then.
    #[arg(long, default_value_t = 30)]
    pub keep_finished_days: u32,
    /// A connection that moves no byte for this many seconds is closed (half a request, or a
    /// kept-alive connection left silent), and a stop waits at most this long for the requests
    /// under way.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_seconds: u64,
}

/// `qm simulate`.
#[derive(clap::Args)]
pub struct SimulateArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Folder for the outputs; the run goes in a sub-folder named after the scenario.
    #[arg(long, default_value = "runs")]
    pub out: PathBuf,
    /// Seed overriding the scenario's.
    #[arg(long, conflicts_with = "seeds")]
    pub seed: Option<u64>,
    /// Several seeds, run in parallel (comma-separated); each run gets a `seed-N` sub-folder.
    #[arg(long, value_delimiter = ',')]
    pub seeds: Vec<u64>,
    /// Simulate only the first N days of the horizon (N at most its days).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_DAYS as i64))]
    pub days: Option<u32>,
    /// Also compute the shipping-cost bound: the least carrier cost of the units shipped.
    /// `--cost-bound` charges a shipment's base price by its share of the order's units (one
    /// small programme per SKU, any run); `--cost-bound=line_share` by the largest share of a
    /// line it carries (tighter, one programme over the run, at most 1,000,000 variables).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "unit_share")]
    pub cost_bound: Option<Relaxation>,
    #[command(flatten)]
    pub formats: Formats,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// `qm bench`.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Strategies (comma-separated); the first is the reference.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "nearest,lowest_cost,fewest_shipments,most_stock,priority"
    )]
    pub strategies: Vec<String>,
    /// Replications per strategy: replication k runs every strategy with seed + k.
    #[arg(long, default_value_t = 10)]
    pub replications: u32,
    /// Also compute each run's shipping-cost bound, to see how far each strategy's carrier
    /// cost is from the least any allocation could pay: `--cost-bound` (by units' share, any
    /// run) or `--cost-bound=line_share` (tighter, at most 1,000,000 variables a run).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "unit_share")]
    pub cost_bound: Option<Relaxation>,
    #[command(flatten)]
    pub split: Split,
    #[command(flatten)]
    pub many: ManyRuns,
}

/// `qm size`.
#[derive(clap::Args)]
pub struct SizeArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Least order fulfillment rate (default: the scenario's `[targets]`).
    #[arg(long)]
    pub target_fulfillment: Option<f64>,
    /// Most 95th-percentile processing hours, placement to last shipment (default: the
    /// scenario's `[targets]`).
    #[arg(long)]
    pub target_processing_hours: Option<f64>,
    /// Least demand fill rate: units shipped ÷ units customers wanted, ordered or shown out
    /// of stock (default: the scenario's `[targets]`).
    #[arg(long)]
    pub target_fill_rate: Option<f64>,
    /// Runs per point, seeds SEED, SEED + 1, …: every one must meet the targets.
    #[arg(long, default_value_t = 3)]
    pub replications: u32,
    #[command(flatten)]
    pub many: ManyRuns,
}

/// `qm report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The run's folder, e.g. runs/baseline.
    pub run_dir: PathBuf,
    #[command(flatten)]
    pub formats: Formats,
    /// Write into this folder instead of the run's: the run's results file goes along, and
    /// another run's reports there are removed.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `qm compare`.
#[derive(clap::Args)]
pub struct CompareArgs {
    /// Two or more run folders; the first is the reference.
    #[arg(required = true, num_args = 2..)]
    pub run_dirs: Vec<PathBuf>,
    /// Folder for the comparison.
    #[arg(long, default_value = "runs/compare")]
    pub out: PathBuf,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// `qm import`.
#[derive(clap::Args)]
pub struct ImportArgs {
    /// The history file.
    pub file: PathBuf,
    /// The demand log to write.
    #[arg(long)]
    pub out: PathBuf,
    /// A built-in column layout: online_retail (UCI "Online Retail").
    #[arg(long, conflicts_with = "mapping", required_unless_present = "mapping")]
    pub preset: Option<String>,
    /// A TOML file naming the columns (keys as in `[demand.recorded.columns]`, see scenarios/README.md).
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Stop at the first row that does not parse (exit code 2) instead of skipping and counting it.
    #[arg(long)]
    pub strict: bool,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// `qm policy`.
#[derive(clap::Args)]
pub struct PolicyArgs {
    /// Another textbook problem instead of the reorder point.
    #[command(subcommand)]
    pub problem: Option<PolicyProblem>,
    /// Mean daily demand, units.
    #[arg(long, required = true)]
    pub mean_demand: Option<f64>,
    /// Standard deviation of daily demand, units.
    #[arg(long, required = true)]
    pub demand_std: Option<f64>,
    /// Mean supplier lead time, days.
    #[arg(long, required = true)]
    pub lead_time_days: Option<f64>,
    /// Standard deviation of the lead time, days.
    #[arg(long, default_value_t = 0.0)]
    pub lead_time_std: f64,
    /// Review period for periodic review (R, S), days; 0 = continuous review.
    #[arg(long, default_value_t = 0.0)]
    pub review_period_days: f64,
    /// Target cycle service level (probability of no stockout per cycle), e.g. 0.95.
    #[arg(long)]
    pub service_level: Option<f64>,
    /// Target fill rate (share of units served from stock), e.g. 0.98; needs --order-qty.
    #[arg(long)]
    pub fill_rate: Option<f64>,
    /// Evaluate this reorder point, units (under periodic review, this order-up-to level).
    #[arg(long, visible_alias = "order-up-to")]
    pub reorder_point: Option<f64>,
    /// Units per supplier order (for the fill rate).
    #[arg(long)]
    pub order_qty: Option<f64>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The textbook problems `qm policy` answers besides the reorder point.
#[derive(clap::Subcommand)]
pub enum PolicyProblem {
    /// The economic order quantity (Harris): the optimal quantity, its annual cost and orders a
    /// year; with --order-qty, that quantity's annual cost.
    #[command(allow_negative_numbers = true)]
    Eoq(EoqArgs),
    /// The standard normal loss functions at z: first order, its complement, second order, its
    /// complement.
    #[command(allow_negative_numbers = true)]
    Loss(LossArgs),
    /// The optimal base-stock level under periodic review (the critical fractile of the demand
    /// over lead time plus review period, Poisson or normal) and its expected cost per period;
    /// with --level, that level's cost.
    #[command(allow_negative_numbers = true)]
    BaseStock(BaseStockArgs),
    /// (r, Q) with backorders. Normal lead-time demand (--demand-std): a given (r, Q)'s exact
    /// expected cost and service; the best r for a given Q; or, with neither, the
    /// EOQ-plus-safety-stock and loss-function heuristics with their exact costs. Poisson demand
    /// (no --demand-std): a given whole (r, Q)'s exact cost, or the optimal (r, Q).
    #[command(allow_negative_numbers = true)]
    Rq(RqArgs),
    /// (s, S) under periodic review with backorders: Poisson demand (no --demand-std), the
    /// optimal (s, S) exactly and the power approximation with its exact cost, or a given whole
    /// (s, S)'s cost; normal demand (--demand-std), the power approximation.
    #[command(allow_negative_numbers = true)]
    Ss(SsArgs),
}

/// `qm policy ss`.
#[derive(clap::Args)]
pub struct SsArgs {
    #[command(flatten)]
    pub costs: CostArgs,
    /// Lead time, whole periods.
    #[arg(long, default_value_t = 0)]
    pub lead_time: u32,
    /// The reorder point s to cost (Poisson, with --order-up-to).
    #[arg(long, requires = "order_up_to")]
    pub reorder_point: Option<f64>,
    /// The order-up-to level S to cost (Poisson, with --reorder-point).
    #[arg(long, requires = "reorder_point")]
    pub order_up_to: Option<f64>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The costs and demand an (r, Q) or (s, S) problem starts from, per unit of time (per period
/// for (s, S)).
#[derive(clap::Args)]
pub struct CostArgs {
    /// Holding cost per unit per unit of time (h).
    #[arg(long)]
    pub holding_cost: f64,
    /// Stockout cost per unit backordered (p; per unit per period for (s, S)).
    #[arg(long)]
    pub stockout_cost: f64,
    /// Fixed cost per order (K).
    #[arg(long)]
    pub fixed_cost: f64,
    /// Mean demand per unit of time (λ).
    #[arg(long)]
    pub demand_mean: f64,
    /// Its standard deviation per unit of time: normal demand; without it, Poisson.
    #[arg(long)]
    pub demand_std: Option<f64>,
}

/// `qm policy rq`.
#[derive(clap::Args)]
pub struct RqArgs {
    #[command(flatten)]
    pub costs: CostArgs,
    /// Lead time, in the same time unit.
    #[arg(long)]
    pub lead_time: f64,
    /// The reorder point to evaluate (with --order-qty).
    #[arg(long, requires = "order_qty")]
    pub reorder_point: Option<f64>,
    /// The order quantity: evaluated with --reorder-point, else the best r for it.
    #[arg(long)]
    pub order_qty: Option<f64>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `qm policy base-stock`.
#[derive(clap::Args)]
pub struct BaseStockArgs {
    /// Holding cost per unit left over per period (h).
    #[arg(long)]
    pub holding_cost: f64,
    /// Stockout cost per unit short per period (p).
    #[arg(long)]
    pub stockout_cost: f64,
    /// Mean demand over lead time plus review period, units.
    #[arg(long)]
    pub demand_mean: f64,
    /// Its standard deviation: normal demand; without it, Poisson.
    #[arg(long)]
    pub demand_std: Option<f64>,
    /// Cost this base-stock level instead of the optimal one.
    #[arg(long)]
    pub level: Option<f64>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `qm policy eoq`.
#[derive(clap::Args)]
pub struct EoqArgs {
    /// Fixed cost per order (K), in any currency unit.
    #[arg(long)]
    pub fixed_cost: f64,
    /// Holding cost per unit per year (h), same currency unit.
    #[arg(long)]
    pub holding_cost: f64,
    /// Demand per year (D), units.
    #[arg(long)]
    pub demand_rate: f64,
    /// Also the annual cost of ordering this many units at a time.
    #[arg(long)]
    pub order_qty: Option<f64>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `qm policy loss`.
#[derive(clap::Args)]
pub struct LossArgs {
    /// The standard normal value z.
    #[arg(long)]
    pub z: f64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `qm tune`.
#[derive(clap::Args)]
pub struct TuneArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Target levels (cycle service level; the fill rate for the fill_rate method).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0.80,0.90,0.95,0.98,0.99"
    )]
    pub service_levels: Vec<f64>,
    /// Safety stock methods: normal, fill_rate, empirical, quantile.
    #[arg(long, value_delimiter = ',', default_value = "normal,empirical")]
    pub methods: Vec<String>,
    /// Forecast methods (as `qm forecast`; a combination as `mean:A+B`).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ses,holt_winters_fitted,tsb"
    )]
    pub forecasts: Vec<String>,
    /// The fill rate the recommendation must reach.
    #[arg(long, default_value_t = 0.98)]
    pub target_fill_rate: f64,
    /// Folder for the table; it goes to `OUT/<scenario>/tune.csv`.
    #[arg(long, default_value = "runs")]
    pub out: PathBuf,
    /// Seed overriding the scenario's: replication k runs every setting with seed + k.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Instead of the grid of --service-levels, search each method × forecast by bisection for
    /// the least target whose mean fill rate meets --target-fill-rate.
    #[arg(long, conflicts_with = "service_levels")]
    pub bisect: bool,
    /// Replications per setting (common random numbers: replication k is the same demand for
    /// every setting); two or more give 95 % intervals and a Pareto front beyond the noise.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub replications: u32,
    /// Simulate only the first N days of the horizon (N at most its days).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_DAYS as i64))]
    pub days: Option<u32>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub split: Split,
}

/// `qm bench` and `qm tune` split over many processes (`deploy/README.md`).
#[derive(clap::Args)]
pub struct Split {
    /// Run only shard I of N (from 0: a Slurm array task's
    /// `$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`): the runs whose index is I modulo N,
    /// each written under `OUT/<scenario>/` (`bench/runs/`, `tune-runs/`) as it ends; a shard run
    /// again skips the runs it finished. `--gather` then writes the tables.
    /// Not with `qm tune --bisect`, whose runs depend on the runs before them.
    #[arg(long, value_name = "I/N", conflicts_with = "gather")]
    pub shard: Option<Shard>,
    /// Write the tables from the runs the shards wrote (give the shards' options), byte for
    /// byte what one process writes; names the runs still missing.
    #[arg(long)]
    pub gather: bool,
}

/// `qm forecast`.
#[derive(clap::Args)]
pub struct ForecastArgs {
    /// The series (CSV, gzip or not, or Parquet).
    pub file: PathBuf,
    /// naive, seasonal_naive, moving_average, ses, holt, holt_winters, croston, sba, tsb, auto,
    /// a fitted family (ses_fitted … holt_winters_fitted), auto_ets, adida, imapa, or mean:A,B[,…].
    /// Of one series without --date, those fitted ones (and auto's choice) go as in a scenario,
    /// day by day; with --date, on the whole history at once.
    #[arg(long)]
    pub method: String,
    /// Days to forecast.
    #[arg(long, default_value_t = 14)]
    pub horizon: u32,
    /// Season length, days (seasonal_naive, holt_winters; of one series also auto_ets and
    /// holt_winters_fitted). A method that does not read an option refuses it.
    #[arg(long)]
    pub season_length: Option<u32>,
    /// Window, days (moving_average).
    #[arg(long)]
    pub window: Option<u32>,
    /// Level smoothing α (ses, holt, holt_winters, croston, sba; weekday_ses of a file of many
    /// series, alone or in a mean); default 0.1.
    #[arg(long)]
    pub alpha: Option<f64>,
    /// Trend smoothing β (holt, holt_winters); default 0.1.
    #[arg(long)]
    pub beta: Option<f64>,
    /// Seasonal smoothing γ (holt_winters); default 0.1.
    #[arg(long)]
    pub gamma: Option<f64>,
    /// Demand-size smoothing (tsb); default 0.1.
    #[arg(long)]
    pub alpha_demand: Option<f64>,
    /// Demand-probability smoothing (tsb); default 0.1.
    #[arg(long)]
    pub alpha_probability: Option<f64>,
    /// Print `{"method": ..., "forecast": [...]}` instead of text (one series: a dated file
    /// writes its forecasts to `--out`, `forecast.json` among them).
    #[arg(long, conflicts_with = "date")]
    pub json: bool,
    /// A file of many series in long format: the id's column (several, comma-separated, are
    /// joined with `_`). With `--date` and `--value`; the method may then also be `weekday_ses`,
    /// and the fitted methods, `auto_ets`, `adida` and `imapa` fit the whole history at once.
    #[arg(long, value_delimiter = ',', requires_all = ["date", "value"])]
    pub id: Vec<String>,
    /// The day's column (YYYY-MM-DD, or a Parquet date) of a dated file: one series without
    /// `--id` (named after the file), many with it.
    #[arg(long, requires = "value")]
    pub date: Option<String>,
    /// The value's column (a count ≥ 0) of a dated file.
    #[arg(long, requires = "date")]
    pub value: Option<String>,
    /// Quantile levels of a long-format forecast (from the method's rolling-origin errors).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0.05,0.95",
        requires = "date"
    )]
    pub quantiles: Vec<f64>,
    /// Quantiles per horizon step, each from that step's errors and those of the 3 steps either
    /// side, instead of from every step's errors pooled.
    #[arg(long, requires = "date")]
    pub per_step_quantiles: bool,
    /// With `--method auto_ets`: quantiles from the chosen model's closed-form forecast
    /// variance (normal errors) where it has one (additive error, no multiplicative season),
    /// the rolling-origin errors' elsewhere.
    #[arg(long, requires = "date")]
    pub analytic_intervals: bool,
    /// Score the whole procedure from K rolling origins (the last horizon, the one before…).
    #[arg(long, default_value_t = 0, requires = "date", value_parser = clap::value_parser!(u32).range(0..=52))]
    pub backtest: u32,
    /// Also each series' demand over this many days from tomorrow, with quantiles of the sum
    /// (`lead_time.csv`): what a reorder point covers.
    #[arg(long, requires = "date", value_parser = clap::value_parser!(u32).range(1..=365))]
    pub lead_time_days: Option<u32>,
    /// Folder for a long-format forecast's files (`<out>/forecast/`).
    #[arg(long, default_value = "runs", requires = "date")]
    pub out: PathBuf,
}

/// Options of the commands that run a scenario many times (`bench`, `size`).
#[derive(clap::Args)]
pub struct ManyRuns {
    /// First seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Simulate only the first N days of the horizon (N at most its days).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_DAYS as i64))]
    pub days: Option<u32>,
    /// Folder for the results; they go to `OUT/<scenario>/<command>/`.
    #[arg(long, default_value = "runs")]
    pub out: PathBuf,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// `qm engine …`.
#[derive(Subcommand)]
pub enum EngineCommand {
    /// Drive a durable engine with a seeded stream of reserve, confirm, release, ship and
    /// receipt commands (pipelined), journaled in DIR; resumes the stream after a crash.
    /// Prints the throughput and the acknowledgement latency.
    Drive {
        /// The engine's folder (journal segments, snapshots, genesis.json, scenario.toml, and the
        /// lock file of the process that owns it).
        dir: PathBuf,
        /// The scenario whose opening engine a new folder starts from (a folder made from
        /// another is refused).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Seed of a new folder's opening engine and command stream (default: the scenario's; a
        /// folder made with another is refused).
        #[arg(long)]
        seed: Option<u64>,
        /// Commands to submit in this run.
        #[arg(long, default_value_t = 1_000_000)]
        commands: u64,
        /// Commands per submission, 1 to 1048576.
        #[arg(long, default_value_t = 64, value_parser = at_least_one(MAX_BATCH_COMMANDS))]
        submission: usize,
        /// Submissions in flight before waiting for the oldest acknowledgement, 1 to 1048576.
        #[arg(long, default_value_t = 64, value_parser = at_least_one(MAX_IN_FLIGHT))]
        in_flight: usize,
        /// Most commands in one journal batch (one fsync each), 1 to 1048576.
        #[arg(long, default_value_t = 4_096, value_parser = at_least_one(MAX_BATCH_COMMANDS))]
        batch_max_commands: usize,
        /// Microseconds a started batch waits for more commands (0: sync when the queue is
        /// empty), at most 1000000 (a second).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
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

/// The report formats a command writes.
#[derive(clap::Args)]
pub struct Formats {
    /// Report formats to write (comma-separated): csv, parquet, json, html.
    #[arg(long = "format", value_delimiter = ',', default_value = "csv,parquet,json,html", value_parser = parse_format)]
    pub list: Vec<Format>,
}

fn parse_format(name: &str) -> Result<Format, String> {
    Format::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format `{name}`; formats: {}", names.join(", "))
    })
}

/// Most submissions `qm engine drive` keeps in flight (each waits on one acknowledgement).
const MAX_IN_FLIGHT: usize = 1 << 20;

/// A whole number from 1 to `max`.
fn at_least_one(max: usize) -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(1..=max as u64)
}
