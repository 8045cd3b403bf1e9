//! The KPI catalog: every summary KPI's name, unit and definition, in report order. It is the
//! one source of the definitions: the summary table carries them, and `docs/kpis.md`
//! is generated from it ([`markdown_table`]; a test keeps the two equal).

use crate::run::{KpiValue, RunData, Target};
use crate::unit::Unit;

/// One KPI of the summary.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kpi {
    /// Its name in every format.
    pub name: &'static str,
    /// What it counts or measures in: `orders`, `units`, `share`, `hours`, `cents`, …
    pub unit: Unit,
    /// A KPI it is divided by: when that is 0 the KPI is undefined, reported as null.
    pub per: Option<&'static str>,
    /// When else the KPI is undefined (null), in words: the note a null value carries.
    pub undefined_when: Option<&'static str>,
    /// What it means.
    pub definition: &'static str,
}

impl Kpi {
    /// Whether the KPI measures the run, rather than naming it (scenario, seed, start date,
    /// days): only a measure has a mean and an interval over replications.
    pub fn is_measured(&self) -> bool {
        self.has_differences() && self.name != "days"
    }

    /// Whether the difference of two runs' values means something: not for names and dates,
    /// nor for the seed, which identifies a run's random draws and measures nothing.
    pub fn has_differences(&self) -> bool {
        !matches!(self.unit, Unit::Text | Unit::Date) && self.name != "seed"
    }

    /// Its definition as every table and document gives it: with when it is null, where the
    /// catalog says (a rate whose denominator is 0 is null by the general rule).
    pub fn described(&self) -> String {
        match self.undefined_when {
            Some(why) => format!("{}; null when {why}", self.definition),
            None => self.definition.to_string(),
        }
    }

    /// The same KPI, undefined (null) also when `why`.
    const fn undefined_when(self, why: &'static str) -> Kpi {
        Kpi {
            undefined_when: Some(why),
            ..self
        }
    }
}

const fn k(name: &'static str, unit: Unit, definition: &'static str) -> Kpi {
    Kpi {
        name,
        unit,
        per: None,
        undefined_when: None,
        definition,
    }
}

const fn r(name: &'static str, unit: Unit, per: &'static str, definition: &'static str) -> Kpi {
    Kpi {
        name,
        unit,
        per: Some(per),
        undefined_when: None,
        definition,
    }
}

/// Why a fill rate counted after the warm-up is undefined.
const NO_DEMAND_AFTER_WARMUP: &str = "no unit was demanded after the warm-up (the run ended inside `replenishment.warmup_days`, or no demand followed it)";

