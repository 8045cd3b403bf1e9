//! Methods whose smoothing is fitted to the whole history, one value for every day ahead: as
//! statsforecast defines them, SES with α fitted in (0.01, 0.99) and Croston with the demand
//! sizes' and the intervals' α each fitted in (0.1, 0.3), by the golden-section search of
//! [`super::aggregate`] on the one-step squared error; and, past statsforecast (which has them
//! with fixed smoothing only), SBA as fitted Croston debiased by its intervals' α, and TSB with
//! both smoothings fitted to the one-step squared error.

use super::aggregate::{self, golden_section_alpha, ses_next, AGGREGATE_ALPHA_BOUNDS};
use super::ets::{self, SeasonKind, TrendKind};
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

/// Holt's linear trend fitted to `y` as statsforecast's `Holt` is: ETS(A,A,N) by maximum
/// likelihood ([`ets::fit`]). Returns the forecasts of the `horizon` days after `y`; a history
/// the model does not suit (constant, too short) forecasts its mean.
pub fn holt_fitted(y: &[f64], horizon: usize) -> Vec<f64> {
    ets_forecast(y, TrendKind::Additive, SeasonKind::None, 1, horizon)
}

/// Holt-Winters with an additive season of `season_length` days, fitted to `y` as
/// statsforecast's `HoltWinters` is: ETS(A,A,A) by maximum likelihood ([`ets::fit`]). Returns
/// the forecasts of the `horizon` days after `y`; a history the model does not suit (constant,
/// shorter than three seasons) forecasts as Holt's.
pub fn holt_winters_fitted(y: &[f64], season_length: u32, horizon: usize) -> Vec<f64> {
    let m = season_length as usize;
    ets_forecast(y, TrendKind::Additive, SeasonKind::Additive, m, horizon)
}

/// The forecasts of the additive-error ETS model with `trend` and `season`, fitted to `y`;
/// without a season when it does not suit `y`, else the mean of `y`.
fn ets_forecast(
    y: &[f64],
    trend: TrendKind,
    season: SeasonKind,
    period: usize,
    horizon: usize,
) -> Vec<f64> {
    let spec = |season| ets::Spec {
        error: ets::ErrorKind::Additive,
        trend,
        season,
    };
    ets::fit(y, spec(season), period)
        .or_else(|| ets::fit(y, spec(SeasonKind::None), 1))
        .map_or_else(
            || vec![y.iter().sum::<f64>() / y.len().max(1) as f64; horizon],
            |fit| fit.forecast(horizon),
        )
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
        let y = lumpy();
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

    /// An intermittent series of 80 days (the one the statsforecast references were computed on).
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

    /// Fitted Holt (on a flat noisy series) and Holt-Winters (on a weekly pattern) forecast 28
    /// days ahead better than the naive forecast, and degenerate histories give finite values.
    #[test]
    fn fitted_holt_and_holt_winters_beat_naive() {
        let flat: Vec<f64> = noise(210).iter().map(|e| 10.0 + e).collect();
        let (holt, naive) = holdout(&flat, |train| holt_fitted(train, 28));
        assert!(holt < naive, "fitted {holt}, naive {naive}");
        let week = [4.0, 5.0, 5.0, 6.0, 7.0, 9.0, 4.0];
        let weekly: Vec<f64> = noise(210)
            .iter()
            .enumerate()
            .map(|(t, e)| week[t % 7] + 0.5 * e)
            .collect();
        let (winters, naive) = holdout(&weekly, |train| holt_winters_fitted(train, 7, 28));
        assert!(winters < naive, "fitted {winters}, naive {naive}");
        assert!(holt_fitted(&[0.0; 3], 2).iter().all(|f| f.is_finite()));
        assert!(holt_winters_fitted(&[], 7, 2).iter().all(|f| f.is_finite()));
        assert_eq!(holt_winters_fitted(&[2.0, 4.0], 7, 2), vec![3.0, 3.0]);
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
