//! Events: what a service reports (service, level, message), stamped by the server.

use serde::Serialize;
use utoipa::ToSchema;

use crate::field::InvalidField;
use crate::monitor::ServiceName;
use crate::time::Timestamp;

/// The longest message an event may carry, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 10_000;
/// The most events one `POST /add-events` may carry.
pub const MAX_BULK_EVENTS: usize = 10_000;

/// Severity, ordered: a filter on a level matches it and every level above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(example = "error")]
pub enum Level {
    Debug = 0,
    Info = 1,
    Warning = 2,
    Error = 3,
    Critical = 4,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Self::Debug,
        Self::Info,
        Self::Warning,
        Self::Error,
        Self::Critical,
    ];

    pub fn parse(field: &'static str, text: &str) -> Result<Self, InvalidField> {
        match text.to_ascii_lowercase().as_str() {
            "debug" => Ok(Self::Debug),
            "info" => Ok(Self::Info),
            "warning" | "warn" => Ok(Self::Warning),
            "error" => Ok(Self::Error),
            "critical" => Ok(Self::Critical),
            _ => Err(InvalidField::new(
                field,
                format!("`{text}` is not one of debug, info, warning, error, critical"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
            Self::Critical => "critical",
        }
    }

    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn from_rank(rank: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.rank() == rank)
    }
}

/// An event as validated at the edge, stamped with the time it was received.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub service: ServiceName,
    pub level: Level,
    pub message: String,
    pub date: Timestamp,
}

impl NewEvent {
    pub fn parse(
        service: &str,
        level: &str,
        message: String,
        date: Timestamp,
    ) -> Result<Self, InvalidField> {
        let service = ServiceName::parse("service", service)?;
        let level = Level::parse("level", level)?;
        if message.is_empty() {
            return Err(InvalidField::new("message", "must not be empty"));
        }
        reject_nul("message", &message)?;
        if message.len() > MAX_MESSAGE_BYTES {
            return Err(InvalidField::new(
                "message",
                format!("must be at most {MAX_MESSAGE_BYTES} bytes"),
            ));
        }
        Ok(Self {
            service,
            level,
            message,
            date,
        })
    }
}

/// NUL is the one character no storage backend keeps as text (PostgreSQL refuses
/// it), so it is refused at the edge, the same way whatever the backend.
fn reject_nul(field: &'static str, text: &str) -> Result<(), InvalidField> {
    match text.contains('\0') {
        true => Err(InvalidField::new(
            field,
            "must not contain NUL characters (\\u0000)",
        )),
        false => Ok(()),
    }
}

/// A stored event as the protocol shows it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Event {
    pub id: i64,
    #[schema(value_type = String, example = "backup")]
    pub service: ServiceName,
    pub level: Level,
    pub message: String,
    #[schema(value_type = String, format = DateTime)]
    pub date: Timestamp,
}

/// Which events to list, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct EventFilter {
    pub service: Option<ServiceName>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub min_level: Option<Level>,
    /// Matched case-insensitively anywhere in the message.
    pub message: Option<String>,
    pub limit: u32,
}

impl Default for EventFilter {
    fn default() -> Self {
        Self {
            service: None,
            from: None,
            to: None,
            min_level: None,
            message: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl EventFilter {
    /// Builds a filter from query parameters, rejecting unknown and repeated ones.
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, InvalidField> {
        let mut filter = Self::default();
        let mut seen = Vec::new();
        for (key, value) in pairs {
            let field: &'static str = match key {
                "service" => "service",
                "from" => "from",
                "to" => "to",
                "level" => "level",
                "message" => "message",
                "limit" => "limit",
                other => {
                    return Err(InvalidField::new(
                        "query",
                        format!(
                            "unknown parameter `{other}` (expected service, from, to, level, message, limit)"
                        ),
                    ));
                }
            };
            if seen.contains(&field) {
                return Err(InvalidField::new(field, "given more than once"));
            }
            seen.push(field);
            filter.set(field, value)?;
        }
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from > to {
                return Err(InvalidField::new("from", "must not be after `to`"));
            }
        }
        Ok(filter)
    }

    fn set(&mut self, field: &'static str, value: &str) -> Result<(), InvalidField> {
        let date = |value: &str| {
            Timestamp::parse_query(value).map_err(|problem| InvalidField::new(field, problem))
        };
        match field {
            "service" => self.service = Some(ServiceName::parse(field, value)?),
            "from" => self.from = Some(date(value)?),
            "to" => self.to = Some(date(value)?),
            "level" => self.min_level = Some(Level::parse(field, value)?),
            "message" => {
                reject_nul(field, value)?;
                self.message = Some(value.to_owned()).filter(|text| !text.is_empty());
            }
            _ => {
                self.limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                    .ok_or_else(|| {
                        InvalidField::new(
                            "limit",
                            format!("must be a whole number from 1 to {MAX_LIMIT}"),
                        )
                    })?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_case_insensitively_with_warn_alias() {
        let cases = [
            ("DEBUG", Level::Debug),
            ("Info", Level::Info),
            ("warn", Level::Warning),
            ("WARNING", Level::Warning),
            ("error", Level::Error),
            ("Critical", Level::Critical),
        ];
        for (text, level) in cases {
            assert_eq!(Level::parse("level", text), Ok(level), "{text}");
        }
        assert!(Level::parse("level", "fatal").is_err());
        assert!(Level::Debug < Level::Info && Level::Error < Level::Critical);
    }

    #[test]
    fn filters_parse_every_parameter() {
        let filter = EventFilter::from_query([
            ("service", "db"),
            ("from", "1700000000"),
            ("to", "2023-11-15T00:00:00Z"),
            ("level", "warn"),
            ("message", "disk"),
            ("limit", "5"),
        ])
        .unwrap();
        assert_eq!(filter.service.unwrap().as_str(), "db");
        assert_eq!(filter.from, Some(Timestamp::from_millis(1_700_000_000_000)));
        assert_eq!(filter.min_level, Some(Level::Warning));
        assert_eq!(filter.message.as_deref(), Some("disk"));
        assert_eq!(filter.limit, 5);
    }

    #[test]
    fn filters_reject_bad_parameters_naming_them() {
        let cases: [(&[(&str, &str)], &str); 6] = [
            (&[("limit", "0")], "limit"),
            (&[("limit", "10001")], "limit"),
            (&[("level", "loud")], "level"),
            (&[("from", "soon")], "from"),
            (&[("colour", "red")], "query"),
            (&[("service", "a"), ("service", "b")], "service"),
        ];
        for (pairs, field) in cases {
            let error = EventFilter::from_query(pairs.iter().copied()).unwrap_err();
            assert_eq!(error.field, field, "{pairs:?}");
        }
        let reversed = EventFilter::from_query([("from", "2000"), ("to", "1000")]).unwrap_err();
        assert_eq!(reversed.field, "from");
    }
}
