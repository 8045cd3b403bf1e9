//! The engine's invariants, checked on demand (by tests and at the simulator's daily close).
//!
//! Run it at quiescence: it locks order shards one after another, so calls in
//! flight on other threads could be counted half-way.

use std::fmt;

use rustc_hash::FxHashMap;

use crate::backorder::{BookEntry, BookKey};
use crate::engine::Engine;
use crate::ids::OrderId;
use crate::lifecycle::OrderStatus;
use crate::lifecycle::ShipmentState;
use crate::reservation::{HoldCounts, OrderRecord, PickState};

/// Totals seen by a successful [`Engine::check_invariants`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InvariantReport {
    /// Cells checked.
    pub cells: usize,
    /// Orders checked.
    pub orders: usize,
    /// Holds created and how they ended.
    pub holds: HoldCounts,
    /// Holds still open.
    pub open_holds: u64,
    /// Units on hand, all cells.
    pub on_hand_units: u64,
    /// Units reserved, all cells.
    pub reserved_units: u64,
    /// Units allocated, all cells.
    pub allocated_units: u64,
    /// Units waiting on backorder.
    pub backordered_units: u64,
}

/// Broken invariants, each described; any one of them is a bug in the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvariantViolation {
    /// What broke, one line each; at most 20 (`MAX_PROBLEMS`), the first few being what a developer needs.
    pub problems: Vec<String>,
}

/// Most problems one check reports; the first few are what a developer needs.
pub const MAX_PROBLEMS: usize = 20;

impl fmt::Display for InvariantViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} engine invariant(s) broken: {}",
            self.problems.len(),
            self.problems.join("; ")
        )
    }
}

impl std::error::Error for InvariantViolation {}

struct Problems(Vec<String>);

impl Problems {
    fn check(&mut self, ok: bool, describe: impl FnOnce() -> String) {
        if !ok && self.0.len() < MAX_PROBLEMS {
            self.0.push(describe());
        }
    }
}

/// What the orders hold, per cell.
struct Held {
    reserved: Vec<u64>,
    allocated: Vec<u64>,
    /// Each waiting backorder by its place in the book: (cell, key).
    waiting: FxHashMap<(u32, BookKey), BookEntry>,
}

impl Engine {
    /// Checks every invariant: per cell `reserved + allocated ≤ on_hand` and unit conservation
    /// (initial + received + returned + adjusted in = on hand + shipped + scrapped + adjusted out);
    /// the cells' reserved and allocated units equal what the order records hold; the backorder
    /// book equals what orders wait for, entry by entry; each order's shipments and picks agree
    /// (`check_shipments`); every hold created was confirmed, released or expired exactly once,
    /// or is still open.
    pub fn check_invariants(&self) -> Result<InvariantReport, InvariantViolation> {
        let cells = self.inventory.len();
        let mut problems = Problems(Vec::new());
        let mut report = InvariantReport {
            cells,
            ..Default::default()
        };
        let held = self.check_orders(&mut problems, &mut report);
        let holds = report.holds;
        // Wide sums: a loaded state's counters are bounded, but this check never overflows.
        let resolved = [
            holds.confirmed,
            holds.released,
            holds.expired,
            report.open_holds,
        ]
        .map(u128::from)
        .iter()
        .sum::<u128>();
        problems.check(u128::from(holds.created) == resolved, || {
            format!(
                "holds created {} ≠ confirmed {} + released {} + expired {} + open {}",
                holds.created, holds.confirmed, holds.released, holds.expired, report.open_holds
            )
        });
        self.check_cells(&mut problems, &mut report, &held);
        report.backordered_units = held.waiting.values().map(|e| e.units as u64).sum();
        self.check_book(&mut problems, held.waiting);
        if problems.0.is_empty() {
            Ok(report)
        } else {
            Err(InvariantViolation {
                problems: problems.0,
            })
        }
    }

    /// Every order's picks and backorders: their states fit the order's, and what they hold
    /// per cell.
    fn check_orders(&self, problems: &mut Problems, report: &mut InvariantReport) -> Held {
        let cells = self.inventory.len();
        let mut reserved = vec![0u64; cells];
        let mut allocated = vec![0u64; cells];
        let mut waiting: FxHashMap<(u32, BookKey), BookEntry> = FxHashMap::default();
        for shard in self.orders.shards() {
            report.holds.add(&shard.holds);
            for (id, record) in shard.orders.iter() {
                report.orders += 1;
                report.open_holds += (record.status == OrderStatus::Held) as u64;
                for (i, pick) in record.picks.iter().enumerate() {
                    let cell = self.cell(pick.sku, pick.warehouse);
                    let allowed = match record.status {
                        OrderStatus::Held => pick.state == PickState::Reserved,
                        OrderStatus::Confirmed => {
                            matches!(pick.state, PickState::Allocated | PickState::Shipped)
                        }
                        OrderStatus::Released | OrderStatus::Expired => {
                            matches!(pick.state, PickState::Released | PickState::Shipped)
                        }
                    };
                    problems.check(allowed, || {
                        format!("{id}: {:?} pick in a {:?} order", pick.state, record.status)
                    });
                    problems.check(record.tally(i).returned_units <= pick.units, || {
                        format!("{id}: more units returned than shipped")
                    });
                    match pick.state {
                        PickState::Reserved => reserved[cell] += pick.units as u64,
                        PickState::Allocated => allocated[cell] += pick.units as u64,
                        PickState::Shipped | PickState::Released => {}
                    }
                }
                for b in record.backorders() {
                    let open = matches!(record.status, OrderStatus::Held | OrderStatus::Confirmed);
                    problems.check(open || b.units == 0, || {
                        format!("{id}: {:?} order still waits on backorder", record.status)
                    });
                    if b.units > 0 {
                        let cell = self.cell(b.sku, b.warehouse) as u32;
                        let entry = BookEntry {
                            order: *id,
                            line: b.line,
                            units: b.units,
                        };
                        let key = (cell, (record.placed_at_ms, b.sequence));
                        problems.check(waiting.insert(key, entry).is_none(), || {
                            format!("cell {cell}: two backorders share the book key {:?}", key.1)
                        });
                    }
                }
                problems.check(
                    record.status != OrderStatus::Held || record.shipments.is_empty(),
                    || format!("{id}: held order has shipments"),
                );
                check_shipments(*id, record, problems);
            }
        }
        Held {
            reserved,
            allocated,
            waiting,
        }
    }

