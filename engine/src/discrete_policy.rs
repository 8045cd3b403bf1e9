//! Reorder policies under Poisson demand, solved exactly, and the power approximation for (s, S).
//!
//! * (r, Q), continuous review, Poisson demand at rate λ over a lead time L, backorders: the
//!   expected cost per unit time of a given (r, Q) is `(K λ + Σ_{y=r+1}^{r+Q} g(y)) ÷ Q`, with
//!   `g` the newsvendor cost of lead-time demand; the optimum by Federgruen and Zheng (1992).
//! * (s, S), periodic review, Poisson demand per period, no lead time: the cost of a given
//!   (s, S) through the renewal functions `m` and `M` of Zheng and Federgruen (1991),
//!   `g(s, S) = (K + Σ_{d=0}^{S−s−1} m(d) g(S − d)) ÷ M(S − s)`, and their exact search.
//! * (s, S) by the power approximation of Ehrhardt and Mosier (1984) ([`SsProblem`]).
//!
//! Conventions, formulas and search steps follow Snyder and Shen, *Fundamentals of Supply Chain
//! Theory* (2nd ed.), chapters 4 and 5, as stockpyl 1.0.2 implements them.

/// The longest search an exact method runs (order quantities or levels tried) before it gives
/// up: inputs that need more are outside what a whole-unit search should be asked.
pub const MAX_SEARCH_STEPS: i64 = 10_000_000;

/// The widest S − s the exact (s, S) search considers: its renewal function costs the square of
/// the gap to compute.
pub const MAX_SS_GAP: i64 = 20_000;

/// The newsvendor cost `g(y) = h · E[(y − D)⁺] + p · E[(D − y)⁺]` of a Poisson demand `D`, for
/// whole levels `y`, each in constant time after one pass over the distribution's window.
#[derive(Clone, Debug)]
pub struct PoissonNewsvendor {
    holding: f64,
    stockout: f64,
    mean: f64,
    /// The first level of the window (below it P(D ≤ d) is under double precision).
    first: i64,
    /// P(D ≤ first + i).
    cdf: Vec<f64>,
    /// Σ_{k ≤ first + i} (k − mean) · P(D = k): centred, so that E[(y − D)⁺] is a difference of
    /// numbers of the size of σ, not of the mean.
    partial_excess: Vec<f64>,
}

impl PoissonNewsvendor {
    /// `g` for Poisson demand of `mean`, holding cost `holding` per unit left over and
    /// `stockout` per unit short.
    pub fn new(holding: f64, stockout: f64, mean: f64) -> PoissonNewsvendor {
        let window = PoissonWindow::new(mean);
        let (mut cdf, mut partial_excess) = (Vec::with_capacity(window.pmf.len()), Vec::new());
        let (mut c, mut m) = (0.0, 0.0);
        for (i, p) in window.pmf.iter().enumerate() {
            c += p;
            m += ((window.first + i) as f64 - mean) * p;
            cdf.push(c);
            partial_excess.push(m);
        }
        PoissonNewsvendor {
            holding,
            stockout,
            mean,
            first: window.first as i64,
            cdf,
            partial_excess,
        }
    }

    /// g(y) for a whole level `y`.
    pub fn cost(&self, y: i64) -> f64 {
        self.cost_at(y as f64)
    }

    /// g(y) for any level `y`: E[(y − D)⁺] = (y − mean) · P(D ≤ ⌊y⌋) − Σ_{k ≤ ⌊y⌋} (k − mean) ·
    /// P(D = k), and E[(D − y)⁺] = E[(y − D)⁺] − (y − mean).
    pub fn cost_at(&self, y: f64) -> f64 {
        let left_over = match y.floor() as i64 - self.first {
            below if below < 0 => 0.0,
            i => {
                let i = (i as usize).min(self.cdf.len() - 1);
                (y - self.mean) * self.cdf[i] - self.partial_excess[i]
            }
        };
        let short = left_over - (y - self.mean);
        self.holding * left_over + self.stockout * short
    }

