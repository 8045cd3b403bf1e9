//! One cell's reorder decision at a daily close: a pure function of the replenishment settings,
//! the calendar and the cell's own forecaster and errors, so the close works out every cell's in
//! parallel and then places the orders in cell order.

use std::collections::VecDeque;

use qm_engine::forecast::Forecaster;
use qm_engine::lead_time_demand::{LeadTimeDemand, Promise};
use qm_engine::safety_stock::{self, LeadTimeErrors, PolicyInputs};
use qm_engine::undershoot::{DemandMoments, Undershoot};
use qm_money::Cents;
use rayon::prelude::*;

use crate::scenario::{PolicyKind, SafetyStockMethod};

/// Errors needed before a series' own error variance is trusted (a Poisson prior before).
const MIN_ERROR_DAYS: u64 = 7;
/// Lead-time errors needed before the empirical quantile is trusted (normal before).
pub(super) const MIN_EMPIRICAL_ERRORS: u64 = 20;
/// Cells one task of the parallel close works through.
const CELLS_PER_TASK: usize = 2048;

/// Whether a cell's reorder point covers the lead time's demand plus the undershoot below it
/// ([`qm_engine::undershoot`]): reorder policies, checked at each daily close, with the
/// `normal` and `quantile` safety stocks. `empirical` (whose errors are of (L + 1)-day sums)
/// and `fill_rate` (whose normal loss function understates the skewed sum's shortage, where
/// L + 1 days keep its fill within a point of the promise) protect L + 1 days instead.
pub(super) fn protects_undershoot(policy: PolicyKind, safety_stock: SafetyStockMethod) -> bool {
    matches!(
        policy,
        PolicyKind::ReorderQuantity | PolicyKind::ReorderUpTo
    ) && matches!(
        safety_stock,
        SafetyStockMethod::Normal | SafetyStockMethod::Quantile
    )
}

/// Days of review a cell's protection interval adds to its lead time: the review period under
/// periodic review; 0 where the undershoot is covered instead; else 1 (a close a day).
pub(super) fn review_days(
    policy: PolicyKind,
    safety_stock: SafetyStockMethod,
    review_period_days: u32,
) -> u32 {
    if policy == PolicyKind::PeriodicUpTo {
        review_period_days
    } else if protects_undershoot(policy, safety_stock) {
        0
    } else {
        1
    }
}

/// What every cell's decision reads at a close.
pub(super) struct PlanContext<'a> {
    pub policy: PolicyKind,
    pub safety_stock: SafetyStockMethod,
    pub fill_rate: f64,
    /// `service_level` for `quantile`.
    pub promise: Promise,
    /// z for `service_level`.
    pub z: f64,
    pub fixed_order_units: Option<u32>,
    pub order_cost_cents: Cents,
    pub holding_rate_per_year: f64,
    pub review_period_days: u32,
    /// Per warehouse: its `stock_multiplier`.
    pub stock_multiplier: &'a [f64],
    pub warehouses: usize,
    /// Per SKU, cents.
    pub prices: &'a [Cents],
    /// Per SKU calendar factors for today and the days ahead, today first.
    pub uplifts: &'a VecDeque<Vec<f64>>,
    /// Per cell: (mean, std) lead time in days, and the protection interval in whole days.
    pub lead_time_days: &'a [(f64, f64)],
    pub protection_days: &'a [u32],
    /// `quantile`, per cell: which of the two levels the next order waits for.
    pub level_credit: &'a [f64],
}

/// A cell's reorder inputs at a close.
struct CellPlan {
    inputs: PolicyInputs,
    /// Forecast demand over the protection interval, units.
    lead_demand: f64,
    order_quantity: f64,
    /// Units one cycle brings (the order quantity; a review period's demand for periodic review).
    cycle_quantity: f64,
    /// The variance the undershoot adds to lead-time demand's, units² (its mean is in
    /// `lead_demand`).
    undershoot_variance_units2: f64,
}

/// A cell's decision at a close, before its inventory position is read.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Decision {
    /// Safety stock, units (times the warehouse's multiplier; may be negative for `quantile`).
    pub safety: f64,
    /// Order when the position is below this (periodic review: order up to it).
    pub reorder_point: f64,
    pub order_quantity: f64,
    /// `quantile`: P(no stockout) at the level the reorder point sets.
    pub level_cdf: f64,
}

