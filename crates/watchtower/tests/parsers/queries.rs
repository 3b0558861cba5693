//! Event-page cursors and query parameters.

use super::{config, text};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use watchtower::events::{
    DEFAULT_LIMIT, EventFilter, EventQuery, Level, Order, Position, STREAM_KEYS, checked_params,
};
use watchtower::time::Timestamp;

// ---- cursors: `-?[0-9]{1,15}\.[0-9]{1,18}` ----------------------------------

const MAX_CURSOR_MILLIS: i64 = 999_999_999_999_999;
const MAX_CURSOR_ID: i64 = 999_999_999_999_999_999;

fn in_cursor_grammar(text: &str) -> bool {
    let digits = |part: &str, most| {
        (1..=most).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    text.split_once('.').is_some_and(|(date, id)| {
        digits(date.strip_prefix('-').unwrap_or(date), 15) && digits(id, 18)
    })
}

/// Text shaped like a cursor, with every part varied around the grammar.
fn cursorish() -> impl Strategy<Value = String> {
    (
        select(&["", "", "-", "+", " ", "--", "0x"][..]),
        "[0-9]{0,17}",
        select(&[".", ".", "..", "", ",", ". ", " ."][..]),
        select(&["", "", "", "-", "+", " "][..]),
        "[0-9]{0,20}",
        select(&["", "", "", " ", ".", ".1", "\n", "\0"][..]),
    )
        .prop_map(|(sign, date, dot, id_sign, id, tail)| {
            format!("{sign}{date}{dot}{id_sign}{id}{tail}")
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn cursors_give_back_their_position(
        millis in -MAX_CURSOR_MILLIS..=MAX_CURSOR_MILLIS,
        id in 0..=MAX_CURSOR_ID,
    ) {
        let position = Position { date: Timestamp::from_millis(millis), id };
        let cursor = position.to_cursor();
        prop_assert!(in_cursor_grammar(&cursor), "{}", cursor);
        prop_assert_eq!(Position::from_cursor(&cursor), Ok(position));
    }

    /// Both directions at once, with the position read as the grammar says; a
    /// refusal always names the cursor.
    #[test]
    fn a_cursor_is_taken_exactly_when_it_is_in_the_grammar(
        text in prop_oneof![cursorish().boxed(), text("[-+0-9. ]{0,40}")],
    ) {
        match Position::from_cursor(&text) {
            Ok(position) => {
                prop_assert!(in_cursor_grammar(&text), "took {:?}", text);
                let (date, id) = text.split_once('.').unwrap();
                prop_assert_eq!(position.date.as_millis(), date.parse::<i64>().unwrap());
                prop_assert_eq!(position.id, id.parse::<i64>().unwrap());
            }
            Err(error) => {
                prop_assert!(!in_cursor_grammar(&text), "refused {:?}", text);
                prop_assert_eq!(error.field, "cursor");
            }
        }
    }
}

// ---- query parameters -------------------------------------------------------

/// Names some route takes.
const NAMES: [&str; 11] = [
    "service", "from", "to", "level", "message", "order", "cursor", "limit", "nextIn", "rid",
    "create",
];
/// What `GET /list-events` takes.
const LIST_KEYS: [&str; 8] = [
    "service", "from", "to", "level", "message", "order", "cursor", "limit",
];

/// Some allowed names, and some of those in any order, each with a value.
fn allowed_and_given() -> impl Strategy<Value = (Vec<&'static str>, Vec<(&'static str, String)>)> {
    subsequence(&NAMES[..], 0..=NAMES.len()).prop_flat_map(|allowed| {
        let given = subsequence(allowed.clone(), 0..=allowed.len())
            .prop_shuffle()
            .prop_flat_map(|keys| {
                let count = keys.len();
                (
                    Just(keys),
                    proptest::collection::vec(any::<String>(), count),
                )
            })
            .prop_map(|(keys, values)| keys.into_iter().zip(values).collect::<Vec<_>>());
        (Just(allowed), given)
    })
}

/// A name no route takes, often one a lenient parser would mistake for one it does.
fn unknown_name(allowed: Vec<&'static str>) -> impl Strategy<Value = String> {
    let near_misses = select(NAMES.to_vec()).prop_flat_map(|name| {
        select(vec![
            name.to_uppercase(),
            format!(" {name}"),
            format!("{name} "),
            format!("{name}\0"),
            format!("{name}[]"),
            format!("{name}="),
            name[..name.len() - 1].to_owned(),
            String::new(),
        ])
    });
    prop_oneof![any::<String>(), near_misses].prop_filter("a name the route takes", move |name| {
        !allowed.contains(&name.as_str())
    })
}

fn pairs<'a>(given: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    given
        .iter()
        .map(|(key, value)| (*key, value.as_str()))
        .collect()
}

/// A value of a `GET /list-events` parameter, in its grammar.
fn list_value(key: &'static str) -> BoxedStrategy<String> {
    match key {
        "service" => "[a-z][a-z0-9._-]{0,30}".boxed(),
        "from" | "to" => (0..=4_000_000_000i64).prop_map(|s| s.to_string()).boxed(),
        "level" => select(&["debug", "info", "warn", "warning", "error", "critical"][..])
            .prop_flat_map(|level| {
                proptest::collection::vec(any::<bool>(), level.len()).prop_map(move |upper| {
                    level
                        .chars()
                        .zip(upper)
                        .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c })
                        .collect()
                })
            })
            .boxed(),
        "message" => "[^\0]{0,40}".boxed(),
        "order" => select(&["asc", "desc", "ASC", "Desc", "aSc"][..])
            .prop_map(str::to_owned)
            .boxed(),
        "cursor" => (-MAX_CURSOR_MILLIS..=MAX_CURSOR_MILLIS, 0..=MAX_CURSOR_ID)
            .prop_map(|(millis, id)| format!("{millis}.{id}"))
            .boxed(),
        _ => (1..=10_000u32).prop_map(|n| n.to_string()).boxed(),
    }
}

