//! The `events` section: how long events are kept, and whether messages are indexed.

use std::time::Duration;

use super::ConfigError;

use serde::Deserialize;

use crate::events::retention::Retention;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct EventsConfig {
    /// Events older than this many days are deleted (fractions allowed); none: kept.
    pub max_age_days: Option<f64>,
    /// At most this many events are kept, the newest; none: no limit.
    pub max_count: Option<u64>,
    /// SQLite: keep a trigram index of messages so that `message` searches need not
    /// scan (about doubles the disk used per event; built in the background).
    pub search_index: bool,
}

impl Default for EventsConfig {
    fn default() -> Self {
        Self {
            max_age_days: None,
            max_count: None,
            search_index: true,
        }
    }
}

impl EventsConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(days) = self.max_age_days
            && !(days.is_finite() && days > 0.0 && days < 1e6)
        {
            return Err(ConfigError::new(
                "events.maxAgeDays",
                "must be a positive number of days",
            ));
        }
        if self.max_count == Some(0) {
            return Err(ConfigError::new(
                "events.maxCount",
                "must be at least 1 (leave it out to keep every event)",
            ));
        }
        Ok(())
    }

    pub fn retention(&self) -> Retention {
        Retention {
            max_age: self
                .max_age_days
                .map(|days| Duration::from_secs_f64(days * 86_400.0)),
            max_count: self.max_count,
        }
    }
}
