//! The forecasting methods by name, with their parameters: what a scenario or `qm forecast` asks
//! for.

use std::fmt;

/// Longest moving-average window or season, in days: rings are allocated once at this bound.
pub const MAX_WINDOW_DAYS: u32 = 366;

/// A forecasting method with its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// Tomorrow = today.
    Naive,
    /// Tomorrow = the same weekday last season.
    SeasonalNaive {
        /// Season length, days (7 for a weekly pattern).
        season_length: u32,
    },
    /// Mean of the last `window` days.
    MovingAverage {
        /// Days averaged.
        window: u32,
    },
    /// Simple exponential smoothing (level only).
    Ses {
        /// Level smoothing, 0 < α ≤ 1.
        alpha: f64,
    },
    /// Holt's linear trend.
    Holt {
        /// Level smoothing.
        alpha: f64,
        /// Trend smoothing.
        beta: f64,
    },
    /// Holt-Winters, additive seasonality.
    HoltWinters {
        /// Level smoothing.
        alpha: f64,
        /// Trend smoothing.
        beta: f64,
        /// Seasonal smoothing.
        gamma: f64,
        /// Season length, days.
        season_length: u32,
    },
    /// Croston's method for intermittent demand: size and interval smoothed separately.
    Croston {
        /// Smoothing of both the demand size and the interval.
        alpha: f64,
    },
    /// Syntetos-Boylan approximation: Croston debiased by (1 − α/2).
    Sba {
        /// Smoothing of both the demand size and the interval.
        alpha: f64,
    },
    /// Teunter-Syntetos-Babai: demand size and demand probability, the latter updated every day.
    Tsb {
        /// Smoothing of the demand size.
        alpha_demand: f64,
        /// Smoothing of the probability of demand.
        alpha_probability: f64,
    },
    /// Runs every other method with its defaults and forecasts with the one whose recent
    /// one-step errors are smallest (exponentially weighted, [`AUTO_SMOOTHING`](super::AUTO_SMOOTHING)).
    Auto,
    /// AutoETS as the series grows: the model of least AICc, chosen and fitted again every
    /// 28 days on the last year, its states moving daily between
    /// fits ([`super::ets::OnlineEts`]); seasons of `season_length` days.
    AutoEts {
        /// Season length, days.
        season_length: u32,
    },
    /// A family with its smoothing fitted to the series as it goes: every member of the
    /// family's grid ([`Family::members`]) runs, and the one with the least sum of squared
    /// one-step errors since the first day forecasts.
    Fitted(Family),
    /// ADIDA as the series grows ([`super::aggregate::OnlineAggregate`]): bucket size and α
    /// fitted every 28 days on the last year.
    Adida,
    /// IMAPA as the series grows, fitted as [`Method::Adida`].
    Imapa,
    /// The mean of several methods' forecasts, each member with its defaults.
    Mean(Combination),
}

/// The method names a [`Combination`] can take, in its bit order: every name but `auto`,
/// `auto_ets` and a combination's own.
pub const COMBINABLE: &[&str] = METHOD_NAMES.split_at(METHOD_NAMES.len() - 3).0;

/// The members of a [`Method::Mean`]: two or more of [`COMBINABLE`], as bits in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Combination(u32);

impl Combination {
    /// The set a list names, its names separated by `,` or `+` (`adida,imapa,sba_fitted`; `+`
    /// where commas already separate a list of methods, as in `qm tune --forecasts`).
    pub fn parse(list: &str) -> Result<Combination, MethodError> {
        match member_bits(list, &[',', '+'], COMBINABLE) {
            Ok(bits) => Ok(Combination(bits)),
            Err(MembersError::NotAMember(name)) => Err(MethodError::NotCombinable(name)),
            Err(MembersError::TooFew) => Err(MethodError::TooFewMembers(list.to_string())),
        }
    }

    /// The members with their defaults, in [`COMBINABLE`]'s order.
    pub fn members(self) -> Vec<Method> {
        let defaults = MethodParams::default();
        self.names()
            .map(|name| Method::from_name(name, &defaults).expect("combinable defaults"))
            .collect()
    }

    fn names(self) -> impl Iterator<Item = &'static str> {
        member_names(self.0, COMBINABLE)
    }
}

