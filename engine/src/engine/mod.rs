//! The engine: the public API over inventory cells, the order table and the backorder book.

mod capacity;
mod queries;
mod reserve;
mod stock;
mod transitions;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crossbeam_channel::Receiver;
use crossbeam_utils::CachePadded;
use smallvec::SmallVec;

use crate::allocation::{Explanation, Pick, Plan, PlanContext, StockView, WHOLE_FROM_BEST_RANKED};
use crate::arch::prefetch_address;
use crate::backorder::{BackorderBook, BookEntry};
use crate::buffer::Buffer;
use crate::channel::{Channel, ChannelConfig};
use crate::constants::*;
use crate::error::{ConfigError, LineBound, LineQuantity, OrderError, ReserveError, StockError};
use crate::events::{Event, EventKind, Subscribers};
use crate::idempotency::KeyTable;
use crate::ids::WarehouseMask;
use crate::ids::{ChannelId, OrderId, ShipmentId, SkuId, WarehouseId};
use crate::inventory::{CellLedger, CellSnapshot, Inventory, Movement, Take};
use crate::lifecycle::*;
use crate::network::Network;
use crate::order::{Order, ReserveRequest, SplitPolicy};
use crate::reservation::{
    BackorderRecord, OrderRecord, OrderTable, PickRecord, PickRecords, PickState, RareRecord,
    ShipmentRecord,
};

/// What an engine is built from.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// SKUs, warehouses, carriers.
    pub network: Network,
    /// Sales channels; `ChannelId(i)` is the i-th.
    pub channels: Vec<ChannelConfig>,
    /// Orders expected to be open at once; the order table is sized for them up front.
    pub expected_open_orders: usize,
}

/// The allocation engine. Share it between threads with `Arc`; every method takes `&self`
/// except set-up calls ([`Engine::seed_stock`], [`Engine::subscribe`]).
pub struct Engine {
    pub(crate) network: Network,
    pub(crate) warehouse_count: usize,
    pub(crate) channels: Vec<Channel>,
    pub(crate) inventory: Inventory,
    pub(crate) orders: OrderTable,
    pub(crate) backorders: BackorderBook,
    /// Per warehouse: `day << 32 | lines` picked that day. Written only for
    /// capacity-aware channels, so other strategies share no counter between threads.
    pub(crate) capacity: Box<[CachePadded<AtomicU64>]>,
    /// Orders backorders booked in the same millisecond. Cold path only.
    pub(crate) backorder_sequence: AtomicU64,
    /// Idempotency keys of the stock movements applied under one. Cold path only.
    pub(crate) keys: Mutex<KeyTable>,
    subscribers: Subscribers,
}

fn check_units(quantity: i64, limit: u32) -> Result<u32, StockError> {
    if quantity < 1 || quantity > limit as i64 {
        return Err(StockError::BadQuantity { quantity, limit });
    }
    Ok(quantity as u32)
}

/// `units` between 1 and `limit` (which counts `bound`) of `order`'s line `line`, or
/// [`OrderError::BadQuantity`].
fn check_line_units(
    order: OrderId,
    line: usize,
    units: i64,
    limit: u32,
    bound: LineBound,
) -> Result<u32, OrderError> {
    if units < 1 || units > limit as i64 {
        return Err(OrderError::BadQuantity(LineQuantity {
            order,
            line,
            quantity: units,
            limit,
            bound,
        }));
    }
    Ok(units as u32)
}

