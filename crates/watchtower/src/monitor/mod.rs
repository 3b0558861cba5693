//! Heartbeats: what a service is, what a pulse says, and when a service is due.
//!
//! Pure domain code: no HTTP, no SQL. Callers pass `now` in.

pub mod badge;
mod deadlines;
mod declare;
mod feed;
pub mod history;
mod name;
pub mod pings;
mod pulse;
mod schedule;
pub mod story;
mod watchlist;

use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

use crate::field::InvalidField;
use crate::time::Timestamp;

pub use deadlines::Deadlines;
pub use declare::{Declaration, DeclarePlan, Declared};
pub use feed::{ServiceChange, ServiceFeed};
pub use name::{ServiceName, name_pattern};
pub use pulse::{Cadence, Kept, Pulse};
pub use schedule::{
    MAX_EXPRESSION, MAX_GRACE, Schedule, parse_grace, schedule_pattern, time_zones,
};
pub use watchlist::{Due, Watchlist};

/// The longest `nextIn` a pulse may announce.
pub const MAX_NEXT_IN: Duration = Duration::from_secs(365 * 24 * 3600);

/// The shortest `nextIn`: a deadline a few microseconds away would declare a
/// service dead before its answer arrives. A tenth of a second, not a second:
/// tests, and heartbeats from fast loops, make services die quickly on purpose.
pub const MIN_NEXT_IN: Duration = Duration::from_millis(100);

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
        if seconds < MIN_NEXT_IN.as_secs_f64() {
            return Err(InvalidField::new(
                "nextIn",
                "must be at least 0.1 seconds (100 ms)",
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

    /// A `nextIn` read back from storage, kept within today's bounds: a service
    /// stored before a bound was tightened still pulses by its own `nextIn`.
    pub fn stored(seconds: f64) -> Self {
        let (min, max) = (MIN_NEXT_IN.as_secs_f64(), MAX_NEXT_IN.as_secs_f64());
        Self(if seconds.is_finite() {
            seconds.clamp(min, max)
        } else {
            min
        })
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

/// Where a service stands. `late` is never stored: an `up` service past its
/// expected time, within its grace, is shown late.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Up,
    /// Past the expected time, within grace: shown, not alerted.
    Late,
    Dead,
    /// No deaths and no alerts until it pulses or is resumed.
    Paused,
    /// Declared, never pulsed: dead if its first pulse is not in by its deadline.
    New,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Late => "late",
            Self::Dead => "dead",
            Self::Paused => "paused",
            Self::New => "new",
        }
    }

    /// A stored status: `up`, `dead`, `paused` or `new`.
    pub fn stored(text: &str) -> Option<Self> {
        match text {
            "up" => Some(Self::Up),
            "dead" => Some(Self::Dead),
            "paused" => Some(Self::Paused),
            "new" => Some(Self::New),
            _ => None,
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
    /// Seconds allowed between two pulses; for a schedule, from the last pulse
    /// to the schedule's next time.
    #[schema(example = 3600)]
    #[serde(serialize_with = "seconds_as_given")]
    pub next_in: f64,
    /// The cron schedule it pulses by, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "0 9 * * 1-5")]
    pub schedule: Option<String>,
    /// The schedule's IANA time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Europe/Berlin")]
    pub tz: Option<String>,
    /// Seconds past the expected time before it is dead (`late` meanwhile).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_seconds"
    )]
    #[schema(value_type = Option<f64>, example = 900)]
    pub grace: Option<f64>,
    /// When it was first seen (its first pulse, or its declaration); absent for a service stored by
    /// a version that did not record it and whose events are gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_seen: Option<Timestamp>,
    /// Its last pulse; while `new`, when it was declared.
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
    /// Declared and never pulsed (`new`, or dead without a first pulse); absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub never_pulsed: bool,
    /// Set while a run is under way (a start seen, its end not yet): since when.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub running_since: Option<Timestamp>,
}

impl Service {
    /// The service as of `now`: an up service past its expected time (its
    /// deadline less its grace) is `late`.
    pub fn as_of(mut self, now: Timestamp) -> Self {
        let grace = self.grace.map_or(Duration::ZERO, NextIn::window);
        if self.status == Status::Up && !grace.is_zero() && now >= self.deadline.minus(grace) {
            self.status = Status::Late;
        }
        self
    }
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
    fn next_in_is_at_least_a_tenth_of_a_second_and_at_most_a_year() {
        for ok in [0.1, 1.5, 31_536_000.0] {
            assert!(NextIn::parse(ok).is_ok(), "{ok}");
        }
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 31_536_000.5] {
            assert!(NextIn::parse(bad).is_err(), "{bad}");
        }
        for short in [5e-324, 1e-300, 0.001, 0.099_999] {
            let error = NextIn::parse(short).unwrap_err();
            assert!(error.problem.contains("at least 0.1"), "{short}");
        }
    }

    #[test]
    fn a_stored_next_in_is_kept_within_todays_bounds() {
        assert_eq!(NextIn::stored(42.5).seconds(), 42.5);
        assert_eq!(NextIn::stored(0.05).seconds(), 0.1);
        assert_eq!(NextIn::stored(1e12).seconds(), 31_536_000.0);
        assert_eq!(NextIn::stored(f64::NAN).seconds(), 0.1);
    }

    #[test]
    fn next_in_rounds_up_to_whole_milliseconds() {
        assert_eq!(NextIn(0.0001).duration(), Duration::from_millis(1));
        assert_eq!(NextIn(1.5).duration(), Duration::from_millis(1500));
    }
}
