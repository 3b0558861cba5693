//! The PostgreSQL backend, which several nodes may share. Pulses and events are
//! group-committed by a batcher; every other operation runs in a transaction of
//! its own. Instants come from the database server's clock, so nodes whose clocks
//! disagree still agree on every deadline; deaths and alert deliveries are claimed
//! with `FOR UPDATE SKIP LOCKED`, so each happens once cluster-wide.

mod alert_history;
mod batch;
mod bounded_reads;
mod declare;
mod error;
mod events;
mod keys;
mod listen;
mod ops;
mod pausing;
mod pings;
mod pulse_rounds;
mod rows;
mod schema;
mod snoozes;
#[cfg(test)]
mod tests;
mod tls;
mod triage;
mod write;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};

use self::batch::Batcher;
pub use self::error::{Clock, PgError};
use super::batching::WriteStats;
use super::reads::{self, HeavyReads, ReadLimits};
use super::{
    DeathCheck, PulseRecorded, RestartPolicy, Resumed, ServicePage, Store, StoreError, StoreGauges,
    Watched,
};
use crate::alert::history::{AlertQuery, AlertRecord};
use crate::alert::policy::{NewSnooze, Policy, Snooze, Triaged};
use crate::alert::rules::{RuleFire, RuleFired};
use crate::alert::{AttemptOutcome, QueuedAlert};
use crate::cluster::{NodeInfo, NodeStatus};
use crate::config::PostgresConfig;
use crate::events::retention::Prune;
use crate::events::{Event, EventQuery, Feed, LevelCount, NewEvent, StatsQuery};
use crate::monitor::history::Flip;
use crate::monitor::pings::{Ping, PingNote};
use crate::monitor::{Declared, Due, Pulse, Service, ServiceName};
use crate::time::Timestamp;

/// How often each node sweeps the database for deaths and for alerts queued elsewhere.
const SWEEP_EVERY: Duration = Duration::from_millis(250);
/// How long a request waits for a free connection before it gets `503`.
const POOL_WAIT: Duration = Duration::from_secs(10);
/// Tries of a transaction that lost a deadlock or a serialization race.
const TRIES: usize = 4;

pub struct PgStore {
    pool: Pool,
    clock: Clock,
    batcher: Batcher,
    feed: Feed,
    /// Held so that the listener ends with the store.
    _listener: tokio_util::task::AbortOnDropHandle<()>,
    stop_listening: tokio_util::sync::CancellationToken,
    /// How long a read of events may run; turns for the heavy ones.
    reads: HeavyReads,
    /// Whether `pg_trgm` serves message searches (else every search scans).
    trigram: bool,
}

/// Runs `$body` (an expression using `$tx` and `$now`) in a transaction of its own,
/// with `$now` resolved by the store's clock, trying again after a lost race.
macro_rules! in_transaction {
    ($store:expr, $given:expr, |$tx:ident, $now:ident| $body:expr) => {{
        let mut tries = 0;
        loop {
            tries += 1;
            let result: Result<_, PgError> = async {
                let mut client = $store.pool.get().await?;
                let $tx = client.transaction().await?;
                let $now = $store.clock.resolve(&$tx, $given).await?;
                let value = $body.await?;
                $tx.commit().await?;
                Ok(value)
            }
            .await;
            match result {
                Err(error) if error.is_retryable() && tries < TRIES => continue,
                other => break other.map_err(StoreError::from),
            }
        }
    }};
}

impl PgStore {
    /// Connects, creates or upgrades the schema, and starts the batcher.
    pub async fn open(config: &PostgresConfig, clock: Clock) -> anyhow::Result<Self> {
        let pg = connect_config(config)?;
        let target = describe_target(&pg);
        let tls = tls::connector(config.ca_cert.as_deref())?;
        let (feed, stop_listening) = (Feed::default(), tokio_util::sync::CancellationToken::new());
        let listener = tokio::spawn(listen::run(
            pg.clone(),
            tls.clone(),
            feed.clone(),
            stop_listening.clone(),
        ));
        let manager = Manager::from_config(
            pg,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(config.pool)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(POOL_WAIT))
            .runtime(Runtime::Tokio1)
            .build()
            .context("cannot set up the database pool")?;
        let mut client = pool
            .get()
            .await
            .map_err(PgError::from)
            .with_context(|| format!("storage.url: cannot connect to {target}{}", TLS_HINT))?;
        schema::migrate(&mut client)
            .await
            .map_err(PgError::from)
            .with_context(|| format!("cannot upgrade the schema of {target}"))?;
        let fsync: String = client
            .query_one("SHOW fsync", &[])
            .await
            .map_err(PgError::from)?
            .get(0);
        if fsync == "off" {
            tracing::warn!(
                "the PostgreSQL server runs with fsync=off: acknowledged writes can be lost in a crash"
            );
        }
        // Where pg_trgm was missing at migration, every message search scans.
        let trigram: bool = client
            .query_one("SELECT to_regclass('events_message_trgm') IS NOT NULL", &[])
            .await
            .map_err(PgError::from)?
            .get(0);
        drop(client);
        tracing::info!(database = %target, schema = schema::latest_version(), "storage open");
        Ok(Self {
            batcher: Batcher::start(pool.clone(), clock),
            pool,
            clock,
            feed,
            _listener: tokio_util::task::AbortOnDropHandle::new(listener),
            stop_listening,
            reads: HeavyReads::new(ReadLimits::default()),
            trigram,
        })
    }

