//! An ETS model's initial states, from the history.

use super::{SeasonKind, Spec, TrendKind};

/// The initial states of a model for one history.
pub(super) struct Init {
    pub(super) level: f64,
    pub(super) trend: f64,
    pub(super) season: Vec<f64>,
}

/// The initial states as statsforecast's `initstate` sets them, for a history of at least three
/// seasons: the seasonal indices of a classical decomposition (a centred moving average over
/// the whole history), then the level (and trend) of a regression on the first max(10, 2m)
/// seasonally adjusted days.
pub(super) fn initial_states(y: &[f64], spec: Spec, period: usize) -> Option<Init> {
    let multiplicative = spec.season == SeasonKind::Multiplicative;
    let season = match spec.season {
        SeasonKind::None => Vec::new(),
        _ => seasonal_indices(y, period, multiplicative)?,
    };
    let adjusted: Vec<f64> = y
        .iter()
        .enumerate()
        .map(|(t, &v)| match spec.season {
            SeasonKind::None => v,
            SeasonKind::Additive => v - season[t % period],
            SeasonKind::Multiplicative => v / season[t % period],
        })
        .collect();
    let first = &adjusted[..adjusted.len().min((2 * period).max(10))];
    let (level, trend) = if spec.trend == TrendKind::None {
        (first.iter().sum::<f64>() / first.len() as f64, 0.0)
    } else {
        // Least squares of the first days on t = 1, 2, …: the level at t = 0 and the slope.
        let n = first.len() as f64;
        let mean_t = (n + 1.0) / 2.0;
        let mean_y = first.iter().sum::<f64>() / n;
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for (i, v) in first.iter().enumerate() {
            let dt = (i + 1) as f64 - mean_t;
            sxy += dt * (v - mean_y);
            sxx += dt * dt;
        }
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        (mean_y - slope * mean_t, slope)
    };
    Some(Init {
        level,
        trend,
        season,
    })
}

/// Classical decomposition's seasonal index of each day of the period: the mean over the
/// history of the value less (or over) its centred moving average, then centred on 0 (or 1);
/// multiplicative indices kept at 0.01 or more. `None` when a multiplicative average is not
/// positive.
fn seasonal_indices(y: &[f64], period: usize, multiplicative: bool) -> Option<Vec<f64>> {
    let (n, half) = (y.len(), period / 2);
    let mut sums = vec![0.0; period];
    let mut counts = vec![0usize; period];
    for t in half..n.saturating_sub(half) {
        // An odd period: the plain mean of the window; an even one: the 2×m average.
        let average = if period % 2 == 1 {
            y[t - half..=t + half].iter().sum::<f64>() / period as f64
        } else {
            let inner: f64 = y[t + 1 - half..t + half].iter().sum();
            (inner + 0.5 * (y[t - half] + y[t + half])) / period as f64
        };
        let detrended = if multiplicative {
            if average <= 0.0 {
                return None;
            }
            y[t] / average
        } else {
            y[t] - average
        };
        sums[t % period] += detrended;
        counts[t % period] += 1;
    }
    let mut indices: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
        .collect();
    let mean = indices.iter().sum::<f64>() / period as f64;
    for index in &mut indices {
        if multiplicative {
            *index = (*index / mean).max(1e-2);
        } else {
            *index -= mean;
        }
    }
    Some(indices)
}
