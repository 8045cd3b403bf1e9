//! `qm forecast` over a file of many series: each series forecast in parallel, with prediction
//! intervals from its own rolling-origin errors, and a backtest that scores the whole procedure
//! from earlier origins.
//!
//! `weekday_ses` (the engine's [`WeekdaySes`]) takes its α from `--alpha`, or else from the
//! collection: the α of [`ALPHA_GRID`] with the least mean RMSSE over [`ALPHA_ORIGINS`] rolling
//! origins before the forecast's origin, every series together (one series' own backtest is too
//! noisy to choose by). The other methods are the engine's online forecasters run over the
//! history. `auto` picks per series, among `weekday_ses`, those and the whole-history methods
//! ([`WHOLE_METHODS`]), the least mean squared error over the same origins. Quantiles are the
//! point forecast plus the empirical quantiles of the chosen method's errors over
//! [`INTERVAL_ORIGINS`] origins, pooled over the horizon's steps (per step, that many errors are
//! too few), floored at 0. Point forecasts are floored at 0 too, as the engine's forecasters
//! floor theirs: a trend (`holt_fitted`, `auto_ets`) can run below 0, demand cannot.

use qm_engine::forecast::backtest::{self, rolling_errors};
use qm_engine::forecast::weekday::WeekdaySes;
use qm_engine::forecast::{aggregate, ets, fitted};
use qm_engine::forecast::{fit, member_bits, member_names, MembersError, Method};
use rayon::prelude::*;

use super::series_file::Series;

/// The α values `weekday_ses` chooses from.
pub const ALPHA_GRID: [f64; 9] = [0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5];

/// Rolling origins that choose the collection's α and `auto`'s method.
pub const ALPHA_ORIGINS: usize = 4;

/// Rolling origins whose errors give the quantiles.
pub const INTERVAL_ORIGINS: usize = 16;

/// Steps either side of a horizon step whose errors its quantiles also take (16 origins × 7
/// steps: 112 errors a step).
pub const NEIGHBOUR_STEPS: usize = 3;

/// Origins of the lead-time sums whose errors give the lead-time quantiles, a week apart.
pub const LEAD_TIME_ORIGINS: usize = 52;

/// Days a series needs before an origin for that origin to count.
pub const MIN_TRAIN_DAYS: usize = 28;

/// How a series is forecast.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Procedure {
    /// Weekday-seasonal SES; `None`: α chosen on the collection.
    WeekdaySes(Option<f64>),
    /// One of the engine's online methods.
    Online(Method),
    /// A method fitted on the whole history (ADIDA, IMAPA).
    Whole(Whole),
    /// Per series, the least rolling-origin error among `weekday_ses` and the online methods.
    Auto,
    /// The mean of these methods' forecasts, day by day; `weekday_ses` with this α, or (`None`)
    /// α chosen on the collection.
    Mean(Members, Option<f64>),
}

/// A set of the methods a combination averages: `weekday_ses` and the whole-history methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Members(u32);

/// Names of the methods a combination can take, in [`Members`]' bit order.
pub const COMBINABLE: [&str; 10] = [
    "weekday_ses",
    "adida",
    "imapa",
    "ses_fitted",
    "croston_fitted",
    "sba_fitted",
    "tsb_fitted",
    "holt_fitted",
    "holt_winters_fitted",
    "auto_ets",
];

impl Members {
    /// The set named by a comma-separated list, or the first name that is not combinable; at
    /// least two distinct members.
    pub fn parse(list: &str) -> Result<Members, String> {
        match member_bits(list, &[','], &COMBINABLE) {
            Ok(bits) => Ok(Members(bits)),
            Err(MembersError::NotAMember(name)) => Err(format!(
                "`{name}` cannot be combined; one of {}",
                COMBINABLE.join(", ")
            )),
            Err(MembersError::TooFew) => Err(format!(
                "a combination needs two or more distinct methods, got `{list}`"
            )),
        }
    }

    /// Whether `weekday_ses` is a member (it needs the collection's α).
    pub fn has_weekday_ses(self) -> bool {
        self.0 & 1 != 0
    }

