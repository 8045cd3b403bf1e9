//! KPIs of a run. Simulated-time KPIs (deterministic, in `summary.json`) and wall-clock
//! engine latency (in `latency.json`) are kept apart: they are never mixed.

use serde::Serialize;

/// The deterministic KPIs of one run. Every formula is in the README.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Seed used.
    pub seed: u64,
    /// Days simulated.
    pub days: u32,
    /// Orders customers placed.
    pub orders_placed: u64,
    /// Orders the engine held (carts).
    pub orders_held: u64,
    /// Orders refused for lack of stock (lost sales).
    pub orders_rejected: u64,
    /// Carts never paid: their holds expired.
    pub orders_abandoned: u64,
    /// Orders paid.
    pub orders_confirmed: u64,
    /// Orders whose every unit shipped.
    pub orders_shipped_complete: u64,
    /// orders_shipped_complete ÷ orders_placed.
    pub order_fulfillment_rate: f64,
    /// Units ordered.
    pub units_ordered: u64,
    /// Units shipped.
    pub units_shipped: u64,
    /// units_shipped ÷ units_ordered.
    pub unit_fill_rate: f64,
    /// Units of rejected orders.
    pub lost_sales_units: u64,
    /// Shipments sent.
    pub shipments: u64,
    /// Confirmed orders shipped from more than one warehouse ÷ confirmed orders.
    pub split_shipment_rate: f64,
    /// Carrier cost of all shipments, cents.
    pub shipping_cost_cents: u64,
    /// shipping_cost_cents ÷ orders shipped complete.
    pub shipping_cost_cents_per_order: f64,
    /// Hours from placement to shipment: mean.
    pub processing_time_hours_mean: f64,
    /// Hours from placement to shipment: median.
    pub processing_time_hours_p50: f64,
    /// Hours from placement to shipment: 95th percentile.
    pub processing_time_hours_p95: f64,
    /// Share of shipped orders that shipped within 24 h of placement.
    pub shipped_within_24h_share: f64,
    /// Units held by carts that were abandoned, times the hours they were held.
    pub held_but_abandoned_unit_hours: f64,
    /// Supplier orders placed.
    pub supplier_orders: u64,
    /// Units received from suppliers.
    pub units_received: u64,
    /// Mean on-hand units at the daily close.
    pub average_on_hand_units: f64,
    /// (SKU, warehouse) cells with no free unit at a daily close, summed over days.
    pub stockout_cell_days: u64,
    /// Engine events received by the simulator's subscriber.
    pub engine_events: u64,
}

/// One day of the run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DayRow {
    /// Day index from 0.
    pub day: u32,
    /// Orders placed that day.
    pub orders_placed: u64,
    /// Orders rejected that day.
    pub orders_rejected: u64,
    /// Units shipped at that day's close.
    pub units_shipped: u64,
    /// On-hand units at the close.
    pub on_hand_units: u64,
}

/// Wall-clock latency of engine calls, nanoseconds (not deterministic: kept out of the summary).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Latency {
    /// Reserve calls measured.
    pub reserve_calls: u64,
    /// Median, ns.
    pub reserve_latency_ns_p50: u64,
    /// 99th percentile, ns.
    pub reserve_latency_ns_p99: u64,
    /// 99.9th percentile, ns.
    pub reserve_latency_ns_p999: u64,
    /// Maximum, ns.
    pub reserve_latency_ns_max: u64,
    /// Engine calls of every kind per second of wall time spent inside the engine.
    pub engine_calls_per_second: f64,
}

/// Ratio that reports 0 for an empty denominator instead of NaN.
pub fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 { numerator / denominator } else { 0.0 }
}

/// Percentile of sorted values (nearest rank); 0 for none.
pub fn percentile(sorted: &[u64], quantile: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((quantile * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}
