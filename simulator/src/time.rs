//! Simulated time is milliseconds since the horizon's first midnight.

/// Milliseconds in an hour.
pub const MS_PER_HOUR: u64 = 3_600_000;
/// Milliseconds in a day.
pub const MS_PER_DAY: u64 = 24 * MS_PER_HOUR;
