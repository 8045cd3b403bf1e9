//! `nearest`: the closest warehouse that can ship the whole order (great-circle
//! distance), else each line from the closest warehouses with stock.

use crate::ids::WarehouseId;

use super::{
    closest, rank_by_distance, record_distance_candidates, ship_whole_from_best, whole_order_mask,
    whole_then_split_same_ranking, AllocationStrategy, Explanation, Plan, PlanContext, Ranking,
};

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Nearest;

impl AllocationStrategy for Nearest {
    fn name(&self) -> String {
        "nearest".into()
    }

    fn first_choice(&self, ctx: &PlanContext<'_>) -> Option<WarehouseId> {
        if ctx.known_short == 0 {
            return closest(ctx, ctx.eligible);
        }
        // The closest was short: the closest of the warehouses whose stock rows show every
        // line's units, found in one pass over the rows, so the engine takes there directly
        // instead of planning. The direct path does not scan for repeated SKUs, so the rows are checked
        // line by line: a warehouse short only of a repeated SKU's total fails its take, joins
        // `known_short`, and the next call passes over it, which ends at the closest warehouse
        // that has every unit, as `plan` decides.
        closest_with_every_unit(ctx)
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        if explain.is_none() {
            // The decision of the ranked path below without sorting first: the closest of the
            // warehouses that have every unit (the one the engine's direct take found short,
            // `known_short`, left out). The engine's tests check that both paths agree.
            //
            // When `first_choice` has just named none, every warehouse whose rows show each
            // line's units failed its take (`known_short`), and counting a repeated SKU's lines
            // together only shrinks that set: no warehouse has every unit, and the rows need not
            // be read again.
            let whole = if ctx.first_choice_declined {
                None
            } else {
                closest_with_every_unit(ctx)
            };
            if let Some(w) = whole {
                ship_whole_from_best(ctx, plan, w);
                return;
            }
            // None has every unit: split along the ranking, with no whole-order check again.
            let mut ranking = Ranking::new();
            rank_by_distance(ctx, &mut ranking);
            whole_then_split_same_ranking(ctx, plan, &ranking, ctx.eligible);
            return;
        }
        let mut ranking = Ranking::new();
        rank_by_distance(ctx, &mut ranking);
        // One ranking serves every line: distance does not depend on the SKU.
        whole_then_split_same_ranking(ctx, plan, &ranking, ctx.known_short);
        if let Some(explain) = explain {
            record_distance_candidates(ctx, &mut ranking, "distance_km", explain);
        }
    }
}

/// The closest warehouse, `known_short` left out, whose stock rows show every unit of the
/// order (repeated SKUs counted together only when `ctx.repeats_sku` says there are some).
#[inline]
fn closest_with_every_unit(ctx: &PlanContext<'_>) -> Option<WarehouseId> {
    closest(ctx, whole_order_mask(ctx, ctx.eligible & !ctx.known_short))
}
