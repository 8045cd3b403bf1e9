//! `priority`: the channel's fixed warehouse order, first that ships the whole
//! order, else each line down the same list.

use crate::constants::MAX_WAREHOUSES;
use crate::ids::WarehouseId;
use crate::ids::WarehouseMask;

use super::{
    eligible_warehouses, record_candidates, ship_whole_from_best, ships_whole,
    whole_then_split_same_ranking, AllocationStrategy, Explanation, Plan, PlanContext, Ranking,
};

/// See the module documentation.
#[derive(Clone, Debug)]
pub struct Priority {
    /// The channel's warehouses in its order.
    order: Vec<WarehouseId>,
}

impl Priority {
    /// The strategy for a channel whose warehouses, in its order, are `order` (distinct).
    pub fn new(order: &[WarehouseId]) -> Self {
        assert!(order.len() <= MAX_WAREHOUSES, "{} warehouses", order.len());
        Self {
            order: order.to_vec(),
        }
    }

    /// The first warehouse of `mask` in the channel's order (`None` if it names none of them).
    #[inline]
    fn first_in_order(&self, mask: WarehouseMask) -> Option<WarehouseId> {
        self.order.iter().copied().find(|w| mask & w.bit() != 0)
    }
}

impl AllocationStrategy for Priority {
    fn name(&self) -> String {
        "priority".into()
    }

    fn first_choice(&self, ctx: &PlanContext<'_>) -> Option<WarehouseId> {
        // Down the channel's list: finding the next warehouse costs nothing, and a take that
        // meets a short line gives back only the lines before it. The warehouses at the top
        // of the list run short first and stay short, so those without the first line's units,
        // or the last line's, are passed over in a branch-free read of those two stock rows
        // instead of a failed take each (the whole order's mask would cost more than the takes
        // it saves).
        let lines = &ctx.order.lines;
        let (first, last) = (&lines[0], &lines[lines.len() - 1]);
        let mut candidates =
            ctx.eligible & !ctx.known_short & ctx.stock.has_units_mask(first.sku, first.quantity);
        if lines.len() > 1 {
            candidates &= ctx.stock.has_units_mask(last.sku, last.quantity);
        }
        debug_assert_eq!(ctx.channel_warehouses, self.order.as_slice());
        self.first_in_order(candidates)
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        // Fast path: walk the channel's list to the first warehouse that ships the whole order,
        // with no ranking built. The full path below gives the same answer.
        let mut known_short: WarehouseMask = ctx.known_short;
        if explain.is_none() && ctx.first_choice_declined {
            // `first_choice` has just named none: each warehouse it did not try lacks the first
            // or the last line's units, and each it tried failed its take, so none ships the
            // whole order.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_in_order_follows_the_channel_list_across_mask_bytes() {
        // Warehouses 9, 3, 0, 12, 63 in that order, over three bytes of the mask.
        let order = [9, 3, 0, 12, 63].map(WarehouseId);
        let priority = Priority::new(&order);
        let mask = |ids: &[u16]| ids.iter().fold(0u64, |m, &w| m | WarehouseId(w).bit());
        assert_eq!(
            priority.first_in_order(mask(&[0, 3, 9])),
            Some(WarehouseId(9))
        );
        assert_eq!(priority.first_in_order(mask(&[0, 3])), Some(WarehouseId(3)));
        assert_eq!(
            priority.first_in_order(mask(&[63, 12, 0])),
            Some(WarehouseId(0))
        );
        assert_eq!(
            priority.first_in_order(mask(&[63, 12])),
            Some(WarehouseId(12))
        );
        assert_eq!(priority.first_in_order(mask(&[63])), Some(WarehouseId(63)));
        // Warehouses outside the channel's list are never named.
        assert_eq!(priority.first_in_order(mask(&[1, 2, 40])), None);
        assert_eq!(priority.first_in_order(0), None);
    }
}
