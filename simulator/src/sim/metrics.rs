//! KPIs of a run. Simulated-time KPIs (deterministic, in `summary.json`) and wall-clock
//! engine latency (in `latency.json`) are kept apart: they are never mixed.

use hdrhistogram::Histogram;
use qm_money::Cents;
pub use qm_reports::run::{LatencyBucket, LatencyData, LatencyRow};
use serde::Serialize;

/// The deterministic KPIs of one run. Every formula is in `docs/kpis.md`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Seed used.
    pub seed: u64,
    /// First simulated day.
    pub start_date: String,
    /// Days simulated.
    pub days: u32,
    /// Orders customers submitted (lines the channel showed out of stock are not in them).
    pub orders_placed: u64,
    /// Orders the engine held in full or in part (carts).
    pub orders_held: u64,
    /// Orders the channel accepted for which the network lacked units: rejected or backordered
    /// for want of stock, or left incomplete by a short pick (shrinkage).
    pub orders_oversold: u64,
    /// The units the network lacked for them.
    pub oversold_units: u64,
    /// Oversold orders cancelled (the channel's `oversold = "cancel"`).
    pub orders_cancelled_oversold: u64,
    /// Orders refused although the channel's warehouses together had every unit, cancelled.
    pub orders_rejected_with_stock: u64,
    /// Carts never paid: their holds expired.
    pub orders_abandoned: u64,
    /// Payments that failed (hold released).
    pub orders_payment_failed: u64,
    /// Customers who paid after their hold had expired: the checkout reserved the order again.
    pub orders_rereserved_at_payment: u64,
    /// Late payers whose second reserve failed (or whose payment failed): the sale was lost.
    pub orders_lost_hold_expired: u64,
    /// Orders paid.
    pub orders_confirmed: u64,
    /// Placed orders the customer went through with: not abandoned in the cart, payment not
    /// failed, and not still in flight at the end.
    pub orders_to_ship: u64,
    /// Orders placed on the last day still waiting for their cutoff when the run ended.
    pub orders_in_flight_at_end: u64,
    /// Orders with at least one shipment shipped.
    pub orders_shipped: u64,
    /// Orders whose every ordered unit shipped.
    pub orders_shipped_complete: u64,
    /// Recorded demand only: orders (invoices) of the history inside the horizon.
    pub recorded_orders: u64,
    /// Recorded demand only: recorded orders whose every line was placed and shipped complete —
    /// what the scenario's network could have shipped of the history.
    pub recorded_orders_shipped_complete: u64,
    /// recorded_orders_shipped_complete ÷ recorded_orders.
    pub recorded_order_completion_rate: f64,
    /// Recorded demand only: SKUs of the history missing from the scenario's catalog, added with defaults.
    pub recorded_skus_added: u64,
    /// Recorded cancellations that released an order before it shipped.
    pub recorded_cancellations_released: u64,
    /// Recorded cancellations and returns replayed as returns of shipped units.
    pub recorded_undos_returned: u64,
    /// Recorded cancellations and returns that could not be replayed (their line was never
    /// placed, or never shipped within 30 days).
    pub recorded_undos_unapplied: u64,
    /// Units the history wrote off, replayed as stock adjustments.
    pub recorded_write_off_units: u64,
    /// Orders shipped complete, right first time (no short pick, no pick error).
    pub orders_shipped_accurate: u64,
    /// orders_shipped_complete ÷ orders_placed.
    pub order_fulfillment_rate: f64,
    /// orders_shipped_accurate ÷ orders_shipped_complete.
    pub order_accuracy: f64,
    /// Units in placed orders.
    pub units_ordered: u64,
    /// Units shipped against placed orders (reshipments not counted).
    pub units_shipped: u64,
    /// Units in the orders to ship (placed, less abandoned carts and failed payments).
    pub units_to_ship: u64,
    /// units_shipped ÷ units_to_ship.
    pub unit_fill_rate: f64,
    /// units_shipped ÷ (units_to_ship + lost_sales_units_not_shown).
    pub demand_fill_rate: f64,
    /// Orders with units backordered.
    pub orders_backordered: u64,
    /// Units backordered.
    pub units_backordered: u64,
    /// Backordered units later filled by receipts or returns.
    pub backorder_units_filled: u64,
    /// Units customers wanted and could not buy: lines shown out of stock plus cancelled oversold orders.
    pub lost_sales_units: u64,
    /// Of those, units in lines the channel showed out of stock.
    pub lost_sales_units_not_shown: u64,
    /// Of lost units, those that free stock plus units held in carts would have covered.
    pub lost_sales_units_to_holds: u64,
    /// For every hold that expired (abandoned carts and late payers alike): its units × the TTL
    /// in hours.
    pub expired_hold_unit_hours: f64,
    /// Shipments sent (reshipments included).
    pub shipments: u64,
    /// Confirmed orders shipped from more than one warehouse ÷ confirmed orders.
    pub split_shipment_rate: f64,
    /// Carrier cost of all shipments.
    pub shipping_cost_cents: Cents,
    /// shipping_cost_cents ÷ orders_shipped.
    pub shipping_cost_cents_per_order: f64,
    /// Great-circle km from warehouse to customer, summed over shipments, ÷ orders_shipped.
    pub shipping_distance_km_per_order: f64,
    /// The least carrier cost at which any allocation could have shipped the units this run
    /// shipped (the shipping-cost bound); null when the run does not compute it.
    pub shipping_cost_lower_bound_cents: Option<Cents>,
    /// (shipping_cost_cents − the bound) ÷ the bound: how much more than the least cost the run
    /// paid the carriers; null without a bound, or with a bound of zero.
    pub shipping_cost_above_bound_share: Option<f64>,
    /// How the bound relaxed a shipment's base price: `unit_share` or `line_share`; null
    /// without a bound.
    pub shipping_cost_bound_relaxation: Option<String>,
    /// Hours from placement to the last shipment of an order shipped complete: mean.
    pub processing_time_hours_mean: f64,
    /// Median.
    pub processing_time_hours_p50: f64,
    /// 95th percentile.
    pub processing_time_hours_p95: f64,
    /// Share of orders shipped complete within 24 h of placement.
    pub shipped_within_24h_share: f64,
    /// Share within 48 h.
    pub shipped_within_48h_share: f64,
    /// Days from placement to delivery (last shipment's carrier transit): mean.
    pub delivery_time_days_mean: f64,
    /// Days on which an event raises demand (ramps included).
    pub peak_days: u32,
    /// Orders placed on peak days.
    pub peak_orders_placed: u64,
    /// Of those, orders the customer went through with.
    pub peak_orders_to_ship: u64,
    /// Of those, orders shipped complete (by the end of the run).
    pub peak_orders_shipped_complete: u64,
    /// peak_orders_shipped_complete ÷ peak_orders_to_ship.
    pub peak_order_fulfillment_rate: f64,
    /// Units in orders placed on peak days.
    pub peak_units_ordered: u64,
    /// Of those, units in peak orders to ship.
    pub peak_units_to_ship: u64,
    /// Units of peak orders shipped.
    pub peak_units_shipped: u64,
    /// Units in lines shown out of stock on peak days.
    pub peak_lost_sales_units_not_shown: u64,
    /// peak_units_shipped ÷ (peak_units_to_ship + peak_lost_sales_units_not_shown).
    pub peak_demand_fill_rate: f64,
    /// 95th percentile processing hours of peak orders shipped complete.
    pub peak_processing_time_hours_p95: f64,
    /// Shipments picked wrong (each leads to a return and a reshipment).
    pub pick_errors: u64,
    /// Reshipments sent after pick errors.
    pub reshipments: u64,
    /// Units that vanished from shelves (unknown to the engine until found).
    pub units_shrunk: u64,
    /// Shrunk units found at pick time (the line shipped short).
    pub units_short_picked: u64,
    /// Shrunk units found by cycle counts.
    pub units_found_by_cycle_count: u64,
    /// Units customers returned.
    pub units_returned: u64,
    /// Of those, units back on the shelf.
    pub units_restocked: u64,
    /// Supplier orders placed.
    pub supplier_orders: u64,
    /// Units received from suppliers.
    pub units_received: u64,
    /// Mean on-hand units at the daily close.
    pub average_on_hand_units: f64,
    /// Most on-hand units at a daily close.
    pub peak_on_hand_units: u64,
    /// SKUs with no free unit in any warehouse at a daily close, summed over days.
    pub stockout_sku_days: u64,
    /// Σ over days of on-hand units × unit price, × holding rate ÷ 365, rounded once.
    pub holding_cost_cents: Cents,
    /// Supplier orders × the cost of placing one (`replenishment.order_cost_cents`).
    pub ordering_cost_cents: Cents,
    /// Units shipped ÷ mean on-hand units, scaled to a year.
    pub inventory_turns_per_year: f64,
    /// Reorder policy: days, s_q, s_s or r_s (`replenishment.policy`).
    pub replenishment_policy: String,
    /// Forecast method of every SKU × warehouse series.
    pub forecast_method: String,
    /// Safety stock method: normal, fill_rate, empirical, quantile (days_of_demand under the days policy).
    pub safety_stock_method: String,
    /// The cycle service level the safety stock promises (normal and empirical methods).
    pub target_cycle_service_level: Option<f64>,
    /// The fill rate the safety stock promises (fill_rate method).
    pub target_fill_rate: Option<f64>,
    /// Mean over days of Σ safety stock over cells, units; null under the days policy, which
    /// keeps none apart from its reorder point.
    pub average_safety_stock_units: Option<f64>,
    /// Series-days scored by the forecast error measures.
    pub forecast_days_scored: u64,
    /// Mean absolute one-day-ahead error per series and day, units.
    pub forecast_mae_units: f64,
    /// Root mean squared one-day-ahead error, units.
    pub forecast_rmse_units: f64,
    /// Mean of |error| ÷ demand over series-days with demand (days without demand have no
    /// percentage error), a share; null when no scored series-day had demand.
    pub forecast_mape: Option<f64>,
    /// Σ |error| ÷ Σ demand, a share; null when nothing was demanded on the scored days.
    pub forecast_wape: Option<f64>,
    /// MAE ÷ the naive method's in-sample MAE, pooled over series (null if demand never moved).
    pub forecast_mase: Option<f64>,
    /// Mean of forecast − demand per series and day, units: positive = over-forecast.
    pub forecast_bias_units: f64,
    /// Replenishment cycles (receipt to receipt) that began after the warm-up and ended in the run.
    pub replenishment_cycles: u64,
    /// Share of those cycles without a stockout (null when none ended).
    pub achieved_cycle_service_level: Option<f64>,
    /// After the warm-up, the share of the units whose natural source was a cell (the channel's
    /// warehouse nearest the customer) that the cell served from its own stock.
    pub achieved_fill_rate: Option<f64>,
    /// After the warm-up, the share of demanded units the network served from stock, whichever
    /// warehouse.
    pub achieved_network_fill_rate: Option<f64>,
    /// SKUs classed fast: not intermittent, and among those making 80 % of units.
    pub fast_skus: u64,
    /// SKUs classed slow: not intermittent, the remaining 20 % of units.
    pub slow_skus: u64,
    /// SKUs classed intermittent: mean interval between demand days above 1.32 days.
    pub intermittent_skus: u64,
    /// Achieved cycle service level of the fast SKUs.
    pub achieved_cycle_service_level_fast: Option<f64>,
    /// Achieved cycle service level of the slow SKUs.
    pub achieved_cycle_service_level_slow: Option<f64>,
    /// Achieved cycle service level of the intermittent SKUs.
    pub achieved_cycle_service_level_intermittent: Option<f64>,
    /// Achieved fill rate of the fast SKUs.
    pub achieved_fill_rate_fast: Option<f64>,
    /// Achieved fill rate of the slow SKUs.
    pub achieved_fill_rate_slow: Option<f64>,
    /// Achieved fill rate of the intermittent SKUs.
    pub achieved_fill_rate_intermittent: Option<f64>,
    /// Warehouse-days whose cutoff left paid work behind for lack of capacity.
    pub capacity_saturated_warehouse_days: u64,
    /// Engine events received by the simulator's subscriber.
    pub engine_events: u64,
}

