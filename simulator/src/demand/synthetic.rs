//! Synthetic demand: how many orders a day (base rate × day-of-week × trend × events, with
//! Poisson or negative binomial noise), when in the day they arrive, and what is in them.

use chrono::{Datelike, NaiveDate};
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::RngExt;
use rand_distr::{Distribution, Gamma, Poisson};

use super::day::{DayDemand, DraftOrder};
use super::error::DemandError;
use super::replay::{load_log, Replay};
use crate::scenario::{to_date, CountNoise, Scenario};
use crate::time::MS_PER_HOUR;

/// A holiday or promotion, in day indexes from the horizon's start.
struct CalendarEvent {
    name: String,
    first_day: i64,
    last_day: i64,
    multiplier: f64,
    ramp_up_days: i64,
    ramp_down_days: i64,
    /// The SKUs it touches and their share of all demand; `None` = every SKU.
    skus: Option<(WeightedIndex<f64>, Vec<u32>, f64)>,
}

impl CalendarEvent {
    /// Its multiplier on `day`: full strength inside, linear ramps outside, 1 elsewhere.
    fn factor(&self, day: i64) -> f64 {
        self.factor_with(self.multiplier, day)
    }

    /// The same shape with another full-strength multiplier (a learnt one).
    fn factor_with(&self, multiplier: f64, day: i64) -> f64 {
        1.0 + (multiplier - 1.0) * self.strength(day)
    }

    /// 1 inside the event, falling linearly to 0 over the ramps, 0 elsewhere.
    fn strength(&self, day: i64) -> f64 {
        if (self.first_day..=self.last_day).contains(&day) {
            1.0
        } else if day < self.first_day && self.first_day - day <= self.ramp_up_days {
            (self.ramp_up_days - (self.first_day - day) + 1) as f64 / (self.ramp_up_days + 1) as f64
        } else if day > self.last_day && day - self.last_day <= self.ramp_down_days {
            (self.ramp_down_days - (day - self.last_day) + 1) as f64
                / (self.ramp_down_days + 1) as f64
        } else {
            0.0
        }
    }
}

/// The demand model of a scenario.
pub struct DemandModel {
    start: NaiveDate,
    orders_per_day: f64,
    day_of_week: [f64; 7],
    hour: WeightedIndex<f64>,
    trend_per_year: f64,
    /// Negative binomial dispersion; `None` = Poisson.
    dispersion: Option<f64>,
    events: Vec<CalendarEvent>,
    sku_pick: WeightedIndex<f64>,
    extra_lines: Option<Poisson<f64>>,
    max_lines: u32,
    extra_units: Option<Poisson<f64>>,
    max_units: u32,
    channel_pick: WeightedIndex<f64>,
    region_pick: WeightedIndex<f64>,
    express_share: f64,
    /// Expected units a day per SKU at the base rate (for stock cover and reorder points).
    pub expected_daily_units: Vec<f64>,
    /// A recorded history replayed instead of drawing orders.
    pub recorded: Option<Replay>,
}

/// Popularity weight of each SKU: explicit, or Zipf over the generated catalog.
pub fn popularity(s: &Scenario) -> Vec<f64> {
    if s.skus.is_empty() {
        let exponent = *s.catalog.zipf_exponent.get_ref();
        (1..=*s.catalog.skus.get_ref())
            .map(|k| (k as f64).powf(-exponent))
            .collect()
    } else {
        s.skus.iter().map(|k| *k.popularity.get_ref()).collect()
    }
}

/// E[min(1 + Poisson(mean − 1), max)]: the mean of a capped "1 + Poisson" count.
fn capped_mean(mean: f64, max: u32) -> f64 {
    let lambda = mean - 1.0;
    if lambda <= 0.0 {
        return 1.0;
    }
    let (mut p, mut below, mut expected) = ((-lambda).exp(), 0.0, 0.0);
    for k in 0..max.saturating_sub(1) {
        expected += p * (1 + k) as f64;
        below += p;
        p *= lambda / (k + 1) as f64;
    }
    expected + (1.0 - below).max(0.0) * max as f64
}