fn build_channel(config: ChannelConfig, network: &Network) -> Result<Channel, ConfigError> {
    let warehouse_count = network.warehouses().len();
    let bad = |problem: String| ConfigError::BadChannel {
        channel: config.code.clone(),
        problem,
    };
    if config.warehouses.is_empty() {
        return Err(bad("it names no warehouse".into()));
    }
    let mut mask: WarehouseMask = 0;
    for w in &config.warehouses {
        if w.index() >= warehouse_count {
            return Err(bad(format!("warehouse id {} does not exist", w.0)));
        }
        if mask & w.bit() != 0 {
            return Err(bad(format!(
                "warehouse {} is listed twice",
                network.warehouses()[w.index()].code
            )));
        }
        mask |= w.bit();
    }
    let check_buffer = |buffer: Buffer| match buffer {
        Buffer::BasisPointsOfOnHand(bp) if bp > MAX_BUFFER_BASIS_POINTS => Err(bad(format!(
            "buffer of {bp} basis points is above 100 % ({MAX_BUFFER_BASIS_POINTS})"
        ))),
        _ => Ok(()),
    };
    check_buffer(config.buffer)?;
    let mut cell_buffers = None;
    if !config.buffer_overrides.is_empty() {
        let mut buffers = vec![config.buffer; network.skus().len() * warehouse_count];
        for &(sku, warehouse, buffer) in &config.buffer_overrides {
            check_buffer(buffer)?;
            if sku.index() >= network.skus().len() || warehouse.index() >= warehouse_count {
                return Err(bad(format!(
                    "buffer override for unknown SKU {} or warehouse {}",
                    sku.0, warehouse.0
                )));
            }
            buffers[sku.index() * warehouse_count + warehouse.index()] = buffer;
        }
        cell_buffers = Some(buffers.into_boxed_slice());
    }
    let strategy = config
        .strategy
        .build(config.capacity_aware, &config.warehouses);
    Ok(Channel {
        config,
        mask,
        cell_buffers,
        uses_capacity: strategy.uses_capacity(),
        strategy,
    })
}

impl Engine {
    /// Builds an engine with empty stock.
    pub fn new(config: EngineConfig) -> Result<Self, ConfigError> {
        let EngineConfig {
            network,
            channels,
            expected_open_orders,
        } = config;
        if channels.is_empty() || channels.len() > MAX_CHANNELS {
            return Err(ConfigError::ChannelCount {
                count: channels.len(),
                limit: MAX_CHANNELS,
            });
        }
        for (i, c) in channels.iter().enumerate() {
            if channels[..i].iter().any(|d| d.code == c.code) {
                return Err(ConfigError::DuplicateChannel(c.code.clone()));
            }
        }
        let channels = channels
            .into_iter()
            .map(|c| build_channel(c, &network))
            .collect::<Result<Vec<_>, _>>()?;
        let warehouse_count = network.warehouses().len();
        let cells = network.skus().len() * warehouse_count;
        Ok(Self {
            warehouse_count,
            channels,
            inventory: Inventory::new(cells),
            orders: OrderTable::new(expected_open_orders).map_err(|cause| {
                ConfigError::OrderRoom {
                    orders: expected_open_orders,
                    cause,
                }
            })?,
            backorders: BackorderBook::new(),
            capacity: (0..warehouse_count)
                .map(|_| CachePadded::new(AtomicU64::new(0)))
                .collect(),
            backorder_sequence: AtomicU64::new(0),
            keys: Mutex::new(KeyTable::default()),
            subscribers: Subscribers::default(),
            network,
        })
    }

    /// The bytes [`Engine::presize_orders`] (or [`EngineConfig::expected_open_orders`])
    /// allocates for `expected_open_orders`: a caller checks it against the machine's memory,
    /// since an allocator that reserves address space lazily gives more than the machine has
    /// and the pages touched then run it out of memory.
    pub fn order_room_bytes(expected_open_orders: usize) -> u128 {
        OrderTable::room_bytes(expected_open_orders)
    }

