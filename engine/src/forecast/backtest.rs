//! Rolling-origin evaluation of a forecasting function over a history, and the scores people
//! compare forecasts by.
//!
//! Origin `k` (1 = the latest) ends `horizon × k` days before the history's end: the function
//! sees the days before it and forecasts the `horizon` days after it. The errors (actual −
//! forecast) of every origin give the empirical (conformal) quantiles of the error, from which
//! prediction intervals and lead-time demand quantiles follow for any method.

/// The errors (actual − forecast) of each origin, latest first: `origins` rows of `horizon`
/// values, fewer when the history runs out (an origin needs `min_days` days before it).
pub fn rolling_errors(
    history: &[f64],
    horizon: usize,
    origins: usize,
    min_days: usize,
    forecast: impl Fn(&[f64], usize) -> Vec<f64>,
) -> Vec<Vec<f64>> {
    (1..=origins)
        .map_while(|k| {
            let end = history.len().checked_sub(horizon * k)?;
            (end >= min_days.max(1)).then(|| {
                let predicted = forecast(&history[..end], horizon);
                history[end..end + horizon]
                    .iter()
                    .zip(&predicted)
                    .map(|(actual, f)| actual - f)
                    .collect()
            })
        })
        .collect()
}

/// The errors (actual − forecast) of the demand summed over `lead_days` days, from `origins`
/// origins `step_days` apart, the latest ending `lead_days` before the history's end: what the
/// quantiles of lead-time demand come from (the distribution of the sum, whose spread is not
/// a day's spread times anything when days are correlated or lumpy).
pub fn lead_time_errors(
    history: &[f64],
    lead_days: usize,
    origins: usize,
    step_days: usize,
    min_days: usize,
    forecast: impl Fn(&[f64], usize) -> Vec<f64>,
) -> Vec<f64> {
    (0..origins)
        .map_while(|k| {
            let end = history.len().checked_sub(lead_days + step_days * k)?;
            (end >= min_days.max(1)).then(|| {
                let actual: f64 = history[end..end + lead_days].iter().sum();
                actual - forecast(&history[..end], lead_days).iter().sum::<f64>()
            })
        })
        .collect()
}

/// The `p` quantile (0 ≤ p ≤ 1) of `values` by linear interpolation between order statistics
/// (numpy's default, Hyndman and Fan's type 7); `None` when empty or `p` is out of range.
pub fn quantile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let position = p * (sorted.len() - 1) as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    Some(sorted[low] + (sorted[high] - sorted[low]) * (position - low as f64))
}

/// Per horizon step, the `p` quantile of the errors (`errors` rows of [`rolling_errors`]) at that
/// step and the `neighbours` steps either side, every origin's: conformal quantiles that widen
/// with the horizon where the errors do, steadied by the neighbouring steps (a history gives
/// only a few origins, too few for a tail quantile of one step alone). `None` without errors.
pub fn step_quantiles(
    errors: &[Vec<f64>],
    horizon: usize,
    p: f64,
    neighbours: usize,
) -> Option<Vec<f64>> {
    (0..horizon)
        .map(|step| {
            let (from, to) = (step.saturating_sub(neighbours), step + neighbours + 1);
            let near: Vec<f64> = errors
                .iter()
                .flat_map(|row| row.iter().take(to).skip(from).copied())
                .collect();
            quantile(&near, p)
        })
        .collect()
}

/// Root mean squared scaled error: the RMSE of `forecast` against `actual`, scaled by the root
/// mean squared one-step naive difference of `train` from its first non-zero value (the M5
/// competition's measure). `None` when that scale is 0 (a constant history).
pub fn rmsse(train: &[f64], actual: &[f64], forecast: &[f64]) -> Option<f64> {
    let first = train.iter().position(|&v| v != 0.0).unwrap_or(0);
    let scale = mean(train[first..].windows(2).map(|w| (w[1] - w[0]).powi(2)))?;
    let mse = mean(actual.iter().zip(forecast).map(|(a, f)| (a - f).powi(2)))?;
    (scale > 0.0).then(|| (mse / scale).sqrt())
}

/// Mean absolute scaled error: the MAE scaled by the mean absolute one-step naive difference
/// of `train` (whole history). `None` when that scale is 0.
pub fn mase(train: &[f64], actual: &[f64], forecast: &[f64]) -> Option<f64> {
    let scale = mean(train.windows(2).map(|w| (w[1] - w[0]).abs()))?;
    let mae = mean(actual.iter().zip(forecast).map(|(a, f)| (a - f).abs()))?;
    (scale > 0.0).then(|| mae / scale)
}

