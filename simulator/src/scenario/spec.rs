//! The scenario file's tables as typed values (serde, `deny_unknown_fields`). Values that need
//! checking are `toml::Spanned`, so a range or reference error can name its line and column.

use std::path::PathBuf;

use chrono::NaiveDate;
use qm_money::Cents;
use serde::Deserialize;
use toml::value::Datetime;
use toml::Spanned;

use super::codes::*;
use super::columns::ColumnMapping;

/// A scenario as written in its file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A short name, used for the output folder.
    pub name: String,
    /// Free text for people reading the file.
    #[serde(default)]
    pub description: String,
    /// Simulated period and seed.
    pub horizon: Horizon,
    /// A generated catalog (used when `skus` is empty).
    #[serde(default)]
    pub catalog: Catalog,
    /// SKUs listed one by one (instead of a generated catalog).
    #[serde(default)]
    pub skus: Vec<SkuSpec>,
    /// Warehouses, at least one.
    pub warehouses: Vec<WarehouseSpec>,
    /// Opening stock.
    #[serde(default)]
    pub initial_stock: InitialStock,
    /// Sales channels, at least one.
    pub channels: Vec<ChannelSpec>,
    /// Where customers are, with their share of demand.
    pub customers: Vec<Region>,
    /// How much is ordered, and when.
    pub demand: Demand,
    /// Cart holds and payment.
    #[serde(default)]
    pub carts: Carts,
    /// Carriers (warehouse capacity and cutoffs are on each warehouse).
    #[serde(default)]
    pub fulfillment: Fulfillment,
    /// Customer returns.
    #[serde(default)]
    pub returns: Returns,
    /// Pick errors and shrinkage.
    #[serde(default)]
    pub accuracy: Accuracy,
    /// Supplier reorders.
    #[serde(default)]
    pub replenishment: Replenishment,
    /// What the reports judge the headline KPIs against.
    #[serde(default)]
    pub targets: Targets,
    /// The folder of the scenario file: relative paths inside it start here.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// Whether runs compute the shipping-cost bound, and under which relaxation
    /// (`--cost-bound`; not a key of the file).
    #[serde(skip)]
    pub cost_bound: Option<crate::sim::cost_bound::Relaxation>,
}

/// Simulated period and seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Horizon {
    /// First simulated day (a TOML date, `2026-11-01`).
    #[serde(default = "default_start")]
    pub start_date: Spanned<Datetime>,
    /// Days simulated, 1..=[`MAX_DAYS`](super::limits::MAX_DAYS).
    pub days: Spanned<u32>,
    /// Seed of every random draw.
    pub seed: u64,
}

fn default_start() -> Spanned<Datetime> {
    Spanned::new(0..0, "2026-01-05".parse().expect("a valid date"))
}

/// A generated catalog.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Catalog {
    /// Number of SKUs.
    pub skus: Spanned<u32>,
    /// Zipf exponent of SKU popularity (0 = uniform).
    pub zipf_exponent: Spanned<f64>,
    /// Median weight of one unit, grams.
    pub unit_weight_grams: Spanned<u32>,
    /// Log-normal spread of unit weights (σ of the log; 0 = all equal).
    pub weight_sigma: Spanned<f64>,
    /// Median price of one unit.
    pub unit_price_cents: Spanned<Cents>,
    /// Log-normal spread of unit prices (σ of the log; 0 = all equal).
    pub price_sigma: Spanned<f64>,
    /// Cost of holding a unit for a year, as a share of its price.
    pub holding_cost_rate_per_year: Spanned<f64>,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog {
            skus: by_default(1_000),
            zipf_exponent: by_default(1.1),
            unit_weight_grams: by_default(500),
            weight_sigma: by_default(0.0),
            unit_price_cents: by_default(Cents::new(2_000)),
            price_sigma: by_default(0.0),
            holding_cost_rate_per_year: by_default(0.25),
        }
    }
}

/// One SKU listed explicitly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuSpec {
    /// Its code.
    pub code: String,
    /// Weight of one unit, grams.
    pub unit_weight_grams: Spanned<u32>,
    /// Price of one unit.
    pub unit_price_cents: Spanned<Cents>,
    /// Relative popularity (share of lines), > 0.
    #[serde(default = "one")]
    pub popularity: Spanned<f64>,
}

/// A key's default: the value a file that leaves the key out gets, with no place in the file
/// (span `0..0`). A table whose every key may be left out is `#[serde(default)]`, and its
/// `Default` lists the defaults in the keys' order.
fn by_default<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

