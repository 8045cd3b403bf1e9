//! `qm tune`: a grid of safety-stock settings (service level × method × forecast) run on the
//! same demand, the cost and service of each over the days after the warm-up, the Pareto front
//! of total cost against fill rate, and the cheapest setting that meets a target fill rate.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use toml::Spanned;

use super::error::ToolError;
use super::parallel::all_or_first_error;
use super::shards::{self, Job, Plan, Shard, ShardDone};
use crate::scenario::{LoadedScenario, PolicyKind, SafetyStockMethod, Scenario};
use crate::sim::{simulate_until, RunOutput};
use crate::tools::calculators::{once_each, CalculatorError};
use crate::tools::stats::Estimate;
use qm_money::Cents;
use qm_reports::run::DayRow;

/// Most grid cells one `qm tune` runs: each is a whole simulation.
pub const MAX_GRID_CELLS: usize = 500;

/// One setting of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// Target: the cycle service level (normal, empirical) or the fill rate (fill_rate).
    pub service_level: f64,
    /// How safety stock is set.
    pub safety_stock: SafetyStockMethod,
    /// Forecast method.
    pub forecast: String,
}

/// What one run of one setting cost and delivered over the days after the warm-up, the days
/// its fill rate counts: the warm-up's days are the same transient for every setting (the
/// scenario's opening stock, forecasts still learning), and counting their cost beside a service
/// that leaves them out would weigh the two over different windows.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// Mean on-hand units at the closes.
    pub average_on_hand_units: f64,
    /// Holding cost of those closes.
    pub holding_cost_cents: Cents,
    /// Supplier orders placed at those closes × the scenario's `order_cost_cents`.
    pub ordering_cost_cents: Cents,
    /// Achieved fill rate: every run `qm tune` keeps has demand after the warm-up.
    pub fill_rate: f64,
    /// Achieved cycle service level; `None` when no replenishment cycle that began after the
    /// warm-up ended (the table's mean is then null).
    pub cycle_service_level: Option<f64>,
    /// SKU-days with no free unit anywhere, at those closes.
    pub stockout_sku_days: f64,
    /// Units lost of the orders placed on those days.
    pub lost_sales_units: f64,
    /// Supplier orders placed at those closes.
    pub supplier_orders: f64,
    /// How many days those are: the run's days after the warm-up.
    pub days_counted: u32,
}

impl Outcome {
    /// Holding plus ordering cost.
    pub fn total_cost_cents(&self) -> Cents {
        self.holding_cost_cents + self.ordering_cost_cents
    }
}

/// The total cost as a figure (cents) for means and intervals.
pub(crate) fn total_cost(o: &Outcome) -> f64 {
    o.total_cost_cents().as_f64()
}

/// What one setting cost and delivered over the replications: replication k ran with seed + k,
/// the same for every setting (common random numbers: every setting sees the same demand).
#[derive(Clone, Debug)]
pub struct TuneRow {
    /// The setting.
    pub setting: Setting,
    /// One outcome per replication, in order.
    pub runs: Vec<Outcome>,
}

impl TuneRow {
    /// The mean of `figure` over the replications, with its 95 % interval.
    pub fn estimate(&self, figure: impl Fn(&Outcome) -> f64) -> Estimate {
        let values: Vec<f64> = self.runs.iter().map(figure).collect();
        Estimate::of(&values).expect("at least one replication")
    }

    /// The mean of `figure` over the replications, with its 95 % interval; `None` when one of
    /// them leaves it undefined (a mean over fewer runs would not be the row's).
    pub fn defined(&self, figure: impl Fn(&Outcome) -> Option<f64>) -> Option<Estimate> {
        let values: Option<Vec<f64>> = self.runs.iter().map(figure).collect();
        Estimate::of(&values?)
    }

    /// The mean of `figure`.
    pub fn mean(&self, figure: impl Fn(&Outcome) -> f64) -> f64 {
        self.estimate(figure).mean
    }
}

