//! The journal's decoder on hostile bytes: any input gives records or a typed error, never a
//! panic; a damaged journal recovers a prefix of what was written, or refuses.

use proptest::prelude::*;

use qm_engine::journal::{self, Command, JournalError};
use qm_engine::*;

fn commands(n: usize) -> Vec<Command> {
    (0..n)
        .map(|i| match i % 3 {
            0 => Command::Receive {
                sku: SkuId(i as u32),
                warehouse: WarehouseId(0),
                units: i as i64 + 1,
                now_ms: i as u64,
            },
            1 => Command::Confirm {
                order: OrderId(i as u64),
                now_ms: i as u64,
            },
            _ => Command::ExpireHolds { now_ms: i as u64 },
        })
        .collect()
}

fn encoded(commands: &[Command]) -> Vec<u8> {
    journal::encode_journal(commands)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(tail in prop::collection::vec(any::<u8>(), 0..600), magic in any::<bool>()) {
        let mut bytes = if magic { journal::MAGIC.to_vec() } else { Vec::new() };
        bytes.extend(tail);
        if let Ok(scan) = journal::scan(&bytes) {
            prop_assert!(scan.valid_len <= bytes.len());
        }
    }

    #[test]
    fn damage_recovers_a_prefix_or_is_refused(
        n in 1usize..20,
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..3),
    ) {
        let written = commands(n);
        let mut bytes = encoded(&written);
        let cut = journal::MAGIC.len() + cut.index(bytes.len() - journal::MAGIC.len() + 1);
        bytes.truncate(cut);
        for (at, mask) in &flips {
            if bytes.len() > journal::MAGIC.len() {
                let i = journal::MAGIC.len() + at.index(bytes.len() - journal::MAGIC.len());
                bytes[i] ^= mask;
            }
        }
        match journal::scan(&bytes) {
            Ok(scan) => {
                let read: Vec<Command> = scan.records.iter().map(|r| r.command.clone()).collect();
                prop_assert_eq!(&read[..], &written[..read.len()], "not a prefix of what was written");
                prop_assert_eq!(scan.torn.is_none(), scan.valid_len == bytes.len());
            }
            Err(JournalError::Corrupted { .. } | JournalError::OutOfSequence { .. } | JournalError::Undecodable { .. }) => {
                prop_assert!(!flips.is_empty(), "an undamaged prefix was refused");
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    #[test]
    fn snapshot_decoding_refuses_damage_and_never_panics(
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
        cut in prop::option::of(any::<prop::sample::Index>()),
        noise in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let engine = crate::fixture::engine(StrategyKind::Nearest, &[(crate::fixture::A, crate::fixture::LON, 5)]);
        let request = crate::fixture::request(
            crate::fixture::order(1, &[(crate::fixture::A, 2)]),
            SplitPolicy::SplitAllowed,
        );
        engine.reserve(&request, 0).unwrap();
        let bytes = qm_engine::snapshot::encode(1, &engine.export_state());
        let mut damaged = bytes.clone();
        for (at, mask) in &flips {
            let i = at.index(damaged.len());
            damaged[i] ^= mask;
        }
        if let Some(cut) = cut {
            damaged.truncate(cut.index(damaged.len()));
        }
        prop_assert!(qm_engine::snapshot::decode(&damaged).is_err(), "a damaged snapshot decoded");
        prop_assert!(qm_engine::snapshot::decode(&noise).is_err());
    }
}
