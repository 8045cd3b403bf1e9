//! Safety stock, reorder points and order quantities: the textbook formulas, and an empirical
//! quantile of lead-time forecast errors for the demand those formulas get wrong.
//!
//! Demand is per day and independent from day to day; lead times are in days. With a review
//! period `R` (periodic review) the protection interval is `L + R` instead of `L`.
//!
//! * Normal approximation: `SS = z · sqrt(L · σ_e² + d² · σ_L²)`, `z = Φ⁻¹(CSL)`.
//! * Fill rate (β): expected units short per cycle `ESC = σ_LT · G(k)`, with `G` the standard
//!   normal loss function, and `β = 1 − ESC / Q`; the reorder point for a target β solves
//!   `G(k) = (1 − β) · Q / σ_LT`.
//! * Empirical: the CSL-quantile of past lead-time-demand forecast errors ([`LeadTimeErrors`]),
//!   for intermittent and skewed demand where the normal approximation fails.

use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use crate::forecast::Forecaster;

/// Longest lead time plus review period the empirical method tracks, in days (its rings are
/// allocated at this length per series).
pub const MAX_PROTECTION_DAYS: u32 = 366;

fn standard_normal() -> Normal {
    Normal::standard()
}

/// z for a target cycle service level (the probability of no stockout in a cycle), 0 < csl < 1.
pub fn z_for_service_level(cycle_service_level: f64) -> f64 {
    assert!(
        cycle_service_level > 0.0 && cycle_service_level < 1.0,
        "a service level is in (0, 1); check user input first"
    );
    standard_normal().inverse_cdf(cycle_service_level)
}

/// The standard normal loss function G(k) = φ(k) − k · (1 − Φ(k)): expected units short per
/// unit of standard deviation when the safety factor is `k`.
pub fn normal_loss(k: f64) -> f64 {
    let n = standard_normal();
    (n.pdf(k) - k * (1.0 - n.cdf(k))).max(0.0)
}

/// The standard normal loss functions at `z`: the first-order loss L(z) = E[(Z − z)⁺] =
/// φ(z) − z · (1 − Φ(z)), its complement L̄(z) = E[(z − Z)⁺] = L(z) + z, the second-order loss
/// L²(z) = ½ E[((Z − z)⁺)²] = ½ [(z² + 1)(1 − Φ(z)) − z φ(z)], and its complement
/// L̄²(z) = ½ (z² + 1) − L²(z).
pub fn normal_losses(z: f64) -> NormalLosses {
    let n = standard_normal();
    let (pdf, tail) = (n.pdf(z), 1.0 - n.cdf(z));
    let first = pdf - z * tail;
    let second = 0.5 * ((z * z + 1.0) * tail - z * pdf);
    NormalLosses {
        first,
        first_complement: first + z,
        second,
        second_complement: 0.5 * (z * z + 1.0) - second,
    }
}

/// [`normal_losses`]' four values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NormalLosses {
    /// L(z) = E[(Z − z)⁺].
    pub first: f64,
    /// L̄(z) = E[(z − Z)⁺].
    pub first_complement: f64,
    /// L²(z) = ½ E[((Z − z)⁺)²].
    pub second: f64,
    /// L̄²(z) = ½ E[((z − Z)⁺)²].
    pub second_complement: f64,
}

/// The safety factor k with G(k) = `loss` (G falls strictly from +∞ to 0, so bisection).
pub fn k_for_normal_loss(loss: f64) -> f64 {
    assert!(loss > 0.0 && loss.is_finite(), "a loss is positive");
    let (mut low, mut high) = (-40.0f64, 40.0f64);
    // G(-40) ≈ 40, G(40) ≈ 0: any positive loss below 40 lies between. Larger losses need k < −40.
    if loss >= normal_loss(low) {
        return -loss;
    }
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if normal_loss(middle) > loss {
            low = middle;
        } else {
            high = middle;
        }
        if high - low < 1e-12 {
            break;
        }
    }
    0.5 * (low + high)
}

