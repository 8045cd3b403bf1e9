//! `capacity_aware(…)`: wraps any strategy and prefers warehouses whose pick/pack capacity for
//! the day (order lines of the orders placed that day) is not used up.
//!
//! The inner strategy first plans with only those warehouses. When they cannot cover the order
//! (or none has capacity left), it plans again with every warehouse of the channel: the order then
//! waits in a full warehouse's backlog rather than being refused while stock exists. A warehouse
//! with any capacity left takes the whole order even if its lines push it slightly past the limit:
//! pick/pack capacity is a daily plan, and a hard cut in the middle of an order would only split
//! it. A hold's lines come back to the day's capacity when it expires or is released.

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

    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, mut explain: Option<&mut Explanation>) {
        let narrowed = narrowed(ctx);
        if narrowed.eligible != 0 {
            self.inner.plan(&narrowed, plan, explain.as_deref_mut());
            if !plan.picks.is_empty() && plan.shortfalls.is_empty() {
                return;
            }
            plan.clear();
        }
        // Every warehouse again, those out of capacity included (and a whole-order warehouse the
        // narrowed first choice could not see).
        let all = PlanContext {
            first_choice_declined: false,
            ..*ctx
        };
        self.inner.plan(&all, plan, explain);
        if ctx.eligible & !ctx.saturated != ctx.eligible {
            plan.rule = "no warehouse with pick/pack capacity left could cover the order: planned \
                         with every warehouse, the order waits in a full one's backlog";
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
