//! The ledger: every business fact of a run recorded once, through one typed method, at every
//! level it belongs to. A fact about an order counts for the run, the day the order was placed and
//! its channel; a fact about a line also for its SKU; a fact about a shipment or a backorder also
//! for its warehouse. Every level holds the same [`Counts`], so the run, the peak (the days an event
//! raised demand), each day, channel, warehouse and SKU are read by one set of formulas
//! (`Counts`' rates).

use qm_money::Cents;
use qm_reports::run::Counts;

use super::metrics::Summary;

/// Where an order's facts count: the day it was placed and its channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct At {
    /// Day index of the placement.
    pub(super) day: u32,
    /// Channel index.
    pub(super) channel: u16,
}

/// A line of an order: its SKU and units.
pub(super) type Line = (u32, u32);

/// Hours in a millisecond count.
fn hours(ms: u64) -> f64 {
    ms as f64 / crate::time::MS_PER_HOUR as f64
}

/// The run's counts at every level, and the processing times of the orders shipped complete.
pub(super) struct Ledger {
    peak_day: Vec<bool>,
    run: Counts,
    days: Vec<Counts>,
    channels: Vec<Counts>,
    skus: Vec<Counts>,
    warehouses: Vec<Counts>,
    /// (placement day, processing ms) of every order shipped complete, in completion order.
    completions: Vec<(u32, u64)>,
    /// The run's stock movements and the replay's own counts, kept in the summary's fields.
    movements: Summary,
}

/// A stock movement, or another fact that counts for the run alone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Movement {
    /// Units came back from a customer; `restocked` when they went back on the shelf.
    Returned { units: u64, restocked: bool },
    /// A supplier receipt arrived.
    Received { units: u64 },
    /// A receipt or a restocked return filled backordered units.
    BackorderFilled { units: u64 },
    /// A unit vanished from a shelf (unknown to the engine).
    Shrunk,
    /// Shrunk units found at pick time: the line shipped short.
    ShortPicked { units: u64 },
    /// Shrunk units found by a cycle count.
    FoundByCycleCount { units: u64 },
    /// A replenishment order went to a supplier.
    SupplierOrder,
    /// The right item went out after a pick error.
    Reshipped,
    /// A hold expired after holding its units for `unit_hours`.
    HoldExpired { unit_hours: f64 },
    /// A warehouse's cutoff left paid lines behind.
    WarehouseSaturated,
    /// The engine emitted an event.
    EngineEvent,
    /// Recorded stock written off.
    RecordedWriteOff { units: u64 },
}

/// What became of a recorded cancellation or return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum UndoOutcome {
    /// It released its order before anything shipped.
    Released,
    /// It came back as a return of shipped units.
    Returned,
    /// Its line was never placed, or never shipped in time.
    Unapplied,
}

impl Ledger {
    /// An empty ledger for a run of `peak_day.len()` days.
    pub(super) fn new(
        peak_day: Vec<bool>,
        channels: usize,
        skus: usize,
        warehouses: usize,
    ) -> Self {
        Ledger {
            days: vec![Counts::default(); peak_day.len()],
            peak_day,
            run: Counts::default(),
            channels: vec![Counts::default(); channels],
            skus: vec![Counts::default(); skus],
            warehouses: vec![Counts::default(); warehouses],
            completions: Vec::new(),
            movements: Summary::default(),
        }
    }

    /// A fact about an order (`order`) and one about each of its `lines` (`line`, with the
    /// line's units).
    fn order_and_lines(
        &mut self,
        at: At,
        lines: &[Line],
        order: impl Fn(&mut Counts),
        line: impl Fn(&mut Counts, u64),
    ) {
        self.record(at, None, None, order);
        for &(sku, units) in lines {
            self.record(at, Some(sku), None, |c| line(c, units as u64));
        }
    }

    /// Applies `fact` to the run, the order's day and channel, and the SKU and warehouse when
    /// the fact has them: the one path every count takes.
    fn record(
        &mut self,
        at: At,
        sku: Option<u32>,
        warehouse: Option<u16>,
        fact: impl Fn(&mut Counts),
    ) {
        fact(&mut self.run);
        fact(&mut self.days[at.day as usize]);
        fact(&mut self.channels[at.channel as usize]);
        if let Some(sku) = sku {
            fact(&mut self.skus[sku as usize]);
        }
        if let Some(warehouse) = warehouse {
            fact(&mut self.warehouses[warehouse as usize]);
        }
    }