    /// The members' names, in [`COMBINABLE`]'s order.
    pub fn names(self) -> Vec<&'static str> {
        member_names(self.0, &COMBINABLE).collect()
    }

    /// The members, `weekday_ses` with α `alpha`.
    fn chosen(self, alpha: f64) -> impl Iterator<Item = Chosen> {
        self.names().into_iter().map(move |name| match name {
            "weekday_ses" => Chosen::WeekdaySes(alpha),
            other => Chosen::Whole(Whole::from_name(other).expect("combinable")),
        })
    }
}

/// Methods fitted on a whole history that forecast one value for every day ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whole {
    /// Temporal aggregation at the mean interval between demands.
    Adida,
    /// Temporal aggregation at every size up to the mean interval, averaged.
    Imapa,
    /// SES with α fitted to the history.
    SesFitted,
    /// Croston with both smoothings fitted to the history.
    CrostonFitted,
    /// Fitted Croston debiased by its intervals' α (SBA).
    SbaFitted,
    /// TSB with both smoothings fitted to the history.
    TsbFitted,
    /// Holt's linear trend with α and β fitted to the history.
    HoltFitted,
    /// Holt-Winters with a weekly season, α, β and γ fitted to the history.
    HoltWintersFitted,
    /// AutoETS: the ETS model with the least AICc, a weekly season allowed.
    AutoEts,
}

/// Every whole-history method.
pub const WHOLE_METHODS: [Whole; 9] = [
    Whole::Adida,
    Whole::Imapa,
    Whole::SesFitted,
    Whole::CrostonFitted,
    Whole::SbaFitted,
    Whole::TsbFitted,
    Whole::HoltFitted,
    Whole::HoltWintersFitted,
    Whole::AutoEts,
];

impl Whole {
    /// The method's name.
    pub fn name(self) -> &'static str {
        match self {
            Whole::Adida => "adida",
            Whole::Imapa => "imapa",
            Whole::SesFitted => "ses_fitted",
            Whole::CrostonFitted => "croston_fitted",
            Whole::SbaFitted => "sba_fitted",
            Whole::TsbFitted => "tsb_fitted",
            Whole::HoltFitted => "holt_fitted",
            Whole::HoltWintersFitted => "holt_winters_fitted",
            Whole::AutoEts => "auto_ets",
        }
    }

    /// The method of `name`, if it is one.
    pub fn from_name(name: &str) -> Option<Whole> {
        WHOLE_METHODS.into_iter().find(|w| w.name() == name)
    }
}

/// A method fixed for one series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Chosen {
    /// Weekday-seasonal SES with this α.
    WeekdaySes(f64),
    /// An online method.
    Online(Method),
    /// A whole-history method.
    Whole(Whole),
    /// The mean of these members (`weekday_ses` with this α).
    Mean(Members, f64),
}

impl Chosen {
    /// The method's name.
    pub fn name(&self) -> &'static str {
        match self {
            Chosen::WeekdaySes(_) => "weekday_ses",
            Chosen::Online(m) => m.name(),
            Chosen::Whole(w) => w.name(),
            Chosen::Mean(..) => "mean",
        }
    }

    /// Point forecasts of the `horizon` days after `history`, floored at 0 units (a trend can
    /// run below 0; demand does not).
    pub fn forecast(&self, history: &[f64], horizon: usize) -> Vec<f64> {
        no_less_than_zero(self.unfloored(history, horizon))
    }

    /// The method's own forecasts, which a trend can take below 0.
    fn unfloored(&self, history: &[f64], horizon: usize) -> Vec<f64> {
        match *self {
            Chosen::WeekdaySes(alpha) => WeekdaySes::fit(history, alpha).forecast(horizon),
            Chosen::Online(method) => {
                let fitted = &fit(&[method], history)[0];
                (1..=horizon as u32).map(|h| fitted.forecast(h)).collect()
            }
            Chosen::Whole(Whole::Adida) => vec![aggregate::adida(history); horizon],
            Chosen::Whole(Whole::Imapa) => vec![aggregate::imapa(history); horizon],
            Chosen::Whole(Whole::SesFitted) => vec![fitted::ses_fitted(history); horizon],
            Chosen::Whole(Whole::CrostonFitted) => {
                vec![fitted::croston_fitted(history); horizon]
            }
            Chosen::Whole(Whole::SbaFitted) => vec![fitted::sba_fitted(history); horizon],
            Chosen::Whole(Whole::TsbFitted) => vec![fitted::tsb_fitted(history).0; horizon],
            Chosen::Whole(Whole::HoltFitted) => fitted::holt_fitted(history, horizon),
            Chosen::Whole(Whole::HoltWintersFitted) => {
                fitted::holt_winters_fitted(history, 7, horizon)
            }
            Chosen::Whole(Whole::AutoEts) => ets::auto(history, 7).forecast(horizon),
            Chosen::Mean(members, alpha) => {
                let mut sum = vec![0.0; horizon];
                let mut count = 0.0;
                for member in members.chosen(alpha) {
                    for (s, f) in sum.iter_mut().zip(member.forecast(history, horizon)) {
                        *s += f;
                    }
                    count += 1.0;
                }
                sum.iter().map(|s| s / count).collect()
            }
        }
    }
}

