//! The SQLite schema, versioned by `PRAGMA user_version` and upgraded in place at start.

use rusqlite::Connection;

/// Each entry moves the schema one version up; never edit a released entry, append one.
const MIGRATIONS: &[&str] = &[
    // v1: services, events with interned service names, and the alert outbox.
    "CREATE TABLE services (
        name         TEXT PRIMARY KEY,
        alert_type   TEXT NOT NULL,
        alert_target TEXT NOT NULL,
        next_in      REAL NOT NULL,
        last_pulse   INTEGER NOT NULL,
        deadline     INTEGER NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('up', 'dead')),
        seq          INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE event_services (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE events (
        id         INTEGER PRIMARY KEY,
        ts         INTEGER NOT NULL,
        service_id INTEGER NOT NULL REFERENCES event_services (id),
        level      INTEGER NOT NULL,
        message    TEXT NOT NULL
    );
    CREATE INDEX events_by_service ON events (service_id, ts);
    CREATE INDEX events_by_ts ON events (ts);
    CREATE TABLE alerts (
        id           INTEGER PRIMARY KEY,
        service      TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('down', 'up')),
        alert_type   TEXT NOT NULL,
        alert_target TEXT NOT NULL,
        last_pulse   INTEGER NOT NULL,
        deadline     INTEGER NOT NULL,
        down_since   INTEGER NOT NULL,
        created      INTEGER NOT NULL,
        state        TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
        attempts     INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL,
        lease_until  INTEGER,
        last_error   TEXT
    );
    CREATE INDEX alerts_pending ON alerts (next_attempt) WHERE state = 'pending';
    CREATE INDEX alerts_by_service ON alerts (service) WHERE state = 'pending';
    CREATE TABLE alert_attempts (
        alert_id INTEGER NOT NULL REFERENCES alerts (id),
        at       INTEGER NOT NULL,
        ok       INTEGER NOT NULL,
        error    TEXT
    );",
    // v2: the database's identity, which files derived from it (the search index) record.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    INSERT INTO meta VALUES ('instance', lower(hex(randomblob(16))));",
];

/// The identity of this database, stable for its lifetime.
pub fn instance(conn: &Connection) -> rusqlite::Result<String> {
    conn.query_row("SELECT value FROM meta WHERE key = 'instance'", [], |row| {
        row.get(0)
    })
}

pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the database up to the latest version, one transaction per step.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "applied storage migration");
    }
    Ok(())
}
