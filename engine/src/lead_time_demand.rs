//! Demand over a protection interval as a whole-unit distribution, for the `quantile` safety
//! stock: negative binomial with the forecast's mean and the variance the normal method uses
//! (Poisson when that variance does not exceed the mean). Slow and lumpy cells need both of its
//! properties: demand comes in whole units, so only whole reorder levels exist, and it is skewed
//! to the right, so `mean + z · σ` over-protects at low service levels and under-protects at
//! high ones.
//!
//! Summed exactly while the mean is at most [`EXACT_MEAN_UNITS`]; beyond, the distribution is
//! near enough to normal that a normal with a continuity correction stands in for it, at a
//! constant cost per cell.

use statrs::distribution::{ContinuousCDF, Normal};

/// The largest mean summed term by term.
pub const EXACT_MEAN_UNITS: f64 = 200.0;

/// The distribution of demand over a protection interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeadTimeDemand {
    mean: f64,
    variance: f64,
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

impl Bracket {
    /// The share of cycles to run at `high` so that the mean P(D ≤ level) equals `p`.
    pub fn high_share(&self, p: f64) -> f64 {
        if self.high_cdf > self.low_cdf {
            ((p - self.low_cdf) / (self.high_cdf - self.low_cdf)).clamp(0.0, 1.0)
        } else {
            1.0
        }
    }
}

impl LeadTimeDemand {
    /// Demand of `mean` units and `variance` units² (both floored at 0).
    pub fn new(mean: f64, variance: f64) -> LeadTimeDemand {
        LeadTimeDemand {
            mean: mean.max(0.0),
            variance: variance.max(0.0),
        }
    }

    /// The levels around `p`, 0 < p < 1.
    pub fn bracket(&self, p: f64) -> Bracket {
        if self.mean <= 0.0 {
            return Bracket {
                low: -1,
                low_cdf: 0.0,
                high: 0,
                high_cdf: 1.0,
            };
        }
        if self.mean > EXACT_MEAN_UNITS {
            return self.normal_bracket(p);
        }
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
        let mut level = 0i64;
        // The tail past 1e6 units is out of reach of a mean of at most EXACT_MEAN_UNITS.
        while cdf < p && level < 1_000_000 {
            below = cdf;
            let k = level as f64;
            pmf *= (a * k + b) / (k + 1.0);
            cdf += pmf;
            level += 1;
        }
        Bracket {
            low: level - 1,
            low_cdf: below,
            high: level,
            high_cdf: cdf.min(1.0),
        }
    }

    /// The bracket under the normal approximation with a continuity correction,
    /// P(D ≤ r) ≈ Φ((r + ½ − m) ÷ σ).
    fn normal_bracket(&self, p: f64) -> Bracket {
        let sigma = self.variance.sqrt().max(1e-9);
        let unit = Normal::new(0.0, 1.0).expect("valid");
        let cdf = |r: i64| unit.cdf((r as f64 + 0.5 - self.mean) / sigma);
        let high = (self.mean + sigma * unit.inverse_cdf(p) - 0.5).ceil() as i64;
        // Rounding may leave `high` one off the least level reaching p.
        let high = if cdf(high - 1) >= p {
            high - 1
        } else if cdf(high) < p {
            high + 1
        } else {
            high
        };
        Bracket {
            low: high - 1,
            low_cdf: cdf(high - 1),
            high,
            high_cdf: cdf(high),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a hand-summed Poisson(2): P(D ≤ 2) = 0.6767, P(D ≤ 3) = 0.8571.
    #[test]
    fn poisson_bracket() {
        let b = LeadTimeDemand::new(2.0, 1.5).bracket(0.8);
        assert_eq!((b.low, b.high), (2, 3));
        assert!((b.low_cdf - 0.676_676_416_183_063_9).abs() < 1e-12);
        assert!((b.high_cdf - 0.857_123_460_498_547_6).abs() < 1e-12);
        assert!((b.high_share(0.8) - (0.8 - b.low_cdf) / (b.high_cdf - b.low_cdf)).abs() < 1e-15);
    }

    /// Negative binomial mean 3, variance 6 (r = 3, q = ½): P(D = k) = C(k + 2, 2) / 2^(k + 3).
    #[test]
    fn negative_binomial_bracket() {
        let b = LeadTimeDemand::new(3.0, 6.0).bracket(0.9);
        let pmf = |k: i64| ((k + 1) * (k + 2) / 2) as f64 / 2f64.powi(k as i32 + 3);
        let cdf = |r: i64| (0..=r).map(pmf).sum::<f64>();
        assert!(cdf(b.high) >= 0.9 && cdf(b.low) < 0.9);
        assert!((b.high_cdf - cdf(b.high)).abs() < 1e-12);
        assert!((b.low_cdf - cdf(b.low)).abs() < 1e-12);
    }

    /// Past the exact range the normal approximation's bracket still straddles p, and agrees
    /// with the exact sum where both apply.
    #[test]
    fn large_means_use_the_normal_approximation() {
        for p in [0.5, 0.8, 0.95, 0.99] {
            let b = LeadTimeDemand::new(5000.0, 9000.0).bracket(p);
            assert!(b.low_cdf < p && b.high_cdf >= p, "{p}: {b:?}");
            assert_eq!(b.high, b.low + 1);
        }
        let exact = LeadTimeDemand::new(200.0, 400.0).bracket(0.95);
        let normal = LeadTimeDemand::new(200.0, 400.0).normal_bracket(0.95);
        assert!(
            (exact.high - normal.high).abs() <= 2,
            "{exact:?} {normal:?}"
        );
        let zero = LeadTimeDemand::new(0.0, 0.0).bracket(0.99);
        assert_eq!((zero.high, zero.high_cdf), (0, 1.0));
    }
}
