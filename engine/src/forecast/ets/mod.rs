//! ETS: exponential smoothing as a state-space model (Hyndman, Koehler, Ord and Snyder, 2008),
//! fitted by maximum likelihood, and AutoETS, the model of the family with the least AICc.
//!
//! A model has an error (additive or multiplicative), a trend (none, additive, additive damped)
//! and a season (none, additive, multiplicative). The states move by the error-correction
//! equations of R's `forecast` and statsforecast (`etsupdate`), which do not depend on the error
//! type; the error type sets the likelihood:
//!
//! * additive: −2 log L = n log(Σe²/n) + n(1 + log 2π), e = y − ŷ;
//! * multiplicative: the same with e = (y − ŷ)/ŷ, plus 2 Σ log |ŷ|.
//!
//! The smoothing parameters are fitted by Nelder–Mead within the usual bounds (α, β, γ in
//! [1e-4, 0.9999], β ≤ α, γ ≤ 1 − α, φ in [0.8, 0.98]), on a logistic scale that keeps every
//! point inside them. The initial states start as statsforecast's `initstate` sets them before
//! its search (a classical decomposition for the season, a regression on the first max(10, 2m)
//! seasonally adjusted days for the level and trend). Where the level and trend enter the
//! forecasts linearly (an additive error and no multiplicative season) every likelihood
//! evaluation moves them to their least-squares best, so they are estimated exactly with the
//! smoothing; the seasonal states, and the level and trend of the other models, are not
//! searched: over a long history their effect on the likelihood fades, and searching them (up to
//! eight more dimensions at a weekly season) is what makes statsforecast's AutoETS take about
//! half a second a series. They all count in AICc's parameters, as in statsforecast.
//!
//! AutoETS tries every admissible model: multiplicative error or season only on positive
//! data, no additive error with a multiplicative season (statsforecast's `restrict`), seasonal
//! models only with a period above 1 and three full seasons of history.

use statrs::distribution::{ContinuousCDF, Normal};

use super::nelder_mead;
use init::{initial_states, Init};
use pass::{pass, Pass};

mod init;
mod online;
mod pass;

pub use online::OnlineEts;

/// How the error enters the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// y = ŷ + e.
    Additive,
    /// y = ŷ (1 + e).
    Multiplicative,
}

/// The trend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrendKind {
    /// No trend.
    None,
    /// A trend that goes on.
    Additive,
    /// A trend damped by φ, tending to a constant.
    Damped,
}

/// The season.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeasonKind {
    /// No season.
    None,
    /// Seasonal effects added to the level.
    Additive,
    /// Seasonal factors multiplying the level.
    Multiplicative,
}

/// One model of the family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// How the error enters.
    pub error: ErrorKind,
    /// The trend.
    pub trend: TrendKind,
    /// The season.
    pub season: SeasonKind,
}

impl Spec {
    /// The model's usual name: `ETS(A,Ad,N)`.
    pub fn name(&self) -> String {
        let e = match self.error {
            ErrorKind::Additive => "A",
            ErrorKind::Multiplicative => "M",
        };
        let t = match self.trend {
            TrendKind::None => "N",
            TrendKind::Additive => "A",
            TrendKind::Damped => "Ad",
        };
        let s = match self.season {
            SeasonKind::None => "N",
            SeasonKind::Additive => "A",
            SeasonKind::Multiplicative => "M",
        };
        format!("ETS({e},{t},{s})")
    }

    /// Every model AutoETS tries on a history that is `positive` (every value above 0) and
    /// long enough for a season (`seasonal`).
    pub fn candidates(positive: bool, seasonal: bool) -> Vec<Spec> {
        let mut specs = Vec::new();
        for error in [ErrorKind::Additive, ErrorKind::Multiplicative] {
            for trend in [TrendKind::None, TrendKind::Additive, TrendKind::Damped] {
                for season in [
                    SeasonKind::None,
                    SeasonKind::Additive,
                    SeasonKind::Multiplicative,
                ] {
                    let spec = Spec {
                        error,
                        trend,
                        season,
                    };
                    let multiplicative =
                        error == ErrorKind::Multiplicative || season == SeasonKind::Multiplicative;
                    let forbidden =
                        error == ErrorKind::Additive && season == SeasonKind::Multiplicative;
                    if (multiplicative && !positive)
                        || forbidden
                        || (season != SeasonKind::None && !seasonal)
                    {
                        continue;
                    }
                    specs.push(spec);
                }
            }
        }
        specs
    }

