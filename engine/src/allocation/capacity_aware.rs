//! `capacity_aware(…)`: wraps any strategy and hides warehouses whose pick/pack
//! capacity for the day (order lines) is used up.
//!
//! A warehouse with any capacity left takes the whole order even if its lines
//! push it slightly past the limit: pick/pack capacity is a daily plan, and a
//! hard cut in the middle of an order would only split it.

use super::{AllocationStrategy, Explanation, Plan, PlanContext};
use crate::ids::WarehouseId;

/// See the module documentation.
#[derive(Debug)]
pub struct CapacityAware {
    inner: Box<dyn AllocationStrategy>,
}

impl CapacityAware {
    /// Wraps `inner`.
    pub fn new(inner: Box<dyn AllocationStrategy>) -> Self {
        Self { inner }
    }
}

impl AllocationStrategy for CapacityAware {
    fn name(&self) -> String {
        format!("capacity_aware({})", self.inner.name())
    }

    fn first_choice(&self, ctx: &PlanContext<'_>) -> Option<WarehouseId> {
        self.inner.first_choice(&narrowed(ctx))
    }

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        let narrowed = narrowed(ctx);
        self.inner.plan(&narrowed, plan, explain);
        if narrowed.eligible == 0 && ctx.eligible != 0 {
            plan.rule =
                "every warehouse of the channel has used up its pick/pack capacity for the day";
        }
    }

    fn uses_capacity(&self) -> bool {
        true
    }
}

/// `ctx` without the warehouses whose capacity for the day is used up.
fn narrowed<'a>(ctx: &PlanContext<'a>) -> PlanContext<'a> {
    PlanContext {
        eligible: ctx.eligible & !ctx.saturated,
        ..*ctx
    }
}
