//! The engine made durable: one writer thread applies every command in sequence, appends it to
//! the journal (`engine::journal` records), and acknowledges a batch only after one `fsync`
//! made the whole batch durable (group commit). Recovery rebuilds the genesis engine and
//! replays the journal, after cutting a torn tail.
//!
//! The single writer is what makes the journal replayable: commands touching the same cell are
//! journaled in the order they were applied, so a replay applies them in that order too.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use crossbeam_channel::{Receiver, Sender};
use qm_engine::journal::{self, Applied, Command, JournalError, TornTail};
use qm_engine::Engine;

/// The journal is a run of segment files, `journal-<first record, 20 digits>.qmj`; a new one
/// starts at every snapshot, so segments wholly behind the oldest kept snapshot can be deleted.
const SEGMENT_PREFIX: &str = "journal-";
/// The most commands one batch may hold.
pub const MAX_BATCH_COMMANDS: usize = 1 << 20;
/// Submissions queued for the writer before `submit` blocks (back-pressure).
const QUEUE_SUBMISSIONS: usize = 4_096;

/// Group commit settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// A batch is written and synced once it holds this many commands.
    pub batch_max_commands: usize,
    /// Once a batch has begun, how long the writer waits for more commands before syncing it;
    /// 0 syncs as soon as the queue is empty (batches then grow only under load).
    pub flush_interval_us: u64,
    /// A snapshot after every this many commands (0: none). Recovery loads the newest valid
    /// snapshot and replays only the journal after it.
    pub snapshot_every_commands: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            batch_max_commands: 4_096,
            flush_interval_us: 0,
            snapshot_every_commands: 1_000_000,
        }
    }
}

/// Snapshots kept in a folder; older ones are deleted once a newer one is durable.
const SNAPSHOTS_KEPT: usize = 2;
/// Snapshots copied out by the writer and queued for the snapshot thread; a full queue makes
/// the writer wait, which is what bounds the journal when snapshots are slower than commands.
const SNAPSHOTS_QUEUED: usize = 1;
/// The most journal segments a folder holds at any moment. A segment starts at every snapshot,
/// and once a snapshot is durable the segments wholly before the older of the
/// [`SNAPSHOTS_KEPT`] newest are deleted: one segment per kept snapshot. Each snapshot not yet
/// durable adds one: the one being written, the [`SNAPSHOTS_QUEUED`] queued, and the one whose
/// segment the writer has started while it waits for room in the queue. (A kill between a
/// snapshot's rename and that deletion finds one snapshot fewer in flight.)
pub const MAX_SEGMENTS: usize = SNAPSHOTS_KEPT + SNAPSHOTS_QUEUED + 2;

/// The snapshot file of journal position `seq`.
fn snapshot_path(dir: &Path, seq: u64) -> PathBuf {
    dir.join(format!("snapshot-{seq:020}.qms"))
}

/// The files of `dir` named `<prefix><number><suffix>`, by number, smallest first.
fn numbered_files(dir: &Path, prefix: &str, suffix: &str) -> Result<Vec<(u64, PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(number) = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .and_then(|digits| digits.parse::<u64>().ok())
        {
            found.push((number, path));
        }
    }
    found.sort();
    Ok(found)
}

/// The folder's snapshot files, newest first: (journal position, path).
pub fn snapshots(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let mut found = numbered_files(dir, "snapshot-", ".qms")?;
    found.reverse();
    Ok(found)
}

/// The journal segment starting at record `first_seq`.
fn segment_path(dir: &Path, first_seq: u64) -> PathBuf {
    dir.join(format!("{SEGMENT_PREFIX}{first_seq:020}.qmj"))
}

/// The folder's journal segments in order: (first record, path).
pub fn segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    numbered_files(dir, SEGMENT_PREFIX, ".qmj")
}

