//! Stock that arrives or leaves outside an order: supplier receipts (which fill backorders),
//! customer returns and adjustments.

use super::*;

impl Engine {
    /// A supplier receipt: on hand grows, then waiting backorders at the cell fill, oldest placement first.
    pub fn receive(
        &self,
        sku: SkuId,
        warehouse: WarehouseId,
        units: i64,
        now_ms: u64,
    ) -> Result<Receipt, StockError> {
        let cell = self.cell_of(sku, warehouse)?;
        let units = check_units(units, MAX_MOVEMENT_UNITS)?;
        self.add_on_hand(cell, units, Movement::Received)?;
        self.subscribers.emit(now_ms, || EventKind::Received {
            sku,
            warehouse,
            units,
        });
        let filled = self.fill_backorders(cell, now_ms);
        Ok(Receipt {
            sku,
            warehouse,
            units,
            filled,
        })
    }

    /// Gives free units of a cell to its waiting backorders. Must be called with no order shard locked.
    pub(super) fn fill_backorders(&self, cell: usize, now_ms: u64) -> Vec<BackorderFill> {
        let served = self.backorders.serve(cell, |want| loop {
            let units = want.min(self.inventory.available(cell, Buffer::None));
            if units == 0 {
                return 0;
            }
            if let Take::Taken { .. } = self.inventory.try_take(cell, units, Buffer::None) {
                return units;
            }
        });
        let (sku, warehouse) = self.cell_ids(cell);
        let mut fills = Vec::with_capacity(served.len());
        for ((_, sequence), entry) in served {
            match self.attach_fill(cell, sequence, entry) {
                Some(fill) => {
                    let (order, units) = (fill.order, fill.units);
                    self.subscribers
                        .emit(now_ms, || EventKind::BackorderFilled {
                            order,
                            sku,
                            warehouse,
                            units,
                        });
                    fills.push(fill);
                }
                // The order was released or expired after its entry was served.
                None => self.inventory.give_back(cell, entry.units),
            }
        }
        fills
    }

    /// Adds served backorder units to their order: a reserved pick if it is held, a new shipment if confirmed.
    pub(super) fn attach_fill(
        &self,
        cell: usize,
        sequence: u64,
        entry: BookEntry,
    ) -> Option<BackorderFill> {
        let mut guard = self.orders.lock(entry.order);
        let record = guard.orders.get_mut(&entry.order)?;
        if !matches!(record.status, OrderStatus::Held | OrderStatus::Confirmed) {
            return None;
        }
        let backorder = record
            .backorders_mut()
            .iter_mut()
            .find(|b| b.sequence == sequence && b.units >= entry.units)?;
        backorder.units -= entry.units;
        let (warehouse, sku) = (backorder.warehouse, backorder.sku);
        let mut pick = PickRecord::reserved(sku, entry.line, warehouse, entry.units);
        let mut shipment = None;
        if record.status == OrderStatus::Confirmed {
            record.shipments.push(ShipmentRecord {
                warehouse,
                state: ShipmentState::Pending,
                quote: None,
            });
            let index = record.shipments.len() - 1;
            pick.state = PickState::Allocated;
            pick.shipment = index as u16;
            self.inventory.allocate(cell, entry.units);
            record.picks.push(pick);
            record.shipments[index].quote = self.quote(record, index);
            shipment = Some(ShipmentId {
                order: entry.order,
                index: index as u16,
            });
        } else {
            record.picks.push(pick);
        }
        Some(BackorderFill {
            order: entry.order,
            line: entry.line,
            units: entry.units,
            shipment,
        })
    }

    /// Units of a line that have shipped and not come back yet: what
    /// [`Engine::restock_return`] accepts at most.
    pub fn returnable_units(&self, order: OrderId, line: usize) -> Result<u32, OrderError> {
        let guard = self.orders.lock(order);
        let record = guard.orders.record(order)?;
        record.check_line(order, line)?;
        Ok(returnable_units_of_line(record, line))
    }

