//! Schedule arithmetic as a pure function: daylight-saving changes of 2026 and
//! 2027 in three hemispheres' zones, leap days, month ends and every macro.

use super::*;
use crate::field::Breaks;

/// An instant from its RFC 3339 text.
fn at(text: &str) -> Timestamp {
    Timestamp::parse_date("test", text).unwrap()
}

/// The next time of `expression` in `tz` after `after`, as RFC 3339 UTC.
fn next(expression: &str, tz: &str, after: &str) -> String {
    let schedule = Schedule::parse(expression, Some(tz)).unwrap();
    schedule.next_after(at(after)).unwrap().to_rfc3339()
}

/// The next `count` times, as RFC 3339 UTC.
fn upcoming(expression: &str, tz: &str, after: &str, count: usize) -> Vec<String> {
    let schedule = Schedule::parse(expression, Some(tz)).unwrap();
    let times = schedule.upcoming(at(after), count);
    times.into_iter().map(Timestamp::to_rfc3339).collect()
}

#[test]
fn a_time_skipped_by_the_spring_jump_runs_right_after_it() {
    // (zone, the night before the jump, the jump's first valid local time in UTC, the day after at 02:30)
    let cases = [
        // Berlin: 02:00 CET becomes 03:00 CEST on 29 March 2026 and 28 March 2027.
        (
            "Europe/Berlin",
            "2026-03-28T12:00:00Z",
            "2026-03-29T01:00:00.000Z",
            "2026-03-30T00:30:00.000Z",
        ),
        (
            "Europe/Berlin",
            "2027-03-27T12:00:00Z",
            "2027-03-28T01:00:00.000Z",
            "2027-03-29T00:30:00.000Z",
        ),
        // New York: 02:00 EST becomes 03:00 EDT on 8 March 2026 and 14 March 2027.
        (
            "America/New_York",
            "2026-03-07T12:00:00Z",
            "2026-03-08T07:00:00.000Z",
            "2026-03-09T06:30:00.000Z",
        ),
        (
            "America/New_York",
            "2027-03-13T12:00:00Z",
            "2027-03-14T07:00:00.000Z",
            "2027-03-15T06:30:00.000Z",
        ),
        // Sydney: 02:00 AEST becomes 03:00 AEDT on 4 October 2026 and 3 October 2027.
        (
            "Australia/Sydney",
            "2026-10-03T00:00:00Z",
            "2026-10-03T16:00:00.000Z",
            "2026-10-04T15:30:00.000Z",
        ),
        (
            "Australia/Sydney",
            "2027-10-02T00:00:00Z",
            "2027-10-02T16:00:00.000Z",
            "2027-10-03T15:30:00.000Z",
        ),
    ];
    for (tz, before, jump, day_after) in cases {
        assert_eq!(
            upcoming("30 2 * * *", tz, before, 2),
            [jump, day_after],
            "{tz} {before}"
        );
    }
}

#[test]
fn a_repeated_hour_runs_a_fixed_time_job_once() {
    // (zone, the day before, 01:30 or 02:30 local on the first pass, the same time the next day)
    let cases = [
        // Berlin: 03:00 CEST goes back to 02:00 CET on 25 October 2026 and 31 October 2027.
        (
            "Europe/Berlin",
            "30 2 * * *",
            "2026-10-24T12:00:00Z",
            "2026-10-25T00:30:00.000Z",
            "2026-10-26T01:30:00.000Z",
        ),
        (
            "Europe/Berlin",
            "30 2 * * *",
            "2027-10-30T12:00:00Z",
            "2027-10-31T00:30:00.000Z",
            "2027-11-01T01:30:00.000Z",
        ),
        // New York: 02:00 EDT goes back to 01:00 EST on 1 November 2026 and 7 November 2027.
        (
            "America/New_York",
            "30 1 * * *",
            "2026-10-31T12:00:00Z",
            "2026-11-01T05:30:00.000Z",
            "2026-11-02T06:30:00.000Z",
        ),
        (
            "America/New_York",
            "30 1 * * *",
            "2027-11-06T12:00:00Z",
            "2027-11-07T05:30:00.000Z",
            "2027-11-08T06:30:00.000Z",
        ),
        // Sydney: 03:00 AEDT goes back to 02:00 AEST on 5 April 2026 and 4 April 2027.
        (
            "Australia/Sydney",
            "30 2 * * *",
            "2026-04-04T00:00:00Z",
            "2026-04-04T15:30:00.000Z",
            "2026-04-05T16:30:00.000Z",
        ),
        (
            "Australia/Sydney",
            "30 2 * * *",
            "2027-04-03T00:00:00Z",
            "2027-04-03T15:30:00.000Z",
            "2027-04-04T16:30:00.000Z",
        ),
    ];
    for (tz, expression, before, first, next_day) in cases {
        assert_eq!(
            upcoming(expression, tz, before, 2),
            [first, next_day],
            "{tz} {before}"
        );
    }
}

