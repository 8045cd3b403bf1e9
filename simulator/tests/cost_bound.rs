//! The shipping-cost bound against a brute force: on small networks every integer allocation of
//! the orders' units is tried, each shipment priced by the engine's own `cheapest_quote`. The bound
//! must never exceed the least of them, and must equal it where the programme has integral optima
//! (orders of one unit). The per-SKU programmes of the units'-share relaxation must sum to what one
//! programme over every order gives under the same relaxation.

use proptest::prelude::*;
use qm_engine::{Carrier, GeoPoint, Network, RateBand, ServiceLevel, Sku, Warehouse, WarehouseId};
use qm_money::Cents;
use qm_simulator::sim::cost_bound::{
    shipping_cost_bound, BoundError, BoundInput, Destination, OrderGroup, Relaxation, ShippedLog,
    LINKED_LINES_MAX, MAX_SIMPLEX_ITERATIONS, MAX_VARIABLES,
};

const EXPRESS_DAYS: u8 = 1;

fn network(grams: [u32; 3]) -> Network {
    let sku = |code: &str, unit_weight_grams: u32| Sku {
        code: code.into(),
        unit_weight_grams,
        unit_price_cents: Cents::new(1_000),
    };
    let warehouse = |code: &str, lat: f64, lon: f64| Warehouse {
        code: code.into(),
        location: GeoPoint::new(lat, lon).unwrap(),
        capacity_lines_per_day: 1_000,
        storage_capacity_units: 1_000_000,
        cutoff_hour: 16,
    };
    let band = |max_distance_km: f64, base: u64, per_kg: u64, transit_days: u8| RateBand {
        max_distance_km,
        base_cents: Cents::new(base),
        per_kg_cents: Cents::new(per_kg),
        transit_days,
    };
    Network::new(
        vec![sku("A", grams[0]), sku("B", grams[1]), sku("C", grams[2])],
        vec![
            warehouse("LON", 51.5074, -0.1278),
            warehouse("MAN", 53.4808, -2.2426),
            warehouse("PAR", 48.8566, 2.3522),
        ],
        vec![
            Carrier {
                code: "ROYAL".into(),
                bands: vec![band(150.0, 250, 50, 2), band(1_000.0, 800, 100, 3)],
            },
            Carrier {
                code: "EXPRESS".into(),
                bands: vec![band(200.0, 900, 20, 1), band(1_000.0, 1_500, 60, 1)],
            },
            Carrier {
                code: "FREIGHT".into(),
                bands: vec![band(400.0, 1_200, 5, 4)],
            },
        ],
    )
    .unwrap()
}

/// London, Birmingham, Paris, and New York (no carrier reaches it: shipments there are free).
fn regions() -> Vec<GeoPoint> {
    [
        (51.5, -0.1),
        (52.4862, -1.8904),
        (48.9, 2.3),
        (40.7128, -74.006),
    ]
    .iter()
    .map(|&(lat, lon)| GeoPoint::new(lat, lon).unwrap())
    .collect()
}

fn channel_warehouses() -> Vec<Vec<WarehouseId>> {
    vec![
        vec![WarehouseId(0), WarehouseId(1), WarehouseId(2)],
        vec![WarehouseId(2), WarehouseId(1)],
    ]
}

type Order = (Destination, Vec<(u32, u32)>);

fn service(to: Destination) -> ServiceLevel {
    if to.express {
        ServiceLevel::Express {
            max_transit_days: EXPRESS_DAYS,
        }
    } else {
        ServiceLevel::Standard
    }
}

/// What the run pays for one order shipped as `from[w]` = units of each line from warehouse w.
fn order_cost(net: &Network, to: Destination, lines: &[(u32, u32)], from: &[Vec<u32>]) -> u64 {
    let ship_to = regions()[to.region as usize];
    (0..net.warehouses().len())
        .map(|w| {
            let grams: u64 = lines
                .iter()
                .zip(from)
                .map(|(&(sku, _), split)| {
                    split[w] as u64 * net.skus()[sku as usize].unit_weight_grams as u64
                })
                .sum();
            let shipped = from.iter().any(|split| split[w] > 0);
            let distance = ship_to.distance_km(&net.warehouses()[w].location);
            match net.cheapest_quote(distance, grams, service(to)) {
                Some(quote) if shipped => quote.cost_cents.get(),
                _ => 0,
            }
        })
        .sum()
}

/// Every way to put `units` in the `allowed` warehouses, as units per warehouse.
fn splits(units: u32, allowed: &[WarehouseId], warehouses: usize) -> Vec<Vec<u32>> {
    let Some((&first, rest)) = allowed.split_first() else {
        return if units == 0 {
            vec![vec![0; warehouses]]
        } else {
            vec![]
        };
    };
    (0..=units)
        .flat_map(|here| {
            splits(units - here, rest, warehouses)
                .into_iter()
                .map(move |mut split| {
                    split[first.index()] = here;
                    split
                })
        })
        .collect()
}

