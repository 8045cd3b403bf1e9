//! Simulated time is milliseconds since the horizon's first midnight.

/// Milliseconds in an hour.
pub const MS_PER_HOUR: u64 = 3_600_000;
/// Milliseconds in a day.
pub const MS_PER_DAY: u64 = 24 * MS_PER_HOUR;

/// `now_ms` plus a drawn duration of `delta_ms` (≥ 0): saturating, so a huge draw lands at the
/// end of time instead of wrapping around to the past.
pub fn later_ms(now_ms: u64, delta_ms: f64) -> u64 {
    // `as` saturates a float (NaN and negatives to 0).
    now_ms.saturating_add(delta_ms as u64)
}
