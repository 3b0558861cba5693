//! Cron schedules: when a job is expected, in its own time zone. Five fields
//! (minute, hour, day of month, month, day of week) with lists, ranges, steps,
//! month and day names, and the `@hourly` … `@yearly` macros, evaluated as
//! Vixie cron does across daylight-saving changes: a time the spring jump skips
//! comes right after the jump, and a repeated hour runs a fixed-time job once.

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use regex::Regex;

use crate::field::InvalidField;
use crate::time::Timestamp;

/// The longest grace a service may have: a year, as for `nextIn`.
pub const MAX_GRACE: Duration = super::MAX_NEXT_IN;

/// The longest schedule text kept: a cron line is a few dozen characters.
pub const MAX_EXPRESSION: usize = 200;

/// The schedules the API takes, stated as a pattern: a macro, or five fields of
/// lists of `*` or a value or range (names for months and days, in any case),
/// each with an optional step. The API document states the same pattern, and
/// the server refuses what does not match with `400`; what matches but cannot
/// come true (`5-1`, `0 0 30 2 *`) breaks a rule (`422`).
pub fn schedule_pattern() -> String {
    let names = |names: &[&str]| -> Vec<String> {
        let any_case = |name: &str| -> String {
            let letters = name
                .chars()
                .map(|c| format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase()));
            letters.collect()
        };
        names.iter().map(|name| any_case(name)).collect()
    };
    let months = names(&[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]);
    let days = names(&["sun", "mon", "tue", "wed", "thu", "fri", "sat"]);
    let field = |values: &str| -> String {
        let range = format!("(?:{values})(?:-(?:{values}))?");
        let item = format!("(?:\\*|{range})(?:/[1-9][0-9]?)?");
        format!("{item}(?:,{item})*")
    };
    let minute = field("[0-5]?[0-9]");
    let hour = field("[01]?[0-9]|2[0-3]");
    let day = field("0?[1-9]|[12][0-9]|3[01]");
    let month = field(&format!("0?[1-9]|1[0-2]|{}", months.join("|")));
    let weekday = field(&format!("[0-7]|{}", days.join("|")));
    format!(
        "^(?:@(?:hourly|daily|weekly|monthly|yearly|annually)|{minute} +{hour} +{day} +{month} +{weekday})$"
    )
}

/// The IANA time zones a schedule may name.
pub fn time_zones() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

static SCHEDULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&schedule_pattern()).expect("the schedule pattern compiles"));

/// A cron schedule in a time zone.
#[derive(Clone)]
pub struct Schedule {
    /// Boxed: a parsed pattern is a few hundred bytes, and pulses move by value.
    cron: Box<Cron>,
    expression: String,
    tz: Tz,
}

impl Schedule {
    /// Parses `expression` (the field `schedule`) in the IANA zone `tz` (the
    /// field `tz`; UTC when absent), refusing one that never comes.
    pub fn parse(expression: &str, tz: Option<&str>) -> Result<Self, InvalidField> {
        let tz = match tz {
            None => Tz::UTC,
            Some(name) => name.parse::<Tz>().map_err(|_| {
                InvalidField::new(
                    "tz",
                    format!("`{name}` is not an IANA time zone such as Europe/Berlin or UTC"),
                )
            })?,
        };
        if expression.len() > MAX_EXPRESSION || !SCHEDULE.is_match(expression) {
            return Err(InvalidField::new(
                "schedule",
                format!(
                    "`{expression}` is not a cron expression: five fields (minute hour day-of-month month day-of-week) such as `0 9 * * 1-5`, or @hourly, @daily, @weekly, @monthly or @yearly"
                ),
            ));
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build()
            .parse(expression)
            .map_err(|error| {
                InvalidField::rule("schedule", format!("`{expression}` cannot be: {error}"))
            })?;
        let schedule = Self {
            cron: Box::new(cron),
            expression: expression.to_owned(),
            tz,
        };
        if schedule.next_after(Timestamp::now()).is_none() {
            return Err(InvalidField::rule(
                "schedule",
                format!("`{expression}` never comes (a date that does not exist?)"),
            ));
        }
        Ok(schedule)
    }

    /// The schedule as given.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The time zone's IANA name.
    pub fn tz(&self) -> &'static str {
        self.tz.name()
    }

    /// The first time of the schedule strictly after `at`; `None` when it never
    /// comes again (or not before the year 5000).
    pub fn next_after(&self, at: Timestamp) -> Option<Timestamp> {
        let local = DateTime::<Utc>::from_timestamp_millis(at.as_millis())?.with_timezone(&self.tz);
        let next = self.cron.find_next_occurrence(&local, false).ok()?;
        Some(Timestamp::from_millis(next.timestamp_millis()))
    }

    /// The next `count` times after `at`, for people to check a schedule.
    pub fn upcoming(&self, at: Timestamp, count: usize) -> Vec<Timestamp> {
        let mut times = Vec::with_capacity(count);
        let mut from = at;
        while times.len() < count {
            let Some(next) = self.next_after(from) else {
                break;
            };
            times.push(next);
            from = next;
        }
        times
    }

    /// The schedule in words: `At 09:00, on Monday, Tuesday, Wednesday, Thursday, and Friday.`
    pub fn describe(&self) -> String {
        self.cron.describe()
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Schedule({:?} in {})", self.expression, self.tz.name())
    }
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.expression == other.expression && self.tz == other.tz
    }
}

/// How long past its expected time a service may still pulse before it is
/// dead: it is `late` meanwhile.
pub fn parse_grace(seconds: f64) -> Result<Duration, InvalidField> {
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(InvalidField::new(
            "grace",
            "must be zero or a positive number of seconds, or a duration such as 15m",
        ));
    }
    if seconds > MAX_GRACE.as_secs_f64() {
        return Err(InvalidField::new("grace", "must be at most one year"));
    }
    Ok(Duration::from_millis((seconds * 1000.0).ceil() as u64))
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
