//! Message search: a trigram index (FTS5) kept in its own file beside the
//! database, filled by a background thread, so that ingest never waits for it.
//!
//! The index keeps, for each trigram, the events holding it (no positions:
//! `detail=none` makes it 2.5 times smaller and faster to fill); a search asks for
//! the events holding every trigram of the needle, and checks each candidate's
//! message. The index covers events up to a watermark that it stores with itself;
//! the few newer events are scanned. Its file holds nothing that cannot be rebuilt from the
//! events, so it is written without fsync, and rebuilt whenever it does not match
//! the database it sits beside.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::background::Background;
use super::checkpoint::{self, WalBounds};
use super::events::{Conditions, Direction, EVENT_COLUMNS, read_events, scan_page};
use crate::events::{Event, EventQuery, Order};

pub const SEARCH_FILE: &str = "watchtower-search.db";
/// Bumped when the index's layout changes: an index of another version is rebuilt.
const LAYOUT: i64 = 2;
/// Events indexed per transaction: larger chunks make fewer segments to merge.
const CHUNK: usize = 20_000;
/// How long the indexer rests once it has caught up.
const IDLE: Duration = Duration::from_millis(100);

pub use crate::store::reads::trigrams_serve as can_serve;

/// Opens (creating, or rebuilding when stale) the index beside the database at
/// `database`, whose identity is `instance`.
pub fn prepare(data_dir: &Path, instance: &str) -> rusqlite::Result<PathBuf> {
    let path = data_dir.join(SEARCH_FILE);
    // Asked before opening it, which creates the file.
    let existed = path.exists();
    let matches = existed
        && open_writer(&path)
            .and_then(|conn| describe(&conn))
            .is_ok_and(|found| found == Some((LAYOUT, instance.to_owned())));
    if !matches {
        if existed {
            tracing::info!(path = %path.display(), "rebuilding the search index: it belongs to another database or layout");
        } else {
            tracing::info!(path = %path.display(), "building the search index");
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            match std::fs::remove_file(&file) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Err(rusqlite::Error::ToSqlConversionFailure(error.into()));
                }
                _ => {}
            }
        }
        let conn = open_writer(&path)?;
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE events_fts USING fts5(
                 message, content = '', contentless_delete = 1, detail = none,
                 tokenize = 'trigram case_sensitive 0 remove_diacritics 0');
             CREATE TABLE search_state (
                 layout       INTEGER NOT NULL,
                 instance     TEXT NOT NULL,
                 indexed_upto INTEGER NOT NULL,
                 pruned_below INTEGER NOT NULL);
             INSERT INTO search_state VALUES ({LAYOUT}, '{instance}', 0, 0);
             -- Merging fewer, larger segments at a time: 40% faster to fill, as fast to query.
             INSERT INTO events_fts (events_fts, rank) VALUES ('automerge', 16);"
        ))?;
    }
    Ok(path)
}

fn describe(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    conn.query_row("SELECT layout, instance FROM search_state", [], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })
    .optional()
}

fn open_writer(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA busy_timeout = 5000;
         PRAGMA cache_size = -8192;",
    )?;
    Ok(conn)
}

/// Makes the index readable, as `search`, on a reader connection.
pub fn attach(conn: &Connection, path: &Path) -> rusqlite::Result<()> {
    let uri = format!("file:{}?mode=ro", path.display());
    conn.execute("ATTACH DATABASE ?1 AS search", [uri])?;
    Ok(())
}

/// A page of events whose message holds `needle`: the events past the watermark
/// by scanning, the rest through the index, walked in rowid (that is, date) order.
pub fn query_page(
    conn: &Connection,
    query: &EventQuery,
    conditions: Conditions,
    needle: &str,
) -> rusqlite::Result<Vec<Event>> {
    // One read transaction: the watermark and the index are seen at the same moment.
    let tx = conn.unchecked_transaction()?;
    let upto: i64 = tx
        .prepare_cached("SELECT indexed_upto FROM search.search_state")?
        .query_row([], |row| row.get(0))?;
    let folded = needle.to_lowercase();
    let unindexed = |limit: u32| {
        let mut conditions = conditions.clone();
        let (upto, folded) = (conditions.bind(upto), conditions.bind(folded.clone()));
        conditions.and(format!(
            "e.id > {upto} AND wt_contains(e.message, {folded})"
        ));
        // By id, which is date order here: the rowid range then bounds the scan.
        scan_page(&tx, conditions, query.order, limit, "e.id")
    };
    let indexed = |limit: u32| indexed_page(&tx, query, conditions.clone(), needle, upto, limit);
    let mut events = match query.order {
        Order::Desc => unindexed(query.limit)?,
        Order::Asc => indexed(query.limit)?,
    };
    let left = query.limit - events.len() as u32;
    if left > 0 {
        events.extend(match query.order {
            Order::Desc => indexed(left)?,
            Order::Asc => unindexed(left)?,
        });
    }
    Ok(events)
}

