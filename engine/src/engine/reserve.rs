//! The reserve path: validate a request, take the whole order at the strategy's first choice or
//! plan and take pick by pick, and record the hold (or the rejection and its evidence).

use super::*;

impl Engine {
    /// Units of `order` that `channel`'s warehouses together lack, per SKU (free after buffers).
    pub(super) fn units_short(&self, channel: &Channel, order: &Order) -> u64 {
        let mut wanted: SmallVec<[(SkuId, u64); 8]> = SmallVec::new();
        for line in &order.lines {
            match wanted.iter_mut().find(|(sku, _)| *sku == line.sku) {
                Some((_, units)) => *units += line.quantity as u64,
                None => wanted.push((line.sku, line.quantity as u64)),
            }
        }
        let buffers = channel.buffers();
        wanted
            .iter()
            .map(|&(sku, units)| {
                let free: u64 = channel
                    .config
                    .warehouses
                    .iter()
                    .filter_map(|&w| self.cell_of(sku, w).ok())
                    .map(|cell| self.inventory.available(cell, buffers.of(cell)) as u64)
                    .sum();
                units.saturating_sub(free)
            })
            .sum()
    }

    pub(super) fn validate(&self, request: &ReserveRequest) -> Result<&Channel, ReserveError> {
        let order = &request.order;
        let channel = self
            .channels
            .get(order.channel.index())
            .ok_or(ReserveError::UnknownChannel(order.channel))?;
        if order.lines.is_empty() {
            return Err(ReserveError::EmptyOrder(order.id));
        }
        if order.lines.len() > MAX_LINES_PER_ORDER {
            return Err(ReserveError::TooManyLines {
                order: order.id,
                count: order.lines.len(),
                limit: MAX_LINES_PER_ORDER,
            });
        }
        for (line, l) in order.lines.iter().enumerate() {
            if l.sku.index() >= self.network.skus().len() {
                return Err(ReserveError::UnknownSku {
                    order: order.id,
                    line,
                    sku: l.sku,
                });
            }
            if l.quantity < 1 || l.quantity > MAX_LINE_QUANTITY as i64 {
                return Err(ReserveError::BadQuantity(LineQuantity {
                    order: order.id,
                    line,
                    quantity: l.quantity,
                    limit: MAX_LINE_QUANTITY,
                    bound: LineBound::PerLine,
                }));
            }
        }
        if !(MIN_HOLD_TTL_MS..=MAX_HOLD_TTL_MS).contains(&request.hold_ttl_ms) {
            return Err(ReserveError::BadHoldTtl {
                ttl_ms: request.hold_ttl_ms,
                min_ms: MIN_HOLD_TTL_MS,
                max_ms: MAX_HOLD_TTL_MS,
            });
        }
        Ok(channel)
    }