fn zero_f64() -> Spanned<f64> {
    Spanned::new(0..0, 0.0)
}
fn zero_u32() -> Spanned<u32> {
    Spanned::new(0..0, 0)
}
fn one() -> Spanned<f64> {
    Spanned::new(0..0, 1.0)
}

/// A warehouse, with its pick/pack capacity and cutoff.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarehouseSpec {
    /// Its code.
    pub code: String,
    /// Latitude, degrees.
    pub latitude_deg: Spanned<f64>,
    /// Longitude, degrees.
    pub longitude_deg: Spanned<f64>,
    /// Order lines it can pick and pack a day.
    pub capacity_lines_per_day: Spanned<u32>,
    /// Hour of the day (0–23) by which a paid order must be in to ship that day.
    #[serde(default = "default_cutoff")]
    pub cutoff_hour: Spanned<u32>,
    /// Units it can store (reported against peak on hand; no limit when absent).
    #[serde(default)]
    pub storage_capacity_units: Option<Spanned<u64>>,
    /// Share of its shipments picked wrong (overrides `accuracy.pick_error_rate`).
    #[serde(default)]
    pub pick_error_rate: Option<Spanned<f64>>,
    /// Scales the stock it keeps: its opening days of cover, and its reorder levels (the reorder
    /// point and order-up-to days of the `days` policy; the safety stock of forecast policies).
    /// `qm size` searches it.
    #[serde(default = "one")]
    pub stock_multiplier: Spanned<f64>,
}

impl WarehouseSpec {
    /// Units it can store, if the scenario says.
    pub fn storage_units(&self) -> Option<u64> {
        self.storage_capacity_units.as_ref().map(|c| *c.get_ref())
    }
}

fn default_cutoff() -> Spanned<u32> {
    Spanned::new(0..0, 16)
}

/// Opening stock.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InitialStock {
    /// Days of expected demand each warehouse starts with (demand split evenly over warehouses).
    pub days_of_cover: Spanned<f64>,
    /// Explicit units for some cells, replacing the days-of-cover figure there.
    pub cells: Vec<StockCell>,
}

impl Default for InitialStock {
    fn default() -> Self {
        InitialStock {
            days_of_cover: by_default(14.0),
            cells: Vec::new(),
        }
    }
}

/// Explicit opening units of one (SKU, warehouse) cell.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockCell {
    /// SKU code.
    pub sku: Spanned<String>,
    /// Warehouse code.
    pub warehouse: Spanned<String>,
    /// Units on hand at the start.
    pub units: Spanned<i64>,
}

/// A sales channel.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSpec {
    /// Its code.
    pub code: String,
    /// Warehouses that serve it, in priority order (codes).
    pub warehouses: Vec<Spanned<String>>,
    /// Allocation strategy: nearest, lowest_cost, fewest_shipments, most_stock, priority.
    pub strategy: Spanned<qm_engine::StrategyKind>,
    /// single_warehouse, split_allowed or partial.
    #[serde(default = "default_split")]
    pub split: Spanned<SplitRule>,
    /// Units per cell this channel may not take.
    #[serde(default)]
    pub buffer_units: u32,
    /// Share of each cell's on hand this channel may not take, percent (instead of `buffer_units`).
    #[serde(default)]
    pub buffer_percent: Option<Spanned<f64>>,
    /// Skip warehouses whose pick/pack capacity for the day is used up.
    #[serde(default)]
    pub capacity_aware: bool,
    /// Share of orders placed on this channel.
    pub share: Spanned<f64>,
    /// Minutes between refreshes of the stock figure customers see (0 = live).
    #[serde(default = "zero_u32")]
    pub view_refresh_minutes: Spanned<u32>,
    /// What happens to an order the channel accepted and the engine cannot fill: cancel or backorder.
    #[serde(default = "default_oversold")]
    pub oversold: Spanned<Oversold>,
}

fn default_split() -> Spanned<SplitRule> {
    Spanned::new(0..0, SplitRule::SplitAllowed)
}
fn default_oversold() -> Spanned<Oversold> {
    Spanned::new(0..0, Oversold::Cancel)
}

/// A customer region.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Its name.
    pub name: String,
    /// Latitude, degrees.
    pub latitude_deg: Spanned<f64>,
    /// Longitude, degrees.
    pub longitude_deg: Spanned<f64>,
    /// Share of demand.
    pub share: Spanned<f64>,
}