    /// The least whole level whose P(D ≤ y) reaches the critical fractile p ÷ (p + h).
    pub fn optimal_level(&self) -> i64 {
        let fractile = self.stockout / (self.stockout + self.holding);
        self.first
            + self
                .cdf
                .iter()
                .position(|&c| c >= fractile)
                .unwrap_or(self.cdf.len()) as i64
    }
}

/// Poisson probabilities over the levels that hold all of them to double precision: from
/// `mean − 40 σ − 50` (at least 0) to `mean + 40 σ + 50`. Worked out from the mode outwards by
/// the ratio P(D = d + 1) ÷ P(D = d) = mean ÷ (d + 1) and scaled to sum to 1, so a mean of a
/// billion costs a window of a few million levels, not a billion, and no term under- or
/// overflows on the way.
#[derive(Clone, Debug)]
pub(crate) struct PoissonWindow {
    /// The window's first level.
    pub(crate) first: usize,
    /// P(D = first + i).
    pub(crate) pmf: Vec<f64>,
}

impl PoissonWindow {
    pub(crate) fn new(mean: f64) -> PoissonWindow {
        let reach = 40.0 * mean.sqrt() + 50.0;
        let first = (mean - reach).floor().max(0.0) as usize;
        let last = (mean + reach).ceil() as usize;
        let mode = (mean.floor() as usize).clamp(first, last);
        let mut pmf = vec![0.0; last - first + 1];
        pmf[mode - first] = 1.0;
        for d in mode + 1..=last {
            pmf[d - first] = pmf[d - 1 - first] * mean / d as f64;
        }
        for d in (first..mode).rev() {
            pmf[d - first] = pmf[d + 1 - first] * (d + 1) as f64 / mean;
        }
        let total: f64 = pmf.iter().sum();
        pmf.iter_mut().for_each(|p| *p /= total);
        PoissonWindow { first, pmf }
    }

    /// P(D = d).
    pub(crate) fn p(&self, d: usize) -> f64 {
        d.checked_sub(self.first)
            .and_then(|i| self.pmf.get(i))
            .copied()
            .unwrap_or(0.0)
    }
}

/// A whole-unit policy and its expected cost per unit time (per period for (s, S)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiscretePolicy {
    /// Reorder point r (or s), units of inventory position.
    pub reorder_point: i64,
    /// Order quantity Q ((r, Q)) or order-up-to level S ((s, S)), units.
    pub second: i64,
    /// Expected cost per unit time.
    pub expected_cost: f64,
}

/// (r, Q) with Poisson demand: `λ` a unit time, lead time `L`, holding `h` per unit per unit
/// time, stockout `p` per unit backordered per unit time, `K` per order.
#[derive(Clone, Debug)]
pub struct PoissonRq {
    fixed_cost: f64,
    demand_mean: f64,
    g: PoissonNewsvendor,
}

impl PoissonRq {
    /// The problem; `g` is that of lead-time demand, Poisson with mean λ · L.
    pub fn new(
        holding_cost: f64,
        stockout_cost: f64,
        fixed_cost: f64,
        demand_mean: f64,
        lead_time: f64,
    ) -> PoissonRq {
        PoissonRq {
            fixed_cost,
            demand_mean,
            g: PoissonNewsvendor::new(holding_cost, stockout_cost, demand_mean * lead_time),
        }
    }

    /// The expected cost per unit time of (r, Q), Q ≥ 1: `(K λ + Σ_{y=r+1}^{r+Q} g(y)) ÷ Q`.
    pub fn cost(&self, reorder_point: i64, order_quantity: i64) -> f64 {
        let sum: f64 = (reorder_point + 1..=reorder_point + order_quantity)
            .map(|y| self.g.cost(y))
            .sum();
        (self.fixed_cost * self.demand_mean + sum) / order_quantity as f64
    }