/// What to forecast for every series.
#[derive(Clone, Debug)]
pub struct Request {
    /// How.
    pub procedure: Procedure,
    /// Days ahead.
    pub horizon: usize,
    /// Quantile levels, ascending, each in (0, 1).
    pub levels: Vec<f64>,
    /// Also the demand over this many days from tomorrow, with its quantiles.
    pub lead_days: Option<usize>,
    /// Quantiles per horizon step (each from its own and [`NEIGHBOUR_STEPS`] neighbouring
    /// steps' errors) instead of from every step's errors pooled.
    pub per_step: bool,
    /// `auto_ets`'s quantiles in closed form where the chosen model has them (normal errors,
    /// [`ets::Fit::variances`]); the empirical ones elsewhere.
    pub analytic: bool,
}

/// The demand over a lead time: the sum of the point forecasts, and its quantiles from the
/// errors of past lead-time sums.
#[derive(Clone, Debug)]
pub struct LeadTimeDemand {
    /// Days of the lead time, from the first forecast day.
    pub days: usize,
    /// Σ of the point forecasts over the lead time, units.
    pub point: f64,
    /// Per requested quantile level, units; `None` when the history is too short to give the
    /// error of a past lead-time sum (fewer than [`MIN_TRAIN_DAYS`] + the lead time's days).
    pub quantiles: Option<Vec<f64>>,
}

/// One series' forecast.
#[derive(Clone, Debug)]
pub struct SeriesForecast {
    /// The method used.
    pub chosen: Chosen,
    /// `auto` had no rolling-origin error to compare its candidates by (a history under
    /// [`MIN_TRAIN_DAYS`] + the horizon's days) and took the first, `weekday_ses`.
    pub defaulted: bool,
    /// The model `auto_ets` chose (`ETS(A,N,A)`…).
    pub model: Option<String>,
    /// Whether the quantiles are the model's closed form, not empirical.
    pub analytic: bool,
    /// Point forecasts, one a day.
    pub point: Vec<f64>,
    /// Per requested quantile level, one value a day; `None` when the history is too short to
    /// give a forecast error to draw them from (fewer than [`MIN_TRAIN_DAYS`] + the horizon's
    /// days) and no closed form gives them: undefined, not the point forecast.
    pub quantiles: Option<Vec<Vec<f64>>>,
    /// The lead time's demand, when asked.
    pub lead_time: Option<LeadTimeDemand>,
}

/// The collection's α for `weekday_ses` from the histories `series` (each cut at the origin):
/// the least mean RMSSE over [`ALPHA_ORIGINS`] rolling origins.
pub fn collection_alpha(series: &[&[f64]], horizon: usize) -> CollectionAlpha {
    let scores: Vec<f64> = ALPHA_GRID
        .par_iter()
        .map(|&alpha| {
            let (sum, count) = series
                .iter()
                .flat_map(|history| origin_rmsse(history, horizon, Chosen::WeekdaySes(alpha)))
                .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
            if count == 0 {
                f64::INFINITY
            } else {
                sum / count as f64
            }
        })
        .collect();
    let best = (0..ALPHA_GRID.len())
        .min_by(|&a, &b| scores[a].total_cmp(&scores[b]))
        .expect("a grid");
    if scores[best].is_finite() {
        CollectionAlpha {
            alpha: ALPHA_GRID[best],
            chosen_by: AlphaChoice::LeastRmsse,
        }
    } else {
        CollectionAlpha {
            alpha: DEFAULT_ALPHA,
            chosen_by: AlphaChoice::DefaultNoneScored,
        }
    }
}

