//! A customer arrives: each line against the channel's (possibly stale) view of stock, the
//! reserve call, its outcome counted, and the payment or abandonment that follows.

use qm_engine::*;
use rand::RngExt;
use rand_distr::{Distribution, Exp};

use super::audit::CustomerEvent;
use super::clock::SimEvent;
use super::error::SimError;
use super::ledger::{At, Line, Movement};
use super::metrics::*;
use super::state::*;
use crate::time::{later_ms, MS_PER_DAY};

impl Sim<'_> {
    /// The stock figure channel `channel` shows for `sku` now: live, or as of its last refresh.
    pub(super) fn shown(&mut self, channel: u16, sku: u32, now_ms: u64) -> u32 {
        let refresh_ms = self.world.view_refresh_ms[channel as usize];
        let live = |engine: &Engine, served: &[WarehouseId]| -> u32 {
            served
                .iter()
                .map(|&w| {
                    engine
                        .available_to_promise(ChannelId(channel), SkuId(sku), w)
                        .unwrap_or(0)
                })
                .sum()
        };
        if refresh_ms == 0 {
            return live(
                &self.engine,
                &self.world.channel_warehouses[channel as usize],
            );
        }
        // Refreshed lazily: the first look after a refresh falls due reads the engine.
        let entry = &mut self.view[channel as usize * self.world.skus + sku as usize];
        if entry.refreshed_at_ms == u64::MAX || now_ms - entry.refreshed_at_ms >= refresh_ms {
            *entry = ViewEntry {
                units: live(
                    &self.engine,
                    &self.world.channel_warehouses[channel as usize],
                ),
                refreshed_at_ms: now_ms,
            };
        }
        entry.units
    }

    /// A unit is lost to holds when free stock alone could not cover the line and free stock plus
    /// the units held in carts could.
    pub(super) fn lost_to_holds(&self, channel: u16, sku: u32, units: u32) -> bool {
        let (mut free, mut held) = (0u64, 0u64);
        for &w in &self.world.channel_warehouses[channel as usize] {
            free += self
                .engine
                .available_to_promise(ChannelId(channel), SkuId(sku), w)
                .unwrap_or(0) as u64;
            held += self
                .engine
                .cell_snapshot(SkuId(sku), w)
                .map_or(0, |c| c.reserved as u64);
        }
        free < units as u64 && free + held >= units as u64
    }

    /// Units of `order` that its channel's warehouses together do not have free for it, per SKU.
    fn units_short(&self, order: &Order) -> u64 {
        let mut wanted: Vec<(u32, u64)> = Vec::new();
        for line in &order.lines {
            match wanted.iter_mut().find(|(sku, _)| *sku == line.sku.0) {
                Some((_, units)) => *units += line.quantity as u64,
                None => wanted.push((line.sku.0, line.quantity as u64)),
            }
        }
        let channel = order.channel.0;
        wanted
            .iter()
            .map(|&(sku, units)| {
                let free: u64 = self.world.channel_warehouses[channel as usize]
                    .iter()
                    .map(|&w| {
                        self.engine
                            .available_to_promise(ChannelId(channel), SkuId(sku), w)
                            .unwrap_or(0) as u64
                    })
                    .sum();
                units.saturating_sub(free)
            })
            .sum()
    }

    /// Free units of the home cell `home` for `channel` now (after its buffer).
    fn home_free(&self, channel: u16, home: usize) -> u32 {
        let warehouses = self.world.warehouses;
        self.engine
            .available_to_promise(
                ChannelId(channel),
                SkuId((home / warehouses) as u32),
                WarehouseId((home % warehouses) as u16),
            )
            .unwrap_or(0)
    }

    /// The cell a customer's units of `sku` naturally come from: the channel's warehouse nearest
    /// the customer's region.
    fn home_cell(&self, channel: u16, region: u16, sku: u32) -> usize {
        let home =
            self.home_warehouse[channel as usize * self.world.regions.len() + region as usize];
        sku as usize * self.world.warehouses + home as usize
    }

    /// A line the customer could not buy: demand of the channel's warehouse nearest the customer.
    /// `not_shown` when the channel showed it out of stock, else it was in a cancelled oversold
    /// order.
    pub(super) fn lose(&mut self, at: At, region: u16, (sku, units): Line, not_shown: bool) {
        let home = self.home_cell(at.channel, region, sku);
        self.replenisher.short(home, units as u64);
        let free = self.home_free(at.channel, home);
        self.replenisher.home(home, units as u64, free >= units);
        self.audit_home_line(home, units as u64, 0, 0, free as u64);
        let to_holds = self.lost_to_holds(at.channel, sku, units);
        if not_shown {
            self.ledger.line_not_shown(at, (sku, units), to_holds);
        } else {
            self.ledger.line_lost(at, (sku, units), to_holds);
        }
    }

    /// A customer arrives with `lines`: the lines the channel shows in stock become an order,
    /// the engine holds it (or refuses it), and the customer pays later or walks away.
    pub(super) fn arrival(
        &mut self,
        id: u64,
        draft: &crate::demand::DraftOrder,
        lines: &[(u32, u32)],
    ) -> Result<(), SimError> {
        let now_ms = draft.at_ms;
        let at = At {
            day: (now_ms / MS_PER_DAY) as u32,
            channel: draft.channel,
        };
        let (order_lines, kept) = self.shown_lines(at, draft, lines);
        if order_lines.is_empty() {
            return Ok(());
        }
        let placed: Vec<Line> = order_lines
            .iter()
            .map(|l| (l.sku.0, l.quantity as u32))
            .collect();
        let units: u32 = placed.iter().map(|&(_, units)| units).sum();
        self.ledger.order_placed(at, &placed);
        self.audit.customer(CustomerEvent::Submitted {
            order: id,
            day: at.day,
            units: units as u64,
        });
        let mut request = self.request(id, draft, order_lines);
        let Some(hold) = self.hold(at, draft.region, &mut request, &placed)? else {
            return Ok(());
        };
        self.record_hold(at, draft.region, &request, &hold);
        let backordered = hold.units_backordered();
        let abandoned = self
            .rng_carts
            .random_bool(*self.s.carts.abandonment_rate.get_ref());
        let open = OpenOrder {
            abandoned,
            oversold: backordered > 0,
            recorded: draft.recorded.map_or(NO_RECORD, |(order, _)| order),
            lines_dropped: kept.len() < lines.len(),
            express: draft.express,
            ..OpenOrder::held(now_ms, at, draft.region, placed, hold.units_held())
        };
        if let Some((recorded, first_line)) = draft.recorded {
            self.place_recorded_lines(id, recorded, first_line, &kept);
        }
        self.open.insert(id, open);
        if abandoned {
            self.audit.customer(CustomerEvent::Abandoned { order: id });
            self.walked_away(id, false);
        } else {
            let mean_minutes = *self.s.carts.minutes_to_pay.get_ref();
            let wait_ms = if mean_minutes > 0.0 {
                Exp::new(1.0 / mean_minutes)
                    .expect("rate > 0")
                    .sample(&mut self.rng_carts)
                    * 60_000.0
            } else {
                0.0
            };
            self.schedule_for(id, later_ms(now_ms, wait_ms), SimEvent::Pay { order: id });
        }
        Ok(())
    }

    /// The lines the channel shows in stock, as order lines, and their indexes in `lines`; the
    /// others are lost sales.
    fn shown_lines(
        &mut self,
        at: At,
        draft: &crate::demand::DraftOrder,
        lines: &[(u32, u32)],
    ) -> (Vec<OrderLine>, Vec<u16>) {
        let mut order_lines: Vec<OrderLine> = Vec::with_capacity(lines.len());
        let mut kept: Vec<u16> = Vec::with_capacity(lines.len());
        for (i, &(sku, units)) in lines.iter().enumerate() {
            if self.shown(at.channel, sku, draft.at_ms) >= units {
                order_lines.push(OrderLine {
                    sku: SkuId(sku),
                    quantity: units as i64,
                });
                kept.push(i as u16);
            } else {
                self.audit.customer(CustomerEvent::NotShown {
                    units: units as u64,
                });
                self.lose(at, draft.region, (sku, units), true);
            }
        }
        (order_lines, kept)
    }

    /// The service a customer chose: express (the scenario's promised transit days) or standard.
    pub(super) fn service(&self, express: bool) -> ServiceLevel {
        if express {
            ServiceLevel::Express {
                max_transit_days: self.world.express_days,
            }
        } else {
            ServiceLevel::Standard
        }
    }

    /// The reserve request of customer order `id`.
    fn request(
        &self,
        id: u64,
        draft: &crate::demand::DraftOrder,
        lines: Vec<OrderLine>,
    ) -> ReserveRequest {
        let service = self.service(draft.express);
        ReserveRequest {
            order: Order {
                id: OrderId(id),
                channel: ChannelId(draft.channel),
                placed_at_ms: draft.at_ms,
                ship_to: self.world.regions[draft.region as usize],
                service,
                lines,
            },
            split: self.world.splits[draft.channel as usize],
            hold_ttl_ms: self.world.ttl_ms,
        }
    }

    /// Reserves the order (again with backorders allowed when the channel backorders an
    /// oversell); a refusal is counted and its lines lost.
    fn hold(
        &mut self,
        at: At,
        region: u16,
        request: &mut ReserveRequest,
        placed: &[Line],
    ) -> Result<Option<Hold>, SimError> {
        let now_ms = request.order.placed_at_ms;
        let channel = at.channel;
        let mut outcome = self
            .latency
            .time(CallKind::Reserve, || self.engine.reserve(request, now_ms))?;
        self.latency.reserved_lines(request.order.lines.len());
        let mut units_short = 0;
        if matches!(outcome, ReserveOutcome::Rejected(_)) {
            // The channel showed stock for every line; an oversell if the network lacked some.
            units_short = self.units_short(&request.order);
            if self.world.backorder_oversold[channel as usize]
                && request.split != SplitPolicy::PartialWithBackorder
            {
                request.split = SplitPolicy::PartialWithBackorder;
                outcome = self
                    .latency
                    .time(CallKind::Reserve, || self.engine.reserve(request, now_ms))?;
                self.latency.reserved_lines(request.order.lines.len());
            }
        }
        match outcome {
            ReserveOutcome::Held(hold) => Ok(Some(hold)),
            ReserveOutcome::Rejected(_) => {
                if units_short > 0 {
                    self.ledger.order_oversold(at, units_short);
                    self.ledger.order_cancelled_oversold(at);
                } else {
                    self.ledger.order_rejected_with_stock(at);
                }
                for &line in placed {
                    self.lose(at, region, line, false);
                }
                Ok(None)
            }
        }
    }

    /// Whether `home` had `line`'s units free before `hold` took any: its free units now plus
    /// what the hold took there of that SKU. Asked only of lines served elsewhere or
    /// backordered, so most lines cost no stock lookup.
    fn home_had(
        &self,
        channel: u16,
        home: usize,
        request: &ReserveRequest,
        hold: &Hold,
        line: u16,
    ) -> bool {
        let lines = &request.order.lines;
        let sku = lines[line as usize].sku;
        let warehouse = WarehouseId((home % self.world.warehouses) as u16);
        let taken: u64 = hold
            .picks
            .iter()
            .filter(|p| p.warehouse == warehouse && lines[p.line as usize].sku == sku)
            .map(|p| p.units as u64)
            .sum();
        self.home_free(channel, home) as u64 + taken >= lines[line as usize].quantity as u64
    }

    /// Counts a hold: units served and backordered per cell (for the forecasts and each home
    /// cell's service), and an oversell of the units backordered.
    fn record_hold(&mut self, at: At, region: u16, request: &ReserveRequest, hold: &Hold) {
        let warehouses = self.world.warehouses;
        for pick in &hold.picks {
            let sku = request.order.lines[pick.line as usize].sku.0;
            let cell = sku as usize * warehouses + pick.warehouse.0 as usize;
            self.replenisher.served(cell, pick.units as u64);
            let home = self.home_cell(at.channel, region, sku);
            let served = cell == home || self.home_had(at.channel, home, request, hold, pick.line);
            self.replenisher.home(home, pick.units as u64, served);
        }
        for short in &hold.backorders {
            let sku = request.order.lines[short.line as usize].sku.0;
            self.ledger
                .line_backordered(at, sku, short.warehouse.0, short.units as u64);
            self.replenisher.short(
                sku as usize * warehouses + short.warehouse.0 as usize,
                short.units as u64,
            );
            let home = self.home_cell(at.channel, region, sku);
            let could = self.home_had(at.channel, home, request, hold, short.line);
            self.replenisher.home(home, short.units as u64, could);
        }
        self.audit_hold_lines(at.channel, region, request, hold);
        // Units backordered are units the network lacked: an oversell of that many.
        let backordered = hold.units_backordered();
        if backordered > 0 {
            self.ledger.order_backordered(at);
            self.ledger.order_oversold(at, backordered);
        }
        self.ledger.order_held(at);
    }

    /// The auditor's facts of each line of a hold: its home cell, what the hold took there, and
    /// (for a line not all held at home) the cell's free units now.
    fn audit_hold_lines(
        &mut self,
        channel: u16,
        region: u16,
        request: &ReserveRequest,
        hold: &Hold,
    ) {
        let lines = &request.order.lines;
        for (l, line) in lines.iter().enumerate() {
            let home = self.home_cell(channel, region, line.sku.0);
            let home_warehouse = WarehouseId((home % self.world.warehouses) as u16);
            let at_home = hold.picks.iter().filter(|p| p.warehouse == home_warehouse);
            let line_at_home: u64 = at_home
                .clone()
                .filter(|p| p.line as usize == l)
                .map(|p| p.units as u64)
                .sum();
            let sku_at_home: u64 = at_home
                .filter(|p| lines[p.line as usize].sku == line.sku)
                .map(|p| p.units as u64)
                .sum();
            let units = line.quantity as u64;
            let free = if line_at_home < units {
                self.home_free(channel, home) as u64
            } else {
                0
            };
            self.audit_home_line(home, units, line_at_home, sku_at_home, free);
        }
    }

    /// Hands the auditor a line's home-cell facts, after the engine's events so far: a receipt
    /// before the line ends the cell's cycle first, as it did in the run.
    fn audit_home_line(
        &mut self,
        cell: usize,
        units: u64,
        at_home: u64,
        sku_at_home: u64,
        free: u64,
    ) {
        for event in self.events.try_iter() {
            self.ledger.moved(Movement::EngineEvent);
            self.audit.engine(&event);
        }
        self.audit.customer(CustomerEvent::HomeLine {
            day: self.days_closed,
            cell,
            units,
            at_home_units: at_home,
            sku_at_home_units: sku_at_home,
            home_free_units: free,
        });
    }
}
