//! Methods whose smoothing is fitted to the whole history, one value for every day ahead: as
//! statsforecast defines them, SES with α fitted in (0.01, 0.99) and Croston with the demand
//! sizes' and the intervals' α each fitted in (0.1, 0.3), by the golden-section search of
//! [`super::aggregate`] on the one-step squared error; and, past statsforecast (which has them
//! with fixed smoothing only), SBA as fitted Croston debiased by its intervals' α, and TSB with
//! both smoothings fitted to the one-step squared error.

use super::aggregate::{self, golden_section_alpha, ses_next, AGGREGATE_ALPHA_BOUNDS};
use super::{Forecaster, Method};

/// The bounds SES's α is fitted in.
pub const SES_ALPHA_BOUNDS: (f64, f64) = (0.01, 0.99);

/// SES with α fitted to `y`; 0 when empty.
pub fn ses_fitted(y: &[f64]) -> f64 {
    let (lower, upper) = SES_ALPHA_BOUNDS;
    ses_next(y, golden_section_alpha(y, lower, upper))
}

/// Croston with fitted smoothing: the demand sizes' SES forecast over the intervals' (days from
/// the start to the first demand, then between demands), each α fitted in (0.1, 0.3). Without
/// demand, the last value (0).
pub fn croston_fitted(y: &[f64]) -> f64 {
    croston_parts(y).map_or(y.last().copied().unwrap_or(0.0), |(forecast, _)| forecast)
}

/// SBA with fitted smoothing: fitted Croston times 1 − α/2, α the intervals' fitted smoothing
/// (Syntetos and Boylan's correction of Croston's bias). Without demand, the last value (0).
pub fn sba_fitted(y: &[f64]) -> f64 {
    croston_parts(y).map_or(y.last().copied().unwrap_or(0.0), |(forecast, alpha)| {
        forecast * (1.0 - alpha / 2.0)
    })
}

/// Fitted Croston's forecast and its intervals' α; `None` without demand.
fn croston_parts(y: &[f64]) -> Option<(f64, f64)> {
    let sizes: Vec<f64> = y.iter().copied().filter(|&v| v > 0.0).collect();
    if sizes.is_empty() {
        return None;
    }
    let mut previous = 0;
    let intervals: Vec<f64> = y
        .iter()
        .enumerate()
        .filter(|(_, &v)| v != 0.0)
        .map(|(t, _)| {
            let interval = (t + 1 - previous) as f64;
            previous = t + 1;
            interval
        })
        .collect();
    let (lower, upper) = AGGREGATE_ALPHA_BOUNDS;
    let size = ses_next(&sizes, golden_section_alpha(&sizes, lower, upper));
    let interval_alpha = golden_section_alpha(&intervals, lower, upper);
    let interval = ses_next(&intervals, interval_alpha);
    let forecast = if interval != 0.0 {
        size / interval
    } else {
        size
    };
    Some((forecast, interval_alpha))
}

/// The bounds TSB's two smoothings are fitted in.
pub const TSB_ALPHA_BOUNDS: (f64, f64) = (0.01, 0.99);

/// TSB on `y` with these smoothings, as the engine's online TSB (the probability smoothed over
/// every day from the first day's value, the size over demand days from the first demand): the
/// sum of squared one-step errors, and the forecast for the day after.
pub fn tsb_run(y: &[f64], alpha_demand: f64, alpha_probability: f64) -> (f64, f64) {
    let (mut probability, mut size, mut started) = (0.0, 0.0, false);
    let mut sse = 0.0;
    for (t, &value) in y.iter().enumerate() {
        if t > 0 {
            sse += (value - probability * size).powi(2);
        }
        let hit = if value > 0.0 { 1.0 } else { 0.0 };
        if t == 0 {
            probability = hit;
        } else {
            probability += alpha_probability * (hit - probability);
        }
        if value > 0.0 {
            if started {
                size += alpha_demand * (value - size);
            } else {
                size = value;
                started = true;
            }
        }
    }
    (sse, probability * size)
}

