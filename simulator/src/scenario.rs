//! Scenario files (TOML): the business to simulate. Unknown keys are errors;
//! every error names the file, the line and column where known, and what is expected.
//! `scenarios/README.md` documents every key with its unit and default.

use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use toml::value::Datetime;
use toml::Spanned;

/// Most simulated days in one run.
pub const MAX_DAYS: u32 = 3_660;
/// Most orders per day on average.
pub const MAX_ORDERS_PER_DAY: f64 = 10_000_000.0;
/// Most SKUs in a catalog (the engine's cells are SKUs × warehouses).
pub const MAX_SKUS: u32 = 2_000_000;
/// Most units per order line.
pub const MAX_UNITS_PER_LINE: u32 = 10_000;
/// Largest `warehouses[].stock_multiplier`.
pub const MAX_STOCK_MULTIPLIER: f64 = 100.0;

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
}

/// Simulated period and seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Horizon {
    /// First simulated day (a TOML date, `2026-11-01`).
    #[serde(default = "default_start")]
    pub start_date: Spanned<Datetime>,
    /// Days simulated, 1..=[`MAX_DAYS`].
    pub days: Spanned<u32>,
    /// Seed of every random draw.
    pub seed: u64,
}

fn default_start() -> Spanned<Datetime> {
    Spanned::new(0..0, "2026-01-05".parse().expect("a valid date"))
}

/// A generated catalog.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Number of SKUs.
    #[serde(default = "default_skus")]
    pub skus: Spanned<u32>,
    /// Zipf exponent of SKU popularity (0 = uniform).
    #[serde(default = "default_zipf")]
    pub zipf_exponent: Spanned<f64>,
    /// Median weight of one unit, grams.
    #[serde(default = "default_weight")]
    pub unit_weight_grams: Spanned<u32>,
    /// Log-normal spread of unit weights (σ of the log; 0 = all equal).
    #[serde(default = "zero_f64")]
    pub weight_sigma: Spanned<f64>,
    /// Median price of one unit, cents.
    #[serde(default = "default_price")]
    pub unit_price_cents: Spanned<u64>,
    /// Log-normal spread of unit prices (σ of the log; 0 = all equal).
    #[serde(default = "zero_f64")]
    pub price_sigma: Spanned<f64>,
    /// Cost of holding a unit for a year, as a share of its price.
    #[serde(default = "default_holding")]
    pub holding_cost_rate_per_year: Spanned<f64>,
}

impl Default for Catalog {
    fn default() -> Self {
        from_defaults()
    }
}

fn default_skus() -> Spanned<u32> {
    Spanned::new(0..0, 1_000)
}
fn default_zipf() -> Spanned<f64> {
    Spanned::new(0..0, 1.1)
}
fn default_weight() -> Spanned<u32> {
    Spanned::new(0..0, 500)
}
fn default_price() -> Spanned<u64> {
    Spanned::new(0..0, 2_000)
}
fn default_holding() -> Spanned<f64> {
    Spanned::new(0..0, 0.25)
}

/// One SKU listed explicitly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuSpec {
    /// Its code.
    pub code: String,
    /// Weight of one unit, grams.
    pub unit_weight_grams: u32,
    /// Price of one unit, cents.
    pub unit_price_cents: u64,
    /// Relative popularity (share of lines), > 0.
    #[serde(default = "one")]
    pub popularity: Spanned<f64>,
}

/// A section left out of the file: every key takes its `#[serde(default = …)]`, so the
/// defaults are written once, on the fields.
fn from_defaults<T: serde::de::DeserializeOwned>() -> T {
    toml::from_str("").expect("every key of an optional section has a default")
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
    pub storage_capacity_units: Option<u64>,
    /// Share of its shipments picked wrong (overrides `accuracy.pick_error_rate`).
    #[serde(default)]
    pub pick_error_rate: Option<Spanned<f64>>,
    /// Scales the stock it keeps: its opening days of cover, and its reorder levels (the reorder
    /// point and order-up-to days of the `days` policy; the safety stock of forecast policies).
    /// `qm size` searches it.
    #[serde(default = "one")]
    pub stock_multiplier: Spanned<f64>,
}

fn default_cutoff() -> Spanned<u32> {
    Spanned::new(0..0, 16)
}

/// Opening stock.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitialStock {
    /// Days of expected demand each warehouse starts with (demand split evenly over warehouses).
    #[serde(default = "default_cover")]
    pub days_of_cover: Spanned<f64>,
    /// Explicit units for some cells, replacing the days-of-cover figure there.
    #[serde(default)]
    pub cells: Vec<StockCell>,
}

fn default_cover() -> Spanned<f64> {
    Spanned::new(0..0, 14.0)
}