/// Why a list of a combination's members cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MembersError {
    /// A name that is not among those a combination can take.
    NotAMember(String),
    /// Fewer than two distinct members.
    TooFew,
}

/// The members a list names (separated by any of `separators`), as bits in the order of `names`
/// (at most 32): two or more distinct.
pub fn member_bits(list: &str, separators: &[char], names: &[&str]) -> Result<u32, MembersError> {
    debug_assert!(names.len() <= 32, "members are bits of a u32");
    let mut bits = 0u32;
    for name in list.split(separators).map(str::trim) {
        let i = names
            .iter()
            .position(|c| *c == name)
            .ok_or_else(|| MembersError::NotAMember(name.to_string()))?;
        bits |= 1 << i;
    }
    if bits.count_ones() < 2 {
        return Err(MembersError::TooFew);
    }
    Ok(bits)
}

/// The names of the members `bits` holds, in the order of `names`.
pub fn member_names<'a>(bits: u32, names: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
    (0..names.len())
        .filter(move |i| bits & (1 << i) != 0)
        .map(|i| names[i])
}

/// A method family whose smoothing [`Method::Fitted`] fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// SES, α on a grid over [0.01, 0.9].
    Ses,
    /// Croston, α on a grid over [0.1, 0.3] (statsforecast's bounds for its fitted Croston).
    Croston,
    /// SBA, α as Croston's.
    Sba,
    /// TSB, both smoothings on a grid.
    Tsb,
    /// Holt, α and β on a grid.
    Holt,
    /// Holt-Winters, α, β and γ on a grid.
    HoltWinters {
        /// Season length, days.
        season_length: u32,
    },
}

impl Family {
    /// The grid's methods.
    pub fn members(self) -> Vec<Method> {
        let grid = |a: &[f64], b: &[f64]| -> Vec<(f64, f64)> {
            a.iter()
                .flat_map(|&x| b.iter().map(move |&y| (x, y)))
                .collect()
        };
        match self {
            Family::Ses => [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9]
                .map(|alpha| Method::Ses { alpha })
                .to_vec(),
            Family::Croston => [0.1, 0.15, 0.2, 0.25, 0.3]
                .map(|alpha| Method::Croston { alpha })
                .to_vec(),
            Family::Sba => [0.1, 0.15, 0.2, 0.25, 0.3]
                .map(|alpha| Method::Sba { alpha })
                .to_vec(),
            Family::Tsb => grid(&[0.05, 0.1, 0.2], &[0.02, 0.05, 0.1, 0.2])
                .into_iter()
                .map(|(alpha_demand, alpha_probability)| Method::Tsb {
                    alpha_demand,
                    alpha_probability,
                })
                .collect(),
            Family::Holt => grid(&[0.02, 0.05, 0.1, 0.2, 0.4], &[0.01, 0.1])
                .into_iter()
                .map(|(alpha, beta)| Method::Holt { alpha, beta })
                .collect(),
            Family::HoltWinters { season_length } => grid(&[0.02, 0.1, 0.3], &[0.01, 0.1])
                .into_iter()
                .flat_map(|(alpha, beta)| {
                    [0.05, 0.2].map(|gamma| Method::HoltWinters {
                        alpha,
                        beta,
                        gamma,
                        season_length,
                    })
                })
                .collect(),
        }
    }

    /// The family's name with `_fitted`.
    fn name(self) -> &'static str {
        match self {
            Family::Ses => "ses_fitted",
            Family::Croston => "croston_fitted",
            Family::Sba => "sba_fitted",
            Family::Tsb => "tsb_fitted",
            Family::Holt => "holt_fitted",
            Family::HoltWinters { .. } => "holt_winters_fitted",
        }
    }
}

/// The method names as users type them, in a stable order: the single and fitted methods
/// first ([`COMBINABLE`]), then `auto`, `auto_ets` and a combination.
pub const METHOD_NAMES: [&str; 20] = [
    "naive",
    "seasonal_naive",
    "moving_average",
    "ses",
    "ses_fitted",
    "holt",
    "holt_fitted",
    "holt_winters",
    "holt_winters_fitted",
    "croston",
    "croston_fitted",
    "sba",
    "sba_fitted",
    "tsb",
    "tsb_fitted",
    "adida",
    "imapa",
    "auto",
    "auto_ets",
    "mean:A,B[,…]",
];

