//! `qm size`: per warehouse, the smallest stock level (`stock_multiplier`) and pick/pack capacity
//! (order lines a day) at which the targets hold over the whole run and over its peak, found by
//! k-ary bisection over parallel simulation runs.
//!
//! Search (every step judged on the same replications, seeds `seed..seed + R`, so a step compares
//! like with like and the result is deterministic):
//! 1. Stock, with capacity unlimited: the scenario's multipliers (doubled until the targets hold,
//!    up to [`MAX_STOCK_SCALE`]×), then one factor on all warehouses together, then each
//!    warehouse alone, largest first, down to [`STOCK_RESOLUTION`].
//! 2. Capacity, at that stock: the ceiling is the busiest day each warehouse shipped with capacity
//!    unlimited (the run is then the same), then one factor on all, then each warehouse alone,
//!    down to [`CAPACITY_RESOLUTION`] of its ceiling.
//!
//! Every accepted step was a run that met the targets, so the recommendation itself did. It is a
//! point where no single warehouse can go lower alone (given that more stock or capacity never
//! hurts), not the only such point: the joint step first keeps the warehouses in proportion.

use std::path::{Path, PathBuf};

use qm_reports::format;
use qm_reports::unit::Unit;
use toml::Spanned;

use super::error::ToolError;
use super::parallel::all_or_first_error;
use crate::scenario::{Scenario, WarehouseSpec, MAX_PROCESSING_HOURS};
use crate::sim::{simulate, RunOutput};
use crate::tools::calculators::{typed, CalculatorError};

/// Points evaluated at once in each bisection round: the interval shrinks (K + 1)-fold a round.
/// A constant, not the core count, so the recommendation does not depend on the machine.
pub const POINTS_PER_ROUND: usize = 3;
/// The most replications per point.
pub const MAX_REPLICATIONS: u32 = 100;
/// Stock multipliers are searched in steps of this.
pub const STOCK_RESOLUTION: f64 = 0.05;
/// Capacities are searched in steps of this share of their ceiling.
pub const CAPACITY_RESOLUTION: f64 = 0.01;
/// How far the stock search scales the scenario's stock up before giving up.
pub const MAX_STOCK_SCALE: f64 = 16.0;
/// Capacity that never binds: more order lines a day than any scenario ships.
pub(crate) const UNLIMITED_LINES_PER_DAY: u32 = 1_000_000_000;
/// The most simulation runs one search may make (a bound, not a budget it aims for).
const MAX_RUNS: usize = 20_000;

/// What every replication must meet, over the whole run and over the peak orders.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SizeTargets {
    /// Least order fulfillment rate (orders shipped complete ÷ orders to ship).
    pub fulfillment: f64,
    /// Most 95th-percentile processing hours (placement to last shipment).
    pub processing_hours_p95: f64,
    /// Least demand fill rate: units shipped ÷ units wanted (ordered or shown out of stock).
    /// Stock moves it; fulfillment alone would not see stock run out, since customers do not
    /// order what a channel shows out of stock.
    pub fill_rate: f64,
}

impl SizeTargets {
    /// Checks the targets' ranges.
    pub fn new(
        fulfillment: f64,
        processing_hours_p95: f64,
        fill_rate: f64,
    ) -> Result<SizeTargets, CalculatorError> {
        let argument = |option, problem: String| CalculatorError::Argument { option, problem };
        if !(fulfillment > 0.0 && fulfillment <= 1.0) {
            return Err(argument(
                "--target-fulfillment",
                format!("{fulfillment} is not a share in (0, 1] (0.98 = 98 %)"),
            ));
        }
        if !(processing_hours_p95 > 0.0 && processing_hours_p95 <= MAX_PROCESSING_HOURS) {
            return Err(argument(
                "--target-processing-hours",
                format!(
                    "{} is not a number of hours > 0 and ≤ {MAX_PROCESSING_HOURS} (the longest \
                     run's)",
                    typed(processing_hours_p95)
                ),
            ));
        }
        if !(fill_rate > 0.0 && fill_rate <= 1.0) {
            return Err(argument(
                "--target-fill-rate",
                format!("{fill_rate} is not a share in (0, 1] (0.95 = 95 %)"),
            ));
        }
        Ok(SizeTargets {
            fulfillment,
            processing_hours_p95,
            fill_rate,
        })
    }
}