    /// A customer placed an order of `lines` (the lines the channel showed in stock).
    pub(super) fn order_placed(&mut self, at: At, lines: &[Line]) {
        self.order_and_lines(
            at,
            lines,
            |c| c.orders_placed += 1,
            |c, units| c.units_ordered += units,
        );
    }

    /// A line the channel showed out of stock: the customer did not order it.
    pub(super) fn line_not_shown(&mut self, at: At, (sku, units): Line, to_holds: bool) {
        self.record(at, Some(sku), None, |c| {
            c.lost_sales_units_not_shown += units as u64;
            c.lost_sales_units += units as u64;
            c.lost_sales_units_to_holds += if to_holds { units as u64 } else { 0 };
        });
    }

    /// A line of an oversold order that was cancelled.
    pub(super) fn line_lost(&mut self, at: At, (sku, units): Line, to_holds: bool) {
        self.record(at, Some(sku), None, |c| {
            c.lost_sales_units += units as u64;
            c.lost_sales_units_to_holds += if to_holds { units as u64 } else { 0 };
        });
    }

    /// The engine held the order, in full or in part.
    pub(super) fn order_held(&mut self, at: At) {
        self.record(at, None, None, |c| c.orders_held += 1);
    }

    /// The order was held with some units backordered.
    pub(super) fn order_backordered(&mut self, at: At) {
        self.record(at, None, None, |c| c.orders_backordered += 1);
    }

    /// `units` of a line backordered on `warehouse`.
    pub(super) fn line_backordered(&mut self, at: At, sku: u32, warehouse: u16, units: u64) {
        self.record(at, Some(sku), Some(warehouse), |c| {
            c.units_backordered += units
        });
    }

    /// The order is oversold: `units` of it could not be held (or picked).
    pub(super) fn order_oversold(&mut self, at: At, units: u64) {
        self.record(at, None, None, |c| {
            c.orders_oversold += 1;
            c.oversold_units += units;
        });
    }

    /// `units` more of an order already counted oversold could not be picked.
    pub(super) fn more_oversold_units(&mut self, at: At, units: u64) {
        self.record(at, None, None, |c| c.oversold_units += units);
    }

    /// The engine refused the order although the channel's warehouses together had every unit
    /// (no single warehouse held it all, or capacity): it was cancelled, not oversold.
    pub(super) fn order_rejected_with_stock(&mut self, at: At) {
        self.record(at, None, None, |c| c.orders_rejected_with_stock += 1);
    }

    /// An oversold order was cancelled.
    pub(super) fn order_cancelled_oversold(&mut self, at: At) {
        self.record(at, None, None, |c| c.orders_cancelled_oversold += 1);
    }

    /// The customer abandoned the cart.
    pub(super) fn order_abandoned(&mut self, at: At, lines: &[Line]) {
        self.order_and_lines(
            at,
            lines,
            |c| c.orders_abandoned += 1,
            |c, units| c.units_abandoned += units,
        );
    }

    /// The customer's payment failed and the hold was released.
    pub(super) fn payment_failed(&mut self, at: At, lines: &[Line]) {
        self.order_and_lines(
            at,
            lines,
            |c| c.orders_payment_failed += 1,
            |c, units| c.units_payment_failed += units,
        );
    }

    /// The customer paid after the hold had expired: the checkout reserved the order again.
    pub(super) fn rereserved_at_payment(&mut self, at: At) {
        self.record(at, None, None, |c| c.orders_rereserved_at_payment += 1);
    }

    /// The customer paid after the hold had expired and the second reserve failed: the sale
    /// was lost.
    pub(super) fn lost_hold_expired(&mut self, at: At) {
        self.record(at, None, None, |c| c.orders_lost_hold_expired += 1);
    }

    /// The customer paid in time; the order ships in `shipments` shipments.
    pub(super) fn order_confirmed(&mut self, at: At, shipments: usize) {
        self.record(at, None, None, |c| {
            c.orders_confirmed += 1;
            c.orders_split += (shipments > 1) as u64;
        });
    }