impl Default for InitialStock {
    fn default() -> Self {
        from_defaults()
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
    pub strategy: Spanned<String>,
    /// single_warehouse, split_allowed or partial.
    #[serde(default = "default_split")]
    pub split: Spanned<String>,
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
    pub oversold: Spanned<String>,
}

fn default_split() -> Spanned<String> {
    Spanned::new(0..0, "split_allowed".into())
}
fn default_oversold() -> Spanned<String> {
    Spanned::new(0..0, "cancel".into())
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
#[serde(deny_unknown_fields)]
pub struct Demand {
    /// `synthetic` (drawn from this section) or `recorded` (replayed from `[demand.recorded]`).
    #[serde(default = "default_source")]
    pub source: Spanned<String>,
    /// The recorded history to replay when `source = "recorded"`.
    #[serde(default)]
    pub recorded: Option<Spanned<RecordedSpec>>,
    /// Mean orders a day before profiles, trend and events (synthetic demand only).
    #[serde(default = "zero_f64")]
    pub orders_per_day: Spanned<f64>,
    /// Mean lines per order (1 + Poisson), capped by `max_lines_per_order`.
    #[serde(default = "default_mean_lines")]
    pub mean_lines_per_order: Spanned<f64>,
    /// Most lines in one order.
    #[serde(default = "default_lines")]
    pub max_lines_per_order: Spanned<u32>,
    /// Mean units per line (1 + Poisson), capped by `max_units_per_line`.
    #[serde(default = "default_mean_units")]
    pub mean_units_per_line: Spanned<f64>,
    /// Most units in one line.
    #[serde(default = "default_units")]
    pub max_units_per_line: Spanned<u32>,
    /// Seven relative weights, Monday first (scaled to average 1).
    #[serde(default = "flat_week")]
    pub day_of_week: Spanned<Vec<f64>>,
    /// Twenty-four relative weights, midnight first: when in the day orders arrive.
    #[serde(default = "flat_day")]
    pub intraday: Spanned<Vec<f64>>,
    /// Growth of the order rate per year (0.1 = +10 % a year, linear).
    #[serde(default = "zero_f64")]
    pub trend_per_year: Spanned<f64>,
    /// Day-to-day noise of the order count: poisson or negative_binomial.
    #[serde(default = "default_noise")]
    pub noise: Spanned<String>,
    /// Negative binomial dispersion k: variance = mean + mean²/k.
    #[serde(default = "default_dispersion")]
    pub dispersion: Spanned<f64>,
    /// Share of orders with express service.
    #[serde(default = "zero_f64")]
    pub express_share: Spanned<f64>,
    /// Transit days express orders are promised.
    #[serde(default = "default_express_days")]
    pub express_transit_days: Spanned<u32>,
    /// Holidays and promotions.
    #[serde(default)]
    pub events: Vec<EventSpec>,
}

fn default_source() -> Spanned<String> {
    Spanned::new(0..0, "synthetic".into())
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
    pub preset: Option<Spanned<String>>,
    /// …or the columns named one by one.
    #[serde(default)]
    pub columns: Option<Spanned<crate::import::ColumnMapping>>,
    /// `as_recorded` (day 0 is `horizon.start_date`; orders outside the horizon are counted
    /// and skipped) or `compressed` (the whole history squeezed into the horizon).
    #[serde(default = "default_time")]
    pub time: Spanned<String>,
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

fn default_time() -> Spanned<String> {
    Spanned::new(0..0, "as_recorded".into())
}

impl Scenario {
    /// Whether demand is replayed from a recorded history.
    pub fn is_recorded(&self) -> bool {
        self.demand.source.get_ref() == "recorded"
    }

    /// The recorded history's file, resolved against the scenario's folder.
    pub fn recorded_path(&self) -> Option<PathBuf> {
        let spec = self.demand.recorded.as_ref()?;
        Some(self.base_dir.join(spec.get_ref().path.get_ref()))
    }
}

fn default_mean_lines() -> Spanned<f64> {
    Spanned::new(0..0, 1.8)
}
fn default_lines() -> Spanned<u32> {
    Spanned::new(0..0, 5)
}
fn default_mean_units() -> Spanned<f64> {
    Spanned::new(0..0, 1.3)
}
fn default_units() -> Spanned<u32> {
    Spanned::new(0..0, 4)
}
fn flat_week() -> Spanned<Vec<f64>> {
    Spanned::new(0..0, vec![1.0; 7])
}
fn flat_day() -> Spanned<Vec<f64>> {
    Spanned::new(0..0, vec![1.0; 24])
}
fn default_noise() -> Spanned<String> {
    Spanned::new(0..0, "poisson".into())
}
fn default_dispersion() -> Spanned<f64> {
    Spanned::new(0..0, 20.0)
}
fn default_express_days() -> Spanned<u32> {
    Spanned::new(0..0, 1)
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
#[serde(deny_unknown_fields)]
pub struct Carts {
    /// How long a cart holds stock, minutes.
    #[serde(default = "default_ttl")]
    pub hold_ttl_minutes: Spanned<u32>,
    /// Share of carts never paid (their holds expire).
    #[serde(default = "zero_f64")]
    pub abandonment_rate: Spanned<f64>,
    /// Mean minutes from cart to payment (exponential: some pay after their hold expired).
    #[serde(default = "default_pay")]
    pub minutes_to_pay: Spanned<f64>,
    /// Share of payments that fail (the hold is released).
    #[serde(default = "zero_f64")]
    pub payment_failure_rate: Spanned<f64>,
}

fn default_ttl() -> Spanned<u32> {
    Spanned::new(0..0, 30)
}
fn default_pay() -> Spanned<f64> {
    Spanned::new(0..0, 5.0)
}

impl Default for Carts {
    fn default() -> Self {
        from_defaults()
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
    /// Price per shipment, cents.
    pub base_cents: u64,
    /// Price per kg, cents.
    pub per_kg_cents: u64,
    /// Days in transit.
    pub transit_days: Spanned<u32>,
}

/// Targets for the headline KPIs: the reports show each KPI in green when it meets its target,
/// red when it misses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Least `order_accuracy`, a share.
    #[serde(default = "default_target_accuracy")]
    pub order_accuracy: Spanned<f64>,
    /// Least `order_fulfillment_rate`, a share.
    #[serde(default = "default_target_fulfillment")]
    pub order_fulfillment_rate: Spanned<f64>,
    /// Most `processing_time_hours_p50`, hours.
    #[serde(default = "default_target_p50")]
    pub processing_time_hours_p50: Spanned<f64>,
    /// Most `processing_time_hours_p95`, hours.
    #[serde(default = "default_target_p95")]
    pub processing_time_hours_p95: Spanned<f64>,
    /// Least `demand_fill_rate`, a share.
    #[serde(default = "default_target_demand_fill_rate")]
    pub demand_fill_rate: Spanned<f64>,
}

fn default_target_demand_fill_rate() -> Spanned<f64> {
    Spanned::new(0..0, 0.95)
}

fn default_target_accuracy() -> Spanned<f64> {
    Spanned::new(0..0, 0.99)
}
fn default_target_fulfillment() -> Spanned<f64> {
    Spanned::new(0..0, 0.98)
}
fn default_target_p50() -> Spanned<f64> {
    Spanned::new(0..0, 24.0)
}
fn default_target_p95() -> Spanned<f64> {
    Spanned::new(0..0, 48.0)
}

impl Default for Targets {
    fn default() -> Self {
        from_defaults()
    }
}

/// Customer returns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Returns {
    /// Share of delivered lines sent back.
    #[serde(default = "zero_f64")]
    pub rate: Spanned<f64>,
    /// Fewest days from delivery to the return arriving.
    #[serde(default = "default_return_min")]
    pub delay_days_min: Spanned<u32>,
    /// Most days from delivery to the return arriving (uniform in between).
    #[serde(default = "default_return_max")]
    pub delay_days_max: Spanned<u32>,
    /// Share of returned units put back on the shelf (the rest is scrapped).
    #[serde(default = "default_restockable")]
    pub restockable_share: Spanned<f64>,
}

fn default_return_min() -> Spanned<u32> {
    Spanned::new(0..0, 3)
}
fn default_return_max() -> Spanned<u32> {
    Spanned::new(0..0, 14)
}
fn default_restockable() -> Spanned<f64> {
    Spanned::new(0..0, 0.8)
}

impl Default for Returns {
    fn default() -> Self {
        from_defaults()
    }
}

/// Pick errors and shrinkage.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accuracy {
    /// Share of shipments picked wrong, every warehouse (see `warehouses[].pick_error_rate`).
    #[serde(default = "zero_f64")]
    pub pick_error_rate: Spanned<f64>,
    /// Chance per shelf unit per day that it vanishes (theft, damage, misplacement).
    #[serde(default = "zero_f64")]
    pub shrinkage_rate_per_day: Spanned<f64>,
    /// Every cell is counted once every this many days (0 = no cycle counts).
    #[serde(default = "zero_u32")]
    pub cycle_count_days: Spanned<u32>,
}

impl Default for Accuracy {
    fn default() -> Self {
        from_defaults()
    }
}

/// Supplier reorders: a fixed reorder point and order-up-to level per cell, in days of expected demand.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replenishment {
    /// Reorder when free units fall below this many days of demand.
    #[serde(default = "default_rop")]
    pub reorder_point_days: Spanned<f64>,
    /// Order up to this many days of demand.
    #[serde(default = "default_up_to")]
    pub order_up_to_days: Spanned<f64>,
    /// Suppliers (one default supplier with a 3-day lead time when empty).
    #[serde(default)]
    pub suppliers: Vec<SupplierSpec>,
    /// Fixed reorder point and order quantity for named SKUs, in units, per warehouse.
    #[serde(default)]
    pub skus: Vec<SkuPolicy>,
    /// `days` (the reorder point and order-up-to level above, in days of expected demand), or a
    /// forecast-driven policy: `s_q` (continuous review, order Q), `s_s` (continuous review,
    /// order up to S = s + Q), `r_s` (every `review_period_days`, order up to S).
    #[serde(default = "default_policy")]
    pub policy: Spanned<String>,
    /// Forecast method of every SKU × warehouse series (`qm forecast` lists them), or `auto`.
    #[serde(default = "default_forecast")]
    pub forecast: Spanned<String>,
    /// Safety stock: `normal` (z from service_level), `fill_rate` (for fill_rate) or
    /// `empirical` (service_level quantile of past lead-time forecast errors).
    #[serde(default = "default_safety_stock")]
    pub safety_stock: Spanned<String>,
    /// Target cycle service level (normal, empirical).
    #[serde(default = "default_service_level")]
    pub service_level: Spanned<f64>,
    /// Target fill rate (safety_stock = "fill_rate").
    #[serde(default = "default_fill_rate")]
    pub fill_rate: Spanned<f64>,
    /// Order quantity of s_q and s_s: `eoq` or `fixed`.
    #[serde(default = "default_order_quantity")]
    pub order_quantity: Spanned<String>,
    /// Units per supplier order when order_quantity = "fixed".
    #[serde(default = "default_fixed_order_units")]
    pub fixed_order_units: Spanned<u32>,
    /// Cost of one supplier order, cents (the K of the EOQ).
    #[serde(default = "default_order_cost_cents")]
    pub order_cost_cents: Spanned<u64>,
    /// Review period of r_s, days.
    #[serde(default = "default_review_period_days")]
    pub review_period_days: Spanned<u32>,
    /// Days the forecasts learn before calibration (achieved service level, fill rate) counts.
    #[serde(default = "default_warmup_days")]
    pub warmup_days: Spanned<u32>,
    /// Forecasts know the events calendar: demand on event days is deflated by the event's
    /// multiplier and forecasts for them inflated. With recorded demand the multipliers are
    /// learnt from past occurrences.
    #[serde(default = "yes")]
    pub known_events: bool,
}

/// Reorder policies of `replenishment.policy`.
pub const POLICIES: [&str; 4] = ["days", "s_q", "s_s", "r_s"];
/// Safety-stock methods of `replenishment.safety_stock`.
pub const SAFETY_STOCK_METHODS: [&str; 3] = ["normal", "fill_rate", "empirical"];

fn default_policy() -> Spanned<String> {
    Spanned::new(0..0, "days".into())
}
fn default_forecast() -> Spanned<String> {
    Spanned::new(0..0, "ses".into())
}
fn default_safety_stock() -> Spanned<String> {
    Spanned::new(0..0, "normal".into())
}
fn default_service_level() -> Spanned<f64> {
    Spanned::new(0..0, 0.95)
}
fn default_fill_rate() -> Spanned<f64> {
    Spanned::new(0..0, 0.98)
}
fn default_order_quantity() -> Spanned<String> {
    Spanned::new(0..0, "eoq".into())
}
fn default_fixed_order_units() -> Spanned<u32> {
    Spanned::new(0..0, 100)
}
fn default_order_cost_cents() -> Spanned<u64> {
    Spanned::new(0..0, 5_000)
}
fn default_review_period_days() -> Spanned<u32> {
    Spanned::new(0..0, 7)
}
fn default_warmup_days() -> Spanned<u32> {
    Spanned::new(0..0, 28)
}
fn yes() -> bool {
    true
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

fn default_rop() -> Spanned<f64> {
    Spanned::new(0..0, 5.0)
}
fn default_up_to() -> Spanned<f64> {
    Spanned::new(0..0, 14.0)
}

impl Default for Replenishment {
    fn default() -> Self {
        from_defaults()
    }
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

/// A scenario that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("{path}: cannot read the scenario file: {cause}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why (not a `source`: the message already says it, once).
        cause: std::io::Error,
    },
    /// The TOML is malformed, or a key is unknown or of the wrong type.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// toml's message (it names the line and column).
        message: String,
    },
    /// A value is out of range or refers to something that does not exist.
    #[error("{path}:{line}:{column}: {key}: {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when the value was defaulted).
        line: usize,
        /// 1-based column.
        column: usize,
        /// The key, as a path (`channels[1].warehouses[0]`).
        key: String,
        /// What is wrong and what is expected.
        problem: String,
    },
}