/// Stock and capacity of every warehouse, in the scenario's order.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Order lines each can pick and pack a day.
    pub capacity_lines_per_day: Vec<u32>,
    /// Each one's `stock_multiplier`.
    pub stock_multiplier: Vec<f64>,
}

impl std::fmt::Display for Point {
    /// `capacity 1200, 900 · stock 1, 0.85`; unlimited capacity shows as ∞.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let capacity: Vec<String> = self
            .capacity_lines_per_day
            .iter()
            .map(|&c| match c {
                UNLIMITED_LINES_PER_DAY => "∞".to_string(),
                c => c.to_string(),
            })
            .collect();
        let stock: Vec<String> = self.stock_multiplier.iter().map(f64::to_string).collect();
        write!(
            f,
            "capacity {} · stock {}",
            capacity.join(", "),
            stock.join(", ")
        )
    }
}

/// The KPIs a sizing judges, from one run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measured {
    /// Orders shipped complete ÷ orders to ship, whole run.
    pub order_fulfillment_rate: f64,
    /// The same over orders placed on peak days (`None` without peak orders).
    pub peak_order_fulfillment_rate: Option<f64>,
    /// 95th-percentile processing hours, whole run (`None` when no order shipped complete).
    pub processing_time_hours_p95: Option<f64>,
    /// The same over peak orders shipped complete.
    pub peak_processing_time_hours_p95: Option<f64>,
    /// Units shipped ÷ units wanted, whole run.
    pub demand_fill_rate: f64,
    /// The same over peak orders.
    pub peak_demand_fill_rate: Option<f64>,
    /// Per warehouse: most lines shipped in a day.
    pub peak_day_lines: Vec<u64>,
    /// Per warehouse: most paid lines left waiting at a cutoff.
    pub peak_backlog_lines: Vec<u64>,
    /// Per warehouse: most units on hand at a close.
    pub peak_on_hand_units: Vec<u64>,
}

impl Measured {
    fn of(output: &RunOutput) -> Measured {
        let k = &output.summary;
        let peak = k.peak_orders_to_ship > 0;
        Measured {
            order_fulfillment_rate: k.order_fulfillment_rate,
            peak_order_fulfillment_rate: peak.then_some(k.peak_order_fulfillment_rate),
            processing_time_hours_p95: (k.orders_shipped_complete > 0)
                .then_some(k.processing_time_hours_p95),
            peak_processing_time_hours_p95: (k.peak_orders_shipped_complete > 0)
                .then_some(k.peak_processing_time_hours_p95),
            demand_fill_rate: k.demand_fill_rate,
            peak_demand_fill_rate: peak.then_some(k.peak_demand_fill_rate),
            peak_day_lines: output
                .data
                .warehouses
                .iter()
                .map(|w| w.peak_day_lines)
                .collect(),
            peak_backlog_lines: output
                .data
                .warehouses
                .iter()
                .map(|w| {
                    let days = output.data.warehouse_daily.iter();
                    let own = days.filter(|d| d.warehouse == w.warehouse);
                    own.map(|d| d.backlog_lines).max().unwrap_or(0)
                })
                .collect(),
            peak_on_hand_units: output
                .data
                .warehouses
                .iter()
                .map(|w| w.peak_on_hand_units)
                .collect(),
        }
    }

    /// The worst of each judged KPI over `runs` (lowest rates, longest processing): meeting the
    /// targets there is meeting them in every run.
    pub fn worst(runs: &[Measured]) -> Measured {
        let low =
            |f: &dyn Fn(&Measured) -> Option<f64>| runs.iter().filter_map(f).min_by(f64::total_cmp);
        let high =
            |f: &dyn Fn(&Measured) -> Option<f64>| runs.iter().filter_map(f).max_by(f64::total_cmp);
        Measured {
            order_fulfillment_rate: low(&|m| Some(m.order_fulfillment_rate)).unwrap_or(0.0),
            peak_order_fulfillment_rate: low(&|m| m.peak_order_fulfillment_rate),
            processing_time_hours_p95: high(&|m| m.processing_time_hours_p95),
            peak_processing_time_hours_p95: high(&|m| m.peak_processing_time_hours_p95),
            demand_fill_rate: low(&|m| Some(m.demand_fill_rate)).unwrap_or(0.0),
            peak_demand_fill_rate: low(&|m| m.peak_demand_fill_rate),
            ..Default::default()
        }
    }

