//! Snapshots: the engine's whole state as plain data ([`EngineState`]), and its file format.
//!
//! The state mirrors the engine's tables field by field (cells, order records shard by shard
//! in slab order, expiry queues, hold counts, the backorder book, capacity counters), so a
//! restored engine behaves exactly like the one exported, not just holds the same totals. The
//! hot-path types stay free of serde; this module copies them out and back.
//!
//! File: `magic (8) | journal_seq u64 | payload_len u64 | crc32 u32` then the payload (the
//! state, by [`crate::codec`]). The CRC covers the sequence number and the payload.

use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::backorder::BookEntry;
use crate::constants::ORDER_SHARDS;
use crate::engine::Engine;
use crate::geo::UnitVector;
use crate::idempotency::KeyState;
use crate::ids::{CarrierId, ChannelId, OrderId, SkuId, WarehouseId};
use crate::inventory::CellLedger;
use crate::lifecycle::{OrderStatus, ShipmentState};
use crate::network::{CarrierQuote, Cents};
use crate::order::ServiceLevel;
use crate::reservation::{
    lock, BackorderRecord, HoldCounts, OrderRecord, PickRecord, PickRecords, PickState, PickTally,
    RareRecord, ShipmentRecord, NO_SHIPMENT,
};

/// The first bytes of a snapshot file: "QMSNAP", then the format version (2).
pub const MAGIC: [u8; 8] = *b"QMSNAP\x00\x02";
/// The first bytes of a version-1 snapshot, still read: its state has no idempotency keys.
pub const MAGIC_V1: [u8; 8] = *b"QMSNAP\x00\x01";
/// Bytes before the payload.
pub const HEADER_BYTES: usize = 28;
/// The largest state a snapshot may carry (a bound against a lying length, not a target).
pub const MAX_PAYLOAD_BYTES: u64 = 16 << 30;

/// One cell as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellState {
    /// Units on hand.
    pub on_hand: u32,
    /// Units reserved or allocated.
    pub committed: u32,
    /// Of those, allocated.
    pub allocated: u32,
    /// Reorder point, units.
    pub reorder_point: u32,
    /// Lifetime movements: initial, received, returned, scrapped, shipped, adjusted in, out.
    pub ledger: [u64; 7],
}

/// The largest counter a loaded state may hold (units in a cell's ledger, holds, backorder
/// numbers): 2⁵⁶, more than a billion a second for two years. Counting on from it cannot
/// overflow, and no engine's state comes near it; a larger one was not counted by an engine.
pub const MAX_LOADED_COUNT: u64 = 1 << 56;

/// One pick as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PickData {
    sku: u32,
    units: u32,
    line: u16,
    warehouse: u16,
    shipment: u16,
    /// 0 reserved, 1 allocated, 2 shipped, 3 released.
    state: u8,
}

/// A carrier quote as stored: (carrier, cents, transit days, meets the promise).
type QuoteData = (u16, Cents, u8, bool);
/// A shipment as stored: (warehouse, 0 pending / 1 shipped / 2 cancelled, its quote).
type ShipmentData = (u16, u8, Option<QuoteData>);

/// One order record as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderState {
    id: u64,
    channel: u16,
    placed_at_ms: u64,
    expires_at_ms: u64,
    ship_to: [f64; 3],
    /// `None` standard, `Some(days)` express.
    express_days: Option<u8>,
    /// 0 held, 1 confirmed, 2 released, 3 expired.
    status: u8,
    line_count: u16,
    picks: Vec<PickData>,
    shipments: Vec<ShipmentData>,
    /// (sku, line, warehouse, units, sequence).
    backorders: Vec<(u32, u16, u16, u32, u64)>,
    /// (short units, returned units) by pick.
    tallies: Vec<(u32, u32)>,
    has_rare: bool,
}

/// One order shard as stored: records in slab order, its expiry queue, its hold counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardState {
    orders: Vec<OrderState>,
    expiries_in_order: Vec<(u64, u64)>,
    expiries_out_of_order: Vec<(u64, u64)>,
    /// created, confirmed, released, expired.
    holds: [u64; 4],
}

/// The engine's whole state. Restore it into an engine built from the same configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineState {
    /// SKUs, warehouses and channels of the engine it came from (checked on restore).
    pub shape: (u32, u16, u16),
    /// Every cell, `sku * warehouses + warehouse`.
    pub cells: Vec<CellState>,
    /// Every order shard.
    pub shards: Vec<ShardState>,
    /// The backorder book: (cell, placed_at_ms, sequence, order, line, units).
    pub backorders: Vec<(u32, u64, u64, u64, u16, u32)>,
    /// Per warehouse, `day << 32 | lines` picked that day.
    pub capacity: Vec<u64>,
    /// The next backorder sequence number.
    pub backorder_sequence: u64,
    /// The idempotency keys remembered, in key order.
    pub keys: Vec<KeyState>,
}

