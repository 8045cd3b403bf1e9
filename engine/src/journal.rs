//! The journal's format: the commands the engine accepted, in the order it applied them, as
//! length-prefixed, checksummed records; the scan that recovers them from a journal's bytes;
//! and the state hash that proves a replay rebuilt the same state.
//!
//! The engine does no I/O: this module turns commands into bytes and bytes back into
//! commands. Whoever owns the file (the simulator's durable runtime) writes the bytes, syncs
//! them in batches, and hands the bytes back at recovery.
//!
//! Layout: an 8-byte magic ([`MAGIC`]), then records. A record is
//! `payload_len: u32 LE | crc32: u32 LE | seq: u64 LE | payload`, where the CRC covers the
//! sequence number and the payload, and the payload is one [`Command`] encoded by
//! [`crate::codec`]. Sequence numbers start at 1 and grow by one.
//!
//! A crash mid-write leaves a torn tail: a last record cut short or half-written. [`scan`]
//! cuts it off and reports it. Damage with whole records after it is not a torn write but
//! corruption, and [`scan`] refuses it: skipping records silently would replay a history that
//! never happened.

use std::hash::Hasher;

use serde::{Deserialize, Serialize};

use crate::engine::{prefetched_in_turn, Engine};
use crate::error::{OrderError, ReserveError, StockError};
use crate::idempotency::{Done, IdempotencyKey, KeyError, KeyState};
use crate::ids::{OrderId, ShipmentId, SkuId, WarehouseId};
use crate::lifecycle::{
    AdjustReason, Adjusted, Confirmation, Disposition, ExpiredHold, Receipt, ReleaseReason,
    Released, ReserveOutcome, ReturnOutcome, Shipped, ShortPicked,
};
use crate::order::ReserveRequest;
use crate::reservation::lock;

/// The first bytes of every journal: "QMJRNL", then the format version (1).
pub const MAGIC: [u8; 8] = *b"QMJRNL\x00\x01";
/// Bytes before a record's payload: length, CRC, sequence number.
pub const RECORD_HEADER_BYTES: usize = 16;
/// The largest payload a record may carry. An order has at most 64 lines, so a real command
/// is a few kilobytes at most; a length above this is damage, not a big command.
pub const MAX_PAYLOAD_BYTES: usize = 1 << 20;

/// A state-changing engine call with its arguments: what the journal records. Applying the
/// same commands in the same order to engines built alike gives the same state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// [`Engine::reserve`].
    Reserve {
        /// The request.
        request: ReserveRequest,
        /// The call's time.
        now_ms: u64,
    },
    /// [`Engine::confirm`].
    Confirm {
        /// The order.
        order: OrderId,
        /// The call's time.
        now_ms: u64,
    },
    /// [`Engine::release`].
    Release {
        /// The order.
        order: OrderId,
        /// Why.
        reason: ReleaseReason,
        /// The call's time.
        now_ms: u64,
    },
    /// [`Engine::expire_holds`].
    ExpireHolds {
        /// The call's time: holds due by then expire.
        now_ms: u64,
    },
    /// [`Engine::ship`].
    Ship {
        /// The shipment.
        shipment: ShipmentId,
        /// The call's time.
        now_ms: u64,
    },
    /// [`Engine::short_pick`].
    ShortPick {
        /// The shipment.
        shipment: ShipmentId,
        /// The order line.
        line: u32,
        /// Units not on the shelf.
        missing_units: i64,
        /// The call's time.
        now_ms: u64,
    },
    /// [`Engine::receive`].
    Receive {
        /// The SKU.
        sku: SkuId,
        /// The warehouse.
        warehouse: WarehouseId,
        /// Units received.
        units: i64,
        /// The call's time.
        now_ms: u64,
    },
    /// [`Engine::restock_return`].
    RestockReturn {
        /// The order.
        order: OrderId,
        /// The order line.
        line: u32,
        /// Units returned.
        units: i64,
        /// Restock or scrap.
        disposition: Disposition,
        /// The call's time.
        now_ms: u64,
    },
    /// [`Engine::adjust`].
    Adjust {
        /// The SKU.
        sku: SkuId,
        /// The warehouse.
        warehouse: WarehouseId,
        /// Units found (> 0) or lost (< 0).
        delta_units: i64,
        /// Why.
        reason: AdjustReason,
        /// The call's time.
        now_ms: u64,
    },
    /// [`Engine::archive_finished_before`].
    ArchiveFinished {
        /// Finished orders placed before this are forgotten.
        placed_before_ms: u64,
    },
    /// [`Engine::set_reorder_point`].
    SetReorderPoint {
        /// The SKU.
        sku: SkuId,
        /// The warehouse.
        warehouse: WarehouseId,
        /// The reorder point, units.
        units: u32,
    },
    /// A receipt, return, adjustment or short pick under an idempotency key: applied the first
    /// time, answered from memory after ([`crate::idempotency`]).
    Keyed {
        /// The client's key.
        key: IdempotencyKey,
        /// The command (never itself keyed: decoding refuses one, so no input nests deeply).
        #[serde(deserialize_with = "one_level")]
        command: Box<Command>,
    },
}

