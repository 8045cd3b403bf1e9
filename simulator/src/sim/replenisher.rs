//! Forecast → safety stock → reorder, per SKU × warehouse, at each daily close; and the
//! calibration of it all: did the safety stock deliver the service it promised?
//!
//! Demand of a cell on a day = units held there + units backordered there + units lost that
//! the cell was the natural source of (the channel's warehouse nearest the customer). Units held
//! count as served from stock; the rest are short, and a replenishment cycle (receipt to
//! receipt) with any short unit is a stocked-out cycle.

use std::collections::VecDeque;

use qm_engine::forecast::{ForecastErrors, Forecaster, Method, MethodParams, UpliftLearner};
use qm_engine::lead_time_demand::Promise;
use qm_engine::safety_stock::{self, LeadTimeErrors, MAX_PROTECTION_DAYS};
use qm_engine::undershoot::DemandMoments;
use qm_money::Cents;
use qm_reports::run::SkuRow;

use super::cell_plan::{protects_undershoot, review_days, Decision, PlanContext};
use super::metrics::Summary;
use crate::demand::DemandModel;
use crate::scenario::{OrderQuantity, PolicyKind, SafetyStockMethod, Scenario};

/// Syntetos-Boylan cut-off: a mean interval between demands above this is intermittent.
const INTERMITTENT_ADI: f64 = 1.32;
/// Share of units that makes the fast movers (the "A" of an ABC split).
const FAST_SHARE_OF_UNITS: f64 = 0.8;

/// A supplier order a close decided.
pub struct SupplierOrder {
    /// The cell's SKU.
    pub sku: u32,
    /// The cell's warehouse.
    pub warehouse: u16,
    /// Units ordered.
    pub units: u32,
}

/// What a close needs to know about one cell.
pub struct CellState {
    /// Units free to promise (on hand − reserved − allocated).
    pub free_units: u64,
    /// Units backordered at the cell.
    pub backordered_units: u64,
}

/// The forecasting and reorder state of every cell.
pub struct Replenisher {
    /// The policy.
    pub policy: PolicyKind,
    safety_stock: SafetyStockMethod,
    service_level: f64,
    fill_rate: f64,
    fixed_order_units: Option<u32>,
    order_cost_cents: Cents,
    holding_rate_per_year: f64,
    review_period_days: u32,
    warmup_days: u32,
    known_events: bool,
    recorded: bool,
    /// Each warehouse's `stock_multiplier`, scaling its safety stock.
    stock_multiplier: Vec<f64>,
    warehouses: usize,
    prices: Vec<Cents>,
    forecasters: Vec<Forecaster>,
    lead_errors: Vec<LeadTimeErrors>,
    /// Per cell, reorder policies but `empirical`: its daily demand's moments, which give the
    /// undershoot below the reorder point.
    moments: Vec<DemandMoments>,
    /// `quantile` only, per cell: Σ over its orders of (P(no stockout) at the level the order
    /// was placed at − the promise). At or below 0 the next order waits for the upper of the two
    /// levels around the promise, above 0 for the lower, so the mean over orders is the promise.
    level_credit: Vec<f64>,
    /// `service_level` as a promise to bracket lead-time demand with.
    promise: Promise,
    /// Per cell: (mean, std) lead time in days and protection interval in whole days.
    lead_time_days: Vec<(f64, f64)>,
    protection_days: Vec<u32>,
    /// Per cell: today's units.
    today: UnitsToday,
    /// Per cell: the run's cycle and service tallies.
    cells: Vec<CellTally>,
    /// Per SKU: its demand and safety-stock tallies.
    skus: Vec<SkuTally>,
    safety_stock_unit_days: f64,
    /// Safety stock summed over cells at the last close.
    safety_stock_today_units: f64,
    /// Per-SKU calendar factors for today and the days ahead, today first.
    uplifts: VecDeque<Vec<f64>>,
    uplift_horizon_days: u32,
    learners: Vec<UpliftLearner>,
}

