//! `reserve_batch` and `apply_batch` are the calls one by one, only faster: same results in the
//! same order, same state, including refusals and orders that compete for the last units.

use qm_engine::journal::{Applied, Command};
use qm_engine::*;

use crate::fixture::*;

/// Orders that compete for little stock (so the order of calls decides who gets it), plus one
/// of each refusal: a duplicate id, an unknown SKU, a zero quantity, an unknown channel.
fn requests() -> Vec<ReserveRequest> {
    let mut requests = Vec::new();
    for id in 1..=12u64 {
        let lines: &[(SkuId, i64)] = match id % 3 {
            0 => &[(A, 2), (B, 1)],
            1 => &[(A, 1)],
            _ => &[(B, 2), (C, 1), (A, 1)],
        };
        let split = match id % 4 {
            0 => SplitPolicy::SingleWarehouse,
            1 => SplitPolicy::PartialWithBackorder,
            _ => SplitPolicy::SplitAllowed,
        };
        requests.push(request(order(id, lines), split));
    }
    // Order 1 again, while stock for it is still there: refused only at the record.
    requests.insert(2, request(order(1, &[(A, 1)]), SplitPolicy::SplitAllowed));
    requests.push(request(
        order(40, &[(SkuId(99), 1)]),
        SplitPolicy::SplitAllowed,
    ));
    requests.push(request(order(41, &[(B, 0)]), SplitPolicy::SplitAllowed));
    let mut foreign = request(order(42, &[(A, 1)]), SplitPolicy::SplitAllowed);
    foreign.order.channel = ChannelId(7);
    requests.push(foreign);
    requests
}

const STOCK: &[(SkuId, WarehouseId, i64)] = &[(A, LON, 5), (A, PAR, 4), (B, MAN, 6), (C, PAR, 3)];

#[test]
fn reserve_batch_equals_the_calls_one_by_one() {
    let requests = requests();
    let (one_by_one, batched) = (
        engine(StrategyKind::Nearest, STOCK),
        engine(StrategyKind::Nearest, STOCK),
    );
    let expected: Vec<_> = requests
        .iter()
        .map(|r| one_by_one.reserve(r, 1_000))
        .collect();
    let mut results = vec![Err(ReserveError::EmptyOrder(OrderId(0)))];
    batched.reserve_batch(&requests, 1_000, &mut results);
    assert_eq!(results, expected);
    assert_eq!(batched.state_hash(), one_by_one.state_hash());
    assert_eq!(cells(&batched), cells(&one_by_one));

    // The workload really competes and really refuses: some held, some rejected for stock,
    // one backordered, four bad calls.
    let held = results
        .iter()
        .filter(|r| matches!(r, Ok(ReserveOutcome::Held(_))))
        .count();
    let rejected = results
        .iter()
        .filter(|r| matches!(r, Ok(ReserveOutcome::Rejected(_))))
        .count();
    let backordered = results
        .iter()
        .filter(|r| matches!(r, Ok(ReserveOutcome::Held(h)) if !h.backorders.is_empty()))
        .count();
    assert_eq!((held, rejected, results.len() - held - rejected), (8, 4, 4));
    assert_eq!(backordered, 1);
    assert!(matches!(
        results[2],
        Err(ReserveError::DuplicateOrderId(OrderId(1)))
    ));
    batched.check_invariants().unwrap();
}

#[test]
fn an_empty_batch_clears_the_results() {
    let engine = engine(StrategyKind::Nearest, STOCK);
    let mut results = vec![engine.reserve(&requests()[0], 0)];
    engine.reserve_batch(&[], 0, &mut results);
    assert!(results.is_empty());
}

#[test]
fn apply_batch_equals_apply_one_by_one() {
    let mut commands: Vec<Command> = requests()
        .into_iter()
        .map(|request| Command::Reserve {
            request,
            now_ms: 1_000,
        })
        .collect();
    commands.insert(
        3,
        Command::Confirm {
            order: OrderId(1),
            now_ms: 1_500,
        },
    );
    commands.push(Command::Receive {
        sku: A,
        warehouse: LON,
        units: 3,
        now_ms: 2_000,
    });
    commands.push(Command::Release {
        order: OrderId(2),
        reason: ReleaseReason::Cancelled,
        now_ms: 2_500,
    });
    commands.push(Command::ExpireHolds {
        now_ms: 2 * HOUR_MS,
    });
    let (one_by_one, batched) = (
        engine(StrategyKind::Nearest, STOCK),
        engine(StrategyKind::Nearest, STOCK),
    );
    let expected: Vec<_> = commands.iter().map(|c| one_by_one.apply(c)).collect();
    let mut results = Vec::new();
    batched.apply_batch(&commands, &mut results);
    assert_eq!(results, expected);
    assert_eq!(batched.state_hash(), one_by_one.state_hash());
    // The sweep at the end expired the holds nobody confirmed or released.
    let Applied::ExpireHolds(expired) = results.last().unwrap() else {
        panic!("the last command is a sweep");
    };
    assert!(!expired.is_empty(), "{expired:?}");
    batched.check_invariants().unwrap();
}
