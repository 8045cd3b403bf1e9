//! Bad calls: each gets its typed error, and the state is exactly as before.

use crate::fixture::*;
use qm_engine::*;

fn state(engine: &Engine) -> (Vec<CellSnapshot>, InvariantReport) {
    (cells(engine), engine.check_invariants().unwrap())
}

/// An engine with one confirmed-and-shipped order (1), one held order (2) and one expired hold (3).
fn busy_engine() -> Engine {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 10), (B, LON, 10)]);
    hold(
        &engine,
        &request(order(1, &[(A, 2)]), SplitPolicy::SplitAllowed),
        0,
    );
    let shipment = engine.confirm(OrderId(1), 1).unwrap().shipments[0].id;
    engine.ship(shipment, 2).unwrap();
    hold(
        &engine,
        &request(order(2, &[(B, 1)]), SplitPolicy::SplitAllowed),
        DAY_MS,
    );
    hold(
        &engine,
        &request(order(3, &[(A, 1)]), SplitPolicy::SplitAllowed),
        0,
    );
    engine.expire_holds(DAY_MS);
    engine
}

#[test]
fn bad_reserve_calls_are_refused_with_a_typed_error_and_change_nothing() {
    let engine = busy_engine();
    let before = state(&engine);
    let with = |f: &dyn Fn(&mut ReserveRequest)| {
        let mut r = request(order(9, &[(A, 1)]), SplitPolicy::SplitAllowed);
        f(&mut r);
        r
    };
    let too_many: Vec<(SkuId, i64)> = vec![(A, 1); constants::MAX_LINES_PER_ORDER + 1];
    let bad_quantity = |quantity: i64| {
        let error = ReserveError::BadQuantity(LineQuantity {
            order: OrderId(9),
            line: 0,
            quantity,
            limit: constants::MAX_LINE_QUANTITY,
            bound: LineBound::PerLine,
        });
        (
            "bad quantity",
            with(&|r| r.order.lines[0].quantity = quantity),
            error,
        )
    };
    let cases: Vec<(&str, ReserveRequest, ReserveError)> = vec![
        bad_quantity(0),
        bad_quantity(-3),
        bad_quantity(10_000_000),
        (
            "unknown SKU",
            with(&|r| r.order.lines[0].sku = SkuId(99)),
            ReserveError::UnknownSku {
                order: OrderId(9),
                line: 0,
                sku: SkuId(99),
            },
        ),
        (
            "unknown channel",
            with(&|r| r.order.channel = ChannelId(7)),
            ReserveError::UnknownChannel(ChannelId(7)),
        ),
        (
            "no lines",
            with(&|r| r.order.lines.clear()),
            ReserveError::EmptyOrder(OrderId(9)),
        ),
        (
            "too many lines",
            request(order(9, &too_many), SplitPolicy::SplitAllowed),
            ReserveError::TooManyLines {
                order: OrderId(9),
                count: 65,
                limit: 64,
            },
        ),
        (
            "zero TTL",
            with(&|r| r.hold_ttl_ms = 0),
            ReserveError::BadHoldTtl {
                ttl_ms: 0,
                min_ms: constants::MIN_HOLD_TTL_MS,
                max_ms: constants::MAX_HOLD_TTL_MS,
            },
        ),
        (
            "order id used twice (held)",
            with(&|r| r.order.id = OrderId(2)),
            ReserveError::DuplicateOrderId(OrderId(2)),
        ),
        (
            "order id used twice (shipped)",
            with(&|r| r.order.id = OrderId(1)),
            ReserveError::DuplicateOrderId(OrderId(1)),
        ),
        (
            "order id used twice (expired)",
            with(&|r| r.order.id = OrderId(3)),
            ReserveError::DuplicateOrderId(OrderId(3)),
        ),
    ];
    for (name, request, expected) in cases {
        assert_eq!(
            engine.reserve(&request, DAY_MS + 5),
            Err(expected.clone()),
            "{name}"
        );
        if !name.starts_with("order id") {
            // explain validates exactly like reserve (it does not look at ids: it holds nothing).
            assert_eq!(
                engine.explain(&request, DAY_MS + 5).err(),
                Some(expected),
                "{name}"
            );
        }
        assert_eq!(state(&engine), before, "{name} changed the state");
    }
}