/// What a policy needs to know about demand and supply.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PolicyInputs {
    /// Forecast daily demand d, units per day.
    pub mean_demand_per_day: f64,
    /// Standard deviation of daily demand (or of the daily forecast error), σ_e, units.
    pub demand_std_per_day: f64,
    /// Mean lead time L, days.
    pub lead_time_days: f64,
    /// Standard deviation of the lead time σ_L, days.
    pub lead_time_std_days: f64,
    /// Review period R, days (0 for continuous review).
    pub review_period_days: f64,
}

impl PolicyInputs {
    /// Checks that every input is finite and non-negative; the error names the field
    /// (`mean_demand_per_day`, …) and its value.
    pub fn validate(&self) -> Result<(), (&'static str, f64)> {
        for (name, value) in [
            ("mean_demand_per_day", self.mean_demand_per_day),
            ("demand_std_per_day", self.demand_std_per_day),
            ("lead_time_days", self.lead_time_days),
            ("lead_time_std_days", self.lead_time_std_days),
            ("review_period_days", self.review_period_days),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err((name, value));
            }
        }
        Ok(())
    }

    /// Days of exposure: lead time plus review period.
    pub fn protection_days(&self) -> f64 {
        self.lead_time_days + self.review_period_days
    }

    /// Expected demand over the protection interval, units.
    pub fn lead_time_demand_units(&self) -> f64 {
        self.mean_demand_per_day * self.protection_days()
    }

    /// Standard deviation of demand over the protection interval:
    /// sqrt((L + R) · σ_e² + d² · σ_L²), units.
    pub fn lead_time_demand_std_units(&self) -> f64 {
        let d = self.mean_demand_per_day;
        (self.protection_days() * self.demand_std_per_day.powi(2)
            + d * d * self.lead_time_std_days.powi(2))
        .sqrt()
    }
}

/// A reorder policy's numbers, as `qm policy` prints them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PolicyReport {
    /// Safety factor (standard deviations of lead-time demand held as safety stock).
    pub z: f64,
    /// Safety stock, units.
    pub safety_stock: f64,
    /// Reorder point = lead-time demand + safety stock, units.
    pub reorder_point: f64,
    /// Expected units short per replenishment cycle, σ_LT · G(z).
    pub expected_units_short_per_cycle: f64,
    /// Share of demand served from stock, 1 − ESC / Q; `None` without an order quantity.
    pub fill_rate: Option<f64>,
    /// Probability of no stockout in a cycle, Φ(z).
    pub cycle_service_level: f64,
}