/// One order shard as copied by [`Engine::export_raw`].
struct RawShard {
    orders: Vec<(OrderId, OrderRecord)>,
    in_order: crate::reservation::ExpiryEntries,
    out_of_order: crate::reservation::ExpiryEntries,
    holds: HoldCounts,
}

/// A copy of the engine's tables in their own form ([`Engine::export_raw`]): quick to take,
/// turned into an [`EngineState`] by [`RawState::into_state`] on another thread.
pub struct RawState {
    shape: (u32, u16, u16),
    cells: Vec<CellState>,
    shards: Vec<RawShard>,
    backorders: Vec<(u32, u64, u64, u64, u16, u32)>,
    capacity: Vec<u64>,
    backorder_sequence: u64,
    keys: Vec<KeyState>,
}

impl RawState {
    /// The plain-data state.
    pub fn into_state(self) -> EngineState {
        EngineState {
            shape: self.shape,
            cells: self.cells,
            shards: self
                .shards
                .into_iter()
                .map(|shard| {
                    let h = shard.holds;
                    ShardState {
                        orders: shard
                            .orders
                            .iter()
                            .map(|(id, record)| order_state(*id, record))
                            .collect(),
                        expiries_in_order: shard.in_order,
                        expiries_out_of_order: shard.out_of_order,
                        holds: [h.created, h.confirmed, h.released, h.expired],
                    }
                })
                .collect(),
            backorders: self.backorders,
            capacity: self.capacity,
            backorder_sequence: self.backorder_sequence,
            keys: self.keys,
        }
    }
}

/// Why a snapshot cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// Not a snapshot, or cut short, or a checksum mismatch.
    #[error("damaged snapshot: {0}")]
    Damaged(String),
    /// A whole snapshot that does not fit this engine.
    #[error("the snapshot does not fit this engine: {0}")]
    Mismatch(String),
}

/// A state's code in a snapshot is its index in its table.
const ORDER_STATUSES: [OrderStatus; 4] = [
    OrderStatus::Held,
    OrderStatus::Confirmed,
    OrderStatus::Released,
    OrderStatus::Expired,
];
const PICK_STATES: [PickState; 4] = [
    PickState::Reserved,
    PickState::Allocated,
    PickState::Shipped,
    PickState::Released,
];
const SHIPMENT_STATES: [ShipmentState; 3] = [
    ShipmentState::Pending,
    ShipmentState::Shipped,
    ShipmentState::Cancelled,
];

/// `state`'s code: its index in `table`.
fn code_of<T: PartialEq>(table: &[T], state: T) -> u8 {
    table
        .iter()
        .position(|t| *t == state)
        .expect("every state is in its table") as u8
}

/// The state of `code` in `table`; `None` for a code no state has.
fn state_of<T: Copy>(table: &[T], code: u8) -> Option<T> {
    table.get(code as usize).copied()
}

fn order_state(id: OrderId, r: &OrderRecord) -> OrderState {
    OrderState {
        id: id.0,
        channel: r.channel.0,
        placed_at_ms: r.placed_at_ms,
        expires_at_ms: r.expires_at_ms,
        ship_to: r.ship_to.0,
        express_days: match r.service {
            ServiceLevel::Standard => None,
            ServiceLevel::Express { max_transit_days } => Some(max_transit_days),
        },
        status: code_of(&ORDER_STATUSES, r.status),
        line_count: r.line_count,
        picks: r
            .picks
            .iter()
            .map(|p| PickData {
                sku: p.sku.0,
                units: p.units,
                line: p.line,
                warehouse: p.warehouse.0,
                shipment: p.shipment,
                state: code_of(&PICK_STATES, p.state),
            })
            .collect(),
        shipments: r
            .shipments
            .iter()
            .map(|s| {
                (
                    s.warehouse.0,
                    code_of(&SHIPMENT_STATES, s.state),
                    s.quote
                        .map(|q| (q.carrier.0, q.cost_cents, q.transit_days, q.meets_promise)),
                )
            })
            .collect(),
        backorders: r
            .backorders()
            .iter()
            .map(|b| (b.sku.0, b.line, b.warehouse.0, b.units, b.sequence))
            .collect(),
        tallies: r.rare.as_deref().map_or(Vec::new(), |rare| {
            rare.tallies
                .iter()
                .map(|t| (t.short_units, t.returned_units))
                .collect()
        }),
        has_rare: r.rare.is_some(),
    }
}

