//! Several threads on a handful of hot SKUs: stock is never oversold, and every unit that
//! left available is accounted for by a successful hold, to the unit.

use std::sync::atomic::{AtomicUsize, Ordering};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::fixture::*;
use qm_engine::*;

const THREADS: u64 = 4;
const CALLS_PER_THREAD: u64 = 4_000;
const STOCK_PER_CELL: i64 = 150;

#[derive(Default)]
struct Tally {
    units_held: u64,
    units_released: u64,
    units_received: u64,
    holds: u64,
    rejections: u64,
}

fn worker(engine: &Engine, thread: u64) -> Tally {
    let mut rng = StdRng::seed_from_u64(0x5EED ^ thread);
    let mut tally = Tally::default();
    let mut open: Vec<OrderId> = Vec::new();
    for i in 0..CALLS_PER_THREAD {
        let now = i * 10;
        let id = OrderId(thread * 1_000_000 + i);
        let lines: Vec<(SkuId, i64)> = (0..rng.random_range(1..=3))
            .map(|_| (SkuId(rng.random_range(0..3)), rng.random_range(1..=3)))
            .collect();
        let split = if rng.random_bool(0.5) {
            SplitPolicy::SplitAllowed
        } else {
            SplitPolicy::SingleWarehouse
        };
        let mut request = ReserveRequest {
            order: order(id.0, &lines),
            split,
            hold_ttl_ms: constants::MAX_HOLD_TTL_MS,
        };
        request.order.placed_at_ms = now;
        match engine.reserve(&request, now).unwrap() {
            ReserveOutcome::Held(hold) => {
                tally.units_held += hold.units_held();
                tally.holds += 1;
                open.push(id);
            }
            ReserveOutcome::Rejected(_) => tally.rejections += 1,
        }
        if i % 40 == 0 {
            // Supplier receipts keep stock flowing, so the run sees holds and stockouts throughout.
            engine
                .receive(
                    SkuId(rng.random_range(0..3)),
                    [LON, MAN][rng.random_range(0..2)],
                    12,
                    now,
                )
                .unwrap();
            tally.units_received += 12;
        }
        if open.len() > 8 {
            let id = open.swap_remove(rng.random_range(0..open.len()));
            match rng.random_range(0..3) {
                0 => match engine.release(id, ReleaseReason::Cancelled, now) {
                    Ok(released) => tally.units_released += released.units_returned,
                    // The sweeper expired it first; it counted the units.
                    Err(OrderError::HoldExpired { .. }) => {}
                    Err(e) => panic!("{e}"),
                },
                _ => match engine.confirm(id, now) {
                    Ok(confirmation) => {
                        for shipment in confirmation.shipments {
                            engine.ship(shipment.id, now).unwrap();
                        }
                    }
                    Err(OrderError::HoldExpired { .. }) => {}
                    Err(e) => panic!("{e}"),
                },
            }
        }
    }
    tally
}

/// Counts a worker out when dropped, also when it panics, so the helper threads
/// stop once every worker is done (a failing run must fail, not hang).
struct CountOut<'a>(&'a AtomicUsize);

impl Drop for CountOut<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[test]
fn threads_on_hot_skus_never_oversell_and_every_unit_is_accounted_for() {
    let stock: Vec<_> = [A, B, C]
        .iter()
        .flat_map(|&s| [(s, MAN, STOCK_PER_CELL), (s, LON, STOCK_PER_CELL)])
        .collect();
    let engine = engine_with(channel(StrategyKind::Nearest, vec![LON, MAN]), &stock);
    let initial_free: u64 = cells(&engine).iter().map(|c| c.free() as u64).sum();
    let running = AtomicUsize::new(THREADS as usize);
    // The workers start with the monitor, so that it samples while they run (they finish in
    // milliseconds: a monitor started after them might see none of it).
    let start = std::sync::Barrier::new(THREADS as usize + 1);
    let (tallies, swept_units, samples) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (engine, running, start) = (&engine, &running, &start);
                scope.spawn(move || {
                    let _count_out = CountOut(running);
                    start.wait();
                    worker(engine, t)
                })
            })
            .collect();
        // A sweeper expiring every open hold now and then (its clock is far ahead of the workers').
        let sweeper = scope.spawn(|| {
            let mut units = 0;
            while running.load(Ordering::Acquire) > 0 {
                units += engine
                    .expire_holds(constants::MAX_HOLD_TTL_MS * 10)
                    .iter()
                    .map(|e| e.units_returned)
                    .sum::<u64>();
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            units
        });
        // A monitor reading cells while they change: never more committed than on hand.
        // It reads at least once after the start line: on two cores the workers may all finish
        // before it is scheduled again.
        let monitor = scope.spawn(|| {
            let mut samples = 0u64;
            start.wait();
            loop {
                let still_running = running.load(Ordering::Acquire) > 0;
                for c in cells(&engine) {
                    assert!(
                        c.reserved as u64 + c.allocated as u64 <= c.on_hand as u64,
                        "oversold: {c:?}"
                    );
                    samples += 1;
                }
                if !still_running {
                    break;
                }
            }
            samples
        });
        let tallies: Vec<Tally> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        (tallies, sweeper.join().unwrap(), monitor.join().unwrap())
    });
    let held: u64 = tallies.iter().map(|t| t.units_held).sum();
    let released: u64 = tallies.iter().map(|t| t.units_released).sum();
    let received: u64 = tallies.iter().map(|t| t.units_received).sum();
    let final_free: u64 = cells(&engine).iter().map(|c| c.free() as u64).sum();
    assert_eq!(
        held - released - swept_units,
        initial_free + received - final_free,
        "units that left available = units of live holds"
    );
    for t in &tallies {
        assert!(
            t.holds > 200 && t.rejections > 200,
            "the test must see both holds ({}) and stockouts ({})",
            t.holds,
            t.rejections
        );
    }
    assert!(samples > 0);
    let report = engine.check_invariants().unwrap();
    let holds: u64 = tallies.iter().map(|t| t.holds).sum();
    assert_eq!(report.holds.created, holds);
}
