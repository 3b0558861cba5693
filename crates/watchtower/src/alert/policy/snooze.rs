//! Snoozes: maintenance windows during which a service's alerts wait (deaths) or
//! are dropped (reminders, event alerts). A snooze names one service, a name
//! prefix, or every service (`*`).

use std::time::Duration;

use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use crate::field::InvalidField;
use crate::monitor::ServiceName;
use crate::time::Timestamp;

/// The longest snooze: a forgotten one must not silence a service forever.
pub const MAX_SNOOZE: Duration = Duration::from_secs(366 * 24 * 3600);
/// The longest reason a snooze may carry, in characters.
pub const MAX_REASON_CHARS: usize = 1000;

/// Which services a snooze covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnoozeScope {
    All,
    Service(ServiceName),
    Prefix(String),
}

impl SnoozeScope {
    /// `service` names one service or, as `*`, every one; `prefix` the start of names.
    pub fn parse(service: Option<&str>, prefix: Option<&str>) -> Result<Self, InvalidField> {
        match (service, prefix) {
            (Some("*"), None) => Ok(Self::All),
            (Some(name), None) => Ok(Self::Service(ServiceName::parse("service", name)?)),
            (None, Some(prefix)) => {
                ServiceName::parse("prefix", prefix)?;
                Ok(Self::Prefix(prefix.to_owned()))
            }
            (Some(_), Some(_)) => Err(InvalidField::new(
                "prefix",
                "give either service or prefix, not both",
            )),
            (None, None) => Err(InvalidField::new(
                "service",
                "name a service, `*` for every service, or give a prefix",
            )),
        }
    }

    pub fn covers(&self, service: &ServiceName) -> bool {
        match self {
            Self::All => true,
            Self::Service(name) => name == service,
            Self::Prefix(prefix) => service.as_str().starts_with(prefix.as_str()),
        }
    }
}

/// A snooze as stored and shown.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Snooze {
    pub id: i64,
    /// The service, or `*` for every service; absent for a prefix.
    #[serde(flatten, serialize_with = "scope_fields")]
    #[schema(value_type = Object)]
    pub scope: SnoozeScope,
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub until: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created: Timestamp,
}

fn scope_fields<S: Serializer>(scope: &SnoozeScope, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(1))?;
    match scope {
        SnoozeScope::All => map.serialize_entry("service", "*")?,
        SnoozeScope::Service(name) => map.serialize_entry("service", name.as_str())?,
        SnoozeScope::Prefix(prefix) => map.serialize_entry("prefix", prefix)?,
    }
    map.end()
}

impl Snooze {
    /// Whether it silences `service` at `now`.
    pub fn covers(&self, service: &ServiceName, now: Timestamp) -> bool {
        self.from <= now && now < self.until && self.scope.covers(service)
    }
}

/// A snooze about to be stored.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSnooze {
    pub scope: SnoozeScope,
    pub from: Timestamp,
    pub until: Timestamp,
    pub reason: Option<String>,
    pub created: Timestamp,
}

/// How a request says when a snooze ends.
pub enum SnoozeEnd {
    After(Duration),
    At(Timestamp),
}

impl NewSnooze {
    /// Checks the window: it ends after `now` and after it starts, within [`MAX_SNOOZE`].
    pub fn new(
        scope: SnoozeScope,
        from: Option<Timestamp>,
        end: SnoozeEnd,
        reason: Option<String>,
        now: Timestamp,
    ) -> Result<Self, InvalidField> {
        let from = from.unwrap_or(now);
        let until = match end {
            SnoozeEnd::After(duration) if duration.is_zero() => {
                return Err(InvalidField::rule("duration", "must be longer than zero"));
            }
            SnoozeEnd::After(duration) if duration > MAX_SNOOZE => {
                return Err(InvalidField::rule("duration", "must be at most 366 days"));
            }
            SnoozeEnd::After(duration) => from.plus(duration),
            SnoozeEnd::At(until) if until <= now.max(from) => {
                return Err(InvalidField::rule(
                    "until",
                    "must lie in the future, after from",
                ));
            }
            SnoozeEnd::At(until) if until.since(now.max(from)) > MAX_SNOOZE => {
                return Err(InvalidField::rule(
                    "until",
                    "must be at most 366 days ahead",
                ));
            }
            SnoozeEnd::At(until) => until,
        };
        if from.since(now) > MAX_SNOOZE {
            return Err(InvalidField::rule("from", "must be at most 366 days ahead"));
        }
        if let Some(reason) = &reason
            && (reason.chars().count() > MAX_REASON_CHARS || reason.contains('\0'))
        {
            return Err(InvalidField::new(
                "reason",
                format!("must be at most {MAX_REASON_CHARS} characters, without NUL"),
            ));
        }
        Ok(Self {
            scope,
            from,
            until,
            reason,
            created: now,
        })
    }
}