/// Evaluates a given reorder point (and order quantity, for the fill rate).
pub fn evaluate(
    inputs: &PolicyInputs,
    reorder_point: f64,
    order_quantity: Option<f64>,
) -> PolicyReport {
    let mean = inputs.lead_time_demand_units();
    let std = inputs.lead_time_demand_std_units();
    let safety_stock = reorder_point - mean;
    let (z, short, csl) = if std > 0.0 {
        let z = safety_stock / std;
        (z, std * normal_loss(z), standard_normal().cdf(z))
    } else {
        // Certain demand: short only if the reorder point is below it.
        let short = (mean - reorder_point).max(0.0);
        let z = if safety_stock >= 0.0 {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
        (z, short, if safety_stock >= 0.0 { 1.0 } else { 0.0 })
    };
    PolicyReport {
        z,
        safety_stock,
        reorder_point,
        expected_units_short_per_cycle: short,
        fill_rate: order_quantity
            .filter(|&q| q > 0.0)
            .map(|q| (1.0 - short / q).clamp(0.0, 1.0)),
        cycle_service_level: csl,
    }
}

/// The policy that meets a target cycle service level (normal approximation).
pub fn for_service_level(
    inputs: &PolicyInputs,
    cycle_service_level: f64,
    order_quantity: Option<f64>,
) -> PolicyReport {
    let z = z_for_service_level(cycle_service_level);
    let safety_stock = z * inputs.lead_time_demand_std_units();
    let mut report = evaluate(
        inputs,
        inputs.lead_time_demand_units() + safety_stock,
        order_quantity,
    );
    // Keep z and the level exact where they are the policy's (evaluate re-derives them). With
    // certain lead-time demand (σ = 0) the policy holds no safety stock and never runs short:
    // no z, and a cycle service level of 1, whatever the target below it.
    if inputs.lead_time_demand_std_units() > 0.0 {
        report.z = z;
        report.cycle_service_level = cycle_service_level;
    }
    report
}

/// The smallest reorder point that delivers `fill_rate` with orders of `order_quantity` units.
pub fn for_fill_rate(inputs: &PolicyInputs, fill_rate: f64, order_quantity: f64) -> PolicyReport {
    assert!(
        fill_rate > 0.0 && fill_rate < 1.0,
        "a fill rate is in (0, 1)"
    );
    assert!(order_quantity > 0.0, "an order quantity is positive");
    let std = inputs.lead_time_demand_std_units();
    if std == 0.0 {
        return evaluate(
            inputs,
            inputs.lead_time_demand_units(),
            Some(order_quantity),
        );
    }
    let k = k_for_normal_loss((1.0 - fill_rate) * order_quantity / std);
    evaluate(
        inputs,
        inputs.lead_time_demand_units() + k * std,
        Some(order_quantity),
    )
}

/// Economic order quantity sqrt(2 · D · K / h), units: `annual_demand_units` D, `order_cost` K
/// per supplier order, `holding_cost_per_unit_year` h (same currency unit as K).
pub fn eoq(annual_demand_units: f64, order_cost: f64, holding_cost_per_unit_year: f64) -> f64 {
    if annual_demand_units <= 0.0 || order_cost <= 0.0 || holding_cost_per_unit_year <= 0.0 {
        return 0.0;
    }
    (2.0 * annual_demand_units * order_cost / holding_cost_per_unit_year).sqrt()
}

/// The EOQ problem's answers (Harris): the optimal quantity, its annual cost (ordering plus
/// holding, no purchase cost), orders a year, and the annual cost of a given quantity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EoqReport {
    /// sqrt(2 K D / h), units.
    pub order_quantity: f64,
    /// sqrt(2 K D h): K D / Q + h Q / 2 at the optimum, currency units a year.
    pub annual_cost: f64,
    /// D / Q.
    pub orders_per_year: f64,
    /// K D / Q + h Q / 2 for the quantity asked about, if any.
    pub given_quantity_cost: Option<f64>,
}

/// EOQ with fixed cost `order_cost` K per order, holding cost `holding_cost_per_unit_year` h and
/// demand `annual_demand_units` D (all positive); `given_quantity` is costed too.
pub fn eoq_report(
    order_cost: f64,
    holding_cost_per_unit_year: f64,
    annual_demand_units: f64,
    given_quantity: Option<f64>,
) -> EoqReport {
    let (k, h, d) = (order_cost, holding_cost_per_unit_year, annual_demand_units);
    let q = eoq(d, k, h);
    let cost = |q: f64| k * d / q + h * q / 2.0;
    EoqReport {
        order_quantity: q,
        annual_cost: (2.0 * k * d * h).sqrt(),
        orders_per_year: d / q,
        given_quantity_cost: given_quantity.map(cost),
    }
}

/// Demand over the period a base-stock level covers (the lead time plus the review period).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PeriodDemand {
    /// Poisson with this mean.
    Poisson {
        /// Mean, units.
        mean: f64,
    },
    /// Normal with this mean and standard deviation.
    Normal {
        /// Mean, units.
        mean: f64,
        /// Standard deviation, units.
        std: f64,
    },
}

