//! Locations on the Earth and great-circle distances.
//!
//! A [`GeoPoint`] carries its unit vector, computed once when the point is made
//! (at the edge, when an order or warehouse is read). Ranking warehouses by
//! distance is then a dot product per warehouse: no trigonometry on the hot path.

use crate::arch::UnitColumns;
use crate::constants::{EARTH_RADIUS_KM, MAX_WAREHOUSES};

/// A latitude/longitude in degrees with its precomputed unit vector. Encoded as its two
/// degrees only; decoding checks them again and recomputes the vector.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(into = "(f64, f64)", try_from = "(f64, f64)")]
pub struct GeoPoint {
    latitude_deg: f64,
    longitude_deg: f64,
    unit: [f64; 3],
}

/// A latitude or longitude outside its range, or not a number.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[error("invalid location ({latitude_deg}, {longitude_deg}): latitude must be within -90..=90 and longitude within -180..=180 degrees")]
pub struct InvalidLocation {
    /// The latitude given.
    pub latitude_deg: f64,
    /// The longitude given.
    pub longitude_deg: f64,
}

impl From<GeoPoint> for (f64, f64) {
    fn from(point: GeoPoint) -> Self {
        (point.latitude_deg, point.longitude_deg)
    }
}

impl TryFrom<(f64, f64)> for GeoPoint {
    type Error = InvalidLocation;
    fn try_from((latitude_deg, longitude_deg): (f64, f64)) -> Result<Self, Self::Error> {
        GeoPoint::new(latitude_deg, longitude_deg)
    }
}

impl GeoPoint {
    /// A point from degrees; refuses values out of range or NaN.
    pub fn new(latitude_deg: f64, longitude_deg: f64) -> Result<Self, InvalidLocation> {
        let valid =
            (-90.0..=90.0).contains(&latitude_deg) && (-180.0..=180.0).contains(&longitude_deg);
        if !valid {
            return Err(InvalidLocation {
                latitude_deg,
                longitude_deg,
            });
        }
        let (lat, lon) = (latitude_deg.to_radians(), longitude_deg.to_radians());
        let unit = [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()];
        Ok(Self {
            latitude_deg,
            longitude_deg,
            unit,
        })
    }

    /// Latitude in degrees.
    pub fn latitude_deg(&self) -> f64 {
        self.latitude_deg
    }

    /// Longitude in degrees.
    pub fn longitude_deg(&self) -> f64 {
        self.longitude_deg
    }

    /// Cosine of the central angle to `other`: larger means closer. Monotone in
    /// distance, so it ranks without any trigonometry.
    #[inline]
    pub fn closeness(&self, other: &GeoPoint) -> f64 {
        self.unit[0] * other.unit[0] + self.unit[1] * other.unit[1] + self.unit[2] * other.unit[2]
    }

    /// Great-circle distance in kilometres. Uses atan2(|a×b|, a·b), which stays
    /// accurate for near and antipodal points alike.
    pub fn distance_km(&self, other: &GeoPoint) -> f64 {
        self.unit_vector().distance_km(other)
    }

    /// The point without its degrees: all that distances need, in 24 bytes instead of 40.
    pub(crate) fn unit_vector(&self) -> UnitVector {
        UnitVector(self.unit)
    }
}

/// The warehouses' unit vectors by coordinate ([`UnitColumns`]), so that the closeness of a
/// point to every warehouse is one tight loop over three small arrays, instead of a dot
/// product per warehouse reached through its record (where the location sits among the code,
/// capacities and cutoff).
#[derive(Clone, Debug)]
pub(crate) struct Locations(UnitColumns);