/// An order's shipments, checking their warehouses and states.
fn shipment_records(
    o: &OrderState,
    warehouses: u16,
) -> Result<SmallVec<[ShipmentRecord; 1]>, String> {
    let bad = |what: &str| Err(format!("order {}: {what}", o.id));
    let mut shipments: SmallVec<[ShipmentRecord; 1]> = SmallVec::new();
    for &(warehouse, state, quote) in &o.shipments {
        if warehouse >= warehouses {
            return bad("a shipment names an unknown warehouse");
        }
        let Some(state) = state_of(&SHIPMENT_STATES, state) else {
            return bad("unknown shipment state");
        };
        shipments.push(ShipmentRecord {
            warehouse: WarehouseId(warehouse),
            state,
            quote: quote.map(
                |(carrier, cost_cents, transit_days, meets_promise)| CarrierQuote {
                    carrier: CarrierId(carrier),
                    cost_cents,
                    transit_days,
                    meets_promise,
                },
            ),
        });
    }
    Ok(shipments)
}

/// Rebuilds a record, checking every index against the engine's shape.
fn order_record(
    o: &OrderState,
    skus: u32,
    warehouses: u16,
    channels: u16,
) -> Result<OrderRecord, String> {
    let bad = |what: &str| Err(format!("order {}: {what}", o.id));
    if o.channel >= channels {
        return bad("unknown channel");
    }
    let Some(status) = state_of(&ORDER_STATUSES, o.status) else {
        return bad("unknown status");
    };
    let mut picks = PickRecords::new();
    for p in &o.picks {
        if p.sku >= skus || p.warehouse >= warehouses || p.line >= o.line_count {
            return bad("a pick names an unknown SKU, warehouse or line");
        }
        if p.shipment != NO_SHIPMENT && p.shipment as usize >= o.shipments.len() {
            return bad("a pick names an unknown shipment");
        }
        let Some(state) = state_of(&PICK_STATES, p.state) else {
            return bad("unknown pick state");
        };
        picks.push(PickRecord {
            sku: SkuId(p.sku),
            units: p.units,
            line: p.line,
            warehouse: WarehouseId(p.warehouse),
            shipment: p.shipment,
            state,
        });
    }
    let shipments = shipment_records(o, warehouses)?;
    let mut backorders = Vec::with_capacity(o.backorders.len());
    for &(sku, line, warehouse, units, sequence) in &o.backorders {
        if sku >= skus || warehouse >= warehouses || line >= o.line_count {
            return bad("a backorder names an unknown SKU, warehouse or line");
        }
        backorders.push(BackorderRecord {
            sku: SkuId(sku),
            line,
            warehouse: WarehouseId(warehouse),
            units,
            sequence,
        });
    }
    if o.tallies.len() > picks.len() || !o.ship_to.iter().all(|x| x.is_finite()) {
        return bad("tallies beyond its picks, or a ship-to that is not a number");
    }
    let rare = o.has_rare.then(|| {
        Box::new(RareRecord {
            backorders,
            tallies: o
                .tallies
                .iter()
                .map(|&(short_units, returned_units)| PickTally {
                    short_units,
                    returned_units,
                })
                .collect(),
        })
    });
    Ok(OrderRecord {
        channel: ChannelId(o.channel),
        placed_at_ms: o.placed_at_ms,
        expires_at_ms: o.expires_at_ms,
        ship_to: UnitVector(o.ship_to),
        service: match o.express_days {
            None => ServiceLevel::Standard,
            Some(max_transit_days) => ServiceLevel::Express { max_transit_days },
        },
        status,
        line_count: o.line_count,
        picks,
        shipments,
        rare,
    })
}

impl Engine {
    /// The whole state as plain data. Take it while no call is changing the engine (the
    /// durable runtime's single writer takes it between batches); concurrent calls would
    /// make it a mix of moments.
    pub fn export_state(&self) -> EngineState {
        self.export_raw().into_state()
    }

