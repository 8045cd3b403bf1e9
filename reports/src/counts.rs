//! The order, unit and shipment counts every level of a run is measured by, and the rates derived
//! from them. The run, its peak, each day, channel, warehouse and SKU carry the same [`Counts`],
//! so a rate has one formula at every level: the methods below, which the summary and every table
//! call.
//!
//! A count follows the order it belongs to: a day's counts are those of the orders placed that day
//! (whenever they shipped), a channel's those of its orders. A SKU's counts hold the facts about
//! its lines (units), not whole orders; a warehouse's hold the shipments it sent and the units in
//! them. A count a level cannot know stays 0 there, and a rate over it is undefined (null).

use qm_money::Cents;
use serde::{Deserialize, Serialize};

/// Additive counts of order, unit and shipment facts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Orders customers submitted (lines shown out of stock are not in them).
    pub orders_placed: u64,
    /// Units in placed orders.
    pub units_ordered: u64,
    /// Placed orders the engine held in full or in part.
    pub orders_held: u64,
    /// Orders held with units backordered.
    pub orders_backordered: u64,
    /// Units backordered.
    pub units_backordered: u64,
    /// Orders the channel accepted (it showed stock for every line) for which the network lacked
    /// units: rejected or backordered for want of stock, or left incomplete by a short pick.
    pub orders_oversold: u64,
    /// The units the network lacked for them: short at the reserve (per SKU, over the channel's
    /// warehouses), backordered, or short at pick time.
    pub oversold_units: u64,
    /// Oversold orders cancelled.
    pub orders_cancelled_oversold: u64,
    /// Orders the engine refused although the channel's warehouses together had every unit (no
    /// single warehouse held it all, or capacity), cancelled.
    pub orders_rejected_with_stock: u64,
    /// Carts never paid.
    pub orders_abandoned: u64,
    /// Units in them.
    pub units_abandoned: u64,
    /// Payments that failed.
    pub orders_payment_failed: u64,
    /// Units in them.
    pub units_payment_failed: u64,
    /// Customers who paid after their hold expired: the checkout reserved the order again.
    pub orders_rereserved_at_payment: u64,
    /// Of those (and of late payers whose payment failed), orders whose sale was lost: the
    /// second reserve failed.
    pub orders_lost_hold_expired: u64,
    /// Orders paid in time.
    pub orders_confirmed: u64,
    /// Confirmed orders with more than one shipment.
    pub orders_split: u64,
    /// Orders placed on the last day and still open at the end.
    pub orders_in_flight_at_end: u64,
    /// Their units not shipped at the end.
    pub units_in_flight_at_end: u64,
    /// Orders with at least one shipment shipped.
    pub orders_shipped: u64,
    /// Orders whose every unit shipped.
    pub orders_shipped_complete: u64,
    /// Orders shipped complete with no short pick and no pick error.
    pub orders_shipped_accurate: u64,
    /// Units shipped against placed orders (reshipments excluded).
    pub units_shipped: u64,
    /// Units customers wanted and could not buy.
    pub lost_sales_units: u64,
    /// Of those, units in lines the channel showed out of stock.
    pub lost_sales_units_not_shown: u64,
    /// Of lost units, those free stock plus units held in carts would have covered.
    pub lost_sales_units_to_holds: u64,
    /// Shipments sent, reshipments included.
    pub shipments: u64,
    /// Order lines in those shipments.
    pub lines_shipped: u64,
    /// Carrier cost of those shipments, cents.
    pub shipping_cost_cents: Cents,
    /// Great-circle km from warehouse to customer, summed over shipments.
    pub shipping_distance_km: f64,
    /// Hours from placement to completion, summed over orders shipped complete.
    pub processing_time_hours_total: f64,
    /// Orders shipped complete within 24 h of placement.
    pub orders_shipped_within_24h: u64,
    /// Within 48 h.
    pub orders_shipped_within_48h: u64,
    /// Days from placement to delivery of the last shipment, summed over orders shipped complete.
    pub delivery_time_days_total: f64,
    /// Shipments picked wrong.
    pub pick_errors: u64,
}

/// `numerator ÷ denominator`, undefined when the denominator is 0.
pub fn share(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| numerator / denominator)
}

impl Counts {
    /// Adds every count of `other`.
    pub fn add(&mut self, other: &Counts) {
        macro_rules! add {
            ($($field:ident),*) => { $(self.$field += other.$field;)* };
        }
        add!(
            orders_placed,
            units_ordered,
            orders_held,
            orders_backordered,
            units_backordered,
            orders_oversold,
            oversold_units,
            orders_cancelled_oversold,
            orders_rejected_with_stock,
            orders_abandoned,
            units_abandoned,
            orders_payment_failed,
            units_payment_failed,
            orders_rereserved_at_payment,
            orders_lost_hold_expired,
            orders_confirmed,
            orders_split,
            orders_in_flight_at_end,
            units_in_flight_at_end,
            orders_shipped,
            orders_shipped_complete,
            orders_shipped_accurate,
            units_shipped,
            lost_sales_units,
            lost_sales_units_not_shown,
            lost_sales_units_to_holds,
            shipments,
            lines_shipped,
            shipping_cost_cents,
            shipping_distance_km,
            processing_time_hours_total,
            orders_shipped_within_24h,
            orders_shipped_within_48h,
            delivery_time_days_total,
            pick_errors
        );
    }