/// TSB with both smoothings fitted in [`TSB_ALPHA_BOUNDS`] to the one-step squared error:
/// golden-section on each in turn (the probability's, then the size's, twice), from 0.1 and 0.1.
/// Returns the forecast and the two α (size, probability).
pub fn tsb_fitted(y: &[f64]) -> (f64, f64, f64) {
    let (mut alpha_demand, mut alpha_probability) = (0.1, 0.1);
    for _ in 0..2 {
        alpha_probability = golden_section(|a| tsb_run(y, alpha_demand, a).0);
        alpha_demand = golden_section(|a| tsb_run(y, a, alpha_probability).0);
    }
    (
        tsb_run(y, alpha_demand, alpha_probability).1,
        alpha_demand,
        alpha_probability,
    )
}

/// The engine's online method run over `y`: the sum of its squared one-step errors (from the
/// second day), and the forecaster after the last day.
pub fn online_run(y: &[f64], method: Method) -> (f64, Forecaster) {
    let mut forecaster = Forecaster::new(method);
    let mut sse = 0.0;
    for (t, &value) in y.iter().enumerate() {
        if t > 0 {
            sse += (value - forecaster.forecast(1)).powi(2);
        }
        forecaster.observe(value);
    }
    (sse, forecaster)
}

/// Holt's linear trend with α and β fitted in [`TSB_ALPHA_BOUNDS`] to the one-step squared error
/// (golden section on each in turn, twice, from 0.1 and 0.1), as the engine's online Holt
/// defines the recursion. Returns the forecasts of the `horizon` days after `y`.
pub fn holt_fitted(y: &[f64], horizon: usize) -> Vec<f64> {
    let (alpha, beta) = fit_holt(y);
    ahead(&online_run(y, Method::Holt { alpha, beta }).1, horizon)
}

/// Holt's (α, β) fitted to `y`'s one-step squared error.
fn fit_holt(y: &[f64]) -> (f64, f64) {
    let (mut alpha, mut beta) = (0.1, 0.1);
    for _ in 0..2 {
        alpha = golden_section(|a| holt_sse(y, a, beta));
        beta = golden_section(|b| holt_sse(y, alpha, b));
    }
    (alpha, beta)
}

/// The one-step squared error of the engine's online Holt over `y` ([`online_run`]'s, without
/// the general forecaster: the fit runs it some eighty times a series). The level starts at
/// the first day, the trend at the second day's step; forecasts are floored at 0.
fn holt_sse(y: &[f64], alpha: f64, beta: f64) -> f64 {
    let (mut level, mut trend, mut sse) = (0.0, 0.0, 0.0);
    for (t, &value) in y.iter().enumerate() {
        match t {
            0 => level = value,
            1 => {
                sse += (value - level.max(0.0)).powi(2);
                trend = value - level;
                level = value;
            }
            _ => {
                sse += (value - (level + trend).max(0.0)).powi(2);
                let previous = level;
                level = alpha * value + (1.0 - alpha) * (previous + trend);
                trend = beta * (level - previous) + (1.0 - beta) * trend;
            }
        }
    }
    sse
}

/// Holt-Winters (additive season of `season_length` days) with α, β and γ fitted in
/// [`TSB_ALPHA_BOUNDS`] to the one-step squared error (golden section on each in turn, twice,
/// from 0.1), as the engine's online Holt-Winters defines the recursion. Returns the forecasts
/// of the `horizon` days after `y`.
pub fn holt_winters_fitted(y: &[f64], season_length: u32, horizon: usize) -> Vec<f64> {
    let method = |alpha, beta, gamma| Method::HoltWinters {
        alpha,
        beta,
        gamma,
        season_length,
    };
    let m = season_length as usize;
    let (mut alpha, mut beta, mut gamma) = (0.1, 0.1, 0.1);
    for _ in 0..2 {
        alpha = golden_section(|a| holt_winters_sse(y, m, a, beta, gamma));
        beta = golden_section(|b| holt_winters_sse(y, m, alpha, b, gamma));
        gamma = golden_section(|g| holt_winters_sse(y, m, alpha, beta, g));
    }
    ahead(&online_run(y, method(alpha, beta, gamma)).1, horizon)
}

