//! How far below its reorder point an inventory position already is when a daily look finds it
//! crossed.
//!
//! A reorder point checked once a day is not met exactly: the day's demand carries the position
//! past it, and the order placed at the close must cover that undershoot as well as the lead
//! time's demand (P(no stockout) = P(D_L + U ≤ s)). Renewal theory gives the undershoot's
//! distribution from one day's demand D alone (the forward recurrence of the crossing day):
//! `E[U] = E[D²] / (2 E[D])` and `E[U²] = E[D³] / (3 E[D])`. For a steady demand of d a day that
//! is uniform on [0, d] (mean d/2, variance d²/12); for lumpy demand it is the size of the lumps,
//! whatever the mean. The moments are taken from the cell's own days ([`DemandMoments`]), so no
//! shape is assumed.

/// Weight of the newest day in a cell's demand moments (about 50 days of memory).
pub const MOMENT_SMOOTHING: f64 = 0.02;

/// The undershoot below a reorder point, units.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Undershoot {
    /// Its mean.
    pub mean_units: f64,
    /// Its variance, units².
    pub variance_units2: f64,
}

impl Undershoot {
    /// The undershoot of a day whose demand is `factor` times as large.
    pub fn scaled(self, factor: f64) -> Undershoot {
        Undershoot {
            mean_units: self.mean_units * factor,
            variance_units2: self.variance_units2 * factor * factor,
        }
    }
}

/// The undershoot of a position that one day's demand, with raw moments `first` (`E[D]`),
/// `second` (`E[D²]`) and `third` (`E[D³]`), carries past a reorder point; none without demand.
pub fn undershoot(first: f64, second: f64, third: f64) -> Undershoot {
    if first <= 0.0 {
        return Undershoot::default();
    }
    let mean_units = second / (2.0 * first);
    let second_moment = third / (3.0 * first);
    Undershoot {
        mean_units,
        variance_units2: (second_moment - mean_units * mean_units).max(0.0),
    }
}

/// Exponentially weighted raw moments of a series' daily demand ([`MOMENT_SMOOTHING`]); the
/// first day sets them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DemandMoments {
    first: f64,
    second: f64,
    third: f64,
    days: u64,
}

impl DemandMoments {
    /// One more day of `units`.
    pub fn observe(&mut self, units: f64) {
        let powers = [units, units * units, units * units * units];
        let weight = if self.days == 0 {
            1.0
        } else {
            MOMENT_SMOOTHING
        };
        for (moment, power) in [&mut self.first, &mut self.second, &mut self.third]
            .into_iter()
            .zip(powers)
        {
            *moment += weight * (power - *moment);
        }
        self.days += 1;
    }

    /// Days observed.
    pub fn days(&self) -> u64 {
        self.days
    }

    /// The undershoot these days' demand gives.
    pub fn undershoot(&self) -> Undershoot {
        undershoot(self.first, self.second, self.third)
    }
}

#[cfg(test)]
mod tests {
    use rand::{RngExt, SeedableRng};

    use super::*;

    #[test]
    fn steady_demand_undershoots_uniformly() {
        let mut m = DemandMoments::default();
        for _ in 0..100 {
            m.observe(12.0);
        }
        let u = m.undershoot();
        assert!((u.mean_units - 6.0).abs() < 1e-9, "{u:?}");
        assert!((u.variance_units2 - 12.0).abs() < 1e-9, "{u:?}");
        assert_eq!(DemandMoments::default().undershoot(), Undershoot::default());
    }

    /// A position drawn down by lumpy whole-unit days (no demand on 70 % of days, else 1 to 6
    /// units) from a restart point whose fraction varies, as a reorder point's does: the
    /// undershoots below the point have the mean and variance the moments give, within 2 %.
    #[test]
    fn a_simulated_position_undershoots_as_the_moments_say() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let mut day = || -> f64 {
            if rng.random_bool(0.7) {
                0.0
            } else {
                rng.random_range(1..=6) as f64
            }
        };
        let mut moments = DemandMoments::default();
        let (mut sum, mut sum_squares, mut count) = (0.0, 0.0, 0.0);
        let mut rng_point = rand::rngs::StdRng::seed_from_u64(6);
        for _ in 0..200_000 {
            let point = 50.0 + rng_point.random::<f64>();
            let mut position = 80.0;
            while position >= point {
                let d = day();
                moments.observe(d);
                position -= d;
            }
            let u = point - position;
            sum += u;
            sum_squares += u * u;
            count += 1.0;
        }
        let mean = sum / count;
        let variance = sum_squares / count - mean * mean;
        // The exact moments of the day: E[D] = 0.3 · 3.5, E[D²] = 0.3 · 91/6, E[D³] = 0.3 · 441/6.
        let exact = undershoot(0.3 * 3.5, 0.3 * 91.0 / 6.0, 0.3 * 441.0 / 6.0);
        assert!(
            (mean / exact.mean_units - 1.0).abs() < 0.02,
            "{mean} {exact:?}"
        );
        assert!(
            (variance / exact.variance_units2 - 1.0).abs() < 0.02,
            "{variance} {exact:?}"
        );
        // The running moments come near the exact ones (the last ~50 days weigh most).
        let running = moments.undershoot();
        assert!((running.mean_units / exact.mean_units - 1.0).abs() < 0.5);
    }
}
