//! `priority`: the channel's fixed warehouse order, first that ships the whole
//! order, else each line down the same list.

use super::{
    record_candidates, whole_then_split_same_ranking, AllocationStrategy, Explanation, Plan,
    PlanContext, Ranking,
};

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Priority;

impl AllocationStrategy for Priority {
    fn name(&self) -> String {
        "priority".into()
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        let ranking: Ranking = ctx
            .channel_warehouses
            .iter()
            .enumerate()
            .filter(|(_, w)| ctx.eligible & w.bit() != 0)
            .map(|(rank, w)| (*w, rank as f64))
            .collect();
        whole_then_split_same_ranking(ctx, plan, &ranking, 0);
        if let Some(explain) = explain {
            record_candidates(ctx, &ranking, "priority_rank", explain);
        }
    }
}
