//! Copies of the database, for `watchtower backup` and `watchtower restore`: a
//! snapshot taken through SQLite's online backup API while a server writes, the
//! checks a file must pass to be taken for a Watchtower database, and the swap
//! that puts a restored file in the database's place.

use std::ffi::OsString;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags};

pub use super::background::yield_cpu;
use super::{DATABASE_FILE, SEARCH_FILE, schema};

/// How long a snapshot waits for a database that a server holds (while it
/// recovers its log at start, or empties it).
const PATIENCE: Duration = Duration::from_secs(30);

/// The files SQLite keeps beside a database while it is open.
const SIDECARS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// What a checked database holds.
#[derive(Clone, Copy, Debug)]
pub struct Contents {
    /// Its schema version (`PRAGMA user_version`).
    pub version: i64,
    pub services: u64,
    pub events: u64,
}

/// Why a file is not a database that this build can take.
#[derive(Debug, thiserror::Error)]
pub enum Unfit {
    #[error("not a SQLite database")]
    NotSqlite,
    #[error("a SQLite database, but not a Watchtower one (no services and events tables)")]
    NotWatchtower,
    #[error(
        "a Watchtower database of schema version {found}, newer than this watchtower's \
         ({supported}): use the newer watchtower that wrote it"
    )]
    Newer { found: i64, supported: i64 },
    #[error("damaged: {0}")]
    Damaged(String),
    #[error(transparent)]
    Sqlite(rusqlite::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<rusqlite::Error> for Unfit {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => Self::NotSqlite,
            Some(ErrorCode::DatabaseCorrupt) => Self::Damaged(error.to_string()),
            _ => Self::Sqlite(error),
        }
    }
}

/// The schema version this build writes, and the newest it can open.
pub fn latest_version() -> i64 {
    schema::latest_version()
}

/// `path` with `suffix` appended (`watchtower.db` → `watchtower.db-wal`).
pub fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes `path` and whatever SQLite left beside it.
pub fn remove_with_sidecars(path: &Path) -> std::io::Result<()> {
    remove_if_present(path)?;
    remove_sidecars(path)
}

/// Removes what SQLite left beside `path`: about to be replaced, it must not
/// inherit a log or a journal that would be replayed into its successor.
pub fn remove_sidecars(path: &Path) -> std::io::Result<()> {
    SIDECARS
        .iter()
        .try_for_each(|suffix| remove_if_present(&sidecar(path, suffix)))
}

fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Copies the database at `database`, which a server may be writing to, into
/// `into` (an empty file), as it was at one moment; the copy is one file, in
/// rollback-journal mode, that needs nothing beside it.
pub fn snapshot(database: &Path, into: &Path) -> rusqlite::Result<()> {
    // Never created here: a wrong path must fail, not yield an empty backup.
    let source = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    source.busy_timeout(PATIENCE)?;
    // Checkpoints are the server's business. Closing last, this connection would
    // copy the log into the database and delete the log by name, whatever file
    // bears that name by then.
    source.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    let mut copy = Connection::open(into)?;
    copy.busy_timeout(PATIENCE)?;
    {
        let backup = Backup::new(&source, &mut copy)?;
        let started = Instant::now();
        // Every page in one step, so in one read transaction: the copy is the
        // database as that transaction saw it, and in WAL mode the server goes
        // on writing meanwhile. In steps of a few pages, the backup would start
        // over whenever the server commits between two, under load forever.
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::Busy | StepResult::Locked if started.elapsed() < PATIENCE => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                StepResult::More => {}
                _ => {
                    return Err(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                        Some(format!("the database stayed locked for {PATIENCE:?}")),
                    ));
                }
            }
        }
    }
    // The pages say WAL, as the server's do; a backup in rollback mode can be
    // opened read-only by any tool without leaving a log and an index behind.
    copy.pragma_update(None, "journal_mode", "DELETE")?;
    copy.close().map_err(|(_, error)| error)?;
    source.close().map_err(|(_, error)| error)
}

