//! Reads: a small pool of read-only connections, used off the async runtime.
//! In WAL mode they never block the writer, nor it them.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::Semaphore;

use crate::store::{Cause, StoreError};

/// Reads running at once; more wait for a connection.
const MAX_READERS: usize = 8;

pub struct ReadPool {
    path: PathBuf,
    /// The search index, attached to every reader when it is on.
    search: Option<PathBuf>,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    /// How long one read may run before SQLite is told to stop it.
    timeout: Duration,
}

/// SQLite virtual machine steps between looks at the clock: a few microseconds.
const STEPS_PER_CHECK: i32 = 1_000;

impl ReadPool {
    pub fn new(path: PathBuf, search: Option<PathBuf>, timeout: Duration) -> Self {
        Self {
            path,
            search,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(MAX_READERS),
            timeout,
        }
    }

    /// Runs `query` on a pooled connection in the blocking thread pool.
    pub async fn read<T, F>(&self, query: F) -> Result<T, StoreError>
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
        let (path, search, timeout) = (self.path.clone(), self.search.clone(), self.timeout);
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let conn = match pooled {
                Some(conn) => conn,
                None => open_reader(&path, search.as_deref())?,
            };
            // Past the deadline SQLite stops the statement (SQLITE_INTERRUPT):
            // a request given up on must not keep a core and a reader busy.
            let deadline = Instant::now() + timeout;
            conn.progress_handler(STEPS_PER_CHECK, Some(move || Instant::now() >= deadline));
            let result = query(&conn);
            conn.progress_handler(0, None::<fn() -> bool>);
            Ok::<_, rusqlite::Error>((conn, result))
        })
        .await
        .map_err(|error| StoreError::Unavailable(Cause::described("read task failed", error)))??;
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(conn);
        result.map_err(|error| match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::OperationInterrupted) => StoreError::TooSlow(timeout),
            _ => StoreError::from(error),
        })
    }

    pub fn searches(&self) -> bool {
        self.search.is_some()
    }

    pub fn close(&self) {
        self.permits.close();
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
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
