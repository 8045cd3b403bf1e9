//! Choosing the warehouses that ship an order.
//!
//! A strategy is a pure function from (order, stock view) to a [`Plan`]: the
//! units to take from each warehouse and, where stock is missing, shortfalls.
//! The engine then takes the planned units with compare-and-swap; if stock
//! moved in between, it plans again (see `DESIGN.md`). Because planning only
//! reads, [`crate::Engine::explain`] runs a strategy's full plan with an
//! [`Explanation`] recorder and changes nothing; a reserve that takes the whole
//! order at the strategy's first choice ends with the same picks (a property
//! test checks the two agree for every strategy).

mod capacity_aware;
mod fewest_shipments;
mod lowest_cost;
mod most_stock;
mod nearest;
mod priority;

pub use capacity_aware::CapacityAware;
pub use fewest_shipments::FewestShipments;
pub use lowest_cost::LowestCost;
pub use most_stock::MostStock;
pub use nearest::Nearest;
pub use priority::Priority;

use smallvec::SmallVec;

use crate::buffer::Buffers;
use crate::ids::{SkuId, WarehouseId, WarehouseMask};
use crate::inventory::Inventory;
use crate::network::Network;
use crate::order::{Order, SplitPolicy};

/// The built-in strategies, by name (serde reads them by [`StrategyKind::name`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrategyKind {
    /// Closest warehouse that ships everything, else line by line to the closest with stock.
    Nearest,
    /// Lowest landed shipping cost that keeps the promised transit time.
    LowestCost,
    /// Fewest shipments, ties broken by distance.
    FewestShipments,
    /// The warehouse with the most available units (balances stock).
    MostStock,
    /// The channel's fixed warehouse order.
    Priority,
}

impl StrategyKind {
    /// Every built-in strategy, in a stable order.
    pub const ALL: [StrategyKind; 5] = [
        Self::Nearest,
        Self::LowestCost,
        Self::FewestShipments,
        Self::MostStock,
        Self::Priority,
    ];

    /// The strategy's name as users write it (`nearest`, `lowest_cost`…).
    pub fn name(self) -> &'static str {
        match self {
            Self::Nearest => "nearest",
            Self::LowestCost => "lowest_cost",
            Self::FewestShipments => "fewest_shipments",
            Self::MostStock => "most_stock",
            Self::Priority => "priority",
        }
    }

    /// Parses a name as written by users.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// A boxed strategy for a channel whose warehouses, in its order, are `channel_warehouses`,
    /// wrapped in [`CapacityAware`] when asked.
    pub fn build(
        self,
        capacity_aware: bool,
        channel_warehouses: &[WarehouseId],
    ) -> Box<dyn AllocationStrategy> {
        let inner: Box<dyn AllocationStrategy> = match self {
            Self::Nearest => Box::new(Nearest),
            Self::LowestCost => Box::new(LowestCost),
            Self::FewestShipments => Box::new(FewestShipments),
            Self::MostStock => Box::new(MostStock),
            Self::Priority => Box::new(Priority::new(channel_warehouses)),
        };
        if capacity_aware {
            Box::new(CapacityAware::new(inner))
        } else {
            inner
        }
    }
}

/// Units of one order line to take from one warehouse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pick {
    /// Index of the order line.
    pub line: u16,
    /// The warehouse that ships them.
    pub warehouse: WarehouseId,
    /// How many units.
    pub units: u32,
}

/// Units of one order line no eligible warehouse has; backordered at `warehouse` under the partial policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shortfall {
    /// Index of the order line.
    pub line: u16,
    /// The warehouse the line would best ship from: it waits for stock there.
    pub warehouse: WarehouseId,
    /// Missing units.
    pub units: u32,
}

/// A strategy's decision for one order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Units to take, by line and warehouse.
    pub picks: SmallVec<[Pick; 8]>,
    /// Units nobody eligible has.
    pub shortfalls: SmallVec<[Shortfall; 2]>,
    /// The rule that decided, in words (shown by explain).
    pub rule: &'static str,
}

impl Plan {
    pub(crate) fn clear(&mut self) {
        self.picks.clear();
        self.shortfalls.clear();
        self.rule = "";
    }

    /// Units of `sku` already planned at `warehouse` (lines may repeat a SKU).
    fn planned(&self, order: &Order, sku: SkuId, warehouse: WarehouseId) -> u32 {
        self.picks
            .iter()
            .filter(|p| p.warehouse == warehouse && order.lines[p.line as usize].sku == sku)
            .map(|p| p.units)
            .sum()
    }

