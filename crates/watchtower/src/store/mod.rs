//! Storage: one narrow trait of use-case methods, one module per backend.
//!
//! Every write method returns only once its effect is durable. Writes that belong
//! together (a death, its event and its alert) commit in one transaction.

mod batching;
#[cfg(test)]
mod conformance;
pub mod postgres;
pub mod sqlite;

use std::time::Duration;

use async_trait::async_trait;

use crate::alert::{AttemptOutcome, QueuedAlert};
use crate::cluster::{NodeInfo, NodeStatus};
use crate::events::retention::Prune;
use crate::events::{Event, EventQuery, Feed, LevelCount, NewEvent, StatsQuery};
use crate::monitor::{Due, Pulse, Service, ServiceName};
use crate::time::Timestamp;

#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or written (disk full, I/O error, shutting down).
    #[error("storage is unavailable: {0}")]
    Unavailable(String),
}

/// A pulse as stored.
#[derive(Clone, Debug)]
pub struct PulseRecorded {
    pub service: Service,
    /// Increases with every pulse; lets the deadline index discard stale updates.
    pub seq: i64,
    /// The service was dead and this pulse brought it back (a recovery alert is queued).
    pub recovered: bool,
}

/// An up service that the monitor must watch, as found at start-up.
#[derive(Clone, Debug)]
pub struct Watched {
    pub service: ServiceName,
    pub seq: i64,
    pub deadline: Timestamp,
}

/// What became of a service that the monitor found due.
#[derive(Clone, Debug)]
pub enum DeathCheck {
    /// Declared dead; its event and alert are queued.
    Died(Service),
    /// It pulsed meanwhile: watch this newer deadline instead.
    Pulsed(Watched),
    /// Cancelled, or already dead.
    Gone,
}

/// What start-up does with services whose deadline fell while the server was down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RestartPolicy {
    /// Give each one a fresh `nextIn` window from now: its pulses could not be heard.
    #[default]
    Grace,
    /// Declare them dead at once.
    Strict,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Records a pulse; a dead service recovers (event and alert in the same transaction).
    async fn record_pulse(&self, pulse: Pulse) -> Result<PulseRecorded, StoreError>;

    /// Removes a service and any alert of it not yet sent; `None` when unknown.
    async fn cancel_service(
        &self,
        service: ServiceName,
        at: Timestamp,
    ) -> Result<Option<Service>, StoreError>;

    /// Every service, sorted by name.
    async fn list_services(&self) -> Result<Vec<Service>, StoreError>;

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

    /// Flushes queued writes and closes; later calls answer `Unavailable`.
    async fn close(&self);
}