    /// The targets this run missed, in words; empty when it met them all. A value that would
    /// read as its target shows the decimals that tell them apart.
    pub fn misses(&self, t: &SizeTargets) -> Vec<String> {
        let (share, hours) = (Unit::Share, Unit::Hours);
        let checks = [
            (
                "fulfillment",
                Some(self.order_fulfillment_rate),
                t.fulfillment,
                share,
                false,
            ),
            (
                "peak fulfillment",
                self.peak_order_fulfillment_rate,
                t.fulfillment,
                share,
                false,
            ),
            (
                "fill rate",
                Some(self.demand_fill_rate),
                t.fill_rate,
                share,
                false,
            ),
            (
                "peak fill rate",
                self.peak_demand_fill_rate,
                t.fill_rate,
                share,
                false,
            ),
            (
                "processing p95",
                self.processing_time_hours_p95,
                t.processing_hours_p95,
                hours,
                true,
            ),
            (
                "peak processing p95",
                self.peak_processing_time_hours_p95,
                t.processing_hours_p95,
                hours,
                true,
            ),
        ];
        let mut misses = Vec::new();
        for (what, value, target, unit, at_most) in checks {
            let Some(v) = value.filter(|&v| if at_most { v > target } else { v < target }) else {
                continue;
            };
            misses.push(format!(
                "{what} {} {} {}",
                format::display_apart(v, target, unit),
                if at_most { ">" } else { "<" },
                format::display_given(target, unit)
            ));
        }
        misses
    }
}

/// One point with its replications' measurements.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// Which search step asked for it.
    pub step: String,
    /// The point.
    pub point: Point,
    /// One measurement per replication.
    pub runs: Vec<Measured>,
    /// Targets missed, at the worst replication's value (empty = every replication met every
    /// target).
    pub misses: Vec<String>,
}

impl Evaluation {
    /// Whether every replication met every target.
    pub fn meets(&self) -> bool {
        self.misses.is_empty()
    }

    /// The mean of `f` over the replications; `None` when one of them leaves it undefined (a
    /// mean over fewer runs would not be the point's).
    pub fn mean(&self, f: impl Fn(&Measured) -> Option<f64>) -> Option<f64> {
        let values: Vec<f64> = self.runs.iter().map(f).collect::<Option<_>>()?;
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    }

    /// The most of a per-warehouse figure over the replications.
    pub fn most(&self, f: impl Fn(&Measured) -> &Vec<u64>, warehouse: usize) -> u64 {
        self.runs.iter().map(|m| f(m)[warehouse]).max().unwrap_or(0)
    }
}

/// A sizing problem: the scenario, the targets and the replications.
pub struct Sizing {
    path: PathBuf,
    days: Option<u32>,
    /// What every replication must meet.
    pub targets: SizeTargets,
    /// The replications' seeds.
    pub seeds: Vec<u64>,
    /// Warehouse codes, in the scenario's order.
    pub warehouses: Vec<String>,
    /// The scenario's own point.
    pub scenario_point: Point,
    /// The scenario's `initial_stock.days_of_cover`.
    pub days_of_cover: f64,
    /// Each warehouse's `storage_capacity_units`.
    pub storage_capacity_units: Vec<Option<u64>>,
    /// Every point evaluated, in order.
    pub log: Vec<Evaluation>,
    progress: Box<dyn FnMut(&Evaluation)>,
}

/// What `qm size` recommends.
pub struct Recommendation {
    /// The point.
    pub point: Point,
    /// Its evaluation.
    pub at: Evaluation,
    /// The recommendation and its ±10 % neighbours: (label, evaluation).
    pub sensitivity: Vec<(String, Evaluation)>,
    /// Replication 0 at the recommendation, for its full report.
    pub report: RunOutput,
}

