//! Replaying a recorded order history: the log's orders become each day's arrivals, its
//! cancellations, returns and write-offs become engine calls at their recorded times.
//!
//! Recorded SKUs the scenario's catalog lacks are added to it (counted); recorded regions
//! map to customer regions and recorded channels to channels through the scenario's tables.

use std::ops::Range;

use chrono::{NaiveTime, TimeZone};
use qm_money::Cents;
use rustc_hash::{FxHashMap, FxHashSet};

use super::day::{DayDemand, DraftOrder};
use super::error::DemandError;
use super::import::import;
use super::log::{DemandLog, RecordedUndo, NONE};
use crate::scenario::{RecordedTime, Scenario};
use crate::time::MS_PER_DAY;

/// Lines per engine order: longer recorded orders are replayed as several orders.
pub const MAX_LINES_PER_PART: u32 = qm_engine::constants::MAX_LINES_PER_ORDER as u32;

/// Reads the scenario's recorded history: a demand log, or a CSV/Parquet file imported now.
pub fn load_log(s: &Scenario) -> Result<DemandLog, DemandError> {
    let spec = s
        .demand
        .recorded
        .as_ref()
        .ok_or(DemandError::NoRecordedTable)?
        .get_ref();
    let path = s.recorded_path().expect("recorded");
    if path.extension().is_some_and(|e| e == "qmd") {
        return Ok(DemandLog::read(&path)?);
    }
    let mapping = match (&spec.preset, &spec.columns) {
        (Some(preset), _) => preset.get_ref().mapping(),
        (None, Some(columns)) => columns.get_ref().clone(),
        (None, None) => unreachable!("validated"),
    };
    Ok(import(&path, &mapping, spec.strict)?.log)
}

/// A recorded history placed on the scenario's clock and catalog.
pub struct Replay {
    log: DemandLog,
    /// Simulated ms of each recorded order (`u64::MAX` = outside the horizon).
    order_ms: Vec<u64>,
    /// Orders by horizon day.
    day_orders: Vec<Range<u32>>,
    /// Recorded SKU → catalog index.
    sku_map: Vec<u32>,
    region_map: Vec<u16>,
    channel_map: Vec<u16>,
    default_region: u16,
    /// Recorded SKUs added to the catalog: (code, unit price, zero = unknown).
    pub additions: Vec<(String, Cents)>,
    /// Expected units a day per catalog SKU: the history's mean over the horizon.
    pub expected_daily_units: Vec<f64>,
    /// Recorded orders that have a cancellation or return later.
    pub undone_orders: FxHashSet<u32>,
    /// Recorded orders inside the horizon.
    pub orders_in_horizon: u64,
    /// Recorded orders outside it (skipped).
    pub orders_outside_horizon: u64,
    /// Orders per day on average (for the demand multiplier of each day).
    mean_orders_per_day: f64,
    clock: Clock,
}

/// Recorded time (UTC ms) to simulated time (ms since day 0).
struct Clock {
    /// Day 0's midnight as recorded time; `None` = compressed.
    start_ms: Option<i64>,
    first_ms: i64,
    last_ms: i64,
    horizon_ms: u64,
}

impl Clock {
    /// Simulated time of `at_ms`, or `None` outside the horizon.
    fn place(&self, at_ms: i64) -> Option<u64> {
        match self.start_ms {
            // Linear: the first order at 0, the last just before the horizon ends.
            None => {
                let span = (self.last_ms - self.first_ms + 1) as f64;
                let t = ((at_ms - self.first_ms) as f64 / span * self.horizon_ms as f64).max(0.0)
                    as u64;
                (t < self.horizon_ms).then_some(t)
            }
            Some(start_ms) => (at_ms >= start_ms && ((at_ms - start_ms) as u64) < self.horizon_ms)
                .then(|| (at_ms - start_ms) as u64),
        }
    }
}

