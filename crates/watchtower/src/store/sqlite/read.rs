//! Reads: a small pool of read-only connections, used off the async runtime.
//! In WAL mode they never block the writer, nor it them.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::Semaphore;

use crate::store::reads::{HeavyReads, ReadLimits};
use crate::store::{Cause, StoreError};

/// Reads running at once; more wait for a connection.
const MAX_READERS: usize = 8;

pub struct ReadPool {
    path: PathBuf,
    /// The search index, attached to every reader when it is on.
    search: Option<PathBuf>,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    heavy: HeavyReads,
}

/// SQLite virtual machine steps between looks at the clock: a few microseconds.
const STEPS_PER_CHECK: i32 = 1_000;

/// Where a read runs.
#[derive(Clone, Copy)]
enum Lane {
    /// Tokio's blocking pool, at normal priority: reads that find their rows by
    /// an index and return soon.
    Normal,
    /// A thread of its own that gives way to the writer and the HTTP workers
    /// (nice 10), and ends with the read.
    Heavy,
}

impl ReadPool {
    pub fn new(path: PathBuf, search: Option<PathBuf>, limits: ReadLimits) -> Self {
        Self {
            path,
            search,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(MAX_READERS),
            heavy: HeavyReads::new(limits),
        }
    }

    /// Runs `query` on a pooled connection in the blocking thread pool.
    pub async fn read<T, F>(&self, query: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let deadline = Instant::now() + self.heavy.limits().timeout;
        self.run(query, deadline, Lane::Normal).await
    }

    /// Runs `query`, one that reads every row of its range, when its turn comes
    /// (`limits.heavyReads` at once), on a thread that gives way to the writers.
    pub async fn read_heavy<T, F>(&self, query: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let turn = self.heavy.turn().await?;
        self.run(query, turn.deadline.into_std(), Lane::Heavy).await
    }

    async fn run<T, F>(&self, query: F, deadline: Instant, lane: Lane) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::shut_down())?;
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let (path, search) = (self.path.clone(), self.search.clone());
        let work = move || {
            let conn = match pooled {
                Some(conn) => conn,
                None => open_reader(&path, search.as_deref())?,
            };
            // Past the deadline SQLite stops the statement (SQLITE_INTERRUPT):
            // a request given up on must not keep a core and a reader busy.
            conn.progress_handler(STEPS_PER_CHECK, Some(move || Instant::now() >= deadline));
            let result = query(&conn);
            conn.progress_handler(0, None::<fn() -> bool>);
            Ok::<_, rusqlite::Error>((conn, result))
        };
        let (conn, result) = match lane {
            Lane::Normal => tokio::task::spawn_blocking(work).await.map_err(|error| {
                StoreError::Unavailable(Cause::described("read task failed", error))
            })??,
            Lane::Heavy => on_heavy_thread(work).await??,
        };
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(conn);
        let timeout = self.heavy.limits().timeout;
        result.map_err(|error| match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::OperationInterrupted) => StoreError::TooSlow(timeout),
            _ => StoreError::from(error),
        })
    }

    /// Runs `query` like [`Self::read`], then empties the connection's page cache:
    /// for reads that walk many pages once (a full listing is a thousand of them),
    /// whose pages would only push out what other reads use again.
    pub async fn read_once<T, F>(&self, query: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.read(move |conn| {
            let result = query(conn);
            conn.execute_batch("PRAGMA shrink_memory")?;
            result
        })
        .await
    }

    pub fn searches(&self) -> bool {
        self.search.is_some()
    }

    pub fn close(&self) {
        self.permits.close();
        self.heavy.close();
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Runs `work` on a new thread at lowered priority. A thread per heavy read costs
/// tens of microseconds against reads of a second, and a lowered thread can never
/// go back to serve normal work.
async fn on_heavy_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("wt-heavy-read".into())
        .spawn(move || {
            if let Err(error) = super::background::give_way() {
                tracing::debug!(%error, "a heavy read runs at normal priority");
            }
            let _ = answer.send(work());
        })
        .map_err(|error| {
            StoreError::Unavailable(Cause::described("cannot start a reader thread", error))
        })?;
    answered
        .await
        .map_err(|_| StoreError::unavailable("a heavy read's thread ended without an answer"))
}

fn open_reader(path: &Path, search: Option<&Path>) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // 8 MiB each: with eight readers, memory stays bounded whatever the database
    // size; the operating system's page cache holds the rest.
    conn.execute_batch("PRAGMA cache_size = -8192;")?;
    register_contains(&conn)?;
    register_attribute(&conn)?;
    if let Some(search) = search {
        super::search::attach(&conn, search)?;
    }
    Ok(conn)
}

/// `wt_contains(message, needle)`: Unicode case-insensitive substring test; the
/// needle arrives already lowercased. SQLite's own LIKE folds ASCII only.
fn register_contains(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "wt_contains",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let haystack = ctx
                .get_raw(0)
                .as_str()
                .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?;
            let needle = ctx
                .get_raw(1)
                .as_str()
                .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?;
            Ok(haystack.to_lowercase().contains(needle))
        },
    )
}

/// `wt_attribute(attributes, name)`: the attribute's value as a filter compares
/// it ([`crate::events::AttributeValue::text`]), or NULL when the event lacks it.
fn register_attribute(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "wt_attribute",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let failed =
                |e: rusqlite::types::FromSqlError| rusqlite::Error::UserFunctionError(e.into());
            let json = ctx.get_raw(0).as_str_or_null().map_err(failed)?;
            let key = ctx.get_raw(1).as_str().map_err(failed)?;
            let Some(json) = json else { return Ok(None) };
            // Most events lack most names: a name JSON writes as it is and that is
            // nowhere in the text is absent, without parsing.
            if !key.contains(['"', '\\']) && !json.contains(key) {
                return Ok(None);
            }
            let value = crate::events::stored_value(json, key)
                .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?;
            Ok(value.map(std::borrow::Cow::into_owned))
        },
    )
}
