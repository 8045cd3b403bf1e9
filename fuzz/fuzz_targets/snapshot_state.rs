//! Bytes → `EngineState` → `Engine::load_state` → calls of every kind. A state either is
//! refused or loads into an engine that keeps every invariant and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qm_engine::snapshot::EngineState;
use qm_engine::StrategyKind;

#[allow(dead_code)]
#[path = "../../engine/tests/engine/fixture.rs"]
mod fixture;

fuzz_target!(|data: &[u8]| {
    let Ok(state) = qm_engine::codec::decode::<EngineState>(data) else {
        return;
    };
    let engine = fixture::engine(StrategyKind::Nearest, &[]);
    if engine.load_state(&state).is_err() {
        return;
    }
    fixture::exercise(&engine, 0..40);
    if let Err(broken) = engine.check_invariants() {
        panic!("a loaded state broke the invariants after use: {broken}");
    }
});
