//! Temporal aggregation for intermittent demand: ADIDA (Nikolopoulos et al., 2011) sums the
//! history into buckets of the mean interval between demands, forecasts the bucket totals with
//! SES and spreads the forecast back over the bucket's days; IMAPA (Petropoulos and Kourentzes,
//! 2015) averages that over every bucket size from one day to the mean interval. Each SES has
//! its α fitted by golden-section search on the one-step squared error, within (0.1, 0.3), as
//! statsforecast does, so the forecasts are comparable number for number.

use super::window::RefitWindow;

/// The bounds the bucket totals' α is searched in.
pub const AGGREGATE_ALPHA_BOUNDS: (f64, f64) = (0.1, 0.3);

/// Width of the α interval at which the golden-section search stops.
const ALPHA_TOLERANCE: f64 = 1e-12;

/// The sum of squared one-step errors of SES with smoothing `alpha` over `x`, the first value
/// as the first forecast.
pub fn ses_sse(x: &[f64], alpha: f64) -> f64 {
    let Some((&first, rest)) = x.split_first() else {
        return 0.0;
    };
    let mut forecast = first;
    let mut previous = first;
    let mut sse = 0.0;
    for &value in rest {
        forecast = alpha * previous + (1.0 - alpha) * forecast;
        sse += (value - forecast).powi(2);
        previous = value;
    }
    sse
}

/// SES's forecast after the whole of `x` (the level started at the first value); 0 when empty.
pub fn ses_next(x: &[f64], alpha: f64) -> f64 {
    let Some((&first, rest)) = x.split_first() else {
        return 0.0;
    };
    rest.iter()
        .fold(first, |level, &v| alpha * v + (1.0 - alpha) * level)
}

/// The α in `[lower, upper]` with the least [`ses_sse`], by golden-section search down to an
/// interval of 1e-12 (stopping early when the two probes tie).
pub fn golden_section_alpha(x: &[f64], lower: f64, upper: f64) -> f64 {
    golden_section(|alpha| ses_sse(x, alpha), lower, upper, ALPHA_TOLERANCE)
}

/// The minimum of `f` over `[lower, upper]` by golden-section search, down to an interval of
/// `tolerance` (stopping early when the two probes tie); the middle of the last interval.
pub fn golden_section(f: impl Fn(f64) -> f64, lower: f64, upper: f64, tolerance: f64) -> f64 {
    let ratio = (5f64.sqrt() + 1.0) / 2.0;
    let (mut a, mut b) = (lower, upper);
    let mut c = b - (b - a) / ratio;
    let mut d = a + (b - a) / ratio;
    let (mut fc, mut fd) = (f(c), f(d));
    while (b - a).abs() >= tolerance {
        if fc < fd {
            (b, d, fd) = (d, c, fc);
            c = b - (b - a) / ratio;
            fc = f(c);
        } else if fd < fc {
            (a, c, fc) = (c, d, fd);
            d = a + (b - a) / ratio;
            fd = f(d);
        } else {
            break;
        }
    }
    (a + b) / 2.0
}

/// Totals of consecutive buckets of `size` days ending with the history (the oldest days that
/// do not fill a bucket are dropped).
pub fn bucket_totals(y: &[f64], size: usize) -> Vec<f64> {
    let lost = y.len() % size;
    y[lost..]
        .chunks_exact(size)
        .map(|c| c.iter().sum())
        .collect()
}

/// The mean interval between demands (days from the start to the first, then between each),
/// rounded half to even; `None` without demand.
pub fn mean_interval_days(y: &[f64]) -> Option<usize> {
    let mut previous = 0;
    let (mut sum, mut count) = (0usize, 0usize);
    for (t, _) in y.iter().enumerate().filter(|(_, &v)| v != 0.0) {
        sum += t + 1 - previous;
        previous = t + 1;
        count += 1;
    }
    (count > 0).then(|| (sum as f64 / count as f64).round_ties_even().max(1.0) as usize)
}

