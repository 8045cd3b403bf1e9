//! The auditor: the headline KPIs recomputed from two streams that do not go through the ledger,
//! the engine's events (holds, rejections, confirmations, releases, expiries, shipments, short
//! picks, backorder fills) and the customers' side of the run (what each customer submitted, saw
//! out of stock, abandoned or tried to pay). Like a workload/auditor pair, it knows what was asked
//! and what the engine did, and judges the outcome per order with its own rules; the tests require
//! it to agree exactly with the summary.
//!
//! It keeps one small record per order until the order's fate is sealed, then folds it into its
//! totals: memory follows the open orders, as the engine's does.
//!
//! It also follows every cell's replenishment cycles (receipt to receipt, from the engine's
//! `Received` events) and judges each line's home cell (the channel's warehouse nearest the
//! customer) by its own rule: the cell served the line when its free units, plus what the order
//! took there of that SKU, covered the line. A cycle with a line its home cell did not serve is
//! short; the tests require the per-cell counts to equal the replenisher's.

use qm_engine::{Event, EventKind, ReleaseReason};

use super::metrics::Summary;
use crate::time::MS_PER_DAY;
use rustc_hash::FxHashMap;

/// What a customer did, as the simulator's demand and cart model decided it.
#[derive(Clone, Copy, Debug)]
pub(super) enum CustomerEvent {
    /// A customer submitted order `order` of `units` units on `day` (its lines shown in stock).
    Submitted { order: u64, day: u32, units: u64 },
    /// A line of `units` units was shown out of stock: not ordered.
    NotShown { units: u64 },
    /// The customer left the cart of `order` without paying.
    Abandoned { order: u64 },
    /// The customer tried to pay for `order`.
    PaymentAttempted { order: u64 },
    /// The hold had expired: the checkout reserved `order` again as engine order `as_order`.
    ReservedAgain { order: u64, as_order: u64 },
    /// A line of `units` units whose home cell is `cell`, counted in the close of `day`:
    /// `at_home_units` of them were held at that cell; `sku_at_home_units` is what the order
    /// held there of the line's SKU, all lines together; `home_free_units` the cell's free units
    /// for the channel after the decision (read only when the line was not all held at home;
    /// else 0, since what it took there covers it).
    HomeLine {
        day: u32,
        cell: usize,
        units: u64,
        at_home_units: u64,
        sku_at_home_units: u64,
        home_free_units: u64,
    },
}

/// The summary's KPIs that the auditor computes too.
pub const AUDITED_KPIS: [&str; 17] = [
    "orders_placed",
    "orders_to_ship",
    "orders_shipped_complete",
    "units_to_ship",
    "units_shipped",
    "orders_oversold",
    "oversold_units",
    "orders_cancelled_oversold",
    "orders_rejected_with_stock",
    "lost_sales_units",
    "backorder_units_filled",
    "order_fulfillment_rate",
    "unit_fill_rate",
    "demand_fill_rate",
    "replenishment_cycles",
    "achieved_cycle_service_level",
    "achieved_fill_rate",
];

/// The headline KPIs as the auditor computes them: [`AUDITED_KPIS`] in a summary's own fields
/// (the others stay at their defaults), and each cell's cycles.
#[derive(Clone, Debug, Default)]
pub struct AuditedKpis {
    /// The auditor's values of [`AUDITED_KPIS`]. Rates it cannot define are 0, as the
    /// summary's are; service figures without cycles or demand are `None`.
    pub kpis: Summary,
    /// Per cell (SKU-major, as the engine numbers cells): cycles and short cycles.
    pub cell_cycles: Vec<(u32, u32)>,
}

impl AuditedKpis {
    /// Every KPI on which `summary` (the ledger's) differs from the auditor's, as
    /// `name: ledger L, auditor A`, then the first cells whose cycles (`cell_cycles`, the
    /// replenisher's per cell: cycles, short cycles) differ.
    pub fn disagreements(&self, summary: &Summary, cell_cycles: &[(u32, u32)]) -> Vec<String> {
        let ledger = serde_json::to_value(summary).expect("plain numbers and text");
        let audited = serde_json::to_value(&self.kpis).expect("plain numbers and text");
        let mut out: Vec<String> = AUDITED_KPIS
            .iter()
            .filter(|name| ledger[**name] != audited[**name])
            .map(|name| {
                format!(
                    "{name}: ledger {}, auditor {}",
                    ledger[*name], audited[*name]
                )
            })
            .collect();
        out.extend(self.cell_disagreements(cell_cycles));
        out
    }