/// Demand: how many orders, their baskets, and their calendar.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Demand {
    /// `synthetic` (drawn from this section) or `recorded` (replayed from `[demand.recorded]`).
    pub source: Spanned<DemandSource>,
    /// The recorded history to replay when `source = "recorded"`.
    pub recorded: Option<Spanned<RecordedSpec>>,
    /// Mean orders a day before profiles, trend and events (synthetic demand only).
    pub orders_per_day: Spanned<f64>,
    /// Mean lines per order (1 + Poisson), capped by `max_lines_per_order`.
    pub mean_lines_per_order: Spanned<f64>,
    /// Most lines in one order.
    pub max_lines_per_order: Spanned<u32>,
    /// Mean units per line (1 + Poisson), capped by `max_units_per_line`.
    pub mean_units_per_line: Spanned<f64>,
    /// Most units in one line.
    pub max_units_per_line: Spanned<u32>,
    /// Seven relative weights, Monday first (scaled to average 1).
    pub day_of_week: Spanned<Vec<f64>>,
    /// Twenty-four relative weights, midnight first: when in the day orders arrive.
    pub intraday: Spanned<Vec<f64>>,
    /// Growth of the order rate per year (0.1 = +10 % a year, linear).
    pub trend_per_year: Spanned<f64>,
    /// Day-to-day noise of the order count: poisson or negative_binomial.
    pub noise: Spanned<CountNoise>,
    /// Negative binomial dispersion k: variance = mean + mean²/k.
    pub dispersion: Spanned<f64>,
    /// Share of orders with express service.
    pub express_share: Spanned<f64>,
    /// Transit days express orders are promised.
    pub express_transit_days: Spanned<u32>,
    /// Holidays and promotions.
    pub events: Vec<EventSpec>,
}

impl Default for Demand {
    fn default() -> Self {
        Demand {
            source: by_default(DemandSource::Synthetic),
            recorded: None,
            orders_per_day: by_default(0.0),
            mean_lines_per_order: by_default(1.8),
            max_lines_per_order: by_default(5),
            mean_units_per_line: by_default(1.3),
            max_units_per_line: by_default(4),
            day_of_week: by_default(vec![1.0; 7]),
            intraday: by_default(vec![1.0; 24]),
            trend_per_year: by_default(0.0),
            noise: by_default(CountNoise::Poisson),
            dispersion: by_default(20.0),
            express_share: by_default(0.0),
            express_transit_days: by_default(1),
            events: Vec::new(),
        }
    }
}

/// A recorded order history to replay.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedSpec {
    /// A demand log written by `qm import`, or a CSV / CSV.gz / Parquet file imported on the
    /// fly; relative to the scenario file.
    pub path: Spanned<String>,
    /// The column layout of a CSV or Parquet file: a built-in preset…
    #[serde(default)]
    pub preset: Option<Spanned<Preset>>,
    /// …or the columns named one by one.
    #[serde(default)]
    pub columns: Option<Spanned<ColumnMapping>>,
    /// `as_recorded` (day 0 is `horizon.start_date`; orders outside the horizon are counted
    /// and skipped) or `compressed` (the whole history squeezed into the horizon).
    #[serde(default = "default_time")]
    pub time: Spanned<RecordedTime>,
    /// Recorded region or country → customer region name.
    #[serde(default)]
    pub regions: std::collections::BTreeMap<String, Spanned<String>>,
    /// The customer region of orders whose region is missing or not in `regions`
    /// (default: the first `[[customers]]`).
    #[serde(default)]
    pub default_region: Option<Spanned<String>>,
    /// Recorded channel → channel code; unmapped or missing go to the first channel.
    #[serde(default)]
    pub channels: std::collections::BTreeMap<String, Spanned<String>>,
    /// Stop at the first row that does not parse instead of skipping and counting it.
    #[serde(default)]
    pub strict: bool,
}

fn default_time() -> Spanned<RecordedTime> {
    Spanned::new(0..0, RecordedTime::AsRecorded)
}

impl Scenario {
    /// One value per warehouse, in the file's order.
    pub fn per_warehouse<T>(&self, value: impl FnMut(&WarehouseSpec) -> T) -> Vec<T> {
        self.warehouses.iter().map(value).collect()
    }

    /// One value per sales channel, in the file's order.
    pub fn per_channel<T>(&self, value: impl FnMut(&ChannelSpec) -> T) -> Vec<T> {
        self.channels.iter().map(value).collect()
    }

    /// Whether demand is replayed from a recorded history.
    pub fn is_recorded(&self) -> bool {
        *self.demand.source.get_ref() == DemandSource::Recorded
    }

    /// The recorded history's file, resolved against the scenario's folder.
    pub fn recorded_path(&self) -> Option<PathBuf> {
        let spec = self.demand.recorded.as_ref()?;
        Some(self.base_dir.join(spec.get_ref().path.get_ref()))
    }
}

