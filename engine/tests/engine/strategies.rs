//! One test per strategy decision, on the fixture network, with the answer worked out by hand.

use crate::fixture::*;
use proptest::strategy::Strategy;
use qm_engine::*;

#[test]
fn fixture_distances_are_what_the_hand_answers_assume() {
    let network = network();
    let km = |w: WarehouseId| birmingham().distance_km(&network.warehouses()[w.index()].location);
    assert!((110.0..118.0).contains(&km(MAN)), "MAN {}", km(MAN));
    assert!((158.0..168.0).contains(&km(LON)), "LON {}", km(LON));
    assert!((490.0..515.0).contains(&km(PAR)), "PAR {}", km(PAR));
}

#[test]
fn nearest_ships_whole_order_from_the_closest_warehouse() {
    let engine = engine(
        StrategyKind::Nearest,
        &[(A, LON, 10), (A, MAN, 10), (A, PAR, 10)],
    );
    assert_eq!(split_picks(&engine, 1, &[(A, 2)]), vec![(0, MAN, 2)]);
}

#[test]
fn nearest_skips_a_closer_warehouse_that_lacks_a_line() {
    // MAN (closest) has A but not B; LON has both, so LON ships everything in one parcel.
    let engine = engine(
        StrategyKind::Nearest,
        &[(A, MAN, 10), (A, LON, 10), (B, LON, 10)],
    );
    assert_eq!(
        split_picks(&engine, 1, &[(A, 1), (B, 1)]),
        vec![(0, LON, 1), (1, LON, 1)]
    );
}

#[test]
fn nearest_splits_line_by_line_when_no_warehouse_has_everything() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 5), (B, PAR, 5)]);
    let hold = hold(
        &engine,
        &request(order(1, &[(A, 3), (B, 2)]), SplitPolicy::SplitAllowed),
        0,
    );
    assert_eq!(picks(&hold), vec![(0, MAN, 3), (1, PAR, 2)]);
    assert_eq!(hold.warehouse_count(), 2);
}

#[test]
fn nearest_splits_a_line_across_warehouses_nearest_first() {
    let engine = engine(
        StrategyKind::Nearest,
        &[(A, MAN, 5), (A, LON, 5), (A, PAR, 5)],
    );
    assert_eq!(
        split_picks(&engine, 1, &[(A, 8)]),
        vec![(0, MAN, 5), (0, LON, 3)]
    );
}

#[test]
fn single_warehouse_policy_rejects_what_only_a_split_could_ship() {
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 5), (B, PAR, 5)]);
    let before = cells(&engine);
    let outcome = engine
        .reserve(
            &request(order(1, &[(A, 3), (B, 2)]), SplitPolicy::SingleWarehouse),
            0,
        )
        .unwrap();
    assert_eq!(
        outcome,
        ReserveOutcome::Rejected(Rejection::InsufficientStock)
    );
    assert_eq!(cells(&engine), before);
}

#[test]
fn repeated_sku_lines_are_counted_together() {
    // MAN has 5 A: two lines of 3 A cannot both come from MAN.
    let engine = engine(StrategyKind::Nearest, &[(A, MAN, 5), (A, LON, 10)]);
    let hold = hold(
        &engine,
        &request(order(1, &[(A, 3), (A, 3)]), SplitPolicy::SingleWarehouse),
        0,
    );
    assert_eq!(picks(&hold), vec![(0, LON, 3), (1, LON, 3)]);
}

#[test]
fn priority_follows_the_channel_order_not_distance() {
    let engine = engine_with(
        channel(StrategyKind::Priority, vec![PAR, LON, MAN]),
        &[(A, LON, 10), (A, MAN, 10), (A, PAR, 1)],
    );
    assert_eq!(split_picks(&engine, 1, &[(A, 1)]), vec![(0, PAR, 1)]);
    // PAR is now empty: next in the channel's order is LON, though MAN is closer.
    assert_eq!(split_picks(&engine, 2, &[(A, 1)]), vec![(0, LON, 1)]);
}

#[test]
fn most_stock_takes_from_the_fullest_warehouse() {
    let engine = engine(
        StrategyKind::MostStock,
        &[(A, LON, 4), (A, MAN, 9), (A, PAR, 7)],
    );
    assert_eq!(split_picks(&engine, 1, &[(A, 3)]), vec![(0, MAN, 3)]);
    // MAN now has 6 free, PAR 7: PAR is the fullest.
    assert_eq!(split_picks(&engine, 2, &[(A, 1)]), vec![(0, PAR, 1)]);
}

