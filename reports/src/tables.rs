//! A run's results as typed polars DataFrames, one per table. Each column is declared once, with
//! its definition, by `Frame::col`: `docs/tables.md` is generated from the same
//! declarations ([`markdown_reference`]).

use chrono::NaiveDate;
use polars::prelude::*;
use qm_money::Cents;

use crate::counts::{share, Counts};
use crate::kpi::{self, KpiReading};
use crate::run::*;

/// ABC classes: A = SKUs making the first 80 % of ordered value, B = the next 15 %, C = the rest.
const ABC_A_SHARE: f64 = 0.80;
const ABC_B_SHARE: f64 = 0.95;
/// Syntetos-Boylan-Croston cut-offs: mean demand interval (days) and squared CV of sizes.
const SBC_ADI: f64 = 1.32;
const SBC_CV2: f64 = 0.49;

/// One table: its file stem, what a row is, and its DataFrame.
pub struct Table {
    /// File stem (`daily` → `daily.csv`, `daily.parquet`).
    pub name: &'static str,
    /// What one row is.
    pub row: &'static str,
    /// Whether it holds wall-clock figures (not reproducible from run to run).
    pub wall_clock: bool,
    /// The data.
    pub frame: DataFrame,
    /// (column, definition), in column order.
    pub columns: Vec<(&'static str, &'static str)>,
}

/// Builds one DataFrame column by column, keeping each column's definition.
pub(crate) struct Frame<'a, R> {
    rows: &'a [R],
    columns: Vec<Column>,
    docs: Vec<(&'static str, &'static str)>,
}

impl<'a, R> Frame<'a, R> {
    pub(crate) fn new(rows: &'a [R]) -> Self {
        Frame {
            rows,
            columns: Vec::new(),
            docs: Vec::new(),
        }
    }