    pub(super) fn context<'a>(
        &'a self,
        channel: &'a Channel,
        order: &'a Order,
        split: SplitPolicy,
        saturated: WarehouseMask,
        repeats_sku: bool,
    ) -> PlanContext<'a> {
        PlanContext {
            order,
            split,
            network: &self.network,
            stock: StockView::new(&self.inventory, channel.buffers(), self.warehouse_count),
            eligible: channel.mask,
            saturated,
            channel_warehouses: &channel.config.warehouses,
            repeats_sku,
            known_short: 0,
            first_choice_declined: false,
        }
    }

    pub(super) fn give_back_picks(&self, order: &Order, picks: &[crate::allocation::Pick]) {
        for p in picks {
            self.inventory.give_back(
                self.cell(order.lines[p.line as usize].sku, p.warehouse),
                p.units,
            );
        }
    }

    /// Takes every planned unit, or none: a short cell rolls back what was taken.
    pub(super) fn take(&self, channel: &Channel, order: &Order, plan: &Plan) -> bool {
        // Read once: the CAS below orders memory, so the compiler would reload them per pick.
        let buffers = channel.buffers();
        for (i, pick) in plan.picks.iter().enumerate() {
            let cell = self.cell(order.lines[pick.line as usize].sku, pick.warehouse);
            if let Take::Short { .. } = self.inventory.try_take(cell, pick.units, buffers.of(cell))
            {
                self.give_back_picks(order, &plan.picks[..i]);
                return false;
            }
        }
        true
    }

    /// Takes every line of `order` from `warehouse`, or nothing: the strategy's first choice,
    /// taken without a planning pass (the CAS checks each line as a plan would).
    /// On success `plan.picks` (empty on entry) holds one pick per line; on failure it is empty.
    pub(super) fn take_whole_at(
        &self,
        channel: &Channel,
        order: &Order,
        warehouse: WarehouseId,
        plan: &mut Plan,
    ) -> bool {
        let buffers = channel.buffers();
        debug_assert!(plan.picks.is_empty());
        for (i, line) in order.lines.iter().enumerate() {
            let cell = self.cell(line.sku, warehouse);
            let units = line.quantity as u32;
            if let Take::Short { .. } = self.inventory.try_take(cell, units, buffers.of(cell)) {
                self.give_back_picks(order, &plan.picks);
                plan.picks.clear();
                return false;
            }
            plan.picks.push(Pick {
                line: i as u16,
                warehouse,
                units,
            });
        }
        true
    }

    /// Plans and takes; re-plans when stock moved between the two. `plan` is empty on entry
    /// (cleared only before a re-plan).
    /// The first attempt takes the strategy's first choice directly when it has one.
    pub(super) fn plan_and_take(
        &self,
        channel: &Channel,
        request: &ReserveRequest,
        plan: &mut Plan,
    ) -> Result<(), Rejection> {
        let order = &request.order;
        let uses_capacity = channel.uses_capacity;
        debug_assert!(plan.picks.is_empty() && plan.shortfalls.is_empty());
        for attempt in 0..MAX_PLAN_ATTEMPTS {
            // Capacity counts on the day the order was placed; a capacity-aware strategy prefers
            // warehouses with some left and falls back to the others (the order waits in their
            // backlog), so capacity alone never refuses an order.
            let saturated = if uses_capacity {
                self.saturated(order.placed_at_ms / MS_PER_DAY)
            } else {
                0
            };
            // Whether a SKU repeats is for planning only: the direct take's CAS per line
            // counts repeated SKUs together by itself, so most orders skip the quadratic scan.
            let mut ctx = self.context(channel, order, request.split, saturated, false);
            if attempt == 0 {
                // Each choice found short is named in `known_short`, so the strategy names
                // another or none: at most one pass over the warehouses.
                for _ in 0..MAX_WAREHOUSES {
                    let Some(choice) = channel.strategy.first_choice(&ctx) else {
                        ctx.first_choice_declined = true;
                        break;
                    };
                    assert!(
                        ctx.known_short & choice.bit() == 0,
                        "{} chose {choice:?} again",
                        channel.strategy.name()
                    );
                    if self.take_whole_at(channel, order, choice, plan) {
                        plan.rule = WHOLE_FROM_BEST_RANKED;
                        return Ok(());
                    }
                    ctx.known_short |= choice.bit();
                }
            }
            ctx.repeats_sku = crate::allocation::repeats_sku(order);
            channel.strategy.plan(&ctx, plan, None);
            if plan.picks.is_empty() && plan.shortfalls.is_empty() {
                return Err(Rejection::NoEligibleWarehouse);
            }
            if !plan.shortfalls.is_empty() && request.split != SplitPolicy::PartialWithBackorder {
                return Err(Rejection::InsufficientStock);
            }
            if self.take(channel, order, plan) {
                return Ok(());
            }
            plan.clear();
        }
        Err(Rejection::Contended)
    }

    pub(super) fn emit_reorder_crossings(
        &self,
        order: &Order,
        picks: &[crate::allocation::Pick],
        now_ms: u64,
    ) {
        for p in picks {
            let sku = order.lines[p.line as usize].sku;
            self.check_reorder_point(self.cell(sku, p.warehouse), p.units, now_ms);
        }
    }

    /// Emits `BelowReorderPoint` if taking `units` just moved the cell's free units below its reorder point.
    pub(super) fn check_reorder_point(&self, cell: usize, units: u32, now_ms: u64) {
        let reorder_point = self.inventory.reorder_point(cell);
        let free = self.inventory.available(cell, Buffer::None);
        if reorder_point > 0 && free < reorder_point && free + units >= reorder_point {
            let (sku, warehouse) = self.cell_ids(cell);
            self.subscribers
                .emit(now_ms, || EventKind::BelowReorderPoint {
                    sku,
                    warehouse,
                    free_units: free,
                    reorder_point,
                });
        }
    }

    /// The order-table shard an order lives in, in `0..`[`ORDER_SHARDS`](crate::constants::ORDER_SHARDS).
    /// Threads that each take the orders of their own shards never write the same order-table
    /// memory (see `DESIGN.md`, "Routing by shard").
    pub fn order_shard(order: OrderId) -> usize {
        crate::reservation::shard_of(order)
    }

    /// Starts loading what a reserve of `request` will touch: the order's id-index line, the
    /// slab slot its record goes to, and the stock (and buffer) rows of its SKUs. A hint that
    /// changes nothing: [`Engine::reserve_batch`] calls it [`RESERVE_PREFETCH_DISTANCE`]
    /// requests ahead, and a caller reserving in its own loop may do the same.
    #[inline]
    pub fn prefetch_reserve(&self, request: &ReserveRequest) {
        // Addresses only: a prefetch never faults, so an unknown SKU or channel needs no check.
        let order = &request.order;
        self.orders.prefetch(order.id);
        let buffers = self
            .channels
            .get(order.channel.index())
            .and_then(|c| c.cell_buffers.as_deref())
            .map_or(0, |b| b.as_ptr() as usize);
        let warehouses = self.warehouse_count;
        let rows = self.inventory.row_prefetch(warehouses);
        let lines = &order.lines[..order.lines.len().min(MAX_LINES_PER_ORDER)];
        for line in lines {
            let first = line.sku.index() * warehouses;
            rows.row(first);
            if buffers != 0 {
                prefetch_address(buffers.wrapping_add(first * std::mem::size_of::<Buffer>()));
            }
        }
    }

    /// Reserves each request in turn at `now_ms`, exactly as that many [`Engine::reserve`]
    /// calls would, and writes their results to `results` (cleared first), in request order.
    ///
    /// Faster than the calls one by one because it prefetches each request's memory a few
    /// requests ahead, so the cache misses of several orders overlap (see `DESIGN.md`).
    pub fn reserve_batch(
        &self,
        requests: &[ReserveRequest],
        now_ms: u64,
        results: &mut Vec<Result<ReserveOutcome, ReserveError>>,
    ) {
        results.clear();
        results.reserve(requests.len());
        prefetched_in_turn(
            requests,
            |ahead| self.prefetch_reserve(ahead),
            // Prefetched three requests ago: not again.
            |request| {
                let mut plan = Plan::default();
                let reserved = self.reserve_with::<false>(request, now_ms, &mut plan);
                results.push(outcome(request.order.id, reserved, plan));
            },
        );
    }

    /// Holds stock for an order (a cart or an unpaid order) until `now_ms + hold_ttl_ms`.
    ///
    /// Picks warehouses with the channel's strategy under the call's split policy.
    /// With `SingleWarehouse` or `SplitAllowed` every unit is held or none is;
    /// with `PartialWithBackorder` what is missing waits for receipts. A
    /// rejection is `Ok(Rejected)` and changes nothing; `Err` is a bad call.
    pub fn reserve(
        &self,
        request: &ReserveRequest,
        now_ms: u64,
    ) -> Result<ReserveOutcome, ReserveError> {
        let mut plan = Plan::default();
        let reserved = self.reserve_with::<true>(request, now_ms, &mut plan);
        outcome(request.order.id, reserved, plan)
    }

    /// [`Engine::reserve`]; `PREFETCH` starts loading everything [`Engine::prefetch_reserve`]
    /// names before planning, which a batch has already done a few requests earlier. The stock
    /// rows among them let one call's row misses overlap instead of coming one line at a time.
    pub(super) fn reserve_with<const PREFETCH: bool>(
        &self,
        request: &ReserveRequest,
        now_ms: u64,
        plan: &mut Plan,
    ) -> Result<Reserved, ReserveError> {
        let channel = self.validate(request)?;
        let order = &request.order;
        if PREFETCH {
            self.prefetch_reserve(request);
        }
        if let Err(rejection) = self.plan_and_take(channel, request, plan) {
            self.subscribers.emit(now_ms, || EventKind::OrderRejected {
                order: order.id,
                rejection,
                units_short: self.units_short(channel, order),
                short_at_decision: plan.shortfalls.iter().map(|s| s.units as u64).sum(),
            });
            return Ok(Reserved::Rejected(rejection));
        }
        let expires_at_ms = now_ms + request.hold_ttl_ms;
        let make_record = || OrderRecord {
            channel: order.channel,
            placed_at_ms: order.placed_at_ms,
            expires_at_ms,
            ship_to: order.ship_to.unit_vector(),
            service: order.service,
            status: OrderStatus::Held,
            line_count: order.lines.len() as u16,
            // Written below, in the slab slot: built here, they would be copied three times on
            // their way there.
            picks: PickRecords::new(),
            shipments: SmallVec::new(),
            rare: (!plan.shortfalls.is_empty()).then(|| {
                let backorders = plan
                    .shortfalls
                    .iter()
                    .map(|s| BackorderRecord {
                        sku: order.lines[s.line as usize].sku,
                        line: s.line,
                        warehouse: s.warehouse,
                        units: s.units,
                        sequence: self.backorder_sequence.fetch_add(1, Ordering::Relaxed),
                    })
                    .collect();
                Box::new(RareRecord {
                    backorders,
                    tallies: Vec::new(),
                })
            }),
        };
        {
            let mut locked = self.orders.lock_for_insert(order.id);
            let shard = &mut *locked.guard;
            let Ok(record) = shard.orders.insert_new(order.id, locked.hint, make_record) else {
                drop(locked);
                self.give_back_picks(order, &plan.picks);
                return Err(ReserveError::DuplicateOrderId(order.id));
            };
            write_pick_records(&mut record.picks, order, &plan.picks);
            // Booked under the order's shard lock, so a concurrent release of this
            // order cannot run between the record and its book entries.
            for b in record.backorders() {
                let cell = self.cell(b.sku, b.warehouse);
                let entry = BookEntry {
                    order: order.id,
                    line: b.line,
                    units: b.units,
                };
                let key = (order.placed_at_ms, b.sequence);
                let booked = self.backorders.push(cell, key, entry);
                assert!(booked, "backorder key {key:?} booked twice");
            }
            shard.expiries.push(expires_at_ms, order.id);
            locked.hint.note_expiry_tail(&shard.expiries);
            shard.holds.created += 1;
        }
        if channel.uses_capacity {
            self.use_capacity(order.placed_at_ms / MS_PER_DAY, &plan.picks);
        }
        if self.subscribers.active() {
            self.emit_held(order, plan, now_ms);
        }
        Ok(Reserved::Held { expires_at_ms })
    }

    pub(super) fn emit_held(&self, order: &Order, plan: &Plan, now_ms: u64) {
        let units_held = crate::lifecycle::units_held(&plan.picks);
        let units_backordered = crate::lifecycle::units_backordered(&plan.shortfalls);
        self.subscribers.emit(now_ms, || EventKind::OrderHeld {
            order: order.id,
            units_held,
            units_backordered,
        });
        for s in &plan.shortfalls {
            let sku = order.lines[s.line as usize].sku;
            let (warehouse, units) = (s.warehouse, s.units);
            self.subscribers.emit(now_ms, || EventKind::Backordered {
                order: order.id,
                sku,
                warehouse,
                units,
            });
        }
        self.emit_reorder_crossings(order, &plan.picks, now_ms);
    }

    /// Explains what `reserve` would decide for this request now: candidates, scores, the deciding rule.
    /// Takes nothing; off the hot path. (Capacity counts on the order's placement day, so
    /// `_now_ms` does not change the answer.)
    pub fn explain(
        &self,
        request: &ReserveRequest,
        _now_ms: u64,
    ) -> Result<Explanation, ReserveError> {
        let channel = self.validate(request)?;
        let saturated = if channel.uses_capacity {
            self.saturated(request.order.placed_at_ms / MS_PER_DAY)
        } else {
            0
        };
        let repeats_sku = crate::allocation::repeats_sku(&request.order);
        let ctx = self.context(
            channel,
            &request.order,
            request.split,
            saturated,
            repeats_sku,
        );
        let mut plan = Plan::default();
        let mut explanation = Explanation {
            strategy: channel.strategy.name(),
            candidates: Vec::new(),
            rule: String::new(),
            picks: Vec::new(),
            shortfalls: Vec::new(),
        };
        channel
            .strategy
            .plan(&ctx, &mut plan, Some(&mut explanation));
        explanation.rule = plan.rule.to_string();
        explanation.picks = plan.picks.to_vec();
        explanation.shortfalls = plan.shortfalls.to_vec();
        Ok(explanation)
    }
}