/// The next bucket's total for buckets of `size` days: SES with a fitted α over the totals; the
/// one total when there is one; the last day when there is not a whole bucket.
fn next_bucket_total(y: &[f64], size: usize) -> f64 {
    let totals = bucket_totals(y, size);
    match totals.len() {
        0 => y.last().copied().unwrap_or(0.0),
        1 => totals[0],
        _ => {
            let (lower, upper) = AGGREGATE_ALPHA_BOUNDS;
            ses_next(&totals, golden_section_alpha(&totals, lower, upper))
        }
    }
}

/// ADIDA's daily forecast: the next bucket's total over the mean interval, per day.
pub fn adida(y: &[f64]) -> f64 {
    match mean_interval_days(y) {
        None => 0.0,
        Some(size) => next_bucket_total(y, size) / size as f64,
    }
}

/// IMAPA's daily forecast: the mean over bucket sizes 1 to the mean interval of each size's
/// SES forecast of its totals (α fitted), per day.
pub fn imapa(y: &[f64]) -> f64 {
    let Some(largest) = mean_interval_days(y) else {
        return 0.0;
    };
    let (lower, upper) = AGGREGATE_ALPHA_BOUNDS;
    let total: f64 = (1..=largest)
        .map(|size| {
            let totals = bucket_totals(y, size);
            ses_next(&totals, golden_section_alpha(&totals, lower, upper)) / size as f64
        })
        .sum();
    total / largest as f64
}

/// Which temporal aggregation an [`OnlineAggregate`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregation {
    /// ADIDA: buckets of the mean interval between demands.
    Adida,
    /// IMAPA: every bucket size from one day to the mean interval, averaged.
    Imapa,
}

pub use super::window::{FIRST_FIT_DAYS, HISTORY_DAYS, REFIT_DAYS};

/// ADIDA or IMAPA for a series that grows a day at a time (a replenishment cell). The bucket
/// sizes (from the mean interval between demands) and each size's α are fitted every
/// [`REFIT_DAYS`] on the last [`HISTORY_DAYS`] days; every day the bucket totals of that window
/// are smoothed again with those α. On a fit's day the forecast is [`adida`] or [`imapa`] of
/// the window, number for number.
#[derive(Clone, Debug)]
pub struct OnlineAggregate {
    kind: Aggregation,
    window: RefitWindow,
    /// Each bucket size with its α, from the last fit (empty before it or without demand).
    buckets: Vec<(usize, f64)>,
    forecast: f64,
}

impl OnlineAggregate {
    /// No history yet.
    pub fn new(kind: Aggregation) -> OnlineAggregate {
        OnlineAggregate {
            kind,
            window: RefitWindow::default(),
            buckets: Vec::new(),
            forecast: 0.0,
        }
    }

    /// One more day of `y`.
    pub fn observe(&mut self, y: f64) {
        // Without demand in the window there is nothing to fit: try again the next day.
        if self.window.push(y, !self.buckets.is_empty()) {
            self.fit();
        }
        self.forecast = if self.buckets.is_empty() {
            self.window.mean()
        } else {
            let total: f64 = self
                .buckets
                .iter()
                .map(|&(size, alpha)| self.next_total(size, alpha) / size as f64)
                .sum();
            total / self.buckets.len() as f64
        };
    }

    /// The daily forecast, the same for every day ahead.
    pub fn forecast(&self) -> f64 {
        self.forecast
    }

    fn fit(&mut self) {
        let days = self.window.to_vec();
        self.buckets.clear();
        let Some(largest) = mean_interval_days(&days) else {
            return;
        };
        let smallest = match self.kind {
            Aggregation::Adida => largest,
            Aggregation::Imapa => 1,
        };
        let (lower, upper) = AGGREGATE_ALPHA_BOUNDS;
        for size in smallest..=largest {
            let totals = bucket_totals(&days, size);
            self.buckets
                .push((size, golden_section_alpha(&totals, lower, upper)));
        }
        self.window.fitted();
    }