impl Replenisher {
    /// State for every cell of `skus × warehouses`; `supplier_lead` is each SKU's (mean, std)
    /// lead time in days. The scenario is validated.
    pub fn new(
        s: &Scenario,
        skus: usize,
        warehouses: usize,
        supplier_lead: impl Fn(usize) -> (f64, f64),
        unit_prices_cents: &[Cents],
        demand: &DemandModel,
    ) -> Replenisher {
        let r = &s.replenishment;
        let policy = *r.policy.get_ref();
        let safety_stock = *r.safety_stock.get_ref();
        let method =
            Method::from_name(r.forecast.get_ref(), &MethodParams::default()).expect("validated");
        let review = review_days(policy, safety_stock, *r.review_period_days.get_ref());
        let cells = skus * warehouses;
        let lead_time_days: Vec<(f64, f64)> =
            (0..cells).map(|c| supplier_lead(c / warehouses)).collect();
        let protection_days: Vec<u32> = lead_time_days
            .iter()
            .map(|&(mean, _)| ((mean + review as f64).ceil() as u32).clamp(1, MAX_PROTECTION_DAYS))
            .collect();
        let lead_errors =
            if safety_stock == SafetyStockMethod::Empirical && policy != PolicyKind::Days {
                protection_days
                    .iter()
                    .map(|&days| LeadTimeErrors::new(days, *r.service_level.get_ref()))
                    .collect()
            } else {
                Vec::new()
            };
        // One day past the longest protection interval: reorder points look at it to order
        // ahead of a rise (`cell_plan`).
        let uplift_horizon_days = protection_days.iter().copied().max().unwrap_or(1) + 1;
        Replenisher {
            policy,
            safety_stock,
            service_level: *r.service_level.get_ref(),
            fill_rate: *r.fill_rate.get_ref(),
            fixed_order_units: (*r.order_quantity.get_ref() == OrderQuantity::Fixed)
                .then(|| *r.fixed_order_units.get_ref()),
            order_cost_cents: *r.order_cost_cents.get_ref(),
            holding_rate_per_year: *s.catalog.holding_cost_rate_per_year.get_ref(),
            review_period_days: *r.review_period_days.get_ref(),
            warmup_days: *r.warmup_days.get_ref(),
            known_events: r.known_events,
            recorded: demand.recorded.is_some(),
            stock_multiplier: s.per_warehouse(|w| *w.stock_multiplier.get_ref()),
            warehouses,
            prices: unit_prices_cents.to_vec(),
            forecasters: (0..cells).map(|_| Forecaster::new(method)).collect(),
            lead_errors,
            moments: if protects_undershoot(policy, safety_stock) {
                vec![DemandMoments::default(); cells]
            } else {
                Vec::new()
            },
            promise: Promise::new(*r.service_level.get_ref()),
            level_credit: if safety_stock == SafetyStockMethod::Quantile {
                vec![0.0; cells]
            } else {
                Vec::new()
            },
            lead_time_days,
            protection_days,
            today: UnitsToday::new(cells),
            cells: vec![
                CellTally {
                    cycle_started_after_warmup: *r.warmup_days.get_ref() == 0,
                    ..CellTally::default()
                };
                cells
            ],
            skus: vec![SkuTally::default(); skus],
            safety_stock_unit_days: 0.0,
            safety_stock_today_units: 0.0,
            uplifts: VecDeque::new(),
            uplift_horizon_days,
            learners: (0..demand.event_count())
                .map(|_| UpliftLearner::new(1.0))
                .collect(),
        }
    }

    /// Units of `cell` held from stock.
    pub fn served(&mut self, cell: usize, units: u64) {
        self.today.demand[cell] += units as f64;
    }

    /// Units wanted from `cell` that it could not serve (backordered or lost).
    pub fn short(&mut self, cell: usize, units: u64) {
        self.today.demand[cell] += units as f64;
        self.today.short[cell] += units as f64;
    }

    /// `units` whose natural source is `home` (the channel's warehouse nearest the customer):
    /// `in_stock` when that cell served them or had the free units to (another warehouse may have
    /// shipped them with the rest of the order). Units it lacked (served elsewhere, backordered or
    /// lost for want of its stock) are a stockout of the cell: the service the cell's safety stock
    /// promises is measured here.
    pub fn home(&mut self, home: usize, units: u64, in_stock: bool) {
        self.today.home[home] += units as f64;
        if !in_stock {
            self.today.home_short[home] += units as f64;
            self.cells[home].stockout_in_cycle = true;
        }
    }