    /// The first cells whose cycles differ between the replenisher and the auditor.
    fn cell_disagreements(&self, cell_cycles: &[(u32, u32)]) -> Vec<String> {
        let mut out = Vec::new();
        let cells = cell_cycles
            .iter()
            .zip(&self.cell_cycles)
            .enumerate()
            .filter(|(_, (ledger, audited))| ledger != audited)
            .take(3)
            .map(|(cell, (ledger, audited))| {
                format!("cell {cell} cycles (all, short): ledger {ledger:?}, auditor {audited:?}")
            });
        out.extend(cells);
        if cell_cycles.len() != self.cell_cycles.len() {
            out.push(format!(
                "cells: ledger {}, auditor {}",
                cell_cycles.len(),
                self.cell_cycles.len()
            ));
        }
        out
    }
}

/// One customer order as the auditor follows it.
#[derive(Clone, Copy, Default)]
struct Followed {
    day: u32,
    units: u64,
    held: bool,
    rejected: bool,
    units_short: u64,
    units_backordered: u64,
    units_short_picked: u64,
    units_shipped: u64,
    abandoned: bool,
    attempted: bool,
    confirmed: bool,
    payment_failed: bool,
    cancelled: bool,
    expired: bool,
}

/// How an order ended, as far as the KPIs are concerned.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Still open: it may ship later.
    Open,
    /// Every unit shipped.
    Complete,
    /// The customer walked away: abandoned the cart or the payment failed.
    WalkedAway,
    /// Rejected for want of stock and never held: cancelled as oversold.
    CancelledOversold,
    /// Rejected although the network had every unit, and never held: cancelled.
    RejectedWithStock,
    /// Lost: the customer paid after the hold expired, a recorded cancellation released it, or
    /// every line shipped with units short.
    Lost,
}

impl Followed {
    fn fate(&self) -> Fate {
        if self.units > 0 && self.units_shipped >= self.units {
            Fate::Complete
        } else if self.rejected && !self.held {
            if self.units_short > 0 {
                Fate::CancelledOversold
            } else {
                Fate::RejectedWithStock
            }
        } else if self.abandoned || self.payment_failed {
            Fate::WalkedAway
        } else if self.cancelled
            || (self.attempted && self.expired && !self.confirmed)
            || self.units_shipped + self.units_short_picked >= self.units
        {
            Fate::Lost
        } else {
            Fate::Open
        }
    }

    /// Units the network lacked: what the engine found short when it refused the order for
    /// good, or what it backordered when it held it, plus units short at pick time.
    fn oversold_units(&self) -> u64 {
        let at_reserve = if self.held {
            self.units_backordered
        } else {
            self.units_short
        };
        at_reserve + self.units_short_picked
    }
}

/// The auditor's state.
pub(super) struct Audit {
    /// Customer orders have ids below this (reshipments above).
    first_reship_id: u64,
    orders: FxHashMap<u64, Followed>,
    /// Engine orders that continue a customer order (reserved again at payment).
    aliases: FxHashMap<u64, u64>,
    totals: Summary,
    units_not_shown: u64,
    service: Service,
}

/// Each cell's replenishment cycles and the home units, as the auditor follows them.
struct Service {
    warehouses: usize,
    warmup_days: u32,
    cells: Vec<CellCycle>,
    home_units: u64,
    home_units_served: u64,
}

/// One cell's cycle in progress and its finished cycles.
#[derive(Clone, Copy, Default)]
struct CellCycle {
    /// A line the cell did not serve fell in the cycle in progress.
    short: bool,
    /// The cycle in progress started on or after the warm-up's end.
    counted: bool,
    cycles: u32,
    cycles_short: u32,
}

impl Service {
    /// A receipt at `cell` on `day` ends its cycle and starts the next.
    fn receipt(&mut self, cell: usize, day: u32) {
        let c = &mut self.cells[cell];
        if c.counted {
            c.cycles += 1;
            c.cycles_short += c.short as u32;
        }
        c.short = false;
        c.counted = day >= self.warmup_days;
    }

