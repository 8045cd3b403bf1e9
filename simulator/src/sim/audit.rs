//! The auditor: the headline KPIs recomputed from two streams that do not go through the ledger,
//! the engine's events (holds, rejections, confirmations, releases, expiries, shipments, short
//! picks, backorder fills) and the customers' side of the run (what each customer submitted, saw
//! out of stock, abandoned or tried to pay). Like a workload/auditor pair, it knows what was asked
//! and what the engine did, and judges the outcome per order with its own rules; the tests require
//! it to agree exactly with the summary.
//!
//! It keeps one small record per order until the order's fate is sealed, then folds it into its
//! totals: memory follows the open orders, as the engine's does.

use qm_engine::{Event, EventKind, ReleaseReason};

use super::metrics::Summary;
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
}

/// The headline KPIs as the auditor computes them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditedKpis {
    /// Orders customers submitted.
    pub orders_placed: u64,
    /// Of those, orders the customer went through with, less those in flight at the end.
    pub orders_to_ship: u64,
    /// Orders whose every unit shipped.
    pub orders_shipped_complete: u64,
    /// orders_shipped_complete ÷ orders_to_ship (0 when undefined).
    pub order_fulfillment_rate: f64,
    /// Units in the orders to ship, less the unshipped units of those in flight.
    pub units_to_ship: u64,
    /// Units shipped against customer orders.
    pub units_shipped: u64,
    /// units_shipped ÷ units_to_ship (0 when undefined).
    pub unit_fill_rate: f64,
    /// units_shipped ÷ (units_to_ship + units shown out of stock) (0 when undefined).
    pub demand_fill_rate: f64,
    /// Orders the engine could not hold in full, or a short pick left incomplete.
    pub orders_oversold: u64,
    /// Their units not held or not picked.
    pub oversold_units: u64,
    /// Oversold orders cancelled: rejected for want of stock and never held.
    pub orders_cancelled_oversold: u64,
    /// Orders rejected although the network had every unit, and never held.
    pub orders_rejected_with_stock: u64,
    /// Units not shown plus units of cancelled oversold orders.
    pub lost_sales_units: u64,
    /// Backordered units filled by receipts or returns.
    pub backorder_units_filled: u64,
}

impl AuditedKpis {
    /// Every KPI on which `summary` (the ledger's) differs from the auditor's, as
    /// `name: ledger L, auditor A`.
    pub fn disagreements(&self, summary: &Summary) -> Vec<String> {
        let k = summary;
        let counts = [
            ("orders_placed", k.orders_placed, self.orders_placed),
            ("orders_to_ship", k.orders_to_ship, self.orders_to_ship),
            (
                "orders_shipped_complete",
                k.orders_shipped_complete,
                self.orders_shipped_complete,
            ),
            ("units_to_ship", k.units_to_ship, self.units_to_ship),
            ("units_shipped", k.units_shipped, self.units_shipped),
            ("orders_oversold", k.orders_oversold, self.orders_oversold),
            ("oversold_units", k.oversold_units, self.oversold_units),
            (
                "orders_cancelled_oversold",
                k.orders_cancelled_oversold,
                self.orders_cancelled_oversold,
            ),
            (
                "orders_rejected_with_stock",
                k.orders_rejected_with_stock,
                self.orders_rejected_with_stock,
            ),
            (
                "lost_sales_units",
                k.lost_sales_units,
                self.lost_sales_units,
            ),
            (
                "backorder_units_filled",
                k.backorder_units_filled,
                self.backorder_units_filled,
            ),
        ];
        let rates = [
            (
                "order_fulfillment_rate",
                k.order_fulfillment_rate,
                self.order_fulfillment_rate,
            ),
            ("unit_fill_rate", k.unit_fill_rate, self.unit_fill_rate),
            (
                "demand_fill_rate",
                k.demand_fill_rate,
                self.demand_fill_rate,
            ),
        ];
        let mut out: Vec<String> = counts
            .iter()
            .filter(|(_, ledger, audited)| ledger != audited)
            .map(|(name, ledger, audited)| format!("{name}: ledger {ledger}, auditor {audited}"))
            .collect();
        out.extend(
            rates
                .iter()
                .filter(|(_, ledger, audited)| ledger != audited)
                .map(|(name, ledger, audited)| {
                    format!("{name}: ledger {ledger}, auditor {audited}")
                }),
        );
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
    totals: AuditedKpis,
    units_not_shown: u64,
}

impl Audit {
    pub(super) fn new(first_reship_id: u64) -> Self {
        Audit {
            first_reship_id,
            orders: FxHashMap::default(),
            aliases: FxHashMap::default(),
            totals: AuditedKpis::default(),
            units_not_shown: 0,
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
        totals
    }
}

/// Adds one order of `fate` to the totals; `in_flight` for an open order placed on the last day.
fn count(totals: &mut AuditedKpis, o: &Followed, fate: Fate, in_flight: bool) {
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

    #[test]
    fn a_ledger_that_counts_otherwise_is_named() {
        let summary = Summary {
            orders_placed: 1,
            ..Summary::default()
        };
        let found = AuditedKpis::default().disagreements(&summary);
        assert_eq!(found, ["orders_placed: ledger 1, auditor 0"]);
    }
}
