//! Deaths found by the deadline worker: from this node's deadline index, or by
//! sweeping a shared storage.

use std::time::Instant;

use super::{Error, Watchtower};
use crate::monitor::{DeathCheck, Service, ServiceChange};
use crate::time::Timestamp;

/// What one look at the deadline index found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WatchOutcome {
    pub died: usize,
    pub pulsed_meanwhile: usize,
}

impl Watchtower {
    /// Declares dead every indexed service due at `clock` (`now` on the wall
    /// clock); one that pulsed meanwhile is watched again at its new deadline.
    pub async fn declare_due_dead(
        &self,
        clock: Instant,
        now: Timestamp,
    ) -> Result<WatchOutcome, Error> {
        let due = self.deadlines.take_due(clock);
        if due.is_empty() {
            return Ok(WatchOutcome::default());
        }
        let checks = match self.store.mark_dead(due.clone(), now).await {
            Ok(checks) => checks,
            Err(error) => {
                self.deadlines.put_back(due, clock);
                return Err(error.into());
            }
        };
        let mut outcome = WatchOutcome::default();
        for check in checks {
            match check {
                DeathCheck::Died(service) => {
                    outcome.died += 1;
                    self.announce_death(service);
                }
                DeathCheck::Pulsed(watched) => {
                    outcome.pulsed_meanwhile += 1;
                    self.deadlines.watch_stored(watched, now, clock);
                }
                DeathCheck::Gone => {}
            }
        }
        if outcome.died > 0 {
            self.wake_dispatcher();
        }
        Ok(outcome)
    }

    /// Declares dead up to `limit` services due at `now` by the shared storage's
    /// clock; each death goes to one node only. Returns how many died.
    pub async fn sweep_dead(&self, now: Timestamp, limit: usize) -> Result<usize, Error> {
        let died = self.store.sweep_dead(now, limit).await?;
        let count = died.len();
        for service in died {
            self.announce_death(service);
        }
        if count > 0 {
            self.wake_dispatcher();
        }
        Ok(count)
    }

    fn announce_death(&self, service: Service) {
        tracing::warn!(service = %service.service, "service missed its deadline: dead");
        self.changes.publish(ServiceChange::Updated(service));
    }

    /// At start-up: applies the restart policy to the stored services and watches
    /// every one still up.
    pub async fn resume_watch(
        &self,
        policy: crate::monitor::RestartPolicy,
        now: Timestamp,
        clock: Instant,
    ) -> Result<usize, Error> {
        let watched = self.store.resume_watch(now, policy).await?;
        let count = watched.len();
        for service in watched {
            self.deadlines.watch_stored(service, now, clock);
        }
        Ok(count)
    }
}