/// Every summary KPI, in report order.
pub const KPIS: &[Kpi] = &[
    k("scenario", Unit::Text, "the scenario's name"),
    k("seed", Unit::Count, "the seed of every random draw"),
    k("start_date", Unit::Date, "the first simulated day"),
    k("days", Unit::Days, "days simulated (closed)"),
    k("orders_placed", Unit::Orders, "orders customers submitted; lines the channel showed out of stock are not in them (they are lost sales)"),
    k("orders_held", Unit::Orders, "placed orders the engine held in full or in part (cart holds)"),
    k("orders_oversold", Unit::Orders, "orders the channel accepted (it showed stock for every line) for which the network lacked units: rejected or backordered for want of stock, or left incomplete by a short pick"),
    k("oversold_units", Unit::Units, "the units the network lacked for those orders: short at the reserve (per SKU, free units over the channel's warehouses after buffers), backordered, or short at pick time"),
    k("orders_cancelled_oversold", Unit::Orders, "oversold orders cancelled (channels with `oversold = \"cancel\"`)"),
    k("orders_rejected_with_stock", Unit::Orders, "orders the engine refused although the channel's warehouses together had every unit (no single warehouse held it all, or capacity): cancelled, not oversold"),
    k("orders_abandoned", Unit::Orders, "carts never paid: their holds expired"),
    k("orders_payment_failed", Unit::Orders, "payments that failed: the hold was released"),
    k("orders_rereserved_at_payment", Unit::Orders, "customers who paid after their hold had expired: the checkout reserved the order again (every unit or none) and, when that held, confirmed it"),
    k("orders_lost_hold_expired", Unit::Orders, "late payers whose second reserve failed, and late payers whose payment failed: the sale was lost"),
    k("orders_confirmed", Unit::Orders, "orders paid in time"),
    k("orders_to_ship", Unit::Orders, "placed orders the customer went through with: `orders_placed` − `orders_abandoned` − `orders_payment_failed` − `orders_in_flight_at_end`. Orders lost to an expired hold, oversold and cancelled, or stuck in a backlog stay in: they are the shop's failures, not the customer's choice"),
    k("orders_in_flight_at_end", Unit::Orders, "orders placed on the last day and still open when the run ended: their cutoff had not come, so they count neither as fulfilled nor as failed (their unshipped units leave `units_to_ship` too)"),
    k("orders_shipped", Unit::Orders, "orders with at least one shipment shipped"),
    k("orders_shipped_complete", Unit::Orders, "orders whose every ordered unit shipped"),
    k("recorded_orders", Unit::Orders, "recorded demand: orders (invoices) of the history inside the horizon (an invoice of more than 64 lines is placed as several orders)"),
    k("recorded_orders_shipped_complete", Unit::Orders, "recorded orders whose every line was placed (shown in stock) and shipped complete: what the scenario's network could have shipped of the history"),
    r("recorded_order_completion_rate", Unit::Share, "recorded_orders", "`recorded_orders_shipped_complete` ÷ `recorded_orders`"),
    k("recorded_skus_added", Unit::Skus, "SKUs of the history missing from the scenario's catalog, added with the catalog's default weight and their median recorded price"),
    k("recorded_cancellations_released", Unit::Orders, "recorded cancellations that released their order before anything shipped"),
    k("recorded_undos_returned", Unit::Lines, "recorded cancellations and returns replayed as returns of shipped units"),
    k("recorded_undos_unapplied", Unit::Lines, "recorded cancellations and returns that could not be replayed: their line was never placed, or not shipped within 30 days"),
    k("recorded_write_off_units", Unit::Units, "units the history wrote off (damaged, lost), replayed as stock adjustments from the warehouse with the most free units"),
    k("orders_shipped_accurate", Unit::Orders, "orders shipped complete with no short pick and no pick error"),
    r("order_fulfillment_rate", Unit::Share, "orders_to_ship", "`orders_shipped_complete` ÷ `orders_to_ship`"),
    r("order_accuracy", Unit::Share, "orders_shipped_complete", "`orders_shipped_accurate` ÷ `orders_shipped_complete`: the orders shipped complete, right first time"),
    k("units_ordered", Unit::Units, "units in placed orders"),
    k("units_shipped", Unit::Units, "units shipped against placed orders (reshipments excluded)"),
    k("units_to_ship", Unit::Units, "units in the orders to ship (`orders_to_ship`)"),
    r("unit_fill_rate", Unit::Share, "units_to_ship", "`units_shipped` ÷ `units_to_ship`"),
    r("demand_fill_rate", Unit::Share, "units_to_ship", "`units_shipped` ÷ (`units_to_ship` + `lost_sales_units_not_shown`): the share of the units customers wanted, ordered or shown out of stock, that shipped. Unlike `unit_fill_rate` it falls when stock runs out, since customers do not order what a channel shows out of stock"),
    k("orders_backordered", Unit::Orders, "orders held with units backordered (partial policy)"),
    k("units_backordered", Unit::Units, "units backordered"),
    k("backorder_units_filled", Unit::Units, "backordered units later filled by receipts or restocked returns"),
    k("lost_sales_units", Unit::Units, "units customers wanted and could not buy: lines shown out of stock, plus cancelled oversold orders"),
    k("lost_sales_units_not_shown", Unit::Units, "of the lost units, those in lines the channel showed out of stock"),
    k("lost_sales_units_to_holds", Unit::Units, "lost units in lines that free stock alone could not cover and free stock plus units held in carts could: sales lost to stock that was only held"),
    k("expired_hold_unit_hours", Unit::UnitHours, "for every hold that expired, an abandoned cart's or a late payer's: its units × the hold TTL in hours"),
    k("shipments", Unit::Shipments, "shipments sent, reshipments included"),
    r("split_shipment_rate", Unit::Share, "orders_confirmed", "confirmed orders with more than one shipment ÷ `orders_confirmed`"),
    k("shipping_cost_cents", Unit::Cents, "carrier cost of every shipment (the cheapest quote meeting the service promise)"),
    r("shipping_cost_cents_per_order", Unit::Cents, "orders_shipped", "`shipping_cost_cents` ÷ `orders_shipped`"),
    k("shipping_cost_lower_bound_cents", Unit::Cents, "the least carrier cost at which any allocation could have shipped the units this run shipped (reshipments included), to the same customers, through the same channels, from the units that entered each warehouse over the run: a linear programme's optimum, rounded up to the cent. Time, pick/pack capacity and whole shipments are relaxed (whole shipments as `shipping_cost_bound_relaxation` says), so no allocation pays less (docs/cost-bound.md)")
        .undefined_when("the run was not asked for it (`--cost-bound`), or its programme was too large: with `line_share`, more than 1,000,000 variables; with either, more than 3,000,000 simplex iterations (`--days` shortens a run)"),
    r("shipping_cost_above_bound_share", Unit::Share, "shipping_cost_lower_bound_cents", "(`shipping_cost_cents` − `shipping_cost_lower_bound_cents`) ÷ `shipping_cost_lower_bound_cents`: how much more than the least cost the run paid the carriers")
        .undefined_when("the run has no bound (`shipping_cost_lower_bound_cents` is null)"),
    k("shipping_cost_bound_relaxation", Unit::Text, "how the bound charged a shipment's base price: `unit_share`, by its share of the order's units (one programme per SKU, any run), or `line_share`, by the largest share of any of the order's lines it carries (orders of up to 8 SKUs; a bound as high or higher, one programme over the run)")
        .undefined_when("the run has no bound (`shipping_cost_lower_bound_cents` is null)"),
    r("shipping_distance_km_per_order", Unit::Kilometres, "orders_shipped", "great-circle km from shipping warehouse to customer region, summed over shipments, ÷ `orders_shipped`"),
    r("processing_time_hours_mean", Unit::Hours, "orders_shipped_complete", "mean hours from placement to the shipment that completed the order, over orders shipped complete"),
    r("processing_time_hours_p50", Unit::Hours, "orders_shipped_complete", "median of those hours (nearest rank)"),
    r("processing_time_hours_p95", Unit::Hours, "orders_shipped_complete", "95th percentile of those hours (nearest rank)"),
    r("shipped_within_24h_share", Unit::Share, "orders_shipped_complete", "share of orders shipped complete within 24 h of placement"),
    r("shipped_within_48h_share", Unit::Share, "orders_shipped_complete", "share of orders shipped complete within 48 h of placement"),
    r("delivery_time_days_mean", Unit::Days, "orders_shipped_complete", "mean days from placement to delivery of the last shipment (ship time + carrier transit), over orders shipped complete"),
    k("peak_days", Unit::Days, "days on which a demand event (Black Friday, a promotion…) raises demand, its ramps included; the `peak_*` KPIs follow the orders placed on them"),
    k("peak_orders_placed", Unit::Orders, "orders placed on peak days"),
    k("peak_orders_to_ship", Unit::Orders, "peak orders the customer went through with (as `orders_to_ship`)"),
    k("peak_orders_shipped_complete", Unit::Orders, "peak orders shipped complete by the end of the run"),
    r("peak_order_fulfillment_rate", Unit::Share, "peak_orders_to_ship", "`peak_orders_shipped_complete` ÷ `peak_orders_to_ship`"),
    k("peak_units_ordered", Unit::Units, "units in peak orders"),
    k("peak_units_to_ship", Unit::Units, "units in peak orders to ship"),
    k("peak_units_shipped", Unit::Units, "units of peak orders shipped (reshipments excluded)"),
    k("peak_lost_sales_units_not_shown", Unit::Units, "units in lines channels showed out of stock on peak days"),
    r("peak_demand_fill_rate", Unit::Share, "peak_units_to_ship", "`peak_units_shipped` ÷ (`peak_units_to_ship` + `peak_lost_sales_units_not_shown`)"),
    r("peak_processing_time_hours_p95", Unit::Hours, "peak_orders_shipped_complete", "95th percentile of the processing hours of peak orders shipped complete (nearest rank)"),
    k("pick_errors", Unit::Shipments, "shipments picked wrong (the customer returns the item and gets a reshipment)"),
    k("reshipments", Unit::Shipments, "reshipments sent after pick errors"),
    k("units_shrunk", Unit::Units, "units that vanished from shelves, unknown to the engine until found"),
    k("units_short_picked", Unit::Units, "shrunk units found at pick time (the line ships short)"),
    k("units_found_by_cycle_count", Unit::Units, "shrunk units found by cycle counts"),
    k("units_returned", Unit::Units, "units customers returned"),
    k("units_restocked", Unit::Units, "returned units put back on the shelf (the rest is scrapped)"),
    k("supplier_orders", Unit::Orders, "replenishment orders placed with suppliers"),
    k("units_received", Unit::Units, "units received from suppliers"),
    r("average_on_hand_units", Unit::Units, "days", "mean of the total on-hand units at the daily closes"),
    k("peak_on_hand_units", Unit::Units, "most on-hand units at a daily close"),
    k("stockout_sku_days", Unit::SkuDays, "SKUs with no free unit in any warehouse at a close, summed over days"),
    k("holding_cost_cents", Unit::Cents, "Σ over closes of on-hand units × unit price, × `holding_cost_rate_per_year` ÷ 365, rounded once to a whole cent"),
    k("ordering_cost_cents", Unit::Cents, "`supplier_orders` × `replenishment.order_cost_cents`, the cost of placing one supplier order (5,000 cents unless the scenario sets it)"),
    r("inventory_turns_per_year", Unit::Turns, "average_on_hand_units", "`units_shipped` ÷ `average_on_hand_units` × 365 ÷ days"),
    k("replenishment_policy", Unit::Text, "the scenario's reorder policy: `days`, `s_q`, `s_s` or `r_s`"),
    k("forecast_method", Unit::Text, "the forecast method of every SKU × warehouse series: the demand the warehouse is asked first (its customers' units: the channel's first warehouse for `priority`, else the one nearest the customer), wherever they shipped from"),
    k("safety_stock_method", Unit::Text, "`normal`, `fill_rate`, `empirical` or `quantile` (`days_of_demand` under the `days` policy)"),
    k("target_cycle_service_level", Unit::Share, "the cycle service level the safety stock promises (normal, empirical)")
        .undefined_when("the safety stock promises none (the `days` policy, or the `fill_rate` method)"),
    k("target_fill_rate", Unit::Share, "the fill rate the safety stock promises (fill_rate)")
        .undefined_when("the safety stock promises none (only the `fill_rate` method of a forecast policy does)"),
    k("average_safety_stock_units", Unit::Units, "mean over days of the safety stock summed over cells (forecast policies)")
        .undefined_when("the `days` policy keeps no safety stock apart from its reorder point"),
    k("forecast_days_scored", Unit::SeriesDays, "series-days (SKU × warehouse × day) with a one-day-ahead forecast scored against demand"),
    r("forecast_mae_units", Unit::Units, "forecast_days_scored", "mean absolute one-day-ahead error per series-day"),
    r("forecast_rmse_units", Unit::Units, "forecast_days_scored", "root mean squared one-day-ahead error per series-day"),
    r("forecast_mape", Unit::Share, "forecast_days_scored", "mean of |error| ÷ demand over series-days with demand (a day without demand has no percentage error)")
        .undefined_when("no scored series-day had demand"),
    r("forecast_wape", Unit::Share, "forecast_days_scored", "Σ |error| ÷ Σ demand over the scored series-days")
        .undefined_when("the scored series-days had no demand"),
    r("forecast_mase", Unit::Ratio, "forecast_days_scored", "MAE ÷ MAE of the naive method in-sample, pooled over series")
        .undefined_when("demand never changed from one day to the next (the naive method's in-sample MAE is 0)"),
    r("forecast_bias_units", Unit::Units, "forecast_days_scored", "mean of forecast − demand per series-day: positive = over-forecast"),
    k("replenishment_cycles", Unit::Cycles, "replenishment cycles (from a receipt at a cell to its next receipt) that began after the warm-up (`replenishment.warmup_days`; from the first day when it is 0) and ended in the run"),
    r("achieved_cycle_service_level", Unit::Share, "replenishment_cycles", "share of those cycles in which the cell served every unit it was the natural source of (the warehouse the channel asks first: its first for `priority`, else the one nearest the customer) from its own stock: a unit another warehouse served, or backordered or lost, is a stockout of the cell"),
    k("achieved_fill_rate", Unit::Share, "after the warm-up, units each cell served from its own stock ÷ units it was the natural source of (the warehouse the channel asks first): the fill rate the cell's safety stock promises")
        .undefined_when(NO_DEMAND_AFTER_WARMUP),
    k("achieved_network_fill_rate", Unit::Share, "after the warm-up, units served from stock by any warehouse ÷ units demanded: what the network delivered, other warehouses covering a cell's stockouts")
        .undefined_when(NO_DEMAND_AFTER_WARMUP),
    k("fast_skus", Unit::Skus, "SKUs not intermittent that make the first 80 % of units"),
    k("slow_skus", Unit::Skus, "SKUs not intermittent, the remaining 20 % of units"),
    k("intermittent_skus", Unit::Skus, "SKUs whose mean interval between demand days exceeds 1.32 days (Syntetos-Boylan)"),
    k("achieved_cycle_service_level_fast", Unit::Share, "achieved cycle service level of the fast SKUs")
        .undefined_when("no replenishment cycle of a fast SKU's cell began after the warm-up and ended (or no SKU is fast)"),
    k("achieved_cycle_service_level_slow", Unit::Share, "achieved cycle service level of the slow SKUs")
        .undefined_when("no replenishment cycle of a slow SKU's cell began after the warm-up and ended (or no SKU is slow)"),
    k("achieved_cycle_service_level_intermittent", Unit::Share, "achieved cycle service level of the intermittent SKUs")
        .undefined_when("no replenishment cycle of an intermittent SKU's cell began after the warm-up and ended (or no SKU is intermittent)"),
    k("achieved_fill_rate_fast", Unit::Share, "achieved fill rate of the fast SKUs")
        .undefined_when("no unit of a fast SKU was demanded after the warm-up (or no SKU is fast)"),
    k("achieved_fill_rate_slow", Unit::Share, "achieved fill rate of the slow SKUs")
        .undefined_when("no unit of a slow SKU was demanded after the warm-up (or no SKU is slow)"),
    k("achieved_fill_rate_intermittent", Unit::Share, "achieved fill rate of the intermittent SKUs")
        .undefined_when("no unit of an intermittent SKU was demanded after the warm-up (or no SKU is intermittent)"),
    k("capacity_saturated_warehouse_days", Unit::WarehouseDays, "warehouse-days whose cutoff left paid lines behind for lack of pick/pack capacity"),
    k("engine_events", Unit::Events, "events the engine published to the simulator's subscriber"),
];

