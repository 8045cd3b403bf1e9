//! Orders that leave the orders to ship: customers who walked away, and orders still in flight
//! when the run ends.

use super::state::*;
use crate::time::MS_PER_DAY;

impl Sim<'_> {
    /// Orders placed on the last day and still open when the run ends have not failed: their
    /// cutoff has not come yet. They leave the orders to ship (their unshipped units the units
    /// to ship) and are counted as `orders_in_flight_at_end`; older open orders stay in, as the
    /// backlog they are.
    pub(super) fn set_aside_in_flight(&mut self) {
        let last_day_ms = self.days_closed.saturating_sub(1) as u64 * MS_PER_DAY;
        let in_flight: Vec<_> = self
            .open
            .values()
            .filter(|o| !o.reship && !o.abandoned && o.placed_at_ms >= last_day_ms)
            .map(|o| (o.at, o.unshipped()))
            .collect();
        for (at, unshipped) in in_flight {
            self.ledger.in_flight_at_end(at, &unshipped);
        }
    }

    /// The customer left `order`: abandoned the cart, or the payment failed.
    pub(super) fn walked_away(&mut self, order: u64, payment_failed: bool) {
        let Some(o) = self.open.get(&order) else {
            return;
        };
        if payment_failed {
            self.ledger.payment_failed(o.at, &o.lines);
        } else {
            self.ledger.order_abandoned(o.at, &o.lines);
        }
    }
}