    /// Every cell: not oversold, its units conserved, and its reserved and allocated units
    /// those the orders hold.
    fn check_cells(&self, problems: &mut Problems, report: &mut InvariantReport, held: &Held) {
        let (reserved, allocated) = (&held.reserved, &held.allocated);
        let cells = self.inventory.len();
        for cell in 0..cells {
            let (on_hand, committed) = self.inventory.stock_word(cell);
            let cell_allocated = self.inventory.allocated_units(cell);
            let (sku, warehouse) = self.cell_ids(cell);
            let at = || format!("cell (SKU {}, warehouse {})", sku.0, warehouse.0);
            problems.check(committed <= on_hand, || {
                format!("{}: committed {committed} > on hand {on_hand}", at())
            });
            problems.check(cell_allocated <= committed, || {
                format!(
                    "{}: allocated {cell_allocated} > committed {committed}",
                    at()
                )
            });
            let cell_reserved = committed.saturating_sub(cell_allocated) as u64;
            problems.check(cell_reserved == reserved[cell], || {
                format!(
                    "{}: reserved {cell_reserved}, orders hold {}",
                    at(),
                    reserved[cell]
                )
            });
            problems.check(cell_allocated as u64 == allocated[cell], || {
                format!(
                    "{}: allocated {cell_allocated}, orders hold {}",
                    at(),
                    allocated[cell]
                )
            });
            let l = self.inventory.ledger(cell);
            let sum = |units: [u64; 4]| units.map(u128::from).iter().sum::<u128>();
            let inflow = sum([l.initial, l.received, l.returned, l.adjusted_in]);
            let outflow = sum([on_hand as u64, l.shipped, l.scrapped, l.adjusted_out]);
            problems.check(inflow == outflow, || {
                format!(
                    "{}: units in {inflow} ≠ on hand + out {outflow} ({l:?})",
                    at()
                )
            });
            report.on_hand_units += on_hand as u64;
            report.reserved_units += cell_reserved;
            report.allocated_units += cell_allocated as u64;
        }
    }

    /// The backorder book holds what the orders wait for, entry by entry: each waiting
    /// backorder once, at its cell and key, with its order, line and units; and nothing else.
    fn check_book(
        &self,
        problems: &mut Problems,
        mut waiting: FxHashMap<(u32, BookKey), BookEntry>,
    ) {
        let wait = |e: &BookEntry| {
            let units = if e.units == 1 {
                "1 unit".into()
            } else {
                format!("{} units", e.units)
            };
            format!("{units} of {} line {}", e.order, e.line)
        };
        for (cell, key, booked) in self.backorders.entries() {
            let expected = waiting.remove(&(cell, key));
            problems.check(expected == Some(booked), || {
                let waits = expected.map_or("no order waits for it".into(), |e| {
                    format!("the order waits for {}", wait(&e))
                });
                format!(
                    "cell {cell}: the book holds {} at {key:?}; {waits}",
                    wait(&booked)
                )
            });
        }
        for ((cell, key), entry) in waiting {
            problems.check(false, || {
                format!("cell {cell}: the book lacks {} at {key:?}", wait(&entry))
            });
        }
    }
}

/// An order's shipments and picks agree, as the transitions that ship, short-pick and return
/// rely on: a pending shipment belongs to a confirmed order and holds allocated picks only, a
/// shipped pick is in a shipped shipment, a cancelled shipment holds released picks; and the
/// picks and backorders of one line are of one SKU.
fn check_shipments(id: OrderId, record: &OrderRecord, problems: &mut Problems) {
    for (s, shipment) in record.shipments.iter().enumerate() {
        problems.check(
            shipment.state != ShipmentState::Pending || record.status == OrderStatus::Confirmed,
            || format!("{id}: shipment {s} pending in a {:?} order", record.status),
        );
    }
    for pick in &record.picks {
        let shipment = record
            .shipments
            .get(pick.shipment as usize)
            .map(|s| s.state);
        let fits = match shipment {
            Some(ShipmentState::Pending) => pick.state == PickState::Allocated,
            Some(ShipmentState::Shipped) => pick.state == PickState::Shipped,
            Some(ShipmentState::Cancelled) => pick.state == PickState::Released,
            None => matches!(pick.state, PickState::Reserved | PickState::Released),
        };
        problems.check(fits, || {
            let shipment = shipment.map_or("no shipment".into(), |s| format!("a {s:?} shipment"));
            format!(
                "{id}: {:?} pick of line {} in {shipment}",
                pick.state, pick.line
            )
        });
    }
    let picks = record.picks.iter().map(|p| (p.line, p.sku));
    let lines = picks.chain(record.backorders().iter().map(|b| (b.line, b.sku)));
    for (i, (line, sku)) in lines.clone().enumerate() {
        let first = lines.clone().take(i).find(|&(l, _)| l == line);
        problems.check(first.is_none_or(|(_, s)| s == sku), || {
            format!("{id}: line {line} is of two SKUs")
        });
    }
}
