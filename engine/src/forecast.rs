//! Daily demand forecasts, one series per SKU × warehouse, updated online at each daily close.
//!
//! Every method keeps a fixed-size state and updates it in O(1) per day (the moving average and
//! the seasonal methods keep a ring of `window` or `season_length` values, bounded by
//! [`MAX_WINDOW_DAYS`]), so a nightly close over tens of thousands of series takes milliseconds.
//! Each forecaster also tracks its own one-step-ahead errors ([`ForecastErrors`]): they feed the
//! safety stock (`σ_e`) and the accuracy KPIs.
//!
//! Known events (holidays, promotions) enter as an `uplift` factor per day: the history is
//! deflated by it before it reaches the level, and forecasts for event days are multiplied by it,
//! so Black Friday neither inflates next week's forecast nor surprises the safety stock.
//! [`UpliftLearner`] estimates those factors from past occurrences when the calendar only names
//! the days (recorded demand).

use std::fmt;

/// Longest moving-average window or season, in days: rings are allocated once at this bound.
pub const MAX_WINDOW_DAYS: u32 = 366;

/// Weight of the newest squared error in the smoothed error variance (about 40 days of memory).
pub const ERROR_SMOOTHING: f64 = 0.05;

/// Weight of the newest absolute error when `auto` compares methods (about 20 days of memory).
pub const AUTO_SMOOTHING: f64 = 0.1;

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
    /// one-step errors are smallest (exponentially weighted, [`AUTO_SMOOTHING`]).
    Auto,
}

/// The method names as users type them, in a stable order.
pub const METHOD_NAMES: [&str; 10] = [
    "naive",
    "seasonal_naive",
    "moving_average",
    "ses",
    "holt",
    "holt_winters",
    "croston",
    "sba",
    "tsb",
    "auto",
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
}

const DEFAULT_ALPHA: f64 = 0.1;
const DEFAULT_BETA: f64 = 0.1;
const DEFAULT_GAMMA: f64 = 0.1;
const DEFAULT_SEASON_DAYS: u32 = 7;
const DEFAULT_WINDOW_DAYS: u32 = 7;

impl Method {
    /// The method `name` with `params` (defaults where absent), checked.
    pub fn from_name(name: &str, params: &MethodParams) -> Result<Method, MethodError> {
        let alpha = params.alpha.unwrap_or(DEFAULT_ALPHA);
        let beta = params.beta.unwrap_or(DEFAULT_BETA);
        let gamma = params.gamma.unwrap_or(DEFAULT_GAMMA);
        let season_length = params.season_length.unwrap_or(DEFAULT_SEASON_DAYS);
        let window = params.window.unwrap_or(DEFAULT_WINDOW_DAYS);
        let method = match name.replace('-', "_").as_str() {
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
            _ => return Err(MethodError::Unknown(name.to_string())),
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
            Method::Naive | Method::Auto => Ok(()),
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

    /// The name users type.
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
        f.write_str(self.name())
    }
}

/// One-step-ahead forecast errors of one series (or, merged, of many).
///
/// Error is `forecast − actual`: a positive bias means over-forecasting (stock piles up).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ForecastErrors {
    /// Days with a forecast and an actual.
    pub days: u64,
    /// Σ |error|, units.
    pub sum_abs_units: f64,
    /// Σ error², units².
    pub sum_squared_units: f64,
    /// Σ error, units.
    pub sum_error_units: f64,
    /// Σ actual, units.
    pub sum_actual_units: f64,
    /// Σ |error| / actual over days with demand.
    pub sum_ape: f64,
    /// Days with demand (the MAPE denominator).
    pub days_with_demand: u64,
    /// Σ |actual − previous actual|: the naive method's in-sample error, for MASE.
    pub sum_naive_abs_units: f64,
    /// Days counted in `sum_naive_abs_units`.
    pub naive_days: u64,
    /// Exponentially smoothed squared error ([`ERROR_SMOOTHING`]): σ_e² for the safety stock.
    pub smoothed_squared_units: f64,
}