/// A base-stock level and its expected cost per period: holding `h` per unit left over plus
/// stockout cost `p` per unit short.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BaseStock {
    /// The level, units.
    pub level: f64,
    /// h · E[(S − D)⁺] + p · E[(D − S)⁺].
    pub expected_cost: f64,
}

/// The optimal base-stock level (the critical fractile p / (p + h) of the period's demand; for
/// Poisson the least whole level reaching it) and its cost, or the cost of `given` level.
pub fn base_stock(
    holding: f64,
    stockout: f64,
    demand: PeriodDemand,
    given: Option<f64>,
) -> BaseStock {
    let fractile = stockout / (stockout + holding);
    match demand {
        PeriodDemand::Normal { mean, std } => {
            let level =
                given.unwrap_or_else(|| mean + std * standard_normal().inverse_cdf(fractile));
            let losses = normal_losses((level - mean) / std);
            BaseStock {
                level,
                expected_cost: std * (holding * losses.first_complement + stockout * losses.first),
            }
        }
        PeriodDemand::Poisson { mean } => {
            let g = crate::discrete_policy::PoissonNewsvendor::new(holding, stockout, mean);
            let level = given.unwrap_or_else(|| g.optimal_level() as f64);
            BaseStock {
                level,
                expected_cost: g.cost_at(level),
            }
        }
    }
}

/// An (r, Q) problem with normal lead-time demand: costs per unit time, demand per unit time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RqProblem {
    /// Holding cost per unit per unit time (h).
    pub holding_cost: f64,
    /// Stockout cost per unit short (p), backorders.
    pub stockout_cost: f64,
    /// Fixed cost per order (K).
    pub fixed_cost: f64,
    /// Demand per unit time (λ).
    pub demand_mean: f64,
    /// Its standard deviation per unit time.
    pub demand_std: f64,
    /// Lead time, time units.
    pub lead_time: f64,
}

impl RqProblem {
    /// Mean and standard deviation of lead-time demand.
    fn lead_time_demand(&self) -> (f64, f64) {
        (
            self.demand_mean * self.lead_time,
            self.demand_std * self.lead_time.sqrt(),
        )
    }

    /// The newsvendor cost g(y) = h · E[(y − D)⁺] + p · E[(D − y)⁺] of inventory position y.
    fn g(&self, y: f64) -> f64 {
        let (mu, sigma) = self.lead_time_demand();
        let l = normal_losses((y - mu) / sigma);
        sigma * (self.holding_cost * l.first_complement + self.stockout_cost * l.first)
    }

    /// The exact expected cost per unit time of (r, Q): (K λ + ∫ from r to r + Q of g) ÷ Q, the
    /// integral in closed form through the second-order loss functions.
    pub fn cost(&self, reorder_point: f64, order_quantity: f64) -> f64 {
        let (mu, sigma) = self.lead_time_demand();
        let (low, high) = (
            normal_losses((reorder_point - mu) / sigma),
            normal_losses((reorder_point + order_quantity - mu) / sigma),
        );
        let integral = sigma
            * sigma
            * (self.holding_cost * (high.second_complement - low.second_complement)
                + self.stockout_cost * (low.second - high.second));
        (self.fixed_cost * self.demand_mean + integral) / order_quantity
    }

    /// A given (r, Q)'s service: the cycle service level Φ(z), the expected units short per
    /// cycle σ · L(z), and the fill rate 1 − σ · L(z) ÷ Q, with z = (r − μ) ÷ σ.
    pub fn service(&self, reorder_point: f64, order_quantity: f64) -> (f64, f64, f64) {
        let (mu, sigma) = self.lead_time_demand();
        let z = (reorder_point - mu) / sigma;
        let short = sigma * normal_losses(z).first;
        (
            standard_normal().cdf(z),
            short,
            1.0 - short / order_quantity,
        )
    }