/// Starts the segment whose first record will be `first_seq`: written whole under a temporary
/// name, synced, then renamed, so a crash never leaves a segment without its magic.
fn create_segment(dir: &Path, first_seq: u64) -> Result<File> {
    let path = segment_path(dir, first_seq);
    let temporary = path.with_extension("qmj.tmp");
    let mut file = File::create(&temporary)
        .with_context(|| format!("cannot create {}", temporary.display()))?;
    file.write_all(&journal::MAGIC)?;
    file.sync_all()?;
    std::fs::rename(&temporary, &path)?;
    sync_dir(dir)?;
    OpenOptions::new()
        .append(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// The whole journal of a folder, read across its segments.
pub struct JournalRead {
    /// The first record the segments hold (1 unless older segments were deleted).
    pub first_seq: u64,
    /// Every whole record, in order.
    pub records: Vec<journal::Record>,
    /// The segments: (first record, path, bytes of whole records).
    pub segments: Vec<(u64, PathBuf, usize)>,
    /// Bytes of whole records in the last segment: cut it there.
    pub valid_len: usize,
    /// A torn tail of the last segment, if any.
    pub torn: Option<TornTail>,
}

impl JournalRead {
    /// The last record's sequence number (`first_seq − 1` with none).
    pub fn last_seq(&self) -> u64 {
        self.first_seq - 1 + self.records.len() as u64
    }
}

/// Reads every segment of `dir`'s journal. A torn tail is allowed in the last segment only;
/// a gap between segments, or damage anywhere else, is refused with where and what.
pub fn read_journal(dir: &Path) -> Result<JournalRead> {
    let list = segments(dir)?;
    let Some(&(first_seq, _)) = list.first() else {
        bail!(
            "{}: no journal segment ({SEGMENT_PREFIX}*.qmj): not a durable engine folder, or its \
             journal was deleted",
            dir.display()
        );
    };
    let mut read = JournalRead {
        first_seq,
        records: Vec::new(),
        segments: Vec::new(),
        valid_len: 0,
        torn: None,
    };
    for (i, (first, path)) in list.iter().enumerate() {
        let expected = read.last_seq() + 1;
        if *first != expected {
            bail!(
                "{}: starts at record {first}, but the segment before ends at record {}: records \
                 are missing or repeated",
                path.display(),
                expected - 1
            );
        }
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let scan = journal::scan_from(&bytes, *first)
            .map_err(|e: JournalError| anyhow::anyhow!("{}: {e}", path.display()))?;
        if let Some(torn) = &scan.torn {
            if i + 1 < list.len() {
                bail!(
                    "{}: damaged at byte {} ({}), and later segments follow: this is not a torn \
                     write. Refusing to skip records: restore the journal from a backup",
                    path.display(),
                    torn.offset,
                    torn.reason
                );
            }
        }
        read.segments.push((*first, path.clone(), scan.valid_len));
        read.records.extend(scan.records);
        read.valid_len = scan.valid_len;
        read.torn = scan.torn;
    }
    Ok(read)
}

/// What recovery found.
#[derive(Clone, Debug, PartialEq)]
pub struct Recovery {
    /// The last whole record's sequence number.
    pub records: u64,
    /// The snapshot loaded (its journal position), if any.
    pub snapshot: Option<u64>,
    /// Snapshots passed over, with why (damaged, or ahead of the journal).
    pub snapshots_skipped: Vec<String>,
    /// Records applied after the snapshot (all of them without one).
    pub replayed: u64,
    /// Bytes of the last journal segment kept.
    pub valid_len: usize,
    /// The torn tail cut off, if any.
    pub torn: Option<TornTail>,
    /// The state hash after recovery.
    pub state_hash: u64,
}

/// Where a recovery starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The opening engine: replay every record (needs the journal from record 1).
    Genesis,
    /// The newest snapshot that decodes and fits.
    NewestSnapshot,
    /// The oldest snapshot that decodes and fits (an independent path to check the newest).
    OldestSnapshot,
}

/// Rebuilds the state of `dir` without changing any file: a snapshot chosen by `start` (or
/// none) loaded into a `genesis()` engine, then the journal after it.
/// Corruption in the journal is refused with where and what; a damaged snapshot is passed over.
pub fn recover(
    dir: &Path,
    genesis: &dyn Fn() -> Result<Engine>,
    start: Start,
) -> Result<(Engine, Recovery)> {
    recover_from(dir, &read_journal(dir)?, genesis, start)
}

/// [`recover`] from a journal already read.
fn recover_from(
    dir: &Path,
    scan: &JournalRead,
    genesis: &dyn Fn() -> Result<Engine>,
    start: Start,
) -> Result<(Engine, Recovery)> {
    let records = scan.last_seq();
    let mut skipped = Vec::new();
    let mut loaded = None;
    if start != Start::Genesis {
        let mut candidates = snapshots(dir)?;
        if start == Start::OldestSnapshot {
            candidates.reverse();
        }
        for (seq, file) in candidates {
            let name = file.display();
            if seq > records {
                skipped.push(format!(
                    "{name}: at record {seq}, past the journal's {records}"
                ));
                continue;
            }
            if seq + 1 < scan.first_seq {
                skipped.push(format!(
                    "{name}: at record {seq}, before the journal's first segment (record {})",
                    scan.first_seq
                ));
                continue;
            }
            let decoded = std::fs::read(&file)
                .map_err(|e| e.to_string())
                .and_then(|b| qm_engine::snapshot::decode(&b).map_err(|e| e.to_string()));
            match decoded {
                Ok((at, state)) if at == seq => {
                    let engine = genesis()?;
                    match engine.load_state(&state) {
                        Ok(()) => {
                            loaded = Some((seq, engine));
                            break;
                        }
                        Err(e) => skipped.push(format!("{name}: {e}")),
                    }
                }
                Ok((at, _)) => skipped.push(format!("{name}: holds record {at}, not {seq}")),
                Err(e) => skipped.push(format!("{name}: {e}")),
            }
        }
    }
    let (snapshot, engine) = match loaded {
        Some((seq, engine)) => (Some(seq), engine),
        None if scan.first_seq > 1 => bail!(
            "{}: the journal begins at record {} and no valid snapshot covers the records before \
             it{}; restore a snapshot from a backup",
            dir.display(),
            scan.first_seq,
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" ({})", skipped.join("; "))
            }
        ),
        None => (None, genesis()?),
    };
    let from = snapshot.unwrap_or(0);
    for record in scan.records.iter().filter(|r| r.seq > from) {
        engine.apply(&record.command);
    }
    let recovery = Recovery {
        records,
        snapshot,
        snapshots_skipped: skipped,
        replayed: records - from.max(scan.first_seq - 1),
        valid_len: scan.valid_len,
        torn: scan.torn.clone(),
        state_hash: engine.state_hash(),
    };
    Ok((engine, recovery))
}