    /// A customer return of `units` of a shipped line: back on the shelf of the warehouse that
    /// shipped them (restock, which may fill backorders) or written off (scrap).
    pub fn restock_return(
        &self,
        order: OrderId,
        line: usize,
        units: i64,
        disposition: Disposition,
        now_ms: u64,
    ) -> Result<ReturnOutcome, OrderError> {
        let mut guard = self.orders.lock(order);
        let record = guard.orders.record_mut(order)?;
        record.check_line(order, line)?;
        let returnable = |record: &OrderRecord, i: usize| returnable_units_of_pick(record, i, line);
        let limit = returnable_units_of_line(record, line);
        let units = check_line_units(order, line, units, limit, LineBound::ShippedNotReturned)?;
        let first = (0..record.picks.len())
            .find(|&i| returnable(record, i) > 0)
            .expect("limit > 0 means a shipped pick");
        let sku = record.picks[first].sku;
        let mut left = units;
        let mut by_warehouse: SmallVec<[(WarehouseId, u32); 2]> = SmallVec::new();
        for i in 0..record.picks.len() {
            let take = returnable(record, i).min(left);
            if take == 0 {
                continue;
            }
            let pick = record.picks[i];
            let cell = self.cell(sku, pick.warehouse);
            match disposition {
                Disposition::Restock => {
                    if self
                        .inventory
                        .add_on_hand(cell, take, Movement::Returned)
                        .is_err()
                    {
                        // The shelf is at the cell limit (2^31 units): the units cannot be
                        // counted back on hand, so they are written off rather than lost.
                        self.inventory.record(cell, Movement::Returned, take);
                        self.inventory.record(cell, Movement::Scrapped, take);
                    }
                }
                Disposition::Scrap => {
                    self.inventory.record(cell, Movement::Returned, take);
                    self.inventory.record(cell, Movement::Scrapped, take);
                }
            }
            record.tally_mut(i).returned_units += take;
            left -= take;
            by_warehouse.push((pick.warehouse, take));
        }
        drop(guard);
        let mut filled = Vec::new();
        for &(warehouse, returned) in &by_warehouse {
            self.subscribers.emit(now_ms, || EventKind::Returned {
                order,
                sku,
                warehouse,
                units: returned,
                disposition,
            });
            if disposition == Disposition::Restock {
                filled.extend(self.fill_backorders(self.cell(sku, warehouse), now_ms));
            }
        }
        Ok(ReturnOutcome {
            order,
            line: line as u16,
            by_warehouse,
            disposition,
            filled,
        })
    }

    /// A stock correction: `delta_units` > 0 adds found units (which may fill backorders),
    /// < 0 removes free units. Removing more than is free is refused: release or short-pick first.
    pub fn adjust(
        &self,
        sku: SkuId,
        warehouse: WarehouseId,
        delta_units: i64,
        reason: AdjustReason,
        now_ms: u64,
    ) -> Result<Adjusted, StockError> {
        let cell = self.cell_of(sku, warehouse)?;
        let units = check_units(delta_units.saturating_abs(), MAX_MOVEMENT_UNITS)?;
        let mut filled = Vec::new();
        if delta_units > 0 {
            self.add_on_hand(cell, units, Movement::AdjustedIn)?;
        } else {
            self.inventory
                .remove_free(cell, units)
                .map_err(|free| StockError::NotEnoughFree { units, free })?;
        }
        self.subscribers.emit(now_ms, || EventKind::Adjusted {
            sku,
            warehouse,
            delta_units,
            reason,
        });
        if delta_units > 0 {
            filled = self.fill_backorders(cell, now_ms);
        } else if self.subscribers.active() {
            self.check_reorder_point(cell, units, now_ms);
        }
        Ok(Adjusted {
            on_hand_after: self.inventory.snapshot(cell).on_hand,
            filled,
        })
    }
}

/// Units of pick `i` that shipped for `line` and have not been returned.
pub(super) fn returnable_units_of_pick(record: &OrderRecord, i: usize, line: usize) -> u32 {
    let p = &record.picks[i];
    if p.line as usize == line && p.state == PickState::Shipped {
        p.units - record.tally(i).returned_units
    } else {
        0
    }
}

/// Units of `line` that shipped and have not been returned, over all its picks.
pub(super) fn returnable_units_of_line(record: &OrderRecord, line: usize) -> u32 {
    (0..record.picks.len())
        .map(|i| returnable_units_of_pick(record, i, line))
        .sum()
}