    /// The best reorder point for `order_quantity`: g(r) = g(r + Q), by bisection below the
    /// newsvendor optimum.
    pub fn best_r_for_q(&self, order_quantity: f64) -> f64 {
        let (mu, sigma) = self.lead_time_demand();
        let fractile = self.stockout_cost / (self.stockout_cost + self.holding_cost);
        let newsvendor = mu + sigma * standard_normal().inverse_cdf(fractile);
        let (mut low, mut high) = (newsvendor - 5.0 * order_quantity - 10.0 * sigma, newsvendor);
        for _ in 0..200 {
            let r = 0.5 * (low + high);
            if self.g(r) < self.g(r + order_quantity) {
                high = r;
            } else {
                low = r;
            }
        }
        0.5 * (low + high)
    }

    /// EOQ plus safety stock: Q the EOQ, r the newsvendor level of lead-time demand.
    pub fn eoq_plus_safety_stock(&self) -> (f64, f64) {
        let (mu, sigma) = self.lead_time_demand();
        let fractile = self.stockout_cost / (self.stockout_cost + self.holding_cost);
        let r = mu + sigma * standard_normal().inverse_cdf(fractile);
        (r, eoq(self.demand_mean, self.fixed_cost, self.holding_cost))
    }

    /// The loss-function heuristic: from Q = EOQ, repeat r from σ·L(z) = h Q ÷ (h + p) and
    /// Q = sqrt(2 (K λ + (h + p) σ² L²(z)) ÷ h) until both settle (to 1e-10).
    pub fn loss_function_heuristic(&self) -> (f64, f64) {
        let (mu, sigma) = self.lead_time_demand();
        let (h, p) = (self.holding_cost, self.stockout_cost);
        let mut q = eoq(self.demand_mean, self.fixed_cost, h);
        let mut r = f64::NAN;
        for _ in 0..1000 {
            let target = h * q / (h + p) / sigma;
            let z = if target > 0.0 {
                k_for_normal_loss(target)
            } else {
                40.0
            };
            let next_r = mu + sigma * z;
            let loss2 = normal_losses(z).second;
            let next_q =
                (2.0 * (self.fixed_cost * self.demand_mean + (h + p) * sigma * sigma * loss2) / h)
                    .sqrt();
            let settled = (next_r - r).abs() <= 1e-10 && (next_q - q).abs() <= 1e-10;
            (r, q) = (next_r, next_q);
            if settled {
                break;
            }
        }
        (r, q)
    }
}

/// A streaming estimate of one quantile in O(1) space and time: the P² algorithm (Jain and
/// Chlamtac, 1985). Five markers, no allocation, so one can sit in every series.
#[derive(Clone, Copy, Debug)]
pub struct P2Quantile {
    p: f64,
    count: u64,
    heights: [f64; 5],
    positions: [f64; 5],
    desired: [f64; 5],
    increments: [f64; 5],
}

impl P2Quantile {
    /// An estimator of the `p`-quantile, 0 < p < 1.
    pub fn new(p: f64) -> P2Quantile {
        assert!(p > 0.0 && p < 1.0, "a quantile is in (0, 1)");
        P2Quantile {
            p,
            count: 0,
            heights: [0.0; 5],
            positions: [1.0, 2.0, 3.0, 4.0, 5.0],
            desired: [1.0, 1.0 + 2.0 * p, 1.0 + 4.0 * p, 3.0 + 2.0 * p, 5.0],
            increments: [0.0, p / 2.0, p, (1.0 + p) / 2.0, 1.0],
        }
    }