/// Acknowledgement of a submission: its commands' sequence numbers start at `first_seq`, and
/// their results are in order. Sent only once every one of them is durable.
#[derive(Debug)]
pub struct Ack {
    /// Sequence number of the first command.
    pub first_seq: u64,
    /// One result per command.
    pub results: Vec<Applied>,
}

struct Submission {
    commands: Vec<Command>,
    reply: Sender<Ack>,
}

/// A durable engine: submit commands, get results back once they are on disk.
pub struct Durable {
    engine: Arc<Engine>,
    queue: Option<Sender<Submission>>,
    writer: Option<JoinHandle<Result<()>>>,
    stats: Arc<Stats>,
}

/// What the writer did, for reports.
#[derive(Default)]
pub struct Stats {
    /// Batches written and synced (one fsync each).
    pub batches: std::sync::atomic::AtomicU64,
    /// Snapshots taken.
    pub snapshots: std::sync::atomic::AtomicU64,
    /// The longest time the writer stopped applying commands to copy the state out, ns.
    pub longest_snapshot_pause_ns: std::sync::atomic::AtomicU64,
}

impl Durable {
    /// Opens the durable engine in `dir`: creates the journal if there is none, else cuts a torn
    /// tail (reported in the [`Recovery`]) and rebuilds the state ([`recover`]) from the newest
    /// snapshot and the journal after it, onto engines made by `genesis`.
    pub fn open(
        dir: &Path,
        genesis: &dyn Fn() -> Result<Engine>,
        settings: Settings,
    ) -> Result<(Durable, Recovery)> {
        if !(1..=MAX_BATCH_COMMANDS).contains(&settings.batch_max_commands) {
            bail!(
                "batch size must be between 1 and {MAX_BATCH_COMMANDS} commands, got {}",
                settings.batch_max_commands
            );
        }
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        if segments(dir)?.is_empty() {
            create_segment(dir, 1)?;
        }
        let (engine, recovery) = recover(dir, genesis, Start::NewestSnapshot)?;
        let (_, last) = segments(dir)?.pop().expect("a segment was made above");
        // Append: writes land after the whole records (the torn tail, if any, is cut below).
        let file = OpenOptions::new()
            .append(true)
            .open(&last)
            .with_context(|| format!("cannot open {}", last.display()))?;
        if recovery.torn.is_some() {
            file.set_len(recovery.valid_len as u64)?;
            file.sync_all()?;
        }
        let engine = Arc::new(engine);
        let (queue, submissions) = crossbeam_channel::bounded(QUEUE_SUBMISSIONS);
        let stats = Arc::new(Stats::default());
        let writer = {
            let engine = Arc::clone(&engine);
            let stats = Arc::clone(&stats);
            let next_seq = recovery.records + 1;
            let dir = dir.to_path_buf();
            std::thread::Builder::new()
                .name("qm-journal-writer".into())
                .spawn(move || {
                    write_loop(&engine, &dir, file, next_seq, submissions, settings, &stats)
                })?
        };
        Ok((
            Durable {
                engine,
                queue: Some(queue),
                writer: Some(writer),
                stats,
            },
            recovery,
        ))
    }

