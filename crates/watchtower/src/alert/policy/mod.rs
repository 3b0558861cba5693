//! The alert policy: which status changes page someone, when, and how. Pure: the
//! store gathers a [`Triage`] (alerts whose time has come, with the state of their
//! services, snoozes and recent history), [`decide`] turns it into [`Decision`]s,
//! and the store applies them in the same transaction.
//!
//! Every new alert starts untriaged; only what the policy releases reaches a channel.

mod decide;
pub mod snooze;

use std::time::Duration;

use crate::alert::{AlertDetails, AlertKind, EventLine, Member, QueuedAlert};
use crate::events::Level;
use crate::monitor::{AlertRoute, Service, ServiceName};
use crate::time::Timestamp;

pub use decide::decide;
pub use snooze::{MAX_REASON_CHARS, NewSnooze, Snooze, SnoozeEnd, SnoozeScope};

/// How long a death folded into its dependency's alert waits before it looks again.
pub const DEPENDENCY_RECHECK: Duration = Duration::from_secs(30);

/// The rules, from the config.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    /// Re-alert this often while a service stays dead, unless its pulse says otherwise.
    pub remind_every: Option<Duration>,
    pub flapping: Option<Flapping>,
    pub storm: Option<Storm>,
    /// The config's routes: an alert to `route:NAME` goes to each of these.
    pub routes: std::collections::BTreeMap<String, Vec<AlertRoute>>,
}

/// A service that died more than `deaths` times within `window` is flapping until
/// it has not changed status for `calm`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flapping {
    pub deaths: u32,
    pub window: Duration,
    pub calm: Duration,
}

/// Once more than `threshold` deaths (or recoveries) were alerted within `window`,
/// the next ones wait up to `gather` in one digest per channel target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Storm {
    pub threshold: usize,
    pub window: Duration,
    pub gather: Duration,
}

impl Policy {
    /// How often to remind of `service` while it is dead; `None`: never.
    pub fn reminder_interval(&self, service: &Service) -> Option<Duration> {
        match service.remind_every {
            Some(seconds) if seconds > 0.0 => Some(Duration::from_secs_f64(seconds)),
            Some(_) => None,
            None => self.remind_every,
        }
    }
}

/// An untriaged alert whose time has come, with what the policy needs to judge it.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub alert: QueuedAlert,
    /// Its service now; `None` once cancelled, and for a digest.
    pub service: Option<Service>,
    /// Recoveries: whether the death that this outage began with was alerted.
    pub announced: bool,
    /// Deaths: the service it depends on, if that one is monitored.
    pub dependency: Option<Dependency>,
    /// Deaths: how many of the service's deaths fall within the flap window (this one included).
    pub recent_deaths: u32,
    /// What a released alert quotes: the service's latest events and its dead dependents.
    pub recent: Vec<EventLine>,
    pub dependents: Vec<String>,
    /// A digest's status changes.
    pub members: Vec<Member>,
}

impl Candidate {
    /// An alert with no facts gathered yet.
    pub fn new(alert: QueuedAlert) -> Self {
        Self {
            alert,
            service: None,
            announced: false,
            dependency: None,
            recent_deaths: 0,
            recent: Vec::new(),
            dependents: Vec::new(),
            members: Vec::new(),
        }
    }
}

/// The service another one depends on, and the alert of its current outage.
#[derive(Clone, Debug)]
pub struct Dependency {
    pub service: Service,
    pub death_alert: Option<DeathAlert>,
}

/// Where the death alert of a dead dependency stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeathAlert {
    /// Sent, on its way, or in a digest.
    Released,
    /// Not yet released (waiting for a snooze, or triaged in this same step).
    Waiting(i64),
}

/// A dead service whose reminder is due.
#[derive(Clone, Debug)]
pub struct ReminderDue {
    pub service: Service,
    pub announced: bool,
    pub dependency_dead: bool,
}

/// What one triage step looks at.
#[derive(Clone, Debug)]
pub struct Triage {
    pub now: Timestamp,
    pub candidates: Vec<Candidate>,
    /// Snoozes not yet over.
    pub snoozes: Vec<Snooze>,
    /// Deaths and recoveries released within the storm window.
    pub released_deaths: usize,
    pub released_recoveries: usize,
    pub reminders: Vec<ReminderDue>,
    /// Flapping services that have not changed status for the calm period.
    pub calmed: Vec<Service>,
}

/// What the store does with one triage step, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Hand it to the dispatcher now, with these details; to each of `fan_out`
    /// (one alert each, delivered and retried apart) when it names a route.
    Release {
        id: i64,
        details: AlertDetails,
        fan_out: Vec<AlertRoute>,
    },
    /// Look at it again at `until`.
    Hold {
        id: i64,
        until: Timestamp,
        details: AlertDetails,
    },
    /// Never send it; `reason` is kept with it.
    Suppress { id: i64, reason: String },
    /// Gather it into the open digest of its route (opening one if needed).
    Digest { id: i64, route: AlertRoute },
    /// Queue a new alert, untriaged, due now.
    Queue(NewAlert),
    /// A reminder of this service was considered now: the next one is an interval away.
    Reminded { service: ServiceName },
    /// The service starts (`Some`) or stops (`None`) flapping.
    SetFlapping {
        service: ServiceName,
        since: Option<Timestamp>,
    },
    /// A service recovered: the deaths folded into its alert look again now.
    WakeDependents { service: ServiceName },
    /// A line in the service's story.
    Event {
        service: ServiceName,
        level: Level,
        message: String,
    },
}

/// An alert the policy creates (a reminder, a flapping notice).
#[derive(Clone, Debug, PartialEq)]
pub struct NewAlert {
    pub kind: AlertKind,
    pub service: Service,
    pub down_since: Timestamp,
    pub details: AlertDetails,
}

/// What one triage step did, and when the next is due at the latest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Triaged {
    pub released: usize,
    pub held: usize,
    pub suppressed: usize,
    pub digested: usize,
    pub queued: usize,
    /// The next reminder or end of flapping, if any.
    pub next: Option<Timestamp>,
}

impl Triaged {
    pub fn count(&mut self, decision: &Decision) {
        match decision {
            Decision::Release { .. } => self.released += 1,
            Decision::Hold { .. } => self.held += 1,
            Decision::Suppress { .. } => self.suppressed += 1,
            Decision::Digest { .. } => self.digested += 1,
            Decision::Queue(_) => self.queued += 1,
            _ => {}
        }
    }
}