    /// Bounds reads of events (`limits.readTimeout`, `limits.heavyReads`).
    pub fn with_read_limits(mut self, limits: ReadLimits) -> Self {
        self.reads = HeavyReads::new(limits);
        self
    }
}

/// What to do about the most common failure to connect.
const TLS_HINT: &str = " (if the TLS handshake failed: the server's certificate is verified against \
the system's CAs and storage.caCert; set storage.caCert, or add sslmode=disable to the URL for a \
server reached over a trusted network)";

/// The connection settings `storage.url` gives, with those Watchtower insists on.
pub fn connect_config(config: &PostgresConfig) -> anyhow::Result<tokio_postgres::Config> {
    let mut pg: tokio_postgres::Config = config
        .url
        .expose()
        .parse()
        .context("storage.url: not a PostgreSQL URL")?;
    // Durability is not negotiable: a commit returns once it is flushed to disk.
    let options = [
        pg.get_options().unwrap_or_default(),
        "-c synchronous_commit=on",
    ];
    pg.options(options.join(" ").trim());
    pg.application_name("watchtower");
    if pg.get_connect_timeout().is_none() {
        pg.connect_timeout(Duration::from_secs(10));
    }
    Ok(pg)
}

/// `host:port/database` for messages: never the password.
fn describe_target(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let database = config.get_dbname().unwrap_or("(default)");
    format!("{host}:{port}/{database}")
}

#[async_trait]
impl Store for PgStore {
    async fn record_pulse(&self, pulse: Pulse) -> Result<PulseRecorded, StoreError> {
        self.batcher.pulse(pulse).await
    }

    async fn cancel_service(
        &self,
        service: ServiceName,
        at: Timestamp,
    ) -> Result<Option<Service>, StoreError> {
        in_transaction!(self, at, |tx, now| ops::cancel_service(&tx, &service, now))
    }

    async fn list_services(&self) -> Result<Vec<Service>, StoreError> {
        let client = self.pool.get().await.map_err(PgError::from)?;
        Ok(ops::list_services(&client).await?)
    }

    async fn services_page(&self, page: ServicePage) -> Result<Vec<Service>, StoreError> {
        let client = self.pool.get().await.map_err(PgError::from)?;
        Ok(ops::services_page(&client, &page).await?)
    }

    async fn service(&self, name: ServiceName) -> Result<Option<Service>, StoreError> {
        let client = self.pool.get().await.map_err(PgError::from)?;
        Ok(ops::service(&client, &name).await?)
    }

    async fn service_flips(
        &self,
        service: Option<ServiceName>,
        since: Timestamp,
    ) -> Result<Vec<(String, Flip)>, StoreError> {
        let client = self.pool.get().await.map_err(PgError::from)?;
        Ok(ops::service_flips(&client, service.as_ref(), since).await?)
    }

    async fn list_alerts(&self, query: AlertQuery) -> Result<Vec<AlertRecord>, StoreError> {
        let client = self.pool.get().await.map_err(PgError::from)?;
        Ok(alert_history::list_alerts(&client, &query).await?)
    }

    async fn record_ping(
        &self,
        service: ServiceName,
        note: PingNote,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        in_transaction!(self, at, |tx, now| pings::record_ping(
            &tx, &service, &note, now
        ))
    }

    async fn list_pings(
        &self,
        service: ServiceName,
        limit: usize,
    ) -> Result<Vec<Ping>, StoreError> {
        let client = self.pool.get().await.map_err(PgError::from)?;
        Ok(pings::list_pings(&client, &service, limit).await?)
    }

    async fn declare_service(&self, declaration: Pulse) -> Result<Declared, StoreError> {
        in_transaction!(self, declaration.at, |tx, now| declare::declare_service(
            &tx,
            &Pulse {
                at: now,
                ..declaration.clone()
            }
        ))
    }

    async fn pause_service(
        &self,
        name: ServiceName,
        at: Timestamp,
    ) -> Result<Option<Service>, StoreError> {
        in_transaction!(self, at, |tx, now| pausing::pause_service(&tx, &name, now))
    }

    async fn resume_service(
        &self,
        name: ServiceName,
        window: std::time::Duration,
        at: Timestamp,
    ) -> Result<Option<Resumed>, StoreError> {
        in_transaction!(self, at, |tx, now| pausing::resume_service(
            &tx, &name, window, now
        ))
    }

    async fn fail_service(
        &self,
        name: ServiceName,
        now: Timestamp,
    ) -> Result<Option<Service>, StoreError> {
        in_transaction!(self, now, |tx, now| ops::fail_service(&tx, &name, now))
    }

