//! How much a scenario may ask for. Each key has its range, and the products that decide memory
//! and time (SKUs × warehouses, the busiest day's orders, the horizon's order lines) have theirs,
//! checked from the file's numbers before anything is allocated. `scenarios/README.md` states
//! the limits with the memory they take.

use super::checker::Checker;
use super::codes::PolicyKind;
use super::spec::Scenario;

/// Most simulated days in one run.
pub const MAX_DAYS: u32 = 3_660;
/// Longest processing-time target, hours: the longest run's (a longer one is no target at all).
pub const MAX_PROCESSING_HOURS: f64 = MAX_DAYS as f64 * 24.0;
/// The last day a run may simulate: later dates have five-digit years, which the tables would
/// write as `+10000-01-01` and spreadsheets and data frames do not read as dates.
pub const LAST_DATE: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(date) => date,
    None => panic!("9999-12-31 is a date"),
};
/// Most orders per day on average (the base rate before weekday, trend and events).
pub const MAX_ORDERS_PER_DAY: f64 = 1_000_000.0;
/// Most orders expected on the busiest day: the base rate × the busiest weekday × the trend at
/// the horizon's end × every event's multiplier at full strength.
pub const MAX_PEAK_ORDERS_PER_DAY: f64 = 2_000_000.0;
/// Most order lines expected over the whole horizon.
pub const MAX_HORIZON_LINES: f64 = 2.0e9;
/// Smallest and largest relative weight (a share, a popularity, a weekday's or an hour's
/// weight): sums over the most entries stay finite, and a week's or a day's mean does not
/// underflow.
pub const MIN_WEIGHT: f64 = 1e-12;
/// See [`MIN_WEIGHT`].
pub const MAX_WEIGHT: f64 = 1e12;
/// The range of a relative weight.
pub const WEIGHTS: std::ops::RangeInclusive<f64> = MIN_WEIGHT..=MAX_WEIGHT;
/// Most SKUs in a catalog.
pub const MAX_SKUS: u32 = 2_000_000;
/// Most cells (SKUs × warehouses): the engine, the forecasts and the books keep state per cell.
pub const MAX_CELLS: u64 = 2_000_000;
/// Most forecasters over all cells: `auto` runs 9 a cell and a fitted family up to 12 (about
/// 5.4 GB at the limit with `holt_winters_fitted`), a single method 1.
pub const MAX_FORECASTERS: u64 = 12_000_000;
/// Most units per order line.
pub const MAX_UNITS_PER_LINE: u32 = 10_000;
/// Largest `warehouses[].stock_multiplier`.
pub const MAX_STOCK_MULTIPLIER: f64 = 100.0;
/// Largest `demand.trend_per_year` (+1000 % a year).
pub const MAX_TREND_PER_YEAR: f64 = 10.0;
/// Largest event multiplier.
pub const MAX_EVENT_MULTIPLIER: f64 = 1_000.0;
/// Smallest negative binomial dispersion (smaller ones draw days of thousands of times the mean).
pub const MIN_DISPERSION: f64 = 0.1;
/// Longest mean time to pay, minutes (30 days, the longest hold).
pub const MAX_MINUTES_TO_PAY: f64 = 43_200.0;
/// Longest supplier lead time and its standard deviation, days.
pub const MAX_LEAD_TIME_DAYS: f64 = 365.0;
/// Most days of cover in the initial stock.
pub const MAX_DAYS_OF_COVER: f64 = 3_650.0;
/// Highest unit price, cents: 100,000,000 in the currency's main unit. A run's amounts are
/// exact `u64` cents up to 1.8 × 10⁹ units at that price; past `u64::MAX` cents an amount
/// saturates ([`qm_money::Cents`] adds and multiplies saturating) rather than wrap.
pub const MAX_UNIT_PRICE_CENTS: u64 = 10_000_000_000;
/// Heaviest unit (10 tonnes), listed or drawn: a shipment's weight charge stays exact in cents
/// (64 lines × 10,000 units × 10 t × 100,000,000 cents a kg is below `u64::MAX`).
pub const MAX_UNIT_WEIGHT_GRAMS: u32 = 10_000_000;
/// Highest fee a scenario sets, cents (1,000,000 in the currency's main unit): a supplier
/// order's cost, a carrier band's base price and its price per kilogram.
pub const MAX_FEE_CENTS: u64 = 100_000_000;
/// Highest holding cost rate, a share of the price a year (1,000 %).
pub const MAX_HOLDING_COST_RATE_PER_YEAR: f64 = 10.0;
/// The largest scenario file read. A scenario is a few kilobytes, per-SKU tables of the largest
/// catalog a few megabytes; a larger input (a device such as /dev/zero, a stray file) is refused
/// before it fills memory.
pub const MAX_SCENARIO_BYTES: u64 = 64 << 20;
/// Longest review period of the `r_s` policy, days.
pub const MAX_REVIEW_PERIOD_DAYS: u32 = 90;

