//! Demand over a protection interval as a whole-unit distribution, for the `quantile` safety
//! stock: negative binomial with the forecast's mean and the variance the normal method uses
//! (Poisson when that variance does not exceed the mean). Slow and lumpy cells need both of its
//! properties: demand comes in whole units, so only whole reorder levels exist, and it is skewed
//! to the right, so `mean + z · σ` over-protects at low service levels and under-protects at
//! high ones.
//!
//! Summed exactly while the mean is at most [`EXACT_MEAN_UNITS`]; beyond, a normal with a
//! continuity correction and a Cornish–Fisher skewness term stands in for it, at a constant
//! cost per cell (a daily close visits every cell).

use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::erf::erfc;

/// Φ(x), through erfc for accuracy in both tails.
fn standard_normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The largest mean summed term by term.
pub const EXACT_MEAN_UNITS: f64 = 60.0;

/// Levels summed at most (far past any quantile of a mean of [`EXACT_MEAN_UNITS`]).
const MAX_EXACT_LEVEL: usize = 4096;

/// 1 ÷ (k + 1) for every level summed: the sum's one division, looked up.
static RECIPROCALS: [f64; MAX_EXACT_LEVEL] = reciprocals();

const fn reciprocals() -> [f64; MAX_EXACT_LEVEL] {
    let mut table = [0.0; MAX_EXACT_LEVEL];
    let mut k = 0;
    while k < MAX_EXACT_LEVEL {
        table[k] = 1.0 / (k as f64 + 1.0);
        k += 1;
    }
    table
}

/// The distribution of demand over a protection interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeadTimeDemand {
    mean: f64,
    variance: f64,
}

/// A promised probability p of no stockout, with its standard normal quantile z worked out once
/// (a close brackets every cell at the same p).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Promise {
    p: f64,
    z: f64,
}

impl Promise {
    /// The promise `p`, 0 < p < 1.
    pub fn new(p: f64) -> Promise {
        let z = Normal::new(0.0, 1.0).expect("valid").inverse_cdf(p);
        Promise { p, z }
    }
}

/// The two whole levels around a service level `p`: `high` the least level whose
/// P(D ≤ level) reaches `p`, `low = high − 1` the greatest whose P(D ≤ level) falls short of it,
/// with those probabilities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bracket {
    /// The greatest level whose P(D ≤ level) is below p.
    pub low: i64,
    /// P(D ≤ low).
    pub low_cdf: f64,
    /// The least level whose P(D ≤ level) reaches p.
    pub high: i64,
    /// P(D ≤ high).
    pub high_cdf: f64,
}

impl LeadTimeDemand {
    /// Demand of `mean` units and `variance` units² (both floored at 0).
    pub fn new(mean: f64, variance: f64) -> LeadTimeDemand {
        LeadTimeDemand {
            mean: mean.max(0.0),
            variance: variance.max(0.0),
        }
    }

    /// The levels around the promise.
    pub fn bracket(&self, promise: Promise) -> Bracket {
        if self.mean <= 0.0 {
            return Bracket {
                low: -1,
                low_cdf: 0.0,
                high: 0,
                high_cdf: 1.0,
            };
        }
        if self.mean > EXACT_MEAN_UNITS {
            return self.approximate_bracket(promise);
        }
        self.exact_bracket(promise.p)
    }

    /// The bracket summed term by term.
    fn exact_bracket(&self, p: f64) -> Bracket {
        // P(D = k + 1) = P(D = k) · (a·k + b) ÷ (k + 1): Poisson (a = 0, b = m), or negative
        // binomial with r = m² ÷ (v − m) and success probability q = m ÷ v (a = 1 − q, b = r a).
        let (first, a, b) = if self.variance <= self.mean {
            ((-self.mean).exp(), 0.0, self.mean)
        } else {
            let q = self.mean / self.variance;
            let r = self.mean * self.mean / (self.variance - self.mean);
            ((r * q.ln()).exp(), 1.0 - q, r * (1.0 - q))
        };
        let (mut pmf, mut cdf, mut below) = (first, first, 0.0);
        let mut level = 0usize;
        while cdf < p && level < MAX_EXACT_LEVEL {
            below = cdf;
            pmf *= (a * level as f64 + b) * RECIPROCALS[level];
            cdf += pmf;
            level += 1;
        }
        let level = level as i64;
        Bracket {
            low: level - 1,
            low_cdf: below,
            high: level,
            high_cdf: cdf.min(1.0),
        }
    }

