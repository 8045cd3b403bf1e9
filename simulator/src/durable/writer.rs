//! The single writer: applies commands in sequence, journals them, acknowledges a batch after
//! one `fsync` (group commit), and hands snapshots to their own thread.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use qm_engine::journal::{self, Applied, Command};
use qm_engine::snapshot::RawState;
use qm_engine::Engine;

use super::error::{DurableError, Result};
use super::files::*;
use super::recovery::*;
use super::settings::*;

/// Acknowledgement of a submission: its commands' sequence numbers start at `first_seq`, and
/// their results are in order. Sent only once every one of them is durable.
#[derive(Debug)]
pub struct Ack {
    /// Sequence number of the first command.
    pub first_seq: u64,
    /// One result per command.
    pub results: Vec<Applied>,
}

pub(super) struct Submission {
    commands: Vec<Command>,
    reply: Reply,
}

/// Where a submission's acknowledgement goes.
enum Reply {
    /// A channel a thread waits on ([`Durable::submit`]).
    Channel(Sender<Ack>),
    /// A function the writer calls with it ([`Durable::submit_then`]): for callers that must not
    /// hold a thread while they wait, such as an async server.
    Call(Box<dyn FnOnce(Ack) + Send>),
}

impl Reply {
    fn send(self, ack: Ack) {
        match self {
            // A submitter that stopped waiting is not an error: its commands are durable.
            Reply::Channel(sender) => {
                let _ = sender.send(ack);
            }
            Reply::Call(call) => call(ack),
        }
    }
}

