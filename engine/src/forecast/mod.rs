//! Daily demand forecasts, one series per SKU × warehouse, updated online at each daily close.
//!
//! The smoothing methods keep a fixed-size state and update it in O(1) per day (the moving
//! average and the seasonal methods keep a ring of `window` or `season_length` values, bounded
//! by [`MAX_WINDOW_DAYS`]), so a nightly close over tens of thousands of series takes
//! milliseconds. `auto_ets`, `adida` and `imapa` keep the last year and fit it again every 28
//! days; a fitted family, `auto` and a `mean:` combination run several of the others.
//! Each forecaster also tracks its own one-step-ahead errors ([`ForecastErrors`]): they feed the
//! safety stock (`σ_e`) and the accuracy KPIs.
//!
//! Known events (holidays, promotions) enter as an `uplift` factor per day: the history is
//! deflated by it before it reaches the level, and forecasts for event days are multiplied by it,
//! so Black Friday neither inflates next week's forecast nor surprises the safety stock.
//! [`UpliftLearner`] estimates those factors from past occurrences when the calendar only names
//! the days (recorded demand).
//!
//! Whole histories (a file of series, not a running close) are fitted at once:
//! [`weekday::WeekdaySes`] fits a weekday profile and a level, and [`backtest`] evaluates any
//! forecasting function from rolling origins and gives the scores and error quantiles.

pub mod aggregate;
pub mod backtest;
mod errors;
pub mod ets;
pub mod fitted;
mod method;
mod nelder_mead;
pub mod weekday;
pub mod window;

pub use errors::{ForecastErrors, ERROR_SMOOTHING};
pub use method::*;

/// Weight of the newest absolute error when `auto` compares methods (about 20 days of memory).
pub const AUTO_SMOOTHING: f64 = 0.1;

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
    Ets(Box<ets::OnlineEts>),
    Aggregate(Box<aggregate::OnlineAggregate>),
    /// A combination's members, whose forecasts are averaged.
    Mean(Box<[Forecaster]>),
}

/// Which intermittent method a state runs, with its smoothing constants.
#[derive(Clone, Copy, Debug)]
enum Intermittent {
    /// Croston: α of the size and the interval.
    Croston(f64),
    /// SBA: as Croston, the forecast debiased by (1 − α/2).
    Sba(f64),
    /// TSB: α of the size, α of the probability.
    Tsb(f64, f64),
}