/// Engine calls whose wall-clock latency is recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// `reserve`.
    Reserve,
    /// `confirm`.
    Confirm,
    /// `release`.
    Release,
    /// `expire_holds`.
    ExpireHolds,
    /// `ship`.
    Ship,
    /// `short_pick`.
    ShortPick,
    /// `receive`.
    Receive,
    /// `restock_return`.
    RestockReturn,
    /// `adjust`.
    Adjust,
}

impl CallKind {
    /// Every kind, in report order.
    pub const ALL: [CallKind; 9] = [
        CallKind::Reserve,
        CallKind::Confirm,
        CallKind::Release,
        CallKind::ExpireHolds,
        CallKind::Ship,
        CallKind::ShortPick,
        CallKind::Receive,
        CallKind::RestockReturn,
        CallKind::Adjust,
    ];

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            CallKind::Reserve => "reserve",
            CallKind::Confirm => "confirm",
            CallKind::Release => "release",
            CallKind::ExpireHolds => "expire_holds",
            CallKind::Ship => "ship",
            CallKind::ShortPick => "short_pick",
            CallKind::Receive => "receive",
            CallKind::RestockReturn => "restock_return",
            CallKind::Adjust => "adjust",
        }
    }
}

/// Wall-clock latency histograms, one per call kind.
pub struct LatencyRecorder {
    histograms: Vec<Histogram<u64>>,
    total_ns: u64,
    order_lines_reserved: u64,
}