/// The typed result of an applied [`Command`], as the call itself would have returned it.
///
/// Journal every command applied, refused ones too: a refusal changes nothing and replays as
/// the same refusal, while some errors do change state (a confirm past the TTL expires the
/// hold), so "journal only what succeeded" would replay a different history.
#[derive(Clone, Debug, PartialEq)]
pub enum Applied {
    /// From [`Command::Reserve`].
    Reserve(Result<ReserveOutcome, ReserveError>),
    /// From [`Command::Confirm`].
    Confirm(Result<Confirmation, OrderError>),
    /// From [`Command::Release`].
    Release(Result<Released, OrderError>),
    /// From [`Command::ExpireHolds`].
    ExpireHolds(Vec<ExpiredHold>),
    /// From [`Command::Ship`].
    Ship(Result<Shipped, OrderError>),
    /// From [`Command::ShortPick`].
    ShortPick(Result<ShortPicked, OrderError>),
    /// From [`Command::Receive`].
    Receive(Result<Receipt, StockError>),
    /// From [`Command::RestockReturn`].
    RestockReturn(Result<ReturnOutcome, OrderError>),
    /// From [`Command::Adjust`].
    Adjust(Result<Adjusted, StockError>),
    /// From [`Command::SetReorderPoint`].
    SetReorderPoint(Result<(), StockError>),
    /// From [`Command::ArchiveFinished`]: orders archived.
    ArchiveFinished(usize),
    /// From [`Command::Keyed`].
    Keyed(Result<KeyedOutcome, KeyError>),
}

/// What a keyed command answered.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyedOutcome {
    /// What the command did: now, or the first time its key was used.
    pub applied: Box<Applied>,
    /// `Some(ms)` when this is a repeat: the command was applied at `ms` and nothing changed
    /// now.
    pub first_applied_at_ms: Option<u64>,
}

impl Applied {
    /// Whether the engine refused the call and so changed nothing: a typed error, or a
    /// reserve that held nothing. A confirm past its TTL is an error that does change state
    /// (the hold expires), so it is not a refusal.
    pub fn refused(&self) -> bool {
        match self {
            Applied::Reserve(r) => !matches!(r, Ok(ReserveOutcome::Held(_))),
            Applied::Confirm(Err(OrderError::HoldExpired { .. })) => false,
            Applied::Confirm(r) => r.is_err(),
            Applied::Release(r) => r.is_err(),
            Applied::ExpireHolds(_) => false,
            Applied::Ship(r) => r.is_err(),
            Applied::ShortPick(r) => r.is_err(),
            Applied::Receive(r) => r.is_err(),
            Applied::RestockReturn(r) => r.is_err(),
            Applied::Adjust(r) => r.is_err(),
            Applied::SetReorderPoint(r) => r.is_err(),
            Applied::ArchiveFinished(_) => false,
            Applied::Keyed(Ok(keyed)) => {
                keyed.first_applied_at_ms.is_some() || keyed.applied.refused()
            }
            Applied::Keyed(Err(_)) => true,
        }
    }
}

