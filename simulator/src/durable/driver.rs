//! `qm engine drive`: a seeded stream of commands through the durable engine, pipelined.

use std::path::Path;
use std::time::Instant;

use crossbeam_channel::Receiver;
use qm_engine::idempotency::IdempotencyKey;
use qm_engine::journal::Command;
use qm_engine::Engine;

use super::error::{DurableError, Result};
use super::genesis::*;
use super::recovery::*;
use super::settings::*;
use super::writer::*;

/// A deterministic stream of commands for load and crash tests: orders reserved, three in four
/// paid a few orders later, a few of those cancelled and the rest shipped, receipts now and
/// then, expiry sweeps, and archives of finished orders older than a minute. It
/// does not look at results (a command naming an order that was not held is refused, and
/// journaled as refused), so it can be pipelined, and command k is the same in every run with
/// the same seed: a run resumed after a crash skips the commands already journaled.
pub struct Driver {
    rng: rand::rngs::StdRng,
    skus: u32,
    warehouses: u16,
    channels: u16,
    regions: Vec<qm_engine::GeoPoint>,
    order: u64,
    /// The fates of the last [`FATE_RING`] orders.
    fates: [Fate; FATE_RING as usize],
    pending: std::collections::VecDeque<Command>,
    /// Commands produced so far.
    pub produced: u64,
}

/// What becomes of an order of the driver's stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fate {
    Abandoned,
    Cancelled,
    Shipped,
}

/// Orders whose fate the driver remembers (the furthest it looks back is ten).
pub(super) const FATE_RING: u64 = 16;

/// Orders between two archive commands of the driver.
pub(super) const ARCHIVE_EVERY_ORDERS: u64 = 20_000;

/// Milliseconds the driver's clock advances per order.
pub(super) const DRIVER_MS_PER_ORDER: u64 = 5;

impl Driver {
    /// A stream over `engine`'s network with `channels` channels and customers in `regions`.
    pub fn new(
        seed: u64,
        engine: &Engine,
        channels: u16,
        regions: Vec<qm_engine::GeoPoint>,
    ) -> Driver {
        use rand::SeedableRng;
        assert!(!regions.is_empty() && channels > 0);
        Driver {
            rng: rand::rngs::StdRng::seed_from_u64(seed ^ 0x0d15_ea5e),
            skus: engine.network().skus().len() as u32,
            warehouses: engine.network().warehouses().len() as u16,
            channels,
            regions,
            order: 0,
            fates: [Fate::Abandoned; FATE_RING as usize],
            pending: Default::default(),
            produced: 0,
        }
    }

