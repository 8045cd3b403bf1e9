//! Group commit settings, the folder's file names, and the bounds they imply on a folder.

/// File names of the genesis inside a durable engine's folder.
pub(super) const GENESIS_FILE: &str = "genesis.json";
pub(super) const SCENARIO_COPY: &str = "scenario.toml";
/// The file a process holds an exclusive lock on while it owns the folder (`Durable::open`
/// until the `Durable` is dropped): two writers would interleave their journals.
pub(super) const LOCK_FILE: &str = "lock";

/// The journal is a run of segment files, `journal-<first record, 20 digits>.qmj`; a new one
/// starts once a snapshot is durable, so segments wholly behind the oldest kept snapshot can be
/// deleted.
pub(super) const SEGMENT_PREFIX: &str = "journal-";
/// The most commands one batch may hold.
pub const MAX_BATCH_COMMANDS: usize = 1 << 20;
/// Submissions queued for the writer before `submit` blocks (back-pressure).
pub(super) const QUEUE_SUBMISSIONS: usize = 4_096;

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
pub(super) const SNAPSHOTS_KEPT: usize = 2;
/// Snapshots copied out by the writer and queued for the snapshot thread; a full queue makes
/// the writer wait, which is what bounds the journal when snapshots are slower than commands.
pub(super) const SNAPSHOTS_QUEUED: usize = 1;
/// The most journal segments a folder holds, crashes included. A segment starts only once a
/// snapshot is durable (at the writer's next batch, or as it closes), and the segments wholly at
/// or before the oldest of the `SNAPSHOTS_KEPT` newest snapshots are deleted right after. The
/// writer may have copied out up to `SNAPSHOTS_QUEUED + 1` more snapshots by the time a segment
/// starts (those queued while it was being written), so once the deletion is done the folder
/// holds the segment with the record after the oldest kept snapshot and at most
/// `SNAPSHOTS_KEPT + SNAPSHOTS_QUEUED` started since; one more between a start and its
/// deletion. A snapshot a crash loses in flight never started a segment.
pub const MAX_SEGMENTS: usize = SNAPSHOTS_KEPT + SNAPSHOTS_QUEUED + 2;