impl ForecastErrors {
    /// Records one day: what was forecast for it and what happened.
    #[inline]
    pub fn record(&mut self, forecast: f64, actual: f64, previous_actual: Option<f64>) {
        let error = forecast - actual;
        let squared = error * error;
        self.smoothed_squared_units = if self.days == 0 {
            squared
        } else {
            self.smoothed_squared_units + ERROR_SMOOTHING * (squared - self.smoothed_squared_units)
        };
        self.days += 1;
        self.sum_abs_units += error.abs();
        self.sum_squared_units += squared;
        self.sum_error_units += error;
        self.sum_actual_units += actual;
        if actual > 0.0 {
            self.sum_ape += error.abs() / actual;
            self.days_with_demand += 1;
        }
        if let Some(previous) = previous_actual {
            self.sum_naive_abs_units += (actual - previous).abs();
            self.naive_days += 1;
        }
    }

    /// Adds another series' errors (for totals over SKUs or warehouses).
    pub fn merge(&mut self, other: &ForecastErrors) {
        self.days += other.days;
        self.sum_abs_units += other.sum_abs_units;
        self.sum_squared_units += other.sum_squared_units;
        self.sum_error_units += other.sum_error_units;
        self.sum_actual_units += other.sum_actual_units;
        self.sum_ape += other.sum_ape;
        self.days_with_demand += other.days_with_demand;
        self.sum_naive_abs_units += other.sum_naive_abs_units;
        self.naive_days += other.naive_days;
        // A merged smoothed variance has no meaning; keep the larger (conservative).
        self.smoothed_squared_units = self
            .smoothed_squared_units
            .max(other.smoothed_squared_units);
    }

    fn ratio(numerator: f64, denominator: f64) -> f64 {
        if denominator > 0.0 {
            numerator / denominator
        } else {
            0.0
        }
    }

    /// Mean absolute error, units per day (0 with no days).
    pub fn mae(&self) -> f64 {
        Self::ratio(self.sum_abs_units, self.days as f64)
    }

    /// Root mean squared error, units per day.
    pub fn rmse(&self) -> f64 {
        Self::ratio(self.sum_squared_units, self.days as f64).sqrt()
    }

    /// Mean absolute percentage error over the days **with demand** (a day without demand has
    /// no percentage error; with no such day at all, 0). A share: 0.25 = 25 %.
    pub fn mape(&self) -> f64 {
        Self::ratio(self.sum_ape, self.days_with_demand as f64)
    }

    /// Weighted absolute percentage error: Σ|error| / Σ actual (0 when nothing was demanded).
    pub fn wape(&self) -> f64 {
        Self::ratio(self.sum_abs_units, self.sum_actual_units)
    }

    /// Mean absolute scaled error: MAE over the naive method's in-sample MAE. `None` when the
    /// series never changed (the scale is zero).
    pub fn mase(&self) -> Option<f64> {
        let naive = Self::ratio(self.sum_naive_abs_units, self.naive_days as f64);
        (naive > 0.0).then(|| self.mae() / naive)
    }

    /// Mean of forecast − actual, units per day: positive = over-forecast.
    pub fn bias(&self) -> f64 {
        Self::ratio(self.sum_error_units, self.days as f64)
    }

    /// Standard deviation of one-day forecast errors for the safety stock (smoothed).
    pub fn sigma_units(&self) -> f64 {
        self.smoothed_squared_units.sqrt()
    }
}

/// A ring of the last `len` values with their running sum.
#[derive(Clone, Debug)]
struct Ring {
    values: Box<[f64]>,
    /// Index of the oldest value (the next to be overwritten).
    pos: usize,
    /// Values pushed so far, capped at `values.len()`.
    filled: usize,
    sum: f64,
}

impl Ring {
    fn new(len: u32) -> Ring {
        assert!(
            (1..=MAX_WINDOW_DAYS).contains(&len),
            "ring length checked by validate"
        );
        Ring {
            values: vec![0.0; len as usize].into_boxed_slice(),
            pos: 0,
            filled: 0,
            sum: 0.0,
        }
    }

    #[inline]
    fn push(&mut self, value: f64) {
        let len = self.values.len();
        self.sum += value - self.values[self.pos];
        self.values[self.pos] = value;
        self.pos += 1;
        if self.pos == len {
            self.pos = 0;
            // Re-add once per lap so rounding never accumulates (amortized O(1)).
            self.sum = self.values.iter().sum();
        }
        self.filled = (self.filled + 1).min(len);
    }

    fn is_full(&self) -> bool {
        self.filled == self.values.len()
    }

    /// The value `offset` steps after the oldest kept: `oldest_plus(0)` is the oldest.
    #[inline]
    fn oldest_plus(&self, offset: usize) -> f64 {
        // Tomorrow (offset 0) is every day's question: skip the division.
        if offset == 0 {
            return self.values[self.pos];
        }
        self.values[(self.pos + offset) % self.values.len()]
    }

