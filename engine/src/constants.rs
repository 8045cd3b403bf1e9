//! Every limit of the engine, named, with the reason it exists.
//!
//! The engine refuses input beyond these limits with a typed error instead of
//! growing without bound; relations between limits are checked at compile time.

/// Most warehouses in one network. Warehouse sets are `u64` bit masks on the hot path.
pub const MAX_WAREHOUSES: usize = 64;

/// Most SKUs in one catalog. Cell indices (`sku * warehouses + warehouse`) must fit in `u32`.
pub const MAX_SKUS: usize = 1 << 24;

/// Most sales channels.
pub const MAX_CHANNELS: usize = 256;

/// Most carriers in a rate card.
pub const MAX_CARRIERS: usize = 32;

/// Most lines in one order; an order is planned in a fixed-size scratch area.
pub const MAX_LINES_PER_ORDER: usize = 64;

/// Largest quantity on one order line, in units. Guards against a typo (a
/// price or a barcode in the quantity column) locking away a whole warehouse.
pub const MAX_LINE_QUANTITY: u32 = 1_000_000;

/// Largest on-hand stock of one (SKU, warehouse) cell, in units. A cell packs
/// on-hand and committed units into one `AtomicU64`, 32 bits each.
pub const MAX_CELL_UNITS: u32 = u32::MAX >> 1;

/// Largest single receipt, return or adjustment, in units.
pub const MAX_MOVEMENT_UNITS: u32 = 100_000_000;

/// Shortest cart hold, in milliseconds.
pub const MIN_HOLD_TTL_MS: u64 = 1_000;

/// Longest cart or unpaid-order hold (30 days), in milliseconds.
pub const MAX_HOLD_TTL_MS: u64 = 30 * MS_PER_DAY;

/// Milliseconds in a day: the engine's clock is milliseconds since the caller's epoch.
pub const MS_PER_DAY: u64 = 86_400_000;

/// Shards of the order table. A power of two so the shard is `id & mask`;
/// 64 keeps two threads off each other's lock almost always.
pub const ORDER_SHARDS: usize = 64;

/// Shards of the backorder book (keyed by cell).
pub const BACKORDER_SHARDS: usize = 64;

/// How many times a reserve call re-plans after stock moved under it between
/// planning and taking. Each retry sees strictly less stock, so a few suffice.
pub const MAX_PLAN_ATTEMPTS: usize = 4;

/// Largest channel buffer expressed as a share of on hand, in basis points (100 %).
pub const MAX_BUFFER_BASIS_POINTS: u32 = 10_000;

/// Earth's mean radius, for great-circle distances.
pub const EARTH_RADIUS_KM: f64 = 6_371.0;

const _: () = assert!(MAX_WAREHOUSES <= 64, "warehouse masks are u64");
const _: () = assert!((MAX_SKUS as u64) * (MAX_WAREHOUSES as u64) <= u32::MAX as u64 + 1);
const _: () = assert!(ORDER_SHARDS.is_power_of_two());
const _: () = assert!(BACKORDER_SHARDS.is_power_of_two());
const _: () = assert!(MAX_LINE_QUANTITY <= MAX_MOVEMENT_UNITS);
const _: () = assert!(MAX_MOVEMENT_UNITS <= MAX_CELL_UNITS);
const _: () = assert!(MIN_HOLD_TTL_MS < MAX_HOLD_TTL_MS);
const _: () = assert!(MAX_LINES_PER_ORDER <= u16::MAX as usize);

/// How many requests ahead [`crate::Engine::reserve_batch`] prefetches. A miss to memory takes
/// about as long as one to two reserves, so a few ahead overlaps it; much further ahead, lines
/// are evicted or the slab slot moved before use. Three was the best of 1, 2, 3, 4 and 6 on the
/// bench workload (alternated runs; see `engine/DESIGN.md`).
pub const RESERVE_PREFETCH_DISTANCE: usize = 3;
