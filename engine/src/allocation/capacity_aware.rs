//! `capacity_aware(…)`: wraps any strategy and hides warehouses whose pick/pack
//! capacity for the day (order lines) is used up.
//!
//! A warehouse with any capacity left takes the whole order even if its lines
//! push it slightly past the limit: pick/pack capacity is a daily plan, and a
//! hard cut in the middle of an order would only split it.

use super::{AllocationStrategy, Explanation, Plan, PlanContext};

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

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>) {
        let narrowed = PlanContext {
            eligible: ctx.eligible & !ctx.saturated,
            ..*ctx
        };
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