    /// A copy of the engine's tables, as fast as a copy goes: the order records are cloned as
    /// they are, not converted. [`RawState::into_state`] converts them later, off the path that
    /// had to stop for the copy. The same caveat as [`Engine::export_state`] applies.
    pub fn export_raw(&self) -> RawState {
        let skus = self.network.skus().len();
        let cells = (0..skus * self.warehouse_count)
            .map(|cell| {
                let (on_hand, committed, allocated, reorder_point, l) = self.inventory.raw(cell);
                CellState {
                    on_hand,
                    committed,
                    allocated,
                    reorder_point,
                    ledger: [
                        l.initial,
                        l.received,
                        l.returned,
                        l.scrapped,
                        l.shipped,
                        l.adjusted_in,
                        l.adjusted_out,
                    ],
                }
            })
            .collect();
        let shards = self
            .orders
            .shards()
            .map(|shard| {
                let (in_order, out_of_order) = shard.expiries.entries();
                RawShard {
                    orders: shard
                        .orders
                        .iter()
                        .map(|(id, record)| (*id, record.clone()))
                        .collect(),
                    in_order,
                    out_of_order,
                    holds: shard.holds,
                }
            })
            .collect();
        RawState {
            shape: (
                skus as u32,
                self.warehouse_count as u16,
                self.channels.len() as u16,
            ),
            cells,
            shards,
            backorders: self
                .backorders
                .entries()
                .into_iter()
                .map(|(cell, (placed, sequence), e)| {
                    (cell, placed, sequence, e.order.0, e.line, e.units)
                })
                .collect(),
            capacity: self
                .capacity
                .iter()
                .map(|c| c.load(Ordering::Acquire))
                .collect(),
            backorder_sequence: self.backorder_sequence.load(Ordering::Acquire),
            keys: lock(&self.keys).sorted(),
        }
    }

    /// Loads `state` into this engine, which must be newly built from the same configuration
    /// and have no orders (its opening stock is overwritten). Checks every index, every counter
    /// against [`MAX_LOADED_COUNT`] and the backorder numbers, then the invariants; on an error
    /// the engine must be thrown away.
    pub fn load_state(&self, state: &EngineState) -> Result<(), SnapshotError> {
        let skus = self.network.skus().len();
        let shape = (
            skus as u32,
            self.warehouse_count as u16,
            self.channels.len() as u16,
        );
        if state.shape != shape {
            return mismatch(format!(
                "it holds {:?} SKUs, warehouses and channels, the engine {shape:?}",
                state.shape
            ));
        }
        if state.cells.len() != skus * self.warehouse_count
            || state.shards.len() != ORDER_SHARDS
            || state.capacity.len() != self.warehouse_count
        {
            return mismatch("its tables have the wrong sizes".into());
        }
        if self.order_count() != 0 {
            return mismatch("the engine already holds orders".into());
        }
        self.load_cells(&state.cells)?;
        self.load_shards(&state.shards, shape)?;
        self.load_book(state)?;
        for (counter, &word) in self.capacity.iter().zip(&state.capacity) {
            counter.store(word, Ordering::Release);
        }
        self.backorder_sequence
            .store(state.backorder_sequence, Ordering::Release);
        self.load_keys(&state.keys, shape)?;
        self.check_invariants()
            .map(|_| ())
            .map_err(|v| SnapshotError::Mismatch(format!("its books do not balance: {v}")))
    }

    fn load_cells(&self, cells: &[CellState]) -> Result<(), SnapshotError> {
        for (cell, c) in cells.iter().enumerate() {
            if c.committed > c.on_hand || c.allocated > c.committed {
                return mismatch(format!("cell {cell} commits more than it holds"));
            }
            if c.ledger.iter().any(|&units| units > MAX_LOADED_COUNT) {
                return mismatch(format!(
                    "cell {cell} counts more units than {MAX_LOADED_COUNT}"
                ));
            }
            let [initial, received, returned, scrapped, shipped, adjusted_in, adjusted_out] =
                c.ledger;
            let ledger = CellLedger {
                initial,
                received,
                returned,
                scrapped,
                shipped,
                adjusted_in,
                adjusted_out,
            };
            let word = (c.on_hand, c.committed, c.allocated, c.reorder_point, ledger);
            self.inventory.set_raw(cell, word);
        }
        Ok(())
    }