impl PlanContext<'_> {
    /// Every cell's day: its forecaster (and its lead-time errors or demand moments) observe
    /// `first_choice[cell]`, and, under a forecast policy, its decision (none under `days`,
    /// whose forecasts only measure). Cells are independent, so a forecast policy's are worked
    /// through in parallel; the result is in cell order and the same on any number of threads.
    pub(super) fn decide_all(
        &self,
        forecasters: &mut [Forecaster],
        lead_errors: &mut [LeadTimeErrors],
        moments: &mut [DemandMoments],
        first_choice: &[f64],
    ) -> Vec<Decision> {
        if self.policy == PolicyKind::Days {
            for (cell, f) in forecasters.iter_mut().enumerate() {
                f.observe_with_uplift(first_choice[cell], self.uplifts[0][cell / self.warehouses]);
            }
            return Vec::new();
        }
        let mut decisions = vec![Decision::default(); forecasters.len()];
        let tasks = forecasters.len().div_ceil(CELLS_PER_TASK);
        forecasters
            .par_chunks_mut(CELLS_PER_TASK)
            .zip(decisions.par_chunks_mut(CELLS_PER_TASK))
            .zip(task_chunks(lead_errors, tasks))
            .zip(task_chunks(moments, tasks))
            .enumerate()
            .for_each(
                |(task, (((forecasters, decisions), mut errors), mut moments))| {
                    for (i, (f, d)) in forecasters.iter_mut().zip(decisions).enumerate() {
                        let cell = task * CELLS_PER_TASK + i;
                        let e = errors.as_deref_mut().map(|errors| &mut errors[i]);
                        let m = moments.as_deref_mut().map(|moments| &mut moments[i]);
                        *d = self.decide(cell, f, e, m, first_choice[cell]);
                    }
                },
            );
        decisions
    }

    /// One cell's day. The cell forecasts, and protects, the demand it is asked first
    /// (`first_choice`: its customers' units, wherever they shipped from).
    fn decide(
        &self,
        cell: usize,
        forecaster: &mut Forecaster,
        errors: Option<&mut LeadTimeErrors>,
        moments: Option<&mut DemandMoments>,
        first_choice: f64,
    ) -> Decision {
        let sku = cell / self.warehouses;
        // Today's demand is the one that crosses the point: its calendar factor scales the
        // undershoot, and the moments learn the day deflated by it, as the forecaster does.
        let today = self.uplifts[0][sku];
        let undershoot = moments.as_deref().map(|m| m.undershoot().scaled(today));
        let reorder_plan = matches!(
            self.policy,
            PolicyKind::ReorderQuantity | PolicyKind::ReorderUpTo
        )
        .then(|| self.plan(cell, sku, forecaster, 1, undershoot));
        forecaster.observe_with_uplift(first_choice, today);
        if let Some(moments) = moments {
            moments.observe(first_choice / today);
        }
        let errors = errors.map(|e| {
            e.observe(first_choice, forecaster);
            &*e
        });
        let plan = reorder_plan.unwrap_or_else(|| self.plan(cell, sku, forecaster, 0, None));
        let (safety, level_cdf) = self.safety_units(cell, &plan, errors);
        Decision {
            safety,
            reorder_point: (plan.lead_demand + safety).max(0.0),
            order_quantity: plan.order_quantity,
            level_cdf,
        }
    }

    /// What a cell's reorder decision starts from: its policy inputs (daily demand and error,
    /// lead time and review period), the forecast demand over the protection interval, and
    /// the order and cycle quantities.
    ///
    /// With `undershoot` (reorder policies with the `normal` and `quantile` safety stocks) the
    /// interval is the lead time alone, and the reorder point also covers the undershoot: the
    /// close sees the position a whole day's demand may have carried past the point, so the
    /// order it places must cover that as well (P(no stockout) = P(D_L + U ≤ s)); its mean joins
    /// the lead-time demand, its variance the lead-time demand's. A rise the calendar announces
    /// just past the lead time joins it too ([`Self::calendar_rise_units`]). Without, a reorder
    /// policy protects L + 1 days.
    ///
    /// `days_unseen` is 1 when the forecaster has not yet seen today's demand (its forecast `h + 1`
    /// days ahead is then day `h` from today), 0 once it has. A reorder policy plans before the
    /// forecaster sees the day: continuous review holds a reorder point through the day and
    /// orders the moment the position crosses it, and the close stands in for that moment, so
    /// the demand that crossed the point must not move it. (Planned after it, a slow cell's
    /// forecast at its orders was 1.5 to 2 times the demand that followed, and its achieved
    /// service rose far above the promise.) Periodic review orders on its calendar, whatever the
    /// demand, and plans with the day seen.
    fn plan(
        &self,
        cell: usize,
        sku: usize,
        forecaster: &Forecaster,
        days_unseen: u32,
        undershoot: Option<Undershoot>,
    ) -> CellPlan {
        let (mean_lead, std_lead) = self.lead_time_days[cell];
        let protection = self.protection_days[cell];
        let lead_demand: f64 = (1..=protection)
            .map(|h| forecaster.forecast(h + days_unseen) * self.uplifts[h as usize][sku])
            .sum();
        // The protection interval is fractional; scale the whole-day sum to it.
        let review = review_days(self.policy, self.safety_stock, self.review_period_days) as f64;
        let lead_demand = lead_demand * (mean_lead + review).max(0.5) / protection as f64;
        let mean_daily = lead_demand / (mean_lead + review).max(0.5);
        let sigma = if forecaster.errors().days >= MIN_ERROR_DAYS {
            forecaster.errors().sigma_units()
        } else {
            mean_daily.max(0.5).sqrt()
        };
        let inputs = PolicyInputs {
            mean_demand_per_day: mean_daily,
            demand_std_per_day: sigma,
            lead_time_days: mean_lead,
            lead_time_std_days: std_lead,
            review_period_days: review,
        };
        let order_quantity = match self.fixed_order_units {
            Some(q) => q as f64,
            None => {
                let price = self.prices.get(sku).copied().unwrap_or_default().as_f64();
                safety_stock::eoq(
                    mean_daily * 365.0,
                    self.order_cost_cents.as_f64(),
                    price * self.holding_rate_per_year,
                )
                .max(1.0)
            }
        };
        let cycle_quantity = if self.policy == PolicyKind::PeriodicUpTo {
            (mean_daily * review).max(1.0)
        } else {
            order_quantity
        };
        let (beyond_units, undershoot_variance_units2) = match undershoot {
            Some(u) => (
                u.mean_units + self.calendar_rise_units(sku, forecaster, days_unseen, protection),
                u.variance_units2,
            ),
            None => (0.0, 0.0),
        };
        CellPlan {
            inputs,
            lead_demand: lead_demand + beyond_units,
            order_quantity,
            cycle_quantity,
            undershoot_variance_units2,
        }
    }

    /// The rise the calendar announces for the day just past the protection interval over
    /// tomorrow's factor, in units of that day's forecast: an order placed at tomorrow's close
    /// would arrive too late for that day, so today's point orders the rise (a ramp into Black
    /// Friday is ordered a day ahead; the forecast's own weekly pattern is not).
    fn calendar_rise_units(
        &self,
        sku: usize,
        forecaster: &Forecaster,
        days_unseen: u32,
        protection: u32,
    ) -> f64 {
        let past = protection as usize + 1;
        let rise = (self.uplifts[past][sku] - self.uplifts[1][sku]).max(0.0);
        forecaster.forecast(protection + 1 + days_unseen) * rise
    }

    /// The cell's safety stock by the scenario's method, times its warehouse's multiplier, and
    /// (`quantile`) P(no stockout) at the level it sets.
    fn safety_units(
        &self,
        cell: usize,
        plan: &CellPlan,
        errors: Option<&LeadTimeErrors>,
    ) -> (f64, f64) {
        let sigma_lead = (plan.inputs.lead_time_demand_std_units().powi(2)
            + plan.undershoot_variance_units2)
            .sqrt();
        let normal = self.z * sigma_lead;
        let safety = match self.safety_stock {
            SafetyStockMethod::Normal => normal,
            SafetyStockMethod::FillRate if sigma_lead > 0.0 => {
                let loss = (1.0 - self.fill_rate) * plan.cycle_quantity / sigma_lead;
                safety_stock::k_for_normal_loss(loss) * sigma_lead
            }
            SafetyStockMethod::FillRate => 0.0,
            SafetyStockMethod::Empirical => match errors {
                Some(e) if e.count() >= MIN_EMPIRICAL_ERRORS => e.safety_stock_units(),
                _ => normal,
            },
            SafetyStockMethod::Quantile => return self.quantile_safety(cell, plan, sigma_lead),
        };
        (safety * self.stock_multiplier[cell % self.warehouses], 0.0)
    }

    /// `quantile`: the safety stock that puts the reorder level at one of the two whole levels
    /// around the promised quantile of lead-time demand (the one `level_credit` asks for), and
    /// P(no stockout) at that level. A reorder policy orders once the position falls to the
    /// level; an order-up-to policy raises it to the level.
    fn quantile_safety(&self, cell: usize, plan: &CellPlan, sigma_lead: f64) -> (f64, f64) {
        let bracket =
            LeadTimeDemand::new(plan.lead_demand, sigma_lead * sigma_lead).bracket(self.promise);
        let (level, cdf) = if self.level_credit[cell] <= 0.0 {
            (bracket.high, bracket.high_cdf)
        } else {
            (bracket.low, bracket.low_cdf)
        };
        // Orders go out while the position is below the reorder point: level + 1 orders at the
        // level itself.
        let reorder_point = if self.policy == PolicyKind::PeriodicUpTo {
            level as f64
        } else {
            level as f64 + 1.0
        };
        let safety =
            (reorder_point - plan.lead_demand) * self.stock_multiplier[cell % self.warehouses];
        (safety, cdf)
    }
}

/// `cells`' state cut into the close's tasks; `None` for every task when the policy keeps none.
fn task_chunks<T>(cells: &mut [T], tasks: usize) -> Vec<Option<&mut [T]>> {
    if cells.is_empty() {
        (0..tasks).map(|_| None).collect()
    } else {
        cells.chunks_mut(CELLS_PER_TASK).map(Some).collect()
    }
}