    /// A line of `units` whose home is `cell`; `served` of them by that cell.
    fn home_line(&mut self, day: u32, cell: usize, units: u64, served: u64) {
        if served < units {
            self.cells[cell].short = true;
        }
        if day >= self.warmup_days {
            self.home_units += units;
            self.home_units_served += served;
        }
    }

    /// Cycles, their service level and the home fill rate into `totals`; each cell's cycles
    /// and short cycles.
    fn finish(&self, totals: &mut Summary) -> Vec<(u32, u32)> {
        let cycles: u64 = self.cells.iter().map(|c| c.cycles as u64).sum();
        let short: u64 = self.cells.iter().map(|c| c.cycles_short as u64).sum();
        totals.replenishment_cycles = cycles;
        totals.achieved_cycle_service_level =
            (cycles > 0).then(|| 1.0 - short as f64 / cycles as f64);
        totals.achieved_fill_rate =
            (self.home_units > 0).then(|| self.home_units_served as f64 / self.home_units as f64);
        self.cells
            .iter()
            .map(|c| (c.cycles, c.cycles_short))
            .collect()
    }
}

impl Audit {
    /// An auditor for a network of `cells` cells, `warehouses` to an SKU, whose service counts
    /// from `warmup_days` on; customer orders have ids below `first_reship_id`.
    pub(super) fn new(
        first_reship_id: u64,
        cells: usize,
        warehouses: usize,
        warmup_days: u32,
    ) -> Self {
        Audit {
            first_reship_id,
            orders: FxHashMap::default(),
            aliases: FxHashMap::default(),
            totals: Summary::default(),
            units_not_shown: 0,
            service: Service {
                warehouses,
                warmup_days,
                cells: vec![
                    CellCycle {
                        counted: warmup_days == 0,
                        ..CellCycle::default()
                    };
                    cells
                ],
                home_units: 0,
                home_units_served: 0,
            },
        }
    }

    /// A customer's decision.
    pub(super) fn customer(&mut self, event: CustomerEvent) {
        match event {
            CustomerEvent::Submitted { order, day, units } => {
                self.orders.insert(
                    order,
                    Followed {
                        day,
                        units,
                        ..Followed::default()
                    },
                );
            }
            CustomerEvent::NotShown { units, .. } => self.units_not_shown += units,
            CustomerEvent::Abandoned { order } => self.follow(order, |o| o.abandoned = true),
            CustomerEvent::PaymentAttempted { order } => self.follow(order, |o| o.attempted = true),
            CustomerEvent::ReservedAgain { order, as_order } => {
                self.aliases.insert(as_order, order);
            }
            CustomerEvent::HomeLine {
                day,
                cell,
                units,
                at_home_units,
                sku_at_home_units,
                home_free_units,
            } => {
                let covered = home_free_units + sku_at_home_units >= units;
                let served = if covered { units } else { at_home_units };
                self.service.home_line(day, cell, units, served);
            }
        }
    }

    /// An event of the engine.
    pub(super) fn engine(&mut self, event: &Event) {
        match event.kind {
            EventKind::OrderHeld {
                order,
                units_backordered,
                ..
            } => self.follow(order.0, |o| {
                o.held = true;
                o.units_backordered += units_backordered;
            }),
            EventKind::OrderRejected {
                order, units_short, ..
            } => self.follow(order.0, |o| {
                o.rejected = true;
                o.units_short = o.units_short.max(units_short);
            }),
            EventKind::OrderConfirmed { order, .. } => self.follow(order.0, |o| o.confirmed = true),
            EventKind::OrderReleased { order, reason, .. } => {
                self.follow(order.0, |o| match reason {
                    ReleaseReason::PaymentFailed => o.payment_failed = true,
                    ReleaseReason::Cancelled | ReleaseReason::Oversold => o.cancelled = true,
                })
            }
            EventKind::HoldExpired { order, .. } => self.follow(order.0, |o| o.expired = true),
            EventKind::Shipped { shipment, units } => {
                self.follow(shipment.order.0, |o| o.units_shipped += units)
            }
            EventKind::ShortPicked {
                shipment, units, ..
            } => self.follow(shipment.order.0, |o| o.units_short_picked += units as u64),
            EventKind::BackorderFilled { units, .. } => {
                self.totals.backorder_units_filled += units as u64
            }
            EventKind::Received { sku, warehouse, .. } => {
                let cell = sku.0 as usize * self.service.warehouses + warehouse.0 as usize;
                self.service
                    .receipt(cell, (event.at_ms / MS_PER_DAY) as u32);
            }
            _ => {}
        }
    }