/// A loaded scenario with its source, for error positions.
pub struct LoadedScenario {
    /// The scenario.
    pub scenario: Scenario,
    /// Where it came from.
    pub path: PathBuf,
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().count()
        - before
            .rfind('\n')
            .map_or(0, |i| before[..=i].chars().count())
        + 1;
    (line, column)
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

/// Collects validation failures; the first one is reported.
struct Checker<'a> {
    text: &'a str,
    path: &'a Path,
    first: Option<ScenarioError>,
}

impl Checker<'_> {
    fn fail(&mut self, span: Range<usize>, key: &str, problem: &str) {
        if self.first.is_none() {
            let (line, column) = if span.end == 0 {
                (0, 0)
            } else {
                position(self.text, span.start)
            };
            self.first = Some(ScenarioError::Invalid {
                path: self.path.into(),
                line,
                column,
                key: key.into(),
                problem: problem.into(),
            });
        }
    }
    fn check(&mut self, ok: bool, span: Range<usize>, key: &str, problem: &str) {
        if !ok {
            self.fail(span, key, problem);
        }
    }
    fn probability(&mut self, value: &Spanned<f64>, key: &str) {
        let v = *value.get_ref();
        self.check(
            (0.0..=1.0).contains(&v),
            value.span(),
            key,
            "must be a probability within 0..=1",
        );
    }
    fn non_negative(&mut self, value: &Spanned<f64>, key: &str) {
        let v = *value.get_ref();
        self.check(
            v.is_finite() && v >= 0.0,
            value.span(),
            key,
            "must be a number ≥ 0",
        );
    }
    fn positive(&mut self, value: &Spanned<f64>, key: &str) {
        let v = *value.get_ref();
        self.check(
            v.is_finite() && v > 0.0,
            value.span(),
            key,
            "must be a number > 0",
        );
    }
    fn one_of(&mut self, value: &Spanned<String>, key: &str, allowed: &[&str]) {
        let ok = allowed.contains(&value.get_ref().as_str());
        self.check(
            ok,
            value.span(),
            key,
            &format!("must be one of {}", allowed.join(", ")),
        );
    }
    fn date(&mut self, value: &Spanned<Datetime>, key: &str) -> Option<NaiveDate> {
        let date = to_date(value.get_ref());
        self.check(
            date.is_some(),
            value.span(),
            key,
            "must be a plain date such as 2026-11-27",
        );
        date
    }
    fn coordinates(&mut self, latitude: &Spanned<f64>, longitude: &Spanned<f64>, key: &str) {
        let (lat, lon) = (*latitude.get_ref(), *longitude.get_ref());
        self.check(
            (-90.0..=90.0).contains(&lat),
            latitude.span(),
            &format!("{key}.latitude_deg"),
            "must be within -90..=90 degrees",
        );
        self.check(
            (-180.0..=180.0).contains(&lon),
            longitude.span(),
            &format!("{key}.longitude_deg"),
            "must be within -180..=180 degrees",
        );
    }
}

