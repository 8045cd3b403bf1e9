//! The end of a run: KPIs from the counts, and the tables handed to the reports.

use super::audit::AuditedKpis;
use super::cost_bound::{self, shipping_cost_bound, BoundError, BoundInput, CostBound, Relaxation};
use super::metrics::*;
use super::state::*;
use crate::time::MS_PER_HOUR;
use qm_engine::{SkuId, WarehouseId};
use qm_money::Cents;
use qm_reports::run::Counts;
use qm_reports::run::{
    Bound, ChannelRow, EventSpan, KpiValue, ProcessingBin, RunData, RunStatus, SkuRow, Target,
    PROCESSING_BIN_HOURS, PROCESSING_LAST_BIN_HOURS,
};

/// Everything a run produced.
pub struct RunOutput {
    /// Deterministic KPIs.
    pub summary: Summary,
    /// The headline KPIs as the auditor recomputed them from the engine's events and the
    /// customers' decisions; equal to the summary's in every correct run.
    pub audit: AuditedKpis,
    /// The replenisher's per-cell cycles (cycles, short cycles), SKU-major: what the auditor's
    /// `cell_cycles` must equal.
    pub cell_cycles: Vec<(u32, u32)>,
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
    /// The least carrier cost of what the run shipped: see [`super::cost_bound`].
    fn shipping_cost_bound(&self, relaxation: Relaxation) -> Result<CostBound, BoundError> {
        let warehouses = self.world.warehouses;
        let entered_units: Vec<u64> = (0..self.world.skus * warehouses)
            .map(|cell| {
                let sku = SkuId((cell / warehouses) as u32);
                let warehouse = WarehouseId((cell % warehouses) as u16);
                self.engine.cell_ledger(sku, warehouse).map_or(0, |l| {
                    l.initial + l.received + l.returned.saturating_sub(l.scrapped) + l.adjusted_in
                })
            })
            .collect();
        let groups = self.shipped_log.groups();
        shipping_cost_bound(
            &BoundInput {
                network: self.engine.network(),
                regions: &self.world.regions,
                channel_warehouses: &self.world.channel_warehouses,
                express_days: self.world.express_days,
                groups: &groups,
                entered_units: &entered_units,
                linked_lines_max: cost_bound::LINKED_LINES_MAX,
                max_simplex_iterations: cost_bound::MAX_SIMPLEX_ITERATIONS,
                max_variables: cost_bound::MAX_VARIABLES,
            },
            relaxation,
        )
    }

    /// Sets the shipping-cost bound's KPIs (left null when the programme is too large to
    /// finish); says why when the programme had no optimum (its inputs disagree: a bug).
    fn bound_kpis(&mut self, relaxation: Relaxation) -> Option<String> {
        match self.shipping_cost_bound(relaxation) {
            Ok(bound) => {
                let k = &mut self.summary;
                k.shipping_cost_bound_relaxation = Some(relaxation.name().to_string());
                let lower = bound.lower_bound_cents;
                k.shipping_cost_lower_bound_cents = Some(lower);
                k.shipping_cost_above_bound_share = (lower > Cents::ZERO)
                    .then(|| (k.shipping_cost_cents.as_f64() - lower.as_f64()) / lower.as_f64());
                None
            }
            // Too large a programme leaves the bound null; any other end is a bug.
            Err(BoundError::IterationLimit(_) | BoundError::TooLarge { .. }) => None,
            Err(error) => Some(format!(
                "{error} (a bug, please report it with the scenario and seed)"
            )),
        }
    }