    /// The optimal (r, Q) (Federgruen and Zheng): from Q = 1 and r one below the newsvendor
    /// level, raise Q one unit at a time, moving r down when g(r) < g(r + Q + 1), until the
    /// cost rises. `None` when Q would pass [`MAX_SEARCH_STEPS`].
    pub fn optimal(&self) -> Option<DiscretePolicy> {
        let mut q = 1;
        let mut r = self.g.optimal_level() - 1;
        let mut cost = self.cost(r, q);
        // The window sum Σ_{y=r+1}^{r+Q} g(y), kept as r and Q move.
        let mut window = cost * q as f64 - self.fixed_cost * self.demand_mean;
        loop {
            if q >= MAX_SEARCH_STEPS {
                return None;
            }
            let (previous_cost, previous_r) = (cost, r);
            if self.g.cost(r) < self.g.cost(r + q + 1) {
                window += self.g.cost(r);
                r -= 1;
            } else {
                window += self.g.cost(r + q + 1);
            }
            cost = (self.fixed_cost * self.demand_mean + window) / (q + 1) as f64;
            if cost > previous_cost {
                return Some(DiscretePolicy {
                    reorder_point: previous_r,
                    second: q,
                    expected_cost: previous_cost,
                });
            }
            q += 1;
        }
    }
}

/// (s, S) under periodic review with Poisson demand per period and a lead time of `L` whole
/// periods: holding `h` per unit per period, stockout `p` per unit backordered per period, `K`
/// per order. An order placed at a review arrives `L` periods later, so the level it raises
/// pays the newsvendor cost of the demand over `L + 1` periods.
#[derive(Clone, Debug)]
pub struct PoissonSs {
    fixed_cost: f64,
    /// g over L + 1 periods' demand.
    g: PoissonNewsvendor,
    /// One period's demand distribution, for the renewal function.
    period_pmf: PoissonWindow,
    /// The renewal density m(j), grown as wider gaps S − s are asked for.
    renewal: Vec<f64>,
}

impl PoissonSs {
    /// The problem, `mean` demand per period.
    pub fn new(
        holding_cost: f64,
        stockout_cost: f64,
        fixed_cost: f64,
        mean: f64,
        lead_time_periods: u32,
    ) -> PoissonSs {
        let periods = f64::from(lead_time_periods) + 1.0;
        PoissonSs {
            fixed_cost,
            g: PoissonNewsvendor::new(holding_cost, stockout_cost, mean * periods),
            period_pmf: PoissonWindow::new(mean),
            renewal: Vec::new(),
        }
    }

    fn period_pmf(&self, d: usize) -> f64 {
        self.period_pmf.p(d)
    }

    /// Grows m(j) to `gap` values: m(0) = 1 ÷ (1 − P(D = 0)), m(j) = m(0) Σ_{l=1}^{j} P(D = l)
    /// m(j − l).
    fn grow_renewal(&mut self, gap: usize) {
        let m0 = 1.0 / (1.0 - self.period_pmf(0));
        for j in self.renewal.len()..gap {
            let m = if j == 0 {
                m0
            } else {
                m0 * (1..=j)
                    .map(|l| self.period_pmf(l) * self.renewal[j - l])
                    .sum::<f64>()
            };
            self.renewal.push(m);
        }
    }

    /// The expected cost per period of (s, S), s < S: `(K + Σ_{d<S−s} m(d) g(S − d)) ÷ M(S − s)`
    /// with M(j) = Σ_{i<j} m(i).
    pub fn cost(&mut self, reorder_point: i64, order_up_to: i64) -> f64 {
        let gap = (order_up_to - reorder_point).max(1) as usize;
        self.grow_renewal(gap);
        let m = &self.renewal[..gap];
        let numerator: f64 = self.fixed_cost
            + m.iter()
                .enumerate()
                .map(|(d, m)| m * self.g.cost(order_up_to - d as i64))
                .sum::<f64>();
        numerator / m.iter().sum::<f64>()
    }

    /// The optimal (s, S) (Zheng and Federgruen): from S₀ the newsvendor level, lower s until
    /// c(s, S₀) ≤ g(s); then raise S while g(S) ≤ the best cost, moving s up whenever a new S
    /// improves on it. `None` when S − s would pass [`MAX_SS_GAP`] units.
    pub fn optimal(&mut self) -> Option<DiscretePolicy> {
        let start = self.g.optimal_level();
        let mut s = start;
        loop {
            s -= 1;
            if start - s > MAX_SS_GAP {
                return None;
            }
            if self.cost(s, start) <= self.g.cost(s) {
                break;
            }
        }
        let (mut best_s, mut best_up_to) = (s, start);
        let mut best = self.cost(best_s, best_up_to);
        let mut up_to = best_up_to + 1;
        while self.g.cost(up_to) <= best {
            if up_to - s > MAX_SS_GAP {
                return None;
            }
            if self.cost(best_s, up_to) < best {
                best_up_to = up_to;
                while self.cost(s, best_up_to) <= self.g.cost(s + 1) {
                    s += 1;
                }
                best_s = s;
                best = self.cost(best_s, best_up_to);
            }
            up_to += 1;
        }
        Some(DiscretePolicy {
            reorder_point: best_s,
            second: best_up_to,
            expected_cost: best,
        })
    }
}

