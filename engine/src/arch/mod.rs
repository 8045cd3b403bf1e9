//! Every piece of the engine written for one CPU family, each beside its portable fallback.
//!
//! The rest of the engine calls these functions and never names an instruction set. Each
//! piece has a portable definition that other targets compile, and the tests run both on
//! x86_64 and compare them:
//!
//! | piece | x86_64 | portable | why it exists |
//! | --- | --- | --- | --- |
//! | `prefetch_address` | `prefetcht0` | nothing | the reserve path's misses overlap its work |
//! | `prefetch_address_for_write` | `prefetchw`, where CPUID has it | nothing | a row read and then taken is fetched owned, not shared |
//! | `UnitColumns::closest` | SSE2, two warehouses an operation, no data-dependent branch | a scan in index order | `nearest` asks it for most orders |
//! | `has_free_mask` | SSE2, four cells an operation | a loop over the row | `priority` and `nearest` mask a row's warehouses with enough units |
//!
//! The vector paths are property-tested against the portable ones and a brute force (bit for
//! bit: the same products are added in the same order). A prefetch is a hint: its test checks
//! that hints on live, null and unmapped addresses fault nowhere and change nothing.

mod closest;
mod free_mask;
mod prefetch;

pub(crate) use closest::UnitColumns;
pub(crate) use free_mask::has_free_mask;
pub(crate) use prefetch::{has_prefetch_for_write, prefetch_address, prefetch_address_for_write};

/// Asks the CPU to bring the cache line holding `pointer` in (`prefetcht0` on x86_64, nothing
/// elsewhere). A hint: it never faults, even on a dangling or null pointer, and changes no
/// memory. Public for the benchmarks, which measure the memory system with the engine's hint.
#[inline]
pub fn prefetch_read<T>(pointer: *const T) {
    prefetch_address(pointer as usize);
}
