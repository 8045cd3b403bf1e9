//! Reading the engine: cells, orders and shipments as callers see them, and archiving finished
//! orders.

use super::*;

impl Engine {
    /// A consistent reading of one cell, or `None` for unknown ids.
    pub fn cell_snapshot(&self, sku: SkuId, warehouse: WarehouseId) -> Option<CellSnapshot> {
        self.cell_of(sku, warehouse)
            .ok()
            .map(|cell| self.inventory.snapshot(cell))
    }

    /// Units that orders wait for at a cell (backordered, not yet filled by a receipt), or `None`
    /// for unknown ids. Reorder policies subtract them from the inventory position.
    pub fn backordered_units(&self, sku: SkuId, warehouse: WarehouseId) -> Option<u64> {
        self.cell_of(sku, warehouse)
            .ok()
            .map(|cell| self.backorders.waiting_units(cell))
    }

    /// A cell's lifetime movements, or `None` for unknown ids.
    pub fn cell_ledger(&self, sku: SkuId, warehouse: WarehouseId) -> Option<CellLedger> {
        self.cell_of(sku, warehouse)
            .ok()
            .map(|cell| self.inventory.ledger(cell))
    }

    /// Units a channel may promise from one cell now: on hand − reserved − allocated − the channel's buffer.
    pub fn available_to_promise(
        &self,
        channel: ChannelId,
        sku: SkuId,
        warehouse: WarehouseId,
    ) -> Option<u32> {
        let channel = self.channels.get(channel.index())?;
        let cell = self.cell_of(sku, warehouse).ok()?;
        Some(self.inventory.available(cell, channel.buffers().of(cell)))
    }

    /// The lines of a pending shipment with their SKU and units: what a picker walks to the
    /// shelves for (the simulator checks them against shelf shrinkage before `ship`).
    pub fn shipment_lines(
        &self,
        shipment: ShipmentId,
    ) -> Result<SmallVec<[ShipmentLine; 4]>, OrderError> {
        let order = shipment.order;
        let guard = self.orders.lock(order);
        let record = guard.orders.record(order)?;
        match record
            .shipments
            .get(shipment.index as usize)
            .map(|s| s.state)
        {
            None => return Err(OrderError::UnknownShipment(shipment)),
            Some(ShipmentState::Pending) => {}
            Some(_) => return Err(OrderError::ShipmentNotPending(shipment)),
        }
        let mut lines: SmallVec<[ShipmentLine; 4]> = SmallVec::new();
        for pick in record
            .picks
            .iter()
            .filter(|p| p.shipment == shipment.index && p.units > 0)
        {
            match lines.iter_mut().find(|l| l.line == pick.line) {
                Some(line) => line.units += pick.units,
                None => lines.push(ShipmentLine {
                    line: pick.line,
                    sku: pick.sku,
                    units: pick.units,
                }),
            }
        }
        Ok(lines)
    }

    /// Forgets finished orders — released, expired, or confirmed with every unit shipped or
    /// released and no backorder waiting — unless `keep` asks to keep them (say, because a
    /// return may still come). Their units are already out of every cell, so no stock figure
    /// moves; the ledgers and hold counts keep their history. Afterwards a call naming an
    /// archived order gets `UnknownOrder`, and its id is free again. O(orders held).
    /// Bounds memory and the cost of [`Engine::check_invariants`] in long runs.
    pub fn archive_finished(&self, mut keep: impl FnMut(OrderId) -> bool) -> usize {
        let mut archived = 0;
        for (mut guard, hint) in self.orders.shards_with_hints() {
            archived += guard
                .orders
                .retain(hint, |id, record| !finished(record) || keep(*id));
        }
        archived
    }

    /// [`Engine::archive_finished`] for the finished orders placed before `placed_before_ms`
    /// (newer ones stay: a return may still come), and forgets the idempotency keys applied
    /// before it ([`crate::idempotency`]). A journaled command
    /// ([`crate::journal::Command::ArchiveFinished`]), so a durable engine can bound its memory
    /// and its snapshots.
    pub fn archive_finished_before(&self, placed_before_ms: u64) -> usize {
        crate::reservation::lock(&self.keys).forget_before(placed_before_ms);
        let mut archived = 0;
        for (mut guard, hint) in self.orders.shards_with_hints() {
            archived += guard.orders.retain(hint, |_, record| {
                !finished(record) || record.placed_at_ms >= placed_before_ms
            });
        }
        archived
    }

    /// Idempotency keys the engine remembers ([`crate::idempotency`]).
    pub fn idempotency_key_count(&self) -> usize {
        crate::reservation::lock(&self.keys).len()
    }

    /// Orders the engine holds records of (open and finished, not archived).
    pub fn order_count(&self) -> usize {
        self.orders.shards().map(|shard| shard.orders.len()).sum()
    }

    /// A read-only view of an order, or `None` if it was never held.
    pub fn order(&self, order: OrderId) -> Option<OrderView> {
        let guard = self.orders.lock(order);
        let record = guard.orders.get(&order)?;
        let sum =
            |f: &dyn Fn(&PickRecord) -> u32| record.picks.iter().map(|p| f(p) as u64).sum::<u64>();
        Some(OrderView {
            order,
            channel: record.channel,
            placed_at_ms: record.placed_at_ms,
            status: record.status,
            expires_at_ms: record.expires_at_ms,
            units_open: sum(&|p| {
                if matches!(p.state, PickState::Reserved | PickState::Allocated) {
                    p.units
                } else {
                    0
                }
            }),
            units_shipped: sum(&|p| {
                if p.state == PickState::Shipped {
                    p.units
                } else {
                    0
                }
            }),
            units_short: (0..record.picks.len())
                .map(|i| record.tally(i).short_units as u64)
                .sum(),
            units_backordered: record.backorders().iter().map(|b| b.units as u64).sum(),
            units_returned: (0..record.picks.len())
                .map(|i| record.tally(i).returned_units as u64)
                .sum(),
            shipments: (0..record.shipments.len())
                .map(|i| self.shipment_info(order, record, i))
                .collect(),
        })
    }
}

/// Whether an order can no longer move any unit: nothing reserved, allocated or backordered.
pub(super) fn finished(record: &OrderRecord) -> bool {
    let no_backorder = record.backorders().iter().all(|b| b.units == 0);
    match record.status {
        OrderStatus::Held => false,
        OrderStatus::Released | OrderStatus::Expired => true,
        OrderStatus::Confirmed => {
            no_backorder
                && record
                    .picks
                    .iter()
                    .all(|p| matches!(p.state, PickState::Shipped | PickState::Released))
        }
    }
}