impl Engine {
    /// Applies `command`: the same as making the call it names.
    pub fn apply(&self, command: &Command) -> Applied {
        match *command {
            Command::Reserve {
                ref request,
                now_ms,
            } => Applied::Reserve(self.reserve(request, now_ms)),
            Command::Confirm { order, now_ms } => Applied::Confirm(self.confirm(order, now_ms)),
            Command::Release {
                order,
                reason,
                now_ms,
            } => Applied::Release(self.release(order, reason, now_ms)),
            Command::ExpireHolds { now_ms } => Applied::ExpireHolds(self.expire_holds(now_ms)),
            Command::Ship { shipment, now_ms } => Applied::Ship(self.ship(shipment, now_ms)),
            Command::ShortPick {
                shipment,
                line,
                missing_units,
                now_ms,
            } => {
                Applied::ShortPick(self.short_pick(shipment, line as usize, missing_units, now_ms))
            }
            Command::Receive {
                sku,
                warehouse,
                units,
                now_ms,
            } => Applied::Receive(self.receive(sku, warehouse, units, now_ms)),
            Command::RestockReturn {
                order,
                line,
                units,
                disposition,
                now_ms,
            } => Applied::RestockReturn(self.restock_return(
                order,
                line as usize,
                units,
                disposition,
                now_ms,
            )),
            Command::Adjust {
                sku,
                warehouse,
                delta_units,
                reason,
                now_ms,
            } => Applied::Adjust(self.adjust(sku, warehouse, delta_units, reason, now_ms)),
            Command::SetReorderPoint {
                sku,
                warehouse,
                units,
            } => Applied::SetReorderPoint(self.set_reorder_point(sku, warehouse, units)),
            Command::ArchiveFinished { placed_before_ms } => {
                Applied::ArchiveFinished(self.archive_finished_before(placed_before_ms))
            }
            Command::Keyed {
                ref key,
                ref command,
            } => Applied::Keyed(self.apply_keyed(key, command)),
        }
    }

    /// [`Command::Keyed`]: `command` once under `key`, and what it did ever after. The key
    /// table stays locked across the command, so two calls under one key cannot both apply.
    fn apply_keyed(
        &self,
        key: &IdempotencyKey,
        command: &Command,
    ) -> Result<KeyedOutcome, KeyError> {
        let (now_ms, timeless) = keyable(command).ok_or(KeyError::NotKeyable)?;
        let request = crate::codec::encode(&timeless).expect("a command always encodes");
        let mut keys = lock(&self.keys);
        if let Some(first) = keys.get(key) {
            if first.request != request {
                return Err(KeyError::Conflict {
                    key: key.clone(),
                    first_applied_at_ms: first.applied_at_ms,
                });
            }
            return Ok(KeyedOutcome {
                applied: Box::new(applied_of(first.done.clone())),
                first_applied_at_ms: Some(first.applied_at_ms),
            });
        }
        let applied = self.apply(command);
        if let Some(done) = done_of(&applied) {
            keys.insert(KeyState {
                key: key.clone(),
                request,
                applied_at_ms: now_ms,
                done,
            });
        }
        Ok(KeyedOutcome {
            applied: Box::new(applied),
            first_applied_at_ms: None,
        })
    }