impl Sizing {
    /// A sizing of the scenario at `path` (its first `days` only if given), judged on
    /// `replications` runs with seeds `seed..`; `progress` sees every evaluation.
    pub fn new(
        path: &Path,
        days: Option<u32>,
        targets: SizeTargets,
        replications: u32,
        seed: Option<u64>,
        progress: Box<dyn FnMut(&Evaluation)>,
    ) -> Result<Sizing, ToolError> {
        if !(1..=MAX_REPLICATIONS).contains(&replications) {
            return Err(CalculatorError::Argument {
                option: "--replications",
                problem: format!("must be between 1 and {MAX_REPLICATIONS}, got {replications}"),
            }
            .into());
        }
        let s = Scenario::load_variant(path, days)?;
        let seed = seed.unwrap_or(s.horizon.seed);
        Ok(Sizing {
            path: path.to_path_buf(),
            days,
            targets,
            seeds: (0..replications as u64)
                .map(|k| seed.wrapping_add(k))
                .collect(),
            warehouses: s.per_warehouse(|w| w.code.clone()),
            scenario_point: Point {
                capacity_lines_per_day: s.per_warehouse(|w| *w.capacity_lines_per_day.get_ref()),
                stock_multiplier: s.per_warehouse(|w| *w.stock_multiplier.get_ref()),
            },
            days_of_cover: *s.initial_stock.days_of_cover.get_ref(),
            storage_capacity_units: s.per_warehouse(WarehouseSpec::storage_units),
            log: Vec::new(),
            progress,
        })
    }

    fn variant(&self, point: &Point) -> Result<Scenario, ToolError> {
        variant(&self.path, self.days, point)
    }

    /// The evaluations of `points`, running those not run before.
    fn evaluate(&mut self, step: &str, points: &[Point]) -> Result<Vec<Evaluation>, ToolError> {
        // A point run before (rounding repeats some) is not run again.
        let fresh: Vec<&Point> = points
            .iter()
            .filter(|&p| !self.log.iter().any(|e| e.point == *p))
            .collect();
        let mut points_to_run: Vec<Point> = Vec::new();
        for p in fresh {
            if !points_to_run.contains(p) {
                points_to_run.push(p.clone());
            }
        }
        let ran = self.run_points(step, &points_to_run)?;
        Ok(points
            .iter()
            .map(|p| {
                ran.iter()
                    .chain(&self.log)
                    .find(|e| e.point == *p)
                    .expect("every point was run now or before")
                    .clone()
            })
            .collect())
    }

    /// Runs every replication of every point in parallel; logs and returns their evaluations.
    fn run_points(&mut self, step: &str, points: &[Point]) -> Result<Vec<Evaluation>, ToolError> {
        if (self.log.len() + points.len()) * self.seeds.len() > MAX_RUNS {
            return Err(ToolError::Search(format!(
                "the search would pass {MAX_RUNS} simulation runs; use fewer --replications or \
                 --days"
            )));
        }
        let jobs: Vec<(usize, u64)> = (0..points.len())
            .flat_map(|p| self.seeds.iter().map(move |&seed| (p, seed)))
            .collect();
        let (path, days) = (&self.path, self.days);
        let measured: Vec<(usize, Measured)> = all_or_first_error(&jobs, |&(p, seed)| {
            let output = simulate(&variant(path, days, &points[p])?, seed, &mut |_| {});
            let output = ToolError::whole_run(output, &format!("{step}, seed {seed}"))?;
            if output.summary.orders_to_ship == 0 {
                return Err(ToolError::Unjudged(format!(
                    "{step}, seed {seed}: the run had no orders to ship in its {} day(s), so \
                         no fulfillment or fill rate to size for",
                    output.summary.days
                )));
            }
            Ok((p, Measured::of(&output)))
        })?;
        let mut evaluations: Vec<Evaluation> = points
            .iter()
            .map(|point| Evaluation {
                step: step.to_string(),
                point: point.clone(),
                runs: Vec::new(),
                misses: Vec::new(),
            })
            .collect();
        for (p, m) in measured {
            evaluations[p].runs.push(m);
        }
        for e in &mut evaluations {
            e.misses = Measured::worst(&e.runs).misses(&self.targets);
        }
        for e in &evaluations {
            (self.progress)(e);
            self.log.push(e.clone());
        }
        Ok(evaluations)
    }

