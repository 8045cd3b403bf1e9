//! `priority`: the channel's fixed warehouse order, first that ships the whole
//! order, else each line down the same list.

use crate::channel::WarehouseMask;
use crate::ids::WarehouseId;

use super::{
    eligible_warehouses, record_candidates, ship_whole_from_best, ships_whole,
    whole_then_split_same_ranking, AllocationStrategy, Explanation, Plan, PlanContext, Ranking,
};

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Priority;

impl AllocationStrategy for Priority {
    fn name(&self) -> String {
        "priority".into()
    }

    fn first_choice(&self, ctx: &PlanContext<'_>) -> Option<WarehouseId> {
        // Down the channel's list: finding the next warehouse costs nothing, and a take that
        // meets a short line gives back only the lines before it. The warehouses at the top
        // of the list run short first and stay short, so those without the first line's units,
        // or the last line's, are passed over in a branch-free read of those two stock rows
        // instead of a failed take each. Measured in one process: the first line 4 % faster
        // (with the vector row mask, 1,421 -> 1,339 instructions an order in callgrind), the
        // last line too another 3.5 % (six runs of 20-30 pairs). The whole order's mask, or
        // the first two lines', measured no faster than the takes they save.
        let lines = &ctx.order.lines;
        let (first, last) = (&lines[0], &lines[lines.len() - 1]);
        let mut candidates =
            ctx.eligible & !ctx.known_short & ctx.stock.has_units_mask(first.sku, first.quantity);
        if lines.len() > 1 {
            candidates &= ctx.stock.has_units_mask(last.sku, last.quantity);
        }
        ctx.channel_warehouses
            .iter()
            .copied()
            .find(|w| candidates & w.bit() != 0)
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        // Fast path: walk the channel's list to the first warehouse that ships the whole order,
        // with no ranking built. The full path below gives the same answer.
        let mut known_short: WarehouseMask = ctx.known_short;
        if explain.is_none() && known_short != 0 {
            // After the engine's direct takes `first_choice` has just named none: each warehouse
            // it did not try lacks the first or the last line's units, and each it tried failed
            // its take, so none ships the whole order.
            known_short = ctx.eligible;
        }
        if explain.is_none() {
            for w in eligible_warehouses(ctx) {
                if known_short & w.bit() == 0 && ships_whole(ctx, w) {
                    ship_whole_from_best(ctx, plan, w);
                    return;
                }
                known_short |= w.bit();
            }
        }
        // Pushed in place: a collected ranking is a kilobyte moved into this frame.
        let mut ranking = Ranking::new();
        for (rank, &w) in ctx.channel_warehouses.iter().enumerate() {
            if ctx.eligible & w.bit() != 0 {
                ranking.push((w, rank as f64));
            }
        }
        whole_then_split_same_ranking(ctx, plan, &ranking, known_short);
        if let Some(explain) = explain {
            record_candidates(ctx, &ranking, "priority_rank", explain);
        }
    }
}