#[test]
fn most_stock_breaks_ties_by_distance() {
    let engine = engine(
        StrategyKind::MostStock,
        &[(A, LON, 5), (A, MAN, 5), (A, PAR, 5)],
    );
    assert_eq!(split_picks(&engine, 1, &[(A, 1)]), vec![(0, MAN, 1)]);
}

#[test]
fn fewest_shipments_covers_lines_with_two_parcels_where_nearest_needs_three() {
    // MAN: A. LON: B. PAR: B and C. Nearest line by line: A←MAN, B←LON, C←PAR (3 parcels).
    // Fewest: PAR covers 2 lines (B, C), then A←MAN (2 parcels).
    let stock = [(A, MAN, 5), (B, LON, 5), (B, PAR, 5), (C, PAR, 5)];
    let lines = [(A, 1), (B, 1), (C, 1)];
    assert_eq!(
        split_picks(&engine(StrategyKind::Nearest, &stock), 1, &lines),
        vec![(0, MAN, 1), (1, LON, 1), (2, PAR, 1)]
    );
    let fewest = hold(
        &engine(StrategyKind::FewestShipments, &stock),
        &request(order(1, &lines), SplitPolicy::SplitAllowed),
        0,
    );
    assert_eq!(picks(&fewest), vec![(1, PAR, 1), (2, PAR, 1), (0, MAN, 1)]);
    assert_eq!(fewest.warehouse_count(), 2);
}

#[test]
fn fewest_shipments_breaks_ties_by_distance() {
    // LON covers B and C; PAR covers A and B: a tie at 2 lines, LON is closer. Then A←MAN (closer than PAR).
    let stock = [
        (A, MAN, 5),
        (B, LON, 5),
        (C, LON, 5),
        (A, PAR, 5),
        (B, PAR, 5),
    ];
    let hold = hold(
        &engine(StrategyKind::FewestShipments, &stock),
        &request(
            order(1, &[(A, 1), (B, 1), (C, 1)]),
            SplitPolicy::SplitAllowed,
        ),
        0,
    );
    assert_eq!(picks(&hold), vec![(1, LON, 1), (2, LON, 1), (0, MAN, 1)]);
}

#[test]
fn lowest_cost_picks_the_cheapest_warehouse_and_carrier() {
    // 2 × A = 2 kg. MAN (114 km): ROYAL 250 + 2×50 = 350¢. LON (163 km): ROYAL band 2 = 800 + 200 = 1000¢,
    // EXPRESS 900 + 40 = 940¢. PAR: ROYAL 1000¢, EXPRESS 1620¢. Cheapest: MAN by ROYAL at 350¢.
    let engine = engine(
        StrategyKind::LowestCost,
        &[(A, LON, 10), (A, MAN, 10), (A, PAR, 10)],
    );
    assert_eq!(split_picks(&engine, 1, &[(A, 2)]), vec![(0, MAN, 2)]);
    let confirmation = engine.confirm(OrderId(1), 1).unwrap();
    let quote = confirmation.shipments[0].quote.unwrap();
    assert_eq!(
        (quote.carrier, quote.cost_cents, quote.transit_days),
        (CarrierId(0), Cents::new(350), 2)
    );
}

#[test]
fn lowest_cost_keeps_the_express_promise() {
    // Express in 1 day: only EXPRESS qualifies. MAN and LON both cost 940¢ (tie, lower id: LON);
    // take MAN out of stock to make it unambiguous: LON 940¢ beats PAR 1620¢.
    let engine = engine(StrategyKind::LowestCost, &[(A, LON, 10), (A, PAR, 10)]);
    let mut express = order(1, &[(A, 2)]);
    express.service = ServiceLevel::Express {
        max_transit_days: 1,
    };
    let hold = hold(&engine, &request(express, SplitPolicy::SplitAllowed), 0);
    assert_eq!(picks(&hold), vec![(0, LON, 2)]);
    let quote = engine.confirm(OrderId(1), 1).unwrap().shipments[0]
        .quote
        .unwrap();
    assert_eq!(
        (
            quote.carrier,
            quote.cost_cents,
            quote.transit_days,
            quote.meets_promise
        ),
        (CarrierId(1), Cents::new(940), 1, true)
    );
}