#[test]
fn an_hourly_job_keeps_its_rhythm_in_real_time_across_both_changes() {
    // Spring: 01:00 CET, then 03:00 CEST one real hour later.
    assert_eq!(
        upcoming("0 * * * *", "Europe/Berlin", "2026-03-29T00:30:00Z", 2),
        ["2026-03-29T01:00:00.000Z", "2026-03-29T02:00:00.000Z"]
    );
    // Autumn: 02:00 CEST and 02:00 CET are both hours that start.
    assert_eq!(
        upcoming("0 * * * *", "Europe/Berlin", "2026-10-24T23:30:00Z", 3),
        [
            "2026-10-25T00:00:00.000Z",
            "2026-10-25T01:00:00.000Z",
            "2026-10-25T02:00:00.000Z"
        ]
    );
}

#[test]
fn the_29th_of_february_waits_for_a_leap_year_and_month_ends_are_exact() {
    assert_eq!(
        next("0 12 29 2 *", "UTC", "2026-03-01T00:00:00Z"),
        "2028-02-29T12:00:00.000Z"
    );
    // The 31st skips the months that have none.
    assert_eq!(
        upcoming("0 0 31 * *", "UTC", "2026-01-31T00:00:00Z", 3),
        [
            "2026-03-31T00:00:00.000Z",
            "2026-05-31T00:00:00.000Z",
            "2026-07-31T00:00:00.000Z"
        ]
    );
    // The 30th of February never comes.
    let never = Schedule::parse("0 0 30 2 *", None).unwrap_err();
    assert!(never.problem.contains("never comes"), "{}", never.problem);
}

#[test]
fn every_macro_means_what_cron_says() {
    let after = "2026-12-03T10:20:30Z";
    let cases = [
        ("@hourly", "2026-12-03T11:00:00.000Z"),
        ("@daily", "2026-12-04T00:00:00.000Z"),
        ("@weekly", "2026-12-06T00:00:00.000Z"),
        ("@monthly", "2027-01-01T00:00:00.000Z"),
        ("@yearly", "2027-01-01T00:00:00.000Z"),
        ("@annually", "2027-01-01T00:00:00.000Z"),
    ];
    for (expression, expected) in cases {
        assert_eq!(next(expression, "UTC", after), expected, "{expression}");
    }
}