fn indexed_page(
    conn: &Connection,
    query: &EventQuery,
    mut conditions: Conditions,
    needle: &str,
    upto: i64,
    limit: u32,
) -> rusqlite::Result<Vec<Event>> {
    let trigrams = conditions.bind(every_trigram(needle));
    let folded = conditions.bind(needle.to_lowercase());
    let upto = conditions.bind(upto);
    let mut rowids = format!("events_fts MATCH {trigrams} AND events_fts.rowid <= {upto}");
    if let Some(after) = query.after {
        let id = conditions.bind(after.id);
        rowids.push_str(&format!(
            " AND events_fts.rowid {} {id}",
            query.order.past()
        ));
    }
    // Candidates hold every trigram, in any order and place: the recheck keeps
    // those that hold the needle itself (and settles any case folding nuance).
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM search.events_fts
         JOIN events e ON e.id = events_fts.rowid
         JOIN event_services s ON s.id = e.service_id
         WHERE {rowids}{} AND wt_contains(e.message, {folded})
         ORDER BY events_fts.rowid {} LIMIT {limit}",
        conditions.sql,
        query.order.sql()
    );
    read_events(conn, &sql, conditions.args)
}

/// An FTS5 query for the events holding every trigram of `needle`. Trigrams are
/// taken from the needle as given: the index folds each one's case itself.
fn every_trigram(needle: &str) -> String {
    let chars: Vec<char> = needle.chars().collect();
    let mut trigrams: Vec<String> = chars.windows(3).map(|w| w.iter().collect()).collect();
    trigrams.sort();
    trigrams.dedup();
    trigrams
        .iter()
        .map(|trigram| format!("\"{}\"", trigram.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Starts the thread that keeps the index up with the events table; it reads
/// events only while holding `gate` (see the checkpointer).
pub fn start_indexer(
    database: PathBuf,
    index: PathBuf,
    gate: Arc<Mutex<()>>,
    bounds: WalBounds,
) -> std::io::Result<Background> {
    Background::spawn("watchtower-search", move |stop| {
        run(&database, &index, &gate, bounds, stop)
    })
}

fn run(database: &Path, index: &Path, gate: &Mutex<()>, bounds: WalBounds, stop: &AtomicBool) {
    // SCHED_IDLE: the index gets only the CPU time nothing else wants, so that it
    // never slows ingest down; it catches up when the load eases (searches scan
    // what it has not reached, so they stay complete meanwhile).
    if let Err(error) = super::background::yield_cpu() {
        tracing::warn!(
            ?error,
            "cannot lower the search indexer's priority; it will compete with ingest"
        );
    }
    let opened = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|events| {
        let search = open_writer(index)?;
        bounds.apply(&search)?;
        Ok((events, search))
    });
    let (events, mut search) = match opened {
        Ok(connections) => connections,
        Err(error) => {
            tracing::error!(%error, "the search indexer cannot start; message search will scan");
            return;
        }
    };
    while !stop.load(Ordering::Relaxed) {
        match step(&events, &mut search, gate) {
            Ok(true) => continue,
            Ok(false) => {
                // Caught up: the index's own log is cut back as the events' is.
                if checkpoint::log_size(&checkpoint::log_of(index)) > bounds.at_rest() {
                    checkpoint::empty(&search);
                }
                std::thread::sleep(IDLE);
            }
            Err(error) => {
                tracing::warn!(%error, "search indexing step failed; retrying");
                std::thread::sleep(IDLE * 10);
            }
        }
    }
}

/// Indexes the next chunk of events, or forgets a chunk of deleted ones; `false`
/// when there was nothing to do.
fn step(events: &Connection, search: &mut Connection, gate: &Mutex<()>) -> rusqlite::Result<bool> {
    let (upto, pruned_below): (i64, i64) = search.query_row(
        "SELECT indexed_upto, pruned_below FROM search_state",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let held = gate.lock().unwrap_or_else(|p| p.into_inner());
    let read = events.unchecked_transaction()?;
    let chunk: Vec<(i64, String)> = read
        .prepare_cached("SELECT id, message FROM events WHERE id > ?1 ORDER BY id LIMIT ?2")?
        .query_map([upto, CHUNK as i64], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let oldest: Option<i64> = read.query_row("SELECT MIN(id) FROM events", [], |row| row.get(0))?;
    drop(read);
    drop(held);
    let tx = search.transaction()?;
    if let Some((last, _)) = chunk.last() {
        let mut insert =
            tx.prepare_cached("INSERT INTO events_fts (rowid, message) VALUES (?1, ?2)")?;
        for (id, message) in &chunk {
            insert.execute((id, message))?;
        }
        drop(insert);
        tx.execute("UPDATE search_state SET indexed_upto = ?1", [last])?;
        tx.commit()?;
        return Ok(true);
    }
    // Retention deletes the oldest events; their entries go, a chunk at a time.
    let gone_below = oldest.unwrap_or(upto + 1).min(upto + 1);
    if pruned_below >= gone_below {
        return Ok(false);
    }
    let end = gone_below.min(pruned_below.saturating_add(CHUNK as i64));
    tx.execute(
        "DELETE FROM events_fts WHERE rowid >= ?1 AND rowid < ?2",
        [pruned_below, end],
    )?;
    tx.execute("UPDATE search_state SET pruned_below = ?1", [end])?;
    tx.commit()?;
    Ok(true)
}