impl Replay {
    /// Places `log` on `s`'s horizon; `catalog` holds the scenario's own SKU codes.
    pub fn new(s: &Scenario, log: DemandLog, catalog: &[String]) -> Result<Self, DemandError> {
        let spec = s.demand.recorded.as_ref().expect("recorded").get_ref();
        let days = *s.horizon.days.get_ref() as u64;
        let horizon_ms = days * MS_PER_DAY;
        // Day 0 starts at midnight of horizon.start_date in UTC: recorded times are UTC.
        let start = s.start_date().and_time(NaiveTime::MIN);
        let start_ms = chrono::Utc.from_utc_datetime(&start).timestamp_millis();
        let clock = Clock {
            start_ms: (*spec.time.get_ref() != RecordedTime::Compressed).then_some(start_ms),
            first_ms: log.orders.first().map_or(0, |o| o.at_ms),
            last_ms: log.orders.last().map_or(0, |o| o.at_ms),
            horizon_ms,
        };
        let order_ms: Vec<u64> = log
            .orders
            .iter()
            .map(|o| clock.place(o.at_ms).unwrap_or(u64::MAX))
            .collect();
        let day_orders = day_orders(&log, &order_ms, days, start_ms);
        let orders_in_horizon = order_ms.iter().filter(|&&ms| ms != u64::MAX).count() as u64;

        let index: FxHashMap<&str, u32> = catalog
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i as u32))
            .collect();
        let mut additions = Vec::new();
        let sku_map: Vec<u32> = log
            .skus
            .iter()
            .map(|k| match index.get(k.code.as_str()) {
                Some(&i) => i,
                None => {
                    additions.push((k.code.clone(), k.unit_price_cents));
                    (catalog.len() + additions.len() - 1) as u32
                }
            })
            .collect();
        let skus = (catalog.len() + additions.len()) as u64;
        s.recorded_skus_within_limits(skus)
            .map_err(|problem| DemandError::TooLarge {
                path: spec.path.get_ref().clone(),
                problem,
            })?;
        let region_of = |name: &str| {
            s.customers
                .iter()
                .position(|c| c.name == name)
                .expect("validated") as u16
        };
        let default_region = spec
            .default_region
            .as_ref()
            .map_or(0, |r| region_of(r.get_ref()));
        let region_map = log
            .regions
            .iter()
            .map(|r| {
                spec.regions
                    .get(r)
                    .map_or(default_region, |name| region_of(name.get_ref()))
            })
            .collect();
        let channel_map = log
            .channels
            .iter()
            .map(|c| {
                spec.channels.get(c).map_or(0, |code| {
                    s.channels
                        .iter()
                        .position(|x| x.code == *code.get_ref())
                        .expect("validated") as u16
                })
            })
            .collect();
        let mut units = vec![0.0; catalog.len() + additions.len()];
        for (o, &ms) in log.orders.iter().zip(&order_ms) {
            if ms == u64::MAX {
                continue;
            }
            for line in &log.lines[o.first_line as usize..(o.first_line + o.line_count) as usize] {
                units[sku_map[line.sku as usize] as usize] += line.units as f64;
            }
        }
        let expected_daily_units = units.iter().map(|u| u / days as f64).collect();
        let undone_orders = log.undos.iter().map(|u| u.order).collect();
        Ok(Replay {
            orders_outside_horizon: log.orders.len() as u64 - orders_in_horizon,
            mean_orders_per_day: orders_in_horizon as f64 / days as f64,
            clock,
            log,
            order_ms,
            day_orders,
            sku_map,
            region_map,
            channel_map,
            default_region,
            additions,
            expected_daily_units,
            undone_orders,
            orders_in_horizon,
        })
    }

    /// Recorded orders on `day` relative to the average day (1 = an average day).
    pub fn multiplier(&self, day: u32) -> f64 {
        let count = self.day_orders[day as usize].len() as f64;
        if self.mean_orders_per_day > 0.0 {
            count / self.mean_orders_per_day
        } else {
            0.0
        }
    }

    /// Orders recorded on `day`.
    pub fn orders_on(&self, day: u32) -> f64 {
        self.day_orders[day as usize].len() as f64
    }

    /// Fills `out` with day `day`'s recorded orders in time order; an order of more than
    /// [`MAX_LINES_PER_PART`] lines becomes several.
    pub fn draw_day(&self, day: u32, out: &mut DayDemand) {
        out.orders.clear();
        out.lines.clear();
        for index in self.day_orders[day as usize].clone() {
            let o = &self.log.orders[index as usize];
            let at_ms = self.order_ms[index as usize];
            let region = if o.region == NONE {
                self.default_region
            } else {
                self.region_map[o.region as usize]
            };
            let channel = if o.channel == NONE {
                0
            } else {
                self.channel_map[o.channel as usize]
            };
            let mut part_start = 0;
            while part_start < o.line_count {
                let part_end = (part_start + MAX_LINES_PER_PART).min(o.line_count);
                let first = out.lines.len() as u32;
                for line in &self.log.lines
                    [(o.first_line + part_start) as usize..(o.first_line + part_end) as usize]
                {
                    out.lines
                        .push((self.sku_map[line.sku as usize], line.units));
                }
                out.orders.push(DraftOrder {
                    at_ms,
                    channel,
                    region,
                    express: false,
                    lines: first..out.lines.len() as u32,
                    recorded: Some((index, part_start)),
                });
                part_start = part_end;
            }
        }
    }

    /// Cancellations and returns inside the horizon, at their simulated times (never
    /// before their order).
    pub fn undos(&self) -> impl Iterator<Item = (u64, RecordedUndo)> + '_ {
        self.log.undos.iter().filter_map(move |u| {
            let placed = self.order_ms[u.order as usize];
            if placed == u64::MAX {
                return None;
            }
            // Strictly after: at equal times queued events run before arrivals.
            Some((self.clock.place(u.at_ms)?.max(placed + 1), *u))
        })
    }

    /// Write-offs inside the horizon: (simulated ms, catalog SKU, units).
    pub fn write_offs(&self) -> impl Iterator<Item = (u64, u32, u32)> + '_ {
        self.log.write_offs.iter().filter_map(move |w| {
            Some((
                self.clock.place(w.at_ms)?,
                self.sku_map[w.sku as usize],
                w.units,
            ))
        })
    }

    /// How many engine orders recorded order `order` is replayed as.
    pub fn parts_of(&self, order: u32) -> u32 {
        self.log.orders[order as usize]
            .line_count
            .div_ceil(MAX_LINES_PER_PART)
    }

    /// The history's own figures: the import counts.
    pub fn log(&self) -> &DemandLog {
        &self.log
    }
}

/// Each day's orders, as a range of the log's (time-sorted) orders: those placed on the
/// horizon that day; orders before the horizon are skipped.
fn day_orders(
    log: &DemandLog,
    order_ms: &[u64],
    days: u64,
    start_ms: i64,
) -> Vec<std::ops::Range<u32>> {
    let mut day_orders = vec![0..0; days as usize];
    let mut next = 0u32;
    for (day, range) in day_orders.iter_mut().enumerate() {
        let end_ms = (day as u64 + 1) * MS_PER_DAY;
        // Orders are sorted by time: skip those before the horizon, take the day's.
        while (next as usize) < order_ms.len()
            && order_ms[next as usize] == u64::MAX
            && log.orders[next as usize].at_ms < start_ms
        {
            next += 1;
        }
        let first = next;
        while (next as usize) < order_ms.len() && order_ms[next as usize] < end_ms {
            next += 1;
        }
        *range = first..next;
    }
    day_orders
}