impl Scenario {
    /// Reads, parses and validates a scenario file.
    pub fn load(path: &Path) -> Result<LoadedScenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|cause| ScenarioError::Read {
            path: path.into(),
            cause,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates scenario text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<LoadedScenario, ScenarioError> {
        let mut scenario: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Parse {
            path: path.into(),
            message: e.to_string().trim_end().to_string(),
        })?;
        scenario.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut c = Checker {
            text,
            path,
            first: None,
        };
        scenario.validate(&mut c);
        match c.first {
            Some(error) => Err(error),
            None => Ok(LoadedScenario {
                scenario,
                path: path.into(),
            }),
        }
    }

    /// Loads the scenario at `path` cut to its first `days` (if given and shorter): the starting
    /// point of the variants that `qm bench`, `qm tune` and `qm size` run.
    pub fn load_variant(path: &Path, days: Option<u32>) -> Result<Scenario, ScenarioError> {
        let mut s = Self::load(path)?.scenario;
        if let Some(days) = days {
            let horizon = *s.horizon.days.get_ref();
            s.horizon.days = Spanned::new(0..0, days.min(horizon));
        }
        Ok(s)
    }

    /// The first simulated day.
    pub fn start_date(&self) -> NaiveDate {
        to_date(self.horizon.start_date.get_ref()).expect("validated")
    }

