//! Query dates: epoch seconds or RFC 3339.

use super::{config, is_decimal, text, whitespace};
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use watchtower::time::Timestamp;

// ---- query dates: `-?[0-9]{1,13}(\.[0-9]+)?` or RFC 3339 --------------------

/// Largest magnitude of epoch seconds the grammar takes: 13 digits.
const MAX_EPOCH_SECONDS: i64 = 9_999_999_999_999;
/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.
const FIRST_MILLIS: i64 = -62_135_596_800_000;
const LAST_MILLIS: i64 = 253_402_300_799_999;

fn in_epoch_grammar(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let whole = unsigned.split('.').next().unwrap_or_default();
    whole.len() <= 13 && is_decimal(unsigned)
}

/// Below 2^42 seconds (year 141,000 or so) `f64` holds a millisecond exactly.
const EXACT_EPOCH_SECONDS: i64 = (1 << 42) - 1;

/// Epoch seconds in `seconds` with one to three decimals, and their milliseconds.
fn epoch_with_millis(
    seconds: std::ops::RangeInclusive<i64>,
) -> impl Strategy<Value = (String, i64)> {
    (seconds, 0..1000i64, 1..=3u32).prop_map(|(seconds, millis, digits)| {
        let millis = millis - millis % 10i64.pow(3 - digits);
        let fraction = &format!("{millis:03}")[..digits as usize];
        let sign = if seconds < 0 { "-" } else { "" };
        let text = format!("{sign}{}.{fraction}", seconds.abs());
        let millis = if seconds < 0 { -millis } else { millis };
        (text, seconds * 1000 + millis)
    })
}

