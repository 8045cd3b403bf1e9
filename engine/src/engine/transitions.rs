//! An order's transitions after its hold: confirm (payment), release, expiry, ship and short
//! pick.

use super::*;

impl Engine {
    /// Returns an order's open units (held or allocated, not shipped) to available and
    /// drops its waiting backorders. Returns (units, backordered units).
    pub(super) fn return_open_units(&self, record: &mut OrderRecord) -> (u64, u64) {
        let mut units = 0;
        if self.channels[record.channel.index()].uses_capacity {
            self.release_capacity(record);
        }
        for pick in record.picks.iter_mut() {
            let cell = self.cell(pick.sku, pick.warehouse);
            match pick.state {
                PickState::Reserved => {}
                PickState::Allocated => self.inventory.deallocate(cell, pick.units),
                PickState::Shipped | PickState::Released => continue,
            }
            self.inventory.give_back(cell, pick.units);
            pick.state = PickState::Released;
            units += pick.units as u64;
        }
        for shipment in record
            .shipments
            .iter_mut()
            .filter(|s| s.state == ShipmentState::Pending)
        {
            shipment.state = ShipmentState::Cancelled;
        }
        let mut backordered = 0;
        for b in record
            .rare
            .as_deref_mut()
            .map_or(&mut [][..], |rare| &mut rare.backorders)
            .iter_mut()
            .filter(|b| b.units > 0)
        {
            let cell = self.cell(b.sku, b.warehouse);
            // The entry may already be popped by a receipt in flight; that receipt gives its units back.
            self.backorders
                .remove(cell, (record.placed_at_ms, b.sequence));
            backordered += b.units as u64;
            b.units = 0;
        }
        (units, backordered)
    }

    /// Payment went through: the hold becomes an allocation, grouped into one shipment per warehouse.
    /// A hold past its TTL is expired on the spot (its stock returns) and refused.
    pub fn confirm(&self, order: OrderId, now_ms: u64) -> Result<Confirmation, OrderError> {
        let mut guard = self.orders.lock(order);
        let shard = &mut *guard;
        let record = shard.orders.record_mut(order)?;
        if record.status != OrderStatus::Held {
            return Err(record.refusal(order, "confirm", "held"));
        }
        if now_ms >= record.expires_at_ms {
            let (units, _) = self.return_open_units(record);
            record.status = OrderStatus::Expired;
            shard.holds.expired += 1;
            let expired_at_ms = record.expires_at_ms;
            drop(guard);
            self.subscribers
                .emit(now_ms, || EventKind::HoldExpired { order, units });
            return Err(OrderError::HoldExpired {
                order,
                expired_at_ms,
            });
        }
        let mut shipments = SmallVec::new();
        for i in 0..record.picks.len() {
            let pick = record.picks[i];
            let existing = record
                .shipments
                .iter()
                .position(|s| s.warehouse == pick.warehouse);
            let index = existing.unwrap_or_else(|| {
                record.shipments.push(ShipmentRecord {
                    warehouse: pick.warehouse,
                    state: ShipmentState::Pending,
                    quote: None,
                });
                record.shipments.len() - 1
            });
            self.inventory
                .allocate(self.cell(pick.sku, pick.warehouse), pick.units);
            record.picks[i].state = PickState::Allocated;
            record.picks[i].shipment = index as u16;
        }
        for index in 0..record.shipments.len() {
            record.shipments[index].quote = self.quote(record, index);
            shipments.push(self.shipment_info(order, record, index));
        }
        record.status = OrderStatus::Confirmed;
        shard.holds.confirmed += 1;
        drop(guard);
        let count = shipments.len() as u16;
        self.subscribers.emit(now_ms, || EventKind::OrderConfirmed {
            order,
            shipments: count,
        });
        Ok(Confirmation { order, shipments })
    }