    /// The bracket under a normal approximation with a continuity correction and a
    /// Cornish–Fisher term for the skewness γ = (2v − m) ÷ (m σ) (negative binomial; 1 ÷ σ for
    /// Poisson): the quantile m + σ (z + γ (z² − 1) ÷ 6), and P(D ≤ r) ≈ Φ(x − γ (x² − 1) ÷ 6)
    /// with x = (r + ½ − m) ÷ σ.
    fn approximate_bracket(&self, promise: Promise) -> Bracket {
        let Promise { p, z } = promise;
        let variance = self.variance.max(self.mean);
        let sigma = variance.sqrt().max(1e-9);
        let skew = (2.0 * variance - self.mean) / (self.mean * sigma);
        let cdf = |r: i64| {
            let x = (r as f64 + 0.5 - self.mean) / sigma;
            standard_normal_cdf(x - skew * (x * x - 1.0) / 6.0)
        };
        let mut high = (self.mean + sigma * (z + skew * (z * z - 1.0) / 6.0) - 0.5).ceil() as i64;
        let (mut low_cdf, mut high_cdf) = (cdf(high - 1), cdf(high));
        // Rounding may leave `high` one off the least level reaching p.
        if low_cdf >= p {
            high -= 1;
            (low_cdf, high_cdf) = (cdf(high - 1), low_cdf);
        } else if high_cdf < p {
            high += 1;
            (low_cdf, high_cdf) = (high_cdf, cdf(high));
        }
        Bracket {
            low: high - 1,
            low_cdf,
            high,
            high_cdf,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a hand-summed Poisson(2): P(D ≤ 2) = 0.6767, P(D ≤ 3) = 0.8571.
    #[test]
    fn poisson_bracket() {
        let b = LeadTimeDemand::new(2.0, 1.5).bracket(Promise::new(0.8));
        assert_eq!((b.low, b.high), (2, 3));
        assert!((b.low_cdf - 0.676_676_416_183_063_9).abs() < 1e-12);
        assert!((b.high_cdf - 0.857_123_460_498_547_6).abs() < 1e-12);
    }

    /// Negative binomial mean 3, variance 6 (r = 3, q = ½): P(D = k) = C(k + 2, 2) / 2^(k + 3).
    #[test]
    fn negative_binomial_bracket() {
        let b = LeadTimeDemand::new(3.0, 6.0).bracket(Promise::new(0.9));
        let pmf = |k: i64| ((k + 1) * (k + 2) / 2) as f64 / 2f64.powi(k as i32 + 3);
        let cdf = |r: i64| (0..=r).map(pmf).sum::<f64>();
        assert!(cdf(b.high) >= 0.9 && cdf(b.low) < 0.9);
        assert!((b.high_cdf - cdf(b.high)).abs() < 1e-12);
        assert!((b.low_cdf - cdf(b.low)).abs() < 1e-12);
    }

    /// Past the exact range the approximation's bracket still straddles p, and agrees with the
    /// exact sum within a level and a point of probability.
    #[test]
    fn large_means_use_an_approximation() {
        for p in [0.5, 0.8, 0.95, 0.99] {
            let b = LeadTimeDemand::new(5000.0, 9000.0).bracket(Promise::new(p));
            assert!(b.low_cdf < p && b.high_cdf >= p, "{p}: {b:?}");
            assert_eq!(b.high, b.low + 1);
        }
        for (mean, variance) in [(61.0, 61.0), (61.0, 150.0), (300.0, 900.0), (700.0, 700.0)] {
            let d = LeadTimeDemand::new(mean, variance);
            for p in [0.5, 0.8, 0.9, 0.95, 0.98, 0.99] {
                let (exact, approximate) =
                    (d.exact_bracket(p), d.approximate_bracket(Promise::new(p)));
                assert!(
                    (exact.high - approximate.high).abs() <= 1
                        && (exact.high_cdf - approximate.high_cdf).abs() < 0.01,
                    "{mean} {variance} {p}: {exact:?} {approximate:?}"
                );
            }
        }
        let zero = LeadTimeDemand::new(0.0, 0.0).bracket(Promise::new(0.99));
        assert_eq!((zero.high, zero.high_cdf), (0, 1.0));
    }
}