    /// Number of distinct warehouses (shipments) in the plan.
    pub fn shipment_count(&self) -> usize {
        let mask: WarehouseMask = self.picks.iter().fold(0, |m, p| m | p.warehouse.bit());
        mask.count_ones() as usize
    }
}

/// One warehouse as a strategy saw it, for [`Explanation`].
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The warehouse.
    pub warehouse: WarehouseId,
    /// Whether the channel may use it now (served by the channel, capacity left).
    pub eligible: bool,
    /// Great-circle distance to the ship-to point.
    pub distance_km: f64,
    /// Whether it alone had every unit of the order (after the channel's buffers).
    pub ships_whole_order: bool,
    /// The strategy's score for it; lower ranks first unless `score_name` says otherwise.
    pub score: f64,
    /// What the score is (`distance_km`, `cost_cents`, `available_units`, `priority_rank`…).
    pub score_name: &'static str,
}

/// Why a strategy decided what it did: candidates, their scores, and the deciding rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The strategy's name.
    pub strategy: String,
    /// Every warehouse of the channel, in the strategy's ranking order (ineligible ones last).
    pub candidates: Vec<Candidate>,
    /// The rule that decided.
    pub rule: String,
    /// The resulting plan.
    pub picks: Vec<Pick>,
    /// Units that no eligible warehouse had.
    pub shortfalls: Vec<Shortfall>,
}

/// Read-only view of stock as one channel may use it (its buffers applied).
#[derive(Clone, Copy)]
pub struct StockView<'a> {
    inventory: &'a Inventory,
    buffers: Buffers<'a>,
    warehouse_count: usize,
}

impl<'a> StockView<'a> {
    #[inline]
    pub(crate) fn new(
        inventory: &'a Inventory,
        buffers: Buffers<'a>,
        warehouse_count: usize,
    ) -> Self {
        Self {
            inventory,
            buffers,
            warehouse_count,
        }
    }

    /// Whether each warehouse has at least `units` of `sku` the channel may take right now:
    /// bit `w` for warehouse `w`, every warehouse read, no branch on what it holds.
    #[inline(always)]
    pub(crate) fn has_units_mask(&self, sku: SkuId, units: i64) -> WarehouseMask {
        let first = sku.index() * self.warehouse_count;
        let words = self.inventory.row(first, self.warehouse_count);
        let buffers = self.buffers.row(first, self.warehouse_count);
        if buffers.all_none() {
            // The common case, four warehouses per vector operation.
            return words.has_free_mask(units);
        }
        let mut mask = 0;
        for w in 0..words.len() {
            let free = words.available_to_plan(w, buffers.of(w));
            mask |= ((free as i64 >= units) as WarehouseMask) << w;
        }
        mask
    }

    /// Units of `sku` at `warehouse` that the channel may take right now.
    #[inline]
    pub fn available(&self, sku: SkuId, warehouse: WarehouseId) -> u32 {
        let cell = sku.index() * self.warehouse_count + warehouse.index();
        self.inventory
            .available_to_plan(cell, self.buffers.of(cell))
    }
}

/// Everything a strategy may look at to plan one order.
#[derive(Clone, Copy)]
pub struct PlanContext<'a> {
    /// The order.
    pub order: &'a Order,
    /// What splitting the call allows.
    pub split: SplitPolicy,
    /// SKUs, warehouses, carriers.
    pub network: &'a Network,
    /// Stock as the order's channel sees it.
    pub stock: StockView<'a>,
    /// Warehouses the strategy may use.
    pub eligible: WarehouseMask,
    /// Warehouses whose pick/pack capacity for today is used up (used by [`CapacityAware`]).
    pub saturated: WarehouseMask,
    /// The channel's warehouses in its priority order.
    pub channel_warehouses: &'a [WarehouseId],
    /// Whether some SKU is on two lines of the order (rare): checks for a whole order must
    /// then add those lines up.
    pub repeats_sku: bool,
    /// Warehouses already found unable to ship the whole order in this attempt (the engine's
    /// direct take at [`AllocationStrategy::first_choice`] failed there): not checked again.
    pub known_short: WarehouseMask,
    /// Whether [`AllocationStrategy::first_choice`] has just returned `None` for this context
    /// (the engine plans after that): a strategy whose `None` says that no warehouse left has
    /// every unit need not check again.
    pub first_choice_declined: bool,
}

