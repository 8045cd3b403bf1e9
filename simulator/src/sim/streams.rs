//! Named random streams derived from the run's seed.

use rand::rngs::StdRng;
use rand::SeedableRng;

/// A generator for one named purpose, derived from the run's seed: adding a stream never shifts the others.
pub fn stream(seed: u64, name: &str) -> StdRng {
    // FNV-1a of the name, mixed with the seed.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    });
    StdRng::seed_from_u64(seed ^ hash)
}