/// Whether `b` beats `a`: no worse on mean total cost and mean fill rate, better on one, and,
/// with two or more replications, better beyond the noise: the paired differences of one of
/// the two (replication by replication) have a 95 % interval that excludes 0, and neither
/// goes significantly the other way.
fn beats(b: &TuneRow, a: &TuneRow) -> bool {
    let cost = |r: &TuneRow| r.mean(total_cost);
    let fill = |r: &TuneRow| r.mean(|o| o.fill_rate);
    let no_worse = cost(b) <= cost(a) && fill(b) >= fill(a);
    let better = cost(b) < cost(a) || fill(b) > fill(a);
    if !(no_worse && better) {
        return false;
    }
    if a.runs.len() < 2 || a.runs.len() != b.runs.len() {
        return true;
    }
    let paired = |figure: fn(&Outcome) -> f64| {
        let differences: Vec<f64> = a
            .runs
            .iter()
            .zip(&b.runs)
            .map(|(x, y)| figure(y) - figure(x))
            .collect();
        Estimate::of(&differences).expect("replications")
    };
    let (cost_gap, fill_gap) = (paired(total_cost), paired(|o: &Outcome| o.fill_rate));
    let cheaper = cost_gap.excludes_zero() && cost_gap.mean < 0.0;
    let fuller = fill_gap.excludes_zero() && fill_gap.mean > 0.0;
    let dearer = cost_gap.excludes_zero() && cost_gap.mean > 0.0;
    let emptier = fill_gap.excludes_zero() && fill_gap.mean < 0.0;
    (cheaper || fuller) && !(dearer || emptier)
}

/// The days every setting is judged on (day indices from the end of the warm-up to the end of
/// the runs: `days`, else the horizon); refuses runs too short to have any.
pub fn days_after_warmup(
    loaded: &LoadedScenario,
    days: Option<u32>,
) -> Result<std::ops::Range<u32>, ToolError> {
    let s = &loaded.scenario;
    let run_days = s.run_days(&loaded.path, days)?;
    let warmup = &s.replenishment.warmup_days;
    if run_days > *warmup.get_ref() {
        return Ok(*warmup.get_ref()..run_days);
    }
    let problem = format!(
        "the runs last {run_days} day(s), all inside the warm-up of {} days; tune judges a \
         setting by its fill rate after the warm-up, so give more days or a shorter warm-up",
        warmup.get_ref()
    );
    Err(match days {
        Some(_) => CalculatorError::Argument {
            option: "--days",
            problem,
        }
        .into(),
        None => loaded
            .invalid(warmup.span(), "replenishment.warmup_days", &problem)
            .into(),
    })
}

