//! What one run produced, as plain rows: the simulator fills a [`RunData`], this crate turns it
//! into tables, files and charts. Nothing here knows how the numbers were made.
//!
//! Every type is plain data that a binary codec can store (no maps of dynamic values), so a run
//! folder keeps its `RunData` and `qm report` / `qm compare` rebuild every export from it.

use qm_money::Cents;
use serde::{Deserialize, Serialize};

pub use crate::counts::Counts;

/// The results of one simulation run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RunData {
    /// Whether the run reached the end of its horizon.
    pub status: RunStatus,
    /// The summary KPIs in the simulator's order, by the names of [`crate::kpi::KPIS`].
    pub kpis: Vec<(String, KpiValue)>,
    /// Targets the headline KPIs are judged against.
    pub targets: Vec<Target>,
    /// Calendar events, for shading charts.
    pub events: Vec<EventSpan>,
    /// One row per simulated day.
    pub daily: Vec<DayRow>,
    /// One row per warehouse.
    pub warehouses: Vec<WarehouseRow>,
    /// One row per warehouse and day.
    pub warehouse_daily: Vec<WarehouseDayRow>,
    /// One row per SKU.
    pub skus: Vec<SkuRow>,
    /// Daily stock of the SKUs with the most units ordered (at most [`TOP_SKUS`]).
    pub sku_daily: Vec<SkuDayRow>,
    /// One row per sales channel.
    pub channels: Vec<ChannelRow>,
    /// Orders shipped complete per processing-time bin.
    pub processing_time: Vec<ProcessingBin>,
    /// Wall-clock engine latency (not reproducible: kept apart from the KPIs).
    pub latency: LatencyData,
}

/// SKUs whose daily stock is kept for the report's stock chart.
pub const TOP_SKUS: usize = 6;

/// Width of a processing-time bin, hours.
pub const PROCESSING_BIN_HOURS: u32 = 2;
/// Processing times from this many hours up share the last, open-ended bin.
pub const PROCESSING_LAST_BIN_HOURS: u32 = 168;

/// How a run ended.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum RunStatus {
    /// It simulated every day of its horizon.
    #[default]
    Completed,
    /// It stopped early; the figures cover `days_completed` days.
    Failed {
        /// Days closed before the failure.
        days_completed: u32,
        /// What went wrong.
        message: String,
    },
}

/// One KPI's value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum KpiValue {
    /// A count.
    Count(u64),
    /// A measured quantity, rate or share.
    Number(f64),
    /// A name or a date.
    Text(String),
    /// Not defined for this run (nothing to measure, or not promised).
    Missing,
}

impl KpiValue {
    /// As a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            KpiValue::Count(n) => Some(*n as f64),
            KpiValue::Number(x) => Some(*x),
            KpiValue::Text(_) | KpiValue::Missing => None,
        }
    }
}

/// Which side of a target is good.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Bound {
    /// The KPI must be at least the target.
    AtLeast,
    /// The KPI must be at most the target.
    AtMost,
}

impl Bound {
    /// Its name in the tables: `at_least` or `at_most`.
    pub const fn name(self) -> &'static str {
        match self {
            Bound::AtLeast => "at_least",
            Bound::AtMost => "at_most",
        }
    }
}

/// A target a KPI is judged against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The KPI's name.
    pub kpi: String,
    /// Good side.
    pub bound: Bound,
    /// The threshold, in the KPI's unit.
    pub value: f64,
}

impl Target {
    /// Whether `value` meets the target.
    pub fn met_by(&self, value: f64) -> bool {
        match self.bound {
            Bound::AtLeast => value >= self.value,
            Bound::AtMost => value <= self.value,
        }
    }
}

/// A calendar event's days (inclusive), for shading.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventSpan {
    /// Its name.
    pub name: String,
    /// First day index.
    pub first_day: u32,
    /// Last day index.
    pub last_day: u32,
}

/// One day of the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DayRow {
    /// Day index from 0.
    pub day: u32,
    /// Its date, `YYYY-MM-DD`.
    pub date: String,
    /// Expected orders ÷ base rate (profiles, trend, events).
    pub demand_multiplier: f64,
    /// Events active that day, `;`-separated.
    pub events: String,
    /// The counts of the orders placed that day (and of the lines shown out of stock that day),
    /// whenever they shipped.
    pub counts: Counts,
    /// On-hand units at the close.
    pub on_hand_units: u64,
    /// The day's holding cost: its share of the run's `holding_cost_cents`, rounded so that the
    /// days add up to the run's figure to the cent.
    pub holding_cost_cents: Cents,
    /// Supplier orders placed at the close.
    pub supplier_orders: u64,
    /// Safety stock summed over cells at the close (forecast policies).
    pub safety_stock_units: Option<f64>,
    /// SKUs with no free unit anywhere at the close.
    pub stockout_skus: u64,
    /// Median processing hours of the orders placed that day and shipped complete.
    pub processing_time_hours_p50: Option<f64>,
    /// 95th percentile.
    pub processing_time_hours_p95: Option<f64>,
    /// 99th percentile.
    pub processing_time_hours_p99: Option<f64>,
}

