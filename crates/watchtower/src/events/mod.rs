//! Events: what a service reports (service, level, message), stamped by the server.

mod attribute_lookup;
mod attributes;
mod feed;
pub mod otlp;
mod query;
pub mod retention;
mod stats;
pub mod syslog;

pub use attribute_lookup::stored_value;
pub use attributes::{
    AttributeFilter, AttributeValue, Attributes, FILTER_PREFIX as ATTRIBUTE_FILTER_PREFIX,
    MAX_ATTRIBUTES, MAX_ATTRIBUTES_BYTES, MAX_KEY_CHARS,
};
pub use feed::{Feed, FeedItem};
pub use query::{EventFilter, EventQuery, Order, Position, STREAM_KEYS, checked_params};
pub use stats::{Bucket, EventStats, LevelCount, StatsQuery};

use serde::{Deserialize, Serialize};
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
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
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
    pub attributes: Attributes,
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
            // A rule, not the grammar: the API document bounds characters (65,536),
            // and up to four bytes each may come to more.
            return Err(InvalidField::rule(
                "message",
                format!("must be at most {MAX_MESSAGE_BYTES} bytes"),
            ));
        }
        Ok(Self {
            service,
            level,
            message,
            date,
            attributes: Attributes::default(),
        })
    }

    pub fn with_attributes(self, attributes: Attributes) -> Self {
        Self { attributes, ..self }
    }

    /// The event as stored under `id`, dated `date`.
    pub fn stored(self, id: i64, date: Timestamp) -> Event {
        Event {
            id,
            service: self.service,
            level: self.level,
            message: self.message,
            date,
            attributes: self.attributes,
        }
    }
}

/// NUL is the one character no storage backend keeps as text (PostgreSQL refuses
/// it), so it is refused at the edge, the same way whatever the backend.
pub(crate) fn reject_nul(field: &'static str, text: &str) -> Result<(), InvalidField> {
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
    /// Present when the event carries attributes.
    #[serde(skip_serializing_if = "Attributes::is_empty")]
    #[schema(required = false)]
    pub attributes: Attributes,
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
}