/// An RFC 3339 rendering of an instant between years 1 and 9999, with an offset
/// of up to ±23:59 and one of chrono's precisions.
fn rfc3339_text() -> impl Strategy<Value = String> {
    let day = 86_400_000;
    (
        FIRST_MILLIS + day..LAST_MILLIS - day,
        0u32..1_000_000,
        -(24 * 60 - 1)..24 * 60i32,
        select(
            &[
                SecondsFormat::Secs,
                SecondsFormat::Millis,
                SecondsFormat::Micros,
                SecondsFormat::Nanos,
                SecondsFormat::AutoSi,
            ][..],
        ),
        any::<bool>(),
    )
        .prop_map(|(millis, sub_millis, minutes, format, use_z)| {
            let date = DateTime::<Utc>::from_timestamp_millis(millis).unwrap()
                + chrono::Duration::nanoseconds(i64::from(sub_millis));
            let offset = FixedOffset::east_opt(minutes * 60).unwrap();
            date.with_timezone(&offset).to_rfc3339_opts(format, use_z)
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn epoch_seconds_are_taken_as_whole_seconds(
        seconds in -MAX_EPOCH_SECONDS..=MAX_EPOCH_SECONDS,
    ) {
        prop_assert_eq!(
            Timestamp::parse_query(&seconds.to_string()).map(Timestamp::as_millis),
            Ok(seconds * 1000)
        );
    }

    #[test]
    fn epoch_seconds_with_leading_zeros_are_the_same_seconds(
        negative in any::<bool>(),
        seconds in 0..=999_999_999i64,
        zeros in "0{1,4}",
    ) {
        let sign = if negative { "-" } else { "" };
        let sign_of = if negative { -1 } else { 1 };
        prop_assert_eq!(
            Timestamp::parse_query(&format!("{sign}{zeros}{seconds}")).map(Timestamp::as_millis),
            Ok(sign_of * seconds * 1000)
        );
    }

    /// Up to three decimals are a whole number of milliseconds: nothing to round.
    #[test]
    fn epoch_seconds_with_milliseconds_are_exact(
        (text, millis) in epoch_with_millis(-EXACT_EPOCH_SECONDS..=EXACT_EPOCH_SECONDS),
    ) {
        prop_assert_eq!(Timestamp::parse_query(&text).map(Timestamp::as_millis), Ok(millis), "{}", text);
    }

    /// The same over all 13 digits (the parser counts in integers: past 2^42
    /// seconds, an `f64` would land on a neighbouring millisecond).
    #[test]
    fn epoch_seconds_of_thirteen_digits_with_milliseconds_are_exact(
        (text, millis) in epoch_with_millis(-MAX_EPOCH_SECONDS..=MAX_EPOCH_SECONDS),
    ) {
        prop_assert_eq!(Timestamp::parse_query(&text).map(Timestamp::as_millis), Ok(millis), "{}", text);
    }

    /// Longer fractions round to the millisecond: for dates of this era (where
    /// `f64` holds far more than a microsecond) to the nearest one.
    #[test]
    fn epoch_seconds_with_finer_fractions_round_to_the_millisecond(
        seconds in -4_000_000_000i64..=4_000_000_000,
        fraction in "[0-9]{4,12}",
    ) {
        let sign = if seconds < 0 { "-" } else { "" };
        let text = format!("{sign}{}.{fraction}", seconds.abs());
        let parsed = Timestamp::parse_query(&text).map_err(TestCaseError::fail)?;
        let micros: i64 = fraction[..6.min(fraction.len())].parse::<i64>().unwrap()
            * 10i64.pow(6u32.saturating_sub(fraction.len() as u32));
        let exact_micros = seconds.abs() * 1_000_000 + micros;
        // Within half a millisecond (plus the truncated digits and f64's error).
        let got_micros = parsed.as_millis().abs() * 1000;
        prop_assert!(got_micros.abs_diff(exact_micros) <= 501, "{} parsed as {:?}", text, parsed);
    }

    #[test]
    fn rfc3339_dates_are_taken_as_chrono_reads_them(text in rfc3339_text()) {
        let expected = DateTime::parse_from_rfc3339(&text).unwrap().timestamp_millis();
        prop_assert_eq!(
            Timestamp::parse_query(&text).map(Timestamp::as_millis),
            Ok(expected),
            "{}", text
        );
    }

    #[test]
    fn dates_shown_by_the_server_read_back_to_the_same_millisecond(
        millis in FIRST_MILLIS..=LAST_MILLIS,
    ) {
        let shown = Timestamp::from_millis(millis).to_rfc3339();
        prop_assert_eq!(
            Timestamp::parse_query(&shown).map(Timestamp::as_millis),
            Ok(millis),
            "{}", shown
        );
    }

    #[test]
    fn epoch_seconds_of_fourteen_digits_or_more_are_refused(
        negative in any::<bool>(),
        digits in "[0-9]{14,30}",
        fraction in proptest::option::of("[0-9]{1,4}"),
    ) {
        let sign = if negative { "-" } else { "" };
        let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
        let text = format!("{sign}{digits}{fraction}");
        prop_assert!(Timestamp::parse_query(&text).is_err(), "{}", text);
    }

    #[test]
    fn query_dates_with_space_around_are_refused(
        date in prop_oneof![
            "-?[0-9]{1,13}(\\.[0-9]{1,4})?".boxed(),
            rfc3339_text().boxed(),
        ],
        before in proptest::option::of(whitespace()),
        after in proptest::option::of(whitespace()),
    ) {
        prop_assume!(before.is_some() || after.is_some());
        let text = format!("{}{date}{}", before.unwrap_or_default(), after.unwrap_or_default());
        prop_assert!(Timestamp::parse_query(&text).is_err(), "{:?}", text);
    }

    #[test]
    fn epoch_seconds_with_a_plus_sign_an_exponent_or_an_empty_part_are_refused(
        text in prop_oneof![
            "\\+[0-9]{1,13}(\\.[0-9]{1,4})?",
            "--[0-9]{1,13}",
            "-?[0-9]{1,10}(\\.[0-9]{1,3})?[eE][-+]?[0-9]{1,2}",
            "-?\\.[0-9]{1,6}",
            "-?[0-9]{1,6}\\.",
            "-?\\.?",
            "-?[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
            "-?(inf|nan|NaN|infinity|0x10|1_000)",
        ],
    ) {
        prop_assert!(Timestamp::parse_query(&text).is_err(), "{:?}", text);
    }

    /// Both directions at once: taken exactly when in the epoch grammar or read by
    /// chrono as RFC 3339, and no panic on anything.
    #[test]
    fn a_query_date_is_taken_exactly_when_it_is_in_the_grammar(
        text in text("[-+0-9.eE :TZtz]{0,22}"),
    ) {
        let expected = in_epoch_grammar(&text) || DateTime::parse_from_rfc3339(&text).is_ok();
        prop_assert_eq!(Timestamp::parse_query(&text).is_ok(), expected, "{:?}", text);
    }
}
