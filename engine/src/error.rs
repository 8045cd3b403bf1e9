//! Typed errors, one enum per operation. These are refusals of bad calls (the
//! state is unchanged); business outcomes such as "not enough stock" are status
//! values in [`crate::lifecycle`], and bugs are panics.

use crate::ids::{ChannelId, OrderId, ShipmentId, SkuId, WarehouseId};
use crate::lifecycle::OrderStatus;
use crate::network::NetworkError;

/// A line's quantity outside 1..=`limit`: in an order to reserve (the limit is the most a line
/// may hold), or in a call on an order's line (the most the call can cover, `bound` says what).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineQuantity {
    /// The order.
    pub order: OrderId,
    /// Index of the line.
    pub line: usize,
    /// The quantity given.
    pub quantity: i64,
    /// The largest allowed.
    pub limit: u32,
    /// What `limit` counts.
    pub bound: LineBound,
}

/// What bounds the quantity of a call on an order line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineBound {
    /// The most units one order line may hold (a reserve).
    PerLine,
    /// The line's units shipped and not yet returned (a return).
    ShippedNotReturned,
    /// The line's units in the shipment (a short pick).
    InShipment,
}

impl std::error::Error for LineQuantity {}

impl std::fmt::Display for LineQuantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let LineQuantity {
            order,
            line,
            quantity,
            limit,
            bound,
        } = *self;
        write!(f, "{order} line {line}: ")?;
        let range = format!("quantity {quantity} must be between 1 and {limit}");
        match (bound, limit) {
            (LineBound::ShippedNotReturned, 0) => {
                write!(f, "nothing to return: no unit shipped and not yet returned")
            }
            (LineBound::InShipment, 0) => write!(f, "the shipment holds no unit of the line"),
            (LineBound::PerLine, _) => write!(f, "{range}"),
            (LineBound::ShippedNotReturned, _) => {
                write!(f, "{range}, the units shipped and not yet returned")
            }
            (LineBound::InShipment, _) => write!(f, "{range}, the line's units in the shipment"),
        }
    }
}

/// Why an engine could not be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The network is invalid.
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// No channel, or too many.
    #[error("an engine needs between 1 and {limit} channels, got {count}")]
    ChannelCount {
        /// Channels given.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Two channels share a code.
    #[error("duplicate channel code {0:?}")]
    DuplicateChannel(String),
    /// A channel names no warehouse, an unknown one, or one twice.
    #[error("channel {channel:?}: {problem}")]
    BadChannel {
        /// The channel's code.
        channel: String,
        /// What is wrong, in words.
        problem: String,
    },
    /// The order table's room for the expected open orders could not be allocated.
    #[error("room for {orders} open orders cannot be allocated: {cause}")]
    OrderRoom {
        /// Open orders asked room for.
        orders: usize,
        /// The allocator's refusal.
        cause: std::collections::TryReserveError,
    },
}

/// Why a reserve call was refused (nothing was held).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReserveError {
    /// The channel does not exist.
    #[error("unknown channel {0:?}")]
    UnknownChannel(ChannelId),
    /// The order has no line.
    #[error("{0} has no lines")]
    EmptyOrder(OrderId),
    /// More lines than [`crate::constants::MAX_LINES_PER_ORDER`].
    #[error("{order} has {count} lines; the limit is {limit}")]
    TooManyLines {
        /// The order.
        order: OrderId,
        /// Lines given.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A line names a SKU the catalog lacks.
    #[error("{order} line {line}: unknown SKU id {sku:?}")]
    UnknownSku {
        /// The order.
        order: OrderId,
        /// Index of the line.
        line: usize,
        /// The SKU given.
        sku: SkuId,
    },
    /// A line's quantity is zero, negative or above the limit.
    #[error(transparent)]
    BadQuantity(LineQuantity),
    /// The hold TTL is outside the allowed range.
    #[error("hold TTL {ttl_ms} ms must be between {min_ms} and {max_ms} ms")]
    BadHoldTtl {
        /// TTL given.
        ttl_ms: u64,
        /// Shortest allowed.
        min_ms: u64,
        /// Longest allowed.
        max_ms: u64,
    },
    /// The order id was used before.
    #[error("{0} already exists: order ids are unique for the engine's lifetime")]
    DuplicateOrderId(OrderId),
}

/// Why a call on an existing order was refused (the state is unchanged).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// No order with this id was ever held.
    #[error("{0} was never held")]
    UnknownOrder(OrderId),
    /// The hold's TTL passed; its stock went back to available.
    #[error("{order}: the hold expired at {expired_at_ms} ms")]
    HoldExpired {
        /// The order.
        order: OrderId,
        /// When it expired.
        expired_at_ms: u64,
    },
    /// The order is not in a state that allows the call.
    #[error("{order} is {status:?}; {operation} needs it {needed}")]
    WrongStatus {
        /// The order.
        order: OrderId,
        /// Its status.
        status: OrderStatus,
        /// The call.
        operation: &'static str,
        /// The status(es) the call needs, in words.
        needed: &'static str,
    },
    /// The order has no shipment with this index.
    #[error("{0} does not exist")]
    UnknownShipment(ShipmentId),
    /// The shipment already shipped or was cancelled.
    #[error("{0} is not waiting to ship")]
    ShipmentNotPending(ShipmentId),
    /// The order has no line with this index.
    #[error("{order} has no line {line}")]
    UnknownLine {
        /// The order.
        order: OrderId,
        /// The line given.
        line: usize,
    },
    /// A quantity is zero, negative or more than the call can cover.
    #[error(transparent)]
    BadQuantity(LineQuantity),
}

/// Why a stock movement (receipt, adjustment, initial stock, reorder point) was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    /// The SKU does not exist.
    #[error("unknown SKU id {0:?}")]
    UnknownSku(SkuId),
    /// The warehouse does not exist.
    #[error("unknown warehouse id {0:?}")]
    UnknownWarehouse(WarehouseId),
    /// The quantity is zero, negative or above the limit.
    #[error("quantity {quantity} must be between 1 and {limit} units")]
    BadQuantity {
        /// The quantity given.
        quantity: i64,
        /// The limit.
        limit: u32,
    },
    /// The cell would hold more than [`crate::constants::MAX_CELL_UNITS`].
    #[error("the cell holds {on_hand} units; adding {units} would pass the limit of {limit}")]
    CellFull {
        /// Units on hand.
        on_hand: u32,
        /// Units to add.
        units: u32,
        /// The limit.
        limit: u32,
    },
    /// A removal larger than the free (uncommitted) units: committed units must
    /// be released or short-picked first, so the loss lands on a known order.
    #[error("cannot remove {units} units: only {free} are free (the rest are held or allocated; short-pick or release them first)")]
    NotEnoughFree {
        /// Units asked.
        units: u32,
        /// Units free.
        free: u32,
    },
}