/// The one-step squared error of the engine's online Holt-Winters over `y`, season `m` days,
/// without the general forecaster. Its first season is collected (forecast: the mean so far),
/// then the level starts at that season's mean, the indices at the deviations from it, the
/// trend at 0; forecasts are floored at 0.
fn holt_winters_sse(y: &[f64], m: usize, alpha: f64, beta: f64, gamma: f64) -> f64 {
    let mut season = vec![0.0; m.max(1)];
    let (mut level, mut trend, mut sum, mut filled, mut pos) = (0.0, 0.0, 0.0, 0usize, 0usize);
    let mut sse = 0.0;
    for (t, &value) in y.iter().enumerate() {
        let ready = filled == season.len();
        if t > 0 {
            let forecast = if ready {
                level + trend + season[pos]
            } else {
                sum / filled as f64
            };
            sse += (value - forecast.max(0.0)).powi(2);
        }
        if ready {
            let (l0, b0, s_old) = (level, trend, season[pos]);
            level = alpha * (value - s_old) + (1.0 - alpha) * (l0 + b0);
            trend = beta * (level - l0) + (1.0 - beta) * b0;
            season[pos] = gamma * (value - l0 - b0) + (1.0 - gamma) * s_old;
        } else {
            season[pos] = value;
            sum += value;
            filled += 1;
            if filled == season.len() {
                level = sum / filled as f64;
                season.iter_mut().for_each(|s| *s -= level);
                trend = 0.0;
            }
        }
        pos = (pos + 1) % season.len();
    }
    sse
}

fn ahead(forecaster: &Forecaster, horizon: usize) -> Vec<f64> {
    (1..=horizon as u32)
        .map(|h| forecaster.forecast(h))
        .collect()
}