    async fn resume_watch(
        &self,
        now: Timestamp,
        policy: RestartPolicy,
    ) -> Result<Vec<Watched>, StoreError> {
        in_transaction!(self, now, |tx, now| ops::resume_watch(&tx, now, policy))
    }

    async fn mark_dead(
        &self,
        due: Vec<Due>,
        now: Timestamp,
    ) -> Result<Vec<DeathCheck>, StoreError> {
        in_transaction!(self, now, |tx, now| ops::mark_dead(&tx, &due, now))
    }

    async fn add_event(&self, event: NewEvent) -> Result<Event, StoreError> {
        self.batcher.event(event).await
    }

    async fn add_events(&self, events: Vec<NewEvent>) -> Result<Vec<Event>, StoreError> {
        self.batcher.events(events).await
    }

    async fn query_events(&self, query: EventQuery) -> Result<Vec<Event>, StoreError> {
        let heavy = reads::page_scans(&query.filter, self.trigram);
        self.read_events(heavy, async |tx| events::query_page(tx, &query).await)
            .await
    }

    async fn event_stats(&self, query: StatsQuery) -> Result<Vec<LevelCount>, StoreError> {
        // Every event of the range is counted: always heavy.
        self.read_events(true, async |tx| events::count_by_bucket(tx, &query).await)
            .await
    }

    async fn prune_events(&self, prune: Prune) -> Result<u64, StoreError> {
        let mut client = self.pool.get().await.map_err(PgError::from)?;
        Ok(events::prune(&mut client, prune).await?)
    }

    fn feed(&self) -> &Feed {
        &self.feed
    }

    fn write_stats(&self) -> WriteStats {
        self.batcher.stats()
    }

    async fn gauges(&self) -> Result<StoreGauges, StoreError> {
        let client = self.pool.get().await.map_err(PgError::from)?;
        Ok(ops::gauges(&client).await?)
    }

    async fn claim_alerts(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<QueuedAlert>, StoreError> {
        in_transaction!(self, now, |tx, now| ops::claim_alerts(
            &tx, now, lease, limit
        ))
    }

    async fn record_attempt(
        &self,
        alert_id: i64,
        at: Timestamp,
        outcome: AttemptOutcome,
    ) -> Result<(), StoreError> {
        in_transaction!(self, at, |tx, now| ops::record_attempt(
            &tx, alert_id, now, &outcome
        ))
    }

    async fn triage(&self, now: Timestamp, policy: Arc<Policy>) -> Result<Triaged, StoreError> {
        in_transaction!(self, now, |tx, now| triage::triage(&tx, now, &policy))
    }

    async fn add_snooze(&self, snooze: NewSnooze) -> Result<Snooze, StoreError> {
        in_transaction!(self, snooze.created, |tx, _now| snoozes::add(&tx, &snooze))
    }

    async fn delete_snooze(&self, id: i64, now: Timestamp) -> Result<Option<Snooze>, StoreError> {
        in_transaction!(self, now, |tx, now| snoozes::delete(&tx, id, now))
    }

    async fn list_snoozes(&self, now: Timestamp) -> Result<Vec<Snooze>, StoreError> {
        let client = self.pool.get().await.map_err(PgError::from)?;
        let now = self.clock.resolve(&client, now).await?;
        Ok(snoozes::active(&client, now).await?)
    }

    async fn fire_event_rule(&self, fire: RuleFire) -> Result<RuleFired, StoreError> {
        in_transaction!(self, fire.now, |tx, now| snoozes::fire_rule(
            &tx, &fire, now
        ))
    }

    async fn next_alert_due(&self, now: Timestamp) -> Result<Option<Duration>, StoreError> {
        let client = self.pool.get().await.map_err(PgError::from)?;
        let now = self.clock.resolve(&client, now).await?;
        Ok(ops::next_alert_due(&client, now).await?)
    }

    fn cluster_poll(&self) -> Option<Duration> {
        Some(SWEEP_EVERY)
    }

    async fn sweep_dead(&self, now: Timestamp, limit: usize) -> Result<Vec<Service>, StoreError> {
        in_transaction!(self, now, |tx, now| ops::sweep_dead(&tx, now, limit))
    }

    async fn heartbeat(
        &self,
        node: &NodeInfo,
        now: Timestamp,
        stopping: bool,
    ) -> Result<(), StoreError> {
        in_transaction!(self, now, |tx, now| ops::heartbeat(
            &tx, node, now, stopping
        ))
    }

    async fn live_nodes(&self, now: Timestamp) -> Result<Vec<NodeStatus>, StoreError> {
        let client = self.pool.get().await.map_err(PgError::from)?;
        let now = self.clock.resolve(&client, now).await?;
        Ok(ops::live_nodes(&client, now).await?)
    }

    async fn check_writable(&self) -> Result<(), StoreError> {
        let client = self.pool.get().await.map_err(PgError::from)?;
        match ops::is_replica(&client).await? {
            true => Err(StoreError::unavailable(
                "the database is a read-only replica",
            )),
            false => Ok(()),
        }
    }

    async fn close(&self) {
        self.batcher.stop().await;
        self.stop_listening.cancel();
        self.pool.close();
    }
}
