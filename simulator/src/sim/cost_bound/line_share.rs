//! The bound under [`super::Relaxation::LineShare`]: one programme over every order group. For an
//! order of up to [`BoundInput::linked_lines_max`] SKUs, a shipment's base price is charged in
//! proportion to the largest share of any of the order's lines it carries (a shipment variable
//! per group, warehouse and band, linked to its lines); a larger order's base price is spread
//! over its units. The linking rows tie an order's SKUs together, so the programme is one:
//! [`BoundInput::max_variables`] bounds its size.

use highs::{ColProblem, Row};
use qm_engine::RateBand;

use super::input::{
    cell_index, options, round_up, solve, BoundError, BoundInput, CostBound, OrderGroup,
};

/// The least carrier cost of shipping every group's units in one programme (see the module's
/// documentation).
pub(super) fn bound(input: &BoundInput<'_>) -> Result<CostBound, BoundError> {
    let warehouses = input.network.warehouses().len();
    let options: Vec<_> = input.groups.iter().map(|g| options(input, g.to)).collect();
    let mut pb = ColProblem::default();
    let demand: Vec<Vec<Row>> = input
        .groups
        .iter()
        .map(|g| {
            g.units
                .iter()
                .map(|&(_, q)| {
                    let units = (g.orders * q as u64) as f64;
                    pb.add_row(units..=units)
                })
                .collect()
        })
        .collect();
    let stock = stock_rows(input, &mut pb, warehouses);
    let mut columns = 0;
    for ((g, opts), demand) in input.groups.iter().zip(&options).zip(&demand) {
        for &(w, ref bands) in opts {
            let cell = |sku: u32| cell_index(sku, w, warehouses);
            // Lines of SKUs that never entered the warehouse cannot ship from it.
            let lines: Vec<usize> = (0..g.units.len())
                .filter(|&i| input.entered_units[cell(g.units[i].0)] > 0)
                .collect();
            for band in bands {
                let option = Option_ {
                    band,
                    lines: &lines,
                    stock: |sku: u32| stock[cell(sku)],
                };
                columns += add_option(input, &mut pb, g, option, demand);
            }
        }
    }
    if columns > input.max_variables {
        return Err(BoundError::TooLarge {
            variables: columns,
            limit: input.max_variables,
        });
    }
    Ok(CostBound {
        lower_bound_cents: round_up(solve(pb, input.max_simplex_iterations, "")?),
        columns,
    })
}

/// A stock row for each cell whose units the groups that may draw on it could exceed; `None`
/// where they cannot (the row would never bind).
fn stock_rows(input: &BoundInput<'_>, pb: &mut ColProblem, warehouses: usize) -> Vec<Option<Row>> {
    let mut wanted = vec![0u64; input.entered_units.len()];
    for g in input.groups {
        for &w in &input.channel_warehouses[g.to.channel as usize] {
            for &(sku, q) in &g.units {
                wanted[cell_index(sku, w, warehouses)] += g.orders * q as u64;
            }
        }
    }
    wanted
        .iter()
        .zip(input.entered_units)
        .map(|(&wanted, &entered)| (wanted > entered).then(|| pb.add_row(..=entered as f64)))
        .collect()
}

/// One way to ship part of a group: from one warehouse, by one band, the lines it has.
struct Option_<'a, F> {
    band: &'a RateBand,
    /// The group's lines (indices) the warehouse ever had units of.
    lines: &'a [usize],
    /// The stock row of a SKU at the warehouse, where it may bind.
    stock: F,
}

/// The columns (and linking rows) of shipping group `g` by `option`: returns the columns
/// added. A group of one SKU, or of more than [`BoundInput::linked_lines_max`], needs no
/// shipment variable: its base price is spread over its units.
fn add_option<F: Fn(u32) -> Option<Row>>(
    input: &BoundInput<'_>,
    pb: &mut ColProblem,
    g: &OrderGroup,
    option: Option_<'_, F>,
    demand: &[Row],
) -> usize {
    let skus = input.network.skus();
    let band = option.band;
    let weight_cents = |sku: u32| {
        band.per_kg_cents.as_f64() * skus[sku as usize].unit_weight_grams as f64 / 1000.0
    };
    let column = |i: usize, link: Option<Row>| -> Vec<(Row, f64)> {
        let sku = g.units[i].0;
        [Some(demand[i]), link, (option.stock)(sku)]
            .into_iter()
            .flatten()
            .map(|row| (row, 1.0))
            .collect()
    };
    if option.lines.is_empty() {
        return 0;
    }
    if g.units.len() == 1 || g.units.len() > input.linked_lines_max {
        // The base price spread over the order's units: exact for one SKU (its shipments carry
        // x / q orders' worth), a relaxation of the largest line share otherwise.
        let order_units: u64 = g.units.iter().map(|&(_, q)| q as u64).sum();
        let base_per_unit = band.base_cents.as_f64() / order_units as f64;
        for &i in option.lines {
            let cost = base_per_unit + weight_cents(g.units[i].0);
            pb.add_column(cost, 0.0.., column(i, None));
        }
        return option.lines.len();
    }
    let links: Vec<Row> = option.lines.iter().map(|_| pb.add_row(..=0.0)).collect();
    let shipment: Vec<(Row, f64)> = links
        .iter()
        .zip(option.lines)
        .map(|(&link, &i)| (link, -(g.units[i].1 as f64)))
        .collect();
    pb.add_column(band.base_cents.as_f64(), 0.0..=g.orders as f64, shipment);
    for (&i, &link) in option.lines.iter().zip(&links) {
        pb.add_column(weight_cents(g.units[i].0), 0.0.., column(i, Some(link)));
    }
    1 + links.len()
}
