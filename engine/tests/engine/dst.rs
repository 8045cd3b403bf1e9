//! Deterministic simulation testing, in the spirit of TigerBeetle's simulator: one seeded
//! generator drives random interleavings of every engine call through `Engine::apply`,
//! including expiries and confirms at the exact TTL boundary, receipts that fill backorders,
//! returns of partially shipped orders, and duplicate and out-of-order calls. After every step
//! the invariants are checked, a refused call must have changed nothing, and no held order may
//! outlive an expiry sweep past its TTL. At the end the journal of every command replays to the
//! same state hash, and so do snapshots taken at three seeded moments plus the journal after them. A failure prints its seed and step; the same seed replays it exactly.
//!
//! CI runs `SEEDS` × `STEPS` steps (over a million). A longer run:
//! `QM_DST_SEEDS=64 QM_DST_STEPS=1000000 cargo test --release -p qm-engine --test engine dst -- --nocapture`
//! and one seed: `QM_DST_SEED=… QM_DST_SEEDS=1`.

use std::collections::VecDeque;

use qm_engine::journal::{self, Applied, Command};
use qm_engine::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::fixture::*;

const SEEDS: u64 = 8;
const STEPS: u64 = 150_000;
/// Calls remembered for the failure message.
const HISTORY: usize = 24;
/// Orders the generator keeps referring to; older ones are forgotten (and archived).
const KNOWN_ORDERS: usize = 48;

