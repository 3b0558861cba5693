//! WAL checkpoints. Left to SQLite, every thousandth page would make one commit
//! copy the log into the database and fsync it, a stall that every request in
//! that batch waits for; here a thread of their own copies the log beside the
//! writer, and the writer only empties it, between batches, once it is large.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;

use super::background::Background;

/// How often the log is copied back into the database.
const EVERY: Duration = Duration::from_millis(200);
/// Past this size, the writer empties the log. A log only starts over once no
/// reader uses it and no write is under way, which a server under sustained load
/// never leaves it: without this it would grow without end. Emptying stalls the
/// writer (about 40% of bulk throughput at 64 MiB in `bench/events.sh`), so it is
/// a bound for long bursts, not the normal path: a pause in the load resets the log.
const TRUNCATE_ABOVE: u64 = 1024 * 1024 * 1024;

/// Starts the thread that copies the log into the database.
pub fn start(database: &Path) -> rusqlite::Result<Background> {
    let conn = Connection::open(database)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Background::spawn("watchtower-checkpoint", move |stop| run(&conn, stop))
        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(error.into()))
}

fn run(conn: &Connection, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(EVERY);
        // PASSIVE copies what no reader still needs and never waits for anyone.
        if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(%error, "WAL checkpoint failed; retrying");
        }
    }
}

/// What the writer needs to keep the log bounded.
pub struct LogLimit {
    pub log: PathBuf,
    /// Held by the search indexer while it reads, so that emptying the log does
    /// not wait on a reader that never pauses.
    pub gate: Arc<Mutex<()>>,
}

impl LogLimit {
    pub fn new(database: &Path, gate: Arc<Mutex<()>>) -> Self {
        Self {
            log: PathBuf::from(format!("{}-wal", database.display())),
            gate,
        }
    }

    /// Empties the log when it is large; called by the writer between batches,
    /// when no write is under way. Most of it is already copied (see `run`), so
    /// what remains is a short copy and an fsync.
    pub fn enforce(&self, conn: &Connection) {
        if !std::fs::metadata(&self.log).is_ok_and(|m| m.len() > TRUNCATE_ABOVE) {
            return;
        }
        // Never wait for the indexer, which may run at idle priority: try again
        // after the next batch instead.
        let Ok(_held) = self.gate.try_lock() else {
            return;
        };
        if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
            tracing::warn!(%error, "emptying the WAL failed; retrying after the next batch");
        }
    }
}