    /// What the writer has done so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The engine, for reads. Every write goes through [`Durable::submit`].
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Queues `commands` to be applied in order as one submission; the returned channel
    /// receives their [`Ack`] once they are durable. Blocks while the queue is full.
    pub fn submit(&self, commands: Vec<Command>) -> Result<Receiver<Ack>> {
        let (reply, ack) = crossbeam_channel::bounded(1);
        self.queue
            .as_ref()
            .expect("open until closed")
            .send(Submission { commands, reply })
            .map_err(|_| anyhow::anyhow!("the journal writer stopped (see close() for why)"))?;
        Ok(ack)
    }

    /// Applies `commands` and waits until they are durable.
    pub fn submit_and_wait(&self, commands: Vec<Command>) -> Result<Ack> {
        self.submit(commands)?
            .recv()
            .map_err(|_| anyhow::anyhow!("the journal writer stopped before acknowledging"))
    }

    /// Stops the writer after it has made every queued command durable; returns its error.
    pub fn close(mut self) -> Result<()> {
        self.queue.take();
        match self.writer.take().expect("open until closed").join() {
            Ok(result) => result,
            Err(_) => bail!("the journal writer panicked"),
        }
    }
}

impl Drop for Durable {
    fn drop(&mut self) {
        self.queue.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// Makes a new file's directory entry durable.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))
}

/// The writer thread: batches, and a snapshot thread beside it.
#[allow(clippy::too_many_arguments)]
fn write_loop(
    engine: &Engine,
    dir: &Path,
    mut file: File,
    mut next_seq: u64,
    submissions: Receiver<Submission>,
    settings: Settings,
    stats: &Stats,
) -> Result<()> {
    // Snapshots are encoded and written on their own thread: the writer only copies the state
    // out (the pause), then goes back to applying commands.
    let (snapshots, to_write) =
        crossbeam_channel::bounded::<(u64, qm_engine::snapshot::RawState)>(SNAPSHOTS_QUEUED);
    let snapshot_writer = {
        let dir = dir.to_path_buf();
        std::thread::Builder::new()
            .name("qm-snapshot-writer".into())
            .spawn(move || -> Result<()> {
                for (seq, raw) in to_write {
                    write_snapshot(&dir, seq, &raw.into_state())?;
                }
                Ok(())
            })?
    };
    let result = write_batches(
        engine,
        dir,
        &mut file,
        &mut next_seq,
        submissions,
        settings,
        stats,
        &snapshots,
    );
    drop(snapshots);
    let snapshot_result = snapshot_writer
        .join()
        .map_err(|_| anyhow::anyhow!("the snapshot writer panicked"))?;
    result.and(snapshot_result)
}

/// Writes a snapshot durably (a temporary file, synced, renamed, the folder synced), then
/// deletes all but the newest [`SNAPSHOTS_KEPT`].
fn write_snapshot(dir: &Path, seq: u64, state: &qm_engine::snapshot::EngineState) -> Result<()> {
    let path = snapshot_path(dir, seq);
    let temporary = path.with_extension("qms.tmp");
    let mut file = File::create(&temporary)
        .with_context(|| format!("cannot create {}", temporary.display()))?;
    file.write_all(&qm_engine::snapshot::encode(seq, state))?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, &path)?;
    sync_dir(dir)?;
    let kept = snapshots(dir)?;
    for (_, old) in kept.iter().skip(SNAPSHOTS_KEPT) {
        std::fs::remove_file(old).with_context(|| format!("cannot delete {}", old.display()))?;
    }
    // Segments wholly at or before the oldest snapshot kept are no longer needed to recover.
    let oldest_kept = kept.iter().take(SNAPSHOTS_KEPT).map(|(seq, _)| *seq).min();
    if let Some(oldest_kept) = oldest_kept {
        let list = segments(dir)?;
        for pair in list.windows(2) {
            let ((_, path), (next_first, _)) = (&pair[0], &pair[1]);
            if next_first - 1 <= oldest_kept {
                std::fs::remove_file(path)
                    .with_context(|| format!("cannot delete {}", path.display()))?;
            }
        }
    }
    Ok(())
}