/// A holiday or promotion: demand × `multiplier` from `start` to `end` (inclusive), ramping
/// linearly over `ramp_up_days` before and `ramp_down_days` after.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// Its name (shown in reports).
    pub name: String,
    /// First day at full strength.
    pub start: Spanned<Datetime>,
    /// Last day at full strength.
    pub end: Spanned<Datetime>,
    /// Demand multiplier at full strength (> 0; below 1 is a lull).
    pub multiplier: Spanned<f64>,
    /// Days of linear ramp before `start`.
    #[serde(default = "zero_u32")]
    pub ramp_up_days: Spanned<u32>,
    /// Days of linear ramp after `end`.
    #[serde(default = "zero_u32")]
    pub ramp_down_days: Spanned<u32>,
    /// SKU codes the event touches (all SKUs when neither this nor `top_skus` is set).
    #[serde(default)]
    pub skus: Vec<Spanned<String>>,
    /// Touch the N most popular SKUs.
    #[serde(default)]
    pub top_skus: Option<Spanned<u32>>,
}

/// Cart holds and payment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Carts {
    /// How long a cart holds stock, minutes.
    pub hold_ttl_minutes: Spanned<u32>,
    /// Share of carts never paid (their holds expire).
    pub abandonment_rate: Spanned<f64>,
    /// Mean minutes from cart to payment (exponential: some pay after their hold expired).
    pub minutes_to_pay: Spanned<f64>,
    /// Share of payments that fail (the hold is released).
    pub payment_failure_rate: Spanned<f64>,
}

impl Default for Carts {
    fn default() -> Self {
        Carts {
            hold_ttl_minutes: by_default(30),
            abandonment_rate: by_default(0.0),
            minutes_to_pay: by_default(5.0),
            payment_failure_rate: by_default(0.0),
        }
    }
}

/// Carriers.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Fulfillment {
    /// Carriers with their rate cards (a default ground carrier when empty).
    #[serde(default)]
    pub carriers: Vec<CarrierSpec>,
}

/// A carrier and its rate card.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarrierSpec {
    /// Its code.
    pub code: String,
    /// Distance bands, shortest first.
    pub bands: Vec<BandSpec>,
}

/// One distance band of a rate card.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandSpec {
    /// Upper end of the band, km.
    pub max_distance_km: Spanned<f64>,
    /// Price per shipment.
    pub base_cents: Spanned<Cents>,
    /// Price per kg.
    pub per_kg_cents: Spanned<Cents>,
    /// Days in transit.
    pub transit_days: Spanned<u32>,
}

/// Targets for the headline KPIs: the reports show each KPI in green when it meets its target,
/// red when it misses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Targets {
    /// Least `order_accuracy`, a share.
    pub order_accuracy: Spanned<f64>,
    /// Least `order_fulfillment_rate`, a share.
    pub order_fulfillment_rate: Spanned<f64>,
    /// Most `processing_time_hours_p50`, hours.
    pub processing_time_hours_p50: Spanned<f64>,
    /// Most `processing_time_hours_p95`, hours.
    pub processing_time_hours_p95: Spanned<f64>,
    /// Least `demand_fill_rate`, a share.
    pub demand_fill_rate: Spanned<f64>,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            order_accuracy: by_default(0.99),
            order_fulfillment_rate: by_default(0.98),
            processing_time_hours_p50: by_default(24.0),
            processing_time_hours_p95: by_default(48.0),
            demand_fill_rate: by_default(0.95),
        }
    }
}

/// Customer returns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Returns {
    /// Share of delivered lines sent back.
    pub rate: Spanned<f64>,
    /// Fewest days from delivery to the return arriving.
    pub delay_days_min: Spanned<u32>,
    /// Most days from delivery to the return arriving (uniform in between).
    pub delay_days_max: Spanned<u32>,
    /// Share of returned units put back on the shelf (the rest is scrapped).
    pub restockable_share: Spanned<f64>,
}

impl Default for Returns {
    fn default() -> Self {
        Returns {
            rate: by_default(0.0),
            delay_days_min: by_default(3),
            delay_days_max: by_default(14),
            restockable_share: by_default(0.8),
        }
    }
}

/// Pick errors and shrinkage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Accuracy {
    /// Share of shipments picked wrong, every warehouse (see `warehouses[].pick_error_rate`).
    pub pick_error_rate: Spanned<f64>,
    /// Chance per shelf unit per day that it vanishes (theft, damage, misplacement).
    pub shrinkage_rate_per_day: Spanned<f64>,
    /// Every cell is counted once every this many days (0 = no cycle counts).
    pub cycle_count_days: Spanned<u32>,
}