    pub(super) fn finish(mut self) -> RunOutput {
        // A failed run's figures cover the days it closed.
        let days_run = self.days_closed;
        self.summary.days = days_run;
        self.summary.peak_days = (0..days_run).filter(|&d| self.ledger.is_peak(d)).count() as u32;
        self.daily.truncate(days_run as usize);
        self.set_aside_in_flight();
        self.drain_engine_events();
        let audit = self.audit.finish(days_run.saturating_sub(1));
        let processing = self.ledger.processing_ms(|_| true);
        let peak_processing = self.ledger.processing_ms(|day| self.ledger.is_peak(day));
        self.ledger.movements_into(&mut self.summary);
        order_kpis(
            &mut self.summary,
            self.ledger.run(),
            &self.ledger.peak(days_run),
            &processing,
            &peak_processing,
        );
        self.replenisher.finish(&mut self.summary, self.s, days_run);
        let k = &mut self.summary;
        let days = k.days as f64;
        k.average_on_hand_units /= days;
        // The one rounding: the run's holding charge becomes an amount.
        k.holding_cost_cents = self.world.holding_cost(self.on_hand_value_cent_days);
        k.ordering_cost_cents = self
            .s
            .replenishment
            .order_cost_cents
            .get_ref()
            .times(k.supplier_orders);
        k.inventory_turns_per_year =
            ratio(k.units_shipped as f64, k.average_on_hand_units) * 365.0 / days;
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
        let bound_failure = self.s.cost_bound.and_then(|r| self.bound_kpis(r));
        let cell_cycles = self.replenisher.cell_cycles();
        let disagreements = audit.disagreements(&self.summary, &cell_cycles);
        let mut data = self.report_data(&processing);
        if let Some(message) = bound_failure {
            data.status = RunStatus::Failed {
                days_completed: days_run,
                message,
            };
        }
        if !disagreements.is_empty() {
            data.status = RunStatus::Failed {
                days_completed: days_run,
                message: format!(
                    "the auditor disagrees with the ledger (a bug, please report it with the \
                     scenario and seed): {}",
                    disagreements.join("; ")
                ),
            };
        }
        RunOutput {
            summary: self.summary,
            audit,
            cell_cycles,
            data,
        }
    }

    /// The run's tables for the reports (the summary's KPIs by their catalog names).
    pub(super) fn report_data(&mut self, processing_ms: &[u64]) -> RunData {
        let days = self.summary.days;
        for (row, &unit_days) in self
            .warehouse_rows
            .iter_mut()
            .zip(&self.warehouse_on_hand_unit_days)
        {
            row.average_on_hand_units = ratio(unit_days as f64, days as f64);
        }
        let skus = self.sku_rows(days);
        let processing_time = processing_bins(processing_ms);
        let kpis = self.kpi_values();
        let targets = self.targets();
        let events = self.event_spans(days);
        self.fill_counts();
        let channels = self
            .s
            .channels
            .iter()
            .enumerate()
            .map(|(c, spec)| ChannelRow {
                channel: spec.code.clone(),
                strategy: spec.strategy.get_ref().name().to_string(),
                counts: *self.ledger.channel(c),
            })
            .collect();
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
            channels,
            processing_time,
            latency: self.latency.report(),
        }
    }

    /// One row per SKU: its counts, demand pattern, stock and service.
    fn sku_rows(&self, days: u32) -> Vec<SkuRow> {
        let mut rows: Vec<SkuRow> = self
            .engine
            .network()
            .skus()
            .iter()
            .zip(&self.sku_stock)
            .enumerate()
            .map(|(k, (sku, tally))| SkuRow {
                sku: sku.code.clone(),
                unit_price_cents: sku.unit_price_cents,
                counts: *self.ledger.sku(k),
                average_on_hand_units: ratio(tally.on_hand_unit_days as f64, days as f64),
                stockout_days: tally.stockout_days,
                ..SkuRow::default()
            })
            .collect();
        self.replenisher.fill_sku_rows(days, &mut rows);
        rows
    }

    /// Every KPI of the catalog with the summary's value.
    fn kpi_values(&self) -> Vec<(String, KpiValue)> {
        let summary = serde_json::to_value(&self.summary).expect("plain numbers and text");
        qm_reports::kpi::KPIS
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
            .collect()
    }

    /// The targets the reports judge against: the scenario's, and the service the safety stock
    /// promises.
    fn targets(&self) -> Vec<Target> {
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
        targets
    }

    /// The calendar's events as spans of consecutive days.
    fn event_spans(&self, days: u32) -> Vec<EventSpan> {
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
        events
    }
}

impl Sim<'_> {
    /// The days' and warehouses' counts from the ledger, and each day's processing times (of the
    /// orders placed that day).
    fn fill_counts(&mut self) {
        let by_day = self.ledger.processing_ms_by_day(self.daily.len());
        let hours = |ms: u64| ms as f64 / MS_PER_HOUR as f64;
        for (row, processing) in self.daily.iter_mut().zip(&by_day) {
            row.counts = *self.ledger.day(row.day);
            let quantile =
                |q: f64| (!processing.is_empty()).then(|| hours(percentile(processing, q)));
            row.processing_time_hours_p50 = quantile(0.5);
            row.processing_time_hours_p95 = quantile(0.95);
            row.processing_time_hours_p99 = quantile(0.99);
        }
        for (w, row) in self.warehouse_rows.iter_mut().enumerate() {
            row.counts = *self.ledger.warehouse(w);
        }
    }
}

