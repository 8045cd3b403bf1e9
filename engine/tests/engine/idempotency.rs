//! Idempotency keys: a keyed stock movement happens once, its repeats answer what it did, and
//! the keys survive snapshots and the journal and go with the archive.

use qm_engine::idempotency::{Done, IdempotencyKey, KeyError};
use qm_engine::journal::{Applied, Command, KeyedOutcome};
use qm_engine::*;

use crate::fixture::*;

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::new(text).unwrap()
}

fn receive(units: i64, now_ms: u64) -> Command {
    Command::Receive {
        sku: A,
        warehouse: LON,
        units,
        now_ms,
    }
}

fn outcome(applied: Applied) -> Result<KeyedOutcome, KeyError> {
    match applied {
        Applied::Keyed(outcome) => outcome,
        other => panic!("a keyed command answered {other:?}"),
    }
}

fn on_hand(engine: &Engine) -> u32 {
    engine.cell_snapshot(A, LON).unwrap().on_hand
}

#[test]
fn a_keyed_receipt_moves_stock_once_and_its_repeats_answer_the_first() {
    let engine = engine(StrategyKind::Nearest, &[(A, LON, 10)]);
    let first = outcome(engine.apply(&keyed("po-17", receive(5, 1_000)))).unwrap();
    assert_eq!(first.first_applied_at_ms, None);
    assert_eq!(on_hand(&engine), 15);
    // Sent again later (the answer was lost): nothing moves, the first answer comes back.
    let again = engine.apply(&keyed("po-17", receive(5, 9_000)));
    assert!(again.refused(), "a repeat changes nothing");
    let again = outcome(again).unwrap();
    assert_eq!(again.first_applied_at_ms, Some(1_000));
    assert_eq!(again.applied, first.applied);
    assert_eq!(on_hand(&engine), 15);
    assert_eq!(engine.idempotency_key_count(), 1);
    // Another receipt under the same key is refused; under another key it applies.
    assert_eq!(
        outcome(engine.apply(&keyed("po-17", receive(6, 9_000)))).unwrap_err(),
        KeyError::Conflict {
            key: key("po-17"),
            first_applied_at_ms: 1_000
        }
    );
    assert_eq!(on_hand(&engine), 15);
    outcome(engine.apply(&keyed("po-18", receive(5, 9_000)))).unwrap();
    assert_eq!(on_hand(&engine), 20);
}

#[test]
fn a_refused_keyed_command_keeps_no_key_and_its_retry_is_tried_afresh() {
    let engine = engine(StrategyKind::Nearest, &[(A, LON, 3)]);
    let remove = |delta_units, now_ms| Command::Adjust {
        sku: A,
        warehouse: LON,
        delta_units,
        reason: AdjustReason::Shrinkage,
        now_ms,
    };
    // Removing 5 of 3 free units is refused: the key stays free.
    let refused = outcome(engine.apply(&keyed("count-1", remove(-5, 10)))).unwrap();
    assert!(matches!(
        *refused.applied,
        Applied::Adjust(Err(StockError::NotEnoughFree { .. }))
    ));
    assert_eq!(engine.idempotency_key_count(), 0);
    engine.apply(&receive(4, 20));
    let applied = outcome(engine.apply(&keyed("count-1", remove(-5, 30)))).unwrap();
    assert_eq!(applied.first_applied_at_ms, None);
    assert_eq!(on_hand(&engine), 2);
    // Only stock movements take a key.
    let confirm = Command::Confirm {
        order: OrderId(1),
        now_ms: 40,
    };
    assert_eq!(
        outcome(engine.apply(&keyed("c", confirm.clone()))).unwrap_err(),
        KeyError::NotKeyable
    );
    assert_eq!(
        outcome(engine.apply(&keyed("c", keyed("d", receive(1, 40))))).unwrap_err(),
        KeyError::NotKeyable,
        "a key inside a key"
    );
    assert_eq!(on_hand(&engine), 2);
}

#[test]
fn keyed_returns_and_short_picks_happen_once() {
    let engine = engine(StrategyKind::Nearest, &[(A, LON, 10)]);
    let request = request(order(1, &[(A, 4)]), SplitPolicy::SplitAllowed);
    hold(&engine, &request, 0);
    let shipment = engine.confirm(OrderId(1), 1).unwrap().shipments[0].id;
    let short = Command::ShortPick {
        shipment,
        line: 0,
        missing_units: 1,
        now_ms: 2,
    };
    outcome(engine.apply(&keyed("s", short.clone()))).unwrap();
    outcome(engine.apply(&keyed("s", short))).unwrap();
    engine.ship(shipment, 3).unwrap();
    assert_eq!(engine.order(OrderId(1)).unwrap().units_shipped, 3);
    let back = Command::RestockReturn {
        order: OrderId(1),
        line: 0,
        units: 2,
        disposition: Disposition::Restock,
        now_ms: 4,
    };
    for _ in 0..3 {
        outcome(engine.apply(&keyed("rma-1", back.clone()))).unwrap();
    }
    assert_eq!(engine.returnable_units(OrderId(1), 0).unwrap(), 1);
    // 10 − 1 short − 3 shipped + 2 restocked.
    assert_eq!(on_hand(&engine), 8);
}