/// The minimum of `f` over [`TSB_ALPHA_BOUNDS`] by golden section, to 1e-4.
fn golden_section(f: impl Fn(f64) -> f64) -> f64 {
    let (lower, upper) = TSB_ALPHA_BOUNDS;
    aggregate::golden_section(f, lower, upper, 1e-4)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SES_REFERENCE: f64 = 0.7030648895202091;
    const CROSTON_REFERENCE: f64 = 1.6854059952060323;

    /// SES and Croston with fitted smoothing as statsforecast 2.1.1 computes them
    /// (`statsforecast.models._ses_optimized` and `_croston_optimized`, printed with `repr`).
    #[test]
    fn fitted_ses_and_croston_match_statsforecast() {
        let y: Vec<f64> = [
            3u8, 0, 0, 6, 3, 0, 4, 3, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 4, 0, 0, 6, 0, 0, 6, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 6, 2, 0, 0, 0, 1, 3, 0, 0, 0,
            0, 1, 1, 6, 0, 0, 3, 0, 1, 4, 0, 0, 4, 0, 1, 1, 3, 0, 0, 0, 0, 0, 0,
        ]
        .map(f64::from)
        .to_vec();
        assert!(
            (ses_fitted(&y) - SES_REFERENCE).abs() < 1e-12,
            "{}",
            ses_fitted(&y)
        );
        assert!(
            (croston_fitted(&y) - CROSTON_REFERENCE).abs() < 1e-12,
            "{}",
            croston_fitted(&y)
        );
        assert_eq!(croston_fitted(&[0.0; 5]), 0.0);
        assert_eq!(ses_fitted(&[]), 0.0);
    }

    fn lumpy() -> Vec<f64> {
        [
            3u8, 0, 0, 6, 3, 0, 4, 3, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 4, 0, 0, 6, 0, 0, 6, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 6, 2, 0, 0, 0, 1, 3, 0, 0, 0,
            0, 1, 1, 6, 0, 0, 3, 0, 1, 4, 0, 0, 4, 0, 1, 1, 3, 0, 0, 0, 0, 0, 0,
        ]
        .map(f64::from)
        .to_vec()
    }

    /// Fitted TSB against a brute force over a 99 × 99 grid of its smoothings: no point of the
    /// grid has a smaller one-step error; the online TSB(0.1, 0.1) of the engine gives the same
    /// forecast as `tsb_run` at those values.
    #[test]
    fn fitted_tsb_beats_a_grid_and_its_run_matches_the_engine() {
        let y = lumpy();
        let (forecast, alpha_demand, alpha_probability) = tsb_fitted(&y);
        let fitted_sse = tsb_run(&y, alpha_demand, alpha_probability).0;
        let grid_best = (1..100)
            .flat_map(|i| (1..100).map(move |j| (f64::from(i) / 100.0, f64::from(j) / 100.0)))
            .map(|(a, b)| tsb_run(&y, a, b).0)
            .fold(f64::INFINITY, f64::min);
        assert!(
            fitted_sse <= grid_best + 1e-9,
            "{fitted_sse} vs {grid_best}"
        );
        assert!(forecast.is_finite() && forecast > 0.0);
        let mut online = crate::forecast::Forecaster::new(crate::forecast::Method::Tsb {
            alpha_demand: 0.1,
            alpha_probability: 0.1,
        });
        for &v in &y {
            online.observe(v);
        }
        assert!((online.forecast(1) - tsb_run(&y, 0.1, 0.1).1).abs() < 1e-12);
        assert_eq!(tsb_fitted(&[0.0; 9]).0, 0.0);
        assert_eq!(tsb_fitted(&[]).0, 0.0);
    }

    /// 28 days after 182 of `y`: the mean absolute error of `forecast` and of the naive one.
    fn holdout(y: &[f64], forecast: impl Fn(&[f64]) -> Vec<f64>) -> (f64, f64) {
        let (train, test) = y.split_at(182);
        let mae = |f: &[f64]| f.iter().zip(test).map(|(f, v)| (f - v).abs()).sum::<f64>() / 28.0;
        (mae(&forecast(train)), mae(&vec![train[181]; 28]))
    }

    /// Uniform noise in (−2, 2) from a fixed xorshift sequence.
    fn noise(n: usize) -> Vec<f64> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
            })
            .collect()
    }

    /// The fits lower the one-step error below the fixed α = β (= γ) = 0.1 (on a flat noisy
    /// series for Holt, a weekly pattern for Holt-Winters), and forecast 28 days ahead better
    /// than the naive forecast.
    #[test]
    fn fitted_holt_and_holt_winters_fit_better_than_fixed_smoothing_and_beat_naive() {
        let flat: Vec<f64> = noise(210).iter().map(|e| 10.0 + e).collect();
        let (holt, naive) = holdout(&flat, |train| holt_fitted(train, 28));
        assert!(holt < naive, "fitted {holt}, naive {naive}");
        let train = &flat[..182];
        let sse = |alpha, beta| online_run(train, Method::Holt { alpha, beta }).0;
        let best = fit_holt(train);
        assert!(sse(best.0, best.1) < sse(0.1, 0.1), "{best:?}");
        for (alpha, beta) in [(0.1, 0.1), (0.5, 0.02), best] {
            let (fast, general) = (holt_sse(train, alpha, beta), sse(alpha, beta));
            assert!(
                (fast - general).abs() <= 1e-9 * general,
                "{fast} vs {general}"
            );
        }
        let week = [4.0, 5.0, 5.0, 6.0, 7.0, 9.0, 4.0];
        let weekly: Vec<f64> = noise(210)
            .iter()
            .enumerate()
            .map(|(t, e)| week[t % 7] + 0.5 * e)
            .collect();
        let (winters, naive) = holdout(&weekly, |train| holt_winters_fitted(train, 7, 28));
        assert!(winters < naive, "fitted {winters}, naive {naive}");
        for (alpha, beta, gamma) in [(0.1, 0.1, 0.1), (0.6, 0.05, 0.3), (0.02, 0.9, 0.9)] {
            let method = Method::HoltWinters {
                alpha,
                beta,
                gamma,
                season_length: 7,
            };
            let general = online_run(&weekly, method).0;
            let fast = holt_winters_sse(&weekly, 7, alpha, beta, gamma);
            assert!(
                (fast - general).abs() <= 1e-9 * general,
                "{fast} vs {general}"
            );
        }
        assert!(holt_fitted(&[0.0; 3], 2).iter().all(|f| f.is_finite()));
        assert!(holt_winters_fitted(&[], 7, 2).iter().all(|f| f.is_finite()));
    }

    /// Fitted SBA is fitted Croston times 1 − α/2 with α in Croston's bounds.
    #[test]
    fn fitted_sba_debiases_fitted_croston() {
        let y = lumpy();
        let (croston, sba) = (croston_fitted(&y), sba_fitted(&y));
        let ratio = sba / croston;
        let (lower, upper) = AGGREGATE_ALPHA_BOUNDS;
        assert!(
            (1.0 - upper / 2.0..=1.0 - lower / 2.0).contains(&ratio),
            "{ratio}"
        );
        assert_eq!(sba_fitted(&[0.0; 4]), 0.0);
    }
}