fn env(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

struct Dst {
    engine: Engine,
    rng: StdRng,
    now_ms: u64,
    next_id: u64,
    known: VecDeque<OrderId>,
    history: VecDeque<String>,
    journal: Vec<Command>,
    /// (refused calls, held orders, backorder fills, returns, returns from orders with units
    /// still unshipped) seen: the run must exercise them.
    seen: [u64; 5],
}

impl Dst {
    fn new(seed: u64) -> Dst {
        // Scarce stock: most of it arrives by receipt, so orders wait on backorder.
        let stock = [(A, LON, 3), (B, MAN, 2), (C, PAR, 1)];
        let strategy = StrategyKind::ALL[(seed % StrategyKind::ALL.len() as u64) as usize];
        Dst {
            engine: engine(strategy, &stock),
            rng: StdRng::seed_from_u64(seed),
            now_ms: 1,
            next_id: 0,
            known: VecDeque::new(),
            history: VecDeque::new(),
            journal: Vec::new(),
            seen: [0; 5],
        }
    }

    fn some_order(&mut self) -> OrderId {
        if self.known.is_empty() || self.rng.random_bool(0.03) {
            OrderId(u64::MAX - self.rng.random_range(0..3)) // never held
        } else {
            self.known[self.rng.random_range(0..self.known.len())]
        }
    }

    fn some_shipment(&mut self) -> ShipmentId {
        let order = self.some_order();
        let shipments = self.engine.order(order).map_or(0, |v| v.shipments.len());
        ShipmentId {
            order,
            index: self.rng.random_range(0..shipments as u16 + 1),
        }
    }

    /// A reserve: mostly fresh ids, sometimes an id already used (a duplicate call).
    fn reserve_command(&mut self, now_ms: u64) -> Command {
        let id = if !self.known.is_empty() && self.rng.random_bool(0.05) {
            self.known[0].0
        } else {
            self.next_id += 1;
            self.next_id
        };
        let count = if rare(&mut self.rng) {
            0
        } else {
            self.rng.random_range(1..5)
        };
        let lines: Vec<(SkuId, i64)> = (0..count)
            .map(|_| (sku(&mut self.rng), units(&mut self.rng, 4)))
            .collect();
        let mut o = order(id, &lines);
        o.placed_at_ms = now_ms;
        let split = [
            SplitPolicy::SingleWarehouse,
            SplitPolicy::SplitAllowed,
            SplitPolicy::PartialWithBackorder,
        ][self.rng.random_range(0..3)];
        Command::Reserve {
            request: ReserveRequest {
                order: o,
                split,
                hold_ttl_ms: if rare(&mut self.rng) {
                    0
                } else {
                    self.rng.random_range(1..90) * 60_000
                },
            },
            now_ms,
        }
    }

    /// A receipt, or none this step.
    fn receive_command(&mut self, now_ms: u64) -> Option<Command> {
        // Receipts go where orders wait, so backorders get filled; elsewhere they are
        // rare, or stock would pile up (most holds expire and give theirs back) and no
        // order would ever wait.
        let waiting: Vec<(SkuId, WarehouseId)> = [A, B, C]
            .into_iter()
            .flat_map(|s| [LON, MAN, PAR].map(|w| (s, w)))
            .filter(|&(s, w)| self.engine.backordered_units(s, w).unwrap_or(0) > 0)
            .collect();
        let (sku, warehouse) = if !waiting.is_empty() {
            waiting[self.rng.random_range(0..waiting.len())]
        } else if self.rng.random_bool(0.15) {
            (sku(&mut self.rng), warehouse(&mut self.rng))
        } else {
            return None;
        };
        Some(Command::Receive {
            sku,
            warehouse,
            units: units(&mut self.rng, 6),
            now_ms,
        })
    }

    /// A customer return.
    fn return_command(&mut self, now_ms: u64) -> Command {
        // Mostly a line that shipped, often from an order still partly unshipped; now
        // and then one unit more than is returnable, or a random line.
        let shipped: Vec<(OrderId, u32, u32)> = self
            .known
            .iter()
            .flat_map(|&o| (0..4u32).map(move |line| (o, line)))
            .filter_map(|(o, line)| {
                let returnable = self.engine.returnable_units(o, line as usize).ok()?;
                (returnable > 0).then_some((o, line, returnable))
            })
            .collect();
        let (order, line, units) = if !shipped.is_empty() && !rare(&mut self.rng) {
            let (o, line, returnable) = shipped[self.rng.random_range(0..shipped.len())];
            let extra = self.rng.random_bool(0.1) as u32;
            (o, line, self.rng.random_range(1..=returnable) + extra)
        } else {
            (self.some_order(), self.rng.random_range(0..4), 1)
        };
        Command::RestockReturn {
            order,
            line,
            units: units as i64,
            disposition: if self.rng.random_bool(0.7) {
                Disposition::Restock
            } else {
                Disposition::Scrap
            },
            now_ms,
        }
    }

    /// The next command; time moves (sometimes to an exact TTL boundary) as a side effect.
    fn command(&mut self) -> Option<Command> {
        let now_ms = self.now_ms;
        Some(match self.rng.random_range(0..100) {
            0..=24 => self.reserve_command(now_ms),
            25..=39 => {
                let order = self.some_order();
                // Pay at the exact TTL boundary now and then, or a millisecond before it.
                if let Some(view) = self.engine.order(order) {
                    if view.status == OrderStatus::Held && self.rng.random_bool(0.2) {
                        let at = view.expires_at_ms - self.rng.random_range(0..2);
                        self.now_ms = self.now_ms.max(at);
                    }
                }
                Command::Confirm {
                    order,
                    now_ms: self.now_ms,
                }
            }
            40..=45 => Command::Release {
                order: self.some_order(),
                reason: ReleaseReason::Cancelled,
                now_ms,
            },
            46..=62 => Command::Ship {
                shipment: self.some_shipment(),
                now_ms,
            },
            63..=65 => Command::ShortPick {
                shipment: self.some_shipment(),
                line: self.rng.random_range(0..4),
                missing_units: units(&mut self.rng, 2),
                now_ms,
            },
            66..=75 => self.receive_command(now_ms)?,
            76..=81 => self.return_command(now_ms),
            82..=85 => Command::Adjust {
                sku: sku(&mut self.rng),
                warehouse: warehouse(&mut self.rng),
                delta_units: self.rng.random_range(-5..6),
                reason: AdjustReason::CycleCount,
                now_ms,
            },
            86..=91 => {
                // Sweep exactly at some held order's TTL boundary (or just before it).
                let order = self.some_order();
                if let Some(view) = self.engine.order(order) {
                    if view.status == OrderStatus::Held {
                        let at = view.expires_at_ms - self.rng.random_range(0..2);
                        self.now_ms = self.now_ms.max(at);
                    }
                }
                Command::ExpireHolds {
                    now_ms: self.now_ms,
                }
            }
            92..=94 => {
                // The previous command again: a duplicate, and out of order in time.
                return self.journal.last().cloned();
            }
            _ => {
                self.now_ms += self.rng.random_range(0..15 * 60_000);
                return None;
            }
        })
    }

    fn step(&mut self, seed: u64, step: u64) {
        let Some(command) = self.command() else {
            return;
        };
        let before = cells(&self.engine);
        let applied = self.engine.apply(&command);
        self.journal.push(command.clone());
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history
            .push_back(format!("{command:?} -> {applied:?}"));
        let fail = |dst: &Dst, what: String| -> ! {
            panic!(
                "DST seed {seed} step {step}: {what}\nreproduce: QM_DST_SEED={seed} QM_DST_SEEDS=1 QM_DST_STEPS={} cargo test -p qm-engine --test engine dst\nlast calls:\n  {}",
                step + 1,
                dst.history.iter().cloned().collect::<Vec<_>>().join("\n  ")
            )
        };
        match &applied {
            Applied::Reserve(Ok(ReserveOutcome::Held(_))) => {
                let Command::Reserve { request, .. } = &command else {
                    unreachable!()
                };
                self.seen[1] += 1;
                self.known.push_back(request.order.id);
                if self.known.len() > KNOWN_ORDERS {
                    self.known.pop_front();
                }
            }
            Applied::Receive(Ok(receipt)) => self.seen[2] += receipt.filled.len() as u64,
            Applied::RestockReturn(Ok(r)) => {
                self.seen[3] += 1;
                let open = self.engine.order(r.order).map_or(0, |v| v.units_open);
                self.seen[4] += (open > 0) as u64;
            }
            Applied::ExpireHolds(_) => {
                let Command::ExpireHolds { now_ms } = command else {
                    unreachable!()
                };
                for &order in &self.known {
                    if let Some(view) = self.engine.order(order) {
                        if view.status == OrderStatus::Held && view.expires_at_ms <= now_ms {
                            fail(
                                self,
                                format!(
                                    "{order} still held after a sweep at {now_ms} past its TTL {}",
                                    view.expires_at_ms
                                ),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
        let refused = applied.refused();
        if refused {
            self.seen[0] += 1;
            if cells(&self.engine) != before {
                fail(self, "a refused call changed stock".into());
            }
        }
        if let Err(violation) = self.engine.check_invariants() {
            fail(self, format!("invariant broken: {violation}"));
        }
        if step % 5_000 == 4_999 {
            // Bound the books the invariant check walks: a journaled archive of the finished
            // orders placed more than six hours ago (the generator refers to recent ones).
            let command = Command::ArchiveFinished {
                placed_before_ms: self.now_ms.saturating_sub(6 * 3_600_000),
            };
            self.engine.apply(&command);
            self.journal.push(command);
            if let Err(violation) = self.engine.check_invariants() {
                fail(self, format!("invariant broken by an archive: {violation}"));
            }
        }
    }
}

fn run(seed: u64, steps: u64) -> [u64; 5] {
    let mut dst = Dst::new(seed);
    // Snapshots at three seeded moments; each, restored and followed by the rest of the journal,
    // must give the final books.
    let mut moments: Vec<u64> = (0..3)
        .map(|_| dst.rng.random_range(0..steps.max(1)))
        .collect();
    moments.sort_unstable();
    let mut snapshots = Vec::new();
    for step in 0..steps {
        if moments.contains(&step) {
            let state = dst.engine.export_state();
            snapshots.push((dst.journal.len(), qm_engine::snapshot::encode(0, &state)));
        }
        dst.step(seed, step);
    }
    for (at, bytes) in &snapshots {
        let (_, state) = qm_engine::snapshot::decode(bytes).unwrap();
        let restored = Dst::new(seed).engine;
        restored.load_state(&state).unwrap_or_else(|e| {
            panic!("DST seed {seed}: the snapshot at command {at} does not load: {e}")
        });
        for command in &dst.journal[*at..] {
            restored.apply(command);
        }
        assert_eq!(
            restored.state_hash(),
            dst.engine.state_hash(),
            "DST seed {seed}: the snapshot at command {at} + the journal after it gives other books"
        );
    }
    // The same commands, archives included, replay to the same books.
    let replayed = Dst::new(seed).engine;
    let scan = journal::scan(&journal::encode_journal(&dst.journal)).unwrap();
    assert_eq!(scan.records.len(), dst.journal.len());
    for record in &scan.records {
        replayed.apply(&record.command);
    }
    assert_eq!(
        replayed.state_hash(),
        dst.engine.state_hash(),
        "DST seed {seed}: the journal of {} commands replays to other books",
        dst.journal.len()
    );
    dst.seen
}

#[test]
fn dst_random_interleavings_keep_every_invariant() {
    let seeds = env("QM_DST_SEEDS").unwrap_or(SEEDS);
    let steps = env("QM_DST_STEPS").unwrap_or(STEPS);
    let first = env("QM_DST_SEED").unwrap_or(0xD57_2026);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let totals: Vec<[u64; 5]> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.min(seeds))
            .map(|t| {
                s.spawn(move || {
                    (0..seeds)
                        .filter(|k| k % threads == t)
                        .map(|k| run(first + k, steps))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let sum = |i: usize| totals.iter().map(|t| t[i]).sum::<u64>();
    eprintln!(
        "DST: {seeds} seeds × {steps} steps from seed {first}: {} holds, {} refused calls, {} backorder fills, {} returns ({} from partly shipped orders)",
        sum(1),
        sum(0),
        sum(2),
        sum(3),
        sum(4)
    );
    // The generator reaches the paths it exists for.
    assert!(sum(1) > seeds * steps / 10, "too few holds: {}", sum(1));
    assert!(
        sum(2) > seeds * steps / 1_000 && sum(3) > seeds * steps / 1_000,
        "too few backorder fills ({}) or returns ({})",
        sum(2),
        sum(3)
    );
    assert!(sum(4) > 0, "no return from a partly shipped order");
}

// Mostly valid input, with a few percent of every kind of bad value mixed in: SKU 3 and
// warehouse 3 do not exist; quantities of 0 or −1; no lines; a TTL of 0.
fn rare(r: &mut StdRng) -> bool {
    r.random_bool(0.03)
}

fn sku(r: &mut StdRng) -> SkuId {
    SkuId(if rare(r) { 3 } else { r.random_range(0..3) })
}

fn warehouse(r: &mut StdRng) -> WarehouseId {
    WarehouseId(if rare(r) { 3 } else { r.random_range(0..3) })
}

fn units(r: &mut StdRng, most: i64) -> i64 {
    if rare(r) {
        r.random_range(-1..1)
    } else {
        r.random_range(1..=most)
    }
}