/// Parameters for [`Method::from_name`]; `None` takes the literature's default.
#[derive(Clone, Copy, Debug, Default)]
pub struct MethodParams {
    /// Level smoothing α (default 0.1) for ses, holt, holt_winters, croston, sba.
    pub alpha: Option<f64>,
    /// Trend smoothing β (default 0.1).
    pub beta: Option<f64>,
    /// Seasonal smoothing γ (default 0.1).
    pub gamma: Option<f64>,
    /// Season length in days (default 7).
    pub season_length: Option<u32>,
    /// Moving-average window in days (default 7).
    pub window: Option<u32>,
    /// TSB demand-size smoothing (default 0.1).
    pub alpha_demand: Option<f64>,
    /// TSB probability smoothing (default 0.1).
    pub alpha_probability: Option<f64>,
}

/// A method name or parameter that cannot be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MethodError {
    /// Not one of [`METHOD_NAMES`].
    #[error("unknown forecast method `{0}` (methods: {names})", names = METHOD_NAMES.join(", "))]
    Unknown(String),
    /// A smoothing constant outside (0, 1].
    #[error("{name} must be in (0, 1], got {value}")]
    Smoothing {
        /// Which parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A window or season outside 1..=MAX_WINDOW_DAYS.
    #[error("{name} must be between 1 and {MAX_WINDOW_DAYS} days, got {value}")]
    Length {
        /// Which parameter.
        name: &'static str,
        /// Its value.
        value: u32,
    },
    /// A member of `mean:` that is not one of [`COMBINABLE`].
    #[error("`{0}` cannot be combined in `mean:` (one of {names})", names = COMBINABLE.join(", "))]
    NotCombinable(String),
    /// `mean:` with fewer than two distinct members.
    #[error("`mean:{0}` needs two or more distinct methods")]
    TooFewMembers(String),
}

pub(super) const DEFAULT_ALPHA: f64 = 0.1;
pub(super) const DEFAULT_BETA: f64 = 0.1;
pub(super) const DEFAULT_GAMMA: f64 = 0.1;
pub(super) const DEFAULT_SEASON_DAYS: u32 = 7;
pub(super) const DEFAULT_WINDOW_DAYS: u32 = 7;

impl Method {
    /// The method `name` with `params` (defaults where absent), checked.
    pub fn from_name(name: &str, params: &MethodParams) -> Result<Method, MethodError> {
        let alpha = params.alpha.unwrap_or(DEFAULT_ALPHA);
        let beta = params.beta.unwrap_or(DEFAULT_BETA);
        let gamma = params.gamma.unwrap_or(DEFAULT_GAMMA);
        let season_length = params.season_length.unwrap_or(DEFAULT_SEASON_DAYS);
        let window = params.window.unwrap_or(DEFAULT_WINDOW_DAYS);
        let name = name.replace('-', "_");
        if let Some(list) = name.strip_prefix("mean:") {
            return Combination::parse(list).map(Method::Mean);
        }
        let method = match name.as_str() {
            "naive" => Method::Naive,
            "seasonal_naive" => Method::SeasonalNaive { season_length },
            "moving_average" => Method::MovingAverage { window },
            "ses" => Method::Ses { alpha },
            "holt" => Method::Holt { alpha, beta },
            "holt_winters" => Method::HoltWinters {
                alpha,
                beta,
                gamma,
                season_length,
            },
            "croston" => Method::Croston { alpha },
            "sba" => Method::Sba { alpha },
            "tsb" => Method::Tsb {
                alpha_demand: params.alpha_demand.unwrap_or(DEFAULT_ALPHA),
                alpha_probability: params.alpha_probability.unwrap_or(DEFAULT_ALPHA),
            },
            "auto" => Method::Auto,
            "auto_ets" => Method::AutoEts { season_length },
            "ses_fitted" => Method::Fitted(Family::Ses),
            "croston_fitted" => Method::Fitted(Family::Croston),
            "sba_fitted" => Method::Fitted(Family::Sba),
            "tsb_fitted" => Method::Fitted(Family::Tsb),
            "holt_fitted" => Method::Fitted(Family::Holt),
            "holt_winters_fitted" => Method::Fitted(Family::HoltWinters { season_length }),
            "adida" => Method::Adida,
            "imapa" => Method::Imapa,
            _ => return Err(MethodError::Unknown(name)),
        };
        method.validate()?;
        Ok(method)
    }