fn list_params() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    subsequence(&LIST_KEYS[..], 0..=LIST_KEYS.len())
        .prop_shuffle()
        .prop_flat_map(|keys| {
            keys.into_iter()
                .map(|key| (Just(key), list_value(key)))
                .collect::<Vec<_>>()
        })
        .prop_map(|mut given| {
            // `from` after `to` breaks a rule, not the grammar: order the two.
            let at = |key| given.iter().position(|(k, _)| *k == key);
            if let (Some(from), Some(to)) = (at("from"), at("to")) {
                let (a, b): (i64, i64) =
                    (given[from].1.parse().unwrap(), given[to].1.parse().unwrap());
                given[from].1 = a.min(b).to_string();
                given[to].1 = a.max(b).to_string();
            }
            given
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn distinct_allowed_parameters_are_taken_with_their_values(
        (allowed, given) in allowed_and_given(),
    ) {
        prop_assert_eq!(checked_params(pairs(&given), &allowed), Ok(pairs(&given)));
    }

    #[test]
    fn a_parameter_given_twice_is_refused_naming_it(
        (allowed, given) in allowed_and_given().prop_filter("some parameter", |(_, g)| !g.is_empty()),
        which in any::<prop::sample::Index>(),
        place in any::<prop::sample::Index>(),
        value in any::<String>(),
    ) {
        let mut given = given;
        let first = which.index(given.len());
        let name = given[first].0;
        // Anywhere after the first: that is where the repetition is noticed.
        let at = first + 1 + place.index(given.len() - first);
        given.insert(at, (name, value));
        let error = checked_params(pairs(&given), &allowed).unwrap_err();
        prop_assert_eq!(error.field, name);
    }

    #[test]
    fn an_unknown_parameter_is_refused_as_the_query(
        ((allowed, given), unknown) in allowed_and_given()
            .prop_flat_map(|(allowed, given)| {
                let unknown = unknown_name(allowed.clone());
                (Just((allowed, given)), unknown)
            }),
        place in any::<prop::sample::Index>(),
        value in any::<String>(),
    ) {
        let mut pairs = pairs(&given);
        pairs.insert(place.index(pairs.len() + 1), (unknown.as_str(), value.as_str()));
        let error = checked_params(pairs, &allowed).unwrap_err();
        prop_assert_eq!(error.field, "query");
    }

    #[test]
    fn list_queries_take_every_parameter_in_its_grammar_in_any_order(
        given in list_params(),
    ) {
        let query = EventQuery::from_query(pairs(&given)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let value = |key| given.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str());
        let date = |key| value(key).map(|v| Timestamp::from_millis(v.parse::<i64>().unwrap() * 1000));
        prop_assert_eq!(query.filter.service.as_ref().map(|s| s.as_str()), value("service"));
        prop_assert_eq!(query.filter.from, date("from"));
        prop_assert_eq!(query.filter.to, date("to"));
        prop_assert_eq!(
            query.filter.min_level,
            value("level").map(|v| Level::parse("level", v).unwrap())
        );
        prop_assert_eq!(
            query.filter.message.as_deref(),
            value("message").filter(|m| !m.is_empty())
        );
        let order = match value("order").map(str::to_ascii_lowercase).as_deref() {
            Some("asc") => Order::Asc,
            _ => Order::Desc,
        };
        prop_assert_eq!(query.order, order);
        prop_assert_eq!(query.after, value("cursor").map(|c| Position::from_cursor(c).unwrap()));
        prop_assert_eq!(query.limit, value("limit").map_or(DEFAULT_LIMIT, |l| l.parse().unwrap()));
    }

    #[test]
    fn stream_filters_take_their_parameters_and_refuse_a_date_range(
        given in list_params(),
    ) {
        let result = EventFilter::from_query(pairs(&given), &STREAM_KEYS);
        match given.iter().find(|(key, _)| !STREAM_KEYS.contains(key)) {
            Some(_) => prop_assert_eq!(result.unwrap_err().field, "query"),
            None => prop_assert!(result.is_ok(), "{:?}", result),
        }
    }

    /// Whatever the names and values, the answer is a value or a refusal naming a
    /// field: never a panic.
    #[test]
    fn no_query_makes_a_parser_panic(
        given in proptest::collection::vec(
            (
                prop_oneof![select(&LIST_KEYS[..]).prop_map(str::to_owned), any::<String>()],
                prop_oneof![any::<String>(), "[-+0-9.:TZ eE]{0,24}", cursorish()],
            ),
            0..6,
        ),
    ) {
        let given: Vec<(&str, &str)> = given.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let fields: Vec<&str> = LIST_KEYS.iter().copied().chain(["query"]).collect();
        if let Err(error) = EventQuery::from_query(given.iter().copied()) {
            prop_assert!(fields.contains(&error.field), "{}", error);
        }
        if let Err(error) = EventFilter::from_query(given.iter().copied(), &STREAM_KEYS) {
            prop_assert!(fields.contains(&error.field), "{}", error);
        }
        if let Err(error) = checked_params(given.iter().copied(), &NAMES) {
            prop_assert!(fields.contains(&error.field) || NAMES.contains(&error.field), "{}", error);
        }
    }
}