    /// Per cell: replenishment cycles that started after the warm-up, and those with a stockout.
    pub fn cell_cycles(&self) -> Vec<(u32, u32)> {
        self.cells
            .iter()
            .map(|c| (c.cycles, c.cycles_short))
            .collect()
    }

    /// A supplier order for `cell` was placed (every policy's orders come through here).
    pub fn ordered(&mut self, cell: usize, units: u64) {
        self.cells[cell].on_order_units += units;
    }

    /// Units on order for `cell`.
    pub fn on_order(&self, cell: usize) -> u64 {
        self.cells[cell].on_order_units
    }

    /// A receipt arrived at `cell` on `day`: it ends a replenishment cycle.
    pub fn received(&mut self, cell: usize, units: u64, day: u32) {
        let c = &mut self.cells[cell];
        c.on_order_units = c.on_order_units.saturating_sub(units);
        if c.cycle_started_after_warmup {
            c.cycles += 1;
            c.cycles_short += c.stockout_in_cycle as u32;
        }
        c.stockout_in_cycle = false;
        c.cycle_started_after_warmup = day >= self.warmup_days;
    }

    fn uplift_table(&mut self, day: u32, demand: &DemandModel) {
        let skus = self.skus.len();
        let learnt: Option<Vec<f64>> = self
            .recorded
            .then(|| self.learners.iter().map(|l| l.uplift()).collect());
        while self.uplifts.len() <= self.uplift_horizon_days as usize {
            let next_day = day + self.uplifts.len() as u32;
            let mut row = vec![1.0; skus];
            if self.known_events {
                demand.known_uplifts(next_day, learnt.as_deref(), &mut row);
            }
            self.uplifts.push_back(row);
        }
    }

    /// Closes `day`: every series observes its demand, and (forecast policies) every cell whose
    /// inventory position fell to its reorder point gets a supplier order. `cell_state(cell)`
    /// reads the engine.
    // Once a day: kept out of the event loop it would otherwise be inlined into.
    #[inline(never)]
    pub fn close(
        &mut self,
        day: u32,
        demand: &DemandModel,
        mut cell_state: impl FnMut(usize) -> CellState,
        orders: &mut Vec<SupplierOrder>,
    ) {
        self.uplift_table(day, demand);
        let warehouses = self.warehouses;
        let counted = day >= self.warmup_days;
        // Learn event sizes from full-strength event days (recorded demand).
        if self.recorded && self.known_events && !self.learners.is_empty() {
            let full: Vec<usize> = demand.events_in_full_on(day).collect();
            if !full.is_empty() {
                let actual: f64 = self.today.demand.iter().sum();
                let baseline: f64 = self.forecasters.iter().map(|f| f.forecast(1)).sum();
                for e in full {
                    self.learners[e].observe(actual, baseline);
                }
            }
        }
        let decisions = self.decide_all();
        let mut sku_today = 0.0;
        self.safety_stock_today_units = 0.0;
        for cell in 0..self.forecasters.len() {
            let sku = cell / warehouses;
            let units = self.today.demand[cell];
            if cell % warehouses == 0 {
                self.skus[sku].safety_today = 0.0;
                self.skus[sku].reorder_point_today = 0.0;
            }
            if counted {
                self.cells[cell].count_day(&self.today, cell);
            }
            self.skus[sku].units += units;
            // A SKU's cells are contiguous: its day is whole at its last cell.
            sku_today += units;
            if cell % warehouses == warehouses - 1 {
                if sku_today > 0.0 {
                    self.skus[sku].days_with_demand += 1;
                    self.skus[sku].units_squared += sku_today * sku_today;
                }
                sku_today = 0.0;
            }
            // None under `days`, whose forecasts only measure.
            let Some(&decision) = decisions.get(cell) else {
                continue;
            };
            let safety = decision.safety.max(0.0);
            self.safety_stock_unit_days += safety;
            self.safety_stock_today_units += safety;
            self.skus[sku].safety_today += safety;
            self.skus[sku].safety_unit_days += safety;
            self.skus[sku].reorder_point_today += decision.reorder_point;
            let state = cell_state(cell);
            let position = state.free_units as f64 + self.cells[cell].on_order_units as f64
                - state.backordered_units as f64;
            let units = self.order_units(
                day,
                cell,
                position,
                decision.reorder_point,
                decision.order_quantity,
            );
            if units > 0 {
                if let Some(credit) = self.level_credit.get_mut(cell) {
                    *credit += decision.level_cdf - self.service_level;
                }
                orders.push(SupplierOrder {
                    sku: sku as u32,
                    warehouse: (cell % warehouses) as u16,
                    units,
                });
            }
        }
        self.today.clear();
        self.uplifts.pop_front();
    }