/// The summary's order, unit and shipment KPIs: the run's and the peak's counts through the same
/// formulas every table uses (`Counts`' rates), and the processing-time percentiles of the orders
/// shipped complete (sorted).
fn order_kpis(
    k: &mut Summary,
    run: &Counts,
    peak: &Counts,
    processing: &[u64],
    peak_processing: &[u64],
) {
    let or_zero = |rate: Option<f64>| rate.unwrap_or(0.0);
    let hours = |ms: u64| ms as f64 / MS_PER_HOUR as f64;
    k.orders_placed = run.orders_placed;
    k.orders_held = run.orders_held;
    k.orders_oversold = run.orders_oversold;
    k.oversold_units = run.oversold_units;
    k.orders_cancelled_oversold = run.orders_cancelled_oversold;
    k.orders_rejected_with_stock = run.orders_rejected_with_stock;
    k.orders_abandoned = run.orders_abandoned;
    k.orders_payment_failed = run.orders_payment_failed;
    k.orders_rereserved_at_payment = run.orders_rereserved_at_payment;
    k.orders_lost_hold_expired = run.orders_lost_hold_expired;
    k.orders_confirmed = run.orders_confirmed;
    k.orders_to_ship = run.orders_to_ship();
    k.orders_in_flight_at_end = run.orders_in_flight_at_end;
    k.orders_shipped = run.orders_shipped;
    k.orders_shipped_complete = run.orders_shipped_complete;
    k.orders_shipped_accurate = run.orders_shipped_accurate;
    k.order_fulfillment_rate = or_zero(run.order_fulfillment_rate());
    k.order_accuracy = or_zero(run.order_accuracy());
    k.units_ordered = run.units_ordered;
    k.units_shipped = run.units_shipped;
    k.units_to_ship = run.units_to_ship();
    k.unit_fill_rate = or_zero(run.unit_fill_rate());
    k.demand_fill_rate = or_zero(run.demand_fill_rate());
    k.orders_backordered = run.orders_backordered;
    k.units_backordered = run.units_backordered;
    k.lost_sales_units = run.lost_sales_units;
    k.lost_sales_units_not_shown = run.lost_sales_units_not_shown;
    k.lost_sales_units_to_holds = run.lost_sales_units_to_holds;
    k.shipments = run.shipments;
    k.split_shipment_rate = or_zero(run.split_shipment_rate());
    k.shipping_cost_cents = run.shipping_cost_cents;
    k.shipping_cost_cents_per_order = or_zero(run.shipping_cost_cents_per_order());
    k.shipping_distance_km_per_order = or_zero(run.shipping_distance_km_per_order());
    k.processing_time_hours_mean = or_zero(run.processing_time_hours_mean());
    k.processing_time_hours_p50 = hours(percentile(processing, 0.5));
    k.processing_time_hours_p95 = hours(percentile(processing, 0.95));
    k.shipped_within_24h_share = or_zero(run.shipped_within_24h_share());
    k.shipped_within_48h_share = or_zero(run.shipped_within_48h_share());
    k.delivery_time_days_mean = or_zero(run.delivery_time_days_mean());
    k.pick_errors = run.pick_errors;
    k.peak_orders_placed = peak.orders_placed;
    k.peak_orders_to_ship = peak.orders_to_ship();
    k.peak_orders_shipped_complete = peak.orders_shipped_complete;
    k.peak_order_fulfillment_rate = or_zero(peak.order_fulfillment_rate());
    k.peak_units_ordered = peak.units_ordered;
    k.peak_units_to_ship = peak.units_to_ship();
    k.peak_units_shipped = peak.units_shipped;
    k.peak_lost_sales_units_not_shown = peak.lost_sales_units_not_shown;
    k.peak_demand_fill_rate = or_zero(peak.demand_fill_rate());
    k.peak_processing_time_hours_p95 = hours(percentile(peak_processing, 0.95));
}

/// Orders shipped complete by processing time, in bins of [`PROCESSING_BIN_HOURS`] (the last
/// one open).
fn processing_bins(processing_ms: &[u64]) -> Vec<ProcessingBin> {
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
    for &ms in processing_ms {
        let bin = (ms / (PROCESSING_BIN_HOURS as u64 * MS_PER_HOUR)) as usize;
        processing_time[bin.min(bins - 1)].orders += 1;
    }
    processing_time
}