/// The α `weekday_ses` uses for a whole collection, and how it was set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CollectionAlpha {
    /// The smoothing α.
    pub alpha: f64,
    /// Where it comes from.
    pub chosen_by: AlphaChoice,
}

/// How a collection's α was set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlphaChoice {
    /// `--alpha`.
    Given,
    /// The least mean RMSSE over [`ALPHA_ORIGINS`] rolling origins, every series together.
    LeastRmsse,
    /// [`DEFAULT_ALPHA`]: no series was long enough (or moved enough) to score an α.
    DefaultNoneScored,
}

/// The α when none is given and none can be scored.
pub const DEFAULT_ALPHA: f64 = 0.1;

/// RMSSE of `chosen` at each of the [`ALPHA_ORIGINS`] origins before the end of `history`.
fn origin_rmsse(history: &[f64], horizon: usize, chosen: Chosen) -> Vec<f64> {
    (1..=ALPHA_ORIGINS)
        .filter_map(|k| {
            let end = history.len().checked_sub(horizon * k)?;
            if end < MIN_TRAIN_DAYS {
                return None;
            }
            let train = &history[..end];
            let predicted = chosen.forecast(train, horizon);
            backtest::rmsse(train, &history[end..end + horizon], &predicted)
        })
        .collect()
}

/// The method `procedure` uses for `history`, given the collection's α, and whether `auto` took
/// its first candidate for want of a rolling-origin error to compare them by.
fn choose(procedure: Procedure, history: &[f64], horizon: usize, alpha: f64) -> (Chosen, bool) {
    let chosen = match procedure {
        Procedure::WeekdaySes(_) => Chosen::WeekdaySes(alpha),
        Procedure::Online(method) => Chosen::Online(method),
        Procedure::Whole(whole) => Chosen::Whole(whole),
        Procedure::Mean(members, _) => Chosen::Mean(members, alpha),
        Procedure::Auto => {
            let candidates = std::iter::once(Chosen::WeekdaySes(alpha))
                .chain(Method::candidates().into_iter().map(Chosen::Online))
                .chain(WHOLE_METHODS.map(Chosen::Whole));
            let mse = |c: &Chosen| {
                let errors =
                    rolling_errors(history, horizon, ALPHA_ORIGINS, MIN_TRAIN_DAYS, |h, n| {
                        c.forecast(h, n)
                    });
                let (sum, n) = errors
                    .iter()
                    .flatten()
                    .fold((0.0, 0usize), |(s, n), e| (s + e * e, n + 1));
                if n == 0 {
                    f64::INFINITY
                } else {
                    sum / n as f64
                }
            };
            let (least, best) = candidates
                .map(|c| (mse(&c), c))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .expect("candidates");
            return (best, least.is_infinite());
        }
    };
    (chosen, false)
}

/// Forecasts every history of `series` (each cut at the origin) as `request` asks. Returns the
/// forecasts and the α `weekday_ses` used (when it is used).
pub fn forecast_all(
    series: &[&[f64]],
    request: &Request,
) -> (Vec<SeriesForecast>, Option<CollectionAlpha>) {
    let horizon = request.horizon;
    let given = |alpha| CollectionAlpha {
        alpha,
        chosen_by: AlphaChoice::Given,
    };
    let collection = match request.procedure {
        Procedure::WeekdaySes(Some(alpha)) => Some(given(alpha)),
        Procedure::WeekdaySes(None) | Procedure::Auto => Some(collection_alpha(series, horizon)),
        Procedure::Mean(members, alpha) if members.has_weekday_ses() => {
            Some(alpha.map_or_else(|| collection_alpha(series, horizon), given))
        }
        Procedure::Online(_) | Procedure::Whole(_) | Procedure::Mean(..) => None,
    };
    let alpha = collection.map(|c| c.alpha);
    let forecasts = series
        .par_iter()
        .map(|history| {
            let (chosen, defaulted) = choose(
                request.procedure,
                history,
                horizon,
                alpha.unwrap_or(DEFAULT_ALPHA),
            );
            let ets_fit = (chosen == Chosen::Whole(Whole::AutoEts)).then(|| ets::auto(history, 7));
            let point = match &ets_fit {
                Some(fit) => no_less_than_zero(fit.forecast(horizon)),
                None => chosen.forecast(history, horizon),
            };
            let analytic = ets_fit
                .as_ref()
                .filter(|_| request.analytic)
                .and_then(|fit| {
                    let each = request
                        .levels
                        .iter()
                        .map(|&p| fit.normal_quantiles(horizon, p));
                    each.map(|q| q.map(no_less_than_zero)).collect()
                });
            let lead_time = request
                .lead_days
                .map(|days| lead_time_demand(history, chosen, days, &request.levels));
            SeriesForecast {
                chosen,
                defaulted,
                model: ets_fit.map(|fit| fit.spec.name()),
                analytic: analytic.is_some(),
                quantiles: analytic
                    .or_else(|| empirical_quantiles(history, chosen, &point, request)),
                point,
                lead_time,
            }
        })
        .collect();
    (forecasts, collection)
}