/// The least cost of any integer allocation of every order's units, within the stock; `None`
/// when the stock cannot cover them.
fn brute_force(net: &Network, orders: &[Order], stock: &mut [u64]) -> Option<u64> {
    let Some(((to, lines), rest)) = orders.split_first() else {
        return Some(0);
    };
    let warehouses = net.warehouses().len();
    let allowed = &channel_warehouses()[to.channel as usize];
    let mut ways: Vec<Vec<Vec<u32>>> = vec![vec![]];
    for &(_, units) in lines {
        let options = splits(units, allowed, warehouses);
        ways = ways
            .into_iter()
            .flat_map(|way| {
                options.iter().map(move |split| {
                    let mut way = way.clone();
                    way.push(split.clone());
                    way
                })
            })
            .collect();
    }
    let mut best: Option<u64> = None;
    for way in ways {
        let mut cells = vec![0u64; stock.len()];
        for (&(sku, _), split) in lines.iter().zip(&way) {
            for (w, &units) in split.iter().enumerate() {
                cells[sku as usize * warehouses + w] += units as u64;
            }
        }
        let cells: Vec<(usize, u64)> = cells.into_iter().enumerate().collect();
        if cells.iter().any(|&(c, u)| stock[c] < u) {
            continue;
        }
        cells.iter().for_each(|&(c, u)| stock[c] -= u);
        if let Some(rest_cost) = brute_force(net, rest, stock) {
            let cost = order_cost(net, *to, lines, &way) + rest_cost;
            best = Some(best.map_or(cost, |b| b.min(cost)));
        }
        cells.iter().for_each(|&(c, u)| stock[c] += u);
    }
    best
}

/// The line-share bound (orders of up to 8 SKUs charged by their largest line share).
fn bound(net: &Network, groups: &[OrderGroup], stock: &[u64]) -> Option<u64> {
    bound_by(net, groups, stock, LINKED_LINES_MAX, Relaxation::LineShare)
}

/// The units'-share bound, one programme per SKU.
fn bound_by_sku(net: &Network, groups: &[OrderGroup], stock: &[u64]) -> Option<u64> {
    bound_by(net, groups, stock, LINKED_LINES_MAX, Relaxation::UnitShare)
}

/// The bound under `relaxation`, with orders of more than `linked_lines_max` SKUs charged by
/// their units' share under `line_share`.
fn bound_by(
    net: &Network,
    groups: &[OrderGroup],
    stock: &[u64],
    linked_lines_max: usize,
    relaxation: Relaxation,
) -> Option<u64> {
    let (regions, channels) = (regions(), channel_warehouses());
    let input = BoundInput {
        network: net,
        regions: &regions,
        channel_warehouses: &channels,
        express_days: EXPRESS_DAYS,
        groups,
        entered_units: stock,
        linked_lines_max,
        max_simplex_iterations: MAX_SIMPLEX_ITERATIONS,
        max_variables: MAX_VARIABLES,
    };
    shipping_cost_bound(&input, relaxation)
        .ok()
        .map(|b| b.lower_bound_cents.get())
}

fn grouped(orders: &[Order]) -> Vec<OrderGroup> {
    let mut log = ShippedLog::default();
    for (i, (to, lines)) in orders.iter().enumerate() {
        log.record(i as u64, *to, lines.iter().copied());
    }
    log.groups()
}

fn one_by_one(orders: &[Order]) -> Vec<OrderGroup> {
    orders
        .iter()
        .flat_map(|(to, lines)| grouped(&[(*to, lines.clone())]))
        .collect()
}

