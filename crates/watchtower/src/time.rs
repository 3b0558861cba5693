//! Instants as Watchtower persists them (UTC epoch milliseconds) and shows them
//! (RFC 3339 with milliseconds, always `Z`).

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::field::InvalidField;

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

    /// Parses a date given in a query: RFC 3339, or Unix epoch seconds (at most 13
    /// digits, an optional sign and fraction: `-?[0-9]{1,13}(\.[0-9]+)?`). Nothing
    /// around it is trimmed: the API document states this grammar, and the server
    /// takes exactly what it states.
    pub fn parse_query(text: &str) -> Result<Self, String> {
        if let Some(millis) = epoch_millis(text) {
            return Ok(Self(millis));
        }
        DateTime::parse_from_rfc3339(text)
            .map(|date| Self(date.timestamp_millis()))
            .map_err(|_| {
                format!("`{text}` is neither an RFC 3339 date nor Unix epoch seconds (at most 13 digits)")
            })
    }

    /// A date a client gives in `field`: [`Self::parse_query`]'s grammar (a `400`
    /// otherwise), within the years RFC 3339 can write, 0000 to 9999 in UTC, since
    /// every date the API answers is written in it (a `422` rule otherwise: no
    /// pattern can bound the epoch seconds' value).
    pub fn parse_date(field: &'static str, text: &str) -> Result<Self, InvalidField> {
        let date = Self::parse_query(text).map_err(|problem| InvalidField::new(field, problem))?;
        if !(FIRST_WRITABLE..=LAST_WRITABLE).contains(&date.0) {
            return Err(InvalidField::rule(
                field,
                format!("`{text}` is out of range: dates run from year 0000 to 9999 (UTC)"),
            ));
        }
        Ok(date)
    }
}

/// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
const FIRST_WRITABLE: i64 = -62_167_219_200_000;
const LAST_WRITABLE: i64 = 253_402_300_799_999;

/// Epoch seconds, `-?[0-9]{1,13}(\.[0-9]+)?`, as exact milliseconds (rounded
/// half away from zero), in integers: a float would miss by one at 13 digits.
fn epoch_millis(text: &str) -> Option<i64> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !is_decimal(unsigned) {
        return None;
    }
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.len() > 13 {
        return None;
    }
    let digit = |at: usize| {
        fraction
            .as_bytes()
            .get(at)
            .map_or(0, |b| i64::from(b - b'0'))
    };
    let mut millis = whole.parse::<i64>().ok()? * 1000 + digit(0) * 100 + digit(1) * 10 + digit(2);
    if digit(3) >= 5 {
        millis += 1;
    }
    Some(if negative { -millis } else { millis })
}

/// `[0-9]+(\.[0-9]+)?`: digits, and a fraction after one dot.
pub fn is_decimal(text: &str) -> bool {
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(text),
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
/// allowed), `250ms`, `5m`, `2h`, `1d`; exactly `[0-9]+(\.[0-9]+)?(ms|s|m|h|d)?`,
/// nothing trimmed.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(number_end);
    if !is_decimal(number) {
        return Err(format!(
            "`{text}` is not a duration such as 90, 90s, 5m, 2h or 1d"
        ));
    }
    let scale = match unit {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => return Err(format!("`{text}`: the unit must be ms, s, m, h or d")),
    };
    let seconds = number
        .parse::<f64>()
        .map_err(|_| format!("`{text}` is out of range"))?;
    Duration::try_from_secs_f64(seconds * scale).map_err(|_| format!("`{text}` is out of range"))
}

/// A duration a client gives in `field`: [`parse_duration`]'s grammar (a `400`
/// otherwise); a value too large to hold breaks a rule (`422`), since no pattern
/// bounds a value.
pub fn parse_duration_field(field: &'static str, text: &str) -> Result<Duration, InvalidField> {
    parse_duration(text).map_err(|problem| {
        let number = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        match is_decimal(number) && ["", "ms", "s", "m", "h", "d"].contains(&&text[number.len()..])
        {
            true => InvalidField::rule(field, problem),
            false => InvalidField::new(field, problem),
        }
    })
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
        for bad in [
            "NaN",
            " 1700000000",
            "1e9",
            "+5",
            ".5",
            "5.",
            "12345678901234",
        ] {
            assert!(Timestamp::parse_query(bad).is_err(), "{bad}");
        }
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
        for bad in [
            "", "m", "5x", "-1", "1e400", "five", " 5", "5 m", ".5", "+5",
        ] {
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
