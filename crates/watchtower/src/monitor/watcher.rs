//! The deadline worker. Alone on its storage, a node sleeps until the earliest
//! deadline of its index, then asks the store to declare the due services dead
//! (mini-redis's `purge_expired_tasks` pattern). When nodes share the storage, each
//! sees only its own pulses, so every node instead sweeps the storage, which judges
//! deadlines on its own clock and hands each death to one node.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{ServiceChange, ServiceFeed, ServiceName, Watchlist};
use crate::store::{DeathCheck, Store, StoreError, Watched};
use crate::time::Timestamp;

/// How long to wait before trying again when the store refuses a death.
const STORE_RETRY: Duration = Duration::from_millis(500);
/// Deaths one sweep declares at most; a sweep that fills it goes on at once.
const SWEEP_LIMIT: usize = 500;

/// The shared deadline index plus the worker that acts on it.
pub struct Monitor {
    list: Mutex<Watchlist>,
    wake: Notify,
    store: Arc<dyn Store>,
    alerts_queued: Arc<Notify>,
    /// Deaths are told here as they are recorded.
    changes: ServiceFeed,
    /// Set when nodes share the storage: how often to sweep it.
    sweep: Option<Duration>,
}

/// What one step of the worker did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WatchOutcome {
    pub died: usize,
    pub pulsed_meanwhile: usize,
}

impl Monitor {
    pub fn new(store: Arc<dyn Store>, alerts_queued: Arc<Notify>, changes: ServiceFeed) -> Self {
        Self {
            list: Mutex::new(Watchlist::default()),
            wake: Notify::new(),
            sweep: store.cluster_poll(),
            store,
            alerts_queued,
            changes,
        }
    }

    fn list(&self) -> MutexGuard<'_, Watchlist> {
        // A panic while holding this lock leaves the index consistent (each method
        // is a few map operations), so a poisoned lock is safe to keep using.
        self.list
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Watches a service until `deadline` on the monotonic clock.
    pub fn watch(&self, service: ServiceName, seq: i64, deadline: Instant) {
        if self.sweep.is_some() {
            // The sweep finds every death; another node may renew this deadline.
            return;
        }
        if self.list().watch(service, seq, deadline) {
            self.wake.notify_one();
        }
    }

    /// Watches a service whose deadline is known as a wall-clock instant.
    pub fn watch_stored(&self, watched: Watched, now: Timestamp) {
        let deadline = Instant::now() + watched.deadline.since(now);
        self.watch(watched.service, watched.seq, deadline);
    }

    pub fn unwatch(&self, service: &ServiceName) {
        self.list().unwatch(service);
    }

    pub fn watched(&self) -> usize {
        self.list().len()
    }

    /// Declares dead every service due at `now`.
    pub async fn run_once(
        &self,
        now: Instant,
        wall: Timestamp,
    ) -> Result<WatchOutcome, StoreError> {
        let due = self.list().take_due(now);
        if due.is_empty() {
            return Ok(WatchOutcome::default());
        }
        let checks = match self.store.mark_dead(due.clone(), wall).await {
            Ok(checks) => checks,
            Err(error) => {
                // Put them back so that the death is retried, not forgotten.
                let mut list = self.list();
                for item in due {
                    list.watch(item.service, item.seq, now);
                }
                return Err(error);
            }
        };
        let mut outcome = WatchOutcome::default();
        for check in checks {
            match check {
                DeathCheck::Died(service) => {
                    tracing::warn!(service = %service.service, "service missed its deadline: dead");
                    outcome.died += 1;
                    self.changes.publish(ServiceChange::Updated(service));
                }
                DeathCheck::Pulsed(watched) => {
                    outcome.pulsed_meanwhile += 1;
                    self.watch_stored(watched, wall);
                }
                DeathCheck::Gone => {}
            }
        }
        if outcome.died > 0 {
            self.alerts_queued.notify_one();
        }
        Ok(outcome)
    }

    /// Declares dead every service due at `now` by the store's clock, in steps of
    /// [`SWEEP_LIMIT`]; returns how many died.
    pub async fn sweep_once(&self, now: Timestamp) -> Result<usize, StoreError> {
        let mut died = 0;
        loop {
            let step = self.store.sweep_dead(now, SWEEP_LIMIT).await?;
            for service in &step {
                tracing::warn!(service = %service.service, "service missed its deadline: dead");
                self.changes
                    .publish(ServiceChange::Updated(service.clone()));
            }
            died += step.len();
            if !step.is_empty() {
                self.alerts_queued.notify_one();
            }
            if step.len() < SWEEP_LIMIT {
                return Ok(died);
            }
        }
    }

    /// Runs until `shutdown` is cancelled.
    pub async fn run(&self, shutdown: CancellationToken) {
        match self.sweep {
            Some(every) => self.run_sweeps(every, shutdown).await,
            None => self.run_index(shutdown).await,
        }
    }

    async fn run_sweeps(&self, every: Duration, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Four sweeps a second: say when they start and stop failing, not each time.
        let mut failing = false;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = ticks.tick() => {}
            }
            match self.sweep_once(Timestamp::now()).await {
                Err(error) if !failing => {
                    tracing::error!(%error, "could not sweep for deaths; retrying until it works");
                    failing = true;
                }
                Err(_) => {}
                Ok(_) if failing => {
                    tracing::info!("sweeping for deaths again");
                    failing = false;
                }
                Ok(_) => {}
            }
        }
    }

    async fn run_index(&self, shutdown: CancellationToken) {
        loop {
            let next = self.list().next_deadline();
            let sleep = async {
                match next {
                    Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = self.wake.notified() => continue,
                _ = sleep => {}
            }
            if let Err(error) = self.run_once(Instant::now(), Timestamp::now()).await {
                tracing::error!(%error, "could not record deaths; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(STORE_RETRY) => {}
                }
            }
        }
    }
}
