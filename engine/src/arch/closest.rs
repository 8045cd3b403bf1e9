//! The closest of a set of unit vectors to a point: the greatest closeness (dot product),
//! ties to the lower index.

use crate::constants::MAX_WAREHOUSES;

/// Lanes of the closeness loop: vectors are padded to a multiple of it.
const LANES: usize = 4;

/// Unit vectors by coordinate (structure of arrays, zero-padded to a whole number of
/// [`LANES`]), so that the closeness of a point to every vector is one tight loop over three
/// small arrays.
#[derive(Clone, Debug)]
pub(crate) struct UnitColumns {
    x: Box<[f64; MAX_WAREHOUSES]>,
    y: Box<[f64; MAX_WAREHOUSES]>,
    z: Box<[f64; MAX_WAREHOUSES]>,
    /// Vectors, rounded up to a multiple of [`LANES`].
    padded: usize,
    /// The mask of every vector when there are no padding lanes (else 0, no mask's value
    /// that `closest` sees): the closest of them needs no ineligible lane pushed down.
    every: u64,
}

impl UnitColumns {
    /// The columns of `units`, vector `i` at index `i`. At most [`MAX_WAREHOUSES`].
    pub(crate) fn new(units: impl ExactSizeIterator<Item = [f64; 3]>) -> Self {
        let count = units.len();
        assert!(count <= MAX_WAREHOUSES, "{count} vectors");
        let mut columns = Self {
            x: Box::new([0.0; MAX_WAREHOUSES]),
            y: Box::new([0.0; MAX_WAREHOUSES]),
            z: Box::new([0.0; MAX_WAREHOUSES]),
            padded: count.div_ceil(LANES) * LANES,
            every: if count.is_multiple_of(LANES) && count > 0 {
                u64::MAX >> (64 - count)
            } else {
                0
            },
        };
        for (i, unit) in units.enumerate() {
            [columns.x[i], columns.y[i], columns.z[i]] = unit;
        }
        columns
    }

    /// Vectors, rounded up to a multiple of [`LANES`]: masks name none past it.
    pub(crate) fn padded(&self) -> usize {
        self.padded
    }

    /// The dot product of `point` and vector `i`: products added x, y, z, as every path here.
    #[inline]
    pub(crate) fn closeness(&self, point: [f64; 3], i: usize) -> f64 {
        let [px, py, pz] = point;
        px * self.x[i] + py * self.y[i] + pz * self.z[i]
    }

    /// The vector of `eligible` (bit `i` = vector `i`; not empty, none past [`Self::padded`])
    /// closest to `point`, ties to the lower index. SSE2 on x86_64, else the portable scan.
    #[inline]
    pub(crate) fn closest(&self, point: [f64; 3], eligible: u64) -> usize {
        debug_assert!(eligible != 0, "no vector eligible");
        #[cfg(target_arch = "x86_64")]
        {
            // Fully unrolled for the common network sizes. Every vector eligible (most first
            // choices): adding a bias of 0 changes no value, so it is left out.
            let every = eligible == self.every;
            match (self.padded, every) {
                (4, false) => self.closest_sse2::<2, true>(point, eligible),
                (4, true) => self.closest_sse2::<2, false>(point, eligible),
                (8, false) => self.closest_sse2::<4, true>(point, eligible),
                (8, true) => self.closest_sse2::<4, false>(point, eligible),
                _ => self.closest_sse2::<{ MAX_WAREHOUSES / 2 }, true>(point, eligible),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self.closest_portable(point, eligible)
        }
    }

    /// [`UnitColumns::closest`] two vectors per SSE2 operation (part of every x86_64 target,
    /// so no detection): closeness of every vector, pushed below -3 for those the mask leaves
    /// out (see [`INELIGIBLE_BIAS`]), then the lowest index that equals the maximum. No branch
    /// depends on the data: which vector wins is not a pattern a predictor learns. `PAIRS` is
    /// at least `padded / 2`; without `BIAS`, `eligible` names every lane.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn closest_sse2<const PAIRS: usize, const BIAS: bool>(
        &self,
        point: [f64; 3],
        eligible: u64,
    ) -> usize {
        use std::arch::x86_64::*;
        let [px, py, pz] = point;
        let pairs = (self.padded / 2).min(PAIRS);
        let mut closeness = [std::mem::MaybeUninit::<__m128d>::uninit(); PAIRS];
        // Arithmetic intrinsics are safe to call on x86_64 from Rust 1.87; this crate builds
        // from 1.85.
        #[allow(unused_unsafe)]
        // SAFETY: SSE2 is enabled on every x86_64 target. The loads read pairs `2k, 2k + 1`
        // below `padded` <= 64, inside the three 64-entry arrays and the bias table (index
        // 0..=3); the second loop reads only the `pairs` entries the first one wrote.
        unsafe {
            let (px, py, pz) = (_mm_set1_pd(px), _mm_set1_pd(py), _mm_set1_pd(pz));
            let mut max = _mm_set1_pd(f64::NEG_INFINITY);
            for (k, slot) in closeness[..pairs].iter_mut().enumerate() {
                let i = 2 * k;
                // Products summed in `closeness`'s order: the same value to the bit.
                let dot = _mm_add_pd(
                    _mm_add_pd(
                        _mm_mul_pd(px, _mm_loadu_pd(self.x.as_ptr().add(i))),
                        _mm_mul_pd(py, _mm_loadu_pd(self.y.as_ptr().add(i))),
                    ),
                    _mm_mul_pd(pz, _mm_loadu_pd(self.z.as_ptr().add(i))),
                );
                let biased = if BIAS {
                    let bias = &INELIGIBLE_BIAS[((eligible >> i) & 0b11) as usize];
                    _mm_add_pd(dot, _mm_loadu_pd(bias.as_ptr()))
                } else {
                    dot
                };
                slot.write(biased);
                max = _mm_max_pd(max, biased);
            }
            let max = _mm_max_pd(max, _mm_unpackhi_pd(max, max));
            let max = _mm_unpacklo_pd(max, max);
            let mut winners = 0u64;
            for (k, biased) in closeness[..pairs].iter().enumerate() {
                let equal = _mm_movemask_pd(_mm_cmpeq_pd(biased.assume_init(), max)) as u64;
                winners |= equal << (2 * k);
            }
            winners.trailing_zeros() as usize
        }
    }

