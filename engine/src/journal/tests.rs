use super::*;

fn journal(commands: &[Command]) -> Vec<u8> {
    encode_journal(commands)
}

fn commands() -> Vec<Command> {
    (0..5)
        .map(|i| Command::Receive {
            sku: SkuId(i),
            warehouse: WarehouseId(1),
            units: 10 + i as i64,
            now_ms: 1_000 * i as u64,
        })
        .collect()
}

#[test]
fn records_round_trip_in_order() {
    let bytes = journal(&commands());
    let found = scan(&bytes).unwrap();
    assert_eq!(found.torn, None);
    assert_eq!(found.valid_len, bytes.len());
    let back: Vec<Command> = found.records.iter().map(|r| r.command.clone()).collect();
    assert_eq!(back, commands());
    assert_eq!(found.records[2].seq, 3);
}

#[test]
fn a_torn_last_record_is_cut_at_the_last_whole_one() {
    let bytes = journal(&commands());
    let whole = scan(&bytes).unwrap();
    let last = whole.records[4].offset;
    // Every cut inside the last record, and a tail of zeros (a preallocated file).
    for cut in last + 1..bytes.len() {
        let found = scan(&bytes[..cut]).unwrap();
        assert_eq!(found.records.len(), 4, "cut at {cut}");
        assert_eq!(found.valid_len, last);
        assert_eq!(found.torn.as_ref().unwrap().bytes, cut - last);
    }
    let mut zeros = bytes.clone();
    zeros.extend([0u8; 100]);
    let found = scan(&zeros).unwrap();
    assert_eq!((found.records.len(), found.valid_len), (5, bytes.len()));
    // A flipped bit in the last record's payload: torn, cut, reported.
    let mut flipped = bytes.clone();
    *flipped.last_mut().unwrap() ^= 0x10;
    let found = scan(&flipped).unwrap();
    assert_eq!(found.records.len(), 4);
    assert_eq!(found.torn.unwrap().reason, "its checksum does not match");
}

#[test]
fn damage_in_the_middle_is_refused_not_skipped() {
    let bytes = journal(&commands());
    let whole = scan(&bytes).unwrap();
    let second = whole.records[1].offset;
    let mut damaged = bytes.clone();
    damaged[second + RECORD_HEADER_BYTES] ^= 0xff;
    let error = scan(&damaged).unwrap_err();
    assert_eq!(
        error,
        JournalError::Corrupted {
            offset: second,
            expected_seq: 2,
            reason: "its checksum does not match".into(),
            next_valid_offset: whole.records[2].offset,
        }
    );
    assert!(error.to_string().contains("Refusing to skip them"));
    // A whole record repeated is out of sequence.
    let mut repeated = bytes.clone();
    repeated.extend_from_slice(&bytes[whole.records[4].offset..]);
    assert!(matches!(
        scan(&repeated),
        Err(JournalError::OutOfSequence {
            found: 5,
            expected: 6,
            ..
        })
    ));
    assert!(matches!(
        scan(b"QMRUN\x00\x00\x02"),
        Err(JournalError::NotAJournal { .. })
    ));
}
