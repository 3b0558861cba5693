//! The deadline index this node watches, shared by the pulse use case (which
//! watches each pulse's deadline) and the deadline worker (which sleeps until the
//! earliest one and declares the due services dead).
//!
//! When nodes share the storage, each sees only its own pulses, so nothing is
//! indexed: every node sweeps the storage instead (see `workers::deadlines`).

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::{Due, ServiceName, Watched, Watchlist};
use crate::time::Timestamp;

pub struct Deadlines {
    list: Mutex<Watchlist>,
    /// Told when the earliest deadline moves earlier.
    earlier: Notify,
    /// Set when nodes share the storage: how often to sweep it instead.
    sweep: Option<Duration>,
}

impl Deadlines {
    pub fn new(sweep: Option<Duration>) -> Self {
        Self {
            list: Mutex::new(Watchlist::default()),
            earlier: Notify::new(),
            sweep,
        }
    }

    /// `Some(interval)` when the storage is shared and must be swept for deaths.
    pub fn sweep(&self) -> Option<Duration> {
        self.sweep
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
            self.earlier.notify_one();
        }
    }

    /// Watches a service whose deadline is stored as a wall-clock instant; `now`
    /// and `clock` are the same moment on the two clocks.
    pub fn watch_stored(&self, watched: Watched, now: Timestamp, clock: Instant) {
        let deadline = clock + watched.deadline.since(now);
        self.watch(watched.service, watched.seq, deadline);
    }

    pub fn unwatch(&self, service: &ServiceName) {
        self.list().unwatch(service);
    }

    pub fn len(&self) -> usize {
        self.list().len()
    }

    pub fn is_empty(&self) -> bool {
        self.list().is_empty()
    }

    /// Removes and returns every service due at `now`.
    pub fn take_due(&self, now: Instant) -> Vec<Due> {
        self.list().take_due(now)
    }

    /// Watches again services taken as due whose death could not be recorded,
    /// so that it is retried rather than forgotten.
    pub fn put_back(&self, due: Vec<Due>, now: Instant) {
        let mut list = self.list();
        for item in due {
            list.watch(item.service, item.seq, now);
        }
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.list().next_deadline()
    }

    /// Resolves when a deadline earlier than the one slept on was watched.
    pub async fn moved_earlier(&self) {
        self.earlier.notified().await;
    }
}