/// Mean pinball (quantile) loss of `predicted` as the `p` quantile of `actual`.
pub fn pinball(p: f64, actual: &[f64], predicted: &[f64]) -> Option<f64> {
    mean(actual.iter().zip(predicted).map(|(&a, &q)| {
        if a >= q {
            p * (a - q)
        } else {
            (1.0 - p) * (q - a)
        }
    }))
}

/// Share of `actual` values inside `[low, high]`.
pub fn coverage(actual: &[f64], low: &[f64], high: &[f64]) -> Option<f64> {
    mean(
        actual
            .iter()
            .zip(low.iter().zip(high))
            .map(|(a, (l, h))| (l <= a && a <= h) as u8 as f64),
    )
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (count > 0).then(|| sum / count as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each step's quantile comes from its own and its neighbours' errors only: errors that grow
    /// with the step give quantiles that grow with it.
    #[test]
    fn step_quantiles_follow_the_errors_of_nearby_steps() {
        // Two origins, five steps; the error at step s is ±s.
        let errors = vec![
            vec![0.0, 1.0, 2.0, 3.0, 4.0],
            vec![0.0, -1.0, -2.0, -3.0, -4.0],
        ];
        let high = step_quantiles(&errors, 5, 1.0, 1).unwrap();
        assert_eq!(high, vec![1.0, 2.0, 3.0, 4.0, 4.0]);
        let low = step_quantiles(&errors, 5, 0.0, 0).unwrap();
        assert_eq!(low, vec![0.0, -1.0, -2.0, -3.0, -4.0]);
        assert_eq!(step_quantiles(&[], 3, 0.5, 1), None);
    }

    #[test]
    fn origins_step_back_one_horizon_at_a_time() {
        let history: Vec<f64> = (0..20).map(f64::from).collect();
        // The last value seen, repeated: errors are 1, 2, 3 for each origin.
        let naive = |seen: &[f64], h: usize| vec![*seen.last().unwrap(); h];
        let errors = rolling_errors(&history, 3, 10, 5, naive);
        assert_eq!(errors.len(), 5, "origins end at 17, 14, 11, 8, 5");
        assert!(errors.iter().all(|e| e == &[1.0, 2.0, 3.0]));
    }

    #[test]
    fn lead_time_errors_sum_the_lead_time_from_origins_a_step_apart() {
        let history: Vec<f64> = (0..30).map(f64::from).collect();
        // Forecast: the last value seen, every day. Origin ending at `end` sums end..end+3
        // (3·end + 3) against 3·(end − 1): errors of 6 at ends 27, 20, 13, 6.
        let naive = |seen: &[f64], h: usize| vec![*seen.last().unwrap(); h];
        let errors = lead_time_errors(&history, 3, 10, 7, 5, naive);
        assert_eq!(errors, [6.0, 6.0, 6.0, 6.0]);
    }

    #[test]
    fn scores_match_their_definitions() {
        assert_eq!(quantile(&[3.0, 1.0, 2.0, 4.0], 0.5), Some(2.5));
        assert_eq!(quantile(&[5.0], 0.9), Some(5.0));
        assert_eq!(quantile(&[], 0.5), None);
        // Train 0, 0, 1, 3, 2: from the first non-zero, differences 2, -1: scale (4 + 1) / 2.
        let r = rmsse(&[0.0, 0.0, 1.0, 3.0, 2.0], &[2.0, 4.0], &[1.0, 1.0]).unwrap();
        assert!((r - (5.0f64 / 2.5).sqrt()).abs() < 1e-12);
        assert_eq!(rmsse(&[2.0, 2.0], &[1.0], &[1.0]), None);
        let m = mase(&[1.0, 3.0, 2.0], &[2.0, 4.0], &[1.0, 1.0]).unwrap();
        assert!((m - 2.0 / 1.5).abs() < 1e-12);
        assert_eq!(
            pinball(0.9, &[10.0, 0.0], &[8.0, 2.0]),
            Some((1.8 + 0.2) / 2.0)
        );
        assert_eq!(coverage(&[1.0, 5.0], &[0.0, 0.0], &[2.0, 4.0]), Some(0.5));
    }
}
