//! The end of a run: KPIs from the counts, and the tables handed to the reports.

use super::metrics::*;
use super::state::*;
use crate::time::{MS_PER_DAY, MS_PER_HOUR};
use qm_reports::run::{
    Bound, EventSpan, KpiValue, ProcessingBin, RunData, RunStatus, SkuRow, Target,
    PROCESSING_BIN_HOURS, PROCESSING_LAST_BIN_HOURS,
};

/// Everything a run produced.
pub struct RunOutput {
    /// Deterministic KPIs.
    pub summary: Summary,
    /// Every table of the run, the summary included, for the reports.
    pub data: RunData,
}

impl RunOutput {
    /// Whether the run reached the end of its horizon.
    pub fn failure(&self) -> Option<&str> {
        match &self.data.status {
            RunStatus::Completed => None,
            RunStatus::Failed { message, .. } => Some(message),
        }
    }
}

impl Sim<'_> {
    pub(super) fn finish(mut self) -> RunOutput {
        // A failed run's figures cover the days it closed.
        self.summary.days = self.days_closed;
        self.summary.peak_days = self.peak_day[..self.days_closed as usize]
            .iter()
            .filter(|&&peak| peak)
            .count() as u32;
        self.daily.truncate(self.days_closed as usize);
        self.set_aside_in_flight();
        let days_run = self.summary.days;
        self.replenisher.finish(&mut self.summary, self.s, days_run);
        let k = &mut self.summary;
        let days = k.days as f64;
        k.average_on_hand_units /= days;
        k.holding_cost_cents = self.on_hand_value_total * self.world.holding_rate_per_day;
        k.inventory_turns_per_year =
            ratio(k.units_shipped as f64, k.average_on_hand_units) * 365.0 / days;
        k.order_fulfillment_rate = ratio(k.orders_shipped_complete as f64, k.orders_to_ship as f64);
        if let Some(replay) = &self.demand.recorded {
            k.recorded_orders_shipped_complete = self
                .recorded
                .complete_parts
                .iter()
                .filter(|&(&order, &parts)| parts == replay.parts_of(order))
                .count() as u64;
            k.recorded_order_completion_rate = ratio(
                k.recorded_orders_shipped_complete as f64,
                k.recorded_orders as f64,
            );
        }
        k.order_accuracy = ratio(k.orders_shipped_accurate as f64, k.orders_shipped as f64);
        k.unit_fill_rate = ratio(k.units_shipped as f64, k.units_to_ship as f64);
        k.demand_fill_rate = ratio(
            k.units_shipped as f64,
            (k.units_to_ship + k.lost_sales_units_not_shown) as f64,
        );
        k.split_shipment_rate = ratio(k.split_shipment_rate, k.orders_confirmed as f64);
        k.shipping_cost_cents_per_order =
            ratio(k.shipping_cost_cents as f64, k.orders_shipped as f64);
        k.shipping_distance_km_per_order = ratio(self.distance_km_total, k.orders_shipped as f64);
        self.processing_ms.sort_unstable();
        let hours = |ms: u64| ms as f64 / MS_PER_HOUR as f64;
        let n = self.processing_ms.len() as f64;
        k.processing_time_hours_mean =
            ratio(self.processing_ms.iter().map(|&ms| hours(ms)).sum(), n);
        k.processing_time_hours_p50 = hours(percentile(&self.processing_ms, 0.5));
        k.processing_time_hours_p95 = hours(percentile(&self.processing_ms, 0.95));
        k.shipped_within_24h_share = ratio(
            self.processing_ms
                .iter()
                .filter(|&&ms| ms <= MS_PER_DAY)
                .count() as f64,
            n,
        );
        k.shipped_within_48h_share = ratio(
            self.processing_ms
                .iter()
                .filter(|&&ms| ms <= 2 * MS_PER_DAY)
                .count() as f64,
            n,
        );
        k.delivery_time_days_mean = ratio(self.delivery_days_total, n);
        k.peak_order_fulfillment_rate = ratio(
            k.peak_orders_shipped_complete as f64,
            k.peak_orders_to_ship as f64,
        );
        k.peak_demand_fill_rate = ratio(
            k.peak_units_shipped as f64,
            (k.peak_units_to_ship + k.peak_lost_sales_units_not_shown) as f64,
        );
        self.peak_processing_ms.sort_unstable();
        k.peak_processing_time_hours_p95 = hours(percentile(&self.peak_processing_ms, 0.95));
        let data = self.report_data();
        RunOutput {
            summary: self.summary,
            data,
        }
    }

    /// The run's tables for the reports (the summary's KPIs by their catalog names).
    pub(super) fn report_data(&mut self) -> RunData {
        let days = self.summary.days;
        for (row, &unit_days) in self
            .warehouse_rows
            .iter_mut()
            .zip(&self.warehouse_on_hand_unit_days)
        {
            row.average_on_hand_units = ratio(unit_days as f64, days as f64);
        }
        let figures = self.replenisher.sku_figures(days);
        let skus = self
            .engine
            .network()
            .skus()
            .iter()
            .zip(&self.sku_tally)
            .zip(figures)
            .map(|((sku, tally), f)| SkuRow {
                sku: sku.code.clone(),
                unit_price_cents: sku.unit_price_cents,
                units_ordered: tally.units_ordered,
                units_shipped: tally.units_shipped,
                units_backordered: tally.units_backordered,
                lost_sales_units: tally.lost_sales_units,
                demand_days: f.demand_days,
                demand_units_per_demand_day: f.demand_units_per_demand_day,
                demand_size_cv2: f.demand_size_cv2,
                average_on_hand_units: ratio(tally.on_hand_unit_days as f64, days as f64),
                stockout_days: tally.stockout_days,
                average_safety_stock_units: f.average_safety_stock_units,
                replenishment_class: f.class.into(),
                achieved_fill_rate: f.achieved_fill_rate,
                forecast_mae_units: f.forecast_mae_units,
            })
            .collect();
        let bins = (PROCESSING_LAST_BIN_HOURS / PROCESSING_BIN_HOURS) as usize + 1;
        let mut processing_time: Vec<ProcessingBin> = (0..bins)
            .map(|i| {
                let from = i as u32 * PROCESSING_BIN_HOURS;
                ProcessingBin {
                    processing_time_hours_from: from,
                    processing_time_hours_to: (i + 1 < bins).then_some(from + PROCESSING_BIN_HOURS),
                    orders: 0,
                }
            })
            .collect();
        for &ms in &self.processing_ms {
            let bin = (ms / (PROCESSING_BIN_HOURS as u64 * MS_PER_HOUR)) as usize;
            processing_time[bin.min(bins - 1)].orders += 1;
        }
        let summary = serde_json::to_value(&self.summary).expect("plain numbers and text");
        let kpis = qm_reports::kpi::KPIS
            .iter()
            .map(|kpi| {
                let value = match &summary[kpi.name] {
                    serde_json::Value::Number(n) => n
                        .as_u64()
                        .map(KpiValue::Count)
                        .unwrap_or_else(|| KpiValue::Number(n.as_f64().unwrap_or(f64::NAN))),
                    serde_json::Value::String(text) => KpiValue::Text(text.clone()),
                    _ => KpiValue::Missing,
                };
                (kpi.name.to_string(), value)
            })
            .collect();
        let t = &self.s.targets;
        let target = |kpi: &str, bound, value: &toml::Spanned<f64>| Target {
            kpi: kpi.into(),
            bound,
            value: *value.get_ref(),
        };
        let mut targets = vec![
            target("order_accuracy", Bound::AtLeast, &t.order_accuracy),
            target(
                "order_fulfillment_rate",
                Bound::AtLeast,
                &t.order_fulfillment_rate,
            ),
            target(
                "processing_time_hours_p50",
                Bound::AtMost,
                &t.processing_time_hours_p50,
            ),
            target(
                "processing_time_hours_p95",
                Bound::AtMost,
                &t.processing_time_hours_p95,
            ),
            target("demand_fill_rate", Bound::AtLeast, &t.demand_fill_rate),
        ];
        let promised = [
            (
                "achieved_cycle_service_level",
                self.summary.target_cycle_service_level,
            ),
            ("achieved_fill_rate", self.summary.target_fill_rate),
        ];
        for (kpi, target) in promised {
            if let Some(value) = target {
                targets.push(Target {
                    kpi: kpi.into(),
                    bound: Bound::AtLeast,
                    value,
                });
            }
        }
        let mut events: Vec<EventSpan> = Vec::new();
        for day in 0..days {
            for name in self.demand.events_on(day) {
                match events
                    .iter_mut()
                    .rev()
                    .find(|e| e.name == name && e.last_day + 1 == day)
                {
                    Some(span) => span.last_day = day,
                    None => events.push(EventSpan {
                        name: name.into(),
                        first_day: day,
                        last_day: day,
                    }),
                }
            }
        }
        RunData {
            status: RunStatus::Completed,
            kpis,
            targets,
            events,
            daily: std::mem::take(&mut self.daily),
            warehouses: std::mem::take(&mut self.warehouse_rows),
            warehouse_daily: std::mem::take(&mut self.warehouse_daily),
            skus,
            sku_daily: std::mem::take(&mut self.sku_daily),
            channels: std::mem::take(&mut self.channel_rows),
            processing_time,
            latency: self.latency.report(),
        }
    }
}
