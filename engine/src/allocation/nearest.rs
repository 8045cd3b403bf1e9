//! `nearest`: the closest warehouse that can ship the whole order (great-circle
//! distance), else each line from the closest warehouses with stock.

use crate::ids::WarehouseId;

use super::{
    closest, rank_by_distance, record_candidates, ship_whole_from_best, whole_order_mask,
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
        // Only the closest: past it, `plan` finds the closest warehouse with every unit in one
        // pass over the order's stock rows. Direct tries further down (a closest-warehouse
        // search each) measured no better.
        if ctx.known_short != 0 {
            return None;
        }
        closest(ctx)
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        if explain.is_none() {
            // The decision of the ranked path below without sorting first: the closest of the
            // warehouses that have every unit (the one the engine's direct take found short,
            // `known_short`, left out). The engine's tests check that both paths agree.
            let whole = whole_order_mask(ctx, ctx.eligible & !ctx.known_short);
            if let Some(w) = ctx.network.locations().closest(&ctx.order.ship_to, whole) {
                ship_whole_from_best(ctx, plan, WarehouseId(w as u16));
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
            let warehouses = ctx.network.warehouses();
            for (w, score) in ranking.iter_mut() {
                *score = ctx
                    .order
                    .ship_to
                    .distance_km(&warehouses[w.index()].location);
            }
            record_candidates(ctx, &ranking, "distance_km", explain);
        }
    }
}