/// The catalog entry of `name`.
pub fn find(name: &str) -> Option<&'static Kpi> {
    KPIS.iter().find(|k| k.name == name)
}

/// One KPI of a run, ready for a table: undefined rates become `Missing`, with the reason.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiReading {
    /// The catalog entry.
    pub kpi: &'static Kpi,
    /// Its value for the run.
    pub value: KpiValue,
    /// Why the value is missing, when it is.
    pub note: Option<String>,
}

/// KPIs shown first besides those with a target (in the HTML's cards and the terminal), in order.
pub const HEADLINE: &[&str] = &[
    "orders_placed",
    "recorded_order_completion_rate",
    "unit_fill_rate",
    "lost_sales_units",
    "orders_oversold",
    "split_shipment_rate",
    "shipping_cost_cents_per_order",
    "shipping_cost_above_bound_share",
    "average_on_hand_units",
    "stockout_sku_days",
];

/// How a KPI with a target fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No target.
    NoTarget,
    /// The value meets its target.
    Met,
    /// The value misses its target.
    Missed,
    /// The target cannot be judged: the KPI is undefined in this run.
    Undefined,
}

/// A headline KPI: its reading, its target if any, and the verdict.
pub struct Headline<'a> {
    /// The KPI and its value.
    pub reading: &'a KpiReading,
    /// Its target.
    pub target: Option<&'a Target>,
    /// Met, missed, or not judged.
    pub verdict: Verdict,
}