/// Whether some SKU is on two lines of `order`.
pub(crate) fn repeats_sku(order: &Order) -> bool {
    let lines = &order.lines;
    (1..lines.len()).any(|i| lines[..i].iter().any(|l| l.sku == lines[i].sku))
}

/// A way of choosing warehouses. Implementations must only read: the engine
/// may call `plan` several times for one order, and `explain` calls it with
/// nothing taken afterwards.
pub trait AllocationStrategy: Send + Sync + std::fmt::Debug {
    /// The strategy's name (`nearest`, `capacity_aware(lowest_cost)`…).
    fn name(&self) -> String;

    /// Fills `plan` for `ctx.order`; records candidates and the rule in `explain` when asked.
    fn plan(&self, ctx: &PlanContext<'_>, plan: &mut Plan, explain: Option<&mut Explanation>);

    /// Whether the engine must count pick/pack lines per warehouse and day for this strategy.
    fn uses_capacity(&self) -> bool {
        false
    }

    /// The warehouse whose having every unit decides the plan, among those not in
    /// `ctx.known_short`: `plan` would then ship the whole order from it, whatever the others
    /// hold (`nearest`: the closest; `priority`: the first in the channel's order that has the
    /// first and last lines' units — it may read stock to pass over warehouses that cannot
    /// ship it).
    /// The engine takes the order there directly, one CAS per line with no planning pass; when
    /// it is short, the engine adds it to `known_short` and asks again, and plans in full once
    /// this returns `None`. A strategy may stop early, before every warehouse was tried. It must
    /// never name a warehouse of `known_short`. `None` (the default) always plans in full.
    fn first_choice(&self, _ctx: &PlanContext<'_>) -> Option<WarehouseId> {
        None
    }
}

/// Warehouses with scores, best first.
/// A fixed array, not a `SmallVec`: no spilled-or-inline branch on every access of the
/// hot planning loops, and room for every warehouse a network may have.
pub(crate) type Ranking =
    arrayvec::ArrayVec<(WarehouseId, f64), { crate::constants::MAX_WAREHOUSES }>;

/// Sorts by score ascending, ties by warehouse id, so every ranking is deterministic.
pub(crate) fn sort_ranking(ranking: &mut Ranking) {
    ranking.sort_unstable_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
}

/// The eligible warehouses, in id order.
pub(crate) fn eligible_warehouses<'a>(
    ctx: &'a PlanContext<'_>,
) -> impl Iterator<Item = WarehouseId> + 'a {
    ctx.channel_warehouses
        .iter()
        .copied()
        .filter(|w| ctx.eligible & w.bit() != 0)
}

/// The warehouse of `mask` closest to the ship-to point (ties to the lower id), if any.
#[inline]
pub(crate) fn closest(ctx: &PlanContext<'_>, mask: WarehouseMask) -> Option<WarehouseId> {
    ctx.network
        .locations()
        .closest(&ctx.order.ship_to, mask)
        .map(|i| WarehouseId(i as u16))
}

/// The warehouses of a mask, in id order.
#[inline]
fn mask_warehouses(mask: WarehouseMask) -> impl Iterator<Item = WarehouseId> {
    let mut left = mask;
    std::iter::from_fn(move || {
        (left != 0).then(|| {
            let w = WarehouseId(left.trailing_zeros() as u16);
            left &= left - 1;
            w
        })
    })
}

/// Ranks eligible warehouses by closeness to the ship-to point (closest first, ties to
/// the lower id). Insertion in id order: with a handful of warehouses it costs far fewer
/// instructions than collecting and sorting, and a tie stays behind the lower id placed first.
pub(crate) fn rank_by_distance(ctx: &PlanContext<'_>, ranking: &mut Ranking) {
    ranking.clear();
    let locations = ctx.network.locations();
    for w in mask_warehouses(ctx.eligible) {
        // Negated cosine: ascending order = closest first, with no trigonometry.
        let score = -locations.closeness(&ctx.order.ship_to, w.index());
        ranking.push((w, score));
        let mut at = ranking.len() - 1;
        while at > 0 && ranking[at - 1].1 > score {
            ranking.swap(at - 1, at);
            at -= 1;
        }
    }
}

