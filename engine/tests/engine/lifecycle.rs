//! The life of stock, call by call, with the cell figures after each step.

use crate::fixture::*;
use qm_engine::*;

fn snapshot(engine: &Engine, sku: SkuId, warehouse: WarehouseId) -> (u32, u32, u32) {
    let s = engine.cell_snapshot(sku, warehouse).unwrap();
    (s.on_hand, s.reserved, s.allocated)
}

#[test]
fn reserve_confirm_ship_moves_units_from_reserved_to_allocated_to_gone() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 10), (B, MAN, 4)]);
    let hold = hold(
        &engine,
        &request(order(1, &[(A, 3), (B, 4)]), SplitPolicy::SingleWarehouse),
        0,
    );
    assert_eq!(hold.expires_at_ms, HOUR_MS);
    assert_eq!(
        (snapshot(&engine, A, MAN), snapshot(&engine, B, MAN)),
        ((10, 3, 0), (4, 4, 0))
    );

    let confirmation = engine.confirm(OrderId(1), 1_000).unwrap();
    assert_eq!(confirmation.shipments.len(), 1);
    let shipment = confirmation.shipments[0];
    assert_eq!(
        (shipment.warehouse, shipment.units, shipment.lines),
        (MAN, 7, 2)
    );
    assert_eq!(
        (snapshot(&engine, A, MAN), snapshot(&engine, B, MAN)),
        ((10, 0, 3), (4, 0, 4))
    );

    let shipped = engine.ship(shipment.id, 2_000).unwrap();
    assert_eq!((shipped.units, shipped.order_complete), (7, true));
    assert_eq!(
        (snapshot(&engine, A, MAN), snapshot(&engine, B, MAN)),
        ((7, 0, 0), (0, 0, 0))
    );
    assert_eq!(engine.cell_ledger(A, MAN).unwrap().shipped, 3);
    let report = engine.check_invariants().unwrap();
    assert_eq!(
        (
            report.holds.created,
            report.holds.confirmed,
            report.open_holds
        ),
        (1, 1, 0)
    );
}

#[test]
fn a_split_order_confirms_into_one_shipment_per_warehouse() {
    // Neither MAN (closest) nor LON has 4 A: 2 from each.
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 2), (A, LON, 2)]);
    hold(
        &engine,
        &request(order(1, &[(A, 4)]), SplitPolicy::SplitAllowed),
        0,
    );
    let shipments = engine.confirm(OrderId(1), 1).unwrap().shipments;
    let parcels: Vec<_> = shipments.iter().map(|s| (s.warehouse, s.units)).collect();
    assert_eq!(parcels, vec![(MAN, 2), (LON, 2)]);
    assert!(!engine.ship(shipments[0].id, 2).unwrap().order_complete);
    assert!(engine.ship(shipments[1].id, 3).unwrap().order_complete);
    engine.check_invariants().unwrap();
}

#[test]
fn release_returns_stock_exactly_once() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 10)]);
    hold(
        &engine,
        &request(order(1, &[(A, 6)]), SplitPolicy::SplitAllowed),
        0,
    );
    let released = engine
        .release(OrderId(1), ReleaseReason::PaymentFailed, 10)
        .unwrap();
    assert_eq!(released.units_returned, 6);
    assert_eq!(snapshot(&engine, A, MAN), (10, 0, 0));
    let again = engine.release(OrderId(1), ReleaseReason::Cancelled, 11);
    assert!(
        matches!(
            again,
            Err(OrderError::WrongStatus {
                status: OrderStatus::Released,
                ..
            })
        ),
        "{again:?}"
    );
    assert_eq!(snapshot(&engine, A, MAN), (10, 0, 0));
    assert_eq!(
        engine.expire_holds(10 * HOUR_MS),
        vec![],
        "a released hold does not expire again"
    );
    assert_eq!(snapshot(&engine, A, MAN), (10, 0, 0));
    engine.check_invariants().unwrap();
}