/// An (s, S) problem under periodic review: holding `h` per unit per period, stockout `p` per
/// unit backordered per period, `K` per order, demand per period of `demand_mean`, orders
/// arriving `lead_time` whole periods after the review that placed them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SsProblem {
    /// Holding cost per unit per period (h).
    pub holding_cost: f64,
    /// Stockout cost per unit backordered per period (p).
    pub stockout_cost: f64,
    /// Fixed cost per order (K).
    pub fixed_cost: f64,
    /// Mean demand per period (μ).
    pub demand_mean: f64,
    /// Lead time, whole periods (L).
    pub lead_time: u32,
}

impl SsProblem {
    /// The problem under Poisson demand, to cost and optimise exactly.
    pub fn poisson(&self) -> PoissonSs {
        PoissonSs::new(
            self.holding_cost,
            self.stockout_cost,
            self.fixed_cost,
            self.demand_mean,
            self.lead_time,
        )
    }

    /// (s, S) by the power approximation (Ehrhardt and Mosier) for demand per period of
    /// standard deviation `std`, over a protection interval of L + 1 periods:
    /// Q = 1.30 μ^0.494 (K ÷ h)^0.506 (1 + σ_L² ÷ μ²)^0.116, z = sqrt(Q h ÷ (σ_L p)),
    /// s = 0.973 μ_L + σ_L (0.183 ÷ z + 1.063 − 2.192 z), S = s + Q; returns (s, S).
    pub fn power_approximation(&self, std: f64) -> (f64, f64) {
        let (h, p, k, mean) = (
            self.holding_cost,
            self.stockout_cost,
            self.fixed_cost,
            self.demand_mean,
        );
        let periods = f64::from(self.lead_time) + 1.0;
        let (mean_lead, std_lead) = (mean * periods, std * periods.sqrt());
        let q = 1.30
            * mean.powf(0.494)
            * (k / h).powf(0.506)
            * (1.0 + (std_lead / mean).powi(2)).powf(0.116);
        let z = (q / std_lead * h / p).sqrt();
        let s = 0.973 * mean_lead + std_lead * (0.183 / z + 1.063 - 2.192 * z);
        (s, s + q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over a box around the answer: nothing cheaper than the exact searches find.
    #[test]
    fn exact_searches_beat_every_policy_in_a_box() {
        let rq = PoissonRq::new(20.0, 150.0, 100.0, 1.5, 2.0);
        let best = rq.optimal().unwrap();
        for r in -5..15 {
            for q in 1..30 {
                assert!(rq.cost(r, q) >= best.expected_cost - 1e-12, "r {r} Q {q}");
            }
        }
        let mut ss = PoissonSs::new(1.0, 4.0, 5.0, 6.0, 0);
        let best = ss.optimal().unwrap();
        for s in -5..12 {
            for up_to in s + 1..25 {
                assert!(
                    ss.cost(s, up_to) >= best.expected_cost - 1e-12,
                    "s {s} S {up_to}"
                );
            }
        }
    }

    /// The window against statrs's Poisson probabilities where its `exp(k ln λ − λ − ln k!)`
    /// is accurate (relative error 1e-12; 1e-9 at a mean of 1e5), against 40-digit values at a
    /// mean of a billion (mpmath: `exp(−m + d ln m − loggamma(d + 1))`; statrs and scipy are off
    /// by 1e-6 there), and its mean and variance against the mean.
    #[test]
    fn the_window_is_the_poisson_distribution() {
        use statrs::distribution::{Discrete, Poisson};
        for (mean, tolerance) in [(0.4, 1e-12), (3.2, 1e-12), (150.0, 1e-12), (1e5, 1e-9)] {
            let window = PoissonWindow::new(mean);
            let reference = Poisson::new(mean).unwrap();
            for offset in [-3.0, -1.0, 0.0, 0.5, 2.0, 4.0] {
                let d = (mean + offset * f64::sqrt(mean)).round().max(0.0) as u64;
                let (ours, theirs) = (window.p(d as usize), reference.pmf(d));
                assert!(
                    (ours - theirs).abs() <= tolerance * theirs,
                    "mean {mean}, P(D = {d}): {ours} against {theirs}"
                );
            }
        }
        let billion = PoissonWindow::new(1e9);
        for (d, exact) in [
            (999_905_132, 1.401384414741759e-7),
            (999_968_377, 7.651_812_767_165_148e-6),
            (1_000_000_000, 1.2615662609049495e-5),
            (1_000_015_811, 1.113327084995897e-5),
            (1_000_063_246, 1.7073140241107282e-6),
            (1_000_126_491, 4.233300253445e-9),
        ] {
            let ours = billion.p(d);
            assert!(
                (ours - exact).abs() <= 1e-10 * exact,
                "P(D = {d}): {ours} against {exact}"
            );
        }
        for mean in [0.4, 3.2, 150.0, 1e5, 1e9] {
            let window = PoissonWindow::new(mean);
            let moment = |power: i32| -> f64 {
                (window.pmf.iter().enumerate())
                    .map(|(i, p)| ((window.first + i) as f64 - mean).powi(power) * p)
                    .sum()
            };
            let scale = mean.max(1.0);
            assert!(
                moment(1).abs() <= 1e-9 * scale,
                "mean {mean}: {}",
                moment(1)
            );
            assert!(
                (moment(2) - mean).abs() <= 1e-9 * scale,
                "mean {mean}: {}",
                moment(2)
            );
        }
    }

    /// Base-stock levels under Poisson demand of ten million and a billion a period (h 1, p 10):
    /// the window keeps them to a few million levels, and their costs are the 30-digit sums
    /// (mpmath: Σ_{d ≤ S} (S − d) P(D = d) from the window's first level, then the short units
    /// from it) to 1e-10.
    #[test]
    fn base_stock_levels_of_huge_poisson_means_cost_what_the_exact_sums_say() {
        use crate::safety_stock::{base_stock, PeriodDemand};
        for (mean, level, exact) in [
            (1e7, 10_004_222.0, 5_691.477_346_257_679),
            (1e9, 1_000_042_222.0, 56_911.169_502_621_74),
        ] {
            let r = base_stock(1.0, 10.0, PeriodDemand::Poisson { mean }, None);
            assert_eq!(r.level, level, "mean {mean}");
            let relative = (r.expected_cost - exact).abs() / exact;
            assert!(
                relative < 1e-10,
                "mean {mean}: {} against {exact}",
                r.expected_cost
            );
        }
    }

    /// The textbook's worked examples (Snyder and Shen, Examples 4.7 and 5.8).
    #[test]
    fn worked_examples() {
        let rq = PoissonRq::new(20.0, 150.0, 100.0, 1.5, 2.0);
        let best = rq.optimal().unwrap();
        assert_eq!((best.reorder_point, best.second), (3, 5));
        assert!((best.expected_cost - 107.92358063314975).abs() < 1e-9);
        let mut ss = PoissonSs::new(1.0, 4.0, 5.0, 6.0, 0);
        assert!((ss.cost(4, 10) - 8.034111561471642).abs() < 1e-9);
        let best = ss.optimal().unwrap();
        assert_eq!((best.reorder_point, best.second), (4, 10));
        assert!((best.expected_cost - 8.034111561471642).abs() < 1e-9);
        let problem = SsProblem {
            holding_cost: 0.18,
            stockout_cost: 0.70,
            fixed_cost: 2.5,
            demand_mean: 50.0,
            lead_time: 0,
        };
        let (s, up_to) = problem.power_approximation(8.0);
        assert!((s - 40.19461695647407).abs() < 1e-9);
        assert!((up_to - 74.29017010980579).abs() < 1e-9);
    }
}
