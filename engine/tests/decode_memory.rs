//! Damaged bytes cannot make the decoder ask for more memory than they could hold: a length
//! prefix that claims billions of elements is refused after reading what is really there. Its
//! own binary, so that its allocator can record the largest request while decoding.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use qm_engine::idempotency::{Done, IdempotencyKey, KeyState};
use qm_engine::journal::Command;
use qm_engine::snapshot::EngineState;
use qm_engine::*;

#[allow(dead_code)]
#[path = "engine/fixture.rs"]
mod fixture;

/// The system allocator, recording the largest single request.
struct Largest;

static LARGEST_BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST_BYTES.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract for `layout` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST_BYTES.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: as for `alloc` and `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

/// Decodes `bytes` as a `T`: whether it decoded, and the largest allocation it asked for.
fn decode_measured<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> (bool, usize) {
    LARGEST_BYTES.store(0, Ordering::Relaxed);
    let decoded = codec::decode::<T>(bytes).is_ok();
    (decoded, LARGEST_BYTES.load(Ordering::Relaxed))
}

/// `bytes` with the u64 at `offset` set to `value` (bincode's fixed-width length prefix).
fn with_length(bytes: &[u8], offset: usize, value: u64) -> Vec<u8> {
    let mut damaged = bytes.to_vec();
    damaged[offset..offset + 8].copy_from_slice(&value.to_le_bytes());
    damaged
}

/// Where a return's `by_warehouse` length stands in its encoding: after its order (8 bytes) and
/// line (2).
const RETURN_LENGTH_AT: usize = 10;

fn returned() -> ReturnOutcome {
    ReturnOutcome {
        order: OrderId(7),
        line: 0,
        by_warehouse: [
            (WarehouseId(0), 2),
            (WarehouseId(1), 1),
            (WarehouseId(2), 1),
        ]
        .into_iter()
        .collect(),
        disposition: Disposition::Restock,
        filled: Vec::new(),
    }
}

/// A snapshot of the fixture's engine remembering a keyed return, and where the return's
/// `by_warehouse` length stands in it.
fn state_with_a_remembered_return() -> (Vec<u8>, usize) {
    let engine = fixture::engine(StrategyKind::Nearest, &[(fixture::A, fixture::LON, 5)]);
    let mut state = engine.export_state();
    state.keys.push(KeyState {
        key: IdempotencyKey::new("rma-7").unwrap(),
        request: Vec::new(),
        applied_at_ms: 0,
        done: Done::RestockReturn(returned()),
    });
    let bytes = codec::encode(&state).unwrap();
    let outcome = codec::encode(&returned()).unwrap();
    let at = (bytes.windows(outcome.len()))
        .position(|w| w == outcome.as_slice())
        .expect("the state holds the return's encoding");
    (bytes, at + RETURN_LENGTH_AT)
}

#[test]
fn a_claimed_length_never_becomes_an_allocation() {
    const CLAIMS: [u64; 3] = [1 << 20, 1 << 32, 1 << 45];
    // bincode's and serde's cautious reservation: at most 1 MiB before elements are read.
    const MOST_BYTES: usize = 2 << 20;

    let outcome = codec::encode(&returned()).unwrap();
    assert!(decode_measured::<ReturnOutcome>(&outcome).0);
    let (state, length_at) = state_with_a_remembered_return();
    assert!(decode_measured::<EngineState>(&state).0);
    let commands = codec::encode(&vec![Command::ExpireHolds { now_ms: 1 }]).unwrap();
    assert!(decode_measured::<Vec<Command>>(&commands).0);

    for claim in CLAIMS {
        // Each decode is measured alone, in order, after its damaged bytes are made.
        let decodes = [
            (
                "a return",
                decode_measured::<ReturnOutcome>(&with_length(&outcome, RETURN_LENGTH_AT, claim)),
            ),
            (
                "a snapshot's remembered return",
                decode_measured::<EngineState>(&with_length(&state, length_at, claim)),
            ),
            (
                "a list of journal commands",
                decode_measured::<Vec<Command>>(&with_length(&commands, 0, claim)),
            ),
        ];
        for (what, (decoded, largest)) in decodes {
            assert!(!decoded, "{what} claiming {claim} elements decoded");
            assert!(
                largest <= MOST_BYTES,
                "{what} claiming {claim} elements asked for {largest} bytes at once"
            );
        }
    }
}