#[test]
fn lists_ranges_steps_and_names_combine() {
    // Weekdays at 09:00 in Berlin: after Friday's run comes Monday's.
    assert_eq!(
        upcoming(
            "0 9 * * mon-fri",
            "Europe/Berlin",
            "2026-12-04T08:00:00Z",
            2
        ),
        ["2026-12-07T08:00:00.000Z", "2026-12-08T08:00:00.000Z"]
    );
    assert_eq!(
        upcoming("*/20 8-9 * * *", "UTC", "2026-12-03T09:30:00Z", 3),
        [
            "2026-12-03T09:40:00.000Z",
            "2026-12-04T08:00:00.000Z",
            "2026-12-04T08:20:00.000Z"
        ]
    );
    assert_eq!(
        upcoming("15 6 1,15 JAN,Jul *", "UTC", "2026-12-03T00:00:00Z", 3),
        [
            "2027-01-01T06:15:00.000Z",
            "2027-01-15T06:15:00.000Z",
            "2027-07-01T06:15:00.000Z"
        ]
    );
    // Day of month or day of week, as cron has it: the 1st, and every Sunday.
    assert_eq!(
        upcoming("0 0 1 * 0", "UTC", "2026-11-28T00:00:00Z", 3),
        [
            "2026-11-29T00:00:00.000Z",
            "2026-12-01T00:00:00.000Z",
            "2026-12-06T00:00:00.000Z"
        ]
    );
}

#[test]
fn bad_schedules_and_zones_are_named() {
    let cases = [
        ("61 * * * *", None, "schedule"),
        ("* * * *", None, "schedule"),
        ("0 * * * * *", None, "schedule"),
        ("@reboot", None, "schedule"),
        ("@midnight", None, "schedule"),
        ("@HOURLY", None, "schedule"),
        ("0 9 * * * 2026", None, "schedule"),
        ("0 9 ? * MON", None, "schedule"),
        ("0 9 L * *", None, "schedule"),
        (" 0 * * * *", None, "schedule"),
        ("", None, "schedule"),
        ("0 9 * * *", Some("Mars/Olympus"), "tz"),
        ("0 9 * * *", Some("europe/berlin "), "tz"),
    ];
    for (expression, tz, field) in cases {
        let error = Schedule::parse(expression, tz).unwrap_err();
        assert_eq!(
            error.field, field,
            "{expression:?} {tz:?}: {}",
            error.problem
        );
        assert_eq!(
            error.breaks,
            Breaks::Grammar,
            "{expression:?}: outside the stated grammar"
        );
    }
    // Within the grammar, but impossible: a rule, not the form.
    for expression in ["5-1 * * * *", "0 0 30 2 *", "0 0 31 4,6 *"] {
        let error = Schedule::parse(expression, None).unwrap_err();
        assert_eq!(
            (error.field, error.breaks),
            ("schedule", Breaks::Rule),
            "{expression}"
        );
    }
}

#[test]
fn the_stated_grammar_takes_what_people_write() {
    for expression in [
        "*/5 * * * *",
        "0 9 * * 1-5",
        "0 9 * * MON-fri",
        "30 4 1,15 * *",
        "0 0 1 jan,JUL *",
        "0 22 * * 0,7",
        "5 0-23/2 * * *",
        "00 09 01 01 *",
        "@weekly",
        "0  9  *  *  *",
    ] {
        assert!(Schedule::parse(expression, None).is_ok(), "{expression}");
    }
}

#[test]
fn a_schedule_describes_itself_and_keeps_its_zone() {
    let schedule = Schedule::parse("0 9 * * 1-5", Some("Europe/Berlin")).unwrap();
    assert_eq!(schedule.tz(), "Europe/Berlin");
    assert_eq!(schedule.expression(), "0 9 * * 1-5");
    let words = schedule.describe();
    assert!(
        words.contains("09:00") && words.contains("Monday"),
        "{words}"
    );
    assert_eq!(Schedule::parse("@daily", None).unwrap().tz(), "UTC");
}

#[test]
fn grace_is_zero_or_positive_and_at_most_a_year() {
    assert_eq!(parse_grace(0.0).unwrap(), Duration::ZERO);
    assert_eq!(parse_grace(0.0005).unwrap(), Duration::from_millis(1));
    assert_eq!(parse_grace(900.0).unwrap(), Duration::from_secs(900));
    for bad in [-1.0, f64::NAN, f64::INFINITY, 366.0 * 86_400.0] {
        assert_eq!(parse_grace(bad).unwrap_err().field, "grace", "{bad}");
    }
}