/// When the snoozes covering `service` at `now` end (the latest), if any does.
pub fn snoozed_until(
    snoozes: &[Snooze],
    service: &ServiceName,
    now: Timestamp,
) -> Option<Timestamp> {
    snoozes
        .iter()
        .filter(|snooze| snooze.covers(service, now))
        .map(|snooze| snooze.until)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> ServiceName {
        ServiceName::parse("service", text).unwrap()
    }

    #[test]
    fn a_scope_is_one_service_a_prefix_or_everything() {
        let all = SnoozeScope::parse(Some("*"), None).unwrap();
        let one = SnoozeScope::parse(Some("db"), None).unwrap();
        let web = SnoozeScope::parse(None, Some("web-")).unwrap();
        assert!(all.covers(&name("anything")));
        assert!(one.covers(&name("db")) && !one.covers(&name("db2")));
        assert!(web.covers(&name("web-1")) && !web.covers(&name("api")));
        assert!(SnoozeScope::parse(None, None).is_err());
        assert!(SnoozeScope::parse(Some("a"), Some("b")).is_err());
        assert!(SnoozeScope::parse(None, Some("")).is_err());
    }

    #[test]
    fn a_snooze_ends_in_the_future_within_a_bound() {
        let now = Timestamp::from_millis(1_000_000);
        let scope = SnoozeScope::All;
        let made = NewSnooze::new(
            scope.clone(),
            None,
            SnoozeEnd::After(Duration::from_secs(60)),
            None,
            now,
        )
        .unwrap();
        assert_eq!(made.until, now.plus(Duration::from_secs(60)));
        let past = NewSnooze::new(scope.clone(), None, SnoozeEnd::At(now), None, now);
        assert_eq!(past.unwrap_err().field, "until");
        let long = NewSnooze::new(
            scope.clone(),
            None,
            SnoozeEnd::After(MAX_SNOOZE * 2),
            None,
            now,
        );
        assert_eq!(long.unwrap_err().field, "duration");
        let zero = NewSnooze::new(scope, None, SnoozeEnd::After(Duration::ZERO), None, now);
        assert_eq!(zero.unwrap_err().field, "duration");
    }

    #[test]
    fn the_latest_covering_snooze_decides_when_alerts_resume() {
        let now = Timestamp::from_millis(10_000);
        let snooze = |id, scope, from, until| Snooze {
            id,
            scope,
            from: Timestamp::from_millis(from),
            until: Timestamp::from_millis(until),
            reason: None,
            created: now,
        };
        let snoozes = [
            snooze(1, SnoozeScope::All, 0, 20_000),
            snooze(2, SnoozeScope::Prefix("db".into()), 0, 50_000),
            snooze(3, SnoozeScope::Service(name("db1")), 20_000, 90_000),
        ];
        assert_eq!(
            snoozed_until(&snoozes, &name("db1"), now),
            Some(Timestamp::from_millis(50_000))
        );
        assert_eq!(
            snoozed_until(&snoozes, &name("web"), now),
            Some(Timestamp::from_millis(20_000))
        );
        assert_eq!(
            snoozed_until(&snoozes, &name("web"), Timestamp::from_millis(20_000)),
            None
        );
    }
}