/// The KPIs a person looks at first: every KPI with a target, then [`HEADLINE`] (recorded-demand
/// KPIs only when the run replays a history).
pub fn headline<'a>(run: &'a RunData, readings: &'a [KpiReading]) -> Vec<Headline<'a>> {
    let reading = |name: &str| readings.iter().find(|r| r.kpi.name == name);
    let recorded = run.number("recorded_orders").unwrap_or(0.0) > 0.0;
    let bounded = run.number("shipping_cost_lower_bound_cents").is_some();
    let mut out = Vec::new();
    for target in &run.targets {
        if let Some(reading) = reading(&target.kpi) {
            let verdict = match reading.value.as_f64() {
                Some(x) if target.met_by(x) => Verdict::Met,
                Some(_) => Verdict::Missed,
                None => Verdict::Undefined,
            };
            out.push(Headline {
                reading,
                target: Some(target),
                verdict,
            });
        }
    }
    for name in HEADLINE {
        let shown = run.target(name).is_some()
            || (name.starts_with("recorded_") && !recorded)
            || (name.contains("_bound") && !bounded);
        if let Some(reading) = reading(name).filter(|_| !shown) {
            out.push(Headline {
                reading,
                target: None,
                verdict: Verdict::NoTarget,
            });
        }
    }
    out
}