/// A durable engine: submit commands, get results back once they are on disk.
pub struct Durable {
    engine: Arc<Engine>,
    queue: Option<Sender<Submission>>,
    writer: Option<JoinHandle<Result<()>>>,
    stats: Arc<Stats>,
    /// The folder's lock file, locked exclusively until this is dropped (after the writer).
    _lock: File,
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
            return Err(DurableError::Setting(format!(
                "batch size must be between 1 and {MAX_BATCH_COMMANDS} commands, got {}",
                settings.batch_max_commands
            )));
        }
        std::fs::create_dir_all(dir).map_err(DurableError::io("cannot create", dir))?;
        let lock = lock_exclusive(dir)?;
        remove_temporaries(dir)?;
        let acknowledged = read_acknowledged(dir)?;
        if segments(dir)?.is_empty() {
            // A snapshot at record S also says records up to S were written.
            let written = acknowledged.or(snapshots(dir)?.first().map(|(seq, _)| *seq));
            if let Some(seq) = written {
                return Err(DurableError::Refused(format!(
                    "{}: no journal segment, but records up to {seq} were written: the journal \
                     was deleted. Refusing to start an empty one: restore it from a backup",
                    dir.display()
                )));
            }
            create_segment(dir, 1)?;
            create_acknowledged(dir)?;
        }
        let (engine, recovery) = recover(dir, genesis, Start::NewestSnapshot)?;
        let acknowledged_file = open_acknowledged(dir, false)?;
        // A folder made before the file existed starts it here.
        write_acknowledged(&acknowledged_file, recovery.records)?;
        let (segment_first, last) = segments(dir)?.pop().expect("a segment was made above");
        // Append: writes land after the whole records (the torn tail, if any, is cut below).
        let file = OpenOptions::new()
            .append(true)
            .open(&last)
            .map_err(DurableError::io("cannot open", &last))?;
        if recovery.torn.is_some() {
            file.set_len(recovery.valid_len as u64)?;
            file.sync_all()?;
        }
        let engine = Arc::new(engine);
        let (queue, submissions) = crossbeam_channel::bounded(QUEUE_SUBMISSIONS);
        let stats = Arc::new(Stats::default());
        let writer = Writer {
            engine: Arc::clone(&engine),
            dir: dir.to_path_buf(),
            segment: file,
            segment_first,
            acknowledged: acknowledged_file,
            next_seq: recovery.records + 1,
            settings,
            stats: Arc::clone(&stats),
        };
        let writer = std::thread::Builder::new()
            .name("qm-journal-writer".into())
            .spawn(move || writer.run(submissions))?;
        Ok((
            Durable {
                engine,
                queue: Some(queue),
                writer: Some(writer),
                stats,
                _lock: lock,
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
            .send(Submission {
                commands,
                reply: Reply::Channel(reply),
            })
            .map_err(|_| {
                DurableError::Stopped("the journal writer stopped (see close() for why)")
            })?;
        Ok(ack)
    }

    /// Queues `commands` as [`Durable::submit`] does without blocking: the writer calls `then`
    /// with their [`Ack`] once they are durable (on its own thread, so `then` should only hand
    /// the ack on). A full queue is refused with [`DurableError::Busy`]; a writer that stops
    /// first drops `then` uncalled.
    pub fn submit_then(
        &self,
        commands: Vec<Command>,
        then: impl FnOnce(Ack) + Send + 'static,
    ) -> Result<()> {
        let submission = Submission {
            commands,
            reply: Reply::Call(Box::new(then)),
        };
        let queue = self.queue.as_ref().expect("open until closed");
        queue.try_send(submission).map_err(|e| match e {
            crossbeam_channel::TrySendError::Full(_) => DurableError::Busy(QUEUE_SUBMISSIONS),
            crossbeam_channel::TrySendError::Disconnected(_) => {
                DurableError::Stopped("the journal writer stopped (see close() for why)")
            }
        })
    }

    /// Applies `commands` and waits until they are durable.
    pub fn submit_and_wait(&self, commands: Vec<Command>) -> Result<Ack> {
        self.submit(commands)?
            .recv()
            .map_err(|_| DurableError::Stopped("the journal writer stopped before acknowledging"))
    }

    /// Stops the writer after it has made every queued command durable; returns its error.
    pub fn close(mut self) -> Result<()> {
        self.queue.take();
        match self.writer.take().expect("open until closed").join() {
            Ok(result) => result,
            Err(_) => Err(DurableError::Stopped("the journal writer panicked")),
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

/// The writer thread's state: the engine it applies commands to, the journal segment records
/// are appended to (and its first record), and the next record's sequence number.
struct Writer {
    engine: Arc<Engine>,
    dir: PathBuf,
    segment: File,
    segment_first: u64,
    acknowledged: File,
    next_seq: u64,
    settings: Settings,
    stats: Arc<Stats>,
}

/// A batch being gathered: its records, encoded, and the acknowledgements they owe.
#[derive(Default)]
struct Batch {
    records: Vec<u8>,
    acks: Vec<(Reply, Ack)>,
    commands: usize,
}

impl Writer {
    /// Writes batches until the queue closes, with a snapshot thread beside it.
    fn run(mut self, submissions: Receiver<Submission>) -> Result<()> {
        // Snapshots are encoded and written on their own thread: the writer only copies the
        // state out (the pause), then goes back to applying commands. The thread tells the
        // writer each snapshot's position once it is durable.
        let (snapshots, to_write) = crossbeam_channel::bounded::<(u64, RawState)>(SNAPSHOTS_QUEUED);
        let (written, durable) = crossbeam_channel::unbounded::<u64>();
        let snapshot_writer = {
            let dir = self.dir.clone();
            std::thread::Builder::new()
                .name("qm-snapshot-writer".into())
                .spawn(move || -> Result<()> {
                    for (seq, raw) in to_write {
                        write_snapshot(&dir, seq, &raw.into_state())?;
                        // The writer may have stopped first (an error): nothing is owed then.
                        let _ = written.send(seq);
                    }
                    Ok(())
                })?
        };
        let result = self.write_batches(&submissions, &snapshots, &durable);
        drop(snapshots);
        let snapshot_result = snapshot_writer
            .join()
            .map_err(|_| DurableError::Stopped("the snapshot writer panicked"))?;
        result.and(snapshot_result)?;
        // Snapshots that became durable after the last batch start their segment too.
        if durable.try_iter().count() > 0 {
            self.rotate()?;
        }
        Ok(())
    }

    /// Each batch: gathered, made durable with one sync, acknowledged; a snapshot every
    /// `snapshot_every_commands`.
    fn write_batches(
        &mut self,
        submissions: &Receiver<Submission>,
        snapshots: &Sender<(u64, RawState)>,
        durable: &Receiver<u64>,
    ) -> Result<()> {
        let mut since_snapshot = 0u64;
        let mut batch = Batch {
            records: Vec::with_capacity(1 << 20),
            ..Batch::default()
        };
        while let Ok(first) = submissions.recv() {
            self.gather(first, submissions, &mut batch);
            since_snapshot += self.commit(&mut batch)? as u64;
            let every = self.settings.snapshot_every_commands;
            if every > 0 && since_snapshot >= every {
                self.snapshot(snapshots)?;
                since_snapshot = 0;
            }
            if durable.try_iter().count() > 0 {
                self.rotate()?;
            }
        }
        Ok(())
    }

    /// Once a snapshot is durable, records after it go to a new segment, and the segments
    /// wholly at or before the older kept snapshot are deleted. Rotating only then means every
    /// segment boundary has a durable snapshot behind it: a crash that loses snapshots in
    /// flight leaves no segment that only they would have let go.
    fn rotate(&mut self) -> Result<()> {
        if self.segment_first < self.next_seq {
            self.segment = create_segment(&self.dir, self.next_seq)?;
            self.segment_first = self.next_seq;
        }
        delete_covered_segments(&self.dir)
    }

    /// Applies and encodes `first` and the submissions that follow it within the flush
    /// interval, up to `batch_max_commands`.
    // Wall time: the flush interval is a real-time setting of the writer, not simulated time.
    #[allow(clippy::disallowed_methods)]
    fn gather(&mut self, first: Submission, submissions: &Receiver<Submission>, batch: &mut Batch) {
        let interval = Duration::from_micros(self.settings.flush_interval_us);
        let deadline = Instant::now() + interval;
        let mut next = Some(first);
        while let Some(submission) = next.take() {
            let first_seq = self.next_seq;
            let mut results = Vec::new();
            self.engine.apply_batch(&submission.commands, &mut results);
            for command in &submission.commands {
                journal::encode_record(self.next_seq, command, &mut batch.records);
                self.next_seq += 1;
            }
            batch.commands += submission.commands.len();
            batch
                .acks
                .push((submission.reply, Ack { first_seq, results }));
            if batch.commands >= self.settings.batch_max_commands {
                break;
            }
            next = match submissions.try_recv() {
                Ok(s) => Some(s),
                Err(_) if interval.is_zero() => None,
                Err(_) => submissions.recv_deadline(deadline).ok(),
            };
        }
    }

    /// Writes the batch's records, syncs them, records how far the journal reached, then
    /// acknowledges every submission in it; the batch is left empty. Returns its commands.
    fn commit(&mut self, batch: &mut Batch) -> Result<usize> {
        self.segment
            .write_all(&batch.records)
            .and_then(|()| self.segment.sync_data())
            .and_then(|()| write_acknowledged(&self.acknowledged, self.next_seq - 1))
            .map_err(DurableError::JournalWrite)?;
        batch.records.clear();
        self.stats.batches.fetch_add(1, Ordering::Relaxed);
        for (reply, ack) in batch.acks.drain(..) {
            reply.send(ack);
        }
        Ok(std::mem::take(&mut batch.commands))
    }

    /// Copies the state out and hands it to the snapshot thread. Between batches nothing else
    /// writes: the copy is one moment, journal position `next_seq − 1`, already durable.
    // Wall time: the snapshot pause is measured.
    #[allow(clippy::disallowed_methods)]
    fn snapshot(&mut self, snapshots: &Sender<(u64, RawState)>) -> Result<()> {
        let started = Instant::now();
        let state = self.engine.export_raw();
        let pause = started.elapsed().as_nanos() as u64;
        self.stats
            .longest_snapshot_pause_ns
            .fetch_max(pause, Ordering::Relaxed);
        snapshots
            .send((self.next_seq - 1, state))
            .map_err(|_| DurableError::Stopped("the snapshot writer stopped"))?;
        self.stats.snapshots.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Writes a snapshot durably (a temporary file, synced, renamed, the folder synced), then
/// deletes all but the newest [`SNAPSHOTS_KEPT`].
pub(super) fn write_snapshot(
    dir: &Path,
    seq: u64,
    state: &qm_engine::snapshot::EngineState,
) -> Result<()> {
    let path = snapshot_path(dir, seq);
    let temporary = path.with_extension("qms.tmp");
    let mut file =
        File::create(&temporary).map_err(DurableError::io("cannot create", &temporary))?;
    file.write_all(&qm_engine::snapshot::encode(seq, state))?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, &path)?;
    sync_dir(dir)?;
    for (_, old) in snapshots(dir)?.iter().skip(SNAPSHOTS_KEPT) {
        std::fs::remove_file(old).map_err(DurableError::io("cannot delete", old))?;
    }
    Ok(())
}

/// Deletes the segments wholly at or before the oldest of the newest [`SNAPSHOTS_KEPT`]
/// snapshots: recovery no longer needs them. The last segment is never deleted.
fn delete_covered_segments(dir: &Path) -> Result<()> {
    let kept = snapshots(dir)?;
    let Some(oldest_kept) = kept.iter().take(SNAPSHOTS_KEPT).map(|(seq, _)| *seq).min() else {
        return Ok(());
    };
    for pair in segments(dir)?.windows(2) {
        let ((_, path), (next_first, _)) = (&pair[0], &pair[1]);
        if next_first - 1 <= oldest_kept {
            std::fs::remove_file(path).map_err(DurableError::io("cannot delete", path))?;
        }
    }
    Ok(())
}
