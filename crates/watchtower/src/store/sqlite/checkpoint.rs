//! WAL checkpoints, and the log's size. Left to SQLite, every thousandth page
//! would make one commit copy the log into the database and fsync it, a stall
//! that every request in that batch waits for; here a thread of their own
//! copies the log beside the writer.
//!
//! A log starts over from its beginning only when a write begins with all of
//! it copied, which never happens under steady load by itself: the writer
//! appends while the checkpointer copies. So once the checkpointer has copied
//! a long log ([`WalBounds::restart_at`]), it asks the writer, which between two
//! batches copies the little written since (a few milliseconds) and so lets
//! its next batch start the log over, on the same file. Should readers keep
//! that from happening, the writer empties the log outright past the configured
//! bound (`storage.walLimitMiB`), a stall of writes. At rest the checkpointer
//! cuts the file back to [`WalBounds::at_rest`], and so does every restart.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;

use super::background::Background;

/// How often the log is copied back into the database.
const EVERY: Duration = Duration::from_millis(200);
/// The most a log may keep on disk once the load stops.
pub const AT_REST_MAX: u64 = 64 * 1024 * 1024;

/// How large a log may grow: `under_load` is the configured bound.
#[derive(Clone, Copy, Debug)]
pub struct WalBounds {
    pub under_load: u64,
}

impl WalBounds {
    /// What a log is cut back to once it rests.
    pub fn at_rest(self) -> u64 {
        self.under_load.min(AT_REST_MAX)
    }

    /// How long a log grows under load before it starts over: half the rest
    /// bound, so that the file, cut back to that bound at each restart, need
    /// not grow again between two of them.
    pub fn restart_at(self) -> u64 {
        self.at_rest() / 2
    }

    /// Makes `conn` cut the log back to the rest bound whenever it starts over
    /// (SQLite's `journal_size_limit`): the writer, and the search index's.
    pub fn apply(self, conn: &Connection) -> rusqlite::Result<()> {
        conn.pragma_update(None, "journal_size_limit", self.at_rest() as i64)
    }
}

/// The log beside `database`.
pub fn log_of(database: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", database.display()))
}

pub fn log_size(log: &Path) -> u64 {
    std::fs::metadata(log).map_or(0, |m| m.len())
}

/// Empties the log (and truncates its file) unless a reader or writer is in the
/// way; `false` when it could not.
pub fn empty(conn: &Connection) -> bool {
    match conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
        row.get::<_, i64>(0)
    }) {
        Ok(busy) => busy == 0,
        Err(error) => {
            tracing::warn!(%error, "emptying the WAL failed; retrying later");
            false
        }
    }
}

/// Starts the thread that copies the log into the database, and cuts it back
/// once nothing has been written for a moment.
pub fn start(database: &Path, limit: LogLimit) -> rusqlite::Result<Background> {
    let conn = Connection::open(database)?;
    // Never wait: a checkpoint that waited for a reader would hold the writers
    // back meanwhile; one that cannot finish now is tried again at the next tick.
    conn.busy_timeout(Duration::ZERO)?;
    let frame_bytes = conn.query_row("PRAGMA page_size", [], |row| row.get::<_, u64>(0))? + 24;
    Background::spawn("watchtower-checkpoint", move |stop| {
        run(&conn, &limit, frame_bytes, stop)
    })
    .map_err(|error| rusqlite::Error::ToSqlConversionFailure(error.into()))
}

fn run(conn: &Connection, limit: &LogLimit, frame_bytes: u64, stop: &AtomicBool) {
    let mut last_frames = -1;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(EVERY);
        // PASSIVE copies what no reader still needs and never waits for anyone.
        let passive = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
        });
        let (frames, copied) = match passive {
            Ok(counts) => counts,
            Err(error) => {
                tracing::warn!(%error, "WAL checkpoint failed; retrying");
                continue;
            }
        };
        // -1 frames: no count, as when the writer's own checkpoint was under way.
        let logged = u64::try_from(frames)
            .unwrap_or(0)
            .saturating_mul(frame_bytes);
        if logged >= limit.bounds.restart_at() {
            limit.restart_wanted.store(true, Ordering::Relaxed);
        }
        // At rest: all of it copied, and nothing written since the last look.
        let resting = frames == copied && frames == last_frames;
        last_frames = frames;
        if resting && log_size(&limit.log) > limit.bounds.at_rest() {
            limit.empty_unless_indexing(conn);
        }
    }
}

/// What keeps the log bounded: its file, its bounds, and the search indexer's gate.
#[derive(Clone)]
pub struct LogLimit {
    pub log: PathBuf,
    pub bounds: WalBounds,
    /// Held by the search indexer while it reads, so that emptying the log does
    /// not wait on a reader that never pauses.
    pub gate: Arc<Mutex<()>>,
    /// Set by the checkpointer once it has copied a long log; taken by the writer.
    restart_wanted: Arc<AtomicBool>,
}

impl LogLimit {
    pub fn new(database: &Path, bounds: WalBounds, gate: Arc<Mutex<()>>) -> Self {
        Self {
            log: log_of(database),
            bounds,
            gate,
            restart_wanted: Arc::default(),
        }
    }

    /// Called by the writer between batches, when no write is under way: copies
    /// what the checkpointer has not (written since its last pass) when it asks,
    /// so that the next batch starts the log over; empties the log outright when
    /// it is past its bound all the same.
    pub fn enforce(&self, conn: &Connection) {
        if self.restart_wanted.swap(false, Ordering::Relaxed) {
            // PASSIVE never waits: a reader still on an older snapshot only
            // keeps this round from copying everything, and the next one tries.
            if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(%error, "WAL checkpoint before a restart failed");
            }
        }
        if log_size(&self.log) > self.bounds.under_load {
            self.empty_unless_indexing(conn);
        }
    }

    /// Never waits for the indexer, which may run at idle priority: the caller
    /// tries again later instead.
    fn empty_unless_indexing(&self, conn: &Connection) {
        if let Ok(_held) = self.gate.try_lock() {
            empty(conn);
        }
    }
}