#[test]
fn lowest_cost_prefers_a_kept_promise_over_a_cheaper_missed_one() {
    // Express in 1 day from PAR only costs 1620¢; ROYAL from MAN is 350¢ but takes 2 days.
    let network = network();
    let quote = network
        .cheapest_quote(
            114.0,
            2_000,
            ServiceLevel::Express {
                max_transit_days: 1,
            },
        )
        .unwrap();
    assert_eq!(
        (quote.carrier, quote.cost_cents),
        (CarrierId(1), Cents::new(940))
    );
    let none_meets = network
        .cheapest_quote(
            114.0,
            2_000,
            ServiceLevel::Express {
                max_transit_days: 0,
            },
        )
        .unwrap();
    assert!(!none_meets.meets_promise);
    assert_eq!(
        none_meets.transit_days, 1,
        "falls back to the fastest option"
    );
    assert_eq!(
        network.cheapest_quote(5_000.0, 2_000, ServiceLevel::Standard),
        None,
        "no band reaches 5000 km"
    );
}

#[test]
fn capacity_aware_skips_a_warehouse_whose_day_is_full() {
    // MAN picks 2 lines a day. Order 1 (2 lines) fills it; order 2 goes to LON; the next day MAN is back.
    let mut config = channel(StrategyKind::Nearest, vec![LON, MAN, PAR]);
    config.capacity_aware = true;
    let engine = engine_with(
        config,
        &[(A, LON, 10), (A, MAN, 10), (B, MAN, 10), (B, LON, 10)],
    );
    assert_eq!(
        engine.channel_strategy(WEB).unwrap(),
        "capacity_aware(nearest)"
    );
    assert_eq!(
        split_picks(&engine, 1, &[(A, 1), (B, 1)]),
        vec![(0, MAN, 1), (1, MAN, 1)]
    );
    assert_eq!(engine.capacity_used(MAN, 0), Some(2));
    let second = hold(
        &engine,
        &request(order(2, &[(A, 1)]), SplitPolicy::SplitAllowed),
        HOUR_MS,
    );
    assert_eq!(picks(&second), vec![(0, LON, 1)]);
    // Capacity counts on the day the order was placed.
    let next_day = Order {
        placed_at_ms: DAY_MS + 1,
        ..order(3, &[(A, 1)])
    };
    let next_day = hold(
        &engine,
        &request(next_day, SplitPolicy::SplitAllowed),
        DAY_MS + 1,
    );
    assert_eq!(picks(&next_day), vec![(0, MAN, 1)]);
}

#[test]
fn a_released_or_expired_hold_gives_its_lines_back_to_the_days_capacity() {
    let mut config = channel(StrategyKind::Nearest, vec![LON, MAN, PAR]);
    config.capacity_aware = true;
    let engine = engine_with(config, &[(A, LON, 10), (A, MAN, 10), (B, MAN, 10)]);
    let first = request(order(1, &[(A, 1), (B, 1)]), SplitPolicy::SplitAllowed);
    hold(&engine, &first, 0);
    assert_eq!(engine.capacity_used(MAN, 0), Some(2));
    engine
        .release(OrderId(1), ReleaseReason::PaymentFailed, 10)
        .unwrap();
    assert_eq!(engine.capacity_used(MAN, 0), Some(0));
    // MAN is nearest again; its hold expires and gives its line back too.
    let second = hold(
        &engine,
        &request(order(2, &[(A, 1)]), SplitPolicy::SplitAllowed),
        20,
    );
    assert_eq!(picks(&second), vec![(0, MAN, 1)]);
    assert_eq!(engine.capacity_used(MAN, 0), Some(1));
    engine.expire_holds(HOUR_MS * 48);
    assert_eq!(engine.capacity_used(MAN, 0), Some(0));
}

#[test]
fn capacity_aware_falls_back_to_a_full_warehouse_rather_than_refuse() {
    // MAN (2 lines a day) is full; the order waits in its backlog rather than being refused.
    let mut config = channel(StrategyKind::Priority, vec![MAN]);
    config.capacity_aware = true;
    let engine = engine_with(config, &[(A, MAN, 10)]);
    hold(
        &engine,
        &request(order(1, &[(A, 1), (A, 1)]), SplitPolicy::SplitAllowed),
        0,
    );
    assert_eq!(split_picks(&engine, 2, &[(A, 1)]), vec![(0, MAN, 1)]);
    // With capacity left elsewhere but no stock there, it still goes where the stock is.
    let mut config = channel(StrategyKind::Nearest, vec![LON, MAN, PAR]);
    config.capacity_aware = true;
    let engine = engine_with(config, &[(A, MAN, 10), (B, MAN, 10), (A, LON, 1)]);
    hold(
        &engine,
        &request(order(1, &[(A, 1), (B, 1)]), SplitPolicy::SplitAllowed),
        0,
    );
    assert_eq!(split_picks(&engine, 2, &[(B, 3)]), vec![(0, MAN, 3)]);
}

