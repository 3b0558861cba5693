//! The embedded SQLite backend: one file in the data directory, WAL mode, one
//! writer thread with group commit, and a pool of readers.

mod ops;
mod read;
mod rows;
mod schema;
mod writer;

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{Connection, params_from_iter};

use self::read::ReadPool;
use self::rows::{SERVICE_COLUMNS, level_at, name_at, service_from_row};
use self::writer::{Writer, WriterState};
use super::{DeathCheck, PulseRecorded, RestartPolicy, Store, StoreError, Watched};
use crate::alert::{AttemptOutcome, QueuedAlert};
use crate::cluster::{NodeInfo, NodeStatus, is_live};
use crate::events::{Event, EventFilter, NewEvent};
use crate::monitor::{Due, Pulse, Service, ServiceName};
use crate::time::Timestamp;

pub const DATABASE_FILE: &str = "watchtower.db";

pub struct SqliteStore {
    writer: Writer,
    reads: ReadPool,
    node: Mutex<Option<NodeStatus>>,
}

impl SqliteStore {
    /// Opens (creating or upgrading) the database in `data_dir`.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let path = data_dir.join(DATABASE_FILE);
        let mut conn =
            Connection::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        // synchronous=FULL: a commit is on disk (fsync of the WAL) before anyone is answered.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
        )
        .with_context(|| format!("cannot configure {}", path.display()))?;
        schema::migrate(&mut conn)
            .with_context(|| format!("cannot upgrade the schema of {}", path.display()))?;
        let next_seq = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM services", [], |row| {
            row.get(0)
        })?;
        let writer = Writer::start(
            conn,
            WriterState {
                next_seq,
                ..WriterState::default()
            },
        )?;
        tracing::info!(path = %path.display(), schema = schema::latest_version(), "storage open");
        Ok(Self {
            writer,
            reads: ReadPool::new(path),
            node: Mutex::new(None),
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn record_pulse(&self, pulse: Pulse) -> Result<PulseRecorded, StoreError> {
        self.writer
            .write(move |conn, state| ops::record_pulse(conn, state, pulse))
            .await
    }

    async fn cancel_service(
        &self,
        service: ServiceName,
        at: Timestamp,
    ) -> Result<Option<Service>, StoreError> {
        self.writer
            .write(move |conn, state| ops::cancel_service(conn, state, &service, at))
            .await
    }

    async fn list_services(&self) -> Result<Vec<Service>, StoreError> {
        let sql = format!("SELECT {SERVICE_COLUMNS} FROM services ORDER BY name");
        self.reads
            .read(move |conn| {
                conn.prepare_cached(&sql)?
                    .query_map([], service_from_row)?
                    .collect()
            })
            .await
    }

    async fn resume_watch(
        &self,
        now: Timestamp,
        policy: RestartPolicy,
    ) -> Result<Vec<Watched>, StoreError> {
        self.writer
            .write(move |conn, _| ops::resume_watch(conn, now, policy))
            .await
    }

    async fn mark_dead(
        &self,
        due: Vec<Due>,
        now: Timestamp,
    ) -> Result<Vec<DeathCheck>, StoreError> {
        self.writer
            .write(move |conn, state| ops::mark_dead(conn, state, due, now))
            .await
    }

    async fn add_event(&self, event: NewEvent) -> Result<Event, StoreError> {
        self.writer
            .write(move |conn, state| ops::add_event(conn, state, event))
            .await
    }

    async fn add_events(&self, events: Vec<NewEvent>) -> Result<Vec<Event>, StoreError> {
        // One operation, so one savepoint: all of them or none.
        self.writer
            .write_rows(events.len(), move |conn, state| {
                events
                    .into_iter()
                    .map(|event| ops::add_event(conn, state, event))
                    .collect()
            })
            .await
    }

    async fn query_events(&self, filter: EventFilter) -> Result<Vec<Event>, StoreError> {
        self.reads
            .read(move |conn| query_events(conn, &filter))
            .await
    }

    async fn claim_alerts(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<QueuedAlert>, StoreError> {
        let lease_until = now.plus(lease);
        self.writer
            .write(move |conn, _| ops::claim_alerts(conn, now, lease_until, limit))
            .await
    }

    async fn record_attempt(
        &self,
        alert_id: i64,
        at: Timestamp,
        outcome: AttemptOutcome,
    ) -> Result<(), StoreError> {
        self.writer
            .write(move |conn, _| ops::record_attempt(conn, alert_id, at, &outcome))
            .await
    }

    async fn next_alert_due(&self, now: Timestamp) -> Result<Option<Duration>, StoreError> {
        self.reads
            .read(move |conn| {
                let sql = "SELECT MIN(MAX(next_attempt, COALESCE(lease_until, 0))) FROM alerts WHERE state = 'pending'";
                let due: Option<i64> = conn.prepare_cached(sql)?.query_row([], |row| row.get(0))?;
                Ok(due.map(|due| Timestamp::from_millis(due).since(now)))
            })
            .await
    }

    /// One node alone: its deadline index sees every pulse, so it never sweeps.
    fn cluster_poll(&self) -> Option<Duration> {
        None
    }

    async fn sweep_dead(&self, now: Timestamp, limit: usize) -> Result<Vec<Service>, StoreError> {
        self.writer
            .write(move |conn, state| ops::sweep_dead(conn, state, now, limit))
            .await
    }

    async fn heartbeat(
        &self,
        node: &NodeInfo,
        now: Timestamp,
        stopping: bool,
    ) -> Result<(), StoreError> {
        // Nobody else reads this database: the node is kept in memory only.
        let mut this = self.node.lock().unwrap_or_else(|p| p.into_inner());
        *this = (!stopping).then(|| NodeStatus {
            node: node.id.clone(),
            address: node.address.clone(),
            started: node.started,
            last_heartbeat: now,
        });
        Ok(())
    }

    async fn live_nodes(&self, now: Timestamp) -> Result<Vec<NodeStatus>, StoreError> {
        let this = self.node.lock().unwrap_or_else(|p| p.into_inner());
        Ok(this
            .iter()
            .filter(|node| is_live(node.last_heartbeat, now))
            .cloned()
            .collect())
    }

    async fn close(&self) {
        self.writer.stop().await;
        self.reads.close();
    }
}

fn query_events(conn: &Connection, filter: &EventFilter) -> rusqlite::Result<Vec<Event>> {
    let mut sql = String::from(
        "SELECT e.id, s.name, e.level, e.message, e.ts FROM events e JOIN event_services s ON s.id = e.service_id WHERE 1 = 1",
    );
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut push = |clause: &str, value: rusqlite::types::Value| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(service) = &filter.service {
        push(
            " AND e.service_id = (SELECT id FROM event_services WHERE name = ?)",
            service.as_str().to_owned().into(),
        );
    }
    if let Some(from) = filter.from {
        push(" AND e.ts >= ?", from.as_millis().into());
    }
    if let Some(to) = filter.to {
        push(" AND e.ts <= ?", to.as_millis().into());
    }
    if let Some(level) = filter.min_level {
        push(" AND e.level >= ?", level.rank().into());
    }
    if let Some(message) = &filter.message {
        push(
            " AND wt_contains(e.message, ?)",
            message.to_lowercase().into(),
        );
    }
    push(
        " ORDER BY e.ts DESC, e.id DESC LIMIT ?",
        i64::from(filter.limit).into(),
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params_from_iter(args), |row| {
        Ok(Event {
            id: row.get(0)?,
            service: name_at(row, 1)?,
            level: level_at(row, 2)?,
            message: row.get(3)?,
            date: Timestamp::from_millis(row.get(4)?),
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn fresh() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        (dir, store)
    }

    crate::store::conformance::suite!(fresh());

    #[tokio::test]
    async fn reopening_keeps_the_data_and_the_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let event =
            NewEvent::parse("svc", "info", "kept".into(), Timestamp::from_millis(1)).unwrap();
        store.add_event(event).await.unwrap();
        store.close().await;
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(
            store.query_events(EventFilter::default()).await.unwrap()[0].message,
            "kept"
        );
        let conn = Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, schema::latest_version());
    }
}