    /// Checks smoothing constants and lengths.
    pub fn validate(&self) -> Result<(), MethodError> {
        let smoothing = |name: &'static str, value: f64| {
            if value > 0.0 && value <= 1.0 {
                Ok(())
            } else {
                Err(MethodError::Smoothing { name, value })
            }
        };
        let length = |name: &'static str, value: u32| {
            if (1..=MAX_WINDOW_DAYS).contains(&value) {
                Ok(())
            } else {
                Err(MethodError::Length { name, value })
            }
        };
        match *self {
            Method::Naive | Method::Auto | Method::Adida | Method::Imapa | Method::Mean(_) => {
                Ok(())
            }
            Method::Fitted(Family::HoltWinters { season_length }) => {
                length("season_length", season_length)
            }
            Method::Fitted(_) => Ok(()),
            Method::AutoEts { season_length } => length("season_length", season_length),
            Method::SeasonalNaive { season_length } => length("season_length", season_length),
            Method::MovingAverage { window } => length("window", window),
            Method::Ses { alpha } | Method::Croston { alpha } | Method::Sba { alpha } => {
                smoothing("alpha", alpha)
            }
            Method::Holt { alpha, beta } => {
                smoothing("alpha", alpha)?;
                smoothing("beta", beta)
            }
            Method::HoltWinters {
                alpha,
                beta,
                gamma,
                season_length,
            } => {
                smoothing("alpha", alpha)?;
                smoothing("beta", beta)?;
                smoothing("gamma", gamma)?;
                length("season_length", season_length)
            }
            Method::Tsb {
                alpha_demand,
                alpha_probability,
            } => {
                smoothing("alpha_demand", alpha_demand)?;
                smoothing("alpha_probability", alpha_probability)
            }
        }
    }

    /// Forecasters a series runs: `auto` runs every candidate, a fitted family its grid.
    pub fn forecasters(&self) -> usize {
        match self {
            Method::Auto => Method::candidates().len(),
            Method::Fitted(family) => family.members().len(),
            // A year of history in f32 and the fitted model: as much as six forecasters.
            Method::AutoEts { .. } | Method::Adida | Method::Imapa => 6,
            Method::Mean(members) => members.members().iter().map(Method::forecasters).sum(),
            _ => 1,
        }
    }

    /// The name users type (`mean` for a combination; its `Display` lists the members).
    pub fn name(&self) -> &'static str {
        match self {
            Method::Naive => "naive",
            Method::SeasonalNaive { .. } => "seasonal_naive",
            Method::MovingAverage { .. } => "moving_average",
            Method::Ses { .. } => "ses",
            Method::Holt { .. } => "holt",
            Method::HoltWinters { .. } => "holt_winters",
            Method::Croston { .. } => "croston",
            Method::Sba { .. } => "sba",
            Method::Tsb { .. } => "tsb",
            Method::Auto => "auto",
            Method::Fitted(family) => family.name(),
            Method::AutoEts { .. } => "auto_ets",
            Method::Adida => "adida",
            Method::Imapa => "imapa",
            Method::Mean(_) => "mean",
        }
    }

    /// Every single method with its defaults (what `auto` chooses among).
    pub fn candidates() -> [Method; 9] {
        let d = MethodParams::default();
        let named = |n| Method::from_name(n, &d).expect("defaults are valid");
        [
            named("naive"),
            named("seasonal_naive"),
            named("moving_average"),
            named("ses"),
            named("holt"),
            named("holt_winters"),
            named("croston"),
            named("sba"),
            named("tsb"),
        ]
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::Mean(members) => {
                write!(f, "mean:{}", members.names().collect::<Vec<_>>().join(","))
            }
            _ => f.write_str(self.name()),
        }
    }
}