/// One warehouse over the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WarehouseRow {
    /// Its code.
    pub warehouse: String,
    /// Its pick/pack capacity, lines a day.
    pub capacity_lines_per_day: u32,
    /// The counts of its shipments (shipments, lines, units, cost, pick errors) and of the
    /// units backordered on it.
    pub counts: Counts,
    /// Most lines shipped in one day.
    pub peak_day_lines: u64,
    /// Days its cutoff left paid work behind.
    pub saturated_days: u64,
    /// Mean on-hand units at the closes.
    pub average_on_hand_units: f64,
    /// Most on-hand units at a close.
    pub peak_on_hand_units: u64,
    /// Its storage capacity, if the scenario gives one.
    pub storage_capacity_units: Option<u64>,
}

/// One warehouse on one day.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WarehouseDayRow {
    /// Day index.
    pub day: u32,
    /// Warehouse code.
    pub warehouse: String,
    /// Lines shipped at its cutoff.
    pub lines_shipped: u64,
    /// Its capacity.
    pub capacity_lines: u32,
    /// Paid lines still waiting after the cutoff.
    pub backlog_lines: u64,
    /// On-hand units at the close.
    pub on_hand_units: u64,
}

/// One SKU over the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SkuRow {
    /// Its code.
    pub sku: String,
    /// Unit price.
    pub unit_price_cents: Cents,
    /// The counts of its lines: units ordered, to ship, shipped, backordered, lost.
    pub counts: Counts,
    /// Days with units held, backordered or lost.
    pub demand_days: u32,
    /// Mean units a demand day (over demand days).
    pub demand_units_per_demand_day: Option<f64>,
    /// Squared coefficient of variation of the demand sizes on demand days.
    pub demand_size_cv2: Option<f64>,
    /// Mean on-hand units over the closes, all warehouses.
    pub average_on_hand_units: f64,
    /// Closes with no free unit in any warehouse.
    pub stockout_days: u32,
    /// Mean safety stock over closes, units (forecast policies).
    pub average_safety_stock_units: Option<f64>,
    /// The replenishment class: fast, slow or intermittent.
    pub replenishment_class: String,
    /// Achieved fill rate after the warm-up: units the SKU's cells served from their own stock ÷
    /// units they were the natural source of.
    pub achieved_fill_rate: Option<f64>,
    /// Mean absolute one-day-ahead forecast error per cell-day, units.
    pub forecast_mae_units: Option<f64>,
}

/// One SKU's stock at one close (the top SKUs only).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SkuDayRow {
    /// Day index.
    pub day: u32,
    /// SKU code.
    pub sku: String,
    /// On-hand units, all warehouses.
    pub on_hand_units: u64,
    /// Safety stock, all warehouses (forecast policies).
    pub safety_stock_units: Option<f64>,
    /// Reorder point, all warehouses.
    pub reorder_point_units: f64,
}

/// One sales channel over the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelRow {
    /// Its code.
    pub channel: String,
    /// Its allocation strategy.
    pub strategy: String,
    /// The counts of its orders and of the lines it showed out of stock.
    pub counts: Counts,
}

/// Orders shipped complete whose processing time fell in one bin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessingBin {
    /// Lower edge, hours (inclusive).
    pub processing_time_hours_from: u32,
    /// Upper edge, hours (exclusive); `None` for the open-ended last bin.
    pub processing_time_hours_to: Option<u32>,
    /// Orders in the bin.
    pub orders: u64,
}

/// Wall-clock latency of the engine calls.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyData {
    /// Engine calls measured.
    pub calls: u64,
    /// Wall seconds spent inside the engine.
    pub engine_seconds: f64,
    /// Engine calls per second of wall time spent inside the engine.
    pub engine_calls_per_second: f64,
    /// Order lines in the measured `reserve` calls (for lines per second).
    pub order_lines_reserved: u64,
    /// Percentiles per call kind.
    pub kinds: Vec<LatencyRow>,
    /// Log-spaced buckets per call kind.
    pub histogram: Vec<LatencyBucket>,
}

/// Latency percentiles of one call kind, nanoseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyRow {
    /// The call.
    pub call: String,
    /// Calls measured.
    pub calls: u64,
    /// Median.
    pub latency_ns_p50: u64,
    /// 90th percentile.
    pub latency_ns_p90: u64,
    /// 99th percentile.
    pub latency_ns_p99: u64,
    /// 99.9th percentile.
    pub latency_ns_p999: u64,
    /// Maximum.
    pub latency_ns_max: u64,
    /// Mean.
    pub latency_ns_mean: f64,
}

/// Calls of one kind whose latency fell in `(latency_ns_from, latency_ns_to]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyBucket {
    /// The call.
    pub call: String,
    /// Lower edge, ns (exclusive).
    pub latency_ns_from: u64,
    /// Upper edge, ns (inclusive).
    pub latency_ns_to: u64,
    /// Calls in the bucket.
    pub calls: u64,
}

impl RunData {
    /// The KPI called `name`.
    pub fn kpi(&self, name: &str) -> Option<&KpiValue> {
        self.kpis.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The scenario's target for the KPI called `name`, if it sets one.
    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.kpi == name)
    }

    /// The KPI called `name` as a number (`None` if missing or text).
    pub fn number(&self, name: &str) -> Option<f64> {
        self.kpi(name).and_then(KpiValue::as_f64)
    }

    /// Whether the run placed no order at all: its rates are undefined.
    pub fn is_empty(&self) -> bool {
        self.number("orders_placed").unwrap_or(0.0) == 0.0
    }
}