/// Several forecasters of one series, the best of which forecasts.
#[derive(Clone, Debug)]
struct AutoState {
    members: Vec<Forecaster>,
    /// Each member's error so far: for `auto`, its exponentially weighted absolute one-step
    /// error; for a fitted family, its sum of squared one-step errors.
    error_so_far: Vec<f64>,
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
            Method::Croston { alpha } => Self::intermittent(Intermittent::Croston(alpha)),
            Method::Sba { alpha } => Self::intermittent(Intermittent::Sba(alpha)),
            Method::Tsb {
                alpha_demand,
                alpha_probability,
            } => Self::intermittent(Intermittent::Tsb(alpha_demand, alpha_probability)),
            Method::Auto => {
                let members: Vec<Forecaster> = Method::candidates()
                    .into_iter()
                    .map(Forecaster::new)
                    .collect();
                State::Auto(Box::new(AutoState {
                    error_so_far: vec![0.0; members.len()],
                    members,
                    best: 3, // ses until the errors speak
                }))
            }
            Method::AutoEts { season_length } => {
                State::Ets(Box::new(ets::OnlineEts::new(season_length as usize)))
            }
            Method::Adida => State::Aggregate(Box::new(aggregate::OnlineAggregate::new(
                aggregate::Aggregation::Adida,
            ))),
            Method::Imapa => State::Aggregate(Box::new(aggregate::OnlineAggregate::new(
                aggregate::Aggregation::Imapa,
            ))),
            Method::Mean(combination) => State::Mean(
                combination
                    .members()
                    .into_iter()
                    .map(Forecaster::new)
                    .collect(),
            ),
            Method::Fitted(family) => {
                let members: Vec<Forecaster> =
                    family.members().into_iter().map(Forecaster::new).collect();
                State::Auto(Box::new(AutoState {
                    error_so_far: vec![0.0; members.len()],
                    best: members.len() / 2, // a middle member until the errors speak
                    members,
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

    /// A member of `auto` or of a fitted family moves on a day: its state only (the errors
    /// that choose among members are kept by the owner; a member's own are never read).
    fn step(&mut self, y: f64) {
        self.update(y);
        self.days_seen += 1;
    }

    #[inline]
    fn update(&mut self, y: f64) {
        let first = self.days_seen == 0;
        let fitted = matches!(self.method, Method::Fitted(_));
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
                update_intermittent(y, size, interval_or_probability, since_days, started, *kind);
            }
            State::Ets(online) => online.observe(y),
            State::Aggregate(online) => online.observe(y),
            State::Mean(members) => members.iter_mut().for_each(|m| m.step(y)),
            State::Auto(auto) => {
                for (i, member) in auto.members.iter_mut().enumerate() {
                    if member.days_seen > 0 {
                        let error = (member.forecast(1) - y).abs();
                        let so_far = &mut auto.error_so_far[i];
                        *so_far = if fitted {
                            *so_far + error * error
                        } else if member.days_seen == 1 {
                            error
                        } else {
                            *so_far + AUTO_SMOOTHING * (error - *so_far)
                        };
                    }
                    member.step(y);
                }
                if self.days_seen >= 1 {
                    auto.best = (0..auto.members.len())
                        .min_by(|&a, &b| auto.error_so_far[a].total_cmp(&auto.error_so_far[b]))
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
                        Intermittent::Croston(_) => size / interval_or_probability,
                        Intermittent::Sba(alpha) => {
                            (1.0 - alpha / 2.0) * size / interval_or_probability
                        }
                        Intermittent::Tsb(..) => size * interval_or_probability,
                    }
                }
            }
            State::Auto(auto) => auto.members[auto.best].forecast(horizon_days),
            State::Ets(online) => online.forecast(h),
            State::Aggregate(online) => online.forecast(),
            State::Mean(members) => {
                members
                    .iter()
                    .map(|m| m.forecast(horizon_days))
                    .sum::<f64>()
                    / members.len() as f64
            }
        };
        value.max(0.0)
    }

    /// Σ of the forecasts for days 1..=`days`: the expected demand over a lead time.
    pub fn forecast_total(&self, days: u32) -> f64 {
        match &self.state {
            State::Naive { .. }
            | State::MovingAverage { .. }
            | State::Ses { .. }
            | State::Intermittent { .. }
            | State::Aggregate(_) => self.forecast(1) * days as f64,
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

/// One day of an intermittent method (Croston, SBA, TSB): the demand size and the interval or
/// probability move only on demand days (TSB's probability moves every day).
fn update_intermittent(
    y: f64,
    size: &mut f64,
    interval_or_probability: &mut f64,
    since_days: &mut f64,
    started: &mut bool,
    kind: Intermittent,
) {
    *since_days += 1.0;
    let demand = y > 0.0;
    match kind {
        Intermittent::Croston(alpha) | Intermittent::Sba(alpha) => {
            if demand {
                if *started {
                    *size += alpha * (y - *size);
                    *interval_or_probability += alpha * (*since_days - *interval_or_probability);
                } else {
                    *size = y;
                    *interval_or_probability = *since_days;
                    *started = true;
                }
                *since_days = 0.0;
            }
        }
        Intermittent::Tsb(alpha_demand, alpha_probability) => {
            // The probability is smoothed over every day from the first, starting at the first
            // day's value; the size over demand days, starting at the first demand (as
            // Teunter, Syntetos and Babai, and statsforecast).
            let hit = if demand { 1.0 } else { 0.0 };
            let first_day = !*started && *since_days == 1.0;
            if first_day {
                *interval_or_probability = hit;
            } else {
                *interval_or_probability += alpha_probability * (hit - *interval_or_probability);
            }
            if demand {
                if *started {
                    *size += alpha_demand * (y - *size);
                } else {
                    *size = y;
                    *started = true;
                }
                *since_days = 0.0;
            }
        }
    }
}
