//! A byte for the channel (strategy, capacity-aware) and bytes → journal commands, applied to
//! two engines of the engine tests' fixture: one command at a time, and with each run of
//! reserves at one instant through `reserve_batch`. Never a panic; both give the same results
//! and the same state, and every invariant holds after.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qm_engine::journal::{Applied, Command};
use qm_engine::*;

#[allow(dead_code)]
#[path = "../../engine/tests/engine/fixture.rs"]
mod fixture;

fn engine(channel_byte: u8) -> Engine {
    use fixture::*;
    let strategy = StrategyKind::ALL[channel_byte as usize % StrategyKind::ALL.len()];
    let mut channel = channel(strategy, vec![LON, MAN, PAR]);
    channel.capacity_aware = channel_byte & 0x80 != 0;
    engine_with(
        channel,
        &[(A, LON, 5), (A, PAR, 2), (B, MAN, 3), (C, PAR, 4)],
    )
}

/// `commands` with each run of reserves at one instant through `reserve_batch`.
fn apply_batched(engine: &Engine, commands: &[Command]) -> Vec<Applied> {
    let mut applied = Vec::with_capacity(commands.len());
    let mut outcomes = Vec::new();
    let mut rest = commands;
    while let Some(first) = rest.first() {
        let Command::Reserve { now_ms, .. } = *first else {
            applied.push(engine.apply(first));
            rest = &rest[1..];
            continue;
        };
        let requests: Vec<ReserveRequest> = rest
            .iter()
            .map_while(|c| match c {
                Command::Reserve {
                    request,
                    now_ms: at,
                } if *at == now_ms => Some(request.clone()),
                _ => None,
            })
            .collect();
        engine.reserve_batch(&requests, now_ms, &mut outcomes);
        applied.extend(outcomes.drain(..).map(Applied::Reserve));
        rest = &rest[requests.len()..];
    }
    applied
}

fuzz_target!(|data: &[u8]| {
    let Some((&channel_byte, rest)) = data.split_first() else {
        return;
    };
    let Ok(commands) = codec::decode::<Vec<Command>>(rest) else {
        return;
    };
    let one = engine(channel_byte);
    let singly: Vec<Applied> = commands.iter().map(|c| one.apply(c)).collect();
    let batched = engine(channel_byte);
    assert_eq!(
        singly,
        apply_batched(&batched, &commands),
        "batched results differ"
    );
    assert_eq!(
        one.state_hash(),
        batched.state_hash(),
        "batched state differs"
    );
    if let Err(broken) = one.check_invariants() {
        panic!("the commands broke the invariants: {broken}");
    }
});
