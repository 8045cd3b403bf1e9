//! Dense integer ids. Strings (SKU codes, warehouse codes) live only at the edges,
//! in [`crate::Catalog`]; inside the engine everything is an index.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A SKU: an index into the catalog's SKU table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SkuId(pub u32);

/// A warehouse: an index into the network's warehouse table (at most [`crate::constants::MAX_WAREHOUSES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WarehouseId(pub u16);

/// A sales channel: an index into the engine's channel table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChannelId(pub u16);

/// A carrier in the rate card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CarrierId(pub u16);

/// An order, chosen by the caller; unique for the engine's lifetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OrderId(pub u64);

/// One shipment of a confirmed order: the order and the shipment's index within it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ShipmentId {
    /// The order the shipment belongs to.
    pub order: OrderId,
    /// Index of the shipment within the order, from 0 in creation order.
    pub index: u16,
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "order {}", self.0)
    }
}

impl fmt::Display for ShipmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "shipment {}/{}", self.order.0, self.index)
    }
}

impl SkuId {
    /// The id as a table index.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl WarehouseId {
    /// The id as a table index.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// This warehouse's bit in a [`crate::WarehouseMask`].
    #[inline]
    pub fn bit(self) -> u64 {
        1u64 << self.0
    }
}

impl ChannelId {
    /// The id as a table index.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A set of warehouses as a bit mask (bit `i` = `WarehouseId(i)`).
pub type WarehouseMask = u64;