// Wall time: the flush interval is a real-time setting of the writer, not simulated time, and
// the snapshot pause is measured.
#[allow(clippy::disallowed_methods, clippy::too_many_arguments)]
fn write_batches(
    engine: &Engine,
    dir: &Path,
    file: &mut File,
    next_seq: &mut u64,
    submissions: Receiver<Submission>,
    settings: Settings,
    stats: &Stats,
    snapshots: &Sender<(u64, qm_engine::snapshot::RawState)>,
) -> Result<()> {
    use std::sync::atomic::Ordering;
    let mut since_snapshot = 0u64;
    let interval = Duration::from_micros(settings.flush_interval_us);
    let mut buffer: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut batch: Vec<(Sender<Ack>, Ack)> = Vec::new();
    loop {
        let Ok(first) = submissions.recv() else {
            return Ok(());
        };
        let deadline = Instant::now() + interval;
        let mut commands = 0usize;
        let mut next = Some(first);
        while let Some(submission) = next.take() {
            let first_seq = *next_seq;
            let mut results = Vec::new();
            engine.apply_batch(&submission.commands, &mut results);
            for command in &submission.commands {
                journal::encode_record(*next_seq, command, &mut buffer);
                *next_seq += 1;
            }
            commands += submission.commands.len();
            batch.push((submission.reply, Ack { first_seq, results }));
            if commands >= settings.batch_max_commands {
                break;
            }
            next = match submissions.try_recv() {
                Ok(s) => Some(s),
                Err(_) if interval.is_zero() => None,
                Err(_) => submissions.recv_deadline(deadline).ok(),
            };
        }
        file.write_all(&buffer)
            .and_then(|()| file.sync_data())
            .context(
                "cannot write the journal; nothing after the last acknowledged batch is durable",
            )?;
        buffer.clear();
        stats.batches.fetch_add(1, Ordering::Relaxed);
        for (reply, ack) in batch.drain(..) {
            // A submitter that stopped waiting is not an error: its commands are durable.
            let _ = reply.send(ack);
        }
        since_snapshot += commands as u64;
        if settings.snapshot_every_commands > 0
            && since_snapshot >= settings.snapshot_every_commands
        {
            // Between batches nothing else writes: the copy is one moment, journal position
            // next_seq − 1, already durable.
            let started = Instant::now();
            let state = engine.export_raw();
            let pause = started.elapsed().as_nanos() as u64;
            stats
                .longest_snapshot_pause_ns
                .fetch_max(pause, Ordering::Relaxed);
            // Records after the snapshot go to a new segment, so that the ones before it can
            // be deleted once a later snapshot covers them.
            *file = create_segment(dir, *next_seq)?;
            snapshots
                .send((*next_seq - 1, state))
                .map_err(|_| anyhow::anyhow!("the snapshot writer stopped"))?;
            stats.snapshots.fetch_add(1, Ordering::Relaxed);
            since_snapshot = 0;
        }
    }
}

