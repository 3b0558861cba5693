//! What the protocol carries: services, events, pulses and event queries.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::attributes::{AttributeValue, Attributes};

/// A monitored service, as the server shows it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Service {
    pub service: String,
    /// `mail`, `pushover`, `webhook`, or any channel the server knows.
    pub alert_type: String,
    pub alert_target: String,
    /// Seconds allowed between two pulses; for a schedule, from the last pulse to
    /// its next time.
    pub next_in: f64,
    /// The cron schedule it pulses by, if any, and its IANA time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    /// Seconds past the expected time before it is dead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace: Option<f64>,
    /// When it was first seen: its first pulse, or its declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<DateTime<Utc>>,
    /// Its last pulse; while it is [`Status::New`], when it was declared.
    pub last_pulse: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remind_every: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flapping_since: Option<DateTime<Utc>>,
    /// Declared and never pulsed (new, or dead without a first pulse).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub never_pulsed: bool,
    /// Set while a run is under way (started, not yet ended): since when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_since: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Status {
    Up,
    /// Past its expected time, within its grace: shown, not alerted.
    Late,
    Dead,
    /// Neither dies nor alerts until it pulses or is resumed.
    Paused,
    /// Declared, and not pulsed yet.
    New,
    /// A status this version of the client does not know.
    #[serde(other)]
    Unknown,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Up => "up",
            Self::Late => "late",
            Self::Dead => "dead",
            Self::Paused => "paused",
            Self::New => "new",
            Self::Unknown => "unknown",
        })
    }
}

/// An event's severity, ordered: a filter on a level matches it and those above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Debug,
    Info,
    Warning,
    Error,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Level {
    type Err = String;

    /// Any case; `warn` for `warning`.
    fn from_str(text: &str) -> Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "debug" => Ok(Self::Debug),
            "info" => Ok(Self::Info),
            "warning" | "warn" => Ok(Self::Warning),
            "error" => Ok(Self::Error),
            "critical" => Ok(Self::Critical),
            _ => Err(format!(
                "`{text}` is not one of debug, info, warning, error, critical"
            )),
        }
    }
}

/// An event, stamped by the server with the date it received it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Event {
    pub id: i64,
    pub service: String,
    pub level: Level,
    pub message: String,
    pub date: DateTime<Utc>,
    /// Empty when the event carries none.
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
}

/// An alert as the server's outbox holds it (`GET /alerts`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AlertRecord {
    pub id: i64,
    /// `down`, `up`, `reminder`, `flapping`, `stable`, `digest` or `event`.
    pub kind: String,
    /// `*` for a digest.
    pub service: String,
    pub alert_type: String,
    pub alert_target: String,
    pub created: DateTime<Utc>,
    /// `pending`, `sent`, `failed`, `cancelled`, `suppressed` or `digested`.
    pub state: String,
    pub attempts: u32,
    /// The channel's last error, after a failed attempt.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When a pending alert is tried next.
    #[serde(default)]
    pub next_attempt: Option<DateTime<Utc>>,
    /// For one channel of a route: the route's alert.
    #[serde(default)]
    pub fanned_from: Option<i64>,
}

/// A pulse: "`service` is alive and pulses again within `next_in`", or at the
/// next time of its cron `schedule`; `grace` more before it is dead.
///
/// ```
/// use std::time::Duration;
/// use watchtower_client::Pulse;
///
/// let pulse = Pulse::new("backup", Duration::from_secs(26 * 3600), "mail", "ops@example.com")
///     .remind_every(Duration::from_secs(3600))
///     .depends_on("nas");
/// let nightly = Pulse::scheduled("report", "30 2 * * *", "mail", "ops@example.com")
///     .tz("Europe/Berlin")
///     .grace(Duration::from_secs(15 * 60));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pulse {
    pub service: String,
    pub alert_type: String,
    pub alert_target: String,
    /// Seconds until the next pulse is due: at least 0.1 (100 ms), fractions allowed,
    /// at most one year (31536000). The server checks it
    /// ([`Error::InvalidRequest`](crate::Error::InvalidRequest) naming `nextIn`).
    /// `None` with a `schedule`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_in: Option<f64>,
    /// Instead of `next_in`: a cron expression (five fields, or `@hourly` …
    /// `@yearly`); the next pulse is due at its next time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// The schedule's IANA time zone; the server's default is UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    /// Seconds past the expected time before the service is dead (`late` meanwhile).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remind_every: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<String>,
}

