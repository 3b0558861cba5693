//! What an alert says beyond its service and kind, kept with the alert as JSON:
//! filled in when the policy releases it, read when a channel renders it.

use serde::{Deserialize, Serialize};

use crate::events::{Event, Level};
use crate::monitor::Status;
use crate::time::Timestamp;

/// How many of a service's latest events an alert quotes.
pub const RECENT_EVENTS: usize = 5;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AlertDetails {
    /// The service's latest events when the alert was released, newest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recent: Vec<EventLine>,
    /// Services that depend on this one and are dead too (their alerts are folded into this one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependents: Vec<String>,
    /// The alert waited for a snooze that ended then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<Timestamp>,
    /// A death folded into the alert of the service it depends on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folded_into: Option<String>,
    /// When the policy first saw that dependency up again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependency_recovered: Option<Timestamp>,
    /// A digest's services.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
    /// Flapping: the deaths counted and the window they fell in, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deaths: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<f64>,
    /// The status a service settled in when it stopped flapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// An event that a rule turned into an alert, the rule, and the matching
    /// events that the rule's rate limit kept quiet before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<EventLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(skip_serializing_if = "is_zero")]
    pub quieted: u64,
    /// Who asked for a test alert (`key `ops``, `the password`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
    /// A declared service that died without a first pulse: its `last_pulse` is
    /// when it was declared.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub never_pulsed: bool,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

/// One event as an alert quotes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventLine {
    pub date: Timestamp,
    pub level: Level,
    pub message: String,
}

impl From<&Event> for EventLine {
    fn from(event: &Event) -> Self {
        Self {
            date: event.date,
            level: event.level,
            message: event.message.clone(),
        }
    }
}

/// A status change gathered into a digest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub service: String,
    pub status: Status,
    pub since: Timestamp,
}

impl Member {
    /// A change as a digest lists it: a recovery since its pulse, a death since the
    /// deadline it missed.
    pub fn new(
        service: String,
        recovered: bool,
        down_since: Timestamp,
        last_pulse: Timestamp,
    ) -> Self {
        Self {
            service,
            status: if recovered { Status::Up } else { Status::Dead },
            since: if recovered { last_pulse } else { down_since },
        }
    }

    /// The change an alert announces.
    pub fn of(alert: &super::QueuedAlert) -> Self {
        Self::new(
            alert.service.as_str().to_owned(),
            alert.kind == super::AlertKind::Up,
            alert.down_since,
            alert.last_pulse,
        )
    }
}

impl AlertDetails {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("alert details always serialise")
    }

    /// Reads stored details; a row written before details existed has none.
    pub fn from_json(text: Option<&str>) -> Result<Self, serde_json::Error> {
        text.map_or(Ok(Self::default()), serde_json::from_str)
    }
}
