//! One pass of an ETS model over a history: its errors, their likelihood's parts, its last
//! states, and the initial level and trend concentrated out where they enter linearly.

use super::{ErrorKind, Init, Params, SeasonKind, Spec, TrendKind};

/// What one pass over the history gives.
pub(super) struct Pass {
    /// Σ of the squared errors (relative for a multiplicative error), at the best initial
    /// level and trend where they are concentrated out.
    pub(super) sse: f64,
    pub(super) sum_log_abs_forecast: f64,
    pub(super) level: f64,
    pub(super) trend: f64,
    /// What the concentrated initial level and trend add to the pass's own.
    pub(super) shift: [f64; 2],
}

/// Runs the model over `y` from `init` with `p`, leaving the seasonal states in `season`;
/// `None` when a multiplicative model's forecast or seasonal state leaves the positive numbers,
/// or a value stops being finite. Each model runs its own copy of the loop (the components are
/// constants in it).
pub(super) fn pass(
    y: &[f64],
    spec: Spec,
    p: &Params,
    init: &Init,
    scratch: &mut [f64],
) -> Option<Pass> {
    use ErrorKind as E;
    use TrendKind as T;
    let (s, i) = (spec.season, &Inputs { y, p, init });
    match (spec.error, spec.trend) {
        (E::Additive, T::None) => by_season::<false, NONE>(s, i, scratch),
        (E::Additive, T::Additive) => by_season::<false, ADD>(s, i, scratch),
        (E::Additive, T::Damped) => by_season::<false, DAMPED>(s, i, scratch),
        (E::Multiplicative, T::None) => by_season::<true, NONE>(s, i, scratch),
        (E::Multiplicative, T::Additive) => by_season::<true, ADD>(s, i, scratch),
        (E::Multiplicative, T::Damped) => by_season::<true, DAMPED>(s, i, scratch),
    }
}

/// What a pass reads: the history, the parameters, the initial states.
struct Inputs<'a> {
    y: &'a [f64],
    p: &'a Params,
    init: &'a Init,
}

fn by_season<const MULTIPLICATIVE_ERROR: bool, const TREND: u8>(
    season: SeasonKind,
    i: &Inputs<'_>,
    scratch: &mut [f64],
) -> Option<Pass> {
    match season {
        SeasonKind::None => run::<MULTIPLICATIVE_ERROR, TREND, NONE>(i.y, i.p, i.init, scratch),
        SeasonKind::Additive => run::<MULTIPLICATIVE_ERROR, TREND, ADD>(i.y, i.p, i.init, scratch),
        SeasonKind::Multiplicative => {
            run::<MULTIPLICATIVE_ERROR, TREND, MUL>(i.y, i.p, i.init, scratch)
        }
    }
}

/// A component's kind as a constant of [`run`].
const NONE: u8 = 0;
const ADD: u8 = 1;
const DAMPED: u8 = 2;
const MUL: u8 = 2;

/// Forecasts whose logarithms are summed as one product (kept well inside f64's range: a
/// forecast is at least 1e-10, and far below 1e10 in any history of counts).
const LOG_CHUNK: usize = 16;

/// The pass of one model: the error-correction equations of `etsupdate`, carried as the
/// one-step level forecast q = l + φb so that each day's chain of dependent operations is
/// three long. With e = p − q (p the day's value, deseasonalised):
/// l' = q + αe, b' = φb + βe (β/α · (l' − l − φb) in `etsupdate`), q' = q + φ²b + (α + φβ)e,
/// and an additive season s' = s + γe.
///
/// With an additive error and no multiplicative season every forecast is affine in the
/// initial level and trend, so the pass also carries each forecast's derivative by them (the
/// same equations, driven by −1 × the forecast's own derivative) and returns the error sum of
/// squares at their least-squares best: the likelihood concentrated over them.
fn run<const MULTIPLICATIVE_ERROR: bool, const TREND: u8, const SEASON: u8>(
    y: &[f64],
    p: &Params,
    init: &Init,
    scratch: &mut [f64],
) -> Option<Pass> {
    let m = init.season.len();
    let (season, sensitivities) = scratch.split_at_mut(m);
    let (d_season_level, d_season_trend) = sensitivities.split_at_mut(m);
    season.copy_from_slice(&init.season);
    d_season_level.fill(0.0);
    d_season_trend.fill(0.0);
    let concentrate = !MULTIPLICATIVE_ERROR && SEASON != MUL;
    let phi = match TREND {
        NONE => 0.0,
        ADD => 1.0,
        _ => p.phi,
    };
    let (phi_squared, gain) = (phi * phi, p.alpha + phi * p.beta);
    let mut trend = if TREND == NONE { 0.0 } else { init.trend };
    let mut q = init.level + phi * trend;
    let mut derivatives = Derivatives::new(phi);
    let (mut sse, mut sum_log, mut product) = (0.0, 0.0, 1.0_f64);
    let mut j = 0;
    for (t, &actual) in y.iter().enumerate() {
        let s = if SEASON == NONE { 0.0 } else { season[j] };
        let (forecast, deseasonalised) = match SEASON {
            NONE => (q, actual),
            ADD => (q + s, actual - s),
            _ => {
                if s <= 1e-10 {
                    return None;
                }
                (q * s, actual / s)
            }
        };
        let error = actual - forecast;
        if MULTIPLICATIVE_ERROR {
            if forecast <= 1e-10 {
                return None;
            }
            let relative = error / forecast;
            sse += relative * relative;
            product *= forecast;
            if t % LOG_CHUNK == LOG_CHUNK - 1 {
                sum_log += product.ln();
                product = 1.0;
            }
        } else {
            sse += error * error;
        }
        if concentrate {
            let seasonal =
                (SEASON == ADD).then(|| (&mut d_season_level[j], &mut d_season_trend[j]));
            derivatives.step::<TREND>(error, seasonal, p, phi);
        }
        let e = deseasonalised - q;
        if SEASON == ADD {
            season[j] = s + p.gamma * e;
        } else if SEASON == MUL {
            if q.abs() <= 1e-10 {
                return None;
            }
            season[j] = s + p.gamma * (actual / q - s);
        }
        if TREND == NONE {
            q += p.alpha * e;
        } else {
            q = (q + phi_squared * trend) + gain * e;
            trend = phi * trend + p.beta * e;
        }
        if SEASON != NONE {
            j += 1;
            if j == m {
                j = 0;
            }
        }
    }
    sum_log += product.ln();
    let (shift, sse) = if concentrate {
        derivatives.concentrate(TREND != NONE, sse)
    } else {
        ([0.0; 2], sse)
    };
    let level = q - phi * trend;
    (sse.is_finite() && level.is_finite() && trend.is_finite()).then_some(Pass {
        sse,
        sum_log_abs_forecast: sum_log,
        level,
        trend,
        shift,
    })
}