impl Locations {
    /// The locations of `points`, warehouse `i` at index `i`. At most [`MAX_WAREHOUSES`].
    pub(crate) fn new<'a>(points: impl ExactSizeIterator<Item = &'a GeoPoint>) -> Self {
        assert!(
            points.len() <= MAX_WAREHOUSES,
            "{} warehouses",
            points.len()
        );
        Self(UnitColumns::new(points.map(|point| point.unit)))
    }

    /// [`GeoPoint::closeness`] of `point` to warehouse `warehouse`, bit for bit (same
    /// products, added in the same order).
    #[inline]
    pub(crate) fn closeness(&self, point: &GeoPoint, warehouse: usize) -> f64 {
        self.0.closeness(point.unit, warehouse)
    }

    /// The warehouse of `eligible` (bit `i` = warehouse `i`, none past the last warehouse)
    /// closest to `point`, ties to the lower index; `None` if the mask is empty. The closeness
    /// values are [`Locations::closeness`]'s, bit for bit.
    #[inline]
    pub(crate) fn closest(&self, point: &GeoPoint, eligible: u64) -> Option<usize> {
        debug_assert!(
            self.0.padded() == MAX_WAREHOUSES || eligible >> self.0.padded() == 0,
            "mask {eligible:#x} names a warehouse past the last"
        );
        (eligible != 0).then(|| self.0.closest(point.unit, eligible))
    }
}

/// A point as a unit vector only: what an order record keeps of its ship-to
/// (distances for carrier quotes), so the record stays within three cache lines.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct UnitVector(pub(crate) [f64; 3]);

impl UnitVector {
    /// Great-circle distance in kilometres. Uses atan2(|a×b|, a·b), which stays
    /// accurate for near and antipodal points alike.
    pub(crate) fn distance_km(&self, other: &GeoPoint) -> f64 {
        let (a, b) = (self.0, other.unit);
        let cross = [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ];
        let sin = (cross[0] * cross[0] + cross[1] * cross[1] + cross[2] * cross[2]).sqrt();
        let cos = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
        sin.atan2(cos) * EARTH_RADIUS_KM
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn london_to_paris_is_344_km() {
        let london = GeoPoint::new(51.5074, -0.1278).unwrap();
        let paris = GeoPoint::new(48.8566, 2.3522).unwrap();
        let km = london.distance_km(&paris);
        assert!((km - 343.5).abs() < 1.5, "got {km}");
        assert!(
            london.closeness(&paris) > london.closeness(&GeoPoint::new(40.7128, -74.006).unwrap())
        );
    }

    proptest::proptest! {
        /// `Locations::closest` is the brute-force answer: the eligible warehouse of greatest
        /// closeness, ties to the lower index. Coordinates are drawn from a few values, so that
        /// warehouses often share a location and ties happen; masks may name none.
        #[test]
        fn closest_is_the_brute_force_closest(
            warehouses in proptest::collection::vec((0..4i32, 0..4i32), 1..=MAX_WAREHOUSES),
            ship_to in (-90.0..=90.0f64, -180.0..=180.0f64),
            // Half the cases every warehouse: `closest` has a path of its own for that mask.
            eligible in proptest::prop_oneof![proptest::strategy::Just(u64::MAX), proptest::num::u64::ANY],
        ) {
            let points: Vec<GeoPoint> = warehouses
                .iter()
                .map(|&(lat, lon)| GeoPoint::new(lat as f64 * 30.0, lon as f64 * 60.0 - 90.0).unwrap())
                .collect();
            let ship_to = GeoPoint::new(ship_to.0, ship_to.1).unwrap();
            let eligible = eligible & (u64::MAX >> (64 - points.len()));
            let mut expected: Option<usize> = None;
            for (i, point) in points.iter().enumerate() {
                if eligible >> i & 1 == 1
                    && expected.is_none_or(|best| ship_to.closeness(point) > ship_to.closeness(&points[best]))
                {
                    expected = Some(i);
                }
            }
            let locations = Locations::new(points.iter());
            proptest::prop_assert_eq!(locations.closest(&ship_to, eligible), expected);
            for (i, point) in points.iter().enumerate() {
                proptest::prop_assert_eq!(locations.closeness(&ship_to, i).to_bits(), ship_to.closeness(point).to_bits());
            }
        }
    }

    #[test]
    fn same_point_is_zero_and_bad_coordinates_are_refused() {
        let p = GeoPoint::new(10.0, 20.0).unwrap();
        assert_eq!(p.distance_km(&p), 0.0);
        assert!(GeoPoint::new(91.0, 0.0).is_err());
        assert!(GeoPoint::new(0.0, f64::NAN).is_err());
    }
}