    fn newest(&self) -> f64 {
        let before = if self.pos == 0 {
            self.values.len()
        } else {
            self.pos
        };
        self.values[before - 1]
    }
}

#[derive(Clone, Debug)]
enum State {
    Naive {
        last: f64,
    },
    SeasonalNaive {
        ring: Ring,
    },
    MovingAverage {
        ring: Ring,
    },
    Ses {
        level: f64,
        alpha: f64,
    },
    Holt {
        level: f64,
        trend: f64,
        alpha: f64,
        beta: f64,
    },
    HoltWinters {
        level: f64,
        trend: f64,
        /// During the first season: the raw values; after: the seasonal indices, oldest first
        /// from `pos` (the index for tomorrow).
        season: Ring,
        ready: bool,
        alpha: f64,
        beta: f64,
        gamma: f64,
    },
    Intermittent {
        /// Smoothed demand size.
        size: f64,
        /// Croston/SBA: smoothed interval between demands, days. TSB: probability of demand.
        interval_or_probability: f64,
        /// Days since the last demand, counting today.
        since_days: f64,
        started: bool,
        kind: Intermittent,
    },
    Auto(Box<AutoState>),
}

#[derive(Clone, Copy, Debug)]
enum Intermittent {
    Croston {
        alpha: f64,
    },
    Sba {
        alpha: f64,
    },
    Tsb {
        alpha_demand: f64,
        alpha_probability: f64,
    },
}

#[derive(Clone, Debug)]
struct AutoState {
    members: Vec<Forecaster>,
    /// Exponentially weighted absolute one-step error of each member.
    recent_abs_error: Vec<f64>,
    best: usize,
}

/// One demand series' forecaster: a method's state, its errors, and the last day it saw.
#[derive(Clone, Debug)]
pub struct Forecaster {
    method: Method,
    state: State,
    errors: ForecastErrors,
    previous_actual: Option<f64>,
    days_seen: u64,
}

impl Forecaster {
    /// A forecaster with no history. Panics if `method` fails [`Method::validate`] (check user
    /// input with [`Method::from_name`] first).
    pub fn new(method: Method) -> Forecaster {
        method.validate().expect("a validated method");
        let state = match method {
            Method::Naive => State::Naive { last: 0.0 },
            Method::SeasonalNaive { season_length } => State::SeasonalNaive {
                ring: Ring::new(season_length),
            },
            Method::MovingAverage { window } => State::MovingAverage {
                ring: Ring::new(window),
            },
            Method::Ses { alpha } => State::Ses { level: 0.0, alpha },
            Method::Holt { alpha, beta } => State::Holt {
                level: 0.0,
                trend: 0.0,
                alpha,
                beta,
            },
            Method::HoltWinters {
                alpha,
                beta,
                gamma,
                season_length,
            } => State::HoltWinters {
                level: 0.0,
                trend: 0.0,
                season: Ring::new(season_length),
                ready: false,
                alpha,
                beta,
                gamma,
            },
            Method::Croston { alpha } => Self::intermittent(Intermittent::Croston { alpha }),
            Method::Sba { alpha } => Self::intermittent(Intermittent::Sba { alpha }),
            Method::Tsb {
                alpha_demand,
                alpha_probability,
            } => Self::intermittent(Intermittent::Tsb {
                alpha_demand,
                alpha_probability,
            }),
            Method::Auto => {
                let members: Vec<Forecaster> = Method::candidates()
                    .into_iter()
                    .map(Forecaster::new)
                    .collect();
                State::Auto(Box::new(AutoState {
                    recent_abs_error: vec![0.0; members.len()],
                    members,
                    best: 3, // ses until the errors speak
                }))
            }
        };
        Forecaster {
            method,
            state,
            errors: ForecastErrors::default(),
            previous_actual: None,
            days_seen: 0,
        }
    }