    /// Sizes the order table, now, for `expected_open_orders` held at once (open, or finished
    /// and not archived), as [`EngineConfig::expected_open_orders`] does at build time; never
    /// shrinks it. Past its size the table grows by itself, but every shard fills at the same
    /// pace and copies its records at about the same moment, a pause of every shard's copy at
    /// once: a long-running caller sizes it for its load instead. About 250 bytes an order
    /// ([`Engine::order_room_bytes`]), touched now. Room the allocator refuses is an error;
    /// the table then works on with the room it has.
    pub fn presize_orders(&self, expected_open_orders: usize) -> Result<(), ConfigError> {
        (self.orders.make_room(expected_open_orders)).map_err(|cause| ConfigError::OrderRoom {
            orders: expected_open_orders,
            cause,
        })
    }

    /// The network the engine was built with.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The id of a channel code.
    pub fn channel_id(&self, code: &str) -> Option<ChannelId> {
        self.channels
            .iter()
            .position(|c| c.config.code == code)
            .map(|i| ChannelId(i as u16))
    }

    /// The strategy a channel uses, by name.
    pub fn channel_strategy(&self, channel: ChannelId) -> Option<String> {
        self.channels
            .get(channel.index())
            .map(|c| c.strategy.name())
    }

    /// A receiver of every event from now on. Set-up only: subscribers are fixed once the engine is shared.
    pub fn subscribe(&mut self) -> Receiver<Event> {
        self.subscribers.subscribe()
    }

    fn cell_of(&self, sku: SkuId, warehouse: WarehouseId) -> Result<usize, StockError> {
        if sku.index() >= self.network.skus().len() {
            return Err(StockError::UnknownSku(sku));
        }
        if warehouse.index() >= self.warehouse_count {
            return Err(StockError::UnknownWarehouse(warehouse));
        }
        Ok(self.cell(sku, warehouse))
    }

    #[inline]
    pub(crate) fn cell(&self, sku: SkuId, warehouse: WarehouseId) -> usize {
        sku.index() * self.warehouse_count + warehouse.index()
    }

    pub(crate) fn cell_ids(&self, cell: usize) -> (SkuId, WarehouseId) {
        (
            SkuId((cell / self.warehouse_count) as u32),
            WarehouseId((cell % self.warehouse_count) as u16),
        )
    }

    /// Loads opening stock. Set-up only; counted as `initial` in the ledger.
    pub fn seed_stock(
        &mut self,
        sku: SkuId,
        warehouse: WarehouseId,
        units: i64,
    ) -> Result<(), StockError> {
        let cell = self.cell_of(sku, warehouse)?;
        let units = check_units(units, MAX_CELL_UNITS)?;
        self.add_on_hand(cell, units, Movement::Initial)
    }

    /// Adds `units` to a cell's on-hand stock as `movement`; refuses a cell that would pass
    /// [`MAX_CELL_UNITS`].
    fn add_on_hand(&self, cell: usize, units: u32, movement: Movement) -> Result<(), StockError> {
        self.inventory
            .add_on_hand(cell, units, movement)
            .map_err(|on_hand| StockError::CellFull {
                on_hand,
                units,
                limit: MAX_CELL_UNITS,
            })
    }

    /// Sets a cell's reorder point: when its free units fall below it, a `BelowReorderPoint` event is emitted.
    pub fn set_reorder_point(
        &self,
        sku: SkuId,
        warehouse: WarehouseId,
        units: u32,
    ) -> Result<(), StockError> {
        let cell = self.cell_of(sku, warehouse)?;
        self.inventory.set_reorder_point(cell, units);
        Ok(())
    }
}

/// Runs `each` on the items in turn, calling `prefetch` on the item
/// [`RESERVE_PREFETCH_DISTANCE`] ahead of it (the batch calls' pipeline).
pub(crate) fn prefetched_in_turn<T>(items: &[T], prefetch: impl Fn(&T), mut each: impl FnMut(&T)) {
    items
        .iter()
        .take(RESERVE_PREFETCH_DISTANCE)
        .for_each(&prefetch);
    for (i, item) in items.iter().enumerate() {
        if let Some(ahead) = items.get(i + RESERVE_PREFETCH_DISTANCE) {
            prefetch(ahead);
        }
        each(item);
    }
}