    /// Every cell's forecaster observes the day and, under a forecast policy, decides
    /// ([`PlanContext::decide_all`]).
    fn decide_all(&mut self) -> Vec<Decision> {
        let context = PlanContext {
            policy: self.policy,
            safety_stock: self.safety_stock,
            fill_rate: self.fill_rate,
            promise: self.promise,
            z: safety_stock::z_for_service_level(self.service_level),
            fixed_order_units: self.fixed_order_units,
            order_cost_cents: self.order_cost_cents,
            holding_rate_per_year: self.holding_rate_per_year,
            review_period_days: self.review_period_days,
            stock_multiplier: &self.stock_multiplier,
            warehouses: self.warehouses,
            prices: &self.prices,
            uplifts: &self.uplifts,
            lead_time_days: &self.lead_time_days,
            protection_days: &self.protection_days,
            level_credit: &self.level_credit,
        };
        context.decide_all(
            &mut self.forecasters,
            &mut self.lead_errors,
            &mut self.moments,
            &self.today.home,
        )
    }

    /// Units to order for the cell now under the policy, whole and within a movement's limit.
    fn order_units(
        &self,
        day: u32,
        cell: usize,
        position: f64,
        reorder_point: f64,
        order_quantity: f64,
    ) -> u32 {
        let units = match self.policy {
            PolicyKind::ReorderQuantity if position < reorder_point => {
                let lots = ((reorder_point - position) / order_quantity)
                    .ceil()
                    .max(1.0);
                lots * order_quantity
            }
            PolicyKind::ReorderUpTo if position < reorder_point => {
                reorder_point + order_quantity - position
            }
            PolicyKind::PeriodicUpTo
                if (day as usize + cell).is_multiple_of(self.review_period_days as usize)
                    && position < reorder_point =>
            {
                reorder_point - position
            }
            _ => 0.0,
        };
        units
            .ceil()
            .min(qm_engine::constants::MAX_MOVEMENT_UNITS as f64) as u32
    }

    /// Classes: intermittent by the interval between demands, then fast = the SKUs that make
    /// the first 80 % of units, slow = the rest.
    fn classes(&self, days: u32) -> Vec<SkuClass> {
        let skus = self.skus.len();
        let mut class = vec![SkuClass::Slow; skus];
        let mut steady: Vec<usize> = Vec::new();
        for (sku, tally) in self.skus.iter().enumerate() {
            let adi = if tally.days_with_demand == 0 {
                f64::INFINITY
            } else {
                days as f64 / tally.days_with_demand as f64
            };
            if adi > INTERMITTENT_ADI {
                class[sku] = SkuClass::Intermittent;
            } else {
                steady.push(sku);
            }
        }
        steady.sort_by(|&a, &b| {
            self.skus[b]
                .units
                .total_cmp(&self.skus[a].units)
                .then(a.cmp(&b))
        });
        let steady_units: f64 = steady.iter().map(|&s| self.skus[s].units).sum();
        let mut running = 0.0;
        for &sku in &steady {
            if running < FAST_SHARE_OF_UNITS * steady_units {
                class[sku] = SkuClass::Fast;
            }
            running += self.skus[sku].units;
        }
        class
    }

    /// Safety stock summed over cells at the last close; `None` under the days policy.
    pub fn safety_stock_today_units(&self) -> Option<f64> {
        (self.policy != PolicyKind::Days).then_some(self.safety_stock_today_units)
    }

    /// A SKU's safety stock and reorder point summed over warehouses at the last close
    /// (forecast policies; `None` under the days policy).
    pub fn sku_today(&self, sku: usize) -> Option<(f64, f64)> {
        (self.policy != PolicyKind::Days).then(|| {
            (
                self.skus[sku].safety_today,
                self.skus[sku].reorder_point_today,
            )
        })
    }