/// Units of line `line` still free for this order at `warehouse`, after what the plan already takes.
#[inline]
pub(crate) fn free_for_line(
    ctx: &PlanContext<'_>,
    plan: &Plan,
    line: usize,
    warehouse: WarehouseId,
) -> u32 {
    let sku = ctx.order.lines[line].sku;
    ctx.stock
        .available(sku, warehouse)
        .saturating_sub(plan.planned(ctx.order, sku, warehouse))
}

/// Whether `warehouse` alone has every unit of the order, counting repeated SKUs together.
pub(crate) fn ships_whole(ctx: &PlanContext<'_>, warehouse: WarehouseId) -> bool {
    let lines = &ctx.order.lines;
    if !ctx.repeats_sku {
        return lines
            .iter()
            .all(|line| ctx.stock.available(line.sku, warehouse) as i64 >= line.quantity);
    }
    lines.iter().enumerate().all(|(i, line)| {
        let earlier: i64 = lines[..i]
            .iter()
            .filter(|l| l.sku == line.sku)
            .map(|l| l.quantity)
            .sum();
        (ctx.stock.available(line.sku, warehouse) as i64) >= earlier + line.quantity
    })
}

/// The warehouses of `candidates` that alone have every unit of the order (after the
/// channel's buffers), repeated SKUs counted together. Without repeats, one pass over each
/// line's stock row clears the warehouses short of it, with no branch on what they hold.
pub(crate) fn whole_order_mask(ctx: &PlanContext<'_>, candidates: WarehouseMask) -> WarehouseMask {
    if ctx.repeats_sku {
        return mask_warehouses(candidates)
            .filter(|&w| ships_whole(ctx, w))
            .fold(0, |mask, w| mask | w.bit());
    }
    ctx.order.lines.iter().fold(candidates, |mask, line| {
        mask & ctx.stock.has_units_mask(line.sku, line.quantity)
    })
}

/// The rule of a plan that ships the whole order from the best-ranked warehouse able to.
pub(crate) const WHOLE_FROM_BEST_RANKED: &str =
    "the best-ranked warehouse that has every unit ships the whole order";

/// Plans the whole order from `warehouse`, the best-ranked one that has every unit.
pub(crate) fn ship_whole_from_best(ctx: &PlanContext<'_>, plan: &mut Plan, warehouse: WarehouseId) {
    take_whole(ctx, plan, warehouse);
    plan.rule = WHOLE_FROM_BEST_RANKED;
}

/// Plans every line from one warehouse.
pub(crate) fn take_whole(ctx: &PlanContext<'_>, plan: &mut Plan, warehouse: WarehouseId) {
    let picks = whole_lines(ctx).map(|(line, units)| Pick {
        line,
        warehouse,
        units,
    });
    plan.picks.extend(picks);
}

/// Every line of the order with all its units: (line index, units).
fn whole_lines<'a>(ctx: &'a PlanContext<'_>) -> impl Iterator<Item = (u16, u32)> + 'a {
    (ctx.order.lines.iter().enumerate()).map(|(i, line)| (i as u16, line.quantity as u32))
}

/// Fills one line from warehouses in `ranking` order, taking what each has;
/// what none has becomes a shortfall at the best-ranked warehouse.
pub(crate) fn fill_line(ctx: &PlanContext<'_>, plan: &mut Plan, line: usize, ranking: &Ranking) {
    let mut remaining = ctx.order.lines[line].quantity as u32;
    for &(warehouse, _) in ranking {
        if remaining == 0 {
            break;
        }
        // Without a repeated SKU nothing planned shares this line's cells: the line's own
        // picks are at other warehouses (each is ranked once), so the plan is not scanned.
        let free = if ctx.repeats_sku {
            free_for_line(ctx, plan, line, warehouse)
        } else {
            debug_assert_eq!(
                plan.planned(ctx.order, ctx.order.lines[line].sku, warehouse),
                0
            );
            ctx.stock.available(ctx.order.lines[line].sku, warehouse)
        };
        let units = free.min(remaining);
        if units > 0 {
            plan.picks.push(Pick {
                line: line as u16,
                warehouse,
                units,
            });
            remaining -= units;
        }
    }
    if remaining > 0 {
        if let Some(&(warehouse, _)) = ranking.first() {
            plan.shortfalls.push(Shortfall {
                line: line as u16,
                warehouse,
                units: remaining,
            });
        }
    }
}