    /// The next bucket's total for buckets of `size` days over the window, smoothed with
    /// `alpha` as [`next_bucket_total`] smooths it (the last day when no bucket is whole).
    fn next_total(&self, size: usize, alpha: f64) -> f64 {
        let lost = self.window.len() % size;
        let mut level = None;
        let (mut total, mut filled) = (0.0, 0);
        for v in self.window.iter().skip(lost) {
            total += v;
            filled += 1;
            if filled == size {
                level = Some(match level {
                    None => total,
                    Some(l) => alpha * total + (1.0 - alpha) * l,
                });
                (total, filled) = (0.0, 0);
            }
        }
        level.unwrap_or_else(|| self.window.last().unwrap_or(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_section_finds_the_least_squared_error() {
        let x = [3.0, 5.0, 2.0, 8.0, 4.0, 6.0, 1.0, 7.0];
        let alpha = golden_section_alpha(&x, 0.01, 0.99);
        let grid = (1..=99).map(|i| i as f64 / 100.0);
        let best = grid
            .min_by(|a, b| ses_sse(&x, *a).total_cmp(&ses_sse(&x, *b)))
            .unwrap();
        assert!(
            (alpha - best).abs() <= 0.01,
            "{alpha} against the grid's {best}"
        );
        assert!(ses_sse(&x, alpha) <= ses_sse(&x, best) + 1e-12);
    }

    #[test]
    fn buckets_intervals_and_empty_histories() {
        assert_eq!(bucket_totals(&[1.0, 2.0, 3.0, 4.0, 5.0], 2), [5.0, 9.0]);
        // Demands on days 3, 4 and 8: intervals 3, 1, 4, mean 2.67 → 3.
        assert_eq!(
            mean_interval_days(&[0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 5.0]),
            Some(3)
        );
        // Mean 2.5 rounds to even: 2.
        assert_eq!(
            mean_interval_days(&[0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0]),
            Some(2)
        );
        assert_eq!(mean_interval_days(&[0.0; 4]), None);
        assert_eq!(adida(&[0.0; 4]), 0.0);
        assert_eq!(imapa(&[]), 0.0);
        // Every day the same demand: every bucket size forecasts it.
        assert!((adida(&[2.0; 30]) - 2.0).abs() < 1e-12);
        assert!((imapa(&[2.0; 30]) - 2.0).abs() < 1e-12);
    }

    /// ADIDA and IMAPA as statsforecast 2.1.1 computes them (`statsforecast.models._adida` and
    /// `_imapa`, printed with `repr`): equal to 1e-12.
    #[test]
    fn adida_and_imapa_match_statsforecast() {
        let cases: [(&[u8], f64, f64); 2] = [
            (
                &[
                    3, 0, 0, 6, 3, 0, 4, 3, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 4, 0, 0, 6, 0, 0, 6, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 6, 2, 0, 0, 0,
                    1, 3, 0, 0, 0, 0, 1, 1, 6, 0, 0, 3, 0, 1, 4, 0, 0, 4, 0, 1, 1, 3, 0, 0, 0, 0,
                    0, 0,
                ],
                0.698245041360814,
                0.7687440177478876,
            ),
            (
                &[
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 2, 0, 0, 1, 0, 1, 1, 2, 1, 0,
                    2, 3, 0, 0, 0, 0, 3, 0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 3, 2, 0, 3, 0, 0, 1,
                    0, 3, 0, 1, 0, 0, 0, 0,
                ],
                0.5980155011480145,
                0.6145561391859847,
            ),
        ];
        for (series, expected_adida, expected_imapa) in cases {
            let y: Vec<f64> = series.iter().map(|&u| u as f64).collect();
            assert!((adida(&y) - expected_adida).abs() < 1e-12, "{}", adida(&y));
            assert!((imapa(&y) - expected_imapa).abs() < 1e-12, "{}", imapa(&y));
        }
    }
}