    /// The smallest grid step `i` in (lo, hi] whose point `at(i)` meets the targets, assuming
    /// `at(hi)` does and `at(lo)` does not (neither is run) and that more never hurts.
    fn bisect(
        &mut self,
        step: &str,
        mut lo: u64,
        mut hi: u64,
        at: &dyn Fn(u64) -> Point,
    ) -> Result<u64, ToolError> {
        assert!(lo < hi);
        let parts = POINTS_PER_ROUND as u64 + 1;
        while hi - lo > 1 {
            let mut xs: Vec<u64> = (1..parts)
                .map(|i| lo + ((hi - lo) * i).div_ceil(parts))
                .filter(|&x| x > lo && x < hi)
                .collect();
            xs.dedup();
            let points: Vec<Point> = xs.iter().map(|&x| at(x)).collect();
            let evaluations = self.evaluate(step, &points)?;
            match evaluations.iter().position(Evaluation::meets) {
                Some(0) => hi = xs[0],
                Some(i) => (lo, hi) = (xs[i - 1], xs[i]),
                None => lo = xs[xs.len() - 1],
            }
        }
        Ok(hi)
    }

    /// Searches stock, then capacity; evaluates the recommendation at ±10 %.
    pub fn run(&mut self) -> Result<Recommendation, ToolError> {
        let stock = self.search_stock()?;
        let capacity = self.search_capacity(&stock)?;

        // 3. The recommendation and its neighbours.
        let point = Point {
            capacity_lines_per_day: capacity,
            stock_multiplier: stock,
        };
        let scaled = |capacity: f64, stock: f64| Point {
            capacity_lines_per_day: point
                .capacity_lines_per_day
                .iter()
                .map(|&c| lines(c as f64 * capacity))
                .collect(),
            stock_multiplier: point
                .stock_multiplier
                .iter()
                .map(|m| (m * stock * 1e6).round() / 1e6)
                .collect(),
        };
        let labels = [
            ("recommended", 1.0, 1.0),
            ("capacity −10 %", 0.9, 1.0),
            ("capacity +10 %", 1.1, 1.0),
            ("stock −10 %", 1.0, 0.9),
            ("stock +10 %", 1.0, 1.1),
            ("both −10 %", 0.9, 0.9),
            ("both +10 %", 1.1, 1.1),
        ];
        let points: Vec<Point> = labels.iter().map(|&(_, c, s)| scaled(c, s)).collect();
        let evaluations = self.evaluate("sensitivity", &points)?;
        let at = evaluations[0].clone();
        if !at.meets() {
            return Err(ToolError::Search(format!(
                "the recommended point missed its targets when run again ({}): more stock or \
                 capacity made things worse somewhere, so the search's assumption failed; \
                 try more --replications",
                at.misses.join(", ")
            )));
        }
        let report = simulate(&self.variant(&point)?, self.seeds[0], &mut |_| {})?;
        Ok(Recommendation {
            point,
            at,
            sensitivity: labels
                .iter()
                .map(|(label, _, _)| label.to_string())
                .zip(evaluations)
                .collect(),
            report,
        })
    }

    /// Step 1: the least stock per warehouse that meets the targets with capacity unlimited:
    /// a generous level found by doubling, all warehouses together in twentieths of it, then
    /// each alone in steps of [`STOCK_RESOLUTION`].
    fn search_stock(&mut self) -> Result<Vec<f64>, ToolError> {
        let n = self.warehouses.len();
        // 1. Stock, capacity unlimited.
        let unlimited = vec![UNLIMITED_LINES_PER_DAY; n];
        let mut stock = self.scenario_point.stock_multiplier.clone();
        if stock.iter().all(|&m| m == 0.0) {
            stock = vec![1.0; n];
        }
        let mut scale = 1.0;
        let generous = loop {
            let point = Point {
                capacity_lines_per_day: unlimited.clone(),
                stock_multiplier: stock.iter().map(|m| m * scale).collect(),
            };
            let e = self.evaluate("stock: generous", &[point])?.remove(0);
            if e.meets() {
                break e;
            }
            if scale * 2.0 > MAX_STOCK_SCALE {
                return Err(ToolError::Search(format!(
                    "the targets are out of reach: with unlimited capacity and {scale}× the \
                     scenario's stock, {}. Stock and capacity cannot fix this (look at cart \
                     abandonment, payment failures, channel buffers or the targets themselves)",
                    e.misses.join(", ")
                )));
            }
            scale *= 2.0;
        };
        stock = generous.point.stock_multiplier.clone();
        // All warehouses together, in twentieths of the generous stock.
        let base = stock.clone();
        let at = |i: u64| Point {
            capacity_lines_per_day: unlimited.clone(),
            stock_multiplier: base
                .iter()
                .map(|m| round_to(m * i as f64 / 20.0, STOCK_RESOLUTION))
                .collect(),
        };
        stock = at(self.bisect("stock: all warehouses", 0, 20, &at)?).stock_multiplier;
        // Then each alone, in steps of STOCK_RESOLUTION.
        for w in largest_first(&stock) {
            let top = (stock[w] / STOCK_RESOLUTION).round() as u64;
            if top <= 1 {
                continue;
            }
            let base = stock.clone();
            let at = |i: u64| {
                let mut m = base.clone();
                m[w] = round_to(i as f64 * STOCK_RESOLUTION, STOCK_RESOLUTION);
                Point {
                    capacity_lines_per_day: unlimited.clone(),
                    stock_multiplier: m,
                }
            };
            let step = format!("stock: {}", self.warehouses[w]);
            stock = at(self.bisect(&step, 0, top, &at)?).stock_multiplier;
        }
        Ok(stock)
    }

