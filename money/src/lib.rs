//! Money as one type: [`Cents`], whole cents of the scenario's currency.
//!
//! Every amount the engine, the simulator and the reports hold is a `Cents`. Amounts are exact
//! (an integer), add without rounding (saturating at `u64::MAX` cents), and are shown with their
//! unit. A computed amount that is not whole (a holding charge, a rate × a value) is rounded
//! once, where it becomes an amount, by [`Cents::from_rounded`].

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

/// An amount of money in whole cents. Serialises as the bare integer.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(u64);

impl Cents {
    /// No money.
    pub const ZERO: Cents = Cents(0);

    /// `cents` whole cents.
    pub const fn new(cents: u64) -> Cents {
        Cents(cents)
    }

    /// The amount as a whole number of cents.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The amount in cents as a float, for statistics and formulas (exact below 2^53 cents).
    pub fn as_f64(self) -> f64 {
        self.0 as f64
    }

    /// `cents` rounded to the nearest whole cent (halves away from zero); `None` when it is
    /// negative, not finite, or beyond `u64`.
    pub fn from_rounded(cents: f64) -> Option<Cents> {
        let whole = cents.round();
        (whole.is_finite() && whole >= 0.0 && whole < u64::MAX as f64)
            .then_some(Cents(whole as u64))
    }

    /// The amount `count` times (a unit price times units, a fee times orders); saturates at
    /// `u64::MAX` cents rather than wrapping.
    pub const fn times(self, count: u64) -> Cents {
        Cents(self.0.saturating_mul(count))
    }

    /// The amount for `numerator / denominator` of a unit, rounded up to a whole cent (a rate
    /// per kilogram for a weight in grams: `per_kg.part_rounded_up(grams, 1000)`). Exact while
    /// the result fits (a product past `u64` is taken in 128 bits); saturates at `u64::MAX`
    /// cents past it.
    pub const fn part_rounded_up(self, numerator: u64, denominator: u64) -> Cents {
        if let Some(product) = self.0.checked_mul(numerator) {
            return Cents(product.div_ceil(denominator));
        }
        let part = (self.0 as u128 * numerator as u128).div_ceil(denominator as u128);
        Cents(if part > u64::MAX as u128 {
            u64::MAX
        } else {
            part as u64
        })
    }
}

/// Saturates at `u64::MAX` cents, as [`Cents::times`] does, rather than wrap (or panic).
impl Add for Cents {
    type Output = Cents;
    fn add(self, other: Cents) -> Cents {
        Cents(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Cents {
    fn add_assign(&mut self, other: Cents) {
        *self = *self + other;
    }
}

impl Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        iter.fold(Cents::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Cents> for Cents {
    fn sum<I: Iterator<Item = &'a Cents>>(iter: I) -> Cents {
        iter.copied().sum()
    }
}

/// `1,234,567 cents`: grouped by thousands, with the unit.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                f.write_str(",")?;
            }
            write!(f, "{digit}")?;
        }
        f.write_str(" cents")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_their_unit_grouped_by_thousands() {
        assert_eq!(Cents::new(0).to_string(), "0 cents");
        assert_eq!(Cents::new(999).to_string(), "999 cents");
        assert_eq!(Cents::new(1000).to_string(), "1,000 cents");
        assert_eq!(Cents::new(1_234_567).to_string(), "1,234,567 cents");
    }

    #[test]
    fn arithmetic_is_exact_and_rounding_happens_once() {
        let total: Cents = [Cents::new(199), Cents::new(1)].iter().sum();
        assert_eq!(total, Cents::new(200));
        assert_eq!(Cents::new(250).times(3), Cents::new(750));
        assert_eq!(Cents::new(u64::MAX).times(2), Cents::new(u64::MAX));
        // Past u64::MAX cents a sum saturates too: no wrap in a release build, no panic in a
        // debug one.
        let mut near = Cents::new(u64::MAX - 1);
        near += Cents::new(5);
        assert_eq!(near, Cents::new(u64::MAX));
        assert_eq!(Cents::new(u64::MAX) + Cents::new(1), Cents::new(u64::MAX));
        // 150 cents a kilogram for 1,001 grams: 150.15 cents, rounded up.
        assert_eq!(Cents::new(150).part_rounded_up(1001, 1000), Cents::new(151));
        assert_eq!(Cents::new(150).part_rounded_up(1000, 1000), Cents::new(150));
        // The product passes u64::MAX; the part does not.
        let per_kg = Cents::new(100_000_000);
        let grams = 6_400_000_000_000;
        assert_eq!(
            per_kg.part_rounded_up(grams, 1000),
            Cents::new(640_000_000_000_000_000)
        );
        assert_eq!(
            Cents::new(u64::MAX).part_rounded_up(u64::MAX, 1),
            Cents::new(u64::MAX)
        );
        assert_eq!(
            Cents::new(u64::MAX).part_rounded_up(3, 3),
            Cents::new(u64::MAX)
        );
        assert_eq!(Cents::from_rounded(1234.5), Some(Cents::new(1235)));
        assert_eq!(Cents::from_rounded(1234.49), Some(Cents::new(1234)));
        assert_eq!(Cents::from_rounded(-0.4), Some(Cents::new(0)));
        assert_eq!(Cents::from_rounded(-1.0), None);
        assert_eq!(Cents::from_rounded(f64::NAN), None);
        assert_eq!(Cents::from_rounded(f64::INFINITY), None);
    }

    #[test]
    fn serialises_as_the_bare_integer() {
        assert_eq!(serde_json::to_string(&Cents::new(1299)).unwrap(), "1299");
        let back: Cents = serde_json::from_str("1299").unwrap();
        assert_eq!(back, Cents::new(1299));
        assert!(serde_json::from_str::<Cents>("-1").is_err());
    }
}
