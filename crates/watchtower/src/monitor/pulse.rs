//! A pulse: what it says of when the service is expected next (an interval or
//! a schedule, and grace), and the service it leaves behind.

use std::time::Duration;

use super::pings::{PingKind, PingNote};
use super::{AlertRoute, MAX_NEXT_IN, NextIn, Schedule, Service, ServiceName, Status};
use crate::time::Timestamp;

/// When a service is expected to pulse next: within `nextIn` of its pulse, or
/// at its schedule's next time.
#[derive(Clone, Debug, PartialEq)]
pub enum Cadence {
    Every(NextIn),
    Cron(Schedule),
}

impl Cadence {
    /// How long after a pulse at `at` the next one is expected. A schedule that
    /// never comes again (past the year 5000) waits the longest `nextIn`.
    pub fn expected_in(&self, at: Timestamp) -> Duration {
        match self {
            Self::Every(next_in) => next_in.duration(),
            Self::Cron(schedule) => schedule
                .next_after(at)
                .map_or(MAX_NEXT_IN, |next| next.since(at)),
        }
    }

    pub fn schedule(&self) -> Option<&Schedule> {
        match self {
            Self::Every(_) => None,
            Self::Cron(schedule) => Some(schedule),
        }
    }
}

/// A pulse as validated at the edge, stamped with the time it was received.
#[derive(Clone, Debug)]
pub struct Pulse {
    pub service: ServiceName,
    pub alert: AlertRoute,
    pub cadence: Cadence,
    /// How long past the expected time it may still pulse: `late`, not dead.
    pub grace: Duration,
    pub at: Timestamp,
    /// `None`: the config's default.
    pub remind_every: Option<f64>,
    /// While that service is dead, this one's deaths fold into its alert.
    pub depends_on: Option<ServiceName>,
    /// What the door it came in by knows of it, for the ping history; `None`
    /// for a pulse that is not a ping (a declaration).
    pub note: Option<PingNote>,
}

impl Pulse {
    /// How long after the pulse the next is expected.
    pub fn expected_in(&self) -> Duration {
        self.cadence.expected_in(self.at)
    }

    /// The window counted from `at`, the instant a store stamps the pulse with
    /// (its own clock's, in a cluster): a schedule's next time is absolute.
    pub fn window_from(&self, at: Timestamp) -> Duration {
        self.cadence.expected_in(at).saturating_add(self.grace)
    }

    /// `nextIn` as shown and stored: as given, or until the schedule's next time.
    pub fn next_in_seconds(&self) -> f64 {
        self.next_in_seconds_from(self.at)
    }

    /// `nextIn` counted from `at`, as [`Self::window_from`].
    pub fn next_in_seconds_from(&self, at: Timestamp) -> f64 {
        match &self.cadence {
            Cadence::Every(next_in) => next_in.seconds(),
            Cadence::Cron(_) => self.cadence.expected_in(at).as_secs_f64(),
        }
    }

    /// How long after the pulse the service is dead: the expected time, plus grace.
    pub fn window(&self) -> Duration {
        self.window_from(self.at)
    }

    pub fn deadline(&self) -> Timestamp {
        self.at.plus(self.window())
    }

    /// The schedule's text and zone, as stored; `None` for a `nextIn` service.
    pub fn schedule_columns(&self) -> (Option<&str>, Option<&'static str>) {
        match self.cadence.schedule() {
            Some(schedule) => (Some(schedule.expression()), Some(schedule.tz())),
            None => (None, None),
        }
    }

    /// The grace as stored: seconds, `None` for none.
    pub fn grace_seconds(&self) -> Option<f64> {
        (!self.grace.is_zero()).then_some(self.grace.as_secs_f64())
    }

    /// The service as this pulse leaves it: up, pulsed at `at` (the pulse's own
    /// date, or the store's clock), due at `deadline`, with what its row keeps.
    pub fn service_after(&self, at: Timestamp, deadline: Timestamp, kept: Kept) -> Service {
        Service {
            service: self.service.clone(),
            alert_type: self.alert.kind,
            alert_target: self.alert.target.clone(),
            next_in: self.next_in_seconds_from(at),
            schedule: self.cadence.schedule().map(|s| s.expression().to_owned()),
            tz: self.cadence.schedule().map(|s| s.tz().to_owned()),
            grace: self.grace_seconds(),
            first_seen: kept.first_seen,
            last_pulse: at,
            deadline,
            status: Status::Up,
            remind_every: self.remind_every,
            depends_on: self.depends_on.clone(),
            flapping_since: kept.flapping_since,
            never_pulsed: false,
            running_since: self.starts_run().then_some(at),
        }
    }

    /// Whether this pulse is a run's start (which the next pulse or failure times).
    pub fn starts_run(&self) -> bool {
        self.note
            .as_ref()
            .is_some_and(|note| note.kind == PingKind::Start)
    }
}

/// What a service's row keeps from before a pulse.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Kept {
    /// Set while it is flapping: since when.
    pub flapping_since: Option<Timestamp>,
    pub first_seen: Option<Timestamp>,
}
