//! Counting helpers shared by the event families: oversells, and orders that leave the orders
//! to ship.

use super::state::*;
use crate::time::MS_PER_DAY;

impl Sim<'_> {
    pub(super) fn count_oversold(&mut self, channel: u16, units: u64, day: usize) {
        self.summary.orders_oversold += 1;
        self.summary.oversold_units += units;
        self.channel_rows[channel as usize].orders_oversold += 1;
        self.channel_rows[channel as usize].oversold_units += units;
        self.daily[day].orders_oversold += 1;
        self.daily[day].oversold_units += units;
    }

    /// Orders placed on the last day and still open when the run ends have not failed: their
    /// cutoff has not come yet. They leave the orders to ship (their unshipped units the units
    /// to ship) and are counted as `orders_in_flight_at_end`; older open orders stay in, as the
    /// backlog they are.
    pub(super) fn set_aside_in_flight(&mut self) {
        let last_day_ms = self.days_closed.saturating_sub(1) as u64 * MS_PER_DAY;
        let in_flight: Vec<(u16, u64, u64)> = self
            .open
            .values()
            .filter(|o| !o.reship && !o.abandoned && o.placed_at_ms >= last_day_ms)
            .map(|o| {
                let unshipped = (o.units_ordered - o.units_shipped.min(o.units_ordered)) as u64;
                (o.channel, o.placed_at_ms, unshipped)
            })
            .collect();
        for (channel, placed_at_ms, unshipped) in in_flight {
            self.summary.orders_in_flight_at_end += 1;
            self.not_to_ship(channel, placed_at_ms, unshipped);
        }
    }

    /// Takes an order and `units` of it out of the orders and units to ship (run, channel,
    /// and peak if it was placed on a peak day).
    pub(super) fn not_to_ship(&mut self, channel: u16, placed_at_ms: u64, units: u64) {
        self.summary.orders_to_ship -= 1;
        self.summary.units_to_ship -= units;
        let row = &mut self.channel_rows[channel as usize];
        row.orders_to_ship -= 1;
        row.units_to_ship -= units;
        if self.peak_day[(placed_at_ms / MS_PER_DAY) as usize] {
            self.summary.peak_orders_to_ship -= 1;
            self.summary.peak_units_to_ship -= units;
        }
    }

    /// The customer left `order` (abandoned the cart, payment failed): not one to ship.
    pub(super) fn walked_away(&mut self, order: u64) {
        let Some(o) = self.open.get(&order) else {
            return;
        };
        let (channel, placed_at_ms, units) = (o.channel, o.placed_at_ms, o.units_ordered as u64);
        self.not_to_ship(channel, placed_at_ms, units);
    }
}