fn destination() -> impl Strategy<Value = Destination> {
    (0u16..4, 0u16..2, any::<bool>()).prop_map(|(region, channel, express)| Destination {
        region,
        channel,
        express,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No allocation costs less than the bound; the bound exists exactly when the stock covers
    /// the orders; grouping alike orders does not move it.
    #[test]
    fn the_bound_never_exceeds_the_least_cost_of_any_allocation(
        orders in proptest::collection::vec(
            (destination(), proptest::collection::vec((0u32..3, 1u32..=2), 1..=2)), 1..=3),
        stock in proptest::collection::vec(0u64..4, 9),
        grams in proptest::sample::select(vec![[1_000, 500, 2_000], [300, 4_100, 12_345]]),
    ) {
        let net = network(grams);
        let least = brute_force(&net, &orders, &mut stock.clone());
        let lower = bound(&net, &grouped(&orders), &stock);
        prop_assert_eq!(least.is_some(), lower.is_some(), "{:?} vs {:?}", least, lower);
        prop_assert_eq!(least.is_some(), bound_by_sku(&net, &grouped(&orders), &stock).is_some());
        if let (Some(least), Some(lower)) = (least, lower) {
            prop_assert!(lower <= least, "bound {} above the least cost {}", lower, least);
            prop_assert_eq!(Some(lower), bound(&net, &one_by_one(&orders), &stock));
            // Charging every order by its units' share is weaker, and still a bound; one
            // programme per SKU gives what one programme over every order does.
            let groups = grouped(&orders);
            let by_units = bound_by(&net, &groups, &stock, 1, Relaxation::LineShare).unwrap();
            prop_assert!(by_units <= lower, "{} above {}", by_units, lower);
            prop_assert_eq!(bound_by_sku(&net, &groups, &stock), Some(by_units));
        }
    }

    /// With orders of one unit the programme is a transportation problem: its optimum is an
    /// allocation, so the bound is the least cost itself (weights in whole kilograms, so that no
    /// weight charge is rounded).
    #[test]
    fn orders_of_one_unit_meet_the_bound_exactly(
        orders in proptest::collection::vec((destination(), (0u32..3, 1u32..=1)), 1..=5),
        stock in proptest::collection::vec(0u64..3, 9),
    ) {
        let net = network([1_000, 2_000, 3_000]);
        let orders: Vec<Order> = orders.into_iter().map(|(to, line)| (to, vec![line])).collect();
        let least = brute_force(&net, &orders, &mut stock.clone());
        prop_assert_eq!(bound(&net, &grouped(&orders), &stock), least);
        prop_assert_eq!(bound_by_sku(&net, &grouped(&orders), &stock), least);
    }
}

#[test]
fn a_hand_checked_bound() {
    // Two standard orders of 2 × A (1 kg each) to Birmingham; one unit of A at LON, three at MAN.
    // Birmingham–MAN is 114 km (ROYAL 250 + 50/kg), Birmingham–LON 163 km (ROYAL 800 + 100/kg,
    // EXPRESS 900 + 20/kg). The best allocation ships one order whole from MAN (350) and splits
    // the other: LON's unit by ROYAL (900) and MAN's by ROYAL (300).
    let net = network([1_000, 500, 2_000]);
    let to = Destination {
        region: 1,
        channel: 0,
        express: false,
    };
    let orders: Vec<Order> = vec![(to, vec![(0, 2)]), (to, vec![(0, 2)])];
    let stock = [1, 3, 0, 0, 0, 0, 0, 0, 0];
    let least = brute_force(&net, &orders, &mut stock.to_vec()).unwrap();
    assert_eq!(least, 350 + 900 + 300);
    // The relaxation charges half a base price a unit (each order is 2 units): MAN's 3 units by
    // ROYAL at 125 + 50 each, LON's unit by EXPRESS at 450 + 20.
    assert_eq!(bound(&net, &grouped(&orders), &stock), Some(3 * 175 + 470));
    assert_eq!(
        bound_by_sku(&net, &grouped(&orders), &stock),
        Some(3 * 175 + 470)
    );
    let plenty = [0, 4, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(bound(&net, &grouped(&orders), &plenty), Some(4 * 175));
    assert_eq!(
        bound_by_sku(&net, &grouped(&orders), &plenty),
        Some(4 * 175)
    );
    assert_eq!(
        brute_force(&net, &orders, &mut plenty.to_vec()),
        Some(2 * 350)
    );
}

#[test]
fn a_programme_past_its_limits_gives_no_bound() {
    // Forty orders of two SKUs to every region, through both channels, on stock that binds.
    let net = network([1_000, 500, 2_000]);
    let orders: Vec<Order> = (0..40u16)
        .map(|i| {
            let to = Destination {
                region: i % 4,
                channel: i % 2,
                express: i % 3 == 0,
            };
            (
                to,
                vec![
                    (u32::from(i % 3), 1 + u32::from(i % 2)),
                    (u32::from(i % 3 + 1) % 3, 1),
                ],
            )
        })
        .collect();
    let (regions, channels) = (regions(), channel_warehouses());
    let stock = [15, 12, 14, 13, 15, 12, 14, 15, 13];
    let groups = grouped(&orders);
    let input = |max_simplex_iterations, max_variables| BoundInput {
        network: &net,
        regions: &regions,
        channel_warehouses: &channels,
        express_days: EXPRESS_DAYS,
        groups: &groups,
        entered_units: &stock,
        linked_lines_max: LINKED_LINES_MAX,
        max_simplex_iterations,
        max_variables,
    };
    let line_share = |iterations, variables| {
        shipping_cost_bound(&input(iterations, variables), Relaxation::LineShare)
    };
    let solved = line_share(MAX_SIMPLEX_ITERATIONS, MAX_VARIABLES).unwrap();
    assert!(solved.lower_bound_cents.get() > 0);
    assert!(matches!(
        line_share(1, MAX_VARIABLES),
        Err(BoundError::IterationLimit(1))
    ));
    let fewer = solved.columns - 1;
    assert!(matches!(
        line_share(MAX_SIMPLEX_ITERATIONS, fewer),
        Err(BoundError::TooLarge { variables, limit }) if variables == solved.columns && limit == fewer
    ));
    assert_eq!(
        line_share(MAX_SIMPLEX_ITERATIONS, solved.columns).unwrap(),
        solved
    );
    // One programme per SKU: no limit on the variables, the same on the iterations of each.
    let unit_share = |iterations, variables| {
        shipping_cost_bound(&input(iterations, variables), Relaxation::UnitShare)
    };
    let by_sku = unit_share(MAX_SIMPLEX_ITERATIONS, 1).unwrap();
    assert!(by_sku.lower_bound_cents <= solved.lower_bound_cents);
    assert!(matches!(
        unit_share(1, MAX_VARIABLES),
        Err(BoundError::IterationLimit(1))
    ));
}