    /// The sum of `all`.
    pub fn sum<'a>(all: impl IntoIterator<Item = &'a Counts>) -> Counts {
        let mut total = Counts::default();
        for c in all {
            total.add(c);
        }
        total
    }

    /// Placed orders the customer went through with: placed − abandoned − payment failed − in
    /// flight at the end.
    pub fn orders_to_ship(&self) -> u64 {
        self.orders_placed
            - self.orders_abandoned
            - self.orders_payment_failed
            - self.orders_in_flight_at_end
    }

    /// Units in the orders to ship: ordered − abandoned − payment failed − unshipped in flight.
    pub fn units_to_ship(&self) -> u64 {
        self.units_ordered
            - self.units_abandoned
            - self.units_payment_failed
            - self.units_in_flight_at_end
    }

    /// Orders shipped complete ÷ orders to ship.
    pub fn order_fulfillment_rate(&self) -> Option<f64> {
        share(
            self.orders_shipped_complete as f64,
            self.orders_to_ship() as f64,
        )
    }

    /// Orders shipped complete without error ÷ orders shipped complete.
    pub fn order_accuracy(&self) -> Option<f64> {
        share(
            self.orders_shipped_accurate as f64,
            self.orders_shipped_complete as f64,
        )
    }

    /// Units shipped ÷ units to ship.
    pub fn unit_fill_rate(&self) -> Option<f64> {
        share(self.units_shipped as f64, self.units_to_ship() as f64)
    }

    /// Units shipped ÷ (units to ship + units shown out of stock).
    pub fn demand_fill_rate(&self) -> Option<f64> {
        share(
            self.units_shipped as f64,
            (self.units_to_ship() + self.lost_sales_units_not_shown) as f64,
        )
    }

    /// Confirmed orders with more than one shipment ÷ confirmed orders.
    pub fn split_shipment_rate(&self) -> Option<f64> {
        share(self.orders_split as f64, self.orders_confirmed as f64)
    }

    /// Shipping cost ÷ orders shipped, cents.
    pub fn shipping_cost_cents_per_order(&self) -> Option<f64> {
        share(
            self.shipping_cost_cents.as_f64(),
            self.orders_shipped as f64,
        )
    }

    /// Shipping distance ÷ orders shipped, km.
    pub fn shipping_distance_km_per_order(&self) -> Option<f64> {
        share(self.shipping_distance_km, self.orders_shipped as f64)
    }

    /// Mean processing hours of the orders shipped complete.
    pub fn processing_time_hours_mean(&self) -> Option<f64> {
        share(
            self.processing_time_hours_total,
            self.orders_shipped_complete as f64,
        )
    }

    /// Share of orders shipped complete within 24 h.
    pub fn shipped_within_24h_share(&self) -> Option<f64> {
        share(
            self.orders_shipped_within_24h as f64,
            self.orders_shipped_complete as f64,
        )
    }

    /// Share within 48 h.
    pub fn shipped_within_48h_share(&self) -> Option<f64> {
        share(
            self.orders_shipped_within_48h as f64,
            self.orders_shipped_complete as f64,
        )
    }

    /// Mean delivery days of the orders shipped complete.
    pub fn delivery_time_days_mean(&self) -> Option<f64> {
        share(
            self.delivery_time_days_total,
            self.orders_shipped_complete as f64,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_and_units_to_ship_leave_out_what_customers_walked_away_from() {
        let c = Counts {
            orders_placed: 10,
            units_ordered: 30,
            orders_abandoned: 2,
            units_abandoned: 5,
            orders_payment_failed: 1,
            units_payment_failed: 3,
            orders_in_flight_at_end: 1,
            units_in_flight_at_end: 2,
            orders_shipped_complete: 3,
            units_shipped: 10,
            lost_sales_units_not_shown: 5,
            ..Counts::default()
        };
        assert_eq!(c.orders_to_ship(), 6);
        assert_eq!(c.units_to_ship(), 20);
        assert_eq!(c.order_fulfillment_rate(), Some(0.5));
        assert_eq!(c.unit_fill_rate(), Some(0.5));
        assert_eq!(c.demand_fill_rate(), Some(0.4));
        assert_eq!(Counts::default().unit_fill_rate(), None);
    }

    #[test]
    fn sums_add_every_count() {
        let a = Counts {
            orders_placed: 1,
            pick_errors: 2,
            shipping_distance_km: 1.5,
            ..Counts::default()
        };
        let total = Counts::sum([&a, &a]);
        assert_eq!(total.orders_placed, 2);
        assert_eq!(total.pick_errors, 4);
        assert_eq!(total.shipping_distance_km, 3.0);
    }
}