#[test]
fn bad_hold_calls_are_refused_with_a_typed_error_and_change_nothing() {
    let engine = busy_engine();
    let before = state(&engine);
    let never = OrderId(404);
    let cases: Vec<(&str, Result<String, OrderError>, OrderError)> = vec![
        (
            "confirm never held",
            engine.confirm(never, DAY_MS).map(|c| format!("{c:?}")),
            OrderError::UnknownOrder(never),
        ),
        (
            "release never held",
            engine
                .release(never, ReleaseReason::Cancelled, DAY_MS)
                .map(|r| format!("{r:?}")),
            OrderError::UnknownOrder(never),
        ),
        (
            "confirm expired hold",
            engine.confirm(OrderId(3), DAY_MS).map(|c| format!("{c:?}")),
            OrderError::HoldExpired {
                order: OrderId(3),
                expired_at_ms: HOUR_MS,
            },
        ),
        (
            "release expired hold",
            engine
                .release(OrderId(3), ReleaseReason::Cancelled, DAY_MS)
                .map(|r| format!("{r:?}")),
            OrderError::HoldExpired {
                order: OrderId(3),
                expired_at_ms: HOUR_MS,
            },
        ),
        (
            "confirm twice",
            engine.confirm(OrderId(1), DAY_MS).map(|c| format!("{c:?}")),
            OrderError::WrongStatus {
                order: OrderId(1),
                status: OrderStatus::Confirmed,
                operation: "confirm",
                needed: "held",
            },
        ),
        (
            "release fully shipped",
            engine
                .release(OrderId(1), ReleaseReason::Cancelled, DAY_MS)
                .map(|r| format!("{r:?}")),
            OrderError::WrongStatus {
                order: OrderId(1),
                status: OrderStatus::Confirmed,
                operation: "release",
                needed: "held, or confirmed with units not yet shipped",
            },
        ),
    ];
    for (name, got, expected) in cases {
        assert_eq!(got, Err(expected), "{name}");
        assert_eq!(state(&engine), before, "{name} changed the state");
    }
}

#[test]
fn bad_shipment_and_return_calls_are_refused_with_a_typed_error_and_change_nothing() {
    let engine = busy_engine();
    let before = state(&engine);
    let shipped = ShipmentId {
        order: OrderId(1),
        index: 0,
    };
    let cases: Vec<(&str, Result<String, OrderError>, OrderError)> = vec![
        (
            "ship twice",
            engine.ship(shipped, DAY_MS).map(|s| format!("{s:?}")),
            OrderError::ShipmentNotPending(shipped),
        ),
        (
            "ship unknown shipment",
            engine
                .ship(
                    ShipmentId {
                        order: OrderId(1),
                        index: 5,
                    },
                    DAY_MS,
                )
                .map(|s| format!("{s:?}")),
            OrderError::UnknownShipment(ShipmentId {
                order: OrderId(1),
                index: 5,
            }),
        ),
        (
            "ship a held order",
            engine
                .ship(
                    ShipmentId {
                        order: OrderId(2),
                        index: 0,
                    },
                    DAY_MS,
                )
                .map(|s| format!("{s:?}")),
            OrderError::UnknownShipment(ShipmentId {
                order: OrderId(2),
                index: 0,
            }),
        ),
        (
            "return unknown line",
            engine
                .restock_return(OrderId(1), 4, 1, Disposition::Restock, DAY_MS)
                .map(|r| format!("{r:?}")),
            OrderError::UnknownLine {
                order: OrderId(1),
                line: 4,
            },
        ),
        (
            "return more than shipped",
            engine
                .restock_return(OrderId(1), 0, 3, Disposition::Restock, DAY_MS)
                .map(|r| format!("{r:?}")),
            OrderError::BadQuantity(LineQuantity {
                order: OrderId(1),
                line: 0,
                quantity: 3,
                limit: 2,
                bound: LineBound::ShippedNotReturned,
            }),
        ),
        (
            "return negative",
            engine
                .restock_return(OrderId(1), 0, -1, Disposition::Scrap, DAY_MS)
                .map(|r| format!("{r:?}")),
            OrderError::BadQuantity(LineQuantity {
                order: OrderId(1),
                line: 0,
                quantity: -1,
                limit: 2,
                bound: LineBound::ShippedNotReturned,
            }),
        ),
        (
            "short pick shipped",
            engine
                .short_pick(shipped, 0, 1, DAY_MS)
                .map(|r| format!("{r:?}")),
            OrderError::ShipmentNotPending(shipped),
        ),
    ];
    for (name, got, expected) in cases {
        assert_eq!(got, Err(expected), "{name}");
        assert_eq!(state(&engine), before, "{name} changed the state");
    }
}