/// `forecast` with every value below 0 units raised to 0, as the engine's forecasters give theirs.
fn no_less_than_zero(mut forecast: Vec<f64>) -> Vec<f64> {
    for value in &mut forecast {
        *value = value.max(0.0);
    }
    forecast
}

/// The `request`'s quantiles of each day ahead: `point` plus the empirical quantiles of
/// `chosen`'s errors over [`INTERVAL_ORIGINS`] rolling origins, pooled over the horizon or per
/// step; floored at 0. `None` when the history gives no error to draw them from.
fn empirical_quantiles(
    history: &[f64],
    chosen: Chosen,
    point: &[f64],
    request: &Request,
) -> Option<Vec<Vec<f64>>> {
    let horizon = request.horizon;
    // The errors cost a forecast per origin: none without a quantile to give.
    let origins = if request.levels.is_empty() {
        0
    } else {
        INTERVAL_ORIGINS
    };
    let errors = rolling_errors(history, horizon, origins, MIN_TRAIN_DAYS, |h, n| {
        chosen.forecast(h, n)
    });
    let neighbours = if request.per_step {
        NEIGHBOUR_STEPS
    } else {
        horizon
    };
    (request.levels.iter())
        .map(|&p| {
            let offsets = backtest::step_quantiles(&errors, horizon, p, neighbours)?;
            let each_day = point.iter().zip(offsets);
            Some(each_day.map(|(f, offset)| (f + offset).max(0.0)).collect())
        })
        .collect()
}

/// The demand over the `days` days after `history` by `chosen`, with the `levels` quantiles of
/// its sum (floored at 0).
fn lead_time_demand(
    history: &[f64],
    chosen: Chosen,
    days: usize,
    levels: &[f64],
) -> LeadTimeDemand {
    let point: f64 = chosen.forecast(history, days).iter().sum();
    let errors = backtest::lead_time_errors(
        history,
        days,
        LEAD_TIME_ORIGINS,
        7,
        MIN_TRAIN_DAYS,
        |h, n| chosen.forecast(h, n),
    );
    let quantiles = levels
        .iter()
        .map(|&p| Some((point + backtest::quantile(&errors, p)?).max(0.0)))
        .collect();
    LeadTimeDemand {
        days,
        point,
        quantiles,
    }
}

/// One backtest origin's scores, means over the series that have a score.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct OriginScores {
    /// 1 = the latest origin (the last `horizon` days).
    pub origin: usize,
    /// Series with enough days before the origin to be forecast and scored.
    pub series_scored: usize,
    /// α `weekday_ses` used at this origin (when it is used).
    pub alpha: Option<f64>,
    /// Mean RMSSE (NaN, `null` in JSON, when no series is scored; likewise below).
    pub rmsse: f64,
    /// Mean MASE.
    pub mase: f64,
    /// Mean absolute error, units a day.
    pub mae: f64,
    /// Root mean squared error over every series-day, units.
    pub rmse: f64,
    /// Mean pinball loss per quantile level, as (level, loss).
    pub pinball: Vec<(f64, f64)>,
    /// Share of actual days inside the outermost interval (lowest to highest level).
    pub coverage: Option<f64>,
    /// Share of series whose demand over the lead time (its first days) fell inside the
    /// outermost lead-time interval (when a lead time within the horizon was asked).
    pub lead_time_coverage: Option<f64>,
}

