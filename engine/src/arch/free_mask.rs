//! Which cells of a stock row have enough free units: one bit per cell.
//!
//! A stock word holds on-hand units in its high 32 bits and committed units in its low 32,
//! committed ≤ on hand ≤ [`MAX_CELL_UNITS`] (the inventory keeps both). The words are read
//! one by one with relaxed loads (a vector load of atomics would be a data race in Rust's
//! model); the callers check again with the CAS that takes.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::constants::MAX_CELL_UNITS;

/// Bit `i` set when word `i` of `words` (at most 64) has at least `units` free units.
#[inline(always)]
pub(crate) fn has_free_mask(words: &[AtomicU64], units: i64) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        has_free_mask_sse2(words, units)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        has_free_bits(words, units, 0)
    }
}

/// [`has_free_mask`] one word at a time, as bits from `first` up: the portable path, and the
/// words past the last whole quad of the vector path.
#[inline(always)]
pub(crate) fn has_free_bits(words: &[AtomicU64], units: i64, first: usize) -> u64 {
    let mut mask = 0;
    for (i, word) in words.iter().enumerate() {
        let word = word.load(Ordering::Relaxed);
        let free = (word >> 32) as u32 - word as u32;
        mask |= ((free as i64 >= units) as u64) << (first + i);
    }
    mask
}

/// [`has_free_mask`] four words per SSE2 operation (part of every x86_64 target, so no
/// detection): a plan asks it for every warehouse at once, and the scalar loop costs several
/// times more per warehouse. Compared as 32-bit lanes: both counts stay below 2^31.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn has_free_mask_sse2(words: &[AtomicU64], units: i64) -> u64 {
    const _: () = assert!(MAX_CELL_UNITS <= i32::MAX as u32);
    if units > MAX_CELL_UNITS as i64 {
        return 0; // No cell holds that many.
    }
    // free >= units  <=>  free > units - 1, in the lanes' range.
    let threshold = (units.max(0) - 1) as i32;
    // Rows of eight warehouses unrolled: the loop's counter and variable shifts cost more
    // than the two quads' arithmetic.
    if let Ok(row) = <&[AtomicU64; 8]>::try_from(words) {
        let (low, high) = row.split_at(4);
        return (quad_has_free(low, threshold) | quad_has_free(high, threshold) << 4) as u64;
    }
    let mut chunks = words.chunks_exact(4);
    let mut mask = 0u64;
    let mut first = 0;
    for quad in &mut chunks {
        mask |= (quad_has_free(quad, threshold) as u64) << first;
        first += 4;
    }
    mask | has_free_bits(chunks.remainder(), units, first)
}

/// Bits 0..4 of [`has_free_mask`] for the four words of `quad`: free > `threshold`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn quad_has_free(quad: &[AtomicU64], threshold: i32) -> u32 {
    use std::arch::x86_64::*;
    let word = |i: usize| quad[i].load(Ordering::Relaxed) as i64;
    // Arithmetic intrinsics are safe to call on x86_64 from Rust 1.87; this crate builds
    // from 1.85.
    #[allow(unused_unsafe)]
    // SAFETY: SSE2 is enabled on every x86_64 target; no pointer is read.
    unsafe {
        // Lanes (committed, on hand) of words 0 and 1, then of words 2 and 3.
        let low = _mm_castsi128_ps(_mm_set_epi64x(word(1), word(0)));
        let high = _mm_castsi128_ps(_mm_set_epi64x(word(3), word(2)));
        let committed = _mm_castps_si128(_mm_shuffle_ps::<0b10_00_10_00>(low, high));
        let on_hand = _mm_castps_si128(_mm_shuffle_ps::<0b11_01_11_01>(low, high));
        let free = _mm_sub_epi32(on_hand, committed);
        _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(
            free,
            _mm_set1_epi32(threshold),
        ))) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{Just, Strategy};

    proptest::proptest! {
        /// The dispatched mask (the vector path on x86_64) and the portable one against the
        /// definition, for every row length up to 64 words (whole quads and a remainder),
        /// stock at the limits and quantities out of range.
        #[test]
        fn both_paths_are_the_cells_with_enough_free_units(
            // Rows of eight words (the unrolled path) and of one quad as often as all others.
            cells in proptest::prop_oneof![Just(4usize), Just(8usize), 1..=64usize].prop_flat_map(|len| {
                proptest::collection::vec(
                    (
                        proptest::prop_oneof![Just(0u32), Just(MAX_CELL_UNITS), 0..40u32],
                        proptest::prop_oneof![Just(0u32), Just(MAX_CELL_UNITS), 0..40u32],
                    ),
                    len,
                )
            }),
            units in proptest::prop_oneof![
                Just(i64::MIN), Just(-1i64), Just(0i64), Just(i32::MAX as i64 + 1), Just(i64::MAX),
                1..45i64,
            ],
        ) {
            // (on hand, committed) with committed <= on hand, as the inventory keeps them.
            let cells: Vec<(u32, u32)> = cells.into_iter().map(|(a, b)| (a.max(b), a.min(b))).collect();
            let words: Vec<AtomicU64> = cells
                .iter()
                .map(|&(on_hand, committed)| AtomicU64::new((on_hand as u64) << 32 | committed as u64))
                .collect();
            let expected = cells
                .iter()
                .enumerate()
                .filter(|(_, &(on_hand, committed))| (on_hand - committed) as i64 >= units)
                .fold(0u64, |mask, (i, _)| mask | 1 << i);
            proptest::prop_assert_eq!(has_free_mask(&words, units), expected);
            proptest::prop_assert_eq!(has_free_bits(&words, units, 0), expected);
        }
    }
}