    /// Fills each SKU's row (in SKU order) with its demand, class, stock and forecast figures
    /// over `days` closed.
    pub fn fill_sku_rows(&self, days: u32, rows: &mut [SkuRow]) {
        let class = self.classes(days);
        let w = self.warehouses;
        for (sku, (row, tally)) in rows.iter_mut().zip(&self.skus).enumerate() {
            let cells = sku * w..(sku + 1) * w;
            let demand_days = tally.days_with_demand;
            let mean = tally.units / demand_days.max(1) as f64;
            let mut errors = ForecastErrors::default();
            for f in &self.forecasters[cells.clone()] {
                errors.merge(f.errors());
            }
            let demand: f64 = self.cells[cells.clone()]
                .iter()
                .map(|c| c.home_demand_units)
                .sum();
            let served: f64 = self.cells[cells].iter().map(|c| c.home_served_units).sum();
            row.replenishment_class = class[sku].name().into();
            row.demand_days = demand_days;
            row.demand_units_per_demand_day = (demand_days > 0).then_some(mean);
            // Population variance of the day totals over demand days, ÷ mean².
            row.demand_size_cv2 = (demand_days > 0 && mean > 0.0).then(|| {
                let variance = (tally.units_squared / demand_days as f64 - mean * mean).max(0.0);
                variance / (mean * mean)
            });
            row.average_safety_stock_units = (self.policy != PolicyKind::Days)
                .then(|| tally.safety_unit_days / days.max(1) as f64);
            row.achieved_fill_rate = (demand > 0.0).then(|| served / demand);
            row.forecast_mae_units = errors.mae();
        }
    }

    /// Writes the forecast accuracy and calibration KPIs into `k` (`days` = days simulated).
    pub fn finish(&self, k: &mut Summary, s: &Scenario, days: u32) {
        let r = &s.replenishment;
        k.replenishment_policy = r.policy.get_ref().name().to_string();
        k.forecast_method = r.forecast.get_ref().clone();
        let forecasting = self.policy != PolicyKind::Days;
        k.safety_stock_method = if forecasting {
            r.safety_stock.get_ref().name().to_string()
        } else {
            "days_of_demand".into()
        };
        k.target_cycle_service_level = (forecasting
            && self.safety_stock != SafetyStockMethod::FillRate)
            .then_some(self.service_level);
        k.target_fill_rate = (forecasting && self.safety_stock == SafetyStockMethod::FillRate)
            .then_some(self.fill_rate);
        k.average_safety_stock_units =
            (forecasting && days > 0).then(|| self.safety_stock_unit_days / days as f64);
        let mut errors = ForecastErrors::default();
        for f in &self.forecasters {
            errors.merge(f.errors());
        }
        k.forecast_days_scored = errors.days;
        // Null in the reports when no series-day was scored (`forecast_days_scored` is 0).
        k.forecast_mae_units = errors.mae().unwrap_or(0.0);
        k.forecast_rmse_units = errors.rmse().unwrap_or(0.0);
        k.forecast_mape = errors.mape();
        k.forecast_wape = errors.wape();
        k.forecast_mase = errors.mase();
        k.forecast_bias_units = errors.bias().unwrap_or(0.0);

        let class = self.classes(days);
        let skus = class.len();
        let mut tallies = [Tally::default(); 4];
        for cell in 0..self.forecasters.len() {
            let c = class[cell / self.warehouses] as usize;
            for t in [c, 3] {
                tallies[t].add(&self.cells[cell]);
            }
        }
        for sku in 0..skus {
            tallies[class[sku] as usize].skus += 1;
        }
        let [fast, slow, intermittent, all] = tallies;
        k.replenishment_cycles = all.cycles;
        k.achieved_cycle_service_level = all.service_level();
        k.achieved_fill_rate = all.fill_rate();
        k.achieved_network_fill_rate = all.network_fill_rate();
        k.fast_skus = fast.skus;
        k.slow_skus = slow.skus;
        k.intermittent_skus = intermittent.skus;
        k.achieved_cycle_service_level_fast = fast.service_level();
        k.achieved_cycle_service_level_slow = slow.service_level();
        k.achieved_cycle_service_level_intermittent = intermittent.service_level();
        k.achieved_fill_rate_fast = fast.fill_rate();
        k.achieved_fill_rate_slow = slow.fill_rate();
        k.achieved_fill_rate_intermittent = intermittent.fill_rate();
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum SkuClass {
    Fast = 0,
    Slow = 1,
    Intermittent = 2,
}

impl SkuClass {
    fn name(self) -> &'static str {
        match self {
            SkuClass::Fast => "fast",
            SkuClass::Slow => "slow",
            SkuClass::Intermittent => "intermittent",
        }
    }
}

/// Every cell's units today, one dense array per figure. They are added to for every order line:
/// four arrays of 8 bytes a cell stay in cache where a record per cell, with the run's tallies,
/// would not.
struct UnitsToday {
    demand: Vec<f64>,
    short: Vec<f64>,
    /// Units whose natural source is the cell (the channel's warehouse nearest the customer),
    /// and of those the units it did not serve from its own stock.
    home: Vec<f64>,
    home_short: Vec<f64>,
}

impl UnitsToday {
    fn new(cells: usize) -> UnitsToday {
        UnitsToday {
            demand: vec![0.0; cells],
            short: vec![0.0; cells],
            home: vec![0.0; cells],
            home_short: vec![0.0; cells],
        }
    }