#[test]
fn bad_stock_calls_are_refused_with_a_typed_error_and_change_nothing() {
    let engine = busy_engine();
    let before = state(&engine);
    let limit = constants::MAX_MOVEMENT_UNITS;
    let cases: Vec<(&str, Result<String, StockError>, StockError)> = vec![
        (
            "receive unknown SKU",
            engine
                .receive(SkuId(42), MAN, 1, 0)
                .map(|r| format!("{r:?}")),
            StockError::UnknownSku(SkuId(42)),
        ),
        (
            "receive unknown warehouse",
            engine
                .receive(A, WarehouseId(9), 1, 0)
                .map(|r| format!("{r:?}")),
            StockError::UnknownWarehouse(WarehouseId(9)),
        ),
        (
            "receive zero",
            engine.receive(A, MAN, 0, 0).map(|r| format!("{r:?}")),
            StockError::BadQuantity { quantity: 0, limit },
        ),
        (
            "receive negative",
            engine.receive(A, MAN, -5, 0).map(|r| format!("{r:?}")),
            StockError::BadQuantity {
                quantity: -5,
                limit,
            },
        ),
        (
            "adjust zero",
            engine
                .adjust(A, MAN, 0, AdjustReason::CycleCount, 0)
                .map(|r| format!("{r:?}")),
            StockError::BadQuantity { quantity: 0, limit },
        ),
        (
            "adjust below free",
            engine
                .adjust(B, LON, -10, AdjustReason::Shrinkage, 0)
                .map(|r| format!("{r:?}")),
            StockError::NotEnoughFree { units: 10, free: 9 },
        ),
        (
            "adjust unknown SKU",
            engine
                .adjust(SkuId(3), MAN, 1, AdjustReason::CycleCount, 0)
                .map(|r| format!("{r:?}")),
            StockError::UnknownSku(SkuId(3)),
        ),
        (
            "reorder point unknown warehouse",
            engine
                .set_reorder_point(A, WarehouseId(3), 1)
                .map(|r| format!("{r:?}")),
            StockError::UnknownWarehouse(WarehouseId(3)),
        ),
    ];
    for (name, got, expected) in cases {
        assert_eq!(got, Err(expected), "{name}");
        assert_eq!(state(&engine), before, "{name} changed the state");
    }
    assert_eq!(engine.cell_snapshot(SkuId(3), MAN), None);
}

#[test]
fn bad_configurations_are_refused_with_what_is_wrong() {
    let build = |channels: Vec<ChannelConfig>| {
        Engine::new(EngineConfig {
            network: network(),
            channels,
            expected_open_orders: 0,
        })
        .err()
    };
    assert_eq!(
        build(vec![]),
        Some(ConfigError::ChannelCount {
            count: 0,
            limit: constants::MAX_CHANNELS
        })
    );
    let unknown = channel(StrategyKind::Nearest, vec![WarehouseId(7)]);
    assert_eq!(
        build(vec![unknown]).unwrap().to_string(),
        "channel \"web\": warehouse id 7 does not exist"
    );
    let twice = channel(StrategyKind::Nearest, vec![MAN, MAN]);
    assert_eq!(
        build(vec![twice]).unwrap().to_string(),
        "channel \"web\": warehouse MAN is listed twice"
    );
    let mut over = channel(StrategyKind::Nearest, vec![MAN]);
    over.buffer = Buffer::BasisPointsOfOnHand(10_001);
    assert!(build(vec![over])
        .unwrap()
        .to_string()
        .contains("above 100 %"));
    let dup = channel(StrategyKind::Nearest, vec![MAN]);
    assert_eq!(
        build(vec![dup.clone(), dup]),
        Some(ConfigError::DuplicateChannel("web".into()))
    );
    let warehouses = network().warehouses().to_vec();
    let same_code = vec![warehouses[0].clone(), warehouses[0].clone()];
    assert_eq!(
        Network::new(network().skus().to_vec(), same_code, vec![]).unwrap_err(),
        NetworkError::DuplicateCode {
            what: "warehouse",
            code: "LON".into()
        }
    );
}

#[test]
fn a_line_quantity_refusal_says_what_bounds_it() {
    let refusal = |quantity, limit, bound| {
        let quantity = LineQuantity {
            order: OrderId(7),
            line: 1,
            quantity,
            limit,
            bound,
        };
        OrderError::BadQuantity(quantity).to_string()
    };
    let cases = [
        (
            refusal(2_000_000, 1_000_000, LineBound::PerLine),
            "order 7 line 1: quantity 2000000 must be between 1 and 1000000",
        ),
        (
            refusal(3, 2, LineBound::ShippedNotReturned),
            "order 7 line 1: quantity 3 must be between 1 and 2, the units shipped and not yet \
             returned",
        ),
        (
            refusal(1, 0, LineBound::ShippedNotReturned),
            "order 7 line 1: nothing to return: no unit shipped and not yet returned",
        ),
        (
            refusal(0, 4, LineBound::InShipment),
            "order 7 line 1: quantity 0 must be between 1 and 4, the line's units in the shipment",
        ),
        (
            refusal(1, 0, LineBound::InShipment),
            "order 7 line 1: the shipment holds no unit of the line",
        ),
    ];
    for (got, expected) in cases {
        assert_eq!(got, expected);
    }
}
