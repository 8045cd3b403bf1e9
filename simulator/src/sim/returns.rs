//! Returns and pick errors: a returned line restocked or scrapped, and the right item
//! reshipped after a wrong one.

use qm_engine::*;

use super::error::SimError;
use super::ledger::{At, Movement};
use super::metrics::*;
use super::state::*;

/// A line picked wrong: the customer got another item.
pub(super) struct WrongItem {
    /// The order picked wrong.
    pub(super) order: u64,
    /// Its line.
    pub(super) line: u16,
    /// The SKU the customer should have got.
    pub(super) sku: u32,
    /// Units.
    pub(super) units: u32,
    /// The customer's region.
    pub(super) region: u16,
    /// Where the order's facts count (the reshipment's count there too).
    pub(super) at: At,
}

impl Sim<'_> {
    /// A customer sends `units` of `order`'s `line` back; `restock` puts them back on the shelf
    /// (else they are scrapped), and backorders they fill are queued to ship. `doing` names the
    /// return in an error.
    pub(super) fn return_units(
        &mut self,
        order: u64,
        line: u16,
        units: u32,
        restock: bool,
        now_ms: u64,
        doing: impl FnOnce() -> String,
    ) -> Result<(), SimError> {
        let disposition = if restock {
            Disposition::Restock
        } else {
            Disposition::Scrap
        };
        let outcome = self.latency.time(CallKind::RestockReturn, || {
            self.engine.restock_return(
                OrderId(order),
                line as usize,
                units as i64,
                disposition,
                now_ms,
            )
        });
        let outcome = outcome.map_err(|cause| SimError::OrderCall {
            doing: doing(),
            cause,
        })?;
        self.ledger.moved(Movement::Returned {
            units: units as u64,
            restocked: restock,
        });
        self.backorders_filled(&outcome.filled, now_ms);
        Ok(())
    }

    pub(super) fn reship(&mut self, wrong: WrongItem, now_ms: u64) -> Result<(), SimError> {
        let order = wrong.order;
        let doing = move || format!("return of the wrong item of order {order}");
        // The customer sends the wrong item back; the shop sends the right one. A recorded
        // return of the same line may have come back first: only the rest is returnable.
        let units = self
            .engine
            .returnable_units(OrderId(order), wrong.line as usize)
            .map_err(|cause| SimError::OrderCall {
                doing: doing(),
                cause,
            })?
            .min(wrong.units);
        if units == 0 {
            return Ok(());
        }
        self.return_units(order, wrong.line, units, true, now_ms, doing)?;
        let id = self.next_reship;
        self.next_reship += 1;
        // Reshipments go out through the first channel; their facts count with the order's.
        let channel = 0;
        let request = ReserveRequest {
            order: Order {
                id: OrderId(id),
                channel: ChannelId(channel),
                placed_at_ms: now_ms,
                ship_to: self.world.regions[wrong.region as usize],
                service: ServiceLevel::Standard,
                lines: vec![OrderLine {
                    sku: SkuId(wrong.sku),
                    quantity: units as i64,
                }],
            },
            split: SplitPolicy::SplitAllowed,
            hold_ttl_ms: self.world.ttl_ms,
        };
        if let ReserveOutcome::Held(hold) = self
            .latency
            .time(CallKind::Reserve, || self.engine.reserve(&request, now_ms))?
        {
            self.open.insert(
                id,
                OpenOrder {
                    reship: true,
                    ..OpenOrder::held(
                        now_ms,
                        wrong.at,
                        wrong.region,
                        vec![(wrong.sku, units)],
                        hold.units_held(),
                    )
                },
            );
            let confirmation = self.latency.time(CallKind::Confirm, || {
                self.engine.confirm(OrderId(id), now_ms)
            })?;
            self.ledger.moved(Movement::Reshipped);
            for shipment in &confirmation.shipments {
                self.enqueue(shipment, now_ms);
            }
        }
        Ok(())
    }
}