    pub(super) fn quote(
        &self,
        record: &OrderRecord,
        shipment: usize,
    ) -> Option<crate::network::CarrierQuote> {
        let warehouse = record.shipments[shipment].warehouse;
        let skus = self.network.skus();
        let grams: u64 = record
            .picks
            .iter()
            .filter(|p| p.shipment as usize == shipment)
            .map(|p| skus[p.sku.index()].unit_weight_grams as u64 * p.units as u64)
            .sum();
        let distance_km = record
            .ship_to
            .distance_km(&self.network.warehouses()[warehouse.index()].location);
        self.network
            .cheapest_quote(distance_km, grams, record.service)
    }

    pub(super) fn shipment_info(
        &self,
        order: OrderId,
        record: &OrderRecord,
        index: usize,
    ) -> ShipmentInfo {
        let picks = record.picks.iter().filter(|p| p.shipment as usize == index);
        let shipment = &record.shipments[index];
        ShipmentInfo {
            id: ShipmentId {
                order,
                index: index as u16,
            },
            warehouse: shipment.warehouse,
            units: picks.clone().map(|p| p.units as u64).sum(),
            lines: picks.count() as u32,
            quote: shipment.quote,
            state: shipment.state,
        }
    }

    /// Cancels an order (customer cancel, failed payment, oversold upstream): every unit not yet
    /// shipped returns to available, exactly once, and waiting backorders are dropped.
    pub fn release(
        &self,
        order: OrderId,
        reason: ReleaseReason,
        now_ms: u64,
    ) -> Result<Released, OrderError> {
        let mut guard = self.orders.lock(order);
        let shard = &mut *guard;
        let record = shard.orders.record_mut(order)?;
        let needed = "held, or confirmed with units not yet shipped";
        match record.status {
            OrderStatus::Held => shard.holds.released += 1,
            OrderStatus::Confirmed => {
                let open = record.picks.iter().any(|p| p.state == PickState::Allocated)
                    || record.backorders().iter().any(|b| b.units > 0);
                if !open {
                    return Err(record.refusal(order, "release", needed));
                }
            }
            _ => return Err(record.refusal(order, "release", needed)),
        }
        let (units_returned, backorders_cancelled) = self.return_open_units(record);
        record.status = OrderStatus::Released;
        drop(guard);
        self.subscribers.emit(now_ms, || EventKind::OrderReleased {
            order,
            reason,
            units: units_returned,
        });
        Ok(Released {
            order,
            units_returned,
            backorders_cancelled,
        })
    }

    /// Expires every hold whose TTL has passed by `now_ms`; their stock returns to available exactly once.
    pub fn expire_holds(&self, now_ms: u64) -> Vec<ExpiredHold> {
        let mut expired = Vec::new();
        for mut guard in self.orders.shards() {
            let shard = &mut *guard;
            while let Some((at_ms, order)) = shard.expiries.pop_due(now_ms) {
                let Some(record) = shard.orders.get_mut(&order) else {
                    continue;
                };
                if record.status != OrderStatus::Held || record.expires_at_ms != at_ms {
                    continue;
                }
                let (units_returned, _) = self.return_open_units(record);
                record.status = OrderStatus::Expired;
                shard.holds.expired += 1;
                expired.push(ExpiredHold {
                    order,
                    units_returned,
                });
            }
        }
        // Shards are visited in a fixed order but ids land on them by hash: sort so callers see a stable order.
        expired.sort_unstable_by_key(|e| e.order);
        for e in &expired {
            self.subscribers.emit(now_ms, || EventKind::HoldExpired {
                order: e.order,
                units: e.units_returned,
            });
        }
        expired
    }

    pub(super) fn pending_shipment(
        record: &mut OrderRecord,
        shipment: ShipmentId,
    ) -> Result<&mut ShipmentRecord, OrderError> {
        let index = shipment.index as usize;
        let state = record
            .shipments
            .get(index)
            .ok_or(OrderError::UnknownShipment(shipment))?
            .state;
        if state != ShipmentState::Pending {
            return Err(OrderError::ShipmentNotPending(shipment));
        }
        Ok(&mut record.shipments[index])
    }

