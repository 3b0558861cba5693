//! The embedded SQLite backend: one file in the data directory, WAL mode, one
//! writer thread with group commit, and a pool of readers.

mod alert_history;
mod background;
pub mod backup;
mod checkpoint;
mod declare;
mod error;
mod events;
mod keys;
mod lock;
mod ops;
mod outbox;
mod pausing;
mod pings;
mod pulse_write;
mod read;
mod rows;
mod schema;
mod search;
mod service_reads;
mod snoozes;
mod triage;
mod writer;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

use self::background::Background;
use self::checkpoint::{LogLimit, WalBounds};
use self::read::ReadPool;
use self::writer::{Writer, WriterState};
use super::batching::WriteStats;
use super::reads::ReadLimits;
use super::{
    DeathCheck, PulseRecorded, RestartPolicy, Resumed, ServicePage, Store, StoreError, StoreGauges,
    Watched,
};
use crate::alert::history::{AlertQuery, AlertRecord};
use crate::alert::policy::{NewSnooze, Policy, Snooze, Triaged};
use crate::alert::rules::{RuleFire, RuleFired};
use crate::alert::{AttemptOutcome, QueuedAlert};
use crate::cluster::{NodeInfo, NodeStatus, is_live};
use crate::events::retention::Prune;
use crate::events::{Event, EventQuery, Feed, LevelCount, NewEvent, StatsQuery};
use crate::monitor::history::Flip;
use crate::monitor::pings::{Ping, PingNote};
use crate::monitor::{Declared, Due, Pulse, Service, ServiceName};
use crate::time::Timestamp;

pub const DATABASE_FILE: &str = "watchtower.db";

pub use self::lock::{DirLock, LOCK_FILE, LockError};
pub use self::search::SEARCH_FILE;

pub struct SqliteStore {
    writer: Writer,
    reads: ReadPool,
    indexer: Option<Background>,
    checkpointer: Background,
    feed: Feed,
    stats: WriteStats,
    node: Mutex<Option<NodeStatus>>,
    /// The data directory's lock, held until the store is closed or dropped.
    lock: Mutex<Option<DirLock>>,
}

/// Choices the configuration makes for this backend.
#[derive(Clone, Copy, Debug)]
pub struct SqliteOptions {
    /// Keep a trigram index of messages, so that `message` searches need not scan.
    pub search_index: bool,
    /// The write-ahead log's bound under load, in bytes (`storage.walLimitMiB`).
    pub wal_limit: u64,
    /// How long one read may run, and how many heavy ones at once
    /// (`limits.readTimeout`, `limits.heavyReads`).
    pub reads: ReadLimits,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            search_index: true,
            wal_limit: crate::config::DEFAULT_WAL_LIMIT_MIB * 1024 * 1024,
            reads: ReadLimits::default(),
        }
    }
}

