//! `fewest_shipments`: minimise the number of shipments. One warehouse if any
//! has every unit (the closest such); else a greedy set cover: repeatedly the
//! warehouse that can ship the most remaining lines whole (ties: closer first),
//! and lines no single warehouse has are split preferring warehouses already
//! shipping, so a split adds as few parcels as it can.

use smallvec::SmallVec;

use super::{
    all_short, fill_line, free_for_line, rank_by_distance, record_distance_candidates, ships_whole,
    take_whole, AllocationStrategy, Explanation, Pick, Plan, PlanContext, Ranking,
};
use crate::order::SplitPolicy;

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct FewestShipments;

fn fits(ctx: &PlanContext<'_>, plan: &Plan, line: usize, warehouse: super::WarehouseId) -> bool {
    free_for_line(ctx, plan, line, warehouse) as i64 >= ctx.order.lines[line].quantity
}

fn cover(ctx: &PlanContext<'_>, plan: &mut Plan, by_distance: &Ranking) {
    let lines = ctx.order.lines.len();
    let mut done: SmallVec<[bool; 16]> = SmallVec::from_elem(false, lines);
    loop {
        let mut best = None;
        let mut best_count = 0;
        for &(warehouse, _) in by_distance {
            let count = (0..lines)
                .filter(|&i| !done[i] && fits(ctx, plan, i, warehouse))
                .count();
            if count > best_count {
                (best, best_count) = (Some(warehouse), count);
            }
        }
        let Some(warehouse) = best else { break };
        for i in 0..lines {
            // Re-check line by line: two uncovered lines may share a SKU.
            if !done[i] && fits(ctx, plan, i, warehouse) {
                plan.picks.push(Pick {
                    line: i as u16,
                    warehouse,
                    units: ctx.order.lines[i].quantity as u32,
                });
                done[i] = true;
            }
        }
    }
    for line in (0..lines).filter(|&i| !done[i]) {
        // Warehouses already shipping first, then by distance.
        let mut ranking = by_distance.clone();
        ranking.sort_by_key(|(w, _)| !plan.picks.iter().any(|p| p.warehouse == *w));
        fill_line(ctx, plan, line, &ranking);
    }
}

impl AllocationStrategy for FewestShipments {
    fn name(&self) -> String {
        "fewest_shipments".into()
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        let mut by_distance = Ranking::new();
        rank_by_distance(ctx, &mut by_distance);
        if let Some(&(warehouse, _)) = by_distance.iter().find(|(w, _)| ships_whole(ctx, *w)) {
            take_whole(ctx, plan, warehouse);
            plan.rule = "one shipment: the closest warehouse that has every unit";
        } else if let Some(&(first, _)) = by_distance.first() {
            if ctx.split == SplitPolicy::SingleWarehouse {
                all_short(ctx, plan, first);
                plan.rule = "no single warehouse has every unit and the policy forbids splitting";
            } else {
                cover(ctx, plan, &by_distance);
                plan.rule = "greedy cover: the warehouse shipping the most whole lines first, ties to the closer";
            }
        } else {
            plan.rule = "no eligible warehouse";
        }
        if let Some(explain) = explain {
            record_distance_candidates(ctx, &mut by_distance, "distance_km (breaks ties)", explain);
        }
    }
}