    /// A column of `f(row)` for every row.
    pub(crate) fn col<T, F>(mut self, name: &'static str, definition: &'static str, f: F) -> Self
    where
        F: Fn(&'a R) -> T,
        Series: NamedFrom<Vec<T>, [T]>,
    {
        let values: Vec<T> = self.rows.iter().map(f).collect();
        self.columns.push(Series::new(name.into(), values).into());
        self.docs.push((name, definition));
        self
    }

    /// A money column: `f(row)` in whole cents, stored as `u64` (the column's name ends in
    /// `_cents`).
    pub(crate) fn cents(
        self,
        name: &'static str,
        definition: &'static str,
        f: impl Fn(&'a R) -> Cents,
    ) -> Self {
        debug_assert!(
            name.ends_with("_cents"),
            "{name}: a money column is named in cents"
        );
        self.col(name, definition, move |r| f(r).get())
    }

    /// The row's day twice: a date counted from `start`, and the day index.
    fn days(self, start: NaiveDate, day: impl Fn(&'a R) -> u32 + Copy) -> Self {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
        let offset = (start - epoch).num_days() as i32;
        let mut frame = self.col("date", "the day, a date", |r| offset + day(r) as i32);
        let last = frame.columns.pop().expect("just pushed");
        let dated = last
            .as_materialized_series()
            .cast(&DataType::Date)
            .expect("i32 casts to date");
        frame.columns.push(dated.into());
        frame.col("day", "day index from 0", day)
    }

    /// The order columns of the row's counts and their rates, defined once for every table.
    fn order_counts(self, counts: impl Fn(&'a R) -> &'a Counts + Copy) -> Self {
        self.col("orders_placed", "orders placed (lines shown out of stock are not in them)", move |r| counts(r).orders_placed)
            .col("orders_to_ship", "orders placed − abandoned − payment failed − in flight at the end", move |r| counts(r).orders_to_ship())
            .col("orders_shipped_complete", "of the orders placed, those whose every unit shipped by the end of the run", move |r| counts(r).orders_shipped_complete)
            .col("order_fulfillment_rate", "orders_shipped_complete ÷ orders_to_ship (null without orders)", move |r| counts(r).order_fulfillment_rate())
            .col("orders_oversold", "orders accepted for which the network lacked units (rejected or backordered for want of stock, or short at pick time)", move |r| counts(r).orders_oversold)
            .col("oversold_units", "the units the network lacked for them", move |r| counts(r).oversold_units)
            .col("orders_rejected_with_stock", "orders refused although the channel's warehouses together had every unit", move |r| counts(r).orders_rejected_with_stock)
            .col("orders_shipped", "orders with at least one shipment shipped", move |r| counts(r).orders_shipped)
            .col("order_accuracy", "orders shipped complete with no short pick and no pick error ÷ orders_shipped_complete (null without)", move |r| counts(r).order_accuracy())
    }

    /// The unit columns of the row's counts and their rates, defined once for every table.
    fn unit_counts(self, counts: impl Fn(&'a R) -> &'a Counts + Copy) -> Self {
        self.col("units_ordered", "units in placed orders", move |r| counts(r).units_ordered)
            .col("units_to_ship", "units in the orders to ship: ordered − abandoned − payment failed − unshipped in flight at the end", move |r| counts(r).units_to_ship())
            .col("units_shipped", "units shipped against placed orders (reshipments excluded)", move |r| counts(r).units_shipped)
            .col("unit_fill_rate", "units_shipped ÷ units_to_ship (null without units)", move |r| counts(r).unit_fill_rate())
            .col("lost_sales_units_not_shown", "units in lines the channel showed out of stock", move |r| counts(r).lost_sales_units_not_shown)
            .col("demand_fill_rate", "units_shipped ÷ (units_to_ship + lost_sales_units_not_shown) (null without demand)", move |r| counts(r).demand_fill_rate())
            .col("units_backordered", "units backordered", move |r| counts(r).units_backordered)
            .col("lost_sales_units", "units customers wanted and could not buy: shown out of stock, or in cancelled oversold orders", move |r| counts(r).lost_sales_units)
    }

    /// The shipment columns of the row's counts, defined once for every table.
    fn shipment_counts(self, counts: impl Fn(&'a R) -> &'a Counts + Copy) -> Self {
        self.col(
            "shipments",
            "shipments sent, reshipments included",
            move |r| counts(r).shipments,
        )
        .col(
            "lines_shipped",
            "order lines in those shipments",
            move |r| counts(r).lines_shipped,
        )
        .cents(
            "shipping_cost_cents",
            "carrier cost of those shipments, cents",
            move |r| counts(r).shipping_cost_cents,
        )
        .col("pick_errors", "shipments picked wrong", move |r| {
            counts(r).pick_errors
        })
    }

    pub(crate) fn table(self, name: &'static str, row: &'static str, wall_clock: bool) -> Table {
        let frame = DataFrame::new(self.rows.len(), self.columns)
            .expect("columns built from the same rows have one height and distinct names");
        Table {
            name,
            row,
            wall_clock,
            frame,
            columns: self.docs,
        }
    }
}

/// The first simulated day of `run` (1970-01-01 if the run does not say).
pub fn start_date(run: &RunData) -> NaiveDate {
    match run.kpi("start_date") {
        Some(KpiValue::Text(text)) => text.parse().ok(),
        _ => None,
    }
    .unwrap_or_default()
}

/// The tables [`build`] makes, by name, in its order.
pub const TABLE_NAMES: [&str; 10] = [
    "summary",
    "daily",
    "warehouse_daily",
    "warehouses",
    "skus",
    "sku_daily",
    "channels",
    "processing_time",
    "latency",
    "latency_histogram",
];

/// Every table of `run`, in report order.
pub fn build(run: &RunData) -> Vec<Table> {
    let start = start_date(run);
    let days = run.number("days").unwrap_or(0.0);
    vec![
        summary(run),
        daily(run, start),
        warehouse_daily(run, start),
        warehouses(run, days),
        skus(run, days),
        sku_daily(run, start),
        channels(run),
        processing_time(run),
        latency(run),
        latency_histogram(run),
    ]
}

/// Lines shipped, capacity and stock per warehouse and day.
fn warehouse_daily(run: &RunData, start: NaiveDate) -> Table {
    Frame::new(&run.warehouse_daily)
        .days(start, |r| r.day)
        .col("warehouse", "warehouse code", |r| r.warehouse.as_str())
        .col(
            "lines_shipped",
            "order lines shipped at the day's cutoff",
            |r| r.lines_shipped,
        )
        .col(
            "capacity_lines",
            "its pick/pack capacity that day, lines",
            |r| r.capacity_lines,
        )
        .col(
            "capacity_use_share",
            "lines_shipped ÷ capacity_lines",
            day_capacity_use_share,
        )
        .col(
            "backlog_lines",
            "paid lines still waiting after the cutoff",
            |r| r.backlog_lines,
        )
        .col("on_hand_units", "on-hand units at the close", |r| {
            r.on_hand_units
        })
        .table("warehouse_daily", "warehouse and day", false)
}

/// Stock, safety stock and reorder point of the top SKUs per day.
fn sku_daily(run: &RunData, start: NaiveDate) -> Table {
    Frame::new(&run.sku_daily)
        .days(start, |r| r.day)
        .col("sku", "SKU code", |r| r.sku.as_str())
        .col(
            "on_hand_units",
            "on-hand units at the close, all warehouses",
            |r| r.on_hand_units,
        )
        .col(
            "safety_stock_units",
            "safety stock, all warehouses (forecast policies; null otherwise)",
            |r| r.safety_stock_units,
        )
        .col(
            "reorder_point_units",
            "reorder point, all warehouses",
            |r| r.reorder_point_units,
        )
        .table(
            "sku_daily",
            "top SKU (the six with the most expected demand) and day",
            false,
        )
}

/// Each sales channel's counts.
fn channels(run: &RunData) -> Table {
    Frame::new(&run.channels)
        .col("channel", "channel code", |r| r.channel.as_str())
        .col("strategy", "its allocation strategy", |r| {
            r.strategy.as_str()
        })
        .order_counts(|r| &r.counts)
        .unit_counts(|r| &r.counts)
        .cents(
            "shipping_cost_cents",
            "carrier cost of its orders' shipments, reshipments included, cents",
            |r| r.counts.shipping_cost_cents,
        )
        .table(
            "channels",
            "sales channel; its counts are those of its orders",
            false,
        )
}

/// The engine calls' latency percentiles.
fn latency(run: &RunData) -> Table {
    Frame::new(&run.latency.kinds)
        .col("call", "engine call kind", |r| r.call.as_str())
        .col("calls", "calls measured", |r| r.calls)
        .col("latency_ns_p50", "median wall-clock latency, ns", |r| {
            r.latency_ns_p50
        })
        .col("latency_ns_p90", "90th percentile, ns", |r| {
            r.latency_ns_p90
        })
        .col("latency_ns_p99", "99th percentile, ns", |r| {
            r.latency_ns_p99
        })
        .col("latency_ns_p999", "99.9th percentile, ns", |r| {
            r.latency_ns_p999
        })
        .col("latency_ns_max", "maximum, ns", |r| r.latency_ns_max)
        .col("latency_ns_mean", "mean, ns", |r| r.latency_ns_mean)
        .table("latency", "engine call kind (from an hdrhistogram)", true)
}

/// The engine calls' latency histogram.
fn latency_histogram(run: &RunData) -> Table {
    Frame::new(&run.latency.histogram)
        .col("call", "engine call kind", |r| r.call.as_str())
        .col(
            "latency_ns_from",
            "bucket's lower edge, ns (exclusive)",
            |r| r.latency_ns_from,
        )
        .col(
            "latency_ns_to",
            "bucket's upper edge, ns (inclusive)",
            |r| r.latency_ns_to,
        )
        .col("calls", "calls in the bucket", |r| r.calls)
        .table(
            "latency_histogram",
            "power-of-two latency bucket of a call kind",
            true,
        )
}

fn summary(run: &RunData) -> Table {
    let readings = kpi::readings(run);
    let target = |r: &KpiReading| run.target(r.kpi.name);
    Frame::new(&readings)
        .col(
            "kpi",
            "KPI name (defined in docs/kpis.md and in `definition`)",
            |r| r.kpi.name,
        )
        .col(
            "value",
            "its value; null when undefined (see `note`) or text",
            |r| r.value.as_f64(),
        )
        .col(
            "text",
            "its value when it is a name or a date",
            |r| match &r.value {
                KpiValue::Text(text) => Some(text.clone()),
                _ => None,
            },
        )
        .col("unit", "what it is counted or measured in", |r| {
            r.kpi.unit.as_str()
        })
        .col("target", "the target it is judged against, if any", |r| {
            target(r).map(|t| t.value)
        })
        .col("target_bound", "`at_least` or `at_most`", |r| {
            target(r).map(|t| t.bound.name())
        })
        .col(
            "meets_target",
            "whether the value meets the target (null without either)",
            |r| Some(target(r)?.met_by(r.value.as_f64()?)),
        )
        .col("note", "why the value is null", |r| r.note.clone())
        .col(
            "definition",
            "what the KPI means, and when it is null",
            |r| r.kpi.described(),
        )
        .table("summary", "KPI", false)
}

fn daily(run: &RunData, start: NaiveDate) -> Table {
    Frame::new(&run.daily)
        .days(start, |r| r.day)
        .col(
            "demand_multiplier",
            "expected orders ÷ base rate (profiles, trend, events)",
            |r| r.demand_multiplier,
        )
        .col(
            "events",
            "calendar events active that day, `;`-separated",
            |r| r.events.as_str(),
        )
        .order_counts(|r| &r.counts)
        .unit_counts(|r| &r.counts)
        .shipment_counts(|r| &r.counts)
        .col(
            "on_hand_units",
            "on-hand units at the close, all cells",
            |r| r.on_hand_units,
        )
        .cents(
            "holding_cost_cents",
            "on-hand units × unit price × `holding_cost_rate_per_year` ÷ 365, summed over cells at the close; the days add up to the run's `holding_cost_cents` to the cent",
            |r| r.holding_cost_cents,
        )
        .col(
            "supplier_orders",
            "supplier orders placed at the close",
            |r| r.supplier_orders,
        )
        .col(
            "safety_stock_units",
            "safety stock summed over cells at the close (forecast policies; null otherwise)",
            |r| r.safety_stock_units,
        )
        .col(
            "stockout_skus",
            "SKUs with no free unit in any warehouse at the close",
            |r| r.stockout_skus,
        )
        .col(
            "processing_time_hours_p50",
            "median processing hours of the orders placed that day and shipped complete (null if none)",
            |r| r.processing_time_hours_p50,
        )
        .col("processing_time_hours_p95", "95th percentile", |r| {
            r.processing_time_hours_p95
        })
        .col("processing_time_hours_p99", "99th percentile", |r| {
            r.processing_time_hours_p99
        })
        .table("daily", "simulated day; its order, unit and shipment counts are those of the orders placed that day (and the lines shown out of stock that day), whenever they shipped", false)
}

fn warehouses(run: &RunData, days: f64) -> Table {
    Frame::new(&run.warehouses)
        .col("warehouse", "warehouse code", |r| r.warehouse.as_str())
        .col(
            "capacity_lines_per_day",
            "pick/pack capacity, order lines a day",
            |r| r.capacity_lines_per_day,
        )
        .shipment_counts(|r| &r.counts)
        .col(
            "capacity_use_share",
            "lines_shipped ÷ (capacity × days)",
            move |r| capacity_use_share(r, days),
        )
        .col("peak_day_lines", "most lines shipped in one day", |r| {
            r.peak_day_lines
        })
        .col(
            "saturated_days",
            "days its cutoff left paid lines behind",
            |r| r.saturated_days,
        )
        .col(
            "units_shipped",
            "units shipped against placed orders (reshipments excluded)",
            |r| r.counts.units_shipped,
        )
        .col("units_backordered", "units backordered on it", |r| {
            r.counts.units_backordered
        })
        .col(
            "average_on_hand_units",
            "mean on-hand units at the closes",
            |r| r.average_on_hand_units,
        )
        .col("peak_on_hand_units", "most on-hand units at a close", |r| {
            r.peak_on_hand_units
        })
        .col(
            "storage_capacity_units",
            "storage capacity, units (null if the scenario gives none)",
            |r| r.storage_capacity_units,
        )
        .col(
            "peak_storage_use_share",
            "peak_on_hand_units ÷ storage_capacity_units",
            |r| {
                r.storage_capacity_units
                    .and_then(|c| share(r.peak_on_hand_units as f64, c as f64))
            },
        )
        .table("warehouses", "warehouse; its counts are those of the shipments it sent and the units backordered on it", false)
}

/// A warehouse's lines shipped ÷ its capacity over `days` (null without capacity or days): the
/// `warehouses` table's `capacity_use_share`, and the HTML's.
pub fn capacity_use_share(w: &WarehouseRow, days: f64) -> Option<f64> {
    share(
        w.counts.lines_shipped as f64,
        w.capacity_lines_per_day as f64 * days,
    )
}

/// A warehouse-day's lines shipped ÷ its capacity that day (null without capacity): the
/// `warehouse_daily` table's `capacity_use_share`, and the HTML's load chart.
pub fn day_capacity_use_share(r: &WarehouseDayRow) -> Option<f64> {
    share(r.lines_shipped as f64, r.capacity_lines as f64)
}

/// ABC class per SKU by ordered value (units ordered × unit price).
pub fn abc_classes(skus: &[SkuRow]) -> Vec<&'static str> {
    let value = |s: &SkuRow| s.unit_price_cents.times(s.counts.units_ordered).as_f64();
    let mut order: Vec<usize> = (0..skus.len()).collect();
    order.sort_by(|&a, &b| value(&skus[b]).total_cmp(&value(&skus[a])).then(a.cmp(&b)));
    let total: f64 = skus.iter().map(value).sum();
    let mut classes = vec!["C"; skus.len()];
    let mut before = 0.0;
    for i in order {
        let v = value(&skus[i]);
        if v > 0.0 {
            // A SKU belongs to the class its first unit of value falls in.
            classes[i] = if before < ABC_A_SHARE * total {
                "A"
            } else if before < ABC_B_SHARE * total {
                "B"
            } else {
                "C"
            };
        }
        before += v;
    }
    classes
}

/// Syntetos-Boylan-Croston demand pattern: smooth, erratic, intermittent, lumpy (or none).
pub fn demand_pattern(demand_days: u32, days: f64, cv2: Option<f64>) -> &'static str {
    if demand_days == 0 {
        return "none";
    }
    let adi = days / demand_days as f64;
    let variable = cv2.unwrap_or(0.0) > SBC_CV2;
    match (adi > SBC_ADI, variable) {
        (false, false) => "smooth",
        (false, true) => "erratic",
        (true, false) => "intermittent",
        (true, true) => "lumpy",
    }
}

fn skus(run: &RunData, days: f64) -> Table {
    let abc = abc_classes(&run.skus);
    let rows: Vec<(&SkuRow, &str)> = run.skus.iter().zip(abc).collect();
    Frame::new(&rows)
        .col("sku", "SKU code", |(r, _)| r.sku.as_str())
        .col("abc_class", "A: SKUs making the first 80 % of ordered value (units × price), B: the next 15 %, C: the rest", |(_, c)| *c)
        .col("demand_pattern", "smooth, erratic, intermittent or lumpy (Syntetos-Boylan-Croston: mean demand interval 1.32 days, squared CV of sizes 0.49), none without demand", |(r, _)| {
            demand_pattern(r.demand_days, days, r.demand_size_cv2)
        })
        .col("replenishment_class", "fast, slow or intermittent, as in the summary's `*_fast` / `*_slow` / `*_intermittent` KPIs", |(r, _)| r.replenishment_class.as_str())
        .cents("unit_price_cents", "unit price, cents", |(r, _)| r.unit_price_cents)
        .unit_counts(|(r, _)| &r.counts)
        .cents("ordered_value_cents", "units_ordered × unit_price_cents", |(r, _)| r.unit_price_cents.times(r.counts.units_ordered))
        .col("demand_days", "days with units held, backordered or lost", |(r, _)| r.demand_days)
        .col("demand_interval_days_mean", "days ÷ demand_days (ADI; null without demand)", |(r, _)| {
            share(days, r.demand_days as f64)
        })
        .col("demand_size_cv2", "squared coefficient of variation of the demand on demand days", |(r, _)| r.demand_size_cv2)
        .col("average_on_hand_units", "mean on-hand units at the closes, all warehouses", |(r, _)| r.average_on_hand_units)
        .col("stockout_days", "closes with no free unit in any warehouse", |(r, _)| r.stockout_days)
        .col("average_safety_stock_units", "mean safety stock at the closes, all warehouses (forecast policies; null under the `days` policy)", |(r, _)| r.average_safety_stock_units)
        .col("achieved_fill_rate", "after the warm-up, units the SKU's cells served from their own stock ÷ units they were the natural source of: the summary's `achieved_fill_rate` for this SKU (null without such units)", |(r, _)| r.achieved_fill_rate)
        .col("forecast_mae_units", "mean absolute one-day-ahead forecast error per series-day (this SKU at each warehouse, each day scored); null when none was scored", |(r, _)| r.forecast_mae_units)
        .table("skus", "SKU; its unit counts are those of its order lines", false)
}

fn processing_time(run: &RunData) -> Table {
    let total: u64 = run.processing_time.iter().map(|b| b.orders).sum();
    let mut running = 0;
    let rows: Vec<(&ProcessingBin, u64)> = run
        .processing_time
        .iter()
        .map(|b| {
            running += b.orders;
            (b, running)
        })
        .collect();
    Frame::new(&rows)
        .col(
            "processing_time_hours_from",
            "bin's lower edge, hours (inclusive)",
            |(b, _)| b.processing_time_hours_from,
        )
        .col(
            "processing_time_hours_to",
            "bin's upper edge, hours (exclusive; null for the last, open bin)",
            |(b, _)| b.processing_time_hours_to,
        )
        .col(
            "orders",
            "orders shipped complete whose processing time fell in the bin",
            |(b, _)| b.orders,
        )
        .col(
            "cumulative_share",
            "share of orders shipped complete up to the bin's upper edge",
            |(_, c)| share(*c as f64, total as f64),
        )
        .table("processing_time", "processing-time bin", false)
}

/// A small run with one row in every table, so the reference lists every column.
fn sample() -> RunData {
    RunData {
        daily: vec![DayRow::default()],
        warehouses: vec![WarehouseRow::default()],
        warehouse_daily: vec![WarehouseDayRow::default()],
        skus: vec![SkuRow::default()],
        sku_daily: vec![SkuDayRow::default()],
        channels: vec![ChannelRow::default()],
        processing_time: vec![ProcessingBin::default()],
        latency: LatencyData {
            kinds: vec![LatencyRow::default()],
            histogram: vec![LatencyBucket::default()],
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The definition of `column` in table `table`, as in `docs/tables.md`; `None` for a column the
/// tables do not have.
pub fn definition(table: &str, column: &str) -> Option<&'static str> {
    type Catalog = Vec<(&'static str, Vec<(&'static str, &'static str)>)>;
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    let catalog = CATALOG.get_or_init(|| {
        build(&sample())
            .into_iter()
            .map(|t| (t.name, t.columns))
            .collect()
    });
    let (_, columns) = catalog.iter().find(|(name, _)| *name == table)?;
    columns
        .iter()
        .find(|(name, _)| *name == column)
        .map(|(_, d)| *d)
}

/// `docs/tables.md`'s reference of every table and column, generated from [`build`].
pub fn markdown_reference() -> String {
    let mut out = String::new();
    for table in build(&sample()) {
        let clock = if table.wall_clock {
            " Wall clock: not reproducible."
        } else {
            ""
        };
        out += &format!(
            "**`{}`** — one row per {}.{clock}\n\n| column | type | definition |\n| --- | --- | --- |\n",
            table.name, table.row
        );
        for ((name, definition), column) in table.columns.iter().zip(table.frame.columns()) {
            out += &format!(
                "| `{name}` | {} | {} |\n",
                column.dtype(),
                definition.replace('|', "\\|")
            );
        }
        out += "\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sku(units: u64, price: u64) -> SkuRow {
        SkuRow {
            counts: Counts {
                units_ordered: units,
                ..Counts::default()
            },
            unit_price_cents: Cents::new(price),
            ..Default::default()
        }
    }

    /// The names the export removes stale files by are the tables [`build`] makes.
    #[test]
    fn table_names_are_the_tables_built() {
        let names: Vec<&str> = build(&sample()).into_iter().map(|t| t.name).collect();
        assert_eq!(names, TABLE_NAMES);
    }

    #[test]
    fn abc_splits_by_ordered_value() {
        // Values 700, 150, 100, 40, 10 of 1000: A takes the first 80 % (700 starts at 0,
        // 150 starts at 700 < 800), B up to 95 % (100 starts at 850), C the rest.
        let skus = [
            sku(7, 100),
            sku(15, 10),
            sku(1, 100),
            sku(4, 10),
            sku(1, 10),
            sku(0, 5),
        ];
        assert_eq!(abc_classes(&skus), ["A", "A", "B", "C", "C", "C"]);
    }

    #[test]
    fn demand_patterns_follow_the_sbc_cutoffs() {
        assert_eq!(demand_pattern(100, 100.0, Some(0.2)), "smooth");
        assert_eq!(demand_pattern(100, 100.0, Some(0.6)), "erratic");
        assert_eq!(demand_pattern(50, 100.0, Some(0.2)), "intermittent");
        assert_eq!(demand_pattern(50, 100.0, Some(0.6)), "lumpy");
        assert_eq!(demand_pattern(0, 100.0, None), "none");
    }

    #[test]
    fn dates_are_dates_counted_from_the_start() {
        let run = RunData {
            kpis: vec![("start_date".into(), KpiValue::Text("2026-11-26".into()))],
            daily: vec![
                DayRow {
                    day: 0,
                    ..Default::default()
                },
                DayRow {
                    day: 2,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let table = daily(&run, start_date(&run));
        let dates = table.frame.column("date").unwrap();
        assert_eq!(dates.dtype(), &DataType::Date);
        let text: Vec<String> = (0..2).map(|i| dates.get(i).unwrap().to_string()).collect();
        assert_eq!(text, ["2026-11-26", "2026-11-28"]);
    }
}
