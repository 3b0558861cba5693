//! Reads: a small pool of read-only connections, used off the async runtime.
//! In WAL mode they never block the writer, nor it them.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
}

impl ReadPool {
    pub fn new(path: PathBuf, search: Option<PathBuf>) -> Self {
        Self {
            path,
            search,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(MAX_READERS),
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
        let (path, search) = (self.path.clone(), self.search.clone());
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let conn = match pooled {
                Some(conn) => conn,
                None => open_reader(&path, search.as_deref())?,
            };
            let result = query(&conn);
            Ok::<_, rusqlite::Error>((conn, result))
        })
        .await
        .map_err(|error| StoreError::Unavailable(Cause::described("read task failed", error)))??;
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(conn);
        result.map_err(StoreError::from)
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