#[test]
fn cancelling_a_confirmed_order_frees_only_what_has_not_shipped() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 2), (A, LON, 2)]);
    hold(
        &engine,
        &request(order(1, &[(A, 4)]), SplitPolicy::SplitAllowed),
        0,
    );
    let shipments = engine.confirm(OrderId(1), 1).unwrap().shipments;
    engine.ship(shipments[0].id, 2).unwrap();
    let released = engine
        .release(OrderId(1), ReleaseReason::Cancelled, 3)
        .unwrap();
    assert_eq!(released.units_returned, 2);
    assert_eq!(
        (snapshot(&engine, A, MAN), snapshot(&engine, A, LON)),
        ((0, 0, 0), (2, 0, 0))
    );
    assert_eq!(
        engine.ship(shipments[1].id, 4),
        Err(OrderError::ShipmentNotPending(shipments[1].id))
    );
    engine.check_invariants().unwrap();
}

#[test]
fn holds_expire_at_their_ttl_boundary_and_not_before() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 10)]);
    hold(
        &engine,
        &request(order(1, &[(A, 4)]), SplitPolicy::SplitAllowed),
        1_000,
    );
    hold(
        &engine,
        &request(order(2, &[(A, 1)]), SplitPolicy::SplitAllowed),
        2_000,
    );
    assert_eq!(engine.expire_holds(1_000 + HOUR_MS - 1), vec![]);
    assert_eq!(snapshot(&engine, A, MAN), (10, 5, 0));
    let expired = engine.expire_holds(1_000 + HOUR_MS);
    assert_eq!(
        expired,
        vec![ExpiredHold {
            order: OrderId(1),
            units_returned: 4
        }]
    );
    assert_eq!(snapshot(&engine, A, MAN), (10, 1, 0));
    assert_eq!(
        engine.confirm(OrderId(1), 1_000 + HOUR_MS),
        Err(OrderError::HoldExpired {
            order: OrderId(1),
            expired_at_ms: 1_000 + HOUR_MS
        })
    );
    assert_eq!(
        snapshot(&engine, A, MAN),
        (10, 1, 0),
        "a refused confirm changes nothing"
    );
    let report = engine.check_invariants().unwrap();
    assert_eq!(
        (
            report.holds.created,
            report.holds.expired,
            report.open_holds
        ),
        (2, 1, 1)
    );
}

#[test]
fn confirming_a_hold_past_its_ttl_expires_it_instead() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 10)]);
    hold(
        &engine,
        &request(order(1, &[(A, 4)]), SplitPolicy::SplitAllowed),
        0,
    );
    let late = engine.confirm(OrderId(1), HOUR_MS);
    assert_eq!(
        late,
        Err(OrderError::HoldExpired {
            order: OrderId(1),
            expired_at_ms: HOUR_MS
        })
    );
    assert_eq!(snapshot(&engine, A, MAN), (10, 0, 0));
    assert_eq!(
        engine.expire_holds(2 * HOUR_MS),
        vec![],
        "returned once, not twice"
    );
    assert_eq!(snapshot(&engine, A, MAN), (10, 0, 0));
    engine.check_invariants().unwrap();
}