    fn intermittent(kind: Intermittent) -> State {
        State::Intermittent {
            size: 0.0,
            interval_or_probability: 0.0,
            since_days: 0.0,
            started: false,
            kind,
        }
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// For `auto`: the method currently chosen; otherwise the method itself.
    pub fn chosen_method(&self) -> Method {
        match &self.state {
            State::Auto(auto) => auto.members[auto.best].method,
            _ => self.method,
        }
    }

    /// Days observed so far.
    pub fn days_seen(&self) -> u64 {
        self.days_seen
    }

    /// The one-step-ahead errors recorded so far.
    pub fn errors(&self) -> &ForecastErrors {
        &self.errors
    }

    /// Observes one day of demand (`units`, already net of any known event: see
    /// [`Forecaster::observe_with_uplift`]) after scoring yesterday's one-step forecast for it.
    #[inline]
    pub fn observe(&mut self, units: f64) {
        self.observe_with_uplift(units, 1.0);
    }

    /// Observes one day on which a known event multiplied demand by `uplift` (1 on ordinary
    /// days): the error is scored against the uplifted forecast, the state learns `units / uplift`.
    #[inline]
    pub fn observe_with_uplift(&mut self, units: f64, uplift: f64) {
        debug_assert!(units >= 0.0 && units.is_finite(), "demand is a count");
        debug_assert!(
            uplift > 0.0 && uplift.is_finite(),
            "uplift is a positive factor"
        );
        if self.days_seen > 0 {
            let forecast = self.forecast(1) * uplift;
            self.errors.record(forecast, units, self.previous_actual);
        }
        self.update(if uplift == 1.0 { units } else { units / uplift });
        self.previous_actual = Some(units);
        self.days_seen += 1;
    }

    #[inline]
    fn update(&mut self, y: f64) {
        let first = self.days_seen == 0;
        match &mut self.state {
            State::Naive { last } => *last = y,
            State::SeasonalNaive { ring } | State::MovingAverage { ring } => ring.push(y),
            State::Ses { level, alpha } => {
                *level = if first {
                    y
                } else {
                    *level + *alpha * (y - *level)
                };
            }
            State::Holt {
                level,
                trend,
                alpha,
                beta,
            } => {
                if first {
                    *level = y;
                } else if self.days_seen == 1 {
                    *trend = y - *level;
                    *level = y;
                } else {
                    let previous = *level;
                    *level = *alpha * y + (1.0 - *alpha) * (previous + *trend);
                    *trend = *beta * (*level - previous) + (1.0 - *beta) * *trend;
                }
            }
            State::HoltWinters {
                level,
                trend,
                season,
                ready,
                alpha,
                beta,
                gamma,
            } => {
                if !*ready {
                    season.push(y);
                    if season.is_full() {
                        // Classical start: level = first season's mean, no trend, indices =
                        // deviations from it.
                        let m = season.values.len() as f64;
                        *level = season.sum / m;
                        for s in season.values.iter_mut() {
                            *s -= *level;
                        }
                        season.sum = season.values.iter().sum();
                        *trend = 0.0;
                        *ready = true;
                    }
                } else {
                    let s_old = season.oldest_plus(0);
                    let (l0, b0) = (*level, *trend);
                    *level = *alpha * (y - s_old) + (1.0 - *alpha) * (l0 + b0);
                    *trend = *beta * (*level - l0) + (1.0 - *beta) * b0;
                    let s_new = *gamma * (y - l0 - b0) + (1.0 - *gamma) * s_old;
                    season.push(s_new);
                }
            }
            State::Intermittent {
                size,
                interval_or_probability,
                since_days,
                started,
                kind,
            } => {
                *since_days += 1.0;
                let demand = y > 0.0;
                match *kind {
                    Intermittent::Croston { alpha } | Intermittent::Sba { alpha } => {
                        if demand {
                            if *started {
                                *size += alpha * (y - *size);
                                *interval_or_probability +=
                                    alpha * (*since_days - *interval_or_probability);
                            } else {
                                *size = y;
                                *interval_or_probability = *since_days;
                                *started = true;
                            }
                            *since_days = 0.0;
                        }
                    }
                    Intermittent::Tsb {
                        alpha_demand,
                        alpha_probability,
                    } => {
                        if *started {
                            let hit = if demand { 1.0 } else { 0.0 };
                            *interval_or_probability +=
                                alpha_probability * (hit - *interval_or_probability);
                            if demand {
                                *size += alpha_demand * (y - *size);
                            }
                        } else if demand {
                            *size = y;
                            *interval_or_probability = 1.0 / *since_days;
                            *started = true;
                        }
                        if demand {
                            *since_days = 0.0;
                        }
                    }
                }
            }
            State::Auto(auto) => {
                for (i, member) in auto.members.iter_mut().enumerate() {
                    if member.days_seen > 0 {
                        let error = (member.forecast(1) - y).abs();
                        let recent = &mut auto.recent_abs_error[i];
                        *recent = if member.days_seen == 1 {
                            error
                        } else {
                            *recent + AUTO_SMOOTHING * (error - *recent)
                        };
                    }
                    member.observe(y);
                }
                if self.days_seen >= 1 {
                    auto.best = (0..auto.members.len())
                        .min_by(|&a, &b| {
                            auto.recent_abs_error[a].total_cmp(&auto.recent_abs_error[b])
                        })
                        .expect("members");
                }
            }
        }
    }

    /// The forecast for `horizon_days` days ahead (1 = tomorrow), units, before any uplift.
    /// Never negative: demand is not.
    #[inline]
    pub fn forecast(&self, horizon_days: u32) -> f64 {
        debug_assert!(horizon_days >= 1, "horizon starts at tomorrow");
        let h = horizon_days.max(1) as usize;
        let value = match &self.state {
            State::Naive { last } => *last,
            State::SeasonalNaive { ring } => {
                if ring.is_full() {
                    ring.oldest_plus((h - 1) % ring.values.len())
                } else if ring.filled > 0 {
                    ring.newest()
                } else {
                    0.0
                }
            }
            State::MovingAverage { ring } => {
                if ring.filled == 0 {
                    0.0
                } else {
                    ring.sum / ring.filled as f64
                }
            }
            State::Ses { level, .. } => *level,
            State::Holt { level, trend, .. } => level + h as f64 * trend,
            State::HoltWinters {
                level,
                trend,
                season,
                ready,
                ..
            } => {
                if *ready {
                    level + h as f64 * trend + season.oldest_plus((h - 1) % season.values.len())
                } else if season.filled > 0 {
                    season.sum / season.filled as f64
                } else {
                    0.0
                }
            }
            State::Intermittent {
                size,
                interval_or_probability,
                started,
                kind,
                ..
            } => {
                if !*started {
                    0.0
                } else {
                    match kind {
                        Intermittent::Croston { .. } => size / interval_or_probability,
                        Intermittent::Sba { alpha } => {
                            (1.0 - alpha / 2.0) * size / interval_or_probability
                        }
                        Intermittent::Tsb { .. } => size * interval_or_probability,
                    }
                }
            }
            State::Auto(auto) => auto.members[auto.best].forecast(horizon_days),
        };
        value.max(0.0)
    }

    /// Σ of the forecasts for days 1..=`days`: the expected demand over a lead time.
    pub fn forecast_total(&self, days: u32) -> f64 {
        match &self.state {
            State::Naive { .. }
            | State::MovingAverage { .. }
            | State::Ses { .. }
            | State::Intermittent { .. } => self.forecast(1) * days as f64,
            _ => (1..=days).map(|h| self.forecast(h)).sum(),
        }
    }
}

/// Learns how much a recurring event (Black Friday, a promotion) multiplies demand, from the
/// days it happened: Σ actual / Σ baseline forecast over its past occurrences.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UpliftLearner {
    actual_units: f64,
    baseline_units: f64,
    /// The factor assumed before any occurrence was seen.
    pub prior: f64,
}

