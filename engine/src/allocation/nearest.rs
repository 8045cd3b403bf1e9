//! `nearest`: the closest warehouse that can ship the whole order (great-circle
//! distance), else each line from the closest warehouses with stock.

use crate::channel::WarehouseMask;
use crate::ids::WarehouseId;

use super::{
    closest, rank_by_distance, record_candidates, ship_whole_from_best, ships_whole,
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
        closest(ctx)
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        // Fast path: most orders ship whole from the closest warehouse, which needs a
        // maximum, not a sorted ranking. Same answer as the full path (ties to the lower id).
        let mut known_short: WarehouseMask = ctx.known_short;
        if explain.is_none() && known_short == 0 {
            if let Some(closest) = closest(ctx) {
                if ships_whole(ctx, closest) {
                    ship_whole_from_best(ctx, plan, closest);
                    return;
                }
                // Not checked again below: a plan reads stock without a lock, so this reading
                // is as valid as a second one (the take re-checks every unit anyway).
                known_short = closest.bit();
            }
        }
        let mut ranking = Ranking::new();
        rank_by_distance(ctx, &mut ranking);
        // One ranking serves every line: distance does not depend on the SKU.
        whole_then_split_same_ranking(ctx, plan, &ranking, known_short);
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
