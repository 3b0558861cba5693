//! Durations: `[0-9]+(\.[0-9]+)?(ms|s|m|h|d)?`.

use std::time::Duration;

use super::{config, is_decimal, text, whitespace};
use proptest::prelude::*;
use proptest::sample::select;
use watchtower::time::parse_duration;

// ---- durations: `[0-9]+(\.[0-9]+)?(ms|s|m|h|d)?` ----------------------------

/// The units and their length in milliseconds; no unit is seconds.
const UNITS: [(&str, u64); 6] = [
    ("ms", 1),
    ("s", 1_000),
    ("", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
];

fn unit() -> impl Strategy<Value = (&'static str, u64)> {
    select(&UNITS[..])
}

/// Whether `text` is in the duration grammar.
fn in_duration_grammar(text: &str) -> bool {
    UNITS
        .iter()
        .filter_map(|(unit, _)| text.strip_suffix(*unit))
        .any(is_decimal)
}

proptest! {
    #![proptest_config(config())]

    /// Up to 2^31 of any unit (24 days in milliseconds, 5 million years in
    /// days), where the parser's `f64` still lands on the exact nanosecond.
    #[test]
    fn whole_durations_are_exactly_their_number_of_units(
        number in 0u64..1 << 31,
        (unit, millis) in unit(),
    ) {
        let expected = Duration::from_millis(number * millis);
        prop_assert_eq!(parse_duration(&format!("{number}{unit}")), Ok(expected));
    }

    #[test]
    fn leading_zeros_do_not_change_a_duration(
        zeros in "0{1,5}",
        number in 0u64..=1_000_000,
        (unit, millis) in unit(),
    ) {
        let expected = Duration::from_millis(number * millis);
        prop_assert_eq!(parse_duration(&format!("{zeros}{number}{unit}")), Ok(expected));
    }

    /// A fraction goes through `f64`: the value is right to within the last
    /// nanosecond and a part in 2^50 (16 significant digits).
    #[test]
    fn fractional_durations_are_their_value_in_units(
        whole in 0u64..=9_999_999_999,
        fraction in "[0-9]{1,9}",
        (unit, millis) in unit(),
    ) {
        let text = format!("{whole}.{fraction}{unit}");
        let parsed = parse_duration(&text).map_err(TestCaseError::fail)?;
        // The exact value in picoseconds: (whole + fraction) seconds-worth times the unit.
        let nanos_of_fraction: u128 = format!("{fraction:0<9}").parse().unwrap();
        let exact_picos = (u128::from(whole) * 1_000_000_000 + nanos_of_fraction) * u128::from(millis);
        let got_picos = parsed.as_nanos() * 1_000;
        let tolerance = (exact_picos >> 50).max(1_000);
        prop_assert!(
            got_picos.abs_diff(exact_picos) <= tolerance,
            "{} parsed as {:?}, exactly {} ps", text, parsed, exact_picos
        );
    }

    /// The same for any number: past 2^31 milliseconds, `f64` misses by a nanosecond.
    #[test]
    #[ignore = "parse_duration reads `4272567117ms` as 4272567.117000001s (f64): reported"]
    fn whole_durations_of_any_size_are_exactly_their_number_of_units(
        number in any::<u64>(),
        (unit, millis) in unit(),
    ) {
        let text = format!("{number}{unit}");
        let nanos = u128::from(number) * u128::from(millis) * 1_000_000;
        if nanos <= Duration::MAX.as_nanos() {
            let exact = Duration::new((nanos / 1_000_000_000) as u64, (nanos % 1_000_000_000) as u32);
            prop_assert_eq!(parse_duration(&text), Ok(exact), "{}", text);
        } else {
            prop_assert!(parse_duration(&text).is_err(), "{}", text);
        }
    }

    /// Nine decimals name a nanosecond, which `Duration` holds; `f64` does not
    /// always (16 significant digits).
    #[test]
    #[ignore = "parse_duration reads `131072.322032143m` as 7864339.321928581s (f64): reported"]
    fn fractional_durations_are_exact_to_the_nanosecond(
        whole in 0u64..=9_999_999_999,
        fraction in "[0-9]{9}",
        (unit, millis) in unit().prop_filter("no sub-nanosecond", |(_, m)| *m >= 1000),
    ) {
        let text = format!("{whole}.{fraction}{unit}");
        let nanos = (u128::from(whole) * 1_000_000_000 + fraction.parse::<u128>().unwrap()) * u128::from(millis / 1000);
        let exact = Duration::new((nanos / 1_000_000_000) as u64, (nanos % 1_000_000_000) as u32);
        prop_assert_eq!(parse_duration(&text), Ok(exact), "{}", text);
    }

    #[test]
    fn durations_beyond_what_duration_holds_are_refused(
        number in "[1-9][0-9]{23,400}",
        fraction in proptest::option::of("[0-9]{1,5}"),
        (unit, _) in unit(),
    ) {
        let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
        let text = format!("{number}{fraction}{unit}");
        prop_assert!(parse_duration(&text).is_err(), "{}", text);
    }

    #[test]
    fn durations_with_space_around_are_refused(
        number in "[0-9]{1,6}(\\.[0-9]{1,3})?",
        (unit, _) in unit(),
        before in proptest::option::of(whitespace()),
        after in proptest::option::of(whitespace()),
        inside in any::<bool>(),
    ) {
        prop_assume!(before.is_some() || after.is_some() || (inside && !unit.is_empty()));
        let gap = if inside { " " } else { "" };
        let before = before.unwrap_or_default();
        let after = after.unwrap_or_default();
        let text = format!("{before}{number}{gap}{unit}{after}");
        prop_assert!(parse_duration(&text).is_err(), "{:?}", text);
    }

    #[test]
    fn durations_with_a_sign_an_exponent_or_an_empty_part_are_refused(
        text in prop_oneof![
            ("[-+]", "[0-9]{1,6}(\\.[0-9]{1,3})?").prop_map(|(s, n)| format!("{s}{n}")),
            "[0-9]{1,6}(\\.[0-9]{1,3})?[eE][-+]?[0-9]{1,3}",
            "\\.[0-9]{1,6}",
            "[0-9]{1,6}\\.",
            "\\.",
            "[0-9]{1,3}\\.\\.[0-9]{1,3}",
            "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
            "inf|nan|NaN|infinity|0x10|1_000|١٢",
        ],
        (unit, _) in unit(),
    ) {
        let text = format!("{text}{unit}");
        prop_assert!(parse_duration(&text).is_err(), "{:?}", text);
    }

    #[test]
    fn durations_with_another_unit_are_refused(
        number in "[0-9]{1,6}(\\.[0-9]{1,3})?",
        unit in prop_oneof![
            "[a-zA-Zµ]{1,4}",
            select(&["us", "µs", "ns", "sec", "min", "hr", "w", "y", "S", "MS", "Ms", "mS", "H", "D"][..])
                .prop_map(str::to_owned),
        ],
    ) {
        prop_assume!(!in_duration_grammar(&format!("1{unit}")));
        let text = format!("{number}{unit}");
        prop_assert!(parse_duration(&text).is_err(), "{:?}", text);
    }

    /// Both directions at once over short text: taken exactly when in the grammar
    /// (short numbers always fit), and no panic on anything.
    #[test]
    fn a_duration_is_taken_exactly_when_it_is_in_the_grammar(
        text in text("[0-9.smhdMSeE +-]{0,8}"),
    ) {
        let short = text.len() <= 8;
        match parse_duration(&text) {
            Ok(_) => prop_assert!(in_duration_grammar(&text), "took {:?}", text),
            Err(_) => prop_assert!(!(short && in_duration_grammar(&text)), "refused {:?}", text),
        }
    }
}