/// The numbers that decide a scenario's memory and time, from its file alone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// SKUs × warehouses.
    pub cells: u64,
    /// Expected orders on the busiest day (synthetic demand).
    pub peak_orders_per_day: f64,
    /// Expected order lines over the horizon (synthetic demand).
    pub horizon_lines: f64,
}

impl Scale {
    /// The scale of a scenario whose keys are each within their range.
    pub fn of(s: &Scenario) -> Scale {
        let skus = if s.skus.is_empty() {
            *s.catalog.skus.get_ref() as u64
        } else {
            s.skus.len() as u64
        };
        let d = &s.demand;
        let days = *s.horizon.days.get_ref() as f64;
        let week = d.day_of_week.get_ref();
        let week_mean = week.iter().sum::<f64>() / week.len().max(1) as f64;
        let busiest_weekday = week.iter().copied().fold(0.0, f64::max) / week_mean;
        // The trend is linear in the day: its largest factor is at one end of the horizon.
        let trend = (1.0 + *d.trend_per_year.get_ref() * (days - 1.0) / 365.0).max(1.0);
        let events: f64 = d
            .events
            .iter()
            .map(|e| e.multiplier.get_ref().max(1.0))
            .product();
        let base = *d.orders_per_day.get_ref();
        let peak = base * busiest_weekday * trend * events;
        // Every day at the trend's largest factor; event days add their share on top.
        let mean_lines = *d.mean_lines_per_order.get_ref();
        Scale {
            cells: skus * s.warehouses.len() as u64,
            peak_orders_per_day: peak,
            horizon_lines: (base * trend * days + peak * event_days(s)) * mean_lines,
        }
    }
}

/// Days inside an event's window, ramps included (at most the horizon's days), summed over the
/// events (an upper bound on the days whose orders an event raises).
fn event_days(s: &Scenario) -> f64 {
    let horizon_days = f64::from(*s.horizon.days.get_ref());
    s.demand
        .events
        .iter()
        .map(|e| {
            let window = match (
                super::spec::to_date(e.start.get_ref()),
                super::spec::to_date(e.end.get_ref()),
            ) {
                (Some(from), Some(to)) => (to - from).num_days().max(0) as f64 + 1.0,
                _ => 0.0,
            };
            let ramps =
                f64::from(*e.ramp_up_days.get_ref()) + f64::from(*e.ramp_down_days.get_ref());
            (window + ramps).min(horizon_days)
        })
        .sum()
}

impl Scenario {
    /// The forecasters every cell runs, over all cells, within [`MAX_FORECASTERS`].
    fn validate_forecasters(&self, c: &mut Checker, cells: u64) {
        if let Err(problem) = self.forecasters_within_limit(cells) {
            c.fail(
                self.replenishment.forecast.span(),
                "replenishment.forecast",
                &problem,
            );
        }
    }