    /// `warehouse` shipped a shipment of `lines` order lines, carrying `units` (SKU, units) of a
    /// customer order (empty for a reshipment); `first` when it is the order's first shipment.
    pub(super) fn shipment_shipped(&mut self, at: At, warehouse: u16, shipment: Shipped<'_>) {
        self.record(at, None, Some(warehouse), |c| {
            c.shipments += 1;
            c.lines_shipped += shipment.lines as u64;
            c.shipping_cost_cents += shipment.cost_cents;
            c.shipping_distance_km += shipment.distance_km;
        });
        for &(sku, units) in shipment.units {
            self.record(at, Some(sku), Some(warehouse), |c| {
                c.units_shipped += units as u64
            });
        }
        if shipment.first {
            self.record(at, None, None, |c| c.orders_shipped += 1);
        }
    }

    /// A shipment of `warehouse` was picked wrong.
    pub(super) fn pick_error(&mut self, at: At, warehouse: u16) {
        self.record(at, None, Some(warehouse), |c| c.pick_errors += 1);
    }

    /// Every unit of the order shipped, `processing_ms` after placement; delivered
    /// `delivery_days` after placement; `accurate` without short pick or pick error.
    pub(super) fn order_completed(
        &mut self,
        at: At,
        processing_ms: u64,
        delivery_days: f64,
        accurate: bool,
    ) {
        let processing_hours = hours(processing_ms);
        self.record(at, None, None, |c| {
            c.orders_shipped_complete += 1;
            c.orders_shipped_accurate += accurate as u64;
            c.processing_time_hours_total += processing_hours;
            c.orders_shipped_within_24h += (processing_hours <= 24.0) as u64;
            c.orders_shipped_within_48h += (processing_hours <= 48.0) as u64;
            c.delivery_time_days_total += delivery_days;
        });
        self.completions.push((at.day, processing_ms));
    }

    /// The order was placed on the last day and is still open at the end: `unshipped` of it
    /// leave the units to ship.
    pub(super) fn in_flight_at_end(&mut self, at: At, unshipped: &[Line]) {
        self.order_and_lines(
            at,
            unshipped,
            |c| c.orders_in_flight_at_end += 1,
            |c, units| c.units_in_flight_at_end += units,
        );
    }

    /// A stock movement of the run (no level below the run).
    #[inline]
    pub(super) fn moved(&mut self, movement: Movement) {
        let m = &mut self.movements;
        match movement {
            Movement::Returned { units, restocked } => {
                m.units_returned += units;
                m.units_restocked += if restocked { units } else { 0 };
            }
            Movement::Received { units } => m.units_received += units,
            Movement::BackorderFilled { units } => m.backorder_units_filled += units,
            Movement::Shrunk => m.units_shrunk += 1,
            Movement::ShortPicked { units } => m.units_short_picked += units,
            Movement::FoundByCycleCount { units } => m.units_found_by_cycle_count += units,
            Movement::SupplierOrder => m.supplier_orders += 1,
            Movement::Reshipped => m.reshipments += 1,
            Movement::HoldExpired { unit_hours } => m.expired_hold_unit_hours += unit_hours,
            Movement::WarehouseSaturated => m.capacity_saturated_warehouse_days += 1,
            Movement::EngineEvent => m.engine_events += 1,
            Movement::RecordedWriteOff { units } => m.recorded_write_off_units += units,
        }
    }

    /// A daily close counted `on_hand_units` in all and `stockout_skus` SKUs with no free unit.
    pub(super) fn day_closed(&mut self, on_hand_units: u64, stockout_skus: u64) {
        let m = &mut self.movements;
        m.stockout_sku_days += stockout_skus;
        m.average_on_hand_units += on_hand_units as f64;
        m.peak_on_hand_units = m.peak_on_hand_units.max(on_hand_units);
    }

    /// A recorded history was placed on the horizon: its orders inside it, and the SKUs added.
    pub(super) fn history_placed(&mut self, orders: u64, skus_added: u64) {
        self.movements.recorded_orders = orders;
        self.movements.recorded_skus_added = skus_added;
    }

    /// A recorded cancellation or return was replayed, or could not be.
    pub(super) fn recorded_undo(&mut self, outcome: UndoOutcome) {
        let m = &mut self.movements;
        match outcome {
            UndoOutcome::Released => m.recorded_cancellations_released += 1,
            UndoOutcome::Returned => m.recorded_undos_returned += 1,
            UndoOutcome::Unapplied => m.recorded_undos_unapplied += 1,
        }
    }

