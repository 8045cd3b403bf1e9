//! `lowest_cost`: the warehouse and carrier with the lowest landed shipping
//! cost (per-shipment base + per-kg by distance band) among options that keep
//! the promised transit time. Options that miss the promise rank after all that
//! keep it, and warehouses no carrier reaches rank last. A split line goes
//! where it adds the least cost to the shipments already planned.

use smallvec::SmallVec;

use super::{
    eligible_warehouses, record_candidates, sort_ranking, whole_then_split, AllocationStrategy,
    Explanation, Plan, PlanContext, Ranking, WHOLE_FROM_BEST_RANKED,
};
use crate::constants::MAX_WAREHOUSES;

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct LowestCost;

/// Added to the cost of an option that misses the promise: it ranks after every option that keeps it.
const MISSED_PROMISE_PENALTY_CENTS: f64 = 1e12;
/// Score of a warehouse no carrier reaches.
const UNREACHABLE_PENALTY_CENTS: f64 = 1e14;

struct Costs<'a> {
    ctx: &'a PlanContext<'a>,
    distance_km: SmallVec<[f64; MAX_WAREHOUSES]>,
}

impl Costs<'_> {
    fn line_weight_grams(&self, line: usize) -> u64 {
        let line = &self.ctx.order.lines[line];
        self.ctx.network.skus()[line.sku.index()].unit_weight_grams as u64 * line.quantity as u64
    }

    /// Ranking score of one shipment of `weight_grams` from `warehouse`.
    fn shipment(&self, warehouse: super::WarehouseId, weight_grams: u64) -> f64 {
        let distance_km = self.distance_km[warehouse.index()];
        match self
            .ctx
            .network
            .cheapest_quote(distance_km, weight_grams, self.ctx.order.service)
        {
            Some(q) if q.meets_promise => q.cost_cents.as_f64(),
            Some(q) => q.cost_cents.as_f64() + MISSED_PROMISE_PENALTY_CENTS,
            None => UNREACHABLE_PENALTY_CENTS + distance_km,
        }
    }

    fn planned_weight_grams(&self, plan: &Plan, warehouse: super::WarehouseId) -> u64 {
        let skus = self.ctx.network.skus();
        plan.picks
            .iter()
            .filter(|p| p.warehouse == warehouse)
            .map(|p| {
                skus[self.ctx.order.lines[p.line as usize].sku.index()].unit_weight_grams as u64
                    * p.units as u64
            })
            .sum()
    }
}

impl AllocationStrategy for LowestCost {
    fn name(&self) -> String {
        "lowest_cost".into()
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        let costs = Costs {
            ctx,
            distance_km: ctx
                .network
                .warehouses()
                .iter()
                .map(|w| ctx.order.ship_to.distance_km(&w.location))
                .collect(),
        };
        let total_grams: u64 = (0..ctx.order.lines.len())
            .map(|i| costs.line_weight_grams(i))
            .sum();
        let mut whole: Ranking = eligible_warehouses(ctx)
            .map(|w| (w, costs.shipment(w, total_grams)))
            .collect();
        sort_ranking(&mut whole);
        whole_then_split(ctx, plan, &whole, |ctx, plan, line, ranking| {
            ranking.clear();
            for w in eligible_warehouses(ctx) {
                let planned = costs.planned_weight_grams(plan, w);
                let before = if planned > 0 {
                    costs.shipment(w, planned)
                } else {
                    0.0
                };
                ranking.push((
                    w,
                    costs.shipment(w, planned + costs.line_weight_grams(line)) - before,
                ));
            }
            sort_ranking(ranking);
        });
        if plan.rule == WHOLE_FROM_BEST_RANKED {
            plan.rule = "the warehouse and carrier with the lowest cost that keeps the promise ships the whole order";
        }
        if let Some(explain) = explain {
            record_candidates(
                ctx,
                &whole,
                "cost_cents (whole order; +1e12 if the promise is missed)",
                explain,
            );
        }
    }
}