#[test]
fn channel_buffer_keeps_units_from_the_channel() {
    let mut config = channel(StrategyKind::Nearest, vec![MAN]);
    config.buffer = Buffer::Units(3);
    let engine = engine_with(config, &[(A, MAN, 5)]);
    assert_eq!(engine.available_to_promise(WEB, A, MAN), Some(2));
    let outcome = engine
        .reserve(&request(order(1, &[(A, 3)]), SplitPolicy::SplitAllowed), 0)
        .unwrap();
    assert_eq!(
        outcome,
        ReserveOutcome::Rejected(Rejection::InsufficientStock)
    );
    hold(
        &engine,
        &request(order(2, &[(A, 2)]), SplitPolicy::SplitAllowed),
        0,
    );
}

#[test]
fn percentage_buffer_and_per_cell_override() {
    let mut config = channel(StrategyKind::Nearest, vec![LON, MAN]);
    config.buffer = Buffer::BasisPointsOfOnHand(2_000); // 20 % of on hand
    config.buffer_overrides = vec![(A, LON, Buffer::None)];
    let engine = engine_with(config, &[(A, MAN, 10), (A, LON, 10)]);
    assert_eq!(engine.available_to_promise(WEB, A, MAN), Some(8));
    assert_eq!(engine.available_to_promise(WEB, A, LON), Some(10));
    // 9 A: MAN (closest) can only give 8, LON has all 9 (no buffer): one parcel from LON.
    let hold = hold(
        &engine,
        &request(order(1, &[(A, 9)]), SplitPolicy::SingleWarehouse),
        0,
    );
    assert_eq!(picks(&hold), vec![(0, LON, 9)]);
}

#[test]
fn explain_lists_candidates_scores_and_the_rule_without_taking_stock() {
    let engine = engine(
        StrategyKind::Nearest,
        &[(A, LON, 10), (A, MAN, 1), (A, PAR, 10)],
    );
    let before = cells(&engine);
    let explanation = engine
        .explain(&request(order(1, &[(A, 2)]), SplitPolicy::SplitAllowed), 0)
        .unwrap();
    assert_eq!(cells(&engine), before);
    assert_eq!(explanation.strategy, "nearest");
    let ranked: Vec<_> = explanation
        .candidates
        .iter()
        .map(|c| (c.warehouse, c.ships_whole_order))
        .collect();
    assert_eq!(ranked, vec![(MAN, false), (LON, true), (PAR, true)]);
    assert!((110.0..118.0).contains(&explanation.candidates[0].score));
    assert_eq!(explanation.candidates[0].score_name, "distance_km");
    assert!(
        explanation.rule.contains("every unit"),
        "{}",
        explanation.rule
    );
    assert_eq!(
        explanation.picks,
        vec![Pick {
            line: 0,
            warehouse: LON,
            units: 2
        }]
    );
    // The reserve call decides the same.
    assert_eq!(
        picks(&hold(
            &engine,
            &request(order(1, &[(A, 2)]), SplitPolicy::SplitAllowed),
            0
        )),
        vec![(0, LON, 2)]
    );
}

#[test]
fn explain_shows_lowest_cost_scores() {
    let engine = engine_with(
        channel(StrategyKind::LowestCost, vec![LON, MAN]),
        &[(A, LON, 10), (A, PAR, 10)],
    );
    let explanation = engine
        .explain(&request(order(1, &[(A, 2)]), SplitPolicy::SplitAllowed), 0)
        .unwrap();
    let eligible: Vec<_> = explanation
        .candidates
        .iter()
        .map(|c| (c.warehouse, c.eligible))
        .collect();
    // MAN ranks first on cost (350¢) though it has no stock; LON (940¢) ships.
    assert_eq!(eligible, vec![(MAN, true), (LON, true)]);
    assert_eq!(explanation.candidates[0].score, 350.0);
    assert_eq!(explanation.candidates[1].score, 940.0);
    assert_eq!(
        explanation.picks,
        vec![Pick {
            line: 0,
            warehouse: LON,
            units: 2
        }]
    );
}