/// Marks every line short at `warehouse` (nothing planned): the order cannot ship as asked.
pub(crate) fn all_short(ctx: &PlanContext<'_>, plan: &mut Plan, warehouse: WarehouseId) {
    let shortfalls = whole_lines(ctx).map(|(line, units)| Shortfall {
        line,
        warehouse,
        units,
    });
    plan.shortfalls.extend(shortfalls);
}

/// The common shape of most strategies: the best-ranked warehouse that ships
/// the whole order; else, if splitting is allowed, each line from the
/// warehouses `rank_line` gives for it.
pub(crate) fn whole_then_split(
    ctx: &PlanContext<'_>,
    plan: &mut Plan,
    whole: &Ranking,
    rank_line: impl FnMut(&PlanContext<'_>, &Plan, usize, &mut Ranking),
) {
    split_with(ctx, plan, whole, 0, Some(rank_line));
}

/// [`whole_then_split`] where every line uses the whole-order ranking (distance,
/// channel priority): no per-line ranking is built or copied. `known_short` names warehouses
/// the caller already found unable to ship the whole order, so they are not checked again.
pub(crate) fn whole_then_split_same_ranking(
    ctx: &PlanContext<'_>,
    plan: &mut Plan,
    ranking: &Ranking,
    known_short: WarehouseMask,
) {
    split_with(
        ctx,
        plan,
        ranking,
        known_short,
        None::<fn(&PlanContext<'_>, &Plan, usize, &mut Ranking)>,
    );
}

fn split_with(
    ctx: &PlanContext<'_>,
    plan: &mut Plan,
    whole: &Ranking,
    known_short: WarehouseMask,
    mut rank_line: Option<impl FnMut(&PlanContext<'_>, &Plan, usize, &mut Ranking)>,
) {
    let ships = |w: WarehouseId| known_short & w.bit() == 0 && ships_whole(ctx, w);
    if let Some(&(warehouse, _)) = whole.iter().find(|(w, _)| ships(*w)) {
        ship_whole_from_best(ctx, plan, warehouse);
        return;
    }
    let Some(&(first, _)) = whole.first() else {
        plan.rule = "no eligible warehouse";
        return;
    };
    if ctx.split == SplitPolicy::SingleWarehouse {
        all_short(ctx, plan, first);
        plan.rule = "no single warehouse has every unit and the policy forbids splitting";
        return;
    }
    let mut ranking = Ranking::new();
    for line in 0..ctx.order.lines.len() {
        match rank_line.as_mut() {
            Some(rank) => {
                rank(ctx, plan, line, &mut ranking);
                fill_line(ctx, plan, line, &ranking);
            }
            None => fill_line(ctx, plan, line, whole),
        }
    }
    plan.rule =
        "no single warehouse has every unit: each line from the best-ranked warehouses with stock";
}

/// Records the ranked warehouses scored by their distance in km, then the others (as
/// [`record_candidates`]).
pub(crate) fn record_distance_candidates(
    ctx: &PlanContext<'_>,
    ranking: &mut Ranking,
    score_name: &'static str,
    explain: &mut Explanation,
) {
    let warehouses = ctx.network.warehouses();
    for (w, score) in ranking.iter_mut() {
        *score = ctx
            .order
            .ship_to
            .distance_km(&warehouses[w.index()].location);
    }
    record_candidates(ctx, ranking, score_name, explain);
}

/// Records every channel warehouse as a candidate, ranked ones first in ranking order.
pub(crate) fn record_candidates(
    ctx: &PlanContext<'_>,
    ranking: &Ranking,
    score_name: &'static str,
    explain: &mut Explanation,
) {
    let warehouses = ctx.network.warehouses();
    let mut push = |warehouse: WarehouseId, score: f64, eligible: bool| {
        explain.candidates.push(Candidate {
            warehouse,
            eligible,
            distance_km: ctx
                .order
                .ship_to
                .distance_km(&warehouses[warehouse.index()].location),
            ships_whole_order: ships_whole(ctx, warehouse),
            score,
            score_name,
        });
    };
    for &(warehouse, score) in ranking {
        push(warehouse, score, true);
    }
    for &warehouse in ctx.channel_warehouses {
        if !ranking.iter().any(|(w, _)| *w == warehouse) {
            push(warehouse, f64::NAN, false);
        }
    }
}
