//! The least carrier cost at which a run's shipped units could have gone out: a lower bound that
//! tells how far an allocation strategy's shipping cost is from the best any allocation could do.
//! A linear programme, solved by HiGHS.
//!
//! Fixed, as the run had them: every order's shipped units (SKU by SKU), its customer region, its
//! service level and its channel (only the channel's warehouses may ship it); for every
//! warehouse and SKU, the units that entered the warehouse over the run (opening stock,
//! receipts, restocked returns, units found by counts). Free: which warehouse ships which unit,
//! and with which of the carriers a quote chooses among ([`qm_engine::Network::quote_bands`]).
//! Relaxed:
//! - time: a unit received on the last day may ship an order of the first;
//! - pick/pack capacity;
//! - whole shipments, in one of two ways ([`Relaxation`]): a shipment's base price charged in
//!   proportion to its share of the order's units (`unit_share.rs`: one small programme per
//!   SKU), or to the largest share of any of the order's lines it carries (`line_share.rs`:
//!   tighter, one programme over the run; for an order of more than [`LINKED_LINES_MAX`] SKUs,
//!   its share of the order's units); the weight charge is not rounded up to the cent.
//!
//! Each relaxation can only lower the least cost, and every price is a whole number of cents, so
//! no allocation of the same units pays the carriers less than the bound rounded up to the cent.
//! Orders alike in everything the programme sees form one group: by symmetry the group's
//! programme has the same least cost as its orders' one by one.

mod input;
mod line_share;
mod unit_share;

use rustc_hash::FxHashMap;

use input::cell_index;
pub use input::{BoundError, BoundInput, CostBound, Destination, OrderGroup, Relaxation};

/// The units each order shipped, as the run recorded them.
#[derive(Debug, Default)]
pub struct ShippedLog {
    orders: FxHashMap<u64, (Destination, Vec<(u32, u32)>)>,
}

impl ShippedLog {
    /// A shipment of `order` carried `units` (SKU, units).
    pub fn record(&mut self, order: u64, to: Destination, units: impl Iterator<Item = (u32, u32)>) {
        let entry = self.orders.entry(order).or_insert_with(|| (to, Vec::new()));
        entry.1.extend(units.filter(|&(_, u)| u > 0));
    }

    /// The orders that shipped anything, grouped, in a fixed order.
    pub fn groups(&self) -> Vec<OrderGroup> {
        let mut counts: FxHashMap<(Destination, Vec<(u32, u32)>), u64> = FxHashMap::default();
        for (to, lines) in self.orders.values() {
            let units = merged(lines);
            if !units.is_empty() {
                *counts.entry((*to, units)).or_insert(0) += 1;
            }
        }
        let mut groups: Vec<OrderGroup> = counts
            .into_iter()
            .map(|((to, units), orders)| OrderGroup { to, units, orders })
            .collect();
        groups.sort_unstable();
        groups
    }
}

/// `lines` summed by SKU, ascending.
fn merged(lines: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut units = lines.to_vec();
    units.sort_unstable();
    units.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        if same {
            kept.1 += next.1;
        }
        same
    });
    units
}

/// The [`BoundInput::linked_lines_max`] runs use.
pub const LINKED_LINES_MAX: usize = 8;

/// Simplex iterations a run's programme may take. The limit counts work, not seconds, so that a
/// run's outputs do not depend on the machine's speed; the largest shipped scenario needs a tenth
/// of it.
pub const MAX_SIMPLEX_ITERATIONS: i32 = 3_000_000;

/// Variables a run's programme may have: beyond about a million the simplex takes many minutes
/// on one core, so a larger programme is not solved.
pub const MAX_VARIABLES: usize = 1_000_000;

/// The limits a programme under `relaxation` has, in words: "more than 1,000,000 variables or
/// 3,000,000 simplex iterations".
pub fn limits_text(relaxation: Relaxation) -> String {
    let grouped = |n: f64| qm_reports::format::group_thousands(n, 0);
    let iterations = grouped(MAX_SIMPLEX_ITERATIONS as f64);
    match relaxation {
        Relaxation::LineShare => format!(
            "more than {} variables or {iterations} simplex iterations",
            grouped(MAX_VARIABLES as f64)
        ),
        Relaxation::UnitShare => format!("more than {iterations} simplex iterations for a SKU"),
    }
}

/// The least carrier cost of shipping every group's units under `relaxation` (see the
/// module's documentation).
pub fn shipping_cost_bound(
    input: &BoundInput<'_>,
    relaxation: Relaxation,
) -> Result<CostBound, BoundError> {
    if input.groups.is_empty() {
        return Ok(CostBound {
            lower_bound_cents: qm_money::Cents::ZERO,
            columns: 0,
        });
    }
    let warehouses = input.network.warehouses().len();
    if let Some(g) = input
        .groups
        .iter()
        .find(|g| !shippable(input, g, warehouses))
    {
        return Err(BoundError::NotOptimal(format!(
            "infeasible (no warehouse of channel {} ever had every SKU of {:?})",
            g.to.channel, g.units
        )));
    }
    match relaxation {
        Relaxation::UnitShare => unit_share::bound(input),
        Relaxation::LineShare => line_share::bound(input),
    }
}

/// Whether every SKU of `g` entered some warehouse of its channel.
fn shippable(input: &BoundInput<'_>, g: &OrderGroup, warehouses: usize) -> bool {
    let from = &input.channel_warehouses[g.to.channel as usize];
    g.units.iter().all(|&(sku, _)| {
        from.iter()
            .any(|&w| input.entered_units[cell_index(sku, w, warehouses)] > 0)
    })
}
