//! Methods whose smoothing is fitted to the whole history, one value for every day ahead, as
//! statsforecast defines them: SES with α fitted in (0.01, 0.99), and Croston with the demand
//! sizes' and the intervals' α each fitted in (0.1, 0.3). The fit is the golden-section search
//! of [`super::aggregate`] on the one-step squared error.

use super::aggregate::{golden_section_alpha, ses_next, AGGREGATE_ALPHA_BOUNDS};

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
    let sizes: Vec<f64> = y.iter().copied().filter(|&v| v > 0.0).collect();
    if sizes.is_empty() {
        return y.last().copied().unwrap_or(0.0);
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
    let interval = ses_next(&intervals, golden_section_alpha(&intervals, lower, upper));
    if interval != 0.0 {
        size / interval
    } else {
        size
    }
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
}