impl Pulse {
    pub fn new(
        service: impl Into<String>,
        next_in: Duration,
        alert_type: impl Into<String>,
        alert_target: impl Into<String>,
    ) -> Self {
        Self {
            service: service.into(),
            alert_type: alert_type.into(),
            alert_target: alert_target.into(),
            next_in: Some(next_in.as_secs_f64()),
            schedule: None,
            tz: None,
            grace: None,
            remind_every: None,
            depends_on: None,
        }
    }

    /// A pulse of a service that runs on a cron `schedule` (UTC unless [`Self::tz`]).
    pub fn scheduled(
        service: impl Into<String>,
        schedule: impl Into<String>,
        alert_type: impl Into<String>,
        alert_target: impl Into<String>,
    ) -> Self {
        Self {
            next_in: None,
            schedule: Some(schedule.into()),
            ..Self::new(service, Duration::ZERO, alert_type, alert_target)
        }
    }

    /// The schedule's IANA time zone, such as `Europe/Berlin`.
    pub fn tz(mut self, tz: impl Into<String>) -> Self {
        self.tz = Some(tz.into());
        self
    }

    /// How long past its expected time the service may still pulse: `late`, not dead.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = Some(grace.as_secs_f64());
        self
    }

    /// Re-alert this often while the service stays dead (zero: never).
    pub fn remind_every(mut self, every: Duration) -> Self {
        self.remind_every = Some(every.as_secs_f64());
        self
    }

    /// While `service` is dead, this one's death is folded into its alert.
    pub fn depends_on(mut self, service: impl Into<String>) -> Self {
        self.depends_on = Some(service.into());
        self
    }
}

/// Which way pages run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Newest first (the server's default).
    #[default]
    Desc,
    Asc,
}

/// Filters for listing events; every field is optional.
///
/// ```
/// use watchtower_client::{EventQuery, Level};
///
/// let query = EventQuery::new().service("backup").min_level(Level::Warning).message("disk").limit(50);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventQuery {
    pub service: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub min_level: Option<Level>,
    pub message: Option<String>,
    pub order: Order,
    pub limit: Option<u32>,
    /// Where the page starts: [`EventPage::next_cursor`] of the page before.
    pub cursor: Option<String>,
    /// `attr.NAME=VALUE` filters: every one must match.
    pub attributes: Vec<(String, AttributeValue)>,
}

impl EventQuery {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    pub fn from(mut self, from: DateTime<Utc>) -> Self {
        self.from = Some(from);
        self
    }

    pub fn to(mut self, to: DateTime<Utc>) -> Self {
        self.to = Some(to);
        self
    }

    pub fn min_level(mut self, level: Level) -> Self {
        self.min_level = Some(level);
        self
    }

    /// A case-insensitive substring of the message.
    pub fn message(mut self, needle: impl Into<String>) -> Self {
        self.message = Some(needle.into());
        self
    }

    pub fn order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// Events per page (the server's default is 100, its maximum 10,000).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// Only events whose attribute `name` has `value` (compared as text: `503`
    /// matches the number 503 and the string "503").
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<AttributeValue>) -> Self {
        self.attributes.push((name.into(), value.into()));
        self
    }

    /// The query string's pairs (the cursor left to the caller).
    pub(crate) fn filter_pairs(&self) -> Vec<(Cow<'static, str>, String)> {
        let date = |d: &DateTime<Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut pairs = Vec::new();
        if let Some(service) = &self.service {
            pairs.push(("service", service.clone()));
        }
        if let Some(from) = &self.from {
            pairs.push(("from", date(from)));
        }
        if let Some(to) = &self.to {
            pairs.push(("to", date(to)));
        }
        if let Some(level) = self.min_level {
            pairs.push(("level", level.as_str().to_owned()));
        }
        if let Some(message) = &self.message {
            pairs.push(("message", message.clone()));
        }
        let mut pairs: Vec<(Cow<'static, str>, String)> = (pairs.into_iter())
            .map(|(key, value)| (Cow::Borrowed(key), value))
            .collect();
        for (name, value) in &self.attributes {
            pairs.push((Cow::Owned(format!("attr.{name}")), value.to_string()));
        }
        pairs
    }

    pub(crate) fn pairs(&self) -> Vec<(Cow<'static, str>, String)> {
        let mut pairs = self.filter_pairs();
        if self.order == Order::Asc {
            pairs.push(("order".into(), "asc".into()));
        }
        if let Some(limit) = self.limit {
            pairs.push(("limit".into(), limit.to_string()));
        }
        if let Some(cursor) = &self.cursor {
            pairs.push(("cursor".into(), cursor.clone()));
        }
        pairs
    }
}

/// One page of events and, when more match, the cursor of the next.
#[derive(Clone, Debug, PartialEq)]
pub struct EventPage {
    pub events: Vec<Event>,
    pub next_cursor: Option<String>,
}