#[test]
fn keys_survive_a_snapshot_and_a_replay_and_go_with_the_archive() {
    let engine = engine(StrategyKind::Nearest, &[(A, LON, 10)]);
    let journal = [
        keyed("early", receive(1, 1_000)),
        keyed("late", receive(2, 5_000)),
    ];
    for command in &journal {
        engine.apply(command);
    }
    let hash = engine.state_hash();
    let bytes = qm_engine::snapshot::encode(2, &engine.export_state());
    let (_, state) = qm_engine::snapshot::decode(&bytes).unwrap();
    assert_eq!(state.keys.len(), 2);
    let restored = self::engine(StrategyKind::Nearest, &[(A, LON, 10)]);
    restored.load_state(&state).unwrap();
    assert_eq!(restored.state_hash(), hash);
    let replayed = self::engine(StrategyKind::Nearest, &[(A, LON, 10)]);
    for command in &journal {
        replayed.apply(command);
    }
    assert_eq!(replayed.state_hash(), hash);
    // The repeat is a repeat on all three.
    for e in [&engine, &restored, &replayed] {
        let again = outcome(e.apply(&keyed("late", receive(2, 6_000)))).unwrap();
        assert_eq!(again.first_applied_at_ms, Some(5_000));
        assert_eq!(on_hand(e), 13);
    }
    // The archive forgets the keys applied before its cut, so their commands apply again.
    engine.archive_finished_before(2_000);
    assert_eq!(engine.idempotency_key_count(), 1);
    outcome(engine.apply(&keyed("early", receive(1, 7_000)))).unwrap();
    assert_eq!(on_hand(&engine), 14);
    assert_ne!(engine.state_hash(), hash);
}

#[test]
fn a_version_1_snapshot_still_loads_with_no_keys() {
    let engine = engine(StrategyKind::Nearest, &[(A, LON, 10)]);
    engine.apply(&receive(3, 1));
    let v2 = qm_engine::snapshot::encode(1, &engine.export_state());
    // Version 1 wrote the same state without the key table (its empty list: 8 zero bytes at the
    // end), so rebuild one from a version-2 file.
    let mut v1 = v2[..v2.len() - 8].to_vec();
    assert_eq!(&v2[v2.len() - 8..], &[0; 8]);
    v1[..8].copy_from_slice(&qm_engine::snapshot::MAGIC_V1);
    let payload_len = (v1.len() - qm_engine::snapshot::HEADER_BYTES) as u64;
    v1[16..24].copy_from_slice(&payload_len.to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&1u64.to_le_bytes());
    crc.update(&v1[qm_engine::snapshot::HEADER_BYTES..]);
    v1[24..28].copy_from_slice(&crc.finalize().to_le_bytes());
    assert_eq!(
        qm_engine::snapshot::decode(&v1).unwrap(),
        qm_engine::snapshot::decode(&v2).unwrap()
    );
    // A version-2 payload under the version-1 magic is damage, not a state.
    let mut wrong = v2.clone();
    wrong[..8].copy_from_slice(&qm_engine::snapshot::MAGIC_V1);
    assert!(qm_engine::snapshot::decode(&wrong).is_err());
}

#[test]
fn a_key_inside_a_key_does_not_decode_however_deep() {
    let inner = qm_engine::codec::encode(&receive(1, 1)).unwrap();
    let once = qm_engine::codec::encode(&keyed("k", receive(1, 1))).unwrap();
    assert!(qm_engine::codec::decode::<Command>(&once).is_ok());
    // What one level of keying adds in front of a command: its variant and its key.
    let level = &once[..once.len() - inner.len()];
    for depth in [2, 100_000] {
        let mut bytes = level.repeat(depth);
        bytes.extend_from_slice(&inner);
        let error = qm_engine::codec::decode::<Command>(&bytes).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("a keyed command inside a keyed command"),
            "{error}"
        );
    }
}

#[test]
fn a_snapshot_whose_keys_name_another_network_is_refused() {
    let engine = engine(StrategyKind::Nearest, &[(A, LON, 10)]);
    engine.apply(&keyed("po-1", receive(1, 1)));
    let mut state = engine.export_state();
    let mut twice = state.clone();
    twice.keys.push(twice.keys[0].clone());
    let Done::Receive(receipt) = &mut state.keys[0].done else {
        panic!("a receipt remembers a receipt")
    };
    receipt.warehouse = WarehouseId(9);
    for (state, says) in [(state, "a SKU or warehouse"), (twice, "listed twice")] {
        let restored = self::engine(StrategyKind::Nearest, &[]);
        let error = restored.load_state(&state).unwrap_err().to_string();
        assert!(error.contains(says), "{error}");
    }
}