    /// Step 2: the least pick/pack capacity per warehouse at that stock: the busiest day with
    /// capacity unlimited is the ceiling, then all warehouses together in hundredths of it,
    /// then each alone.
    fn search_capacity(&mut self, stock: &[f64]) -> Result<Vec<u32>, ToolError> {
        let n = self.warehouses.len();
        let unlimited = vec![UNLIMITED_LINES_PER_DAY; n];
        // 2. Capacity at that stock: the busiest day with capacity unlimited is the ceiling.
        let at_stock = Point {
            capacity_lines_per_day: unlimited.clone(),
            stock_multiplier: stock.to_vec(),
        };
        let e = self.evaluate("capacity: unlimited", &[at_stock])?.remove(0);
        let ceiling: Vec<u32> = (0..n)
            .map(|w| (e.most(|m| &m.peak_day_lines, w) as u32).max(1))
            .collect();
        let capacity_at = |capacities: Vec<u32>| Point {
            capacity_lines_per_day: capacities,
            stock_multiplier: stock.to_vec(),
        };
        // All warehouses together, in hundredths of the ceiling.
        let percent = (1.0 / CAPACITY_RESOLUTION).round() as u64;
        let at = |i: u64| {
            capacity_at(
                ceiling
                    .iter()
                    .map(|&c| lines(c as f64 * i as f64 / percent as f64))
                    .collect(),
            )
        };
        let mut capacity =
            at(self.bisect("capacity: all warehouses", 0, percent, &at)?).capacity_lines_per_day;
        // Then each alone, in steps of a hundredth of its ceiling.
        let order: Vec<f64> = capacity.iter().map(|&c| c as f64).collect();
        for w in largest_first(&order) {
            let unit = lines(ceiling[w] as f64 * CAPACITY_RESOLUTION);
            let top = (capacity[w] as u64).div_ceil(unit as u64);
            if top <= 1 {
                continue;
            }
            let base = capacity.clone();
            let at = |i: u64| {
                let mut c = base.clone();
                if i < top {
                    c[w] = i as u32 * unit;
                }
                capacity_at(c)
            };
            let step = format!("capacity: {}", self.warehouses[w]);
            capacity = at(self.bisect(&step, 0, top, &at)?).capacity_lines_per_day;
        }
        Ok(capacity)
    }
}

/// The scenario at `path` (its first `days`) with the warehouses set to `point`.
fn variant(path: &Path, days: Option<u32>, point: &Point) -> Result<Scenario, ToolError> {
    let mut s = Scenario::load_variant(path, days)?;
    for (w, spec) in s.warehouses.iter_mut().enumerate() {
        spec.capacity_lines_per_day = Spanned::new(0..0, point.capacity_lines_per_day[w]);
        spec.stock_multiplier = Spanned::new(0..0, point.stock_multiplier[w]);
    }
    Ok(s)
}

/// Indexes by value, largest first (ties: scenario order): the warehouses trimmed first.
fn largest_first(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    order
}

/// `x` rounded up to a multiple of `step` (stock levels read as 1.25×, not 1.2371×).
fn round_to(x: f64, step: f64) -> f64 {
    ((x / step - 1e-9).ceil() * step * 1e6).round() / 1e6
}

/// Whole order lines a day, at least one.
fn lines(x: f64) -> u32 {
    (x.ceil() as u32).max(1)
}

#[cfg(test)]
mod tests;