    /// A shipment leaves: its units leave on hand and allocated together.
    pub fn ship(&self, shipment: ShipmentId, now_ms: u64) -> Result<Shipped, OrderError> {
        let order = shipment.order;
        let mut guard = self.orders.lock(order);
        let record = guard.orders.record_mut(order)?;
        let warehouse = Self::pending_shipment(record, shipment)?.warehouse;
        assert_eq!(
            record.status,
            OrderStatus::Confirmed,
            "{shipment} pending on an order that is not confirmed"
        );
        let mut units = 0u64;
        for pick in record
            .picks
            .iter_mut()
            .filter(|p| p.shipment == shipment.index)
        {
            assert_eq!(
                pick.state,
                PickState::Allocated,
                "{shipment}: a pick of a pending shipment is {:?}",
                pick.state
            );
            let cell = self.cell(pick.sku, pick.warehouse);
            if pick.units > 0 {
                self.inventory.deallocate(cell, pick.units);
                self.inventory
                    .remove_committed(cell, pick.units, Movement::Shipped);
            }
            pick.state = PickState::Shipped;
            units += pick.units as u64;
        }
        record.shipments[shipment.index as usize].state = ShipmentState::Shipped;
        let order_complete = record.picks.iter().all(|p| p.state == PickState::Shipped)
            && record.backorders().iter().all(|b| b.units == 0);
        drop(guard);
        self.subscribers
            .emit(now_ms, || EventKind::Shipped { shipment, units });
        Ok(Shipped {
            shipment,
            warehouse,
            units,
            order_complete,
        })
    }

    /// Shrinkage found at pick time: `missing` units of `line` in a pending shipment are not on the
    /// shelf. They leave on hand and the allocation (counted as adjusted out); the line ships short.
    pub fn short_pick(
        &self,
        shipment: ShipmentId,
        line: usize,
        missing: i64,
        now_ms: u64,
    ) -> Result<ShortPicked, OrderError> {
        let order = shipment.order;
        let mut guard = self.orders.lock(order);
        let record = guard.orders.record_mut(order)?;
        Self::pending_shipment(record, shipment)?;
        record.check_line(order, line)?;
        let in_shipment = |p: &PickRecord| p.shipment == shipment.index && p.line as usize == line;
        let limit: u32 = record
            .picks
            .iter()
            .filter(|p| in_shipment(p))
            .map(|p| p.units)
            .sum();
        let units = check_line_units(order, line, missing, limit, LineBound::InShipment)?;
        let sku = record
            .picks
            .iter()
            .find(|p| in_shipment(p))
            .expect("limit > 0 means a pick")
            .sku;
        let mut left = units;
        for i in 0..record.picks.len() {
            let pick = &mut record.picks[i];
            let take = left.min(pick.units);
            if !in_shipment(pick) || take == 0 {
                continue;
            }
            let cell = self.cell(sku, pick.warehouse);
            self.inventory.deallocate(cell, take);
            self.inventory
                .remove_committed(cell, take, Movement::AdjustedOut);
            pick.units -= take;
            record.tally_mut(i).short_units += take;
            left -= take;
        }
        assert_eq!(left, 0, "{shipment}: short pick exceeded the checked limit");
        let warehouse = record.shipments[shipment.index as usize].warehouse;
        drop(guard);
        self.subscribers.emit(now_ms, || EventKind::ShortPicked {
            shipment,
            sku,
            units,
        });
        self.subscribers.emit(now_ms, || EventKind::Adjusted {
            sku,
            warehouse,
            delta_units: -missing,
            reason: AdjustReason::Shrinkage,
        });
        Ok(ShortPicked {
            shipment,
            line: line as u16,
            units,
        })
    }
}