impl Default for Accuracy {
    fn default() -> Self {
        Accuracy {
            pick_error_rate: by_default(0.0),
            shrinkage_rate_per_day: by_default(0.0),
            cycle_count_days: by_default(0),
        }
    }
}

/// Supplier reorders: a fixed reorder point and order-up-to level per cell, in days of expected demand.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Replenishment {
    /// Reorder when free units fall below this many days of demand.
    pub reorder_point_days: Spanned<f64>,
    /// Order up to this many days of demand.
    pub order_up_to_days: Spanned<f64>,
    /// Suppliers (one default supplier with a 3-day lead time when empty).
    pub suppliers: Vec<SupplierSpec>,
    /// Fixed reorder point and order quantity for named SKUs, in units, per warehouse.
    pub skus: Vec<SkuPolicy>,
    /// `days` (the reorder point and order-up-to level above, in days of expected demand), or a
    /// forecast-driven policy: `s_q` (continuous review, order Q), `s_s` (continuous review,
    /// order up to S = s + Q), `r_s` (every `review_period_days`, order up to S).
    pub policy: Spanned<PolicyKind>,
    /// Forecast method of every SKU × warehouse series (`qm forecast` lists them), or `auto`.
    pub forecast: Spanned<String>,
    /// Safety stock: `normal` (z from service_level), `fill_rate` (for fill_rate) or
    /// `empirical` (service_level quantile of past lead-time forecast errors).
    pub safety_stock: Spanned<SafetyStockMethod>,
    /// Target cycle service level (normal, empirical).
    pub service_level: Spanned<f64>,
    /// Target fill rate (safety_stock = "fill_rate").
    pub fill_rate: Spanned<f64>,
    /// Order quantity of s_q and s_s: `eoq` or `fixed`.
    pub order_quantity: Spanned<OrderQuantity>,
    /// Units per supplier order when order_quantity = "fixed".
    pub fixed_order_units: Spanned<u32>,
    /// Cost of one supplier order (the K of the EOQ).
    pub order_cost_cents: Spanned<Cents>,
    /// Review period of r_s, days.
    pub review_period_days: Spanned<u32>,
    /// Days the forecasts learn before calibration (achieved service level, fill rate) counts.
    pub warmup_days: Spanned<u32>,
    /// Forecasts know the events calendar: demand on event days is deflated by the event's
    /// multiplier and forecasts for them inflated. With recorded demand the multipliers are
    /// learnt from past occurrences.
    pub known_events: bool,
}

impl Default for Replenishment {
    fn default() -> Self {
        Replenishment {
            reorder_point_days: by_default(5.0),
            order_up_to_days: by_default(14.0),
            suppliers: Vec::new(),
            skus: Vec::new(),
            policy: by_default(PolicyKind::Days),
            forecast: by_default("ses".into()),
            safety_stock: by_default(SafetyStockMethod::Normal),
            service_level: by_default(0.95),
            fill_rate: by_default(0.98),
            order_quantity: by_default(OrderQuantity::Eoq),
            fixed_order_units: by_default(100),
            order_cost_cents: by_default(Cents::new(5_000)),
            review_period_days: by_default(7),
            warmup_days: by_default(28),
            known_events: true,
        }
    }
}

/// A fixed (reorder point, order quantity) policy for one SKU, applied at every warehouse.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuPolicy {
    /// SKU code.
    pub sku: Spanned<String>,
    /// Reorder when a cell's free units fall below this.
    pub reorder_point_units: u32,
    /// Units ordered each time.
    pub order_quantity_units: Spanned<u32>,
}

/// A supplier: its share of the catalog and its lead time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplierSpec {
    /// Its code.
    pub code: String,
    /// Share of SKUs it supplies.
    #[serde(default = "one")]
    pub share: Spanned<f64>,
    /// Mean lead time, days.
    pub lead_time_days: Spanned<f64>,
    /// Standard deviation of the lead time, days (normal, at least half a day).
    #[serde(default = "zero_f64")]
    pub lead_time_std_days: Spanned<f64>,
}

/// A TOML date as a calendar date, if it is a plain date.
pub fn to_date(value: &Datetime) -> Option<NaiveDate> {
    match (value.date, value.time, value.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32)
        }
        _ => None,
    }
}
/// The code of generated SKU number `n` (from 1).
pub fn sku_code(n: u32) -> String {
    format!("SKU{n:05}")
}

pub(super) fn parse_sku_code(code: &str) -> Option<u32> {
    code.strip_prefix("SKU")
        .filter(|digits| digits.len() >= 5)
        .and_then(|digits| digits.parse().ok())
}
