//! A state handed to `Engine::load_state` that disagrees with itself is refused with what is
//! wrong: never loaded to break an invariant later, never a panic. A snapshot's checksum only
//! says its bytes are the ones written; these are the checks of what the bytes say.

use proptest::prelude::*;

use crate::fixture::*;
use qm_engine::snapshot::{self, EngineState, SnapshotError};
use qm_engine::*;

/// Orders 1 and 2 each wait for units of A on backorder (A is out of stock everywhere), and
/// order 3 holds stock of B.
fn waiting_engine() -> Engine {
    let engine = engine(StrategyKind::Nearest, &[(B, LON, 4)]);
    for (id, units) in [(1, 2), (2, 3)] {
        hold(
            &engine,
            &request(order(id, &[(A, units)]), SplitPolicy::PartialWithBackorder),
            id,
        );
    }
    hold(
        &engine,
        &request(order(3, &[(B, 2)]), SplitPolicy::SplitAllowed),
        3,
    );
    engine
}

fn refusal(state: &EngineState) -> String {
    let fresh = engine(StrategyKind::Nearest, &[]);
    match fresh.load_state(state) {
        Err(SnapshotError::Mismatch(why)) => why,
        other => panic!("a state that disagrees with itself gave {other:?}"),
    }
}

#[test]
fn the_untouched_state_loads_and_keeps_working() {
    let state = waiting_engine().export_state();
    assert_eq!(state.backorders.len(), 2, "two orders wait");
    let restored = engine(StrategyKind::Nearest, &[]);
    restored.load_state(&state).unwrap();
    let receipt = restored.receive(A, MAN, 5, DAY_MS).unwrap();
    assert_eq!(receipt.filled.len(), 2);
    restored.check_invariants().unwrap();
}

#[test]
fn a_book_entry_naming_another_order_is_refused() {
    // Cell totals still balance: only the entry's order is wrong.
    let mut state = waiting_engine().export_state();
    state.backorders[0].3 = 999;
    let why = refusal(&state);
    assert!(
        why.contains(
            "cell 1: the book holds 2 units of order 999 line 0 at (1, 0); \
             the order waits for 2 units of order 1 line 0"
        ),
        "{why}"
    );
}

#[test]
fn a_book_entry_of_other_units_is_refused() {
    let mut state = waiting_engine().export_state();
    state.backorders[0].5 = 3;
    state.backorders[1].5 = 2;
    let why = refusal(&state);
    assert!(
        why.contains("the book holds 3 units of order 1 line 0")
            && why.contains("the order waits for 2 units of order 1 line 0"),
        "{why}"
    );
}

#[test]
fn a_key_booked_twice_is_refused_not_a_panic() {
    let mut state = waiting_engine().export_state();
    let first = state.backorders[0];
    state.backorders.push(first);
    let why = refusal(&state);
    assert!(why.contains("books the key (1, 0) twice"), "{why}");
}

#[test]
fn a_backorder_numbered_past_the_next_number_is_refused() {
    // Loaded, the next backorder would be numbered as an existing one and meet its key.
    let mut state = waiting_engine().export_state();
    assert_eq!(state.backorder_sequence, 2);
    state.backorder_sequence = 1;
    let why = refusal(&state);
    assert!(
        why.contains("a backorder numbered 1, not before the next number 1"),
        "{why}"
    );
}

#[test]
fn counters_no_engine_could_reach_are_refused() {
    // Each would overflow the check's sums, or the next count, had it been loaded.
    let mut state = waiting_engine().export_state();
    state.cells[0].ledger[0] = u64::MAX;
    state.cells[0].ledger[4] = u64::MAX;
    assert!(refusal(&state).contains("cell 0 counts more units than 72057594037927936"));
    let mut state = waiting_engine().export_state();
    state.backorder_sequence = snapshot::MAX_LOADED_COUNT + 1;
    assert!(refusal(&state).contains("the next backorder number 72057594037927937 is past"));
}

/// Where `pattern` (`what`, as the codec writes it) starts in `bytes`.
fn position(bytes: &[u8], pattern: &[u8], what: &str) -> usize {
    let at = bytes.windows(pattern.len()).position(|w| w == pattern);
    at.unwrap_or_else(|| panic!("{what} is not in the encoded state"))
}

/// A pick as the codec writes it (fixed-width little-endian): SKU, units, line, warehouse,
/// shipment, state (0 = reserved).
fn pick_bytes(sku: u32, units: u32, warehouse: u16) -> Vec<u8> {
    let mut bytes = sku.to_le_bytes().to_vec();
    bytes.extend(units.to_le_bytes());
    bytes.extend(0u16.to_le_bytes());
    bytes.extend(warehouse.to_le_bytes());
    bytes.extend(u16::MAX.to_le_bytes());
    bytes.push(0);
    bytes
}