    /// Applies `commands` in order, exactly as [`Engine::apply`] one by one would, and writes
    /// their results to `results` (cleared first). Reserves are prefetched a few commands
    /// ahead, as in [`Engine::reserve_batch`]: a single writer applies its batches with this.
    pub fn apply_batch(&self, commands: &[Command], results: &mut Vec<Applied>) {
        results.clear();
        results.reserve(commands.len());
        prefetched_in_turn(
            commands,
            |ahead| {
                if let Command::Reserve { request, .. } = ahead {
                    self.prefetch_reserve(request);
                }
            },
            |command| results.push(self.apply(command)),
        );
    }

    /// A hash of everything a replay must rebuild: every cell's stock, ledger and backorders,
    /// and every order the engine holds (status, units by state, shipments), orders in id order.
    /// Two engines with the same hash hold the same books. Reads every cell and order: for
    /// recovery checks and tests, not the hot path.
    pub fn state_hash(&self) -> u64 {
        let mut h = rustc_hash::FxHasher::default();
        let warehouses = self.network.warehouses().len();
        for sku in 0..self.network.skus().len() {
            for w in 0..warehouses {
                let (sku, w) = (SkuId(sku as u32), WarehouseId(w as u16));
                let cell = self.cell_snapshot(sku, w).expect("a cell of the network");
                let ledger = self.cell_ledger(sku, w).expect("a cell of the network");
                let backordered = self
                    .backordered_units(sku, w)
                    .expect("a cell of the network");
                for x in [cell.on_hand, cell.reserved, cell.allocated] {
                    h.write_u32(x);
                }
                for x in [
                    ledger.initial,
                    ledger.received,
                    ledger.returned,
                    ledger.scrapped,
                    ledger.shipped,
                    ledger.adjusted_in,
                    ledger.adjusted_out,
                    backordered,
                ] {
                    h.write_u64(x);
                }
            }
        }
        let mut ids: Vec<OrderId> = self
            .orders
            .shards()
            .flat_map(|shard| shard.orders.iter().map(|(id, _)| *id).collect::<Vec<_>>())
            .collect();
        ids.sort_unstable();
        for id in ids {
            let view = self.order(id).expect("listed a moment ago");
            // The view's Debug text is a canonical spelling of every field (no maps inside).
            h.write(format!("{view:?}").as_bytes());
        }
        for key in lock(&self.keys).sorted() {
            h.write(key.key.as_str().as_bytes());
            h.write(&key.request);
            h.write_u64(key.applied_at_ms);
            h.write(format!("{:?}", key.done).as_bytes());
        }
        h.finish()
    }
}