    fn load_shards(
        &self,
        shards: &[ShardState],
        shape: (u32, u16, u16),
    ) -> Result<(), SnapshotError> {
        for (s, shard) in shards.iter().enumerate() {
            for o in &shard.orders {
                let record =
                    order_record(o, shape.0, shape.1, shape.2).map_err(SnapshotError::Mismatch)?;
                let mut locked = self.orders.lock_for_insert(OrderId(o.id));
                let hint = locked.hint;
                if locked
                    .guard
                    .orders
                    .insert_new(OrderId(o.id), hint, || record)
                    .is_err()
                {
                    return mismatch(format!("order {} is listed twice", o.id));
                }
            }
            if shard.holds.iter().any(|&holds| holds > MAX_LOADED_COUNT) {
                return mismatch(format!(
                    "shard {s} counts more holds than {MAX_LOADED_COUNT}"
                ));
            }
            let mut guard = self.orders.shards().nth(s).expect("ORDER_SHARDS shards");
            guard.expiries.set_entries(
                shard.expiries_in_order.clone(),
                shard.expiries_out_of_order.clone(),
            );
            let [created, confirmed, released, expired] = shard.holds;
            guard.holds = HoldCounts {
                created,
                confirmed,
                released,
                expired,
            };
        }
        Ok(())
    }

    fn load_keys(&self, states: &[KeyState], shape: (u32, u16, u16)) -> Result<(), SnapshotError> {
        let mut keys = lock(&self.keys);
        keys.clear();
        for state in states {
            if !state.done.fits(shape.0, shape.1) {
                return mismatch(format!(
                    "idempotency key `{}` remembers a SKU or warehouse the engine does not have",
                    state.key
                ));
            }
            if !keys.insert(state.clone()) {
                return mismatch(format!("idempotency key `{}` is listed twice", state.key));
            }
        }
        Ok(())
    }

    fn load_book(&self, state: &EngineState) -> Result<(), SnapshotError> {
        let next = state.backorder_sequence;
        if next > MAX_LOADED_COUNT {
            return mismatch(format!(
                "the next backorder number {next} is past {MAX_LOADED_COUNT}"
            ));
        }
        for &(cell, placed, sequence, order, line, units) in &state.backorders {
            if cell as usize >= state.cells.len() {
                return mismatch(format!("a backorder at unknown cell {cell}"));
            }
            // Numbers are handed out from `backorder_sequence` on: one at or past it would
            // meet a new booking's key.
            if sequence >= next {
                return mismatch(format!(
                    "a backorder numbered {sequence}, not before the next number {next}"
                ));
            }
            let entry = BookEntry {
                order: OrderId(order),
                line,
                units,
            };
            let key = (placed, sequence);
            if !self.backorders.push(cell as usize, key, entry) {
                return mismatch(format!("cell {cell} books the key {key:?} twice"));
            }
        }
        Ok(())
    }
}

/// A snapshot file's bytes: `state` as of journal record `journal_seq` (the last one applied).
pub fn encode(journal_seq: u64, state: &EngineState) -> Vec<u8> {
    let payload = crate::codec::encode(state).expect("an engine state always encodes");
    let mut crc = crc32fast::Hasher::new();
    crc.update(&journal_seq.to_le_bytes());
    crc.update(&payload);
    let mut bytes = Vec::with_capacity(HEADER_BYTES + payload.len());
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&journal_seq.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc.finalize().to_le_bytes());
    bytes.extend_from_slice(&payload);
    bytes
}

/// Reads a snapshot file's bytes back: (journal_seq, state). Never panics on any input.
pub fn decode(bytes: &[u8]) -> Result<(u64, EngineState), SnapshotError> {
    let damaged = |what: String| Err(SnapshotError::Damaged(what));
    if bytes.len() < HEADER_BYTES || (bytes[..8] != MAGIC && bytes[..8] != MAGIC_V1) {
        return damaged("no snapshot header (QMSNAP, version 1 or 2)".into());
    }
    let seq = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
    let len = u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes"));
    let crc = u32::from_le_bytes(bytes[24..28].try_into().expect("4 bytes"));
    let payload = &bytes[HEADER_BYTES..];
    if len > MAX_PAYLOAD_BYTES || payload.len() as u64 != len {
        return damaged(format!(
            "the header promises {len} bytes of state, the file holds {}",
            payload.len()
        ));
    }
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&seq.to_le_bytes());
    hasher.update(payload);
    if hasher.finalize() != crc {
        return damaged("checksum mismatch".into());
    }
    let decoded = if bytes[..8] == MAGIC_V1 {
        // Version 1 is version 2 without the key table, which ends the state: read it with
        // an empty table appended.
        let mut v2 = payload.to_vec();
        crate::codec::encode_into(&Vec::<KeyState>::new(), &mut v2).expect("an empty list encodes");
        crate::codec::decode(&v2)
    } else {
        crate::codec::decode(payload)
    };
    let state =
        decoded.map_err(|e| SnapshotError::Damaged(format!("the state does not decode: {e}")))?;
    Ok((seq, state))
}

fn mismatch<T>(what: String) -> Result<T, SnapshotError> {
    Err(SnapshotError::Mismatch(what))
}