    /// Copies the stock movements and the replay's counts into `k`.
    pub(super) fn movements_into(&self, k: &mut Summary) {
        let m = &self.movements;
        k.units_returned = m.units_returned;
        k.units_restocked = m.units_restocked;
        k.units_received = m.units_received;
        k.backorder_units_filled = m.backorder_units_filled;
        k.units_shrunk = m.units_shrunk;
        k.units_short_picked = m.units_short_picked;
        k.units_found_by_cycle_count = m.units_found_by_cycle_count;
        k.supplier_orders = m.supplier_orders;
        k.reshipments = m.reshipments;
        k.expired_hold_unit_hours = m.expired_hold_unit_hours;
        k.capacity_saturated_warehouse_days = m.capacity_saturated_warehouse_days;
        k.engine_events = m.engine_events;
        k.stockout_sku_days = m.stockout_sku_days;
        k.average_on_hand_units = m.average_on_hand_units;
        k.peak_on_hand_units = m.peak_on_hand_units;
        k.recorded_orders = m.recorded_orders;
        k.recorded_skus_added = m.recorded_skus_added;
        k.recorded_cancellations_released = m.recorded_cancellations_released;
        k.recorded_undos_returned = m.recorded_undos_returned;
        k.recorded_undos_unapplied = m.recorded_undos_unapplied;
        k.recorded_write_off_units = m.recorded_write_off_units;
    }

    /// Supplier orders placed so far.
    pub(super) fn supplier_orders(&self) -> u64 {
        self.movements.supplier_orders
    }

    /// The run's counts.
    pub(super) fn run(&self) -> &Counts {
        &self.run
    }

    /// The counts of the orders placed on peak days (of the first `days`).
    pub(super) fn peak(&self, days: u32) -> Counts {
        Counts::sum(
            self.days[..days as usize]
                .iter()
                .zip(&self.peak_day)
                .filter(|(_, &peak)| peak)
                .map(|(c, _)| c),
        )
    }

    /// The counts of the orders placed on `day`.
    pub(super) fn day(&self, day: u32) -> &Counts {
        &self.days[day as usize]
    }

    /// A channel's counts.
    pub(super) fn channel(&self, channel: usize) -> &Counts {
        &self.channels[channel]
    }

    /// A SKU's counts.
    pub(super) fn sku(&self, sku: usize) -> &Counts {
        &self.skus[sku]
    }

    /// A warehouse's counts.
    pub(super) fn warehouse(&self, warehouse: usize) -> &Counts {
        &self.warehouses[warehouse]
    }

    /// Processing times (ms) of the orders shipped complete whose placement day passes `keep`,
    /// sorted.
    pub(super) fn processing_ms(&self, keep: impl Fn(u32) -> bool) -> Vec<u64> {
        let mut ms: Vec<u64> = self
            .completions
            .iter()
            .filter(|&&(day, _)| keep(day))
            .map(|&(_, ms)| ms)
            .collect();
        ms.sort_unstable();
        ms
    }

    /// The processing times (ms) of the orders shipped complete, by placement day (of the first
    /// `days`), each sorted.
    pub(super) fn processing_ms_by_day(&self, days: usize) -> Vec<Vec<u64>> {
        let mut by_day = vec![Vec::new(); days];
        for &(day, ms) in &self.completions {
            if let Some(list) = by_day.get_mut(day as usize) {
                list.push(ms);
            }
        }
        for list in &mut by_day {
            list.sort_unstable();
        }
        by_day
    }

    /// Whether `day` is a peak day.
    pub(super) fn is_peak(&self, day: u32) -> bool {
        self.peak_day[day as usize]
    }
}

/// One shipment, as the ledger records it.
pub(super) struct Shipped<'a> {
    /// Order lines in it.
    pub(super) lines: u32,
    /// (SKU, units) of a customer order's lines; empty for a reshipment.
    pub(super) units: &'a [Line],
    /// Carrier cost.
    pub(super) cost_cents: Cents,
    /// Warehouse to customer, km.
    pub(super) distance_km: f64,
    /// Whether it is the order's first shipment.
    pub(super) first: bool,
}
