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
    // v3: the alert policy. Services carry their reminder interval, dependency,
    // last reminder and flapping state; alerts gain more kinds and states, a
    // triage stage before delivery (`triaged`, `released`), digests and details;
    // snoozes and event-rule rate limits get tables. SQLite cannot alter a CHECK
    // constraint, so the alerts table is rebuilt.
    "ALTER TABLE services ADD COLUMN remind_every REAL;
    ALTER TABLE services ADD COLUMN depends_on TEXT;
    ALTER TABLE services ADD COLUMN reminded INTEGER;
    ALTER TABLE services ADD COLUMN flapping_since INTEGER;
    CREATE INDEX services_dead ON services (name) WHERE status = 'dead';
    CREATE INDEX services_by_dependency ON services (depends_on) WHERE depends_on IS NOT NULL;
    CREATE TABLE alerts_v3 (
        id           INTEGER PRIMARY KEY,
        service      TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN
                       ('down', 'up', 'reminder', 'flapping', 'stable', 'digest', 'event')),
        alert_type   TEXT NOT NULL,
        alert_target TEXT NOT NULL,
        last_pulse   INTEGER NOT NULL,
        deadline     INTEGER NOT NULL,
        down_since   INTEGER NOT NULL,
        created      INTEGER NOT NULL,
        state        TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sent', 'failed', 'cancelled', 'suppressed', 'digested')),
        attempts     INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL,
        lease_until  INTEGER,
        last_error   TEXT,
        triaged      INTEGER NOT NULL DEFAULT 0,
        released     INTEGER,
        digest_id    INTEGER,
        details      TEXT
    );
    INSERT INTO alerts_v3 (id, service, kind, alert_type, alert_target, last_pulse, deadline,
                           down_since, created, state, attempts, next_attempt, lease_until,
                           last_error, triaged, released)
      SELECT id, service, kind, alert_type, alert_target, last_pulse, deadline, down_since,
             created, state, attempts, next_attempt, lease_until, last_error, 1, created
      FROM alerts;
    DROP TABLE alerts;
    ALTER TABLE alerts_v3 RENAME TO alerts;
    CREATE INDEX alerts_pending ON alerts (triaged, next_attempt) WHERE state = 'pending';
    CREATE INDEX alerts_by_service ON alerts (service, created);
    CREATE INDEX alerts_released ON alerts (released) WHERE released IS NOT NULL;
    CREATE INDEX alerts_by_digest ON alerts (digest_id) WHERE digest_id IS NOT NULL;
    CREATE TABLE snoozes (
        id       INTEGER PRIMARY KEY,
        service  TEXT,
        prefix   TEXT,
        starts   INTEGER NOT NULL,
        ends     INTEGER NOT NULL,
        reason   TEXT,
        created  INTEGER NOT NULL
    );
    CREATE TABLE rule_fires (
        rule       TEXT NOT NULL,
        service    TEXT NOT NULL,
        last_fired INTEGER NOT NULL,
        quieted    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (rule, service)
    ) WITHOUT ROWID;",
    // v4: an alert to a route is delivered as one alert per channel of the route,
    // each pointing back at it.
    "ALTER TABLE alerts ADD COLUMN fanned_from INTEGER;",
    // v5: API keys, by the SHA-256 digest of their secret; a name is unique among
    // the live ones, so that a revoked key's name can be given to its successor.
    "CREATE TABLE api_keys (
        id        INTEGER PRIMARY KEY,
        name      TEXT NOT NULL,
        digest    BLOB NOT NULL UNIQUE,
        scope     TEXT NOT NULL CHECK (scope IN ('read', 'ingest', 'write', 'admin')),
        prefix    TEXT,
        created   INTEGER NOT NULL,
        expires   INTEGER,
        revoked   INTEGER,
        last_used INTEGER
    );
    CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked IS NULL;",
    // v6: cron schedules (the expression and its IANA zone) and grace, in seconds.
    "ALTER TABLE services ADD COLUMN schedule TEXT;
    ALTER TABLE services ADD COLUMN tz TEXT;
    ALTER TABLE services ADD COLUMN grace REAL;",
    // v7: a service may be paused, or declared and not yet pulsed (`new`). SQLite
    // cannot alter a CHECK constraint, so the table is rebuilt.
    "CREATE TABLE services_v7 (
        name           TEXT PRIMARY KEY,
        alert_type     TEXT NOT NULL,
        alert_target   TEXT NOT NULL,
        next_in        REAL NOT NULL,
        last_pulse     INTEGER NOT NULL,
        deadline       INTEGER NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('up', 'dead', 'paused', 'new')),
        seq            INTEGER NOT NULL,
        remind_every   REAL,
        depends_on     TEXT,
        reminded       INTEGER,
        flapping_since INTEGER,
        schedule       TEXT,
        tz             TEXT,
        grace          REAL
    ) WITHOUT ROWID;
    INSERT INTO services_v7 (name, alert_type, alert_target, next_in, last_pulse, deadline,
                             status, seq, remind_every, depends_on, reminded, flapping_since,
                             schedule, tz, grace)
      SELECT name, alert_type, alert_target, next_in, last_pulse, deadline, status, seq,
             remind_every, depends_on, reminded, flapping_since, schedule, tz, grace
      FROM services;
    DROP TABLE services;
    ALTER TABLE services_v7 RENAME TO services;
    CREATE INDEX services_dead ON services (name) WHERE status = 'dead';
    CREATE INDEX services_by_dependency ON services (depends_on) WHERE depends_on IS NOT NULL;",
    // v8: when a service was first seen, so that its uptime counts from then; a
    // service stored before takes the date of its oldest event still kept.
    "ALTER TABLE services ADD COLUMN first_seen INTEGER;
    UPDATE services SET first_seen = (
        SELECT min(e.ts) FROM events e JOIN event_services s ON s.id = e.service_id
        WHERE s.name = services.name);",
    // v9: how many times a service pulsed, so that a declared service that never
    // did is told apart (0); every service stored before had pulsed.
    "ALTER TABLE services ADD COLUMN pulses INTEGER NOT NULL DEFAULT 1;",
    // v10: the ping history, a ring of the last entries of each service (`slot`
    // is the entry's number, `n`, modulo the history's length; `count` pings
    // folded in, the last at `last`); `started`: the run under way; `ping_fold*`:
    // what folds into the newest entry (see `monitor::pings::Fold`).
    "ALTER TABLE services ADD COLUMN pings INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE services ADD COLUMN started INTEGER;
    ALTER TABLE services ADD COLUMN ping_fold INTEGER;
    ALTER TABLE services ADD COLUMN ping_fold_at INTEGER;
    ALTER TABLE services ADD COLUMN ping_folded INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE services ADD COLUMN ping_fold_last INTEGER;
    CREATE TABLE pings (
        service    TEXT NOT NULL,
        slot       INTEGER NOT NULL,
        n          INTEGER NOT NULL,
        at         INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        source     TEXT NOT NULL,
        client     TEXT,
        user_agent TEXT,
        body       TEXT,
        duration   REAL,
        count      INTEGER NOT NULL DEFAULT 1,
        last       INTEGER,
        PRIMARY KEY (service, slot)
    ) WITHOUT ROWID;",
    // v11: an event's attributes, as canonical JSON (NULL: none). Adding a column
    // rewrites no row: events stored before read as having none. The index holds
    // the attributes of the events that have some, by service and date, so that
    // an attribute filter with a service reads the index alone, in order, and
    // never the table's rows of that service (scattered among all the others).
    // The id is named so that the index gives the pages' order (date, then id):
    // without it the planner prefers events_by_service, which gives it too.
    "ALTER TABLE events ADD COLUMN attributes TEXT;
    CREATE INDEX events_with_attributes ON events (service_id, ts, id, level, attributes)
        WHERE attributes IS NOT NULL;",
];