impl SqliteStore {
    /// Opens (creating or upgrading) the database in `data_dir`, which no other
    /// process may be using (see [`DirLock`]).
    pub fn open(data_dir: &Path, options: SqliteOptions) -> anyhow::Result<Self> {
        use anyhow::Context;
        // Before anything is opened: a second server must not even run the migrations.
        let lock = DirLock::acquire(data_dir)?;
        let path = data_dir.join(DATABASE_FILE);
        let conn = schema::open_writer(&path)?;
        let bounds = WalBounds {
            under_load: options.wal_limit,
        };
        bounds.apply(&conn)?;
        // A log left large by a crash or an older version is cut back at once.
        checkpoint::empty(&conn);
        let next_seq = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM services", [], |row| {
            row.get(0)
        })?;
        let search = match options.search_index {
            true => Some(
                search::prepare(data_dir, &schema::instance(&conn)?)
                    .context("cannot open the search index")?,
            ),
            false => None,
        };
        let (feed, stats) = (Feed::default(), WriteStats::default());
        let newest_event = events::newest_date(&conn)?;
        let gate = Arc::new(std::sync::Mutex::new(()));
        let limit = LogLimit::new(&path, bounds, gate.clone());
        let writer = Writer::start(
            conn,
            WriterState {
                next_seq,
                newest_event,
                feed: feed.clone(),
                stats: stats.clone(),
                ..WriterState::default()
            },
            limit.clone(),
        )?;
        let checkpointer = checkpoint::start(&path, limit).context("cannot start checkpoints")?;
        let indexer = match &search {
            Some(index) => Some(search::start_indexer(
                path.clone(),
                index.clone(),
                gate.clone(),
                bounds,
            )?),
            None => None,
        };
        tracing::info!(path = %path.display(), schema = schema::latest_version(), search_index = options.search_index, "storage open");
        Ok(Self {
            writer,
            reads: ReadPool::new(path, search, options.reads),
            indexer,
            checkpointer,
            feed,
            stats,
            node: Mutex::new(None),
            lock: Mutex::new(Some(lock)),
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn record_pulse(&self, pulse: Pulse) -> Result<PulseRecorded, StoreError> {
        self.writer
            .write_unguarded(move |conn, state| pulse_write::record_pulse(conn, state, pulse))
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
        self.reads.read_once(service_reads::all).await
    }

    async fn services_page(&self, page: ServicePage) -> Result<Vec<Service>, StoreError> {
        self.reads
            .read_once(move |conn| service_reads::page(conn, &page))
            .await
    }

    async fn service(&self, name: ServiceName) -> Result<Option<Service>, StoreError> {
        self.reads
            .read(move |conn| service_reads::one(conn, &name))
            .await
    }

    async fn service_flips(
        &self,
        service: Option<ServiceName>,
        since: Timestamp,
    ) -> Result<Vec<(String, Flip)>, StoreError> {
        self.reads
            .read(move |conn| service_reads::flips(conn, service.as_ref(), since))
            .await
    }

    async fn list_alerts(&self, query: AlertQuery) -> Result<Vec<AlertRecord>, StoreError> {
        self.reads
            .read(move |conn| alert_history::list_alerts(conn, &query))
            .await
    }

    async fn record_ping(
        &self,
        service: ServiceName,
        note: PingNote,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(move |conn, _| pings::record_ping(conn, &service, &note, at))
            .await
    }

    async fn list_pings(
        &self,
        service: ServiceName,
        limit: usize,
    ) -> Result<Vec<Ping>, StoreError> {
        self.reads
            .read(move |conn| pings::list_pings(conn, &service, limit))
            .await
    }

    async fn declare_service(&self, declaration: Pulse) -> Result<Declared, StoreError> {
        self.writer
            .write(move |conn, state| declare::declare_service(conn, state, declaration))
            .await
    }

    async fn pause_service(
        &self,
        name: ServiceName,
        at: Timestamp,
    ) -> Result<Option<Service>, StoreError> {
        self.writer
            .write(move |conn, state| pausing::pause_service(conn, state, &name, at))
            .await
    }

    async fn resume_service(
        &self,
        name: ServiceName,
        window: Duration,
        at: Timestamp,
    ) -> Result<Option<Resumed>, StoreError> {
        self.writer
            .write(move |conn, state| pausing::resume_service(conn, state, &name, window, at))
            .await
    }

    async fn fail_service(
        &self,
        name: ServiceName,
        now: Timestamp,
    ) -> Result<Option<Service>, StoreError> {
        self.writer
            .write(move |conn, state| ops::fail_service(conn, state, &name, now))
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
        // One insert that fails leaves nothing behind: no savepoint needed.
        self.writer
            .write_unguarded(move |conn, state| ops::add_event(conn, state, event))
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

    async fn query_events(&self, query: EventQuery) -> Result<Vec<Event>, StoreError> {
        let search = self.reads.searches();
        let heavy = events::scans(&query, search);
        let read = move |conn: &_| events::query_page(conn, &query, search);
        if heavy {
            self.reads.read_heavy(read).await
        } else {
            self.reads.read(read).await
        }
    }

    async fn event_stats(&self, query: StatsQuery) -> Result<Vec<LevelCount>, StoreError> {
        // Every event of the range is counted: always heavy.
        self.reads
            .read_heavy(move |conn| events::count_by_bucket(conn, &query))
            .await
    }

    async fn prune_events(&self, prune: Prune) -> Result<u64, StoreError> {
        self.writer
            .write_rows(prune.limit, move |conn, _| events::prune(conn, prune))
            .await
    }

    fn feed(&self) -> &Feed {
        &self.feed
    }

    fn write_stats(&self) -> WriteStats {
        self.stats.clone()
    }

    async fn gauges(&self) -> Result<StoreGauges, StoreError> {
        self.reads.read(outbox::gauges).await
    }

    async fn claim_alerts(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<QueuedAlert>, StoreError> {
        let lease_until = now.plus(lease);
        self.writer
            .write(move |conn, _| outbox::claim_alerts(conn, now, lease_until, limit))
            .await
    }

    async fn record_attempt(
        &self,
        alert_id: i64,
        at: Timestamp,
        outcome: AttemptOutcome,
    ) -> Result<(), StoreError> {
        self.writer
            .write(move |conn, state| outbox::record_attempt(conn, state, alert_id, at, &outcome))
            .await
    }

    async fn triage(&self, now: Timestamp, policy: Arc<Policy>) -> Result<Triaged, StoreError> {
        self.writer
            .write(move |conn, state| triage::triage(conn, state, now, &policy))
            .await
    }

    async fn add_snooze(&self, snooze: NewSnooze) -> Result<Snooze, StoreError> {
        self.writer
            .write(move |conn, _| snoozes::add(conn, snooze))
            .await
    }

    async fn delete_snooze(&self, id: i64, now: Timestamp) -> Result<Option<Snooze>, StoreError> {
        self.writer
            .write(move |conn, _| snoozes::delete(conn, id, now))
            .await
    }

    async fn list_snoozes(&self, now: Timestamp) -> Result<Vec<Snooze>, StoreError> {
        self.reads
            .read(move |conn| snoozes::active(conn, now))
            .await
    }

    async fn fire_event_rule(&self, fire: RuleFire) -> Result<RuleFired, StoreError> {
        self.writer
            .write(move |conn, _| snoozes::fire_rule(conn, fire))
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

    async fn check_writable(&self) -> Result<(), StoreError> {
        // A real write, committed like any other: proves the writer thread and the disk.
        self.writer
            .write(|conn, _| {
                conn.execute("UPDATE meta SET value = value WHERE key = 'instance'", [])
                    .map(|_| ())
            })
            .await
    }

    async fn close(&self) {
        self.writer.stop().await;
        if let Some(indexer) = &self.indexer {
            indexer.stop();
        }
        self.checkpointer.stop();
        self.reads.close();
        // The writer, the background threads and the idle readers are gone:
        // another process may have the files now.
        self.lock.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}

#[cfg(test)]
mod tests;