/// What a durable engine's folder starts from: a scenario and a seed (the opening engine).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Genesis {
    /// The scenario file the folder was made from (its relative paths resolve from there).
    pub scenario_path: PathBuf,
    /// The seed of the opening engine.
    pub seed: u64,
}

/// File names of the genesis inside a durable engine's folder.
const GENESIS_FILE: &str = "genesis.json";
const SCENARIO_COPY: &str = "scenario.toml";

impl Genesis {
    /// Writes the genesis into `dir` (a copy of the scenario text, so later edits of the file
    /// cannot change what the journal replays onto), unless one is there already.
    pub fn create(dir: &Path, scenario_path: &Path, seed: u64) -> Result<Genesis> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        if dir.join(GENESIS_FILE).exists() {
            return Genesis::read(dir);
        }
        let text = std::fs::read_to_string(scenario_path)
            .with_context(|| format!("cannot read {}", scenario_path.display()))?;
        // Refuse a bad scenario before anything is written.
        crate::scenario::Scenario::parse(&text, scenario_path)?;
        let genesis = Genesis {
            scenario_path: scenario_path.to_path_buf(),
            seed,
        };
        std::fs::write(dir.join(SCENARIO_COPY), text)?;
        std::fs::write(
            dir.join(GENESIS_FILE),
            serde_json::to_string_pretty(&genesis)?,
        )?;
        sync_dir(dir)?;
        Ok(genesis)
    }

    /// Reads the genesis of `dir`.
    pub fn read(dir: &Path) -> Result<Genesis> {
        let path = dir.join(GENESIS_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "{}: not a durable engine folder (no {GENESIS_FILE}; `qm engine drive` makes one)",
                dir.display()
            )
        })?;
        serde_json::from_str(&text).with_context(|| format!("{}: damaged", path.display()))
    }

    /// The opening engine and the scenario's customer regions.
    pub fn engine(
        &self,
        dir: &Path,
    ) -> Result<(Engine, crate::scenario::Scenario, Vec<qm_engine::GeoPoint>)> {
        let text = std::fs::read_to_string(dir.join(SCENARIO_COPY))
            .with_context(|| format!("cannot read {}", dir.join(SCENARIO_COPY).display()))?;
        let s = crate::scenario::Scenario::parse(&text, &self.scenario_path)?.scenario;
        let (engine, regions) = crate::run::opening_engine(&s, self.seed)?;
        Ok((engine, s, regions))
    }
}

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
enum Fate {
    Abandoned,
    Cancelled,
    Shipped,
}

/// Orders whose fate the driver remembers (the furthest it looks back is ten).
const FATE_RING: u64 = 16;

/// Orders between two archive commands of the driver.
const ARCHIVE_EVERY_ORDERS: u64 = 20_000;

/// Milliseconds the driver's clock advances per order.
const DRIVER_MS_PER_ORDER: u64 = 5;

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
        if self.rng.random_bool(0.05) {
            self.pending.push_back(Command::Receive {
                sku: SkuId(self.rng.random_range(0..self.skus)),
                warehouse: WarehouseId(self.rng.random_range(0..self.warehouses)),
                units: 40,
                now_ms,
            });
        }
        if id % 1_000 == 0 {
            self.pending.push_back(Command::ExpireHolds { now_ms });
        }
        // Forget finished orders older than a minute now and then: memory and snapshots stay
        // bounded by the open orders, not by every order ever placed.
        if id % ARCHIVE_EVERY_ORDERS == 0 {
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
    let mut in_flight: std::collections::VecDeque<(Instant, Receiver<Ack>, u64)> =
        Default::default();
    let (mut submitted, mut reserve_lines) = (0u64, 0u64);
    let mut wait = |(at, ack, n): (Instant, Receiver<Ack>, u64),
                    latency: &mut hdrhistogram::Histogram<u64>|
     -> Result<()> {
        let ack = ack
            .recv()
            .map_err(|_| anyhow::anyhow!("the journal writer stopped before acknowledging"))?;
        latency.saturating_record(at.elapsed().as_nanos() as u64);
        on_ack(ack.first_seq + n - 1);
        Ok(())
    };
    let start = Instant::now();
    while submitted < options.commands {
        let n = (options.commands - submitted).min(options.submission.max(1) as u64);
        let commands: Vec<Command> = (&mut driver).take(n as usize).collect();
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
            wait(in_flight.pop_front().expect("non-empty"), &mut latency)?;
        }
    }
    while let Some(pending) = in_flight.pop_front() {
        wait(pending, &mut latency)?;
    }
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

