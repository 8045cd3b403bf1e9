//! `nearest`: the closest warehouse that can ship the whole order (great-circle
//! distance), else each line from the closest warehouses with stock.

use crate::ids::WarehouseId;

use super::{
    closest, rank_by_distance, record_candidates, whole_then_split_same_ranking,
    AllocationStrategy, Explanation, Plan, PlanContext, Ranking,
};

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Nearest;

impl AllocationStrategy for Nearest {
    fn name(&self) -> String {
        "nearest".into()
    }

    fn first_choice(&self, ctx: &PlanContext<'_>) -> Option<WarehouseId> {
        closest(ctx)
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        // No fast path here: the engine has already taken the order at the closest warehouse
        // when that one has every unit (`first_choice`), and names it in `known_short` if not.
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
