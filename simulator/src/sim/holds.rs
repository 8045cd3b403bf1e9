//! Cart holds: the sweep that expires them, and payment (confirm, or a failed payment's
//! release).

use qm_engine::*;
use rand::RngExt;

use super::audit::CustomerEvent;
use super::error::SimError;
use super::metrics::*;
use super::state::*;
use crate::time::MS_PER_HOUR;

impl Sim<'_> {
    pub(super) fn expired_unit_hours(&mut self, order: u64) {
        let ttl_hours = self.world.ttl_ms as f64 / MS_PER_HOUR as f64;
        if let Some(o) = self.open.get_mut(&order) {
            if !o.hold_expired {
                o.hold_expired = true;
                self.summary.expired_hold_unit_hours += o.units_held as f64 * ttl_hours;
            }
        }
    }

    pub(super) fn sweep(&mut self, now_ms: u64) {
        let expired = self
            .latency
            .time(CallKind::ExpireHolds, || self.engine.expire_holds(now_ms));
        for hold in expired {
            self.expired_unit_hours(hold.order.0);
            if self.open.get(&hold.order.0).is_some_and(|o| o.abandoned) {
                self.open.remove(&hold.order.0);
            }
        }
    }

    pub(super) fn pay(&mut self, order: u64, now_ms: u64) -> Result<(), SimError> {
        self.audit
            .customer(CustomerEvent::PaymentAttempted { order });
        if self
            .rng_carts
            .random_bool(*self.s.carts.payment_failure_rate.get_ref())
        {
            let released = self.latency.time(CallKind::Release, || {
                self.engine
                    .release(OrderId(order), ReleaseReason::PaymentFailed, now_ms)
            });
            match released {
                Ok(_) => self.walked_away(order, true),
                Err(OrderError::HoldExpired { .. }) => {
                    self.expired_unit_hours(order);
                    if let Some(o) = self.open.get(&order) {
                        self.ledger.lost_hold_expired(o.at);
                    }
                }
                Err(e) => {
                    return Err(SimError::Disagreement(format!(
                        "the engine refused to release order {order}: {e}"
                    )))
                }
            }
            self.open.remove(&order);
            return Ok(());
        }
        match self.latency.time(CallKind::Confirm, || {
            self.engine.confirm(OrderId(order), now_ms)
        }) {
            Ok(confirmation) => {
                if let Some(o) = self.open.get(&order) {
                    self.ledger
                        .order_confirmed(o.at, confirmation.shipments.len());
                }
                for shipment in &confirmation.shipments {
                    self.enqueue(shipment, now_ms);
                }
            }
            Err(OrderError::HoldExpired { .. }) => {
                self.expired_unit_hours(order);
                if let Some(o) = self.open.get(&order) {
                    self.ledger.lost_hold_expired(o.at);
                }
                self.open.remove(&order);
            }
            Err(e) => {
                return Err(SimError::Disagreement(format!(
                    "the engine refused a payment the simulator believed valid: {e}"
                )))
            }
        }
        Ok(())
    }
}