    fn follow(&mut self, order: u64, change: impl FnOnce(&mut Followed)) {
        if order >= self.first_reship_id {
            return;
        }
        let order = self.aliases.get(&order).copied().unwrap_or(order);
        if let Some(o) = self.orders.get_mut(&order) {
            change(o);
        }
    }

    /// Folds the orders whose fate is sealed into the totals (call after draining the engine's
    /// events; an open order stays followed).
    pub(super) fn settle(&mut self) {
        let totals = &mut self.totals;
        self.orders.retain(|_, o| {
            let fate = o.fate();
            if fate == Fate::Open {
                return true;
            }
            count(totals, o, fate, false);
            false
        });
        let orders = &self.orders;
        self.aliases.retain(|_, order| orders.contains_key(order));
    }

    /// The KPIs of a run whose last closed day is `last_day`: orders still open then and placed
    /// on it are in flight, not failed.
    pub(super) fn finish(&mut self, last_day: u32) -> AuditedKpis {
        self.settle();
        let mut totals = self.totals.clone();
        for o in self.orders.values() {
            count(&mut totals, o, Fate::Open, o.day >= last_day);
        }
        let share = |n: u64, d: u64| if d > 0 { n as f64 / d as f64 } else { 0.0 };
        totals.order_fulfillment_rate =
            share(totals.orders_shipped_complete, totals.orders_to_ship);
        totals.unit_fill_rate = share(totals.units_shipped, totals.units_to_ship);
        totals.demand_fill_rate = share(
            totals.units_shipped,
            totals.units_to_ship + self.units_not_shown,
        );
        totals.lost_sales_units += self.units_not_shown;
        let cell_cycles = self.service.finish(&mut totals);
        AuditedKpis {
            kpis: totals,
            cell_cycles,
        }
    }
}