    /// Smoothing parameters the model estimates: α, and β, γ, φ when it has them.
    fn smoothing_count(&self) -> usize {
        1 + usize::from(self.trend != TrendKind::None)
            + usize::from(self.season != SeasonKind::None)
            + usize::from(self.trend == TrendKind::Damped)
    }

    /// Initial states it estimates: the level, the trend, and m − 1 seasonal states (the last
    /// follows from the others).
    fn state_count(&self, period: usize) -> usize {
        1 + usize::from(self.trend != TrendKind::None)
            + if self.season == SeasonKind::None {
                0
            } else {
                period - 1
            }
    }
}

/// The smoothing parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    /// Level.
    pub alpha: f64,
    /// Trend (0 without one).
    pub beta: f64,
    /// Season (0 without one).
    pub gamma: f64,
    /// Damping (1 without it).
    pub phi: f64,
}

/// Bounds of α, β, γ.
const SMOOTHING_BOUNDS: (f64, f64) = (1e-4, 0.9999);
/// Bounds of φ.
const PHI_BOUNDS: (f64, f64) = (0.8, 0.98);
/// Nelder–Mead's budget of likelihood evaluations a model.
const MAX_EVALUATIONS: usize = 250;
/// Nelder–Mead stops when its points' −2 log L lie within this of each other.
const TOLERANCE: f64 = 1e-3;

/// A fitted model.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// The model.
    pub spec: Spec,
    /// The season's length in days (1 without a season).
    pub period: usize,
    /// The fitted smoothing parameters.
    pub params: Params,
    /// −2 log-likelihood.
    pub neg2_log_likelihood: f64,
    /// AICc: −2 log L + 2k + 2k(k + 1)/(n − k − 1).
    pub aicc: f64,
    /// k: smoothing parameters, initial states and the error's variance.
    pub n_params: usize,
    /// The error's variance, Σe² / (n − k − 1) (on the relative scale for a multiplicative
    /// error).
    pub sigma2: f64,
    /// States after the last day.
    level: f64,
    trend: f64,
    /// Seasonal states; the next day's is at `next_season`.
    season: Vec<f64>,
    next_season: usize,
}

impl Fit {
    /// The point forecasts of the `horizon` days after the history.
    pub fn forecast(&self, horizon: usize) -> Vec<f64> {
        (1..=horizon).map(|h| self.forecast_at(h)).collect()
    }

    /// How many trend steps `h` days ahead adds: none, h, or φ + φ² + … + φ^h damped.
    fn trend_steps(&self, h: usize) -> f64 {
        let phi = self.params.phi;
        match self.spec.trend {
            TrendKind::None => 0.0,
            TrendKind::Additive => h as f64,
            TrendKind::Damped => phi * (1.0 - phi.powi(h as i32)) / (1.0 - phi),
        }
    }

    /// The forecast errors' variances, one a day ahead, where the model has them in closed
    /// form: additive error and no multiplicative season (Hyndman et al.'s class 1),
    /// σ²(1 + Σ_{j<h} c_j²) with c_j = α + β(φ + … + φ^j) + γ·[j a multiple of m].
    pub fn variances(&self, horizon: usize) -> Option<Vec<f64>> {
        if self.spec.error != ErrorKind::Additive || self.spec.season == SeasonKind::Multiplicative
        {
            return None;
        }
        let Params {
            alpha, beta, gamma, ..
        } = self.params;
        let mut sum = 0.0;
        Some(
            (1..=horizon)
                .map(|h| {
                    let variance = self.sigma2 * (1.0 + sum);
                    // c_h, for the next step.
                    let seasonal = self.spec.season == SeasonKind::Additive && h % self.period == 0;
                    let c = alpha + beta * self.trend_steps(h) + if seasonal { gamma } else { 0.0 };
                    sum += c * c;
                    variance
                })
                .collect(),
        )
    }

