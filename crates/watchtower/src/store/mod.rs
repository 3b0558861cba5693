//! Storage: one narrow trait of use-case methods, one module per backend.
//!
//! Every write method returns only once its effect is durable. Writes that belong
//! together (a death, its event and its alert) commit in one transaction.

pub mod batching;
#[cfg(test)]
mod conformance;
pub mod decisions;
pub mod postgres;
pub mod reads;
pub mod service_page;
pub mod sqlite;
pub mod triage;

use std::time::Duration;

use async_trait::async_trait;

use std::sync::Arc;

use crate::alert::history::{AlertQuery, AlertRecord};
use crate::alert::policy::{NewSnooze, Policy, Snooze, Triaged};
use crate::alert::rules::{RuleFire, RuleFired};
use crate::alert::{AlertDetails, AlertKind, AttemptOutcome, QueuedAlert};
use crate::auth::{Key, NewKey};
use crate::cluster::{NodeInfo, NodeStatus};
use crate::events::retention::Prune;
use crate::events::{Event, EventQuery, Feed, LevelCount, NewEvent, StatsQuery};
use crate::monitor::pings::{Ping, PingNote};
use crate::monitor::{AlertRoute, Declared, Due, Pulse, Service, ServiceName};
use crate::time::Timestamp;

mod error;

pub use crate::monitor::{DeathCheck, RestartPolicy, Watched};
pub use error::{Cause, StoreError};
pub use reads::ReadLimits;
pub use service_page::ServicePage;

/// A pulse as stored.
#[derive(Clone, Debug)]
pub struct PulseRecorded {
    pub service: Service,
    /// Increases with every pulse; lets the deadline index discard stale updates.
    pub seq: i64,
    /// The service was dead and this pulse brought it back (a recovery alert is queued).
    pub recovered: bool,
}

/// What resuming a service did.
#[derive(Clone, Debug)]
pub struct Resumed {
    pub service: Service,
    /// The new sequence to watch its deadline under; `None` when it was not paused.
    pub seq: Option<i64>,
}

/// What `/metrics` reads off the store at each scrape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoreGauges {
    pub services_up: u64,
    pub services_dead: u64,
    pub services_paused: u64,
    /// Declared, not pulsed yet.
    pub services_new: u64,
    /// Alerts not yet delivered (waiting for triage, delivery or a retry).
    pub outbox_depth: u64,
    /// When the oldest of them was queued.
    pub outbox_oldest: Option<Timestamp>,
    /// Pending alerts whose last delivery attempt failed.
    pub alerts_failing: u64,
}

/// An alert about to be queued, untriaged.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAlertRow {
    pub service: ServiceName,
    pub kind: AlertKind,
    pub route: AlertRoute,
    pub last_pulse: Timestamp,
    pub deadline: Timestamp,
    pub down_since: Timestamp,
    pub created: Timestamp,
    pub details: AlertDetails,
}

impl NewAlertRow {
    /// An alert about `service` as it is now.
    pub fn about(
        service: &Service,
        kind: AlertKind,
        down_since: Timestamp,
        now: Timestamp,
    ) -> Self {
        Self {
            service: service.service.clone(),
            kind,
            route: AlertRoute {
                kind: service.alert_type,
                target: service.alert_target.clone(),
            },
            last_pulse: service.last_pulse,
            deadline: service.deadline,
            down_since,
            created: now,
            details: AlertDetails {
                never_pulsed: service.never_pulsed,
                ..AlertDetails::default()
            },
        }
    }
}

