//! The outbox dispatcher: claims due alerts, delivers them with a timeout, and
//! records every attempt; failures are retried with capped exponential backoff.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::Running;
use crate::alert::policy::Policy;
use crate::alert::{AttemptOutcome, Channels, QueuedAlert, SendError};
use crate::config::AlertsConfig;
use crate::metrics::{Delivery, Metrics};
use crate::store::{Store, StoreError};
use crate::time::Timestamp;
use crate::usecase::Watchtower;

/// Alerts claimed per step, and delivered at once.
const BATCH: usize = 64;
const CONCURRENCY: usize = 16;
const STORE_RETRY: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub timeout: Duration,
    pub min: Duration,
    pub max: Duration,
}

impl RetryPolicy {
    pub fn from_config(config: &AlertsConfig) -> Self {
        Self {
            timeout: Duration::from_secs_f64(config.timeout),
            min: Duration::from_secs_f64(config.retry_min),
            max: Duration::from_secs_f64(config.retry_max),
        }
    }

    /// The wait before the next attempt, after `failures` failed ones (at least 1).
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(30));
        self.min.saturating_mul(factor).min(self.max)
    }

    /// Long enough that a lease never expires while its attempt can still be running.
    fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(5)
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct DispatchOutcome {
    pub sent: usize,
    pub retried: usize,
    pub gave_up: usize,
}

impl DispatchOutcome {
    fn claimed(&self) -> usize {
        self.sent + self.retried + self.gave_up
    }
}

pub struct Dispatcher {
    app: Watchtower,
    store: Arc<dyn Store>,
    channels: Arc<Channels>,
    policy: RetryPolicy,
    rules: Arc<Policy>,
    metrics: Arc<Metrics>,
    running: Running,
    /// Reads the time an attempt ended (the delivery's own duration counts).
    clock: fn() -> Timestamp,
}

impl Dispatcher {
    pub fn new(app: Watchtower, policy: RetryPolicy, rules: Arc<Policy>, running: Running) -> Self {
        Self {
            store: app.store().clone(),
            channels: app.channels().clone(),
            metrics: app.metrics().clone(),
            app,
            policy,
            rules,
            running,
            clock: Timestamp::now,
        }
    }

    /// Delivers the alerts due at `now`, once each. Each attempt is recorded as soon
    /// as it ends (by the dispatcher's clock), so records batch in the writer and
    /// none waits on a slower delivery.
    pub async fn run_once(&self, now: Timestamp) -> Result<DispatchOutcome, StoreError> {
        let alerts = self
            .store
            .claim_alerts(now, self.policy.lease(), BATCH)
            .await?;
        let recorded: Vec<Result<AttemptOutcome, StoreError>> = futures::stream::iter(alerts)
            .map(|alert| async move {
                let sent =
                    tokio::time::timeout(self.policy.timeout, self.channels.send(&alert, now));
                let result = sent.await.unwrap_or_else(|_| {
                    let timeout = self.policy.timeout;
                    Err(SendError::Transient(format!(
                        "no answer within {timeout:?}"
                    )))
                });
                let attempt = self.judge(&alert, result);
                self.store
                    .record_attempt(alert.id, (self.clock)(), attempt.clone())
                    .await?;
                Ok(attempt)
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let mut outcome = DispatchOutcome::default();
        for attempt in recorded {
            match attempt? {
                AttemptOutcome::Sent => outcome.sent += 1,
                AttemptOutcome::Retry { .. } => outcome.retried += 1,
                AttemptOutcome::GaveUp { .. } => outcome.gave_up += 1,
            }
        }
        Ok(outcome)
    }

    fn judge(&self, alert: &QueuedAlert, result: Result<(), SendError>) -> AttemptOutcome {
        let (service, channel, target) = (
            alert.service.as_str(),
            alert.route.kind.as_str(),
            alert.route.target.as_str(),
        );
        let kind = alert.kind.as_str();
        let delivery = match &result {
            Ok(()) => Delivery::Sent,
            Err(SendError::Permanent(_)) => Delivery::Failed,
            Err(SendError::Transient(_)) => Delivery::Retried,
        };
        self.metrics.delivery(alert.route.kind.as_str(), delivery);
        match result {
            Ok(()) => {
                tracing::info!(
                    service,
                    kind,
                    channel,
                    target,
                    attempt = alert.attempts + 1,
                    "alert sent"
                );
                AttemptOutcome::Sent
            }
            Err(SendError::Permanent(error)) => {
                tracing::error!(service, kind, channel, target, %error, "alert failed permanently; giving up");
                AttemptOutcome::GaveUp { error }
            }
            Err(SendError::Transient(error)) => {
                let wait = self.policy.backoff(alert.attempts + 1);
                tracing::warn!(service, kind, channel, target, %error, retry_in = ?wait, "alert failed; will retry");
                AttemptOutcome::Retry { after: wait, error }
            }
        }
    }

    /// Runs until `shutdown` is cancelled; an attempt under way is finished first.
    /// Counts as running from this call on, not from the task's first poll: a
    /// `/readyz` answered before the runtime got to the task must not say down.
    pub fn run(self, shutdown: CancellationToken) -> impl Future<Output = ()> {
        // `/readyz` reports the dispatcher down once the loop has ended.
        let running = self.running.mark();
        async move {
            let _running = running;
            self.run_loop(shutdown).await
        }
    }

    async fn run_loop(&self, shutdown: CancellationToken) {
        loop {
            let wait = match self.step(Timestamp::now()).await {
                Ok(wait) => wait,
                Err(error) => {
                    tracing::error!(%error, "alert dispatcher cannot reach storage; retrying");
                    Some(STORE_RETRY)
                }
            };
            let sleep = async {
                match wait {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = self.app.alerts_queued() => {}
                _ = sleep => {}
            }
        }
    }

    /// One step at `now` (the policy's triage, then delivery), then how long until
    /// the next alert, reminder or end of flapping is due (`None`: nothing pending).
    pub async fn step(&self, now: Timestamp) -> Result<Option<Duration>, StoreError> {
        let triaged = self.store.triage(now, self.rules.clone()).await?;
        if triaged.held + triaged.suppressed + triaged.digested > 0 {
            tracing::info!(
                released = triaged.released,
                held = triaged.held,
                suppressed = triaged.suppressed,
                digested = triaged.digested,
                "alert policy applied"
            );
        }
        let outcome = self.run_once(now).await?;
        if outcome.claimed() == BATCH {
            return Ok(Some(Duration::ZERO));
        }
        // Deliveries took time: what is due is judged from when they ended.
        let now = (self.clock)().max(now);
        let pending = self.store.next_alert_due(now).await?;
        let policy_due = triaged.next.map(|at| at.since(now));
        let next = [pending, policy_due].into_iter().flatten().min();
        // Other nodes queue alerts too, and a node that dies leaves its leases to
        // expire: in a cluster, look again at least every few sweeps.
        let poll = self.store.cluster_poll().map(|every| every * 4);
        Ok(match (next, poll) {
            (Some(next), Some(poll)) => Some(next.min(poll)),
            (next, poll) => next.or(poll),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_min_and_stops_at_max() {
        let policy = RetryPolicy {
            timeout: Duration::from_secs(10),
            min: Duration::from_secs(1),
            max: Duration::from_secs(60),
        };
        let waits: Vec<u64> = (1..=8).map(|n| policy.backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(policy.backoff(1000), Duration::from_secs(60));
    }
}