/// The run's KPIs in catalog order. A KPI whose denominator is 0 is `Missing` (never a 0 that
/// reads as a measured rate); a KPI the run did not report is `Missing` too.
pub fn readings(run: &RunData) -> Vec<KpiReading> {
    KPIS.iter()
        .map(|kpi| {
            let value = run.kpi(kpi.name).cloned().unwrap_or(KpiValue::Missing);
            // A denominator that is itself null leaves the KPI's own reason to say why.
            let empty_denominator = kpi.per.filter(|per| run.number(per) == Some(0.0));
            match (empty_denominator, value) {
                (Some(per), _) => KpiReading {
                    kpi,
                    value: KpiValue::Missing,
                    note: Some(format!("undefined: {per} is 0")),
                },
                (None, KpiValue::Missing) => KpiReading {
                    kpi,
                    value: KpiValue::Missing,
                    note: Some(match kpi.undefined_when {
                        Some(why) => format!("undefined: {why}"),
                        None => "not measured in this run".into(),
                    }),
                },
                (None, value) => KpiReading {
                    kpi,
                    value,
                    note: None,
                },
            }
        })
        .collect()
}

/// `docs/kpis.md`'s KPI table, generated from the catalog.
pub fn markdown_table() -> String {
    let mut out = String::from("| KPI | unit | definition |\n| --- | --- | --- |\n");
    for kpi in KPIS {
        out += &format!(
            "| `{}` | {} | {} |\n",
            kpi.name,
            kpi.unit,
            kpi.described().replace('|', "\\|")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::RunData;

    #[test]
    fn names_are_unique_and_denominators_exist() {
        for (i, a) in KPIS.iter().enumerate() {
            assert!(KPIS[i + 1..].iter().all(|b| b.name != a.name), "{}", a.name);
            if let Some(per) = a.per {
                assert!(find(per).is_some(), "{} divides by unknown {per}", a.name);
            }
        }
    }

    #[test]
    fn a_rate_over_nothing_is_missing_not_zero() {
        let run = RunData {
            kpis: vec![
                ("orders_to_ship".into(), KpiValue::Count(0)),
                ("order_fulfillment_rate".into(), KpiValue::Number(0.0)),
                ("orders_shipped_complete".into(), KpiValue::Count(4)),
                ("order_accuracy".into(), KpiValue::Number(0.75)),
            ],
            ..Default::default()
        };
        let readings = readings(&run);
        let get = |name: &str| readings.iter().find(|r| r.kpi.name == name).unwrap();
        assert_eq!(get("order_fulfillment_rate").value, KpiValue::Missing);
        assert_eq!(
            get("order_fulfillment_rate").note.as_deref(),
            Some("undefined: orders_to_ship is 0")
        );
        assert_eq!(get("order_accuracy").value, KpiValue::Number(0.75));
        assert_eq!(get("order_accuracy").note, None);
        assert_eq!(get("seed").value, KpiValue::Missing);
    }
}