#[test]
fn receipts_fill_backorders_in_the_order_they_were_placed() {
    let engine = engine_with(channel(StrategyKind::Nearest, vec![MAN]), &[(A, MAN, 2)]);
    // Order 10 placed at t=10 wants 5 (2 held, 3 backordered); order 20 at t=20 wants 4 (all backordered).
    let mut first = order(10, &[(A, 5)]);
    first.placed_at_ms = 10;
    let mut second = order(20, &[(A, 4)]);
    second.placed_at_ms = 20;
    // Book the later order first: placement time, not call order, decides.
    let h2 = hold(
        &engine,
        &request(second, SplitPolicy::PartialWithBackorder),
        30,
    );
    let h1 = hold(
        &engine,
        &request(first, SplitPolicy::PartialWithBackorder),
        31,
    );
    assert_eq!((h2.units_held(), h2.units_backordered()), (2, 2));
    assert_eq!((h1.units_held(), h1.units_backordered()), (0, 5));
    let receipt = engine.receive(A, MAN, 6, 40).unwrap();
    let fills: Vec<_> = receipt.filled.iter().map(|f| (f.order, f.units)).collect();
    assert_eq!(fills, vec![(OrderId(10), 5), (OrderId(20), 1)]);
    assert_eq!(engine.order(OrderId(10)).unwrap().units_backordered, 0);
    assert_eq!(engine.order(OrderId(20)).unwrap().units_backordered, 1);
    assert_eq!(snapshot(&engine, A, MAN), (8, 8, 0));
    engine.check_invariants().unwrap();
}

#[test]
fn a_backorder_filled_after_payment_becomes_its_own_shipment() {
    let engine = engine_with(channel(StrategyKind::Nearest, vec![MAN]), &[(A, MAN, 1)]);
    hold(
        &engine,
        &request(order(1, &[(A, 3)]), SplitPolicy::PartialWithBackorder),
        0,
    );
    let first = engine.confirm(OrderId(1), 1).unwrap().shipments[0];
    assert_eq!(first.units, 1);
    let fill = engine.receive(A, MAN, 5, 2).unwrap().filled[0];
    let second = fill
        .shipment
        .expect("confirmed orders get a shipment per fill");
    assert_eq!(
        second,
        ShipmentId {
            order: OrderId(1),
            index: 1
        }
    );
    assert!(!engine.ship(first.id, 3).unwrap().order_complete);
    let last = engine.ship(second, 4).unwrap();
    assert_eq!((last.units, last.order_complete), (2, true));
    assert_eq!(snapshot(&engine, A, MAN), (3, 0, 0));
    engine.check_invariants().unwrap();
}

#[test]
fn releasing_a_backordered_order_drops_its_wait() {
    let engine = engine_with(channel(StrategyKind::Nearest, vec![MAN]), &[]);
    hold(
        &engine,
        &request(order(1, &[(A, 3)]), SplitPolicy::PartialWithBackorder),
        0,
    );
    let released = engine
        .release(OrderId(1), ReleaseReason::Cancelled, 1)
        .unwrap();
    assert_eq!(
        (released.units_returned, released.backorders_cancelled),
        (0, 3)
    );
    assert_eq!(engine.receive(A, MAN, 5, 2).unwrap().filled, vec![]);
    assert_eq!(snapshot(&engine, A, MAN), (5, 0, 0));
    engine.check_invariants().unwrap();
}

#[test]
fn returns_restock_or_scrap_and_never_exceed_what_shipped() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 10)]);
    hold(
        &engine,
        &request(order(1, &[(A, 4)]), SplitPolicy::SplitAllowed),
        0,
    );
    let shipment = engine.confirm(OrderId(1), 1).unwrap().shipments[0].id;
    assert_eq!(
        engine.restock_return(OrderId(1), 0, 1, Disposition::Restock, 2),
        Err(OrderError::BadQuantity(LineQuantity {
            order: OrderId(1),
            line: 0,
            quantity: 1,
            limit: 0,
            bound: LineBound::ShippedNotReturned,
        })),
        "nothing shipped yet"
    );
    engine.ship(shipment, 2).unwrap();
    let back = engine
        .restock_return(OrderId(1), 0, 3, Disposition::Restock, 3)
        .unwrap();
    assert_eq!(back.by_warehouse.to_vec(), vec![(MAN, 3)]);
    assert_eq!(snapshot(&engine, A, MAN), (9, 0, 0));
    engine
        .restock_return(OrderId(1), 0, 1, Disposition::Scrap, 4)
        .unwrap();
    assert_eq!(snapshot(&engine, A, MAN), (9, 0, 0));
    let ledger = engine.cell_ledger(A, MAN).unwrap();
    assert_eq!(
        (ledger.shipped, ledger.returned, ledger.scrapped),
        (4, 4, 1)
    );
    assert!(
        engine
            .restock_return(OrderId(1), 0, 1, Disposition::Restock, 5)
            .is_err(),
        "all 4 units are back"
    );
    engine.check_invariants().unwrap();
}