thread_local! {
    /// Whether a keyed command's inner command is being decoded.
    static DECODING_KEYED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Decodes a keyed command's inner command, refusing a keyed one: a record of a million nested
/// keys would otherwise recurse a million frames deep.
fn one_level<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Box<Command>, D::Error> {
    DECODING_KEYED.with(|inside| {
        if inside.replace(true) {
            return Err(serde::de::Error::custom(
                "a keyed command inside a keyed command",
            ));
        }
        let command = Box::<Command>::deserialize(d);
        inside.set(false);
        command
    })
}

/// A command that takes an idempotency key: its time, and the command with its time set to 0
/// (what a retry, sent later, must equal).
fn keyable(command: &Command) -> Option<(u64, Command)> {
    let mut timeless = command.clone();
    let now_ms = match &mut timeless {
        Command::Receive { now_ms, .. }
        | Command::RestockReturn { now_ms, .. }
        | Command::Adjust { now_ms, .. }
        | Command::ShortPick { now_ms, .. } => std::mem::take(now_ms),
        _ => return None,
    };
    Some((now_ms, timeless))
}

/// What a keyed command remembers of what it did: a success only (a refusal changed nothing).
fn done_of(applied: &Applied) -> Option<Done> {
    Some(match applied {
        Applied::Receive(Ok(x)) => Done::Receive(x.clone()),
        Applied::RestockReturn(Ok(x)) => Done::RestockReturn(x.clone()),
        Applied::Adjust(Ok(x)) => Done::Adjust(x.clone()),
        Applied::ShortPick(Ok(x)) => Done::ShortPick(*x),
        _ => return None,
    })
}

fn applied_of(done: Done) -> Applied {
    match done {
        Done::Receive(x) => Applied::Receive(Ok(x)),
        Done::RestockReturn(x) => Applied::RestockReturn(Ok(x)),
        Done::Adjust(x) => Applied::Adjust(Ok(x)),
        Done::ShortPick(x) => Applied::ShortPick(Ok(x)),
    }
}

/// Appends one record (`seq`, `command`) to `out`.
pub fn encode_record(seq: u64, command: &Command, out: &mut Vec<u8>) {
    // Header first, filled in once the payload is encoded in place after it: no buffer per
    // record on the writer's path.
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&seq.to_le_bytes());
    crate::codec::encode_into(command, out).expect("a command always encodes");
    let payload_len = out.len() - start - RECORD_HEADER_BYTES;
    assert!(
        payload_len <= MAX_PAYLOAD_BYTES,
        "a command of {payload_len} bytes: commands are bounded far below {MAX_PAYLOAD_BYTES}"
    );
    let crc = crc32fast::hash(&out[start + 8..]);
    out[start..start + 4].copy_from_slice(&(payload_len as u32).to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// A whole journal of `commands`, numbered from 1: the magic and one record each.
pub fn encode_journal<'a>(commands: impl IntoIterator<Item = &'a Command>) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    for (i, command) in commands.into_iter().enumerate() {
        encode_record(i as u64 + 1, command, &mut bytes);
    }
    bytes
}

/// One whole record read back.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Its sequence number.
    pub seq: u64,
    /// Where it starts in the journal, bytes.
    pub offset: usize,
    /// The command.
    pub command: Command,
}

/// A torn tail: the bytes after the last whole record, from a write a crash cut short.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TornTail {
    /// Where it starts, bytes (the journal's valid length).
    pub offset: usize,
    /// Its length, bytes.
    pub bytes: usize,
    /// What was wrong with it.
    pub reason: String,
}

/// What a scan recovered.
#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    /// Every whole record, in order.
    pub records: Vec<Record>,
    /// Bytes of the journal up to the end of the last whole record: cut the file here.
    pub valid_len: usize,
    /// The torn tail cut off, if any.
    pub torn: Option<TornTail>,
}

/// A journal that cannot be recovered without losing history.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    /// The bytes do not start with [`MAGIC`].
    #[error("not a Quartermaster journal (or another format version): the first 8 bytes are {found:02x?}, expected {MAGIC:02x?}")]
    NotAJournal {
        /// The first bytes found.
        found: Vec<u8>,
    },
    /// Damage with whole records after it.
    #[error("journal corrupted at byte {offset} (record {expected_seq}): {reason}; whole records follow at byte {next_valid_offset}, so this is not a torn write. Refusing to skip them: restore the journal from a replica or backup")]
    Corrupted {
        /// Where the damage is.
        offset: usize,
        /// The sequence number the damaged record should have had.
        expected_seq: u64,
        /// What is wrong.
        reason: String,
        /// Where the next whole record starts.
        next_valid_offset: usize,
    },
    /// A whole, checksummed record out of sequence.
    #[error("journal record at byte {offset} has sequence number {found}, expected {expected}: records are missing or repeated")]
    OutOfSequence {
        /// Where the record is.
        offset: usize,
        /// Its sequence number.
        found: u64,
        /// The one expected.
        expected: u64,
    },
    /// A whole, checksummed record whose payload is not a command.
    #[error("journal record {seq} at byte {offset} has a valid checksum but does not decode ({reason}): written by another version?")]
    Undecodable {
        /// Where the record is.
        offset: usize,
        /// Its sequence number.
        seq: u64,
        /// The decoder's message.
        reason: String,
    },
}

