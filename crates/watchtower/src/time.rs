//! Instants as Watchtower persists them (UTC epoch milliseconds) and shows them
//! (RFC 3339 with milliseconds, always `Z`).

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant with millisecond precision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// Reads the wall clock; only the edges (HTTP handlers, workers) call this.
    pub fn now() -> Self {
        Self(Utc::now().timestamp_millis())
    }

    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    pub const fn as_millis(self) -> i64 {
        self.0
    }

    pub fn plus(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(millis))
    }

    pub fn minus(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_sub(millis))
    }

    /// How far `self` lies after `earlier`; zero when it does not.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(u64::try_from(self.0 - earlier.0).unwrap_or(0))
    }

    pub fn to_rfc3339(self) -> String {
        DateTime::<Utc>::from_timestamp_millis(self.0)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Parses a date given in a query: RFC 3339, or Unix epoch seconds (fractions allowed).
    pub fn parse_query(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(seconds) = text.parse::<f64>() {
            if !seconds.is_finite() || seconds.abs() > 1e13 {
                return Err(format!("`{text}` is out of range"));
            }
            return Ok(Self((seconds * 1000.0).round() as i64));
        }
        DateTime::parse_from_rfc3339(text)
            .map(|date| Self(date.timestamp_millis()))
            .map_err(|_| format!("`{text}` is neither an RFC 3339 date nor Unix epoch seconds"))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|date| Self(date.timestamp_millis()))
            .map_err(|_| serde::de::Error::custom(format!("`{text}` is not an RFC 3339 date")))
    }
}

/// Parses a duration as people write it: `90` or `90s` (seconds, fractions
/// allowed), `5m`, `2h`, `1d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let scale = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => return Err(format!("`{text}`: the unit must be ms, s, m, h or d")),
    };
    let seconds = number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| n * scale)
        .ok_or_else(|| format!("`{text}` is not a duration such as 90, 90s, 5m, 2h or 1d"))?;
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{text}` is out of range"))
}

/// Renders a duration for people: `3d 4h`, `12m 5s`, `800ms`.
pub fn human_duration(duration: Duration) -> String {
    let total = duration.as_secs();
    if total == 0 {
        return format!("{}ms", duration.as_millis());
    }
    let units = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let parts: Vec<String> = units
        .iter()
        .scan(total, |rest, &(size, unit)| {
            let count = *rest / size;
            *rest %= size;
            Some((count, unit))
        })
        .filter(|(count, _)| *count > 0)
        .take(2)
        .map(|(count, unit)| format!("{count}{unit}"))
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_dates_accept_rfc3339_and_epoch_seconds() {
        let cases = [
            ("1700000000", 1_700_000_000_000),
            ("1700000000.5", 1_700_000_000_500),
            ("2023-11-14T22:13:20Z", 1_700_000_000_000),
            ("2023-11-14T23:13:20+01:00", 1_700_000_000_000),
        ];
        for (text, millis) in cases {
            assert_eq!(
                Timestamp::parse_query(text),
                Ok(Timestamp(millis)),
                "{text}"
            );
        }
        assert!(Timestamp::parse_query("yesterday").is_err());
        assert!(Timestamp::parse_query("NaN").is_err());
    }

    #[test]
    fn rfc3339_output_is_utc_with_millis() {
        assert_eq!(
            Timestamp(1_700_000_000_123).to_rfc3339(),
            "2023-11-14T22:13:20.123Z"
        );
    }

    #[test]
    fn durations_parse_with_or_without_a_unit() {
        let cases = [
            ("90", 90.0),
            ("90s", 90.0),
            ("1.5", 1.5),
            ("5m", 300.0),
            ("2h", 7200.0),
            ("1d", 86_400.0),
            ("250ms", 0.25),
        ];
        for (text, seconds) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs_f64(seconds)),
                "{text}"
            );
        }
        for bad in ["", "m", "5x", "-1", "1e400", "five"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(Duration::from_millis(800)), "800ms");
        assert_eq!(human_duration(Duration::from_secs(65)), "1m 5s");
        assert_eq!(
            human_duration(Duration::from_secs(3 * 86_400 + 7_200 + 5)),
            "3d 2h"
        );
    }
}