#[test]
fn a_line_picked_as_two_skus_is_refused() {
    // Line 0 (3 of A) is held at MAN (2) and LON (1); the LON pick is rewritten as SKU B. The
    // cells no longer balance either, but the refusal names the line.
    let held = engine(StrategyKind::Nearest, &[(A, MAN, 2), (A, LON, 1)]);
    hold(
        &held,
        &request(order(1, &[(A, 3)]), SplitPolicy::SplitAllowed),
        1,
    );
    let mut bytes = codec::encode(&held.export_state()).unwrap();
    let pick = pick_bytes(A.0, 1, LON.0);
    let at = position(&bytes, &pick, "the LON pick");
    bytes[at..at + 4].copy_from_slice(&B.0.to_le_bytes());
    let why = refusal(&codec::decode(&bytes).unwrap());
    assert!(why.contains("order 1: line 0 is of two SKUs"), "{why}");
}

/// Order 1 (2 of A from MAN) confirmed: one pending shipment of allocated picks. Returns the
/// engine's encoded state and where its shipment's state byte is.
fn confirmed_state() -> (Vec<u8>, usize) {
    let confirmed = engine(StrategyKind::Nearest, &[(A, MAN, 2)]);
    hold(
        &confirmed,
        &request(order(1, &[(A, 2)]), SplitPolicy::SplitAllowed),
        1,
    );
    confirmed.confirm(OrderId(1), 2).unwrap();
    let shipment = confirmed.order(OrderId(1)).unwrap().shipments[0];
    let quote = shipment.quote.expect("a carrier serves MAN to Birmingham");
    // (warehouse, state, Some(quote)) as the codec writes it; state 0 = pending.
    let mut written = shipment.warehouse.0.to_le_bytes().to_vec();
    written.extend([0, 1]);
    written.extend(quote.carrier.0.to_le_bytes());
    written.extend(quote.cost_cents.get().to_le_bytes());
    written.extend([quote.transit_days, quote.meets_promise as u8]);
    let bytes = codec::encode(&confirmed.export_state()).unwrap();
    let at = position(&bytes, &written, "the shipment");
    (bytes, at + 2)
}

#[test]
fn a_cancelled_shipment_of_allocated_picks_is_refused() {
    let (mut bytes, state) = confirmed_state();
    bytes[state] = 2;
    let why = refusal(&codec::decode(&bytes).unwrap());
    assert!(
        why.contains("order 1: Allocated pick of line 0 in a Cancelled shipment"),
        "{why}"
    );
}

#[test]
fn a_pending_shipment_of_a_released_order_is_refused() {
    let (mut bytes, _) = confirmed_state();
    // The order's status byte follows its id, channel, times, ship-to and service (None).
    let mut opening = 1u64.to_le_bytes().to_vec();
    opening.extend(0u16.to_le_bytes());
    opening.extend(1u64.to_le_bytes());
    let status = position(&bytes, &opening, "order 1") + opening.len() + 8 + 24 + 1;
    assert_eq!(bytes[status], 1, "confirmed");
    bytes[status] = 2;
    let why = refusal(&codec::decode(&bytes).unwrap());
    assert!(
        why.contains("order 1: shipment 0 pending in a Released order"),
        "{why}"
    );
}

/// States a fuzzer found that loaded and then broke an invariant or tripped an engine assertion
/// (encoded `EngineState`s of the fixture's network, with an empty key table).
#[test]
fn states_the_fuzzer_found_are_refused() {
    // Read when the test runs, not `env!`: a test binary built in one checkout that shares the
    // build directory with another would read the other's files.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("tests run through cargo");
    let dir = std::path::Path::new(&manifest).join("tests/engine/states");
    for (file, expected) in [
        (
            "book-out-of-step-with-orders.bin",
            "a backorder numbered 1086626725893, not before the next number 14",
        ),
        (
            "shipped-pick-in-a-pending-shipment.bin",
            "order 0: Shipped pick of line 0 in a Pending shipment",
        ),
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let state = codec::decode::<EngineState>(&bytes).unwrap();
        let why = refusal(&state);
        assert!(why.contains(expected), "{file}: {why}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    /// A state with bytes changed either is refused or loads into an engine that keeps every
    /// invariant through calls of every kind.
    #[test]
    fn a_changed_state_is_refused_or_keeps_every_invariant(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let waiting = waiting_engine();
        let _ = waiting.confirm(OrderId(2), 10);
        // A remembered key, so that changed bytes land in the key table too.
        let receipt = journal::Command::Receive { sku: A, warehouse: LON, units: 2, now_ms: 10 };
        waiting.apply(&keyed("po-1", receipt));
        let mut bytes = codec::encode(&waiting.export_state()).unwrap();
        for (at, value) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *value;
        }
        let Ok(state) = codec::decode::<EngineState>(&bytes) else { return Ok(()) };
        let restored = engine(StrategyKind::Nearest, &[]);
        if restored.load_state(&state).is_ok() {
            exercise(&restored, 0..8);
            if let Err(broken) = restored.check_invariants() {
                prop_assert!(false, "a loaded state broke the invariants after use: {broken}");
            }
        }
    }
}