#[test]
fn adjustments_remove_only_free_units_and_found_units_fill_backorders() {
    let engine = engine_with(channel(StrategyKind::Nearest, vec![MAN]), &[(A, MAN, 5)]);
    hold(
        &engine,
        &request(order(1, &[(A, 4)]), SplitPolicy::SplitAllowed),
        0,
    );
    assert_eq!(
        engine.adjust(A, MAN, -2, AdjustReason::Shrinkage, 1),
        Err(StockError::NotEnoughFree { units: 2, free: 1 })
    );
    assert_eq!(
        engine
            .adjust(A, MAN, -1, AdjustReason::CycleCount, 2)
            .unwrap()
            .on_hand_after,
        4
    );
    hold(
        &engine,
        &request(order(2, &[(A, 2)]), SplitPolicy::PartialWithBackorder),
        3,
    );
    let found = engine
        .adjust(A, MAN, 3, AdjustReason::CycleCount, 4)
        .unwrap();
    assert_eq!(found.on_hand_after, 7);
    assert_eq!(found.filled.iter().map(|f| f.units).sum::<u32>(), 2);
    let ledger = engine.cell_ledger(A, MAN).unwrap();
    assert_eq!((ledger.adjusted_in, ledger.adjusted_out), (3, 1));
    engine.check_invariants().unwrap();
}

#[test]
fn a_short_pick_ships_the_line_short_and_keeps_the_books_balanced() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 10)]);
    hold(
        &engine,
        &request(order(1, &[(A, 5)]), SplitPolicy::SplitAllowed),
        0,
    );
    let shipment = engine.confirm(OrderId(1), 1).unwrap().shipments[0].id;
    assert_eq!(engine.short_pick(shipment, 0, 2, 2).unwrap().units, 2);
    assert_eq!(snapshot(&engine, A, MAN), (8, 0, 3));
    assert_eq!(engine.ship(shipment, 3).unwrap().units, 3);
    let view = engine.order(OrderId(1)).unwrap();
    assert_eq!((view.units_shipped, view.units_short), (3, 2));
    assert_eq!(engine.cell_ledger(A, MAN).unwrap().adjusted_out, 2);
    engine.check_invariants().unwrap();
}