    /// SKU codes in id order.
    pub fn sku_codes(&self) -> Vec<String> {
        if self.skus.is_empty() {
            (1..=*self.catalog.skus.get_ref()).map(sku_code).collect()
        } else {
            self.skus.iter().map(|s| s.code.clone()).collect()
        }
    }

    fn validate_recorded(&self, c: &mut Checker) {
        let d = &self.demand;
        let Some(spec) = &d.recorded else {
            c.fail(
                d.source.span(),
                "demand.recorded",
                "source = \"recorded\" needs a [demand.recorded] table with its path",
            );
            return;
        };
        let r = spec.get_ref();
        let path = self.base_dir.join(r.path.get_ref());
        c.check(
            path.is_file(),
            r.path.span(),
            "demand.recorded.path",
            &format!("no such file: {}", path.display()),
        );
        let is_log = path.extension().is_some_and(|e| e == "qmd");
        if let Some(preset) = &r.preset {
            c.one_of(preset, "demand.recorded.preset", crate::import::PRESETS);
        }
        c.check(
            is_log || r.preset.is_some() != r.columns.is_some(),
            spec.span(),
            "demand.recorded",
            "a CSV or Parquet file needs exactly one of `preset` or a `[demand.recorded.columns]` table (a .qmd demand log needs neither)",
        );
        c.one_of(
            &r.time,
            "demand.recorded.time",
            &["as_recorded", "compressed"],
        );
        let region_known = |name: &str| self.customers.iter().any(|x| x.name == name);
        let default = r
            .default_region
            .iter()
            .map(|d| ("demand.recorded.default_region".to_string(), d));
        let mapped = r
            .regions
            .iter()
            .map(|(recorded, d)| (format!("demand.recorded.regions.{recorded}"), d));
        for (key, region) in mapped.chain(default) {
            c.check(
                region_known(region.get_ref()),
                region.span(),
                &key,
                &format!(
                    "`{}` is not the name of a [[customers]] region",
                    region.get_ref()
                ),
            );
        }
        for (recorded, channel) in &r.channels {
            c.check(
                self.channels.iter().any(|x| x.code == *channel.get_ref()),
                channel.span(),
                &format!("demand.recorded.channels.{recorded}"),
                &format!(
                    "`{}` is not the code of a [[channels]] entry",
                    channel.get_ref()
                ),
            );
        }
    }