impl DemandModel {
    /// Builds the model; the scenario is already validated.
    pub fn new(s: &Scenario) -> Result<Self, DemandError> {
        let d = &s.demand;
        let weights = popularity(s);
        let total: f64 = weights.iter().sum();
        let sku_pick = weighted("SKU popularity", &weights)?;
        let mean_lines = capped_mean(
            *d.mean_lines_per_order.get_ref(),
            *d.max_lines_per_order.get_ref(),
        );
        let mean_units = capped_mean(
            *d.mean_units_per_line.get_ref(),
            *d.max_units_per_line.get_ref(),
        );
        let orders_per_day = *d.orders_per_day.get_ref();
        let expected_daily_units = weights
            .iter()
            .map(|w| orders_per_day * mean_lines * mean_units * w / total)
            .collect();
        let week = d.day_of_week.get_ref();
        let week_mean = week.iter().sum::<f64>() / 7.0;
        let mut day_of_week = [1.0; 7];
        for (slot, w) in day_of_week.iter_mut().zip(week) {
            *slot = w / week_mean;
        }
        let start = s.start_date();
        let events = calendar_events(s, &weights, total, start)?;
        // The count past the first (a line, a unit), Poisson; none when the mean is 1.
        let extra = |what: &'static str, mean: f64| {
            (mean > 1.0)
                .then(|| Poisson::new(mean - 1.0))
                .transpose()
                .map_err(|cause| DemandError::Count { what, cause })
        };
        let mut model = Self {
            start,
            orders_per_day,
            day_of_week,
            hour: weighted("demand.intraday", d.intraday.get_ref())?,
            trend_per_year: *d.trend_per_year.get_ref(),
            dispersion: (*d.noise.get_ref() == CountNoise::NegativeBinomial)
                .then(|| *d.dispersion.get_ref()),
            events,
            sku_pick,
            extra_lines: extra(
                "demand.mean_lines_per_order",
                *d.mean_lines_per_order.get_ref(),
            )?,
            max_lines: *d.max_lines_per_order.get_ref(),
            extra_units: extra(
                "demand.mean_units_per_line",
                *d.mean_units_per_line.get_ref(),
            )?,
            max_units: *d.max_units_per_line.get_ref(),
            channel_pick: weighted(
                "channels[].share",
                s.channels.iter().map(|c| *c.share.get_ref()),
            )?,
            region_pick: weighted(
                "customers[].share",
                s.customers.iter().map(|r| *r.share.get_ref()),
            )?,
            express_share: *d.express_share.get_ref(),
            expected_daily_units,
            recorded: None,
        };
        if s.is_recorded() {
            // The scenario's listed SKUs keep their ids; a generated catalog is not used.
            let catalog = if s.skus.is_empty() {
                Vec::new()
            } else {
                s.sku_codes()
            };
            let replay = Replay::new(s, load_log(s)?, &catalog)?;
            model.expected_daily_units = replay.expected_daily_units.clone();
            model.recorded = Some(replay);
        }
        Ok(model)
    }

    /// The calendar date of day `day`.
    pub fn date(&self, day: u32) -> NaiveDate {
        self.start + chrono::Days::new(day as u64)
    }

    /// Mean orders on `day` before noise: every-SKU orders, then one extra stream per SKU event.
    pub fn expected_orders(&self, day: u32) -> (f64, Vec<f64>) {
        if let Some(replay) = &self.recorded {
            return (replay.orders_on(day), vec![0.0; self.events.len()]);
        }
        let weekday = self.date(day).weekday().num_days_from_monday() as usize;
        let trend = (1.0 + self.trend_per_year * day as f64 / 365.0).max(0.0);
        let base = self.orders_per_day * self.day_of_week[weekday] * trend;
        let all: f64 = self
            .events
            .iter()
            .filter(|e| e.skus.is_none())
            .map(|e| e.factor(day as i64))
            .product();
        // A SKU event adds orders for its SKUs only; a multiplier below 1 there would need
        // demand to be taken away from other orders' lines, which this model does not do.
        let extra = self
            .events
            .iter()
            .map(|e| match &e.skus {
                Some((_, _, share)) => base * all * share * (e.factor(day as i64) - 1.0).max(0.0),
                None => 0.0,
            })
            .collect();
        (base * all, extra)
    }

    /// Events in the calendar (for [`DemandModel::known_uplifts`]'s learnt multipliers).
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// The events at full strength on `day` (the days an uplift is learnt from).
    pub fn events_in_full_on(&self, day: u32) -> impl Iterator<Item = usize> + '_ {
        self.events
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.strength(day as i64) >= 1.0)
            .map(|(i, _)| i)
    }

    /// Per SKU, the factor the calendar puts on `day`'s demand: what a forecast that knows the
    /// calendar multiplies its baseline by. `learnt[e]`, when given, replaces event e's
    /// multiplier (recorded demand, where the calendar names days but not their size).
    pub fn known_uplifts(&self, day: u32, learnt: Option<&[f64]>, out: &mut [f64]) {
        out.fill(1.0);
        for (e, event) in self.events.iter().enumerate() {
            let multiplier = learnt.map_or(event.multiplier, |l| l[e]);
            let factor = event.factor_with(multiplier, day as i64);
            if factor == 1.0 {
                continue;
            }
            match &event.skus {
                None => out.iter_mut().for_each(|u| *u *= factor),
                Some((_, skus, _)) => {
                    for &sku in skus {
                        out[sku as usize] *= factor;
                    }
                }
            }
        }
        // A factor of 0 (a closure) would make the deflated demand infinite; a tiny one is
        // the same for stock and keeps the arithmetic finite.
        out.iter_mut().for_each(|u| *u = u.max(0.01));
    }

    /// The overall demand multiplier on `day` (expected orders ÷ base rate) and the events active then.
    pub fn describe_day(&self, day: u32) -> (f64, String) {
        let (all, extra) = self.expected_orders(day);
        let multiplier = match &self.recorded {
            Some(replay) => replay.multiplier(day),
            None => (all + extra.iter().sum::<f64>()) / self.orders_per_day,
        };
        let names: Vec<&str> = self.events_on(day).collect();
        (multiplier, names.join("; "))
    }

    /// Whether an event raises demand on `day` (its ramps included): a peak day, whose orders the
    /// `peak_*` KPIs judge on their own.
    pub fn is_peak(&self, day: u32) -> bool {
        self.events
            .iter()
            .any(|e| e.factor(day as i64) > 1.0 + 1e-9)
    }

    /// The names of the events that move demand on `day`.
    pub fn events_on(&self, day: u32) -> impl Iterator<Item = &str> + '_ {
        self.events
            .iter()
            .filter(move |e| (e.factor(day as i64) - 1.0).abs() > 1e-9)
            .map(|e| e.name.as_str())
    }

    fn count(&self, mean: f64, rng: &mut StdRng) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        let lambda = match self.dispersion {
            // Gamma–Poisson mixture: variance mean + mean²/k.
            Some(k) => Gamma::new(k, mean / k)
                .expect("k > 0 and mean > 0")
                .sample(rng),
            None => mean,
        };
        if lambda <= 0.0 {
            return 0;
        }
        Poisson::new(lambda).expect("lambda > 0").sample(rng) as u64
    }

    /// Draws day `day`'s orders into `out` (cleared first), sorted by arrival time.
    pub fn draw_day(&self, day: u32, rng: &mut StdRng, out: &mut DayDemand) {
        if let Some(replay) = &self.recorded {
            return replay.draw_day(day, out);
        }
        out.orders.clear();
        out.lines.clear();
        let (all, extra) = self.expected_orders(day);
        let day_start_ms = day as u64 * 24 * MS_PER_HOUR;
        let stream = |count: u64,
                      skus: Option<&(WeightedIndex<f64>, Vec<u32>, f64)>,
                      rng: &mut StdRng,
                      out: &mut DayDemand| {
            for _ in 0..count {
                let at_ms = day_start_ms
                    + self.hour.sample(rng) as u64 * MS_PER_HOUR
                    + rng.random_range(0..MS_PER_HOUR);
                let lines = self
                    .extra_lines
                    .map_or(1, |p| (1 + p.sample(rng) as u32).min(self.max_lines));
                let first = out.lines.len() as u32;
                for _ in 0..lines {
                    let sku = match skus {
                        Some((pick, list, _)) => list[pick.sample(rng)],
                        None => self.sku_pick.sample(rng) as u32,
                    };
                    let units = self
                        .extra_units
                        .map_or(1, |p| (1 + p.sample(rng) as u32).min(self.max_units));
                    out.lines.push((sku, units));
                }
                let express = self.express_share > 0.0 && rng.random_bool(self.express_share);
                out.orders.push(DraftOrder {
                    at_ms,
                    channel: self.channel_pick.sample(rng) as u16,
                    region: self.region_pick.sample(rng) as u16,
                    express,
                    lines: first..out.lines.len() as u32,
                    recorded: None,
                });
            }
        };
        let regular = self.count(all, rng);
        stream(regular, None, rng, out);
        for (event, mean) in self.events.iter().zip(extra) {
            let count = self.count(mean, rng);
            stream(count, event.skus.as_ref(), rng, out);
        }
        // Stable: orders drawn at the same millisecond keep their draw order.
        out.orders.sort_by_key(|o| o.at_ms);
    }
}