    /// The forecast `h` days ahead (1 = tomorrow).
    pub fn forecast_at(&self, h: usize) -> f64 {
        let q = self.level + self.trend_steps(h) * self.trend;
        match self.spec.season {
            SeasonKind::None => q,
            SeasonKind::Additive => q + self.season[(self.next_season + h - 1) % self.period],
            SeasonKind::Multiplicative => q * self.season[(self.next_season + h - 1) % self.period],
        }
    }

    /// Moves the states by one observed day `y`, the parameters kept (the error-correction
    /// equations of `etsupdate`).
    pub fn observe(&mut self, y: f64) {
        let Params {
            alpha,
            beta,
            gamma,
            phi,
        } = self.params;
        let damped_trend = match self.spec.trend {
            TrendKind::None => 0.0,
            TrendKind::Additive => self.trend,
            TrendKind::Damped => phi * self.trend,
        };
        let q = self.level + damped_trend;
        let j = self.next_season;
        let deseasonalised = match self.spec.season {
            SeasonKind::None => y,
            SeasonKind::Additive => y - self.season[j],
            SeasonKind::Multiplicative => y / self.season[j].max(1e-10),
        };
        let e = deseasonalised - q;
        match self.spec.season {
            SeasonKind::None => {}
            SeasonKind::Additive => self.season[j] += gamma * e,
            SeasonKind::Multiplicative => {
                self.season[j] += gamma * (y / q.max(1e-10) - self.season[j]);
            }
        }
        self.level = q + alpha * e;
        if self.spec.trend != TrendKind::None {
            self.trend = damped_trend + beta * e;
        }
        if !self.season.is_empty() {
            self.next_season = (j + 1) % self.season.len();
        }
    }

    /// The `p` quantile of each day's value ahead under the model's normal errors, where
    /// [`Fit::variances`] has the variances.
    pub fn normal_quantiles(&self, horizon: usize, p: f64) -> Option<Vec<f64>> {
        let z = Normal::new(0.0, 1.0)
            .expect("a valid normal")
            .inverse_cdf(p);
        let variances = self.variances(horizon)?;
        let points = self.forecast(horizon);
        Some(
            points
                .iter()
                .zip(variances)
                .map(|(f, v)| f + z * v.sqrt())
                .collect(),
        )
    }
}