#[test]
fn every_transition_emits_an_event() {
    let mut engine = engine_with(channel(StrategyKind::Nearest, vec![MAN]), &[(A, MAN, 5)]);
    let events = engine.subscribe();
    engine.set_reorder_point(A, MAN, 3).unwrap();
    hold(
        &engine,
        &request(order(1, &[(A, 3)]), SplitPolicy::SplitAllowed),
        10,
    );
    let shipment = engine.confirm(OrderId(1), 11).unwrap().shipments[0].id;
    engine.ship(shipment, 12).unwrap();
    engine
        .restock_return(OrderId(1), 0, 1, Disposition::Restock, 13)
        .unwrap();
    assert_eq!(
        engine
            .reserve(&request(order(2, &[(A, 9)]), SplitPolicy::SplitAllowed), 14)
            .unwrap(),
        ReserveOutcome::Rejected(Rejection::InsufficientStock)
    );
    hold(
        &engine,
        &request(order(3, &[(A, 9)]), SplitPolicy::PartialWithBackorder),
        15,
    );
    engine.receive(A, MAN, 20, 16).unwrap();
    engine
        .release(OrderId(3), ReleaseReason::Cancelled, 17)
        .unwrap();
    hold(
        &engine,
        &request(order(4, &[(A, 1)]), SplitPolicy::SplitAllowed),
        18,
    );
    engine.expire_holds(18 + HOUR_MS);
    engine
        .adjust(A, MAN, -1, AdjustReason::Damaged, 19 + HOUR_MS)
        .unwrap();
    let kinds: Vec<String> = events
        .try_iter()
        .map(|e| {
            format!(
                "{}@{}",
                format!("{:?}", e.kind).split([' ', '{']).next().unwrap(),
                e.at_ms
            )
        })
        .collect();
    let expected = [
        "OrderHeld@10",
        "BelowReorderPoint@10",
        "OrderConfirmed@11",
        "Shipped@12",
        "Returned@13",
        "OrderRejected@14",
        // Order 3 takes the last 3 free units: free falls from 3 to 0, below the reorder point of 3.
        "OrderHeld@15",
        "Backordered@15",
        "BelowReorderPoint@15",
        "Received@16",
        "BackorderFilled@16",
        "OrderReleased@17",
        "OrderHeld@18",
        "HoldExpired@3600018",
        "Adjusted@3600019",
    ];
    assert_eq!(kinds, expected);
}

#[test]
fn the_same_calls_give_the_same_results_bit_for_bit() {
    fn run() -> String {
        let engine = engine(
            StrategyKind::FewestShipments,
            &[(A, MAN, 7), (A, LON, 9), (B, PAR, 4), (C, LON, 3)],
        );
        let mut log = String::new();
        for id in 0..40u64 {
            let lines = [(A, 1 + (id % 3) as i64), (B, (id % 2) as i64 + 1), (C, 1)];
            let split = [
                SplitPolicy::SingleWarehouse,
                SplitPolicy::SplitAllowed,
                SplitPolicy::PartialWithBackorder,
            ][id as usize % 3];
            log += &format!(
                "{:?}\n",
                engine.reserve(
                    &request(order(id, &lines[..1 + (id % 3) as usize]), split),
                    id * 1000
                )
            );
            if id % 4 == 0 {
                log += &format!("{:?}\n", engine.confirm(OrderId(id), id * 1000 + 1));
            }
            if id % 5 == 0 {
                log += &format!("{:?}\n", engine.receive(A, LON, 3, id * 1000 + 2));
            }
            log += &format!("{:?}\n", engine.expire_holds(id * 200_000));
        }
        log + &format!("{:?}\n{:?}", cells(&engine), engine.check_invariants())
    }
    assert_eq!(run(), run());
}

#[test]
fn shipment_lines_list_what_a_picker_fetches_until_the_shipment_leaves() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 10), (B, MAN, 4)]);
    hold(
        &engine,
        &request(order(1, &[(A, 3), (B, 4)]), SplitPolicy::SingleWarehouse),
        0,
    );
    let shipment = engine.confirm(OrderId(1), 1).unwrap().shipments[0].id;
    let lines: Vec<_> = engine
        .shipment_lines(shipment)
        .unwrap()
        .iter()
        .map(|l| (l.line, l.sku, l.units))
        .collect();
    assert_eq!(lines, vec![(0, A, 3), (1, B, 4)]);
    engine.short_pick(shipment, 1, 1, 2).unwrap();
    assert_eq!(
        engine.shipment_lines(shipment).unwrap()[1].units,
        3,
        "a short pick leaves 3 of B to fetch"
    );
    engine.ship(shipment, 3).unwrap();
    assert_eq!(
        engine.shipment_lines(shipment),
        Err(OrderError::ShipmentNotPending(shipment))
    );
    let unknown = ShipmentId {
        order: OrderId(1),
        index: 5,
    };
    assert_eq!(
        engine.shipment_lines(unknown),
        Err(OrderError::UnknownShipment(unknown))
    );
}