/// Scores the whole procedure (α choice included) from `origins` rolling origins: at origin `k`
/// every series is cut `horizon × k` days before its end, forecast, and scored on the days cut.
pub fn backtest_scores(all: &[Series], request: &Request, origins: usize) -> Vec<OriginScores> {
    let horizon = request.horizon;
    (1..=origins)
        .map(|k| {
            let cut: Vec<(&[f64], &[f64])> = all
                .iter()
                .filter_map(|s| {
                    let end = s.values.len().checked_sub(horizon * k)?;
                    (end >= MIN_TRAIN_DAYS)
                        .then(|| (&s.values[..end], &s.values[end..end + horizon]))
                })
                .collect();
            let trains: Vec<&[f64]> = cut.iter().map(|c| c.0).collect();
            let (forecasts, alpha) = forecast_all(&trains, request);
            score_origin(k, alpha.map(|a| a.alpha), &cut, &forecasts, &request.levels)
        })
        .collect()
}

/// A score of one series: (training days, actual days, its forecast).
type Score<'a> = dyn Fn(&[f64], &[f64], &SeriesForecast) -> Option<f64> + 'a;

fn score_origin(
    origin: usize,
    alpha: Option<f64>,
    cut: &[(&[f64], &[f64])],
    forecasts: &[SeriesForecast],
    levels: &[f64],
) -> OriginScores {
    // Undefined (NaN, `null` in forecast.json) where no series has a score.
    let mean = |values: Vec<f64>| {
        if values.is_empty() {
            f64::NAN
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    let per_series = |score: &Score<'_>| {
        mean(
            cut.iter()
                .zip(forecasts)
                .filter_map(|((train, actual), f)| score(train, actual, f))
                .collect(),
        )
    };
    let squared: Vec<f64> = cut
        .iter()
        .zip(forecasts)
        .flat_map(|((_, actual), f)| actual.iter().zip(&f.point).map(|(a, p)| (a - p).powi(2)))
        .collect();
    let outer = (levels.len() >= 2).then(|| {
        per_series(&|_, actual, f| {
            let quantiles = f.quantiles.as_ref()?;
            backtest::coverage(actual, &quantiles[0], &quantiles[levels.len() - 1])
        })
    });
    OriginScores {
        origin,
        series_scored: cut.len(),
        alpha,
        rmsse: per_series(&|t, a, f| backtest::rmsse(t, a, &f.point)),
        mase: per_series(&|t, a, f| backtest::mase(t, a, &f.point)),
        mae: per_series(&|_, a, f| {
            Some(
                a.iter()
                    .zip(&f.point)
                    .map(|(x, p)| (x - p).abs())
                    .sum::<f64>()
                    / a.len() as f64,
            )
        }),
        rmse: mean(squared).sqrt(),
        pinball: levels
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                (
                    p,
                    per_series(&|_, a, f| backtest::pinball(p, a, &f.quantiles.as_ref()?[i])),
                )
            })
            .collect(),
        coverage: outer,
        lead_time_coverage: lead_time_coverage(cut, forecasts, levels),
    }
}

/// Share of `cut` series whose actual lead-time demand lies inside their outer lead-time interval.
fn lead_time_coverage(
    cut: &[(&[f64], &[f64])],
    forecasts: &[SeriesForecast],
    levels: &[f64],
) -> Option<f64> {
    let mut inside = Vec::new();
    for ((_, actual), f) in cut.iter().zip(forecasts) {
        let lead = f.lead_time.as_ref()?;
        // A lead time past the horizon has no actual days to be scored against.
        let total: f64 = actual.get(..lead.days)?.iter().sum();
        // A series too short for lead-time quantiles has no interval to be inside.
        let Some(quantiles) = &lead.quantiles else {
            continue;
        };
        let (low, high) = (quantiles.first()?, quantiles.last()?);
        inside.push((*low <= total && total <= *high) as u8 as f64);
    }
    (levels.len() >= 2 && !inside.is_empty())
        .then(|| inside.iter().sum::<f64>() / inside.len() as f64)
}