    fn validate(&self, c: &mut Checker) {
        let s = self;
        c.check(
            (1..=MAX_DAYS).contains(s.horizon.days.get_ref()),
            s.horizon.days.span(),
            "horizon.days",
            &format!("must be between 1 and {MAX_DAYS}"),
        );
        let start = c.date(&s.horizon.start_date, "horizon.start_date");
        let cat = &s.catalog;
        c.check(
            (1..=MAX_SKUS).contains(cat.skus.get_ref()),
            cat.skus.span(),
            "catalog.skus",
            &format!("must be between 1 and {MAX_SKUS}"),
        );
        c.non_negative(&cat.zipf_exponent, "catalog.zipf_exponent");
        c.check(
            *cat.unit_weight_grams.get_ref() >= 1,
            cat.unit_weight_grams.span(),
            "catalog.unit_weight_grams",
            "must be at least 1 gram",
        );
        c.check(
            *cat.unit_price_cents.get_ref() >= 1,
            cat.unit_price_cents.span(),
            "catalog.unit_price_cents",
            "must be at least 1 cent",
        );
        c.non_negative(&cat.weight_sigma, "catalog.weight_sigma");
        c.non_negative(&cat.price_sigma, "catalog.price_sigma");
        c.non_negative(
            &cat.holding_cost_rate_per_year,
            "catalog.holding_cost_rate_per_year",
        );
        let mut codes = std::collections::BTreeSet::new();
        for (i, sku) in s.skus.iter().enumerate() {
            c.positive(&sku.popularity, &format!("skus[{i}].popularity"));
            c.check(
                codes.insert(sku.code.as_str()),
                0..0,
                &format!("skus[{i}].code"),
                &format!("{:?} is listed twice", sku.code),
            );
        }
        c.check(
            s.skus.len() as u64 <= MAX_SKUS as u64,
            0..0,
            "skus",
            &format!("at most {MAX_SKUS} SKUs"),
        );
        let sku_codes = s.sku_codes();
        let sku_known = |code: &str| {
            if s.skus.is_empty() {
                parse_sku_code(code).is_some_and(|n| n >= 1 && n <= *cat.skus.get_ref())
            } else {
                codes.contains(code)
            }
        };

        c.check(
            !s.warehouses.is_empty(),
            0..0,
            "warehouses",
            "at least one [[warehouses]] table is needed",
        );
        c.check(
            s.warehouses.len() <= qm_engine::constants::MAX_WAREHOUSES,
            0..0,
            "warehouses",
            &format!(
                "at most {} warehouses",
                qm_engine::constants::MAX_WAREHOUSES
            ),
        );
        for (i, w) in s.warehouses.iter().enumerate() {
            let key = format!("warehouses[{i}]");
            c.coordinates(&w.latitude_deg, &w.longitude_deg, &key);
            c.check(
                *w.capacity_lines_per_day.get_ref() >= 1,
                w.capacity_lines_per_day.span(),
                &format!("{key}.capacity_lines_per_day"),
                "must be at least 1 line a day",
            );
            c.check(
                *w.cutoff_hour.get_ref() <= 23,
                w.cutoff_hour.span(),
                &format!("{key}.cutoff_hour"),
                "must be an hour within 0..=23",
            );
            if let Some(rate) = &w.pick_error_rate {
                c.probability(rate, &format!("{key}.pick_error_rate"));
            }
            let multiplier = *w.stock_multiplier.get_ref();
            c.check(
                (0.0..=MAX_STOCK_MULTIPLIER).contains(&multiplier),
                w.stock_multiplier.span(),
                &format!("{key}.stock_multiplier"),
                &format!("must be between 0 and {MAX_STOCK_MULTIPLIER}, got {multiplier}"),
            );
            let twice = s.warehouses[..i].iter().any(|o| o.code == w.code);
            c.check(
                !twice,
                0..0,
                &format!("{key}.code"),
                &format!("{:?} is listed twice", w.code),
            );
        }
        let warehouse_known = |code: &str| s.warehouses.iter().any(|w| w.code == code);

        c.non_negative(
            &s.initial_stock.days_of_cover,
            "initial_stock.days_of_cover",
        );
        for (i, cell) in s.initial_stock.cells.iter().enumerate() {
            let key = format!("initial_stock.cells[{i}]");
            c.check(
                sku_known(cell.sku.get_ref()),
                cell.sku.span(),
                &format!("{key}.sku"),
                &format!("no SKU has code {:?}", cell.sku.get_ref()),
            );
            c.check(
                warehouse_known(cell.warehouse.get_ref()),
                cell.warehouse.span(),
                &format!("{key}.warehouse"),
                &format!("no warehouse has code {:?}", cell.warehouse.get_ref()),
            );
            let units = *cell.units.get_ref();
            c.check(
                (0..=qm_engine::constants::MAX_CELL_UNITS as i64).contains(&units),
                cell.units.span(),
                &format!("{key}.units"),
                "must be a unit count ≥ 0",
            );
        }

        c.check(
            !s.channels.is_empty(),
            0..0,
            "channels",
            "at least one [[channels]] table is needed",
        );
        for (i, channel) in s.channels.iter().enumerate() {
            let key = format!("channels[{i}]");
            c.positive(&channel.share, &format!("{key}.share"));
            let strategies: Vec<&str> = qm_engine::allocation::StrategyKind::ALL
                .iter()
                .map(|k| k.name())
                .collect();
            c.one_of(&channel.strategy, &format!("{key}.strategy"), &strategies);
            c.one_of(
                &channel.split,
                &format!("{key}.split"),
                &["single_warehouse", "split_allowed", "partial"],
            );
            c.one_of(
                &channel.oversold,
                &format!("{key}.oversold"),
                &["cancel", "backorder"],
            );
            c.check(
                *channel.view_refresh_minutes.get_ref() <= 7 * 24 * 60,
                channel.view_refresh_minutes.span(),
                &format!("{key}.view_refresh_minutes"),
                "must be at most a week (10080 minutes)",
            );
            if let Some(percent) = &channel.buffer_percent {
                let p = *percent.get_ref();
                c.check(
                    (0.0..=100.0).contains(&p),
                    percent.span(),
                    &format!("{key}.buffer_percent"),
                    "must be a percentage within 0..=100",
                );
            }
            c.check(
                !channel.warehouses.is_empty(),
                0..0,
                &format!("{key}.warehouses"),
                "must name at least one warehouse",
            );
            for (j, code) in channel.warehouses.iter().enumerate() {
                c.check(
                    warehouse_known(code.get_ref()),
                    code.span(),
                    &format!("{key}.warehouses[{j}]"),
                    &format!("no warehouse has code {:?}", code.get_ref()),
                );
            }
        }

        c.check(
            !s.customers.is_empty(),
            0..0,
            "customers",
            "at least one [[customers]] table is needed",
        );
        for (i, region) in s.customers.iter().enumerate() {
            c.positive(&region.share, &format!("customers[{i}].share"));
            c.coordinates(
                &region.latitude_deg,
                &region.longitude_deg,
                &format!("customers[{i}]"),
            );
        }

        let d = &s.demand;
        c.one_of(&d.source, "demand.source", &["synthetic", "recorded"]);
        if s.is_recorded() {
            self.validate_recorded(c);
        } else {
            let rate = *d.orders_per_day.get_ref();
            c.check(
                rate.is_finite() && rate > 0.0 && rate <= MAX_ORDERS_PER_DAY,
                d.orders_per_day.span(),
                "demand.orders_per_day",
                &format!(
                    "must be a rate > 0 and ≤ {MAX_ORDERS_PER_DAY} (required for synthetic demand)"
                ),
            );
        }
        let max_lines = *d.max_lines_per_order.get_ref();
        c.check(
            (1..=qm_engine::constants::MAX_LINES_PER_ORDER as u32).contains(&max_lines),
            d.max_lines_per_order.span(),
            "demand.max_lines_per_order",
            &format!(
                "must be between 1 and {}",
                qm_engine::constants::MAX_LINES_PER_ORDER
            ),
        );
        let mean_lines = *d.mean_lines_per_order.get_ref();
        c.check(
            mean_lines >= 1.0 && mean_lines <= max_lines as f64,
            d.mean_lines_per_order.span(),
            "demand.mean_lines_per_order",
            "must be between 1 and max_lines_per_order",
        );
        let max_units = *d.max_units_per_line.get_ref();
        c.check(
            (1..=MAX_UNITS_PER_LINE).contains(&max_units),
            d.max_units_per_line.span(),
            "demand.max_units_per_line",
            &format!("must be between 1 and {MAX_UNITS_PER_LINE}"),
        );
        let mean_units = *d.mean_units_per_line.get_ref();
        c.check(
            mean_units >= 1.0 && mean_units <= max_units as f64,
            d.mean_units_per_line.span(),
            "demand.mean_units_per_line",
            "must be between 1 and max_units_per_line",
        );
        let weights_ok = |w: &[f64], n: usize| {
            w.len() == n
                && w.iter().all(|x| x.is_finite() && *x >= 0.0)
                && w.iter().sum::<f64>() > 0.0
        };
        c.check(
            weights_ok(d.day_of_week.get_ref(), 7),
            d.day_of_week.span(),
            "demand.day_of_week",
            "must be 7 weights ≥ 0 (Monday first), not all 0",
        );
        c.check(
            weights_ok(d.intraday.get_ref(), 24),
            d.intraday.span(),
            "demand.intraday",
            "must be 24 weights ≥ 0 (midnight first), not all 0",
        );
        let trend = *d.trend_per_year.get_ref();
        c.check(
            trend.is_finite() && trend > -1.0,
            d.trend_per_year.span(),
            "demand.trend_per_year",
            "must be a number > -1",
        );
        c.one_of(&d.noise, "demand.noise", &["poisson", "negative_binomial"]);
        c.positive(&d.dispersion, "demand.dispersion");
        c.probability(&d.express_share, "demand.express_share");
        c.check(
            (1..=30).contains(d.express_transit_days.get_ref()),
            d.express_transit_days.span(),
            "demand.express_transit_days",
            "must be between 1 and 30 days",
        );
        if let Some(start) = start {
            let last = start + chrono::Days::new(*s.horizon.days.get_ref() as u64 - 1);
            for (i, e) in d.events.iter().enumerate() {
                let key = format!("demand.events[{i}]");
                c.positive(&e.multiplier, &format!("{key}.multiplier"));
                let (from, to) = (
                    c.date(&e.start, &format!("{key}.start")),
                    c.date(&e.end, &format!("{key}.end")),
                );
                if let (Some(from), Some(to)) = (from, to) {
                    let inside = |d: NaiveDate| d >= start && d <= last;
                    let window = format!("must be within the horizon, {start} to {last}");
                    c.check(
                        inside(from),
                        e.start.span(),
                        &format!("{key}.start"),
                        &window,
                    );
                    c.check(inside(to), e.end.span(), &format!("{key}.end"), &window);
                    c.check(
                        to >= from,
                        e.end.span(),
                        &format!("{key}.end"),
                        "must not be before start",
                    );
                }
                for (j, code) in e.skus.iter().enumerate() {
                    c.check(
                        sku_known(code.get_ref()),
                        code.span(),
                        &format!("{key}.skus[{j}]"),
                        &format!("no SKU has code {:?}", code.get_ref()),
                    );
                }
                if let Some(top) = &e.top_skus {
                    let n = *top.get_ref();
                    c.check(
                        n >= 1 && n as usize <= sku_codes.len(),
                        top.span(),
                        &format!("{key}.top_skus"),
                        &format!(
                            "must be between 1 and the number of SKUs ({})",
                            sku_codes.len()
                        ),
                    );
                    c.check(
                        e.skus.is_empty(),
                        top.span(),
                        &format!("{key}.top_skus"),
                        "give skus or top_skus, not both",
                    );
                }
            }
        }

        let carts = &s.carts;
        let ttl = *carts.hold_ttl_minutes.get_ref() as u64 * 60_000;
        c.check(
            (qm_engine::constants::MIN_HOLD_TTL_MS..=qm_engine::constants::MAX_HOLD_TTL_MS)
                .contains(&ttl),
            carts.hold_ttl_minutes.span(),
            "carts.hold_ttl_minutes",
            "must be between 1 minute and 30 days",
        );
        c.probability(&carts.abandonment_rate, "carts.abandonment_rate");
        c.probability(&carts.payment_failure_rate, "carts.payment_failure_rate");
        c.non_negative(&carts.minutes_to_pay, "carts.minutes_to_pay");

        for (i, carrier) in s.fulfillment.carriers.iter().enumerate() {
            let key = format!("fulfillment.carriers[{i}]");
            c.check(
                !carrier.bands.is_empty(),
                0..0,
                &format!("{key}.bands"),
                "needs at least one band",
            );
            let mut previous = 0.0;
            for (j, band) in carrier.bands.iter().enumerate() {
                let km = *band.max_distance_km.get_ref();
                c.check(
                    km.is_finite() && km > previous,
                    band.max_distance_km.span(),
                    &format!("{key}.bands[{j}].max_distance_km"),
                    "must be > 0 and grow from band to band",
                );
                previous = km;
                c.check(
                    *band.transit_days.get_ref() <= 60,
                    band.transit_days.span(),
                    &format!("{key}.bands[{j}].transit_days"),
                    "must be at most 60 days",
                );
            }
        }

        let r = &s.returns;
        c.probability(&r.rate, "returns.rate");
        c.probability(&r.restockable_share, "returns.restockable_share");
        c.check(
            r.delay_days_max.get_ref() >= r.delay_days_min.get_ref()
                && *r.delay_days_max.get_ref() <= 365,
            r.delay_days_max.span(),
            "returns.delay_days_max",
            "must be ≥ delay_days_min and ≤ 365",
        );

        let t = &s.targets;
        c.probability(&t.order_accuracy, "targets.order_accuracy");
        c.probability(&t.order_fulfillment_rate, "targets.order_fulfillment_rate");
        c.probability(&t.demand_fill_rate, "targets.demand_fill_rate");
        c.positive(
            &t.processing_time_hours_p50,
            "targets.processing_time_hours_p50",
        );
        c.positive(
            &t.processing_time_hours_p95,
            "targets.processing_time_hours_p95",
        );

        let a = &s.accuracy;
        c.probability(&a.pick_error_rate, "accuracy.pick_error_rate");
        c.probability(&a.shrinkage_rate_per_day, "accuracy.shrinkage_rate_per_day");
        c.check(
            *a.cycle_count_days.get_ref() <= 3_650,
            a.cycle_count_days.span(),
            "accuracy.cycle_count_days",
            "must be at most 3650 (0 turns cycle counts off)",
        );

        let rep = &s.replenishment;
        c.non_negative(&rep.reorder_point_days, "replenishment.reorder_point_days");
        let (rop, up_to) = (
            *rep.reorder_point_days.get_ref(),
            *rep.order_up_to_days.get_ref(),
        );
        c.check(
            up_to.is_finite() && up_to >= rop,
            rep.order_up_to_days.span(),
            "replenishment.order_up_to_days",
            "must be ≥ reorder_point_days",
        );
        for (i, policy) in rep.skus.iter().enumerate() {
            let key = format!("replenishment.skus[{i}]");
            c.check(
                sku_known(policy.sku.get_ref()),
                policy.sku.span(),
                &format!("{key}.sku"),
                &format!("no SKU has code {:?}", policy.sku.get_ref()),
            );
            let quantity = *policy.order_quantity_units.get_ref();
            c.check(
                (1..=qm_engine::constants::MAX_MOVEMENT_UNITS).contains(&quantity),
                policy.order_quantity_units.span(),
                &format!("{key}.order_quantity_units"),
                "must be between 1 and 100000000 units",
            );
        }
        c.one_of(&rep.policy, "replenishment.policy", &POLICIES);
        if let Err(e) = qm_engine::forecast::Method::from_name(
            rep.forecast.get_ref(),
            &qm_engine::forecast::MethodParams::default(),
        ) {
            c.fail(
                rep.forecast.span(),
                "replenishment.forecast",
                &e.to_string(),
            );
        }
        c.one_of(
            &rep.safety_stock,
            "replenishment.safety_stock",
            &SAFETY_STOCK_METHODS,
        );
        for (value, key) in [
            (&rep.service_level, "replenishment.service_level"),
            (&rep.fill_rate, "replenishment.fill_rate"),
        ] {
            let v = *value.get_ref();
            c.check(
                v > 0.0 && v < 1.0,
                value.span(),
                key,
                "must be strictly between 0 and 1 (0.95 = 95 %)",
            );
        }
        c.one_of(
            &rep.order_quantity,
            "replenishment.order_quantity",
            &["eoq", "fixed"],
        );
        c.check(
            (1..=qm_engine::constants::MAX_MOVEMENT_UNITS)
                .contains(rep.fixed_order_units.get_ref()),
            rep.fixed_order_units.span(),
            "replenishment.fixed_order_units",
            "must be between 1 and 100000000 units",
        );
        c.check(
            (1..=90).contains(rep.review_period_days.get_ref()),
            rep.review_period_days.span(),
            "replenishment.review_period_days",
            "must be between 1 and 90 days",
        );
        c.check(
            *rep.order_cost_cents.get_ref() <= 100_000_000,
            rep.order_cost_cents.span(),
            "replenishment.order_cost_cents",
            "must be at most 100000000 cents",
        );
        c.check(
            *rep.warmup_days.get_ref() <= MAX_DAYS,
            rep.warmup_days.span(),
            "replenishment.warmup_days",
            "must be at most the longest horizon",
        );
        for (i, supplier) in rep.suppliers.iter().enumerate() {
            let key = format!("replenishment.suppliers[{i}]");
            c.positive(&supplier.share, &format!("{key}.share"));
            let lead = *supplier.lead_time_days.get_ref();
            c.check(
                lead.is_finite() && (0.0..=365.0).contains(&lead),
                supplier.lead_time_days.span(),
                &format!("{key}.lead_time_days"),
                "must be between 0 and 365 days",
            );
            c.non_negative(
                &supplier.lead_time_std_days,
                &format!("{key}.lead_time_std_days"),
            );
        }
    }
}

/// The code of generated SKU number `n` (from 1).
pub fn sku_code(n: u32) -> String {
    format!("SKU{n:05}")
}

fn parse_sku_code(code: &str) -> Option<u32> {
    code.strip_prefix("SKU")
        .filter(|digits| digits.len() >= 5)
        .and_then(|digits| digits.parse().ok())
}

/// The engine's split policy for a scenario's name of it.
pub fn split_policy(name: &str) -> Option<qm_engine::SplitPolicy> {
    match name {
        "single_warehouse" => Some(qm_engine::SplitPolicy::SingleWarehouse),
        "split_allowed" => Some(qm_engine::SplitPolicy::SplitAllowed),
        "partial" => Some(qm_engine::SplitPolicy::PartialWithBackorder),
        _ => None,
    }
}