/// Writes the records of a hold's picks to `records` (empty on entry) in place. Orders of up
/// to [`INLINE_PICKS`](crate::reservation::INLINE_PICKS) picks (most) stay inline; `push`
/// would check capacity on every pick. Always inlined: as a call, its set-up costs what
/// writing in place saves.
#[inline(always)]
pub(super) fn write_pick_records(
    records: &mut PickRecords,
    order: &Order,
    picks: &[crate::allocation::Pick],
) {
    debug_assert!(records.is_empty());
    if picks.len() > records.inline_size() {
        records.reserve_exact(picks.len());
    }
    let out = records.as_mut_ptr();
    for (i, p) in picks.iter().enumerate() {
        let record = PickRecord::reserved(
            order.lines[p.line as usize].sku,
            p.line,
            p.warehouse,
            p.units,
        );
        // SAFETY: `i` < `picks.len()`, the capacity reserved above.
        unsafe { out.add(i).write(record) };
    }
    // SAFETY: the first `picks.len()` records were written just above.
    unsafe { records.set_len(picks.len()) };
}

/// What a reserve decided. The picks and backorders of a hold stay in the caller's plan, so
/// the result is assembled once, where it goes (a hold moved through each return cost a
/// batch four copies of its 120 bytes).
pub(super) enum Reserved {
    Held { expires_at_ms: u64 },
    Rejected(Rejection),
}

/// A reserve's result as callers see it: the hold built from the plan that made it.
pub(super) fn outcome(
    order: OrderId,
    reserved: Result<Reserved, ReserveError>,
    plan: Plan,
) -> Result<ReserveOutcome, ReserveError> {
    match reserved {
        Ok(Reserved::Held { expires_at_ms }) => Ok(ReserveOutcome::Held(Hold {
            order,
            picks: plan.picks,
            backorders: plan.shortfalls,
            expires_at_ms,
        })),
        Ok(Reserved::Rejected(rejection)) => Ok(ReserveOutcome::Rejected(rejection)),
        Err(error) => Err(error),
    }
}