/// What `qm engine inspect` reports about a folder.
pub struct Inspection {
    /// Whole records.
    pub records: u64,
    /// Records by command kind, in a fixed order.
    pub kinds: Vec<(&'static str, u64)>,
    /// The journal's segments: (first record, path, bytes of whole records).
    pub segments: Vec<(u64, PathBuf, usize)>,
    /// Bytes of whole records in the last segment (with the magic).
    pub valid_len: usize,
    /// Where the last whole record starts in the last segment.
    pub last_record_offset: Option<usize>,
    /// A torn tail, which `recover` would cut.
    pub torn: Option<TornTail>,
    /// The state hash of the reference recovery: a full replay from the opening engine, or,
    /// once old segments are deleted, the oldest snapshot kept + the journal after it.
    pub state_hash: u64,
    /// Whether the reference was a full replay.
    pub reference_is_full_replay: bool,
    /// The engine's invariant check after the replay.
    pub invariants: Result<qm_engine::InvariantReport, qm_engine::InvariantViolation>,
    /// Recovery as `recover` would do it (newest valid snapshot + the journal after it); its
    /// state hash must equal the reference's.
    pub from_snapshot: Recovery,
}

/// Reads a folder's journal without changing it and replays it onto its genesis.
pub fn inspect(dir: &Path) -> Result<Inspection> {
    let genesis = Genesis::read(dir)?;
    let make = || Ok(genesis.engine(dir)?.0);
    let scan = read_journal(dir)?;
    // The reference: a full replay when the journal still starts at record 1, else the oldest
    // snapshot kept; the newest snapshot + its tail must agree with it.
    let reference = if scan.first_seq == 1 {
        Start::Genesis
    } else {
        Start::OldestSnapshot
    };
    let (engine, full) = recover_from(dir, &scan, &make, reference)?;
    let (_, from_snapshot) = recover_from(dir, &scan, &make, Start::NewestSnapshot)?;
    const KINDS: [&str; 11] = [
        "reserve",
        "confirm",
        "release",
        "expire_holds",
        "ship",
        "short_pick",
        "receive",
        "restock_return",
        "adjust",
        "set_reorder_point",
        "archive_finished",
    ];
    let mut counts = [0u64; 11];
    for record in &scan.records {
        let kind = match record.command {
            Command::Reserve { .. } => 0,
            Command::Confirm { .. } => 1,
            Command::Release { .. } => 2,
            Command::ExpireHolds { .. } => 3,
            Command::Ship { .. } => 4,
            Command::ShortPick { .. } => 5,
            Command::Receive { .. } => 6,
            Command::RestockReturn { .. } => 7,
            Command::Adjust { .. } => 8,
            Command::SetReorderPoint { .. } => 9,
            Command::ArchiveFinished { .. } => 10,
        };
        counts[kind] += 1;
    }
    Ok(Inspection {
        records: full.records,
        kinds: KINDS.iter().copied().zip(counts).collect(),
        segments: scan
            .segments
            .iter()
            .map(|(first, path, len)| (*first, path.clone(), *len))
            .collect(),
        valid_len: full.valid_len,
        last_record_offset: scan.records.last().map(|r| r.offset),
        torn: full.torn,
        state_hash: full.state_hash,
        reference_is_full_replay: reference == Start::Genesis,
        invariants: engine.check_invariants(),
        from_snapshot,
    })
}
