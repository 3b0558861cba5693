//! Property tests of the parsers that take client bytes: durations, query dates,
//! event-page cursors and query parameters. Each property pins a parser to the
//! grammar the API document states, in both directions (everything in it is taken
//! with the right value, everything outside it is refused), and none may panic.
#![allow(clippy::unwrap_used)]

mod dates;
mod durations;
mod queries;

use proptest::prelude::*;

/// Enough cases to find a slip, few enough to keep the suite fast; no regression
/// files written beside the sources.
pub fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any text, mixed with text made of the characters each grammar uses, so that
/// near misses (and hits) turn up far more often than in random Unicode.
pub fn text(alphabet: &'static str) -> BoxedStrategy<String> {
    prop_oneof![any::<String>(), alphabet].boxed()
}

/// Whitespace that a lenient parser would trim.
pub fn whitespace() -> impl Strategy<Value = String> {
    "[ \t\r\n\u{a0}\u{2003}\u{feff}]{1,3}"
}

/// `[0-9]+(\.[0-9]+)?`
pub fn is_decimal(text: &str) -> bool {
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(text),
    }
}
