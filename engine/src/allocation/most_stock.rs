//! `most_stock`: take from the warehouse with the most available units, which
//! spreads depletion evenly across the network. For the whole order the score is
//! the units available of the order's SKUs together; for a split line, of that
//! line's SKU. Ties go to the closer warehouse.

use super::{
    eligible_warehouses, record_candidates, sort_ranking, whole_then_split, AllocationStrategy,
    Explanation, Plan, PlanContext, Ranking,
};

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct MostStock;

fn rank(
    ctx: &PlanContext<'_>,
    ranking: &mut Ranking,
    units_at: impl Fn(super::WarehouseId) -> u64,
) {
    ranking.clear();
    let warehouses = ctx.network.warehouses();
    for w in eligible_warehouses(ctx) {
        // Most units first; the closeness term (< 1) only breaks ties between equal counts.
        let closeness = ctx.order.ship_to.closeness(&warehouses[w.index()].location);
        ranking.push((w, -(units_at(w) as f64) - (closeness + 1.0) / 4.0));
    }
    sort_ranking(ranking);
}

impl AllocationStrategy for MostStock {
    fn name(&self) -> String {
        "most_stock".into()
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        let mut whole = Ranking::new();
        rank(ctx, &mut whole, |w| {
            ctx.order
                .lines
                .iter()
                .map(|l| ctx.stock.available(l.sku, w) as u64)
                .sum()
        });
        whole_then_split(ctx, plan, &whole, |ctx, plan, line, ranking| {
            rank(ctx, ranking, |w| {
                super::free_for_line(ctx, plan, line, w) as u64
            });
        });
        if let Some(explain) = explain {
            for (_, score) in whole.iter_mut() {
                *score = -score.ceil();
            }
            record_candidates(ctx, &whole, "available_units (higher ranks first)", explain);
        }
    }
}
