//! Heartbeats: what a service is, what a pulse says, and when a service is due.
//!
//! Pure domain code: no HTTP, no SQL. Callers pass `now` in.

mod deadlines;
mod feed;
pub mod history;
pub mod story;
mod watchlist;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

use crate::field::InvalidField;
use crate::time::Timestamp;

pub use deadlines::Deadlines;
pub use feed::{ServiceChange, ServiceFeed};
pub use watchlist::{Due, Watchlist};

/// The longest `nextIn` a pulse may announce.
pub const MAX_NEXT_IN: Duration = Duration::from_secs(365 * 24 * 3600);

/// The shortest reminder interval: a reminder each second would be a storm of its own.
pub const MIN_REMIND_EVERY: Duration = Duration::from_secs(1);

/// An up service that the deadline index must watch, as found at start-up.
#[derive(Clone, Debug)]
pub struct Watched {
    pub service: ServiceName,
    pub seq: i64,
    pub deadline: Timestamp,
}

/// What became of a service that the monitor found due.
#[derive(Clone, Debug)]
pub enum DeathCheck {
    /// Declared dead; its event and alert are queued.
    Died(Service),
    /// It pulsed meanwhile: watch this newer deadline instead.
    Pulsed(Watched),
    /// Cancelled, or already dead.
    Gone,
}

/// What start-up does with services whose deadline fell while the server was down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RestartPolicy {
    /// Give each one a fresh `nextIn` window from now: its pulses could not be heard.
    #[default]
    Grace,
    /// Declare them dead at once.
    Strict,
}

/// A service's name: 1 to 255 printable characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceName(Arc<str>);

impl ServiceName {
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InvalidField> {
        let length = text.chars().count();
        if length == 0 || length > 255 {
            return Err(InvalidField::new(
                field,
                format!("must be 1 to 255 characters, got {length}"),
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(InvalidField::new(
                field,
                "must contain only printable characters",
            ));
        }
        Ok(Self(text.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ServiceName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// How long, at worst, until a service pulses again.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NextIn(f64);

impl NextIn {
    pub fn parse(seconds: f64) -> Result<Self, InvalidField> {
        if !seconds.is_finite() || seconds <= 0.0 {
            return Err(InvalidField::new(
                "nextIn",
                "must be a positive number of seconds",
            ));
        }
        if seconds > MAX_NEXT_IN.as_secs_f64() {
            return Err(InvalidField::new(
                "nextIn",
                "must be at most one year (31536000 seconds)",
            ));
        }
        Ok(Self(seconds))
    }

    pub fn seconds(self) -> f64 {
        self.0
    }

    pub fn duration(self) -> Duration {
        Self::window(self.0)
    }

    /// A stored `nextIn` as a duration, rounded up to whole milliseconds (the
    /// storage precision) so that a deadline is never early.
    pub fn window(seconds: f64) -> Duration {
        Duration::from_millis((seconds.max(0.0) * 1000.0).ceil() as u64)
    }
}

/// How often to re-alert while a service stays dead; zero turns reminders off
/// for the service, whatever the config's default.
pub fn parse_remind_every(seconds: f64) -> Result<f64, InvalidField> {
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(InvalidField::new(
            "remindEvery",
            "must be zero (never) or a positive number of seconds",
        ));
    }
    if seconds > 0.0 && seconds < MIN_REMIND_EVERY.as_secs_f64() {
        return Err(InvalidField::new(
            "remindEvery",
            format!(
                "must be at least {} seconds, or zero",
                MIN_REMIND_EVERY.as_secs()
            ),
        ));
    }
    if seconds > MAX_NEXT_IN.as_secs_f64() {
        return Err(InvalidField::new("remindEvery", "must be at most one year"));
    }
    Ok(seconds)
}

/// Which channel a service's alerts go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AlertType {
    Mail,
    Pushover,
    Webhook,
    Slack,
    Teams,
    Discord,
    Telegram,
    Ntfy,
    Gotify,
    Matrix,
    Pagerduty,
    Opsgenie,
    Exec,
    /// A route of the config: several channels at once.
    Route,
}

impl AlertType {
    pub const ALL: [AlertType; 14] = [
        Self::Mail,
        Self::Pushover,
        Self::Webhook,
        Self::Slack,
        Self::Teams,
        Self::Discord,
        Self::Telegram,
        Self::Ntfy,
        Self::Gotify,
        Self::Matrix,
        Self::Pagerduty,
        Self::Opsgenie,
        Self::Exec,
        Self::Route,
    ];

    pub fn parse(text: &str) -> Result<Self, InvalidField> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|kind| kind.as_str()).collect();
                InvalidField::new(
                    "alertType",
                    format!("`{text}` is not one of {}", known.join(", ")),
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mail => "mail",
            Self::Pushover => "pushover",
            Self::Webhook => "webhook",
            Self::Slack => "slack",
            Self::Teams => "teams",
            Self::Discord => "discord",
            Self::Telegram => "telegram",
            Self::Ntfy => "ntfy",
            Self::Gotify => "gotify",
            Self::Matrix => "matrix",
            Self::Pagerduty => "pagerduty",
            Self::Opsgenie => "opsgenie",
            Self::Exec => "exec",
            Self::Route => "route",
        }
    }
}

/// Where a service's alerts go: a channel and a recipient on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertRoute {
    pub kind: AlertType,
    pub target: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Up,
    Dead,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Dead => "dead",
        }
    }
}