/// Checks the grid's values and builds it (every combination, in the order given).
pub fn grid(
    service_levels: &[f64],
    methods: &[String],
    forecasts: &[String],
) -> Result<Vec<Setting>, CalculatorError> {
    let argument = |option, problem: String| CalculatorError::Argument { option, problem };
    for &level in service_levels {
        if !(level > 0.0 && level < 1.0) {
            return Err(argument(
                "--service-levels",
                format!("{level} is not strictly between 0 and 1 (0.95 = 95 %)"),
            ));
        }
    }
    let methods = methods
        .iter()
        .map(|method| {
            SafetyStockMethod::from_name(method).ok_or_else(|| {
                let names: Vec<&str> = SafetyStockMethod::ALL.iter().map(|m| m.name()).collect();
                argument(
                    "--methods",
                    format!(
                        "unknown safety stock method `{method}` (methods: {})",
                        names.join(", ")
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for forecast in forecasts {
        qm_engine::forecast::Method::from_name(forecast, &Default::default()).map_err(|e| {
            let hint = "commas separate the forecasts here: join a combination's members with \
                        `+`, as mean:ses+tsb";
            argument("--forecasts", format!("{e} ({hint})"))
        })?;
    }
    let forecasts: Vec<String> = forecasts.iter().map(|f| f.replace('-', "_")).collect();
    once_each("--service-levels", service_levels, f64::to_string)?;
    once_each("--methods", &methods, |m| m.name().to_string())?;
    once_each("--forecasts", &forecasts, String::clone)?;
    let cells = service_levels.len() * methods.len() * forecasts.len();
    if cells == 0 || cells > MAX_GRID_CELLS {
        return Err(argument(
            "--service-levels/--methods/--forecasts",
            format!("the grid has {cells} settings; give between 1 and {MAX_GRID_CELLS}"),
        ));
    }
    let mut settings = Vec::with_capacity(cells);
    for &service_level in service_levels {
        for &method in &methods {
            for forecast in &forecasts {
                settings.push(Setting {
                    service_level,
                    safety_stock: method,
                    forecast: forecast.clone(),
                });
            }
        }
    }
    Ok(settings)
}

/// Runs every setting on the scenario at `path`, `replications` times (replication k with
/// seed + k, the scenario's seed unless `seed` is given: the same demand for every setting, as
/// demand draws have their own random stream), in parallel. A scenario on the `days` policy is
/// tuned as continuous review (s, Q). Once `stop` is set (Ctrl-C), no run starts and the runs
/// under way end at their next daily close: the settings whose replications did not all finish
/// are left out of the rows.
pub fn run_grid(
    path: &Path,
    settings: &[Setting],
    seed: Option<u64>,
    replications: u32,
    days: Option<u32>,
    run_done: &(dyn Fn() + Sync),
    stop: &AtomicBool,
) -> Result<Vec<TuneRow>, ToolError> {
    let runs: Vec<(usize, u64)> = (0..settings.len())
        .flat_map(|i| (0..u64::from(replications)).map(move |k| (i, k)))
        .collect();
    let outcomes = all_or_first_error(&runs, |&(i, k)| {
        let outcome = run_one(path, &settings[i], seed, k, days, stop);
        run_done();
        outcome
    })?;
    Ok(rows(settings, &outcomes, replications))
}

/// The rows of `settings` from their outcomes, setting-major: a setting with a replication
/// that did not finish is left out.
fn rows(settings: &[Setting], outcomes: &[Option<Outcome>], replications: u32) -> Vec<TuneRow> {
    settings
        .iter()
        .zip(outcomes.chunks(replications as usize))
        .filter_map(|(setting, runs)| {
            Some(TuneRow {
                setting: setting.clone(),
                runs: runs.iter().copied().collect::<Option<Vec<Outcome>>>()?,
            })
        })
        .collect()
}

/// How a sharded grid runs each setting.
#[derive(Clone, Copy, Debug)]
pub struct GridRuns {
    /// Replication k's seed is this + k (the scenario's, if not given).
    pub seed: Option<u64>,
    /// Replications per setting.
    pub replications: u32,
    /// Only the first days, if given.
    pub days: Option<u32>,
}

/// The runs folder of a sharded grid whose table goes to `dir/tune.csv`.
pub fn runs_dir(dir: &Path) -> PathBuf {
    dir.join("tune-runs")
}

/// The grid's runs in the order `--shard` splits them: setting-major, as [`run_grid`] runs them.
pub fn shard_jobs(settings: &[Setting], replications: u32) -> Vec<Job> {
    settings
        .iter()
        .flat_map(|setting| {
            let name = setting.safety_stock.name();
            let (forecast, level) = (&setting.forecast, setting.service_level);
            (0..replications).map(move |k| Job {
                label: format!("{name} {forecast} @ {level}, replication {k}"),
                file: Path::new(&format!("{name}-{forecast}-{level}"))
                    .join(format!("replication-{k}.qmb")),
            })
        })
        .collect()
}

/// The plan every shard of this grid writes into its files, and the gather checks. The target
/// fill rate is not in it: it judges the rows, it does not change a run.
pub fn shard_plan(
    path: &Path,
    loaded: &LoadedScenario,
    settings: &[Setting],
    runs: GridRuns,
) -> Result<Plan, ToolError> {
    let GridRuns {
        seed,
        replications,
        days,
    } = runs;
    let listed = |option: &str, value: &dyn Fn(&Setting) -> String| {
        let mut values: Vec<String> = Vec::new();
        for setting in settings {
            let v = value(setting);
            if !values.contains(&v) {
                values.push(v);
            }
        }
        format!("{option} {}", values.join(","))
    };
    let seed = seed.unwrap_or(loaded.scenario.horizon.seed);
    let options = vec![
        (
            "--service-levels",
            listed("--service-levels", &|s| s.service_level.to_string()),
        ),
        (
            "--methods",
            listed("--methods", &|s| s.safety_stock.name().to_string()),
        ),
        (
            "--forecasts",
            listed("--forecasts", &|s| s.forecast.clone()),
        ),
        ("--replications", format!("--replications {replications}")),
        ("--seed", format!("--seed {seed}")),
        (
            "--days",
            days.map_or("every day".into(), |d| format!("--days {d}")),
        ),
    ];
    Plan::new("tune", path, &loaded.scenario, options)
}

/// Runs `shard`'s runs of the grid, each into its file under [`runs_dir`]`(dir)`.
pub fn run_shard(
    path: &Path,
    settings: &[Setting],
    runs: GridRuns,
    shard: Shard,
    plan: &Plan,
    dir: &Path,
    run_done: &(dyn Fn() + Sync),
) -> Result<ShardDone, ToolError> {
    let GridRuns {
        seed,
        replications,
        days,
    } = runs;
    let never = AtomicBool::new(false);
    let run = |i: usize| {
        let (setting, k) = (i / replications as usize, i % replications as usize);
        let outcome = run_one(path, &settings[setting], seed, k as u64, days, &never)?;
        Ok(outcome.expect("a run nothing stops finishes"))
    };
    let jobs = shard_jobs(settings, replications);
    shards::run_shard(&jobs, plan, shard, &runs_dir(dir), run, run_done)
}

/// The grid's rows, read from its shards' files under [`runs_dir`]`(dir)`: what [`run_grid`]
/// returns in one process.
pub fn gather(
    settings: &[Setting],
    replications: u32,
    plan: &Plan,
    dir: &Path,
) -> Result<Vec<TuneRow>, ToolError> {
    let jobs = shard_jobs(settings, replications);
    let outcomes: Vec<Outcome> = shards::gather(&jobs, plan, &runs_dir(dir))?;
    let outcomes: Vec<Option<Outcome>> = outcomes.into_iter().map(Some).collect();
    Ok(rows(settings, &outcomes, replications))
}

/// One replication of one setting; `None` when `stop` kept it from starting or finishing.
fn run_one(
    path: &Path,
    setting: &Setting,
    seed: Option<u64>,
    replication: u64,
    days: Option<u32>,
    stop: &AtomicBool,
) -> Result<Option<Outcome>, ToolError> {
    if stop.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let mut s = Scenario::load_variant(path, days)?;
    let r = &mut s.replenishment;
    if *r.policy.get_ref() == PolicyKind::Days {
        r.policy = Spanned::new(0..0, PolicyKind::ReorderQuantity);
    }
    r.safety_stock = Spanned::new(0..0, setting.safety_stock);
    r.forecast = Spanned::new(0..0, setting.forecast.clone());
    if setting.safety_stock == SafetyStockMethod::FillRate {
        r.fill_rate = Spanned::new(0..0, setting.service_level);
    } else {
        r.service_level = Spanned::new(0..0, setting.service_level);
    }
    let order_cost_cents = *r.order_cost_cents.get_ref();
    let warmup_days = *r.warmup_days.get_ref();
    let seed = seed.unwrap_or(s.horizon.seed).wrapping_add(replication);
    let which = format!(
        "{} {} @ {}, replication {replication}",
        setting.safety_stock.name(),
        setting.forecast,
        setting.service_level
    );
    let output = simulate_until(&s, seed, &mut |_| {}, stop);
    // A run that Ctrl-C stopped midway is left out, not an error.
    let interrupted = |o: &RunOutput| o.failure().is_some() && stop.load(Ordering::Relaxed);
    if output.as_ref().is_ok_and(interrupted) {
        return Ok(None);
    }
    let output = ToolError::whole_run(output, &which)?;
    let k = output.summary;
    let Some(fill_rate) = k.achieved_fill_rate else {
        return Err(ToolError::Unjudged(format!(
            "{which}: no demand after the warm-up (replenishment.warmup_days = {warmup_days} of \
             {} days), so no fill rate to judge the setting by",
            k.days
        )));
    };
    let judged: Vec<&DayRow> = output
        .data
        .daily
        .iter()
        .filter(|d| d.day >= warmup_days)
        .collect();
    let sum = |figure: fn(&DayRow) -> u64| judged.iter().map(|&d| figure(d)).sum::<u64>();
    let supplier_orders = sum(|d| d.supplier_orders);
    Ok(Some(Outcome {
        average_on_hand_units: sum(|d| d.on_hand_units) as f64 / judged.len().max(1) as f64,
        holding_cost_cents: judged.iter().map(|d| d.holding_cost_cents).sum(),
        ordering_cost_cents: order_cost_cents.times(supplier_orders),
        fill_rate,
        cycle_service_level: k.achieved_cycle_service_level,
        stockout_sku_days: sum(|d| d.stockout_skus) as f64,
        lost_sales_units: sum(|d| d.counts.lost_sales_units) as f64,
        supplier_orders: supplier_orders as f64,
        days_counted: judged.len() as u32,
    }))
}

/// The least target a bisection settles: it stops when the bracket is this narrow.
pub const SEARCH_TOLERANCE: f64 = 0.005;
/// The bracket a bisection starts from.
pub const SEARCH_RANGE: (f64, f64) = (0.5, 0.999);

/// What a bisection found for one safety-stock method and forecast.
#[derive(Clone, Debug)]
pub struct Found {
    /// The method and forecast searched (the setting's target is the answer).
    pub setting: Setting,
    /// The run at the least target whose mean fill rate met the goal (within
    /// [`SEARCH_TOLERANCE`]); `None` when even the top of [`SEARCH_RANGE`] missed it.
    pub found: Option<TuneRow>,
    /// Settings run on the way.
    pub evaluated: usize,
}

/// For every method × forecast, the least target (service level; the fill rate target for
/// `fill_rate`) whose mean fill rate over the replications meets `goal`, by bisection over
/// [`SEARCH_RANGE`] to [`SEARCH_TOLERANCE`]: the cheapest setting meeting it when cost rises
/// with the target. Returns every setting run (for the table) and what each search found.
pub fn bisect(
    path: &Path,
    searches: &[Setting],
    goal: f64,
    seed: Option<u64>,
    replications: u32,
    days: Option<u32>,
    run_done: &(dyn Fn() + Sync),
) -> Result<(Vec<TuneRow>, Vec<Found>), ToolError> {
    let results = all_or_first_error(searches, |search| {
        let mut rows: Vec<TuneRow> = Vec::new();
        // Runs the search's setting at `level`: the index of its row when it meets the goal.
        let mut meets = |level: f64| -> Result<Option<usize>, ToolError> {
            let setting = Setting {
                service_level: level,
                ..search.clone()
            };
            // A search runs to its end: it has no use for the half of a bisection.
            let never = AtomicBool::new(false);
            let grid = run_grid(path, &[setting], seed, replications, days, run_done, &never);
            let row = grid?.remove(0);
            let met = row.mean(|o| o.fill_rate) >= goal;
            rows.push(row);
            Ok(met.then_some(rows.len() - 1))
        };
        let (mut low, mut high) = SEARCH_RANGE;
        let found = match meets(high)? {
            None => None,
            Some(top) => match meets(low)? {
                Some(bottom) => Some(bottom),
                None => {
                    let mut best = top;
                    while high - low > SEARCH_TOLERANCE {
                        // To a millionth, far below the tolerance, so the level run is
                        // the level shown (not 0.8079765624999999).
                        let middle = (0.5 * (low + high) * 1e6).round() / 1e6;
                        match meets(middle)? {
                            Some(row) => (high, best) = (middle, row),
                            None => low = middle,
                        }
                    }
                    Some(best)
                }
            },
        };
        let found = Found {
            setting: search.clone(),
            found: found.map(|i| rows[i].clone()),
            evaluated: rows.len(),
        };
        Ok::<_, ToolError>((rows, found))
    })?;
    let mut rows = Vec::new();
    let mut found = Vec::new();
    for (r, f) in results {
        rows.extend(r);
        found.push(f);
    }
    Ok((rows, found))
}

/// Indexes of the rows no other row beats (`beats`: on mean total cost and mean fill rate,
/// beyond the noise), cheapest first.
pub fn pareto_front(rows: &[TuneRow]) -> Vec<usize> {
    let mut front: Vec<usize> = (0..rows.len())
        .filter(|&i| !rows.iter().any(|b| beats(b, &rows[i])))
        .collect();
    front.sort_by(|&a, &b| {
        rows[a]
            .mean(total_cost)
            .total_cmp(&rows[b].mean(total_cost))
            .then(a.cmp(&b))
    });
    front
}

/// The row of least mean total cost whose mean fill rate meets `target`.
pub fn cheapest_meeting(rows: &[TuneRow], target: f64) -> Option<usize> {
    (0..rows.len())
        .filter(|&i| rows[i].mean(|o| o.fill_rate) >= target)
        .min_by(|&a, &b| {
            rows[a]
                .mean(total_cost)
                .total_cmp(&rows[b].mean(total_cost))
                .then(a.cmp(&b))
        })
}
