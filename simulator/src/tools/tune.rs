//! `qm tune`: a grid of safety-stock settings (service level × method × forecast) run on the
//! same demand, the cost and service of each over the days after the warm-up, the Pareto front
//! of total cost against fill rate, and the cheapest setting that meets a target fill rate.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use polars::prelude::*;
use toml::Spanned;

use super::error::ToolError;
use super::parallel::all_or_first_error;
use crate::scenario::{LoadedScenario, PolicyKind, SafetyStockMethod, Scenario};
use crate::sim::{simulate_until, RunOutput};
use crate::tools::calculators::{once_each, CalculatorError};
use crate::tools::stats::Estimate;
use qm_money::Cents;
use qm_reports::run::DayRow;
use qm_reports::unit::Unit;

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
#[derive(Clone, Copy, Debug, Default, PartialEq)]
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
fn total_cost(o: &Outcome) -> f64 {
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
    let horizon_days = *s.horizon.days.get_ref();
    let run_days = days.map_or(horizon_days, |d| d.min(horizon_days));
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
        qm_engine::forecast::Method::from_name(forecast, &Default::default())
            .map_err(|e| argument("--forecasts", e.to_string()))?;
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
    Ok(settings
        .iter()
        .zip(outcomes.chunks(replications as usize))
        .filter_map(|(setting, runs)| {
            Some(TuneRow {
                setting: setting.clone(),
                runs: runs.iter().copied().collect::<Option<Vec<Outcome>>>()?,
            })
        })
        .collect())
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

/// What the bisections found, as text.
pub fn search_report(found: &[Found], goal: f64) -> String {
    let mut out = format!(
        "\nleast target meeting a mean fill rate of {:.2} % (bisection over {}–{}, to {}):\n",
        100.0 * goal,
        SEARCH_RANGE.0,
        SEARCH_RANGE.1,
        SEARCH_TOLERANCE
    );
    for f in found {
        let name = format!("{} {}", f.setting.safety_stock.name(), f.setting.forecast);
        let Some(row) = &f.found else {
            out.push_str(&format!(
                "  {name:<28} none: even {} misses it ({} settings run)\n",
                SEARCH_RANGE.1, f.evaluated
            ));
            continue;
        };
        let level = row.setting.service_level;
        out.push_str(&format!(
            "  {name:<28} {level}: total cost {}, fill {} ({} settings run){}\n",
            shown(row.estimate(total_cost), Unit::Cents),
            shown(row.estimate(|o| o.fill_rate), Unit::Share),
            f.evaluated,
            if level == SEARCH_RANGE.0 {
                "; the range's lowest edge already meets it"
            } else {
                ""
            }
        ));
    }
    out
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

/// A figure of an outcome; `None` where the run leaves it undefined.
type Figure = fn(&Outcome) -> Option<f64>;

/// The figures of the table, each as a mean and its 95 % half-width over the replications that
/// define it.
const FIGURES: [(&str, Figure); 8] = [
    ("average_on_hand_units", |o| Some(o.average_on_hand_units)),
    ("holding_cost_cents", |o| {
        Some(o.holding_cost_cents.as_f64())
    }),
    ("ordering_cost_cents", |o| {
        Some(o.ordering_cost_cents.as_f64())
    }),
    ("total_cost_cents", |o| Some(total_cost(o))),
    ("achieved_fill_rate", |o| Some(o.fill_rate)),
    ("achieved_cycle_service_level", |o| o.cycle_service_level),
    ("stockout_sku_days", |o| Some(o.stockout_sku_days)),
    ("lost_sales_units", |o| Some(o.lost_sales_units)),
];

/// The grid as a table: parameters → each figure's mean and 95 % half-width (null with one
/// replication), supplier orders, the Pareto flag, and the days the figures count.
pub fn table(rows: &[TuneRow]) -> PolarsResult<DataFrame> {
    let front = pareto_front(rows);
    let mut columns = vec![
        Column::new(
            "service_level".into(),
            rows.iter()
                .map(|r| r.setting.service_level)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "safety_stock_method".into(),
            rows.iter()
                .map(|r| r.setting.safety_stock.name())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "forecast_method".into(),
            rows.iter()
                .map(|r| r.setting.forecast.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "replications".into(),
            rows.iter().map(|r| r.runs.len() as u32).collect::<Vec<_>>(),
        ),
    ];
    for (name, figure) in FIGURES {
        let estimates: Vec<Option<Estimate>> = rows.iter().map(|r| r.defined(figure)).collect();
        columns.push(Column::new(
            name.into(),
            estimates
                .iter()
                .map(|e| e.map(|e| e.mean))
                .collect::<Vec<_>>(),
        ));
        columns.push(Column::new(
            format!("{name}_ci95").into(),
            estimates
                .iter()
                .map(|e| e.and_then(|e| e.half_width))
                .collect::<Vec<_>>(),
        ));
    }
    columns.push(Column::new(
        "supplier_orders".into(),
        rows.iter()
            .map(|r| r.mean(|o| o.supplier_orders))
            .collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "pareto".into(),
        (0..rows.len())
            .map(|i| front.contains(&i))
            .collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "days_counted".into(),
        rows.iter()
            .map(|r| r.runs.first().map_or(0, |o| o.days_counted))
            .collect::<Vec<_>>(),
    ));
    DataFrame::new(rows.len(), columns)
}

/// Writes the table as CSV to `path`.
pub fn write_csv(rows: &[TuneRow], path: &Path) -> Result<(), ToolError> {
    let frame = table(rows)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(ToolError::io("cannot create", dir))?;
    }
    qm_reports::export::write_csv(&frame, path)?;
    Ok(())
}

/// A mean and its 95 % half-width in `unit`, or the mean alone with one replication.
fn shown(e: Estimate, unit: Unit) -> String {
    match e.half_width {
        Some(h) => qm_reports::format::estimate(e.mean, h, unit),
        None if unit == Unit::Share => qm_reports::format::share_text(Some(e.mean)),
        None => qm_reports::format::cents(e.mean.round()),
    }
}

/// The table, the front and the recommendation as text.
pub fn report(rows: &[TuneRow], target_fill_rate: f64) -> String {
    let replications = rows.first().map_or(0, |r| r.runs.len());
    let mut out = if replications == 1 {
        "one replication: no interval (more --replications give each figure its 95 % interval)\n"
            .to_string()
    } else {
        format!(
            "means over {replications} replications with common random numbers, ± the 95 % \
             interval\n"
        )
    };
    // The forecast, cost, fill and CSL columns are as wide as their widest text, so the
    // columns stay aligned whatever the names and magnitudes.
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            [
                r.setting.forecast.clone(),
                shown(r.estimate(total_cost), Unit::Cents),
                shown(r.estimate(|o| o.fill_rate), Unit::Share),
                r.defined(|o| o.cycle_service_level)
                    .map_or("—".into(), |e| shown(e, Unit::Share)),
            ]
        })
        .collect();
    let headers = ["forecast", "total cost (holding + ordering)", "fill", "CSL"];
    let width = |c: usize| {
        cells
            .iter()
            .map(|row| row[c].chars().count())
            .chain([headers[c].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let (forecast_w, cost_w, fill_w, csl_w) = (width(0), width(1), width(2), width(3));
    out.push_str(&format!(
        "{:>7} {:<10} {:<forecast_w$} {:>12}  {:>cost_w$}  {:>fill_w$}  {:>csl_w$} {:>8}\n",
        "target", "safety", headers[0], "on hand", headers[1], headers[2], headers[3], "orders"
    ));
    let front = pareto_front(rows);
    for (i, (r, [forecast, cost, fill, csl])) in rows.iter().zip(&cells).enumerate() {
        out.push_str(&format!(
            "{:>7.3} {:<10} {forecast:<forecast_w$} {:>12.0}  {cost:>cost_w$}  {fill:>fill_w$}  {csl:>csl_w$} {:>8.0}{}\n",
            r.setting.service_level,
            r.setting.safety_stock.name(),
            r.mean(|o| o.average_on_hand_units),
            r.mean(|o| o.supplier_orders),
            if front.contains(&i) {
                "  ◆ pareto"
            } else {
                ""
            }
        ));
    }
    out.push_str(
        "\nPareto front (total cost against fill rate; a setting is off it only when another beats \
         it beyond the noise), cheapest first:\n",
    );
    for &i in &front {
        let r = &rows[i];
        out.push_str(&format!(
            "  total cost {} → {} fill  ({} {} @ {})\n",
            shown(r.estimate(total_cost), Unit::Cents),
            shown(r.estimate(|o| o.fill_rate), Unit::Share),
            r.setting.safety_stock.name(),
            r.setting.forecast,
            r.setting.service_level
        ));
    }
    out.push_str(&recommendation(rows, target_fill_rate));
    out
}

/// The cheapest setting meeting the target, and a warning when every setting meets it.
fn recommendation(rows: &[TuneRow], target_fill_rate: f64) -> String {
    let Some(i) = cheapest_meeting(rows, target_fill_rate) else {
        return format!(
            "\nno setting reached a fill rate of {:.2} %: raise the service levels or lower the target\n",
            100.0 * target_fill_rate
        );
    };
    let r = &rows[i];
    let mut out = format!(
        "\ncheapest setting with mean fill rate ≥ {:.2} %: safety_stock = \"{}\", forecast = \"{}\", {} = {} (total cost {}, fill {})\n",
        100.0 * target_fill_rate,
        r.setting.safety_stock.name(),
        r.setting.forecast,
        if r.setting.safety_stock == SafetyStockMethod::FillRate { "fill_rate" } else { "service_level" },
        r.setting.service_level,
        shown(r.estimate(total_cost), Unit::Cents),
        shown(r.estimate(|o| o.fill_rate), Unit::Share),
    );
    let fill = r.estimate(|o| o.fill_rate);
    if let Some(h) = fill
        .half_width
        .filter(|&h| fill.mean - h < target_fill_rate)
    {
        // The interval's low end at the precision the estimate is shown at.
        let decimals = qm_reports::format::decimals_for(h, Unit::Share);
        out.push_str(&format!(
            "note: its fill rate's 95 % interval reaches {}, below the target: the mean meets \
             it, the replications do not show it does; more --replications would tell\n",
            qm_reports::format::fixed(fill.mean - h, Unit::Share, decimals)
        ));
    }
    if rows
        .iter()
        .all(|r| r.mean(|o| o.fill_rate) >= target_fill_rate)
    {
        out.push_str(
            "warning: every setting meets the target, so the cheapest is the grid's lowest edge and \
             a cheaper one may lie below it: try lower --service-levels\n",
        );
    }
    out
}