    fn refill(&mut self) {
        use qm_engine::{
            OrderId, OrderLine, ReleaseReason, ReserveRequest, ShipmentId, SkuId, SplitPolicy,
            WarehouseId,
        };
        use rand::RngExt;
        self.order += 1;
        let id = self.order;
        let now_ms = id * DRIVER_MS_PER_ORDER;
        let lines = self.rng.random_range(1..=4usize);
        // Squaring a uniform draw favours low SKU numbers: a few hot SKUs, a long tail.
        let lines: Vec<OrderLine> = (0..lines)
            .map(|_| {
                let u: f64 = self.rng.random();
                OrderLine {
                    sku: SkuId(((u * u) * self.skus as f64) as u32 % self.skus),
                    quantity: self.rng.random_range(1..=3),
                }
            })
            .collect();
        let order = qm_engine::Order {
            id: OrderId(id),
            channel: qm_engine::ChannelId(self.rng.random_range(0..self.channels)),
            placed_at_ms: now_ms,
            ship_to: self.regions[self.rng.random_range(0..self.regions.len())],
            service: qm_engine::ServiceLevel::Standard,
            lines,
        };
        self.pending.push_back(Command::Reserve {
            request: ReserveRequest {
                order,
                split: SplitPolicy::SplitAllowed,
                hold_ttl_ms: 15 * 60_000,
            },
            now_ms,
        });
        // Each order's fate is drawn when it is placed: a quarter of carts are abandoned (the
        // hold expires), the rest are paid three orders later; of those some are cancelled and
        // the others shipped ten orders later. So every paid order finishes and can be archived.
        let fate = match self.rng.random_range(0..100) {
            0..25 => Fate::Abandoned,
            25..30 => Fate::Cancelled,
            _ => Fate::Shipped,
        };
        self.fates[(id % FATE_RING) as usize] = fate;
        let fate_of = |d: &Driver, back: u64| {
            (id > back).then(|| d.fates[((id - back) % FATE_RING) as usize])
        };
        if fate_of(self, 3).is_some_and(|f| f != Fate::Abandoned) {
            self.pending.push_back(Command::Confirm {
                order: OrderId(id - 3),
                now_ms,
            });
        }
        if fate_of(self, 5) == Some(Fate::Cancelled) {
            self.pending.push_back(Command::Release {
                order: OrderId(id - 5),
                reason: ReleaseReason::Cancelled,
                now_ms,
            });
        }
        if fate_of(self, 10) == Some(Fate::Shipped) {
            let ship = |index| Command::Ship {
                shipment: ShipmentId {
                    order: OrderId(id - 10),
                    index,
                },
                now_ms,
            };
            self.pending.push_back(ship(0));
            // An order split over two warehouses has a second shipment; asking for it on a
            // tenth of the orders finds most of them (the rest are refused, and journaled).
            if self.rng.random_bool(0.1) {
                self.pending.push_back(ship(1));
            }
        }
        // Receipts come under an idempotency key, and every third one is sent twice, as a
        // client that lost the first answer would: the second moves nothing.
        if self.rng.random_bool(0.05) {
            let receipt = Command::Keyed {
                key: IdempotencyKey::new(format!("receipt-{id}")).expect("a printable key"),
                command: Box::new(Command::Receive {
                    sku: SkuId(self.rng.random_range(0..self.skus)),
                    warehouse: WarehouseId(self.rng.random_range(0..self.warehouses)),
                    units: 40,
                    now_ms,
                }),
            };
            if id.is_multiple_of(3) {
                self.pending.push_back(receipt.clone());
            }
            self.pending.push_back(receipt);
        }
        if id.is_multiple_of(1_000) {
            self.pending.push_back(Command::ExpireHolds { now_ms });
        }
        // Forget finished orders older than a minute now and then: memory and snapshots stay
        // bounded by the open orders, not by every order ever placed.
        if id.is_multiple_of(ARCHIVE_EVERY_ORDERS) {
            self.pending.push_back(Command::ArchiveFinished {
                placed_before_ms: now_ms.saturating_sub(60_000),
            });
        }
    }
}

impl Iterator for Driver {
    type Item = Command;
    fn next(&mut self) -> Option<Command> {
        while self.pending.is_empty() {
            self.refill();
        }
        self.produced += 1;
        self.pending.pop_front()
    }
}

/// How `qm engine drive` loads the durable engine.
#[derive(Clone, Copy, Debug)]
pub struct DriveOptions {
    /// Commands to submit in this run (after the ones already journaled).
    pub commands: u64,
    /// Commands per submission.
    pub submission: usize,
    /// Submissions in flight before the driver waits for the oldest acknowledgement.
    pub in_flight: usize,
    /// Group commit.
    pub settings: Settings,
}

/// What a drive did.
pub struct DriveReport {
    /// What recovery found before the drive.
    pub recovery: Recovery,
    /// Commands submitted and acknowledged in this run.
    pub commands: u64,
    /// Order lines in the reserve commands among them.
    pub reserve_lines: u64,
    /// Wall time from the first submission to the last acknowledgement, seconds.
    pub seconds: f64,
    /// Submit-to-acknowledgement latency of each submission, nanoseconds.
    pub ack_latency_ns: hdrhistogram::Histogram<u64>,
    /// The state hash at the end.
    pub state_hash: u64,
    /// Batches written (one fsync each).
    pub batches: u64,
    /// Snapshots taken.
    pub snapshots: u64,
    /// The longest the writer paused to copy the state out for a snapshot, ns.
    pub longest_snapshot_pause_ns: u64,
}