    /// [`UnitColumns::closest`] without SIMD, a lane of closeness values at a time scanned in
    /// index order with a strict comparison (which keeps ties low).
    #[cfg(any(test, not(target_arch = "x86_64")))]
    pub(crate) fn closest_portable(&self, point: [f64; 3], eligible: u64) -> usize {
        let [px, py, pz] = point;
        let n = self.padded;
        let (mut best, mut best_closeness) = (usize::MAX, f64::NEG_INFINITY);
        let lanes = self.x[..n]
            .chunks_exact(LANES)
            .zip(self.y[..n].chunks_exact(LANES))
            .zip(self.z[..n].chunks_exact(LANES));
        for (chunk, ((xs, ys), zs)) in lanes.enumerate() {
            for lane in 0..LANES {
                let i = chunk * LANES + lane;
                let c = px * xs[lane] + py * ys[lane] + pz * zs[lane];
                if (eligible >> i) & 1 != 0 && c > best_closeness {
                    (best, best_closeness) = (i, c);
                }
            }
        }
        debug_assert!(best != usize::MAX, "no vector of {eligible:#x}");
        best
    }
}

/// Added to the closeness of the vectors a mask leaves out, by pair of lanes (index bit 0 =
/// the low lane): closeness of unit vectors is in [-1, 1], so a left-out one, at -3 or
/// below, never beats an eligible one, and `x + 0.0` leaves an eligible one's value as it was.
#[cfg(target_arch = "x86_64")]
const INELIGIBLE_BIAS: [[f64; 2]; 4] = [[-4.0, -4.0], [0.0, -4.0], [-4.0, 0.0], [0.0, 0.0]];

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(latitude_deg: f64, longitude_deg: f64) -> [f64; 3] {
        let (lat, lon) = (latitude_deg.to_radians(), longitude_deg.to_radians());
        [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
    }

    proptest::proptest! {
        /// The dispatched answer (SSE2 on x86_64, with each unrolled size and the every-lane
        /// shortcut) is the portable scan's, and both are the brute-force maximum. Vectors
        /// are drawn from a few directions, so that ties are common.
        #[test]
        fn both_paths_are_the_brute_force_closest(
            vectors in proptest::collection::vec((0..4i32, 0..4i32), 1..=MAX_WAREHOUSES),
            point in (-90.0..=90.0f64, -180.0..=180.0f64),
            eligible in proptest::prop_oneof![proptest::strategy::Just(u64::MAX), proptest::num::u64::ANY],
        ) {
            let units: Vec<[f64; 3]> = vectors
                .iter()
                .map(|&(lat, lon)| unit(lat as f64 * 30.0, lon as f64 * 60.0 - 90.0))
                .collect();
            let columns = UnitColumns::new(units.iter().copied());
            let point = unit(point.0, point.1);
            let eligible = eligible & (u64::MAX >> (64 - units.len()));
            proptest::prop_assume!(eligible != 0);
            let mut expected = usize::MAX;
            for i in 0..units.len() {
                if eligible >> i & 1 == 1
                    && (expected == usize::MAX || columns.closeness(point, i) > columns.closeness(point, expected))
                {
                    expected = i;
                }
            }
            proptest::prop_assert_eq!(columns.closest(point, eligible), expected);
            proptest::prop_assert_eq!(columns.closest_portable(point, eligible), expected);
        }
    }
}
