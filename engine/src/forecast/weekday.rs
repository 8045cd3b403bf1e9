//! Weekday-seasonal exponential smoothing of a whole daily history: a multiplicative weekday
//! profile (each weekday's mean over the whole weeks since the first non-zero day, ÷ the mean of
//! the seven) and simple exponential smoothing of the days divided by their weekday's index.
//!
//! Store and e-commerce demand moves with the day of the week. A profile estimated once over the
//! history is stable where a seasonal state updated day by day (Holt-Winters) chases the noise of
//! sparse series, and dividing it out leaves the level a smoother series to follow.

/// Days in the seasonal cycle.
pub const DAYS_PER_WEEK: usize = 7;

/// Whole weeks of history below which the profile is flat (every index 1).
pub const MIN_PROFILE_WEEKS: usize = 2;

/// A fitted weekday-seasonal SES: the level after the last day and the weekday indices, slot
/// `t % 7` for day `t` counted from the history's first day.
#[derive(Clone, Debug, PartialEq)]
pub struct WeekdaySes {
    profile: [f64; DAYS_PER_WEEK],
    level: f64,
    /// Days of history the fit saw: the forecast's first day is day `days`.
    days: usize,
}

impl WeekdaySes {
    /// Fits `history` (daily values ≥ 0, oldest first) with level smoothing `alpha` in (0, 1].
    /// An empty or all-zero history forecasts 0; the days before the first non-zero one are
    /// not counted (the item was not sold yet).
    pub fn fit(history: &[f64], alpha: f64) -> WeekdaySes {
        debug_assert!(alpha > 0.0 && alpha <= 1.0, "alpha {alpha}");
        let profile = weekday_profile(history);
        let first = history.iter().position(|&v| v > 0.0);
        let mut level = 0.0;
        if let Some(first) = first {
            let deseasonalised = |t: usize| {
                let index = profile[t % DAYS_PER_WEEK];
                if index > 0.0 {
                    history[t] / index
                } else {
                    0.0
                }
            };
            level = deseasonalised(first);
            for t in first + 1..history.len() {
                level += alpha * (deseasonalised(t) - level);
            }
        }
        WeekdaySes {
            profile,
            level,
            days: history.len(),
        }
    }

    /// The weekday indices, slot `t % 7` for day `t` of the history (their mean is 1).
    pub fn profile(&self) -> [f64; DAYS_PER_WEEK] {
        self.profile
    }

    /// The deseasonalised level after the last day.
    pub fn level(&self) -> f64 {
        self.level
    }

    /// Point forecasts of the `horizon` days after the history.
    pub fn forecast(&self, horizon: usize) -> Vec<f64> {
        (self.days..self.days + horizon)
            .map(|t| self.level * self.profile[t % DAYS_PER_WEEK])
            .collect()
    }
}

/// Each weekday's mean over the whole weeks that end with the history, from the first non-zero
/// day on, divided by the mean of the seven. Flat (all 1) with fewer than
/// [`MIN_PROFILE_WEEKS`] whole weeks or no demand in them.
pub fn weekday_profile(history: &[f64]) -> [f64; DAYS_PER_WEEK] {
    let flat = [1.0; DAYS_PER_WEEK];
    let Some(first) = history.iter().position(|&v| v > 0.0) else {
        return flat;
    };
    let weeks = (history.len() - first) / DAYS_PER_WEEK;
    if weeks < MIN_PROFILE_WEEKS {
        return flat;
    }
    let start = history.len() - weeks * DAYS_PER_WEEK;
    let mut sums = [0.0; DAYS_PER_WEEK];
    for (t, &v) in history.iter().enumerate().skip(start) {
        sums[t % DAYS_PER_WEEK] += v;
    }
    let mean = sums.iter().sum::<f64>() / DAYS_PER_WEEK as f64;
    if mean <= 0.0 {
        return flat;
    }
    sums.map(|s| s / mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_weekly_pattern_is_forecast_exactly() {
        // Ten weeks of 1, 2, 3, 4, 5, 6, 7 (mean 4): indices 0.25 … 1.75, level 4.
        let week = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let history: Vec<f64> = week.iter().cycle().take(70).copied().collect();
        let fit = WeekdaySes::fit(&history, 0.1);
        for (index, expected) in fit.profile().iter().zip(week.map(|v| v / 4.0)) {
            assert!((index - expected).abs() < 1e-12);
        }
        assert!((fit.level() - 4.0).abs() < 1e-12);
        let forecast = fit.forecast(9);
        let expected = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 1.0, 2.0];
        for (f, e) in forecast.iter().zip(expected) {
            assert!((f - e).abs() < 1e-9, "{forecast:?}");
        }
    }

    #[test]
    fn the_level_follows_a_shift_at_the_rate_alpha() {
        // Eight weeks of 2, then a week of 4: every weekday alike (flat profile), and the level
        // closes the gap by a factor 1 − alpha a day.
        let mut history = vec![2.0; 56];
        history.extend([4.0; 7]);
        let fit = WeekdaySes::fit(&history, 0.25);
        assert!(fit.profile().iter().all(|&i| (i - 1.0).abs() < 1e-12));
        assert!((fit.level() - (4.0 - 2.0 * 0.75f64.powi(7))).abs() < 1e-12);
    }

    #[test]
    fn sparse_zero_and_short_histories_give_finite_forecasts() {
        assert_eq!(WeekdaySes::fit(&[], 0.1).forecast(3), [0.0; 3]);
        assert_eq!(WeekdaySes::fit(&[0.0; 30], 0.1).forecast(2), [0.0; 2]);
        // A sale and a spike on two weekdays: the other five weekdays have index 0 and
        // forecast 0; the two forecast a finite positive amount.
        let mut spike = vec![0.0; 40];
        spike[5] = 1.0;
        spike[30] = 9.0;
        let forecast = WeekdaySes::fit(&spike, 0.1).forecast(14);
        assert!(forecast.iter().all(|f| f.is_finite() && *f >= 0.0));
        assert_eq!(forecast.iter().filter(|&&f| f > 0.0).count(), 4);
        // Under two whole weeks since the first sale: a flat profile.
        assert_eq!(weekday_profile(&[0.0, 0.0, 3.0, 1.0, 0.0]), [1.0; 7]);
    }
}