    /// Observations so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Adds one observation.
    pub fn observe(&mut self, x: f64) {
        debug_assert!(x.is_finite());
        if self.count < 5 {
            self.heights[self.count as usize] = x;
            self.count += 1;
            if self.count == 5 {
                self.heights.sort_by(f64::total_cmp);
            }
            return;
        }
        self.count += 1;
        let q = &mut self.heights;
        let k = if x < q[0] {
            q[0] = x;
            0
        } else if x >= q[4] {
            q[4] = x;
            3
        } else {
            (1..5).find(|&i| x < q[i]).expect("x < q[4]") - 1
        };
        for position in &mut self.positions[k + 1..] {
            *position += 1.0;
        }
        for (desired, increment) in self.desired.iter_mut().zip(self.increments) {
            *desired += increment;
        }
        let n = &mut self.positions;
        for i in 1..4 {
            let d = self.desired[i] - n[i];
            if (d >= 1.0 && n[i + 1] - n[i] > 1.0) || (d <= -1.0 && n[i - 1] - n[i] < -1.0) {
                let s = d.signum();
                let parabolic = q[i]
                    + s / (n[i + 1] - n[i - 1])
                        * ((n[i] - n[i - 1] + s) * (q[i + 1] - q[i]) / (n[i + 1] - n[i])
                            + (n[i + 1] - n[i] - s) * (q[i] - q[i - 1]) / (n[i] - n[i - 1]));
                q[i] = if q[i - 1] < parabolic && parabolic < q[i + 1] {
                    parabolic
                } else {
                    let j = if s > 0.0 { i + 1 } else { i - 1 };
                    q[i] + s * (q[j] - q[i]) / (n[j] - n[i])
                };
                n[i] += s;
            }
        }
    }

    /// The current estimate (exact nearest rank below five observations; 0 with none).
    pub fn estimate(&self) -> f64 {
        match self.count {
            0 => 0.0,
            1..=4 => {
                let mut seen = self.heights;
                let seen = &mut seen[..self.count as usize];
                seen.sort_by(f64::total_cmp);
                let rank = ((self.p * seen.len() as f64).ceil() as usize).clamp(1, seen.len());
                seen[rank - 1]
            }
            _ => self.heights[2],
        }
    }
}

/// Past errors of lead-time-demand forecasts for one series, and their quantile: each day the
/// forecast of the next `days` days' total is remembered, and `days` days later compared with
/// what happened.
#[derive(Clone, Debug)]
pub struct LeadTimeErrors {
    /// Forecast totals made on each of the last `days` days, oldest at `pos`.
    forecasts: Box<[f64]>,
    /// Actual demand of the last `days` days, oldest at `pos`.
    actuals: Box<[f64]>,
    actual_sum: f64,
    pos: usize,
    filled: usize,
    quantile: P2Quantile,
}

impl LeadTimeErrors {
    /// Tracks `days`-day totals and their `service_level` quantile of (actual − forecast).
    pub fn new(days: u32, service_level: f64) -> LeadTimeErrors {
        assert!(
            (1..=MAX_PROTECTION_DAYS).contains(&days),
            "protection interval checked by caller"
        );
        LeadTimeErrors {
            forecasts: vec![0.0; days as usize].into_boxed_slice(),
            actuals: vec![0.0; days as usize].into_boxed_slice(),
            actual_sum: 0.0,
            pos: 0,
            filled: 0,
            quantile: P2Quantile::new(service_level),
        }
    }

    /// Records today's demand, then today's forecast for the next `days` days (call after the
    /// forecaster observed today).
    pub fn observe(&mut self, actual_units: f64, forecaster: &Forecaster) {
        let len = self.actuals.len();
        // The forecast made `days` days ago covers exactly the `days` actuals ending today.
        self.actual_sum += actual_units - self.actuals[self.pos];
        self.actuals[self.pos] = actual_units;
        if self.filled == len {
            self.quantile
                .observe(self.actual_sum - self.forecasts[self.pos]);
        }
        self.forecasts[self.pos] = forecaster.forecast_total(len as u32);
        self.pos = (self.pos + 1) % len;
        if self.pos == 0 {
            self.actual_sum = self.actuals.iter().sum();
        }
        self.filled = (self.filled + 1).min(len);
    }

    /// Errors seen so far.
    pub fn count(&self) -> u64 {
        self.quantile.count()
    }

    /// Safety stock: the service-level quantile of past errors, never below zero.
    pub fn safety_stock_units(&self) -> f64 {
        self.quantile.estimate().max(0.0)
    }
}