    /// The close is over: today's units start again from zero.
    fn clear(&mut self) {
        for units in [
            &mut self.demand,
            &mut self.short,
            &mut self.home,
            &mut self.home_short,
        ] {
            units.fill(0.0);
        }
    }
}

/// One cell's tallies over the run.
#[derive(Clone, Copy, Default)]
struct CellTally {
    /// After the warm-up: units whose natural source is the cell, and those it served itself.
    home_demand_units: f64,
    home_served_units: f64,
    /// After the warm-up: units demanded of the cell, and those it served from stock.
    demand_units: f64,
    served_units: f64,
    on_order_units: u64,
    stockout_in_cycle: bool,
    cycle_started_after_warmup: bool,
    /// Replenishment cycles that started after the warm-up, and those with a stockout.
    cycles: u32,
    cycles_short: u32,
}

impl CellTally {
    /// After the warm-up: today's units join the run's.
    fn count_day(&mut self, today: &UnitsToday, cell: usize) {
        self.demand_units += today.demand[cell];
        self.served_units += today.demand[cell] - today.short[cell];
        self.home_demand_units += today.home[cell];
        self.home_served_units += today.home[cell] - today.home_short[cell];
    }
}

/// One SKU's tallies, over its warehouses.
#[derive(Clone, Copy, Default)]
struct SkuTally {
    days_with_demand: u32,
    units: f64,
    /// Σ over demand days of the SKU's day total squared (for the CV² of demand sizes).
    units_squared: f64,
    /// At the last close: safety stock and reorder point summed over warehouses.
    safety_today: f64,
    reorder_point_today: f64,
    /// Σ over closes of its safety stock.
    safety_unit_days: f64,
}

#[derive(Clone, Copy, Default)]
struct Tally {
    skus: u64,
    cycles: u64,
    cycles_short: u64,
    /// Units whose natural source was a cell, and those it served itself.
    demand: f64,
    served: f64,
    /// Units demanded of the network, and those served from stock by any warehouse.
    network_demand: f64,
    network_served: f64,
}

impl Tally {
    fn add(&mut self, cell: &CellTally) {
        self.cycles += cell.cycles as u64;
        self.cycles_short += cell.cycles_short as u64;
        self.demand += cell.home_demand_units;
        self.served += cell.home_served_units;
        self.network_demand += cell.demand_units;
        self.network_served += cell.served_units;
    }

    /// Share of replenishment cycles without a stockout; `None` when no cycle that began after
    /// the warm-up ended.
    fn service_level(&self) -> Option<f64> {
        (self.cycles > 0).then(|| 1.0 - self.cycles_short as f64 / self.cycles as f64)
    }

    /// Share of the units whose natural source was a cell that the cell served from its own
    /// stock; `None` without demand.
    fn fill_rate(&self) -> Option<f64> {
        (self.demand > 0.0).then(|| self.served / self.demand)
    }

    /// Share of demanded units the network served from stock, whichever warehouse.
    fn network_fill_rate(&self) -> Option<f64> {
        (self.network_demand > 0.0).then(|| self.network_served / self.network_demand)
    }
}
