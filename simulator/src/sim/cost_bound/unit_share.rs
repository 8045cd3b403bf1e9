//! The bound under [`super::Relaxation::UnitShare`]: every order's base price spread over its units.
//! A unit's price then depends only on its SKU, its order's size and its destination, never on
//! the other lines of its order, so the programme falls apart into one transportation problem
//! per SKU: the SKU's demand by (destination, order size) against the units that entered each
//! warehouse. A SKU whose demand no warehouse's units can fall short of needs no programme: each
//! demand ships from its cheapest warehouse.

use std::collections::BTreeMap;

use highs::ColProblem;
use qm_engine::WarehouseId;

use super::input::{
    cell_index, options, round_up, solve, BoundError, BoundInput, CostBound, Destination,
};

/// Units of one SKU wanted by orders of one destination and size.
struct Demand {
    /// The warehouses that may ship it, each with its least price a unit, cents.
    prices: Vec<(WarehouseId, f64)>,
    /// Units.
    units: f64,
}

/// The least carrier cost of every group's units, SKU by SKU (see the module's documentation).
pub(super) fn bound(input: &BoundInput<'_>) -> Result<CostBound, BoundError> {
    let mut demand: BTreeMap<u32, BTreeMap<(Destination, u64), f64>> = BTreeMap::new();
    for g in input.groups {
        let order_units: u64 = g.units.iter().map(|&(_, q)| u64::from(q)).sum();
        for &(sku, q) in &g.units {
            *demand
                .entry(sku)
                .or_default()
                .entry((g.to, order_units))
                .or_insert(0.0) += (g.orders * u64::from(q)) as f64;
        }
    }
    let mut bands = BTreeMap::new();
    let (mut cost_cents, mut columns) = (0.0, 0);
    for (&sku, wanted) in &demand {
        let demands: Vec<Demand> = wanted
            .iter()
            .map(|(&(to, order_units), &units)| {
                let opts = bands.entry(to).or_insert_with(|| options(input, to));
                Demand {
                    prices: unit_prices(input, sku, order_units, opts),
                    units,
                }
            })
            .collect();
        columns += demands.iter().map(|d| d.prices.len()).sum::<usize>();
        cost_cents += sku_cost(input, sku, &demands)?;
    }
    Ok(CostBound {
        lower_bound_cents: round_up(cost_cents),
        columns,
    })
}

/// For each warehouse that ever had `sku`, the least price of a unit of it in an order of
/// `order_units` units: its share of a band's base price plus the band's weight charge.
fn unit_prices(
    input: &BoundInput<'_>,
    sku: u32,
    order_units: u64,
    opts: &[(WarehouseId, Vec<qm_engine::RateBand>)],
) -> Vec<(WarehouseId, f64)> {
    let warehouses = input.network.warehouses().len();
    let grams = f64::from(input.network.skus()[sku as usize].unit_weight_grams);
    opts.iter()
        .filter(|(w, _)| input.entered_units[cell_index(sku, *w, warehouses)] > 0)
        .map(|(w, bands)| {
            let price = bands
                .iter()
                .map(|b| {
                    b.base_cents.as_f64() / order_units as f64
                        + b.per_kg_cents.as_f64() * grams / 1000.0
                })
                .fold(f64::INFINITY, f64::min);
            (*w, price)
        })
        .collect()
}

/// The least cost of shipping one SKU's demands from the units that entered its warehouses.
fn sku_cost(input: &BoundInput<'_>, sku: u32, demands: &[Demand]) -> Result<f64, BoundError> {
    let warehouses = input.network.warehouses().len();
    let entered = |w: WarehouseId| input.entered_units[cell_index(sku, w, warehouses)] as f64;
    let mut could_draw: BTreeMap<WarehouseId, f64> = BTreeMap::new();
    for d in demands {
        for &(w, _) in &d.prices {
            *could_draw.entry(w).or_insert(0.0) += d.units;
        }
    }
    let short: Vec<WarehouseId> = (could_draw.iter())
        .filter(|&(&w, &units)| units > entered(w))
        .map(|(&w, _)| w)
        .collect();
    if short.is_empty() {
        let cheapest = |d: &Demand| d.prices.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        return Ok(demands.iter().map(|d| d.units * cheapest(d)).sum());
    }
    let mut pb = ColProblem::default();
    let stock: BTreeMap<WarehouseId, _> = (short.iter())
        .map(|&w| (w, pb.add_row(..=entered(w))))
        .collect();
    for d in demands {
        let row = pb.add_row(d.units..=d.units);
        for &(w, price) in &d.prices {
            let rows = [Some(row), stock.get(&w).copied()];
            pb.add_column(price, 0.0.., rows.into_iter().flatten().map(|r| (r, 1.0)));
        }
    }
    solve(pb, input.max_simplex_iterations, &format!(" (SKU {sku})"))
}