    /// Why `cells` cells would run more forecasters than [`MAX_FORECASTERS`], if they would.
    fn forecasters_within_limit(&self, cells: u64) -> Result<(), String> {
        let forecast = self.replenishment.forecast.get_ref();
        let params = qm_engine::forecast::MethodParams::default();
        let Ok(method) = qm_engine::forecast::Method::from_name(forecast, &params) else {
            return Ok(()); // refused where the key is checked
        };
        let per_cell = method.forecasters() as u64;
        let forecasters = cells.saturating_mul(per_cell);
        if forecasters <= MAX_FORECASTERS {
            return Ok(());
        }
        Err(format!(
            "`{forecast}` runs {per_cell} forecasters a cell: {cells} cells × {per_cell} = \
             {forecasters}; at most {MAX_FORECASTERS} (fewer SKUs, or a method that runs one)"
        ))
    }

    /// Why a recorded history of `skus` SKUs (the catalog's and those only the history names)
    /// is too large for this scenario, if it is: its cells and their forecasters are bounded
    /// as a catalog's are, and are known only once the history is read.
    pub fn recorded_skus_within_limits(&self, skus: u64) -> Result<(), String> {
        let warehouses = self.warehouses.len() as u64;
        let cells = skus.saturating_mul(warehouses);
        if cells > MAX_CELLS {
            return Err(format!(
                "{skus} SKUs × {warehouses} warehouses = {cells} cells; at most {MAX_CELLS}"
            ));
        }
        self.forecasters_within_limit(cells)
    }

    /// What the keys ask for together (each key already in its range): cells, the busiest
    /// day, the horizon's lines and the opening stock, before anything is allocated.
    pub(super) fn validate_scale(&self, c: &mut Checker) {
        let scale = Scale::of(self);
        let skus = if self.skus.is_empty() {
            self.catalog.skus.span()
        } else {
            0..0
        };
        c.check(
            scale.cells <= MAX_CELLS,
            skus,
            "catalog.skus",
            &format!(
                "{} SKUs × {} warehouses = {} cells; at most {MAX_CELLS}",
                scale.cells / self.warehouses.len() as u64,
                self.warehouses.len(),
                scale.cells
            ),
        );
        self.validate_forecasters(c, scale.cells);
        if self.is_recorded() {
            return;
        }
        let rate = &self.demand.orders_per_day;
        c.check(
            scale.peak_orders_per_day <= MAX_PEAK_ORDERS_PER_DAY,
            rate.span(),
            "demand.orders_per_day",
            &format!(
                "the busiest day expects {:.0} orders (the rate × the busiest weekday × the trend × the events' multipliers); at most {MAX_PEAK_ORDERS_PER_DAY}",
                scale.peak_orders_per_day
            ),
        );
        c.check(
            scale.horizon_lines <= MAX_HORIZON_LINES,
            self.horizon.days.span(),
            "horizon.days",
            &format!(
                "the horizon expects {:.3e} order lines; at most {MAX_HORIZON_LINES:.0e}",
                scale.horizon_lines
            ),
        );
        // A SKU's share of the units is at most 1: the whole day's units for that long bound
        // every cell's opening stock.
        let d = &self.demand;
        let daily_units = scale.peak_orders_per_day
            * d.mean_lines_per_order.get_ref()
            * d.mean_units_per_line.get_ref();
        let most_multiplied = self
            .warehouses
            .iter()
            .map(|w| *w.stock_multiplier.get_ref())
            .fold(0.0, f64::max);
        let max_cell = qm_engine::constants::MAX_CELL_UNITS as f64;
        // The opening stock, and the level the `days` policy orders up to, in days of demand.
        let mut levels = vec![(
            &self.initial_stock.days_of_cover,
            "initial_stock.days_of_cover",
        )];
        if *self.replenishment.policy.get_ref() == PolicyKind::Days {
            let up_to = &self.replenishment.order_up_to_days;
            levels.push((up_to, "replenishment.order_up_to_days"));
        }
        for (days, key) in levels {
            c.check(
                daily_units * days.get_ref() * most_multiplied <= max_cell,
                days.span(),
                key,
                &format!(
                    "{} days of up to {daily_units:.0} units a day could put more than {max_cell} units in a cell",
                    days.get_ref()
                ),
            );
        }
    }
}
