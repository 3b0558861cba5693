//! Pulses (whatever door they come in by), failure reports and cancellations.

use std::time::Instant;

use super::{Error, Watchtower};
use crate::field::InvalidField;
use crate::monitor::pings::PingNote;
use crate::monitor::{
    AlertRoute, Cadence, NextIn, Pulse, Schedule, Service, ServiceChange, ServiceName,
};
use crate::store::PulseRecorded;
use crate::time::Timestamp;

/// What a pulse that names only its service takes from the ping key it came in
/// by: the `nextIn` and alert route of a service seen for the first time.
pub struct PulseDefaults<'a> {
    /// The key's name, for the error when a new service has no route.
    pub ping_key: &'a str,
    pub next_in: NextIn,
    pub route: Option<&'a AlertRoute>,
}

/// What a ping says of its timing: each part it leaves out is the service's own.
#[derive(Default)]
pub struct Timing {
    pub cadence: Option<Cadence>,
    pub grace: Option<std::time::Duration>,
}

/// The cadence a service was stored with: its schedule, else its `nextIn`. A
/// stored schedule that no longer parses (a zone since removed from the
/// database) falls back to its last window, and says so.
pub(super) fn stored_cadence(found: &Service) -> Cadence {
    if let Some(expression) = &found.schedule {
        match Schedule::parse(expression, found.tz.as_deref()) {
            Ok(schedule) => return Cadence::Cron(schedule),
            Err(error) => tracing::warn!(
                service = %found.service, %error,
                "a stored schedule no longer parses; pulsing by its last window"
            ),
        }
    }
    Cadence::Every(NextIn::stored(found.next_in))
}

/// The grace a service was stored with.
pub(super) fn stored_grace(found: &Service) -> std::time::Duration {
    found.grace.map(NextIn::window).unwrap_or_default()
}

impl Watchtower {
    /// Records a pulse and watches its new deadline, counted from `received` on
    /// the monotonic clock; a dead service recovers (its alert is queued).
    pub async fn record_pulse(
        &self,
        mut pulse: Pulse,
        received: Instant,
    ) -> Result<Service, Error> {
        self.channels.validate(&pulse.alert)?;
        if let Some(note) = &mut pulse.note {
            note.keep = self.ping_history;
        }
        self.metrics.pulse();
        let window = pulse.window();
        let app = self.clone();
        // Spawned so that the deadline is watched even if the client hangs up mid-write.
        let task = tokio::spawn(async move {
            let PulseRecorded {
                service,
                seq,
                recovered,
            } = app.store.record_pulse(pulse).await?;
            app.deadlines
                .watch(service.service.clone(), seq, received + window);
            app.changes.publish(ServiceChange::Updated(service.clone()));
            if recovered {
                tracing::info!(service = %service.service, "service recovered");
                app.wake_dispatcher();
            }
            Ok::<_, Error>(service)
        });
        task.await.unwrap_or_else(|error| {
            tracing::error!(%error, "pulse task failed");
            Err(Error::Store(crate::store::StoreError::unavailable(
                "the pulse's task ended before its write was answered",
            )))
        })
    }

    /// Pulses `service` with the timing given, else the one it had (its schedule,
    /// or its last `nextIn`), else the default's; and the alert route it had,
    /// else the default's.
    pub async fn pulse_with_defaults(
        &self,
        service: &ServiceName,
        timing: Timing,
        defaults: &PulseDefaults<'_>,
        note: PingNote,
        at: Timestamp,
        received: Instant,
    ) -> Result<Service, Error> {
        let known = self.store.service(service.clone()).await?;
        let cadence = match (timing.cadence, &known) {
            (Some(cadence), _) => cadence,
            (None, Some(found)) => stored_cadence(found),
            (None, None) => Cadence::Every(defaults.next_in),
        };
        let grace = timing
            .grace
            .unwrap_or_else(|| known.as_ref().map(stored_grace).unwrap_or_default());
        let route = match (&known, defaults.route) {
            (Some(found), _) => AlertRoute {
                kind: found.alert_type,
                target: found.alert_target.clone(),
            },
            (None, Some(route)) => route.clone(),
            (None, None) => {
                return Err(InvalidField::new(
                    "service",
                    format!(
                        "`{service}` is not monitored yet, and ping key `{}` names no alertType and alertTarget for new services",
                        defaults.ping_key
                    ),
                )
                .into());
            }
        };
        let pulse = Pulse {
            service: service.clone(),
            alert: route,
            cadence,
            grace,
            at,
            remind_every: known.as_ref().and_then(|found| found.remind_every),
            depends_on: known.and_then(|found| found.depends_on),
            note: Some(note),
        };
        self.record_pulse(pulse, received).await
    }

    /// Whether `service` is monitored.
    pub async fn is_monitored(&self, service: &ServiceName) -> Result<bool, Error> {
        Ok(self.store.service(service.clone()).await?.is_some())
    }

    /// Declares an up service dead at once, because its job reported a failure;
    /// `None` when unknown.
    pub async fn fail_service(
        &self,
        service: &ServiceName,
        now: Timestamp,
    ) -> Result<Option<Service>, Error> {
        let failed = self.store.fail_service(service.clone(), now).await?;
        if let Some(failed) = &failed {
            tracing::warn!(service = %service, "a ping reported a failure: dead");
            self.changes.publish(ServiceChange::Updated(failed.clone()));
            self.wake_dispatcher();
        }
        Ok(failed)
    }

    /// Stops monitoring a service (its unsent alerts with it); `None` when unknown.
    pub async fn cancel_service(
        &self,
        service: &ServiceName,
        now: Timestamp,
    ) -> Result<Option<Service>, Error> {
        let removed = self.store.cancel_service(service.clone(), now).await?;
        if removed.is_some() {
            self.deadlines.unwatch(service);
            self.changes
                .publish(ServiceChange::Cancelled(service.clone()));
            tracing::info!(service = %service, "service cancelled");
        }
        Ok(removed)
    }
}