/// The calendar's events: each one's days, multiplier and ramps, and the SKUs it touches (its
/// top SKUs by popularity, or those it lists, drawn by popularity within them).
fn calendar_events(
    s: &Scenario,
    weights: &[f64],
    total: f64,
    start: NaiveDate,
) -> Result<Vec<CalendarEvent>, DemandError> {
    let d = &s.demand;
    let codes = s.sku_codes();
    let index_of = |code: &str| codes.iter().position(|c| c == code).expect("validated") as u32;
    let mut events = Vec::new();
    for e in &d.events {
        let day = |v: &toml::Spanned<toml::value::Datetime>| {
            (to_date(v.get_ref()).expect("validated") - start).num_days()
        };
        let touched: Option<Vec<u32>> = if let Some(top) = &e.top_skus {
            let mut order: Vec<u32> = (0..weights.len() as u32).collect();
            order.sort_by(|a, b| {
                weights[*b as usize]
                    .total_cmp(&weights[*a as usize])
                    .then(a.cmp(b))
            });
            order.truncate(*top.get_ref() as usize);
            Some(order)
        } else if !e.skus.is_empty() {
            Some(e.skus.iter().map(|c| index_of(c.get_ref())).collect())
        } else {
            None
        };
        let skus = match touched {
            Some(list) => {
                let w: Vec<f64> = list.iter().map(|&k| weights[k as usize]).collect();
                let share = w.iter().sum::<f64>() / total;
                Some((weighted("event SKU weights", &w)?, list, share))
            }
            None => None,
        };
        events.push(CalendarEvent {
            name: e.name.clone(),
            first_day: day(&e.start),
            last_day: day(&e.end),
            multiplier: *e.multiplier.get_ref(),
            ramp_up_days: *e.ramp_up_days.get_ref() as i64,
            ramp_down_days: *e.ramp_down_days.get_ref() as i64,
            skus,
        });
    }
    Ok(events)
}

