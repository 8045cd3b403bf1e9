//! The state of a run: what does not change (the world), the orders the simulator follows,
//! the queues of paid shipments, the channels' views of stock, and the tables the loop fills.

use std::collections::VecDeque;

use qm_engine::*;
use rand::rngs::StdRng;
use rustc_hash::FxHashMap;

use super::clock::EventQueue;
use super::cost_bound::ShippedLog;
use super::metrics::*;
use super::replenisher::Replenisher;
use crate::demand::log::RecordedUndo;
use crate::demand::synthetic::DemandModel;
use crate::scenario::Scenario;
use qm_reports::run::{DayRow, SkuDayRow, WarehouseDayRow, WarehouseRow};

use super::audit::Audit;
use super::ledger::{At, Ledger, Line};

/// Reshipments (after pick errors) get order ids from here up, apart from customer orders.
pub(super) const RESHIP_ORDER_BASE: u64 = 1 << 48;
/// A late payer's order, reserved again at payment, gets a new id from here up (ids are never
/// reused by the engine).
pub(super) const REHOLD_ORDER_BASE: u64 = 1 << 47;
/// The most order records the engine pre-allocates; beyond this its slabs grow as needed.
pub(super) const MAX_PREALLOCATED_ORDERS: usize = 2_000_000;

/// Per-SKU stock over the closes.
#[derive(Clone, Copy, Default)]
pub(super) struct SkuStock {
    pub(super) on_hand_unit_days: u64,
    pub(super) stockout_days: u32,
}

/// What does not change during a run, indexed densely.
pub(super) struct World {
    pub(super) skus: usize,
    pub(super) warehouses: usize,
    pub(super) unit_price_cents: Vec<Cents>,
    pub(super) regions: Vec<GeoPoint>,
    pub(super) warehouse_locations: Vec<GeoPoint>,
    pub(super) channel_warehouses: Vec<Vec<WarehouseId>>,
    pub(super) splits: Vec<SplitPolicy>,
    pub(super) backorder_oversold: Vec<bool>,
    pub(super) view_refresh_ms: Vec<u64>,
    pub(super) capacity_lines: Vec<u32>,
    pub(super) cutoff_hour: Vec<u32>,
    pub(super) pick_error_rate: Vec<f64>,
    pub(super) supplier_of: Vec<u16>,
    /// (mean, standard deviation) lead time per supplier, days.
    pub(super) lead_time_days: Vec<(f64, f64)>,
    /// Per-SKU (reorder point, order quantity) in units, overriding the days-of-demand policy.
    pub(super) sku_policy: FxHashMap<u32, (u32, u32)>,
    pub(super) holding_rate_per_day: f64,
    pub(super) ttl_ms: u64,
    pub(super) express_days: u8,
}

impl World {
    /// The holding charge of `value_cent_days` (Σ over closes of on-hand units × unit price),
    /// rounded once to a whole cent. Past `u64::MAX` cents (a catalog worth 10^17 currency
    /// units) it saturates.
    pub(super) fn holding_cost(&self, value_cent_days: u128) -> Cents {
        Cents::from_rounded(value_cent_days as f64 * self.holding_rate_per_day)
            .unwrap_or(Cents::new(u64::MAX))
    }
}

/// An order the simulator follows until it ships complete or ends otherwise.
pub(super) struct OpenOrder {
    /// Where its facts count: its placement day and channel (a reshipment's: its order's).
    pub(super) at: At,
    /// Its lines (SKU, units ordered), in the engine's line order.
    pub(super) lines: Vec<Line>,
    /// Units shipped of each line.
    pub(super) shipped_by_line: Vec<u32>,
    pub(super) placed_at_ms: u64,
    pub(super) region: u16,
    /// Express (promised transit days) or standard.
    pub(super) express: bool,
    pub(super) units_ordered: u32,
    pub(super) units_held: u32,
    pub(super) units_shipped: u32,
    pub(super) abandoned: bool,
    pub(super) hold_expired: bool,
    pub(super) shipped_any: bool,
    pub(super) oversold: bool,
    pub(super) inaccurate: bool,
    pub(super) reship: bool,
    pub(super) last_delivery_ms: u64,
    /// The recorded order it replays (`NO_RECORD` for synthetic demand).
    pub(super) recorded: u32,
    /// Some recorded lines were not placed (the channel showed no stock).
    pub(super) lines_dropped: bool,
}

pub(super) const NO_RECORD: u32 = u32::MAX;
/// Days a recorded return waits for its line to ship before it is given up.
pub(super) const UNDO_RETRY_DAYS: u8 = 30;