/// −2 log L of a pass over `n` days.
fn neg2_log_likelihood(spec: Spec, pass: &Pass, n: usize) -> f64 {
    let n = n as f64;
    let sse = pass.sse.max(f64::MIN_POSITIVE * n);
    let base = n * (sse / n).ln() + n * (1.0 + (2.0 * std::f64::consts::PI).ln());
    match spec.error {
        ErrorKind::Additive => base,
        ErrorKind::Multiplicative => base + 2.0 * pass.sum_log_abs_forecast,
    }
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// The parameters at a point of the search's unbounded scale: each coordinate is a share of
/// its bounds, β's upper bound α and γ's 1 − α.
fn params_at(spec: Spec, x: &[f64]) -> Params {
    let (lower, upper) = SMOOTHING_BOUNDS;
    let alpha = lower + (upper - lower) * logistic(x[0]);
    let mut i = 1;
    let mut next = || {
        i += 1;
        x[i - 1]
    };
    let beta = if spec.trend == TrendKind::None {
        0.0
    } else {
        lower + (alpha - lower).max(0.0) * logistic(next())
    };
    let gamma = if spec.season == SeasonKind::None {
        0.0
    } else {
        lower + (1.0 - alpha - lower).max(0.0) * logistic(next())
    };
    let phi = if spec.trend == TrendKind::Damped {
        PHI_BOUNDS.0 + (PHI_BOUNDS.1 - PHI_BOUNDS.0) * logistic(next())
    } else {
        1.0
    };
    Params {
        alpha,
        beta,
        gamma,
        phi,
    }
}

/// The search's starting point: statsforecast's `initparam` (α a fifth of its range over m,
/// β a tenth of α's, γ a twentieth of 1 − α's, φ at 99 % of its range), on the unbounded scale.
fn start(spec: Spec, period: usize) -> Vec<f64> {
    let (lower, upper) = SMOOTHING_BOUNDS;
    let m = if spec.season == SeasonKind::None {
        1.0
    } else {
        period as f64
    };
    let alpha_share = 0.2 / m;
    let mut x = vec![logit(alpha_share)];
    if spec.trend != TrendKind::None {
        x.push(logit(0.1));
    }
    if spec.season != SeasonKind::None {
        x.push(logit(0.05));
    }
    if spec.trend == TrendKind::Damped {
        x.push(logit(0.99));
    }
    debug_assert!(lower + (upper - lower) * alpha_share < upper);
    x
}

/// The model `spec` fitted to `y` with a season of `period` days; `None` when the model does
/// not suit the history (too short for its parameters or its season, a multiplicative part on
/// a value at or below 0) or no parameters give a finite likelihood.
pub fn fit(y: &[f64], spec: Spec, period: usize) -> Option<Fit> {
    let seasonal = spec.season != SeasonKind::None;
    let period = if seasonal { period } else { 1 };
    let multiplicative =
        spec.error == ErrorKind::Multiplicative || spec.season == SeasonKind::Multiplicative;
    if (seasonal && (period < 2 || y.len() < 3 * period))
        || (multiplicative && y.iter().any(|&v| v <= 0.0))
    {
        return None;
    }
    let n_params = spec.smoothing_count() + spec.state_count(period) + 1;
    if y.len() <= n_params + 1 {
        return None;
    }
    let init = initial_states(y, spec, period)?;
    let mut scratch = vec![0.0; 3 * init.season.len()];
    let mut objective = |x: &[f64]| {
        let p = params_at(spec, x);
        pass(y, spec, &p, &init, &mut scratch).map_or(f64::INFINITY, |pass| {
            neg2_log_likelihood(spec, &pass, y.len())
        })
    };
    let (x, best) = nelder_mead::minimize(
        &mut objective,
        &start(spec, period),
        1.0,
        TOLERANCE,
        MAX_EVALUATIONS,
    );
    if !best.is_finite() {
        return None;
    }
    let params = params_at(spec, &x);
    let mut init = init;
    let shift = pass(y, spec, &params, &init, &mut scratch)?.shift;
    init.level += shift[0];
    init.trend += shift[1];
    let end = pass(y, spec, &params, &init, &mut scratch)?;
    let season = scratch[..init.season.len()].to_vec();
    let n = y.len() as f64;
    let k = n_params as f64;
    Some(Fit {
        spec,
        period,
        params,
        neg2_log_likelihood: best,
        aicc: best + 2.0 * k + 2.0 * k * (k + 1.0) / (n - k - 1.0),
        n_params,
        sigma2: end.sse / (n - k - 1.0),
        level: end.level,
        trend: end.trend,
        next_season: if season.is_empty() {
            0
        } else {
            y.len() % period
        },
        season,
    })
}

/// AutoETS: of the models [`Spec::candidates`] allows for `y`, the fit with the least AICc. A
/// constant history (all zeros too) gets ETS(A,N,N) at its value with no variance; an empty
/// one, 0.
pub fn auto(y: &[f64], period: usize) -> Fit {
    let constant = y.windows(2).all(|w| w[0] == w[1]);
    if constant {
        return flat(y.first().copied().unwrap_or(0.0));
    }
    let positive = y.iter().all(|&v| v > 0.0);
    let seasonal = period >= 2 && y.len() >= 3 * period;
    Spec::candidates(positive, seasonal)
        .into_iter()
        .filter_map(|spec| fit(y, spec, period))
        .min_by(|a, b| a.aicc.total_cmp(&b.aicc))
        .unwrap_or_else(|| flat(y.iter().sum::<f64>() / y.len().max(1) as f64))
}

/// ETS(A,N,N) at `level`, with no variance: what a constant history, or one no model suits,
/// forecasts.
fn flat(level: f64) -> Fit {
    let spec = Spec {
        error: ErrorKind::Additive,
        trend: TrendKind::None,
        season: SeasonKind::None,
    };
    Fit {
        spec,
        period: 1,
        params: Params {
            alpha: SMOOTHING_BOUNDS.1,
            beta: 0.0,
            gamma: 0.0,
            phi: 1.0,
        },
        neg2_log_likelihood: f64::NAN,
        aicc: f64::NAN,
        n_params: spec.smoothing_count() + spec.state_count(1) + 1,
        sigma2: 0.0,
        level,
        trend: 0.0,
        season: Vec::new(),
        next_season: 0,
    }
}

#[cfg(test)]
mod tests;