impl Default for LatencyRecorder {
    fn default() -> Self {
        // 3 significant digits, 1 ns to 100 s: about 30 KB a kind.
        let make = || Histogram::new_with_bounds(1, 100_000_000_000, 3).expect("valid bounds");
        Self {
            histograms: CallKind::ALL.iter().map(|_| make()).collect(),
            total_ns: 0,
            order_lines_reserved: 0,
        }
    }
}

impl LatencyRecorder {
    /// Runs `call` and records its wall time under `kind`.
    // Wall time is the point here: engine latency, reported apart from simulated KPIs.
    #[allow(clippy::disallowed_methods)]
    #[inline]
    pub fn time<T>(&mut self, kind: CallKind, call: impl FnOnce() -> T) -> T {
        let start = std::time::Instant::now();
        let result = call();
        let ns = (start.elapsed().as_nanos() as u64).max(1);
        self.histograms[kind as usize].saturating_record(ns);
        self.total_ns += ns;
        result
    }

    /// Counts the order lines of a measured `reserve` call.
    pub fn reserved_lines(&mut self, lines: usize) {
        self.order_lines_reserved += lines as u64;
    }

    /// Percentiles and power-of-two buckets per kind, and the overall call rate.
    pub fn report(&self) -> LatencyData {
        let calls: u64 = self.histograms.iter().map(|h| h.len()).sum();
        let used = || {
            CallKind::ALL
                .iter()
                .zip(&self.histograms)
                .filter(|(_, h)| !h.is_empty())
        };
        LatencyData {
            calls,
            engine_seconds: self.total_ns as f64 / 1e9,
            engine_calls_per_second: ratio(calls as f64, self.total_ns as f64 / 1e9),
            order_lines_reserved: self.order_lines_reserved,
            histogram: used()
                .flat_map(|(kind, h)| {
                    // Buckets (2^(k-1), 2^k] ns from the first call to the slowest.
                    h.iter_log(1, 2.0).map(move |v| LatencyBucket {
                        call: kind.name().into(),
                        latency_ns_from: v.value_iterated_to() / 2,
                        latency_ns_to: v.value_iterated_to(),
                        calls: v.count_since_last_iteration(),
                    })
                })
                .collect(),
            kinds: used()
                .map(|(kind, h)| LatencyRow {
                    call: kind.name().into(),
                    calls: h.len(),
                    latency_ns_p50: h.value_at_quantile(0.5),
                    latency_ns_p90: h.value_at_quantile(0.9),
                    latency_ns_p99: h.value_at_quantile(0.99),
                    latency_ns_p999: h.value_at_quantile(0.999),
                    latency_ns_max: h.max(),
                    latency_ns_mean: h.mean(),
                })
                .collect(),
        }
    }
}

/// Ratio that reports 0 for an empty denominator instead of NaN.
pub fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        0.0
    }
}

/// Percentile of sorted values (nearest rank); 0 for none.
pub fn percentile(sorted: &[u64], quantile: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((quantile * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}