impl UpliftLearner {
    /// A learner that assumes `prior` (1 = no effect) until it has seen the event.
    pub fn new(prior: f64) -> UpliftLearner {
        assert!(
            prior > 0.0 && prior.is_finite(),
            "an uplift is a positive factor"
        );
        UpliftLearner {
            actual_units: 0.0,
            baseline_units: 0.0,
            prior,
        }
    }

    /// Records one event day: demand observed and what the forecasts expected without the event.
    pub fn observe(&mut self, actual_units: f64, baseline_units: f64) {
        self.actual_units += actual_units;
        self.baseline_units += baseline_units;
    }

    /// The factor to apply on the event's next days.
    pub fn uplift(&self) -> f64 {
        if self.baseline_units > 0.0 && self.actual_units > 0.0 {
            self.actual_units / self.baseline_units
        } else {
            self.prior
        }
    }
}

/// Fits several methods to one history at once, day by day: the methods' update chains are
/// independent, so interleaving them lets the CPU overlap them (about twice as fast as fitting
/// one method after another, each waiting on its own previous day).
pub fn fit(methods: &[Method], history: &[f64]) -> Vec<Forecaster> {
    let mut fitted: Vec<Forecaster> = methods.iter().map(|&m| Forecaster::new(m)).collect();
    for &units in history {
        for forecaster in fitted.iter_mut() {
            forecaster.observe(units);
        }
    }
    fitted
}