/// Opens (recovering) the durable engine in `dir` and submits the next `options.commands` of
/// the genesis seed's [`Driver`] stream, pipelined; `on_ack` sees the last sequence number of
/// every acknowledged submission, in order.
// Wall time: throughput and acknowledgement latency are what this measures.
#[allow(clippy::disallowed_methods)]
pub fn drive(
    dir: &Path,
    options: DriveOptions,
    on_ack: &mut dyn FnMut(u64),
) -> Result<DriveReport> {
    let genesis = Genesis::read(dir)?;
    let (engine, s, regions) = genesis.engine(dir)?;
    let mut driver = Driver::new(genesis.seed, &engine, s.channels.len() as u16, regions);
    drop(engine);
    let (durable, recovery) = Durable::open(dir, &|| Ok(genesis.engine(dir)?.0), options.settings)?;
    // Resume the stream after what the journal already holds.
    for _ in 0..recovery.records {
        driver.next();
    }
    let mut latency = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 3_600_000_000_000, 3)
        .expect("1 ns to an hour at 3 significant figures");
    let start = Instant::now();
    let (submitted, reserve_lines) =
        match pump(&durable, &mut driver, &options, on_ack, &mut latency) {
            Ok(counts) => counts,
            // The writer stopped: its own error says why (a full disk, a failed sync).
            Err(stopped) => return Err(durable.close().err().unwrap_or(stopped)),
        };
    let seconds = start.elapsed().as_secs_f64();
    let state_hash = durable.engine().state_hash();
    let stats = durable.stats();
    let (batches, snapshots, pause_ns) = (
        stats.batches.load(std::sync::atomic::Ordering::Relaxed),
        stats.snapshots.load(std::sync::atomic::Ordering::Relaxed),
        stats
            .longest_snapshot_pause_ns
            .load(std::sync::atomic::Ordering::Relaxed),
    );
    durable.close()?;
    Ok(DriveReport {
        recovery,
        commands: submitted,
        reserve_lines,
        seconds,
        ack_latency_ns: latency,
        state_hash,
        batches,
        snapshots,
        longest_snapshot_pause_ns: pause_ns,
    })
}

/// Submits `options.commands` of the driver's stream, `options.in_flight` submissions ahead of
/// their acknowledgements, recording each submission's latency: (commands, reserved lines).
// Wall time: the acknowledgement latency is what this measures.
#[allow(clippy::disallowed_methods)]
fn pump(
    durable: &Durable,
    driver: &mut Driver,
    options: &DriveOptions,
    on_ack: &mut dyn FnMut(u64),
    latency: &mut hdrhistogram::Histogram<u64>,
) -> Result<(u64, u64)> {
    let mut in_flight: std::collections::VecDeque<(Instant, Receiver<Ack>, u64)> =
        Default::default();
    let (mut submitted, mut reserve_lines) = (0u64, 0u64);
    let mut wait = |(at, ack, n): (Instant, Receiver<Ack>, u64)| -> Result<()> {
        let ack = ack.recv().map_err(|_| {
            DurableError::Stopped("the journal writer stopped before acknowledging")
        })?;
        latency.saturating_record(at.elapsed().as_nanos() as u64);
        on_ack(ack.first_seq + n - 1);
        Ok(())
    };
    while submitted < options.commands {
        let n = (options.commands - submitted).min(options.submission.max(1) as u64);
        let commands: Vec<Command> = driver.take(n as usize).collect();
        reserve_lines += commands
            .iter()
            .map(|c| match c {
                Command::Reserve { request, .. } => request.order.lines.len() as u64,
                _ => 0,
            })
            .sum::<u64>();
        in_flight.push_back((Instant::now(), durable.submit(commands)?, n));
        submitted += n;
        if in_flight.len() >= options.in_flight.max(1) {
            wait(in_flight.pop_front().expect("non-empty"))?;
        }
    }
    while let Some(pending) = in_flight.pop_front() {
        wait(pending)?;
    }
    Ok((submitted, reserve_lines))
}
