//! Estimates over replications: a mean and its 95 % confidence interval.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// A mean with its 95 % confidence interval (Student's t over the replications).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Replications the value was defined in.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Half-width of the 95 % interval; `None` with fewer than two replications.
    pub half_width: Option<f64>,
}

impl Estimate {
    /// The estimate of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Estimate> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let half_width = (n >= 2).then(|| {
            let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
                .expect("n − 1 ≥ 1 degrees of freedom")
                .inverse_cdf(0.975);
            t * (variance / n as f64).sqrt()
        });
        Some(Estimate {
            n,
            mean,
            half_width,
        })
    }

    /// Whether the interval excludes 0: a difference that is not noise.
    pub fn excludes_zero(&self) -> bool {
        self.half_width
            .is_some_and(|h| self.mean - h > 0.0 || self.mean + h < 0.0)
    }
}

/// "1 replication", "3 replications".
pub fn replications_text(n: usize) -> String {
    match n {
        1 => "1 replication".into(),
        n => format!("{n} replications"),
    }
}
