//! Replayed demand's own events: where recorded lines were placed, their cancellations and
//! returns, and recorded stock write-offs.

use qm_engine::*;

use super::clock::SimEvent;
use super::error::SimError;
use super::ledger::{Movement, UndoOutcome};
use super::metrics::*;
use super::state::*;
use crate::demand::log::Undo;
use crate::time::MS_PER_DAY;

impl Sim<'_> {
    /// Remembers where the recorded lines of a held part went, for their later cancellations
    /// and returns, and keeps the engine record until those have run.
    pub(super) fn place_recorded_lines(
        &mut self,
        id: u64,
        recorded: u32,
        first_line: u32,
        kept: &[u16],
    ) {
        let Some(undos) = self.recorded.undos_of.get(&recorded) else {
            return;
        };
        for (engine_line, &part_line) in kept.iter().enumerate() {
            self.recorded.placed_lines.insert(
                (recorded, first_line + part_line as u32),
                (id, engine_line as u16),
            );
        }
        let pins = undos
            .iter()
            .filter(|&&u| {
                self.recorded
                    .placed_lines
                    .get(&(recorded, self.recorded.undos[u as usize].1.line))
                    .is_some_and(|p| p.0 == id)
            })
            .count() as u32;
        if pins > 0 {
            *self.pinned.entry(id).or_default() += pins;
        }
    }

    /// A recorded cancellation or return: releases the order if nothing has shipped and every
    /// open unit is cancelled; otherwise returns the units once they have shipped.
    pub(super) fn undo(&mut self, index: usize, now_ms: u64) -> Result<(), SimError> {
        let (_, undo) = self.recorded.undos[index];
        let Some(&(id, line)) = self.recorded.placed_lines.get(&(undo.order, undo.line)) else {
            self.ledger.recorded_undo(UndoOutcome::Unapplied);
            return Ok(());
        };
        let view = self.engine.order(OrderId(id));
        let done = |sim: &mut Self, outcome: UndoOutcome| {
            sim.ledger.recorded_undo(outcome);
            sim.unpin(id);
        };
        let Some(view) = view else {
            done(self, UndoOutcome::Unapplied);
            return Ok(());
        };
        let unshipped = view.units_shipped == 0
            && matches!(view.status, OrderStatus::Held | OrderStatus::Confirmed);
        if undo.kind == Undo::Cancellation && unshipped {
            if !self.recorded.counted[index] {
                self.recorded.counted[index] = true;
                *self.recorded.cancelled_units.entry(id).or_default() += undo.units as u64;
            }
            if self.recorded.cancelled_units[&id] >= view.units_open {
                let released = self.latency.time(CallKind::Release, || {
                    self.engine
                        .release(OrderId(id), ReleaseReason::Cancelled, now_ms)
                });
                if released.is_ok() {
                    self.recorded.released.insert(id);
                    self.open.remove(&id);
                    done(self, UndoOutcome::Released);
                    return Ok(());
                }
            }
        } else {
            let outcome = self.latency.time(CallKind::RestockReturn, || {
                self.engine.restock_return(
                    OrderId(id),
                    line as usize,
                    undo.units as i64,
                    Disposition::Restock,
                    now_ms,
                )
            });
            if let Ok(outcome) = outcome {
                self.ledger.moved(Movement::Returned {
                    units: undo.units as u64,
                    restocked: true,
                });
                self.backorders_filled(&outcome.filled, now_ms);
                done(self, UndoOutcome::Returned);
                return Ok(());
            }
        }
        // Not shipped yet (or only partly cancelled): try again tomorrow, for a while.
        if self.recorded.retries[index] < UNDO_RETRY_DAYS {
            self.recorded.retries[index] += 1;
            self.queue.push(
                now_ms + MS_PER_DAY,
                SimEvent::Undo {
                    index: index as u32,
                },
            );
        } else {
            done(self, UndoOutcome::Unapplied);
        }
        Ok(())
    }

    /// Recorded stock written off: taken from the warehouse with the most free units of the SKU.
    pub(super) fn write_off(&mut self, sku: u32, units: u32, now_ms: u64) -> Result<(), SimError> {
        let best = (0..self.world.warehouses)
            .map(|w| {
                let free = self
                    .engine
                    .cell_snapshot(SkuId(sku), WarehouseId(w as u16))
                    .map_or(0, |c| c.free());
                (free, std::cmp::Reverse(w))
            })
            .max();
        let Some((free, std::cmp::Reverse(w))) = best else {
            return Ok(());
        };
        let units = units.min(free);
        if units == 0 {
            return Ok(());
        }
        self.latency.time(CallKind::Adjust, || {
            self.engine.adjust(
                SkuId(sku),
                WarehouseId(w as u16),
                -(units as i64),
                AdjustReason::Damaged,
                now_ms,
            )
        })?;
        self.ledger.moved(Movement::RecordedWriteOff {
            units: units as u64,
        });
        Ok(())
    }
}