impl OpenOrder {
    /// An order of `lines` just held at `now_ms`, counting `at`, nothing shipped yet.
    pub(super) fn held(
        now_ms: u64,
        at: At,
        region: u16,
        lines: Vec<Line>,
        units_held: u64,
    ) -> Self {
        OpenOrder {
            at,
            shipped_by_line: vec![0; lines.len()],
            units_ordered: lines.iter().map(|&(_, units)| units).sum(),
            lines,
            placed_at_ms: now_ms,
            region,
            express: false,
            units_held: units_held as u32,
            units_shipped: 0,
            abandoned: false,
            hold_expired: false,
            shipped_any: false,
            oversold: false,
            inaccurate: false,
            reship: false,
            last_delivery_ms: now_ms,
            recorded: NO_RECORD,
            lines_dropped: false,
        }
    }

    /// The units of each line not shipped yet.
    pub(super) fn unshipped(&self) -> Vec<Line> {
        self.lines
            .iter()
            .zip(&self.shipped_by_line)
            .map(|(&(sku, units), &shipped)| (sku, units - shipped.min(units)))
            .collect()
    }
}

/// A paid shipment waiting for its warehouse's cutoff.
pub(super) struct Queued {
    pub(super) shipment: ShipmentId,
    pub(super) lines: u32,
    pub(super) ready_at_ms: u64,
    pub(super) cost_cents: Cents,
    pub(super) distance_km: f64,
    pub(super) transit_days: u8,
}

/// A channel's last published stock figure for one SKU.
#[derive(Clone, Copy)]
pub(super) struct ViewEntry {
    pub(super) units: u32,
    pub(super) refreshed_at_ms: u64,
}

pub(super) struct Sim<'a> {
    pub(super) s: &'a Scenario,
    pub(super) engine: Engine,
    pub(super) events: crossbeam_channel::Receiver<qm_engine::Event>,
    pub(super) world: World,
    pub(super) demand: DemandModel,
    pub(super) rng_carts: StdRng,
    pub(super) rng_fulfil: StdRng,
    pub(super) rng_stock: StdRng,
    pub(super) queue: EventQueue,
    pub(super) open: FxHashMap<u64, OpenOrder>,
    /// Orders with events still to come (payment, return, reshipment): never archived.
    pub(super) pinned: FxHashMap<u64, u32>,
    pub(super) waiting: Vec<VecDeque<Queued>>,
    pub(super) view: Vec<ViewEntry>,
    pub(super) hidden_shrink: Vec<u32>,
    /// Forecasts, safety stock and forecast-driven reorders; demand per cell for calibration.
    pub(super) replenisher: Replenisher,
    /// Per (channel, region): the channel's warehouse nearest the region, where lost demand
    /// is counted.
    pub(super) home_warehouse: Vec<u16>,
    pub(super) next_reship: u64,
    pub(super) next_rehold: u64,
    /// Every order, unit and shipment fact, at every level.
    pub(super) ledger: Ledger,
    /// The same headline KPIs recomputed from the engine's events and the customers' decisions.
    pub(super) audit: Audit,
    /// The run's identity (scenario, seed, dates); its KPIs are filled from the ledger at the end.
    pub(super) summary: Summary,
    /// The days' rows: dates, events and stock; their counts come from the ledger.
    pub(super) daily: Vec<DayRow>,
    pub(super) warehouse_daily: Vec<WarehouseDayRow>,
    pub(super) warehouse_rows: Vec<WarehouseRow>,
    pub(super) warehouse_on_hand_unit_days: Vec<u64>,
    pub(super) sku_stock: Vec<SkuStock>,
    /// The SKUs with the most expected demand, whose daily stock the report charts.
    pub(super) top_skus: Vec<u32>,
    pub(super) sku_daily: Vec<SkuDayRow>,
    pub(super) days_closed: u32,
    pub(super) latency: LatencyRecorder,
    /// Σ over closes of on-hand units × unit price: the stock's value times the days held.
    pub(super) on_hand_value_cent_days: u128,
    pub(super) recorded: RecordedState,
    /// Every order's shipped units, for the shipping-cost bound (runs asked for it only).
    pub(super) shipped_log: ShippedLog,
}

/// What a replay of recorded demand tracks besides the synthetic loop's state.
#[derive(Default)]
pub(super) struct RecordedState {
    /// Cancellations and returns with their simulated time, and how often each was retried.
    pub(super) undos: Vec<(u64, RecordedUndo)>,
    pub(super) retries: Vec<u8>,
    /// Units a not-yet-applied cancellation already counted against its order.
    pub(super) counted: Vec<bool>,
    /// Undos by recorded order.
    pub(super) undos_of: FxHashMap<u32, Vec<u32>>,
    /// (recorded order, recorded line) → (engine order id, engine line).
    pub(super) placed_lines: FxHashMap<(u32, u32), (u64, u16)>,
    /// Units cancelled so far per engine order, before anything shipped.
    pub(super) cancelled_units: FxHashMap<u64, u64>,
    /// Engine orders released by a recorded cancellation: their queued shipments are dropped.
    pub(super) released: rustc_hash::FxHashSet<u64>,
    /// Parts shipped complete per recorded order.
    pub(super) complete_parts: FxHashMap<u32, u32>,
}