#[test]
fn presizing_the_order_table_keeps_every_order_and_its_holds() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 100_000)]);
    for id in 1..=300 {
        hold(
            &engine,
            &request(order(id, &[(A, 1)]), SplitPolicy::SplitAllowed),
            0,
        );
    }
    let before = engine.check_invariants().unwrap();
    // Far past what the fixture sized it for: every shard's records and index move.
    engine.presize_orders(200_000).unwrap();
    assert_eq!(engine.check_invariants().unwrap(), before);
    for id in 1..=300 {
        assert_eq!(
            engine.order(OrderId(id)).unwrap().units_open,
            1,
            "order {id}"
        );
    }
    assert_eq!(
        engine.reserve(&request(order(7, &[(A, 1)]), SplitPolicy::SplitAllowed), 1),
        Err(ReserveError::DuplicateOrderId(OrderId(7)))
    );
    for id in 301..=600 {
        hold(
            &engine,
            &request(order(id, &[(A, 1)]), SplitPolicy::SplitAllowed),
            1,
        );
    }
    engine.presize_orders(10).unwrap();
    assert_eq!(engine.order_count(), 600);
    assert_eq!(snapshot(&engine, A, MAN), (100_000, 600, 0));
    // Room no allocator gives is an error, not an abort, and the engine works on.
    for huge in [usize::MAX, 1 << 50] {
        assert!(matches!(
            engine.presize_orders(huge),
            Err(ConfigError::OrderRoom { orders, .. }) if orders == huge
        ));
    }
    assert_eq!(engine.check_invariants().unwrap().orders, 600);
    hold(
        &engine,
        &request(order(601, &[(A, 1)]), SplitPolicy::SplitAllowed),
        2,
    );
    assert_eq!(engine.order_count(), 601);
}

#[test]
fn archiving_forgets_finished_orders_only_and_keeps_every_figure() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 20)]);
    // 1 shipped, 2 still held, 3 released, 4 shipped but kept for a coming return.
    for id in 1..=4 {
        hold(
            &engine,
            &request(order(id, &[(A, 2)]), SplitPolicy::SplitAllowed),
            0,
        );
    }
    for id in [1, 4] {
        let shipment = engine.confirm(OrderId(id), 1).unwrap().shipments[0].id;
        engine.ship(shipment, 2).unwrap();
    }
    engine
        .release(OrderId(3), ReleaseReason::Cancelled, 3)
        .unwrap();
    let before = engine.check_invariants().unwrap();
    assert_eq!(engine.archive_finished(|id| id == OrderId(4)), 2);
    assert_eq!(engine.order_count(), 2);
    assert_eq!(engine.order(OrderId(1)), None);
    assert_eq!(engine.order(OrderId(3)), None);
    assert_eq!(
        snapshot(&engine, A, MAN),
        (16, 2, 0),
        "16 on hand after 2 × 2 shipped; order 2 holds 2"
    );
    let after = engine.check_invariants().unwrap();
    assert_eq!(
        (after.holds, after.open_holds, after.on_hand_units),
        (before.holds, before.open_holds, before.on_hand_units)
    );
    assert_eq!(after.orders, 2);
    // The kept order takes its return; the archived one is unknown; the held one confirms.
    engine
        .restock_return(OrderId(4), 0, 1, Disposition::Restock, 4)
        .unwrap();
    assert_eq!(
        engine.restock_return(OrderId(1), 0, 1, Disposition::Restock, 4),
        Err(OrderError::UnknownOrder(OrderId(1)))
    );
    engine.confirm(OrderId(2), 5).unwrap();
    // Archived ids are free again; the index still finds every kept order.
    hold(
        &engine,
        &request(order(1, &[(A, 1)]), SplitPolicy::SplitAllowed),
        6,
    );
    assert_eq!(engine.order(OrderId(4)).unwrap().units_returned, 1);
    engine.check_invariants().unwrap();
}