/// Checks that `path` is a whole Watchtower database of a schema version this
/// build can open, and counts what it holds.
pub fn inspect(path: &Path) -> Result<Contents, Unfit> {
    check_header(path)?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'
           AND name IN ('services', 'events', 'event_services', 'alerts')",
        [],
        |row| row.get(0),
    )?;
    if version < 1 || tables < 4 {
        return Err(Unfit::NotWatchtower);
    }
    let supported = schema::latest_version();
    if version > supported {
        return Err(Unfit::Newer {
            found: version,
            supported,
        });
    }
    // Checks every page, and that every index agrees with its table.
    let problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check(3)")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if problems != ["ok"] {
        return Err(Unfit::Damaged(format!(
            "SQLite's integrity check reports {}",
            problems.join("; ")
        )));
    }
    let count = |table: &str| {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get::<_, i64>(0)
        })
        .map(|n| n.unsigned_abs())
    };
    let contents = Contents {
        version,
        services: count("services")?,
        events: count("events")?,
    };
    conn.close().map_err(|(_, error)| error)?;
    Ok(contents)
}

/// Checks that `path` starts as every SQLite database does: a cheap first look.
pub fn check_header(path: &Path) -> Result<(), Unfit> {
    let mut header = [0; 16];
    match File::open(path)?.read_exact(&mut header) {
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => Err(Unfit::NotSqlite),
        Err(error) => Err(error.into()),
        Ok(()) if &header == b"SQLite format 3\0" => Ok(()),
        Ok(()) => Err(Unfit::NotSqlite),
    }
}

/// Copies the log of the database at `path` into it and removes the log, so that
/// the file holds everything by itself; `false` when that could not be done
/// (a damaged database, say): the log is then still there.
pub fn fold_log(path: &Path) -> bool {
    let folded = || -> rusqlite::Result<bool> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // The first column is 1 when a reader kept the checkpoint from finishing.
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
        // Closing the last connection removes the (now empty) log.
        conn.close().map_err(|(_, error)| error)?;
        Ok(busy == 0)
    };
    match folded() {
        Ok(done) => done,
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "cannot fold the log into the database");
            false
        }
    }
}

/// Puts `restored`, a checked database file in `data_dir` with nothing beside
/// it, in the database's place. The database there, if any, is kept, whole, as
/// `watchtower.db.before-restore-STAMP`, whose path is returned. The search index
/// goes: it is rebuilt from the restored events when the server starts.
pub fn replace(data_dir: &Path, restored: &Path, stamp: &str) -> std::io::Result<Option<PathBuf>> {
    let database = data_dir.join(DATABASE_FILE);
    let log = sidecar(&database, "-wal");
    let kept = match database.exists() {
        true => {
            let aside = unused(&data_dir.join(format!("{DATABASE_FILE}.before-restore-{stamp}")));
            fold_log(&database);
            // A second name first, so that `watchtower.db` always names a whole
            // database: the old one until the rename below replaces it at once.
            if std::fs::hard_link(&database, &aside).is_err() {
                // No hard links on this filesystem: a moment without a database.
                std::fs::rename(&database, &aside)?;
            }
            // A log that could not be folded travels with its database.
            if log.exists() {
                std::fs::rename(&log, sidecar(&aside, "-wal"))?;
            }
            Some(aside)
        }
        // A log without its database would be replayed into the restored one.
        false => {
            remove_if_present(&log)?;
            None
        }
    };
    remove_if_present(&sidecar(&database, "-shm"))?;
    remove_if_present(&sidecar(&database, "-journal"))?;
    std::fs::rename(restored, &database)?;
    sync_dir(data_dir)?;
    // It describes the events of the old database, and may claim to cover ids
    // that the restored one will give to new events.
    remove_with_sidecars(&data_dir.join(SEARCH_FILE))?;
    Ok(kept)
}

/// `path`, or `path-2`, `path-3`, … if it is taken.
fn unused(path: &Path) -> PathBuf {
    std::iter::once(path.to_owned())
        .chain((2..).map(|n| sidecar(path, &format!("-{n}"))))
        .find(|candidate| !candidate.exists())
        .expect("one of endless names is free")
}

/// Makes the renames and removals in `dir` durable.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}