/// The identity of this database, stable for its lifetime.
pub fn instance(conn: &Connection) -> rusqlite::Result<String> {
    conn.query_row("SELECT value FROM meta WHERE key = 'instance'", [], |row| {
        row.get(0)
    })
}

/// Opens the write connection to the database at `path`, configured for durable
/// group commits, with its schema created or upgraded.
pub fn open_writer(path: &std::path::Path) -> anyhow::Result<Connection> {
    use anyhow::Context;
    let mut conn =
        Connection::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    // synchronous=FULL: a commit is on disk (fsync of the WAL) before anyone is answered.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;
         PRAGMA cache_size = -8192; PRAGMA temp_store = MEMORY;",
    )
    .with_context(|| format!("cannot configure {}", path.display()))?;
    // Checkpoints are the checkpointer's, and the writer's only past a bound.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    migrate(&mut conn)
        .with_context(|| format!("cannot upgrade the schema of {}", path.display()))?;
    Ok(conn)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_keeps_the_alerts_of_v2_as_already_released() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO alerts (service, kind, alert_type, alert_target, last_pulse, deadline,
                                 down_since, created, state, next_attempt)
             VALUES ('db', 'down', 'webhook', 'ops', 1, 2, 2, 3, 'pending', 3);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let (triaged, released, state): (i64, i64, String) = conn
            .query_row("SELECT triaged, released, state FROM alerts", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .unwrap();
        assert_eq!((triaged, released, state.as_str()), (1, 3, "pending"));
        conn.execute_batch(
            "INSERT INTO alerts (service, kind, alert_type, alert_target, last_pulse, deadline,
                                 down_since, created, next_attempt)
             VALUES ('db', 'reminder', 'webhook', 'ops', 1, 2, 2, 4, 4);",
        )
        .unwrap();
        let untriaged: i64 = conn
            .query_row("SELECT count(*) FROM alerts WHERE triaged = 0", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(untriaged, 1, "new alerts start untriaged");
    }

    #[test]
    fn v7_keeps_every_service_and_v8_dates_its_first_sight_from_its_oldest_event() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..6] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 6).unwrap();
        conn.execute_batch(
            "INSERT INTO services (name, alert_type, alert_target, next_in, last_pulse, deadline,
                                   status, seq, schedule, tz, grace)
             VALUES ('db', 'webhook', 'ops', 60, 5000, 65000, 'dead', 7, '@daily', 'UTC', 30),
                    ('quiet', 'webhook', 'ops', 60, 5000, 65000, 'up', 8, NULL, NULL, NULL);
             INSERT INTO event_services (id, name) VALUES (1, 'db');
             INSERT INTO events (ts, service_id, level, message)
             VALUES (3000, 1, 1, 'monitoring started'), (4000, 1, 1, 'later');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        type Row = (String, String, i64, Option<String>, Option<i64>);
        let rows: Vec<Row> = conn
            .prepare("SELECT name, status, seq, schedule, first_seen FROM services ORDER BY name")
            .unwrap()
            .query_map([], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                (
                    "db".into(),
                    "dead".into(),
                    7,
                    Some("@daily".into()),
                    Some(3000)
                ),
                ("quiet".into(), "up".into(), 8, None, None),
            ]
        );
        conn.execute(
            "UPDATE services SET status = 'paused' WHERE name = 'db'",
            [],
        )
        .unwrap();
    }
}
