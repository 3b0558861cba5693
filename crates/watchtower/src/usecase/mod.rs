//! The use cases: what a pulse, a ping, a failure report, a cancellation, an event
//! or a snooze does, whichever door it comes in by (`POST /`, a ping URL, an Uptime
//! Kuma push, Alertmanager, the CLI through the API) and whichever worker acts on
//! a deadline. Handlers translate HTTP into these calls and back; workers call them
//! for deaths.
//!
//! This layer also keeps the promise that nobody waits on an alert by accident:
//! each call that commits a queued alert wakes the dispatcher here, so no handler
//! or worker has to remember to.

mod audit;
mod deaths;
mod declaring;
mod events;
mod keys;
mod pausing;
mod pings;
mod pulses;
mod test_alerts;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::alert::Channels;
use crate::alert::rules::EventRules;
use crate::auth::KeyRing;
use crate::field::InvalidField;
use crate::metrics::Metrics;
use crate::monitor::{Deadlines, ServiceFeed};
use crate::store::{Store, StoreError};

pub use audit::AUDIT_SERVICE;

pub use deaths::WatchOutcome;
pub use pulses::{PulseDefaults, Timing};
pub use test_alerts::TestOutcome;

/// What a use case can fail with: a value the caller must fix, or storage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The application: the store and what must follow each write (the deadline
/// index, the live feed of status changes, the metrics, the event rules, and the
/// dispatcher's wake-up). Cheap to clone (one reference count: each pulse takes
/// a clone); every clone is the same application.
#[derive(Clone)]
pub struct Watchtower(Arc<Application>);

impl std::ops::Deref for Watchtower {
    type Target = Application;

    fn deref(&self) -> &Application {
        &self.0
    }
}

/// What a [`Watchtower`] holds; its parts are reached through the accessors.
pub struct Application {
    store: Arc<dyn Store>,
    deadlines: Arc<Deadlines>,
    changes: ServiceFeed,
    channels: Arc<Channels>,
    rules: Arc<EventRules>,
    metrics: Arc<Metrics>,
    alerts_queued: Arc<Notify>,
    keys: Arc<KeyRing>,
    ping_history: u32,
}

/// What [`Watchtower::new`] is built from.
pub struct Parts {
    pub store: Arc<dyn Store>,
    pub channels: Arc<Channels>,
    pub rules: Arc<EventRules>,
    pub metrics: Arc<Metrics>,
    /// How many pings each service keeps.
    pub ping_history: u32,
}

impl Watchtower {
    pub fn new(parts: Parts) -> Self {
        Self(Arc::new(Application {
            deadlines: Arc::new(Deadlines::new(parts.store.cluster_poll())),
            store: parts.store,
            changes: ServiceFeed::default(),
            channels: parts.channels,
            rules: parts.rules,
            metrics: parts.metrics,
            alerts_queued: Arc::new(Notify::new()),
            keys: Arc::new(KeyRing::default()),
            ping_history: parts.ping_history,
        }))
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The API keys this node accepts.
    pub fn keys(&self) -> &Arc<KeyRing> {
        &self.keys
    }

    pub fn deadlines(&self) -> &Arc<Deadlines> {
        &self.deadlines
    }

    /// Status changes on this node, as they happen.
    pub fn changes(&self) -> &ServiceFeed {
        &self.changes
    }

    /// The alert types a pulse may name here, each with the targets it takes.
    pub fn alert_targets(&self) -> Vec<(crate::monitor::AlertType, crate::alert::TargetForm)> {
        self.channels.target_forms()
    }

    pub fn channels(&self) -> &Arc<Channels> {
        &self.channels
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Resolves when a commit queued an alert (or released held ones) since the
    /// dispatcher last looked.
    pub async fn alerts_queued(&self) {
        self.alerts_queued.notified().await;
    }

    /// Wakes the dispatcher: a commit just queued or released an alert.
    fn wake_dispatcher(&self) {
        self.alerts_queued.notify_one();
    }
}