/// A weighted pick among `weights`, or why the weights (the scenario's `what`) make no
/// distribution (all zero, negative or not finite).
fn weighted<I>(what: &'static str, weights: I) -> Result<WeightedIndex<f64>, DemandError>
where
    I: IntoIterator,
    I::Item: rand::distr::uniform::SampleBorrow<f64>,
{
    WeightedIndex::new(weights).map_err(|cause| DemandError::Weights { what, cause })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_mean_matches_hand_computed_values() {
        assert_eq!(capped_mean(1.0, 5), 1.0);
        // 1 + Poisson(1) capped at 2: P(X=0)·1 + P(X≥1)·2 = e^-1 + 2(1 − e^-1).
        let e = (-1.0f64).exp();
        assert!((capped_mean(2.0, 2) - (e + 2.0 * (1.0 - e))).abs() < 1e-12);
        // A high cap leaves the mean alone.
        assert!((capped_mean(2.5, 60) - 2.5).abs() < 1e-9);
    }

    #[test]
    fn event_ramps_are_linear_and_full_inside() {
        let e = CalendarEvent {
            name: "bf".into(),
            first_day: 10,
            last_day: 11,
            multiplier: 5.0,
            ramp_up_days: 3,
            ramp_down_days: 1,
            skus: None,
        };
        let factors: Vec<f64> = (5..=14).map(|d| e.factor(d)).collect();
        // Days 7, 8, 9 ramp up by quarters of the +4; day 12 ramps down by half.
        assert_eq!(
            factors,
            vec![1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 3.0, 1.0, 1.0]
        );
    }
}
