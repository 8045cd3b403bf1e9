//! Cart holds: the sweep that expires them, and payment (confirm, or a failed payment's
//! release).

use qm_engine::*;
use rand::RngExt;

use super::audit::CustomerEvent;
use super::error::SimError;
use super::ledger::Movement;
use super::metrics::*;
use super::state::*;
use crate::time::MS_PER_HOUR;

impl Sim<'_> {
    pub(super) fn expired_unit_hours(&mut self, order: u64) {
        let ttl_hours = self.world.ttl_ms as f64 / MS_PER_HOUR as f64;
        if let Some(o) = self.open.get_mut(&order) {
            if !o.hold_expired {
                o.hold_expired = true;
                self.ledger.moved(Movement::HoldExpired {
                    unit_hours: o.units_held as f64 * ttl_hours,
                });
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
                self.reserve_again_at_payment(order, now_ms)?;
            }
            Err(e) => {
                return Err(SimError::Disagreement(format!(
                    "the engine refused a payment the simulator believed valid: {e}"
                )))
            }
        }
        Ok(())
    }

    /// A customer paid after the hold expired: the checkout reserves the order again (as a new
    /// engine order, every unit or none) and confirms it at once; when that fails the sale is
    /// lost.
    fn reserve_again_at_payment(&mut self, order: u64, now_ms: u64) -> Result<(), SimError> {
        let Some(mut o) = self.open.remove(&order) else {
            return Ok(());
        };
        let id = self.next_rehold;
        self.next_rehold += 1;
        self.ledger.rereserved_at_payment(o.at);
        self.audit.customer(CustomerEvent::ReservedAgain {
            order,
            as_order: id,
        });
        let split = match self.world.splits[o.at.channel as usize] {
            SplitPolicy::PartialWithBackorder => SplitPolicy::SplitAllowed,
            split => split,
        };
        let service = self.service(o.express);
        let request = ReserveRequest {
            order: Order {
                id: OrderId(id),
                channel: ChannelId(o.at.channel),
                placed_at_ms: now_ms,
                ship_to: self.world.regions[o.region as usize],
                service,
                lines: o
                    .lines
                    .iter()
                    .map(|&(sku, units)| OrderLine {
                        sku: SkuId(sku),
                        quantity: units as i64,
                    })
                    .collect(),
            },
            split,
            hold_ttl_ms: self.world.ttl_ms,
        };
        let outcome = self
            .latency
            .time(CallKind::Reserve, || self.engine.reserve(&request, now_ms))?;
        self.latency.reserved_lines(request.order.lines.len());
        let ReserveOutcome::Held(hold) = outcome else {
            self.ledger.lost_hold_expired(o.at);
            return Ok(());
        };
        let confirmation = self.latency.time(CallKind::Confirm, || {
            self.engine.confirm(OrderId(id), now_ms)
        })?;
        o.units_held = hold.units_held() as u32;
        o.hold_expired = false;
        self.ledger
            .order_confirmed(o.at, confirmation.shipments.len());
        self.move_order(order, id, o);
        for shipment in &confirmation.shipments {
            self.enqueue(shipment, now_ms);
        }
        Ok(())
    }

    /// `order` goes on as engine order `id`: the simulator's record, its pins and where its
    /// recorded lines were placed follow it.
    fn move_order(&mut self, order: u64, id: u64, o: OpenOrder) {
        self.open.insert(id, o);
        if let Some(pins) = self.pinned.remove(&order) {
            self.pinned.insert(id, pins);
        }
        for placed in self.recorded.placed_lines.values_mut() {
            if placed.0 == order {
                placed.0 = id;
            }
        }
    }
}