proptest::proptest! {
    /// `nearest` and `priority` decide most orders on fast paths (a direct take at their first
    /// choice, then a plan that builds no ranking); `explain` always takes the full path. Over random stock (often short, so that both paths
    /// run), channel orders, ship-to points, repeated SKUs and split policies, the hold a reserve
    /// makes is exactly the plan `explain` shows, for every strategy.
    #[test]
    fn every_strategy_reserves_exactly_what_explain_shows(
        stock in proptest::collection::vec(0i64..4, 9),
        order_of_warehouses in proptest::sample::subsequence(vec![LON, MAN, PAR], 1..=3)
            .prop_shuffle(),
        lines in proptest::collection::vec((0u32..3, 1i64..4), 1..5),
        // Canterbury ranks LON, PAR, MAN: the second-closest has the higher id, so a plan that
        // broke distance ties or rankings by id would differ from `explain`.
        ship_to in proptest::sample::select(vec![(52.4862, -1.8904), (48.0, 2.0), (52.5, -1.2), (0.0, 0.0), (51.28, 1.08)]),
        split in proptest::sample::select(vec![
            SplitPolicy::SingleWarehouse,
            SplitPolicy::SplitAllowed,
            SplitPolicy::PartialWithBackorder,
        ]),
    ) {
        for strategy in StrategyKind::ALL {
            let cells: Vec<_> = (0..9)
                .filter(|&i| stock[i] > 0)
                .map(|i| (SkuId(i as u32 / 3), WarehouseId(i as u16 % 3), stock[i]))
                .collect();
            let engine = engine_with(channel(strategy, order_of_warehouses.clone()), &cells);
            let lines: Vec<_> = lines.iter().map(|&(sku, quantity)| (SkuId(sku), quantity)).collect();
            let mut order = order(1, &lines);
            order.ship_to = GeoPoint::new(ship_to.0, ship_to.1).unwrap();
            let request = request(order, split);
            let explanation = engine.explain(&request, 0).unwrap();
            let before = self::cells(&engine);
            match engine.reserve(&request, 0).unwrap() {
                ReserveOutcome::Held(hold) => {
                    proptest::prop_assert_eq!(hold.picks.to_vec(), explanation.picks, "{:?}", strategy);
                    proptest::prop_assert_eq!(hold.backorders.to_vec(), explanation.shortfalls, "{:?}", strategy);
                }
                ReserveOutcome::Rejected(Rejection::InsufficientStock) => {
                    proptest::prop_assert!(!explanation.shortfalls.is_empty(), "{:?}", strategy);
                    // A first choice taken directly and found short gave back every unit.
                    proptest::prop_assert_eq!(self::cells(&engine), before, "{:?}", strategy);
                }
                ReserveOutcome::Rejected(other) => {
                    proptest::prop_assert!(false, "{:?}: rejected for {:?}", strategy, other);
                }
            }
        }
    }
}

proptest::proptest! {
    /// `quote_bands` lists what `cheapest_quote` chooses among: for any weight, the quote costs
    /// the least of those bands' base plus rounded-up weight charge when one meets the
    /// promise, and the least of the fastest ones otherwise; no band exactly when no quote.
    #[test]
    fn quote_bands_are_what_the_quote_chooses_among(
        distance_km in proptest::sample::select(vec![0.0, 100.0, 150.0, 175.0, 200.0, 600.0, 1_000.0, 1_200.0]),
        weight_grams in 0u64..20_000,
        max_transit_days in proptest::option::of(0u8..4),
    ) {
        let network = network();
        let service = max_transit_days.map_or(ServiceLevel::Standard, |max_transit_days| {
            ServiceLevel::Express { max_transit_days }
        });
        let bands = network.quote_bands(distance_km, service);
        let cost = |b: &RateBand| b.base_cents + b.per_kg_cents.part_rounded_up(weight_grams, 1000);
        match network.cheapest_quote(distance_km, weight_grams, service) {
            None => proptest::prop_assert!(bands.is_empty()),
            Some(quote) if quote.meets_promise => {
                proptest::prop_assert_eq!(Some(quote.cost_cents), bands.iter().map(cost).min());
                proptest::prop_assert!(bands.iter().all(|b| service.accepts_transit_days(b.transit_days)));
            }
            Some(quote) => {
                proptest::prop_assert_eq!(Some(quote.cost_cents), bands.iter().map(cost).min());
                proptest::prop_assert!(bands.iter().all(|b| b.transit_days == quote.transit_days));
            }
        }
    }
}