/// Adds one order of `fate` to the totals; `in_flight` for an open order placed on the last day.
fn count(totals: &mut Summary, o: &Followed, fate: Fate, in_flight: bool) {
    totals.orders_placed += 1;
    totals.units_shipped += o.units_shipped;
    let oversold = o.oversold_units();
    if oversold > 0 {
        totals.orders_oversold += 1;
        totals.oversold_units += oversold;
    }
    match fate {
        Fate::WalkedAway => return,
        Fate::CancelledOversold => {
            totals.orders_cancelled_oversold += 1;
            totals.lost_sales_units += o.units;
        }
        Fate::RejectedWithStock => {
            totals.orders_rejected_with_stock += 1;
            totals.lost_sales_units += o.units;
        }
        Fate::Complete => totals.orders_shipped_complete += 1,
        Fate::Open if in_flight => {
            // Out of the orders to ship; its shipped units stay in the units to ship.
            totals.units_to_ship += o.units_shipped;
            return;
        }
        Fate::Open | Fate::Lost => {}
    }
    totals.orders_to_ship += 1;
    totals.units_to_ship += o.units;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(units: u64) -> Followed {
        Followed {
            units,
            ..Followed::default()
        }
    }

    #[test]
    fn fates_follow_the_events() {
        let mut o = order(5);
        assert!(o.fate() == Fate::Open);
        o.held = true;
        o.units_shipped = 5;
        assert!(o.fate() == Fate::Complete);
        let rejected = Followed {
            rejected: true,
            units_short: 2,
            ..order(3)
        };
        assert!(rejected.fate() == Fate::CancelledOversold);
        assert_eq!(rejected.oversold_units(), 2);
        let unsplittable = Followed {
            rejected: true,
            ..order(3)
        };
        assert!(unsplittable.fate() == Fate::RejectedWithStock);
        assert_eq!(unsplittable.oversold_units(), 0);
        let retried = Followed {
            rejected: true,
            units_short: 2,
            held: true,
            units_backordered: 2,
            units_short_picked: 1,
            ..order(3)
        };
        assert!(retried.fate() == Fate::Open);
        assert_eq!(retried.oversold_units(), 3);
        let late = Followed {
            held: true,
            attempted: true,
            expired: true,
            ..order(2)
        };
        assert!(late.fate() == Fate::Lost);
    }

    fn home_line(
        day: u32,
        cell: usize,
        units: u64,
        at_home: u64,
        sku_at_home: u64,
        free: u64,
    ) -> CustomerEvent {
        CustomerEvent::HomeLine {
            day,
            cell,
            units,
            at_home_units: at_home,
            sku_at_home_units: sku_at_home,
            home_free_units: free,
        }
    }

    fn receipt(day: u32, sku: u32, warehouse: u16) -> Event {
        Event {
            at_ms: day as u64 * MS_PER_DAY + 1,
            kind: EventKind::Received {
                sku: qm_engine::SkuId(sku),
                warehouse: qm_engine::WarehouseId(warehouse),
                units: 10,
            },
        }
    }

    /// Cycles run receipt to receipt per cell and count from the warm-up's end; a line is short
    /// at its home cell only when the cell's free units plus what the order took there of the
    /// SKU fall below the line.
    #[test]
    fn cells_are_short_only_when_their_stock_did_not_cover_the_line() {
        // Two SKUs × two warehouses; warm-up of 2 days.
        let mut audit = Audit::new(1_000, 4, 2, 2);
        // Day 0: cell 0's first cycle started inside the warm-up: not counted.
        audit.customer(home_line(0, 0, 5, 0, 0, 0));
        audit.engine(&receipt(1, 0, 0));
        // Day 1's receipt starts a cycle still inside the warm-up, also not counted.
        audit.engine(&receipt(2, 0, 0));
        // Cycle from day 2: a line served elsewhere while home had 6 free: not short.
        audit.customer(home_line(2, 0, 5, 0, 0, 6));
        // A line of 4 with 3 held at home, in an order that held 6 of the SKU there (another
        // line), nothing free now: the cell had the 4 units, so it is not short.
        audit.customer(home_line(3, 0, 4, 3, 6, 0));
        audit.engine(&receipt(4, 0, 0));
        // Next cycle: a lost line, home had 2 of 3: short.
        audit.customer(home_line(4, 0, 3, 0, 0, 2));
        audit.engine(&receipt(6, 0, 0));
        // Cell 3 (SKU 1, warehouse 1): a cycle from day 3 with a line held at home in full.
        audit.engine(&receipt(3, 1, 1));
        audit.customer(home_line(5, 3, 2, 2, 2, 0));
        audit.engine(&receipt(6, 1, 1));
        let kpis = audit.finish(9);
        assert_eq!(kpis.cell_cycles, [(2, 1), (0, 0), (0, 0), (1, 0)]);
        assert_eq!(kpis.kpis.replenishment_cycles, 3);
        assert_eq!(
            kpis.kpis.achieved_cycle_service_level,
            Some(1.0 - 1.0 / 3.0)
        );
        // Home units from day 2 on: 5 + 4 + 3 + 2 = 14, served 5 + 4 + 0 + 2 = 11.
        assert_eq!(kpis.kpis.achieved_fill_rate, Some(11.0 / 14.0));
        let found = kpis.disagreements(
            &Summary {
                replenishment_cycles: 3,
                achieved_cycle_service_level: kpis.kpis.achieved_cycle_service_level,
                achieved_fill_rate: kpis.kpis.achieved_fill_rate,
                ..Summary::default()
            },
            &[(2, 0), (0, 0), (0, 0), (1, 0)],
        );
        assert_eq!(
            found,
            ["cell 0 cycles (all, short): ledger (2, 0), auditor (2, 1)"]
        );
    }

    /// A misspelt name would read null on both sides and never disagree.
    #[test]
    fn every_audited_kpi_is_a_summary_field() {
        let summary = serde_json::to_value(Summary::default()).unwrap();
        for name in AUDITED_KPIS {
            assert!(summary.get(name).is_some(), "{name} is not a summary field");
        }
    }

    #[test]
    fn a_ledger_that_counts_otherwise_is_named() {
        let summary = Summary {
            orders_placed: 1,
            ..Summary::default()
        };
        let found = AuditedKpis::default().disagreements(&summary, &[]);
        assert_eq!(found, ["orders_placed: ledger 1, auditor 0"]);
    }
}