/// A pulse as validated at the edge, stamped with the time it was received.
#[derive(Clone, Debug)]
pub struct Pulse {
    pub service: ServiceName,
    pub alert: AlertRoute,
    pub next_in: NextIn,
    pub at: Timestamp,
    /// `None`: the config's default.
    pub remind_every: Option<f64>,
    /// While that service is dead, this one's deaths fold into its alert.
    pub depends_on: Option<ServiceName>,
}

impl Pulse {
    pub fn deadline(&self) -> Timestamp {
        self.at.plus(self.next_in.duration())
    }

    /// The service as this pulse leaves it: up, pulsed at `at` (the pulse's own
    /// date, or the store's clock), due at `deadline`.
    pub fn service_after(
        &self,
        at: Timestamp,
        deadline: Timestamp,
        flapping_since: Option<Timestamp>,
    ) -> Service {
        Service {
            service: self.service.clone(),
            alert_type: self.alert.kind,
            alert_target: self.alert.target.clone(),
            next_in: self.next_in.seconds(),
            last_pulse: at,
            deadline,
            status: Status::Up,
            remind_every: self.remind_every,
            depends_on: self.depends_on.clone(),
            flapping_since,
        }
    }
}

/// A monitored service as the protocol shows it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    #[schema(value_type = String, example = "backup")]
    pub service: ServiceName,
    pub alert_type: AlertType,
    #[schema(example = "ops@example.com")]
    pub alert_target: String,
    /// Seconds allowed between two pulses.
    #[schema(example = 3600)]
    #[serde(serialize_with = "seconds_as_given")]
    pub next_in: f64,
    #[schema(value_type = String, format = DateTime)]
    pub last_pulse: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub deadline: Timestamp,
    pub status: Status,
    /// Seconds between reminders while dead; absent: the server's default, 0: never.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_seconds"
    )]
    #[schema(value_type = Option<f64>)]
    pub remind_every: Option<f64>,
    /// The service this one depends on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub depends_on: Option<ServiceName>,
    /// Set while the service is flapping (its alerts pause): since when.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub flapping_since: Option<Timestamp>,
}

fn optional_seconds<S: Serializer>(
    seconds: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match seconds {
        Some(seconds) => seconds_as_given(seconds, serializer),
        None => serializer.serialize_none(),
    }
}

/// Whole seconds come back as an integer (`60`, not `60.0`), as clients sent them.
fn seconds_as_given<S: Serializer>(seconds: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if seconds.fract() == 0.0 && seconds.abs() <= MAX_NEXT_IN.as_secs_f64() {
        serializer.serialize_i64(*seconds as i64)
    } else {
        serializer.serialize_f64(*seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_are_one_to_255_printable_characters() {
        assert!(ServiceName::parse("service", "backup").is_ok());
        assert!(ServiceName::parse("service", &"é".repeat(255)).is_ok());
        let rejected = ["", "tab\there", "line\nbreak"];
        for text in rejected {
            assert!(ServiceName::parse("service", text).is_err(), "{text:?}");
        }
        assert!(ServiceName::parse("service", &"x".repeat(256)).is_err());
    }

    #[test]
    fn next_in_is_positive_and_at_most_a_year() {
        for ok in [0.001, 1.5, 31_536_000.0] {
            assert!(NextIn::parse(ok).is_ok(), "{ok}");
        }
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 31_536_000.5] {
            assert!(NextIn::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn next_in_rounds_up_to_whole_milliseconds() {
        assert_eq!(NextIn(0.0001).duration(), Duration::from_millis(1));
        assert_eq!(NextIn(1.5).duration(), Duration::from_millis(1500));
    }
}