/// A record's frame at `offset`, if one is there: (seq, payload range), or why not. With
/// `later_than`, only a sequence number above it (and not absurdly far) counts, checked before
/// the CRC so that searching damaged bytes stays cheap.
fn frame(
    bytes: &[u8],
    offset: usize,
    later_than: Option<u64>,
) -> Result<(u64, std::ops::Range<usize>), String> {
    let rest = &bytes[offset..];
    if rest.len() < RECORD_HEADER_BYTES {
        return Err(format!(
            "{} bytes, fewer than a record header's {RECORD_HEADER_BYTES}",
            rest.len()
        ));
    }
    let len = u32::from_le_bytes(rest[0..4].try_into().expect("4 bytes")) as usize;
    let crc = u32::from_le_bytes(rest[4..8].try_into().expect("4 bytes"));
    let seq = u64::from_le_bytes(rest[8..16].try_into().expect("8 bytes"));
    if let Some(after) = later_than {
        if seq <= after || seq - after > 1 << 32 {
            return Err("not a later record".into());
        }
    }
    if len > MAX_PAYLOAD_BYTES {
        return Err(format!(
            "a payload length of {len} bytes, above the limit of {MAX_PAYLOAD_BYTES}"
        ));
    }
    if rest.len() < RECORD_HEADER_BYTES + len {
        return Err(format!(
            "a payload of {len} bytes with only {} left",
            rest.len() - RECORD_HEADER_BYTES
        ));
    }
    let payload = offset + RECORD_HEADER_BYTES..offset + RECORD_HEADER_BYTES + len;
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&seq.to_le_bytes());
    hasher.update(&bytes[payload.clone()]);
    if hasher.finalize() != crc {
        return Err("its checksum does not match".into());
    }
    Ok((seq, payload))
}

/// Recovers the records of a journal's bytes. A torn tail is cut and reported; damage followed
/// by a whole record of a later sequence number is refused ([`JournalError::Corrupted`]).
/// Never panics on any input, and allocates at most in proportion to `bytes`.
pub fn scan(bytes: &[u8]) -> Result<Scan, JournalError> {
    scan_from(bytes, 1)
}

/// [`scan`] for a journal segment whose first record is `first_seq`.
pub fn scan_from(bytes: &[u8], first_seq: u64) -> Result<Scan, JournalError> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(JournalError::NotAJournal {
            found: bytes[..bytes.len().min(MAGIC.len())].to_vec(),
        });
    }
    let mut records = Vec::new();
    let mut offset = MAGIC.len();
    let mut expected = first_seq;
    while offset < bytes.len() {
        match frame(bytes, offset, None) {
            Ok((seq, payload)) => {
                if seq != expected {
                    return Err(JournalError::OutOfSequence {
                        offset,
                        found: seq,
                        expected,
                    });
                }
                let command =
                    crate::codec::decode::<Command>(&bytes[payload.clone()]).map_err(|e| {
                        JournalError::Undecodable {
                            offset,
                            seq,
                            reason: e.to_string(),
                        }
                    })?;
                records.push(Record {
                    seq,
                    offset,
                    command,
                });
                offset = payload.end;
                expected += 1;
            }
            Err(reason) => {
                // A whole later record anywhere after the damage means the damage is not a
                // torn last write.
                if let Some(next) =
                    (offset + 1..bytes.len()).find(|&at| frame(bytes, at, Some(expected)).is_ok())
                {
                    return Err(JournalError::Corrupted {
                        offset,
                        expected_seq: expected,
                        reason,
                        next_valid_offset: next,
                    });
                }
                return Ok(Scan {
                    records,
                    valid_len: offset,
                    torn: Some(TornTail {
                        offset,
                        bytes: bytes.len() - offset,
                        reason,
                    }),
                });
            }
        }
    }
    Ok(Scan {
        records,
        valid_len: offset,
        torn: None,
    })
}

#[cfg(test)]
mod tests;
