//! `nearest`: the closest warehouse that can ship the whole order (great-circle
//! distance), else each line from the closest warehouses with stock.

use super::{rank_by_distance, record_candidates, whole_then_split, AllocationStrategy, Explanation, Plan, PlanContext, Ranking};

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Nearest;

impl AllocationStrategy for Nearest {
    fn name(&self) -> String {
        "nearest".into()
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        let mut ranking = Ranking::new();
        rank_by_distance(ctx, &mut ranking);
        // One ranking serves every line: distance does not depend on the SKU.
        whole_then_split(ctx, plan, &ranking, |_, _, _, line_ranking| line_ranking.clone_from(&ranking));
        if let Some(explain) = explain {
            let warehouses = ctx.network.warehouses();
            for (w, score) in ranking.iter_mut() {
                *score = ctx.order.ship_to.distance_km(&warehouses[w.index()].location);
            }
            record_candidates(ctx, &ranking, "distance_km", explain);
        }
    }
}