/// API keys: their digests, scopes and dates, never their secrets.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Stores a key; `None` when a live key already has its name.
    async fn create_key(&self, key: NewKey) -> Result<Option<Key>, StoreError>;

    /// Every key, live and revoked, by name.
    async fn list_keys(&self) -> Result<Vec<Key>, StoreError>;

    /// Revokes the live key named `name`; `None` when there is none.
    async fn revoke_key(&self, name: String, at: Timestamp) -> Result<Option<Key>, StoreError>;

    /// The keys not revoked, with their digests, for each node's key ring.
    async fn live_keys(&self) -> Result<Vec<(Key, [u8; 32])>, StoreError>;

    /// Notes when keys were last used.
    async fn touch_keys(&self, used: Vec<(String, Timestamp)>) -> Result<(), StoreError>;
}

#[async_trait]
pub trait Store: KeyStore + Send + Sync + 'static {
    /// Records a pulse; a dead service recovers (event and alert in the same transaction).
    async fn record_pulse(&self, pulse: Pulse) -> Result<PulseRecorded, StoreError>;

    /// Declares a service before its first pulse (`new`, due by `declaration`'s
    /// window from its date), or changes how a monitored one is watched: its new
    /// deadline counts from its last pulse, and a dead or paused one stays so.
    async fn declare_service(&self, declaration: Pulse) -> Result<Declared, StoreError>;

    /// Adds a ping that does not pulse (a failure, a log) to the service's
    /// history, ending the run under way for a failure; `false` when unknown.
    async fn record_ping(
        &self,
        service: ServiceName,
        note: PingNote,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// The service's latest pings, newest first.
    async fn list_pings(&self, service: ServiceName, limit: usize)
    -> Result<Vec<Ping>, StoreError>;

    /// Removes a service and any alert of it not yet sent; `None` when unknown.
    async fn cancel_service(
        &self,
        service: ServiceName,
        at: Timestamp,
    ) -> Result<Option<Service>, StoreError>;

    /// Every service, sorted by name.
    async fn list_services(&self) -> Result<Vec<Service>, StoreError>;

    /// The services a page holds, sorted by name (code point order).
    async fn services_page(&self, page: ServicePage) -> Result<Vec<Service>, StoreError>;

    /// Deaths and recoveries since `since`, oldest first, each with its service's
    /// name: of one service, or of all when `service` is `None`.
    async fn service_flips(
        &self,
        service: Option<ServiceName>,
        since: Timestamp,
    ) -> Result<Vec<(String, crate::monitor::history::Flip)>, StoreError>;

    /// One service, if monitored.
    async fn service(&self, name: ServiceName) -> Result<Option<Service>, StoreError>;

    /// Declares an up service dead at once (its job reported a failure): the death's
    /// event and alert as for a missed deadline, the outage dated `now`. A dead
    /// service stays as it is; `None` when unknown.
    async fn fail_service(
        &self,
        name: ServiceName,
        now: Timestamp,
    ) -> Result<Option<Service>, StoreError>;

    /// Pauses a service: it neither dies nor alerts (alerts not yet sent are
    /// cancelled) until it pulses or is resumed. `None` when unknown.
    async fn pause_service(
        &self,
        name: ServiceName,
        at: Timestamp,
    ) -> Result<Option<Service>, StoreError>;

    /// Resumes a paused service, due `window` from now; a service that is not
    /// paused is left as it is. `None` when unknown.
    async fn resume_service(
        &self,
        name: ServiceName,
        window: Duration,
        at: Timestamp,
    ) -> Result<Option<Resumed>, StoreError>;

    /// Alerts as they fared, newest first.
    async fn list_alerts(&self, query: AlertQuery) -> Result<Vec<AlertRecord>, StoreError>;

    /// Applies the restart policy and returns every up service to watch.
    async fn resume_watch(
        &self,
        now: Timestamp,
        policy: RestartPolicy,
    ) -> Result<Vec<Watched>, StoreError>;

    /// Declares dead each due service that has not pulsed since (conditional on its sequence).
    async fn mark_dead(&self, due: Vec<Due>, now: Timestamp)
    -> Result<Vec<DeathCheck>, StoreError>;

    async fn add_event(&self, event: NewEvent) -> Result<Event, StoreError>;

    /// Stores `events` in one transaction, all or none, in order.
    async fn add_events(&self, events: Vec<NewEvent>) -> Result<Vec<Event>, StoreError>;

    /// One page of matching events, in the query's order, after its position.
    async fn query_events(&self, query: EventQuery) -> Result<Vec<Event>, StoreError>;

    /// Matching events counted per bucket and level (empty buckets left out).
    async fn event_stats(&self, query: StatsQuery) -> Result<Vec<LevelCount>, StoreError>;

    /// Deletes one step of old events; returns how many went.
    async fn prune_events(&self, prune: Prune) -> Result<u64, StoreError>;

    /// Every event this node stores, published once it is durable.
    fn feed(&self) -> &Feed;

    /// This node's writer's batch sizes and commit times.
    fn write_stats(&self) -> batching::WriteStats;

    /// Services by status and the outbox, for `/metrics`.
    async fn gauges(&self) -> Result<StoreGauges, StoreError>;

    /// Leases up to `limit` alerts whose next attempt is due; a lease that is not
    /// settled by `now + lease` lets another dispatcher take the alert over.
    async fn claim_alerts(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<QueuedAlert>, StoreError>;

    /// Records one delivery attempt and what follows from it.
    async fn record_attempt(
        &self,
        alert_id: i64,
        at: Timestamp,
        outcome: AttemptOutcome,
    ) -> Result<(), StoreError>;

    /// One step of the alert policy: gathers the untriaged alerts whose time has
    /// come (and the reminders and ends of flapping that are due) with what the
    /// policy needs to judge them, lets `policy` decide, and applies its decisions,
    /// in one transaction; on a shared database, one node at a time.
    async fn triage(&self, now: Timestamp, policy: Arc<Policy>) -> Result<Triaged, StoreError>;

    async fn add_snooze(&self, snooze: NewSnooze) -> Result<Snooze, StoreError>;

    /// Removes a snooze; the alerts it held are looked at again at once.
    async fn delete_snooze(&self, id: i64, now: Timestamp) -> Result<Option<Snooze>, StoreError>;

    /// Snoozes not yet over at `now`, sorted by end.
    async fn list_snoozes(&self, now: Timestamp) -> Result<Vec<Snooze>, StoreError>;

    /// Queues an event rule's alert, unless the rule alerted about the service less
    /// than its period ago (then the events are counted for its next alert).
    async fn fire_event_rule(&self, fire: RuleFire) -> Result<RuleFired, StoreError>;

    /// How long after `now` the earliest pending alert is due, if any.
    async fn next_alert_due(&self, now: Timestamp) -> Result<Option<Duration>, StoreError>;

    /// `Some(interval)` when other nodes share this storage. Deaths are then found by
    /// sweeping it every `interval` ([`Store::sweep_dead`]) rather than by one node's
    /// deadline index, and alerts that other nodes queued are polled for.
    fn cluster_poll(&self) -> Option<Duration>;

    /// Declares dead up to `limit` up services whose deadline has passed by the
    /// store's clock (event and alert in the same transaction); each death is claimed
    /// by one caller only, however many nodes sweep at once.
    async fn sweep_dead(&self, now: Timestamp, limit: usize) -> Result<Vec<Service>, StoreError>;

    /// Records that `node` is alive, or, with `stopping`, that it left cleanly.
    async fn heartbeat(
        &self,
        node: &NodeInfo,
        now: Timestamp,
        stopping: bool,
    ) -> Result<(), StoreError>;

    /// The nodes heard from recently, sorted by id.
    async fn live_nodes(&self, now: Timestamp) -> Result<Vec<NodeStatus>, StoreError>;

    /// Whether the storage takes writes now (a write through the writer on SQLite;
    /// a primary, not a read-only replica, on PostgreSQL).
    async fn check_writable(&self) -> Result<(), StoreError>;

    /// Flushes queued writes and closes; later calls answer `Unavailable`.
    async fn close(&self);
}