/// The derivatives of the one-step forecasts by the initial level (index 0) and trend (index 1),
/// carried through the same equations as the states, and the sums that give the least-squares
/// shift of those initial states.
struct Derivatives {
    /// Of q and of b.
    dq: [f64; 2],
    db: [f64; 2],
    /// Σ error × derivative, and Σ derivative products (c₀², c₀c₁, c₁²).
    ec: [f64; 2],
    cc: [f64; 3],
}

impl Derivatives {
    fn new(phi: f64) -> Derivatives {
        Derivatives {
            dq: [1.0, phi],
            db: [0.0, 1.0],
            ec: [0.0; 2],
            cc: [0.0; 3],
        }
    }

    /// One day: the forecast's derivatives c (q's, plus the day's seasonal state's), their
    /// sums, then the states' derivatives driven by −c as the states are by the error.
    #[inline(always)]
    fn step<const TREND: u8>(
        &mut self,
        error: f64,
        seasonal: Option<(&mut f64, &mut f64)>,
        p: &Params,
        phi: f64,
    ) {
        let mut c = self.dq;
        if let Some((level, trend)) = seasonal {
            c[0] += *level;
            c[1] += *trend;
            *level -= p.gamma * c[0];
            *trend -= p.gamma * c[1];
        }
        self.ec[0] += error * c[0];
        self.cc[0] += c[0] * c[0];
        if TREND == NONE {
            self.dq[0] -= p.alpha * c[0];
            return;
        }
        self.ec[1] += error * c[1];
        self.cc[1] += c[0] * c[1];
        self.cc[2] += c[1] * c[1];
        let gain = p.alpha + phi * p.beta;
        for ((dq, db), c) in self.dq.iter_mut().zip(&mut self.db).zip(c) {
            *dq = (*dq + phi * phi * *db) - gain * c;
            *db = phi * *db - p.beta * c;
        }
    }

    /// The least-squares shift of the initial level (and trend, with `two`) and the sum of
    /// squares `sse` becomes: the errors at the shifted start are e − c·shift, so
    /// Σ(e − c·shift)² = SSE − shift·Σec.
    fn concentrate(&self, two: bool, sse: f64) -> ([f64; 2], f64) {
        let shift = least_squares(two, self.ec, self.cc);
        let sse = sse - shift[0] * self.ec[0] - shift[1] * self.ec[1];
        (shift, sse.max(0.0))
    }
}

/// The shift of the initial level (and trend, with `two`) minimising Σ(e − c·shift)², from
/// Σec and the symmetric Σcc (cc[0] = Σc₀², cc[1] = Σc₀c₁, cc[2] = Σc₁²); no shift where the
/// system is singular.
fn least_squares(two: bool, ec: [f64; 2], cc: [f64; 3]) -> [f64; 2] {
    if !two {
        return if cc[0] > 1e-12 {
            [ec[0] / cc[0], 0.0]
        } else {
            [0.0; 2]
        };
    }
    let determinant = cc[0] * cc[2] - cc[1] * cc[1];
    if determinant.abs() <= 1e-12 * (cc[0] * cc[2]).max(1e-300) {
        return least_squares(false, ec, cc);
    }
    [
        (ec[0] * cc[2] - ec[1] * cc[1]) / determinant,
        (ec[1] * cc[0] - ec[0] * cc[1]) / determinant,
    ]
}
