//! Returns and pick errors: a returned line restocked or scrapped, and the right item
//! reshipped after a wrong one.

use qm_engine::*;

use super::error::SimError;
use super::metrics::*;
use super::state::*;

impl Sim<'_> {
    pub(super) fn reship(
        &mut self,
        order: u64,
        line: u16,
        sku: u32,
        units: u32,
        region: u16,
        now_ms: u64,
    ) -> Result<(), SimError> {
        // The customer sends the wrong item back; the shop sends the right one. A recorded
        // return of the same line may have come back first: only the rest is returnable.
        let units = self
            .engine
            .returnable_units(OrderId(order), line as usize)
            .map_err(|cause| SimError::OrderCall {
                doing: format!("return of the wrong item of order {order}"),
                cause,
            })?
            .min(units);
        if units == 0 {
            return Ok(());
        }
        let outcome = self.latency.time(CallKind::RestockReturn, || {
            self.engine.restock_return(
                OrderId(order),
                line as usize,
                units as i64,
                Disposition::Restock,
                now_ms,
            )
        });
        let outcome = outcome.map_err(|cause| SimError::OrderCall {
            doing: format!("return of the wrong item of order {order}"),
            cause,
        })?;
        self.summary.units_returned += units as u64;
        self.summary.units_restocked += units as u64;
        self.backorders_filled(&outcome.filled, now_ms);
        let id = self.next_reship;
        self.next_reship += 1;
        let channel = 0;
        let request = ReserveRequest {
            order: Order {
                id: OrderId(id),
                channel: ChannelId(channel),
                placed_at_ms: now_ms,
                ship_to: self.world.regions[region as usize],
                service: ServiceLevel::Standard,
                lines: vec![OrderLine {
                    sku: SkuId(sku),
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
                    ..OpenOrder::held(now_ms, channel, region, units, hold.units_held())
                },
            );
            let confirmation = self.latency.time(CallKind::Confirm, || {
                self.engine.confirm(OrderId(id), now_ms)
            })?;
            self.summary.reshipments += 1;
            for shipment in &confirmation.shipments {
                self.enqueue(shipment, now_ms);
            }
        }
        Ok(())
    }
}
