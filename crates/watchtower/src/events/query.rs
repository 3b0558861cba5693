//! Which events to read: the filters every event endpoint shares, and the order,
//! position and size of one page of `GET /list-events`.

use super::attributes::AttributeFilter;
use super::{DEFAULT_LIMIT, Level, MAX_ATTRIBUTES, MAX_LIMIT, reject_nul};
use crate::field::InvalidField;
use crate::monitor::ServiceName;
use crate::time::Timestamp;

/// The filters, as query parameters.
pub const FILTER_KEYS: [&str; 5] = ["service", "from", "to", "level", "message"];
/// What the live tail takes: a date range makes no sense for events yet to come.
pub const STREAM_KEYS: [&str; 3] = ["service", "level", "message"];
const PAGE_KEYS: [&str; 3] = ["order", "cursor", "limit"];

/// What an event must match; every filter is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventFilter {
    pub service: Option<ServiceName>,
    /// Only services whose names start with it: an API key's prefix, never a
    /// query parameter.
    pub service_prefix: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub min_level: Option<Level>,
    /// Matched case-insensitively anywhere in the message.
    pub message: Option<String>,
    /// `attr.KEY=VALUE` parameters: every one must match.
    pub attributes: Vec<AttributeFilter>,
}

/// Pages run by date, then by id among events of the same millisecond.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    Asc,
    /// Newest first.
    #[default]
    Desc,
}

/// Where a page ends: the next page starts strictly after this event, in the
/// query's order. Events stored later never move an earlier event's position, so
/// following positions visits every match exactly once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub date: Timestamp,
    pub id: i64,
}

/// One page of events.
#[derive(Clone, Debug, PartialEq)]
pub struct EventQuery {
    pub filter: EventFilter,
    pub order: Order,
    pub after: Option<Position>,
    pub limit: u32,
}

impl Default for EventQuery {
    fn default() -> Self {
        Self {
            filter: EventFilter::default(),
            order: Order::Desc,
            after: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// Checks query parameters against the `allowed` names, refusing unknown and
/// repeated ones, and returns them keyed by their static names. Every route's
/// query goes through it (`http::extract::Params`): a parameter given twice, or
/// one the route does not take, is a mistake to report, not to guess at.
pub fn checked_params<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    allowed: &[&'static str],
) -> Result<Vec<(&'static str, &'a str)>, InvalidField> {
    let mut checked: Vec<(&'static str, &'a str)> = Vec::new();
    for (key, value) in pairs {
        let Some(field) = allowed.iter().copied().find(|name| *name == key) else {
            let expected = match allowed {
                [] => "this path takes none".to_owned(),
                _ => format!("expected {}", allowed.join(", ")),
            };
            return Err(InvalidField::new(
                "query",
                format!("unknown parameter `{key}` ({expected})"),
            ));
        };
        if checked.iter().any(|(seen, _)| *seen == field) {
            return Err(InvalidField::new(field, "given more than once"));
        }
        checked.push((field, value));
    }
    Ok(checked)
}

/// Query parameters split into attribute filters and the other pairs.
pub type SplitParams<'a> = (Vec<AttributeFilter>, Vec<(&'a str, &'a str)>);

/// Takes the `attr.KEY=VALUE` parameters out of `pairs`: each name once, at most
/// [`MAX_ATTRIBUTES`] of them. The rest go on to [`checked_params`].
pub fn attribute_params<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<SplitParams<'a>, InvalidField> {
    let mut filters: Vec<AttributeFilter> = Vec::new();
    let mut rest = Vec::new();
    for (key, value) in pairs {
        let Some(filter) = AttributeFilter::from_param(key, value) else {
            rest.push((key, value));
            continue;
        };
        let filter = filter?;
        if filters.iter().any(|seen| seen.key == filter.key) {
            return Err(InvalidField::new(
                "query",
                format!("`{key}` given more than once"),
            ));
        }
        if filters.len() == MAX_ATTRIBUTES {
            return Err(InvalidField::new(
                "query",
                format!("at most {MAX_ATTRIBUTES} attr.* filters"),
            ));
        }
        filters.push(filter);
    }
    Ok((filters, rest))
}

impl EventFilter {
    /// Builds a filter from query parameters, allowing `allowed` and `attr.*` only.
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        allowed: &[&'static str],
    ) -> Result<Self, InvalidField> {
        let (attributes, pairs) = attribute_params(pairs)?;
        let mut filter = Self {
            attributes,
            ..Self::default()
        };
        for (field, value) in checked_params(pairs, allowed)? {
            filter.set(field, value)?;
        }
        filter.check_range()?;
        Ok(filter)
    }

    /// Applies one filter parameter; `false` when `field` is not a filter.
    pub fn set(&mut self, field: &'static str, value: &str) -> Result<bool, InvalidField> {
        let date = |value: &str| Timestamp::parse_date(field, value);
        match field {
            "service" => self.service = Some(ServiceName::parse(field, value)?),
            "from" => self.from = Some(date(value)?),
            "to" => self.to = Some(date(value)?),
            "level" => self.min_level = Some(Level::parse(field, value)?),
            "message" => {
                reject_nul(field, value)?;
                self.message = Some(value.to_owned()).filter(|text| !text.is_empty());
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub fn check_range(&self) -> Result<(), InvalidField> {
        match (self.from, self.to) {
            (Some(from), Some(to)) if from > to => {
                Err(InvalidField::rule("from", "must not be after `to`"))
            }
            _ => Ok(()),
        }
    }

    /// Whether `event` passes every filter (the live tail's check; the stores
    /// apply the same rules in their queries).
    pub fn matches(&self, event: &super::Event, folded_message: Option<&str>) -> bool {
        self.service.as_ref().is_none_or(|s| *s == event.service)
            && (self.service_prefix.as_deref())
                .is_none_or(|prefix| event.service.as_str().starts_with(prefix))
            && self.from.is_none_or(|from| event.date >= from)
            && self.to.is_none_or(|to| event.date <= to)
            && self.min_level.is_none_or(|level| event.level >= level)
            && folded_message.is_none_or(|needle| event.message.to_lowercase().contains(needle))
            && event.attributes.matches(&self.attributes)
    }
}

impl EventQuery {
    /// Builds a page query from the parameters of `GET /list-events`.
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, InvalidField> {
        let allowed: Vec<&'static str> = FILTER_KEYS.iter().chain(&PAGE_KEYS).copied().collect();
        let (attributes, pairs) = attribute_params(pairs)?;
        let params = checked_params(pairs, &allowed)?;
        let mut query = Self::default();
        query.filter.attributes = attributes;
        let mut cursor = None;
        for (field, value) in params {
            if query.filter.set(field, value)? {
                continue;
            }
            match field {
                "order" => query.order = Order::parse(value)?,
                "cursor" => cursor = Some(value),
                _ => query.limit = parse_limit(value)?,
            }
        }
        query.filter.check_range()?;
        query.after = cursor.map(Position::from_cursor).transpose()?;
        Ok(query)
    }
}

fn parse_limit(value: &str) -> Result<u32, InvalidField> {
    value
        .parse::<u32>()
        .ok()
        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
        .ok_or_else(|| {
            InvalidField::new(
                "limit",
                format!("must be a whole number from 1 to {MAX_LIMIT}"),
            )
        })
}

impl Order {
    fn parse(value: &str) -> Result<Self, InvalidField> {
        match value.to_ascii_lowercase().as_str() {
            "asc" => Ok(Self::Asc),
            "desc" => Ok(Self::Desc),
            _ => Err(InvalidField::new(
                "order",
                format!("`{value}` is not asc or desc"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

impl Position {
    pub fn of(event: &super::Event) -> Self {
        Self {
            date: event.date,
            id: event.id,
        }
    }

    /// The cursor naming this position: `<epoch milliseconds>.<id>`. It holds no
    /// order: the page after it runs in the order its query asks.
    pub fn to_cursor(self) -> String {
        format!("{}.{}", self.date.as_millis(), self.id)
    }

    /// Reads a cursor: up to 15 digits of milliseconds (a sign allowed), a dot,
    /// up to 18 digits of id; the grammar the API document states.
    pub fn from_cursor(cursor: &str) -> Result<Self, InvalidField> {
        let invalid = || {
            InvalidField::new(
                "cursor",
                "is not a cursor: <epoch milliseconds>.<id>, as a Link header gives",
            )
        };
        let (date, id) = cursor.split_once('.').ok_or_else(invalid)?;
        let digits = |text: &str, most: usize| {
            (1..=most).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(date.strip_prefix('-').unwrap_or(date), 15) || !digits(id, 18) {
            return Err(invalid());
        }
        Ok(Self {
            date: Timestamp::from_millis(date.parse().map_err(|_| invalid())?),
            id: id.parse().map_err(|_| invalid())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_every_parameter() {
        let cursor = Position {
            date: Timestamp::from_millis(7),
            id: 9,
        }
        .to_cursor();
        assert_eq!(cursor, "7.9");
        let query = EventQuery::from_query([
            ("service", "db"),
            ("from", "1700000000"),
            ("to", "2023-11-15T00:00:00Z"),
            ("level", "warn"),
            ("message", "disk"),
            ("limit", "5"),
            ("order", "ASC"),
            ("cursor", &cursor),
            ("attr.host", "web-1"),
            ("attr.code", "200"),
        ])
        .unwrap();
        let attributes: Vec<(&str, &str)> = (query.filter.attributes.iter())
            .map(|f| (f.key.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(attributes, [("host", "web-1"), ("code", "200")]);
        assert_eq!(query.filter.service.unwrap().as_str(), "db");
        let from = Some(Timestamp::from_millis(1_700_000_000_000));
        assert_eq!(query.filter.from, from);
        assert_eq!(query.filter.min_level, Some(Level::Warning));
        assert_eq!(query.filter.message.as_deref(), Some("disk"));
        assert_eq!(query.limit, 5);
        assert_eq!(query.order, Order::Asc);
        let after = Position {
            date: Timestamp::from_millis(7),
            id: 9,
        };
        assert_eq!(query.after, Some(after));
    }

    #[test]
    fn queries_reject_bad_parameters_naming_them() {
        let cases: [(&[(&str, &str)], &str); 13] = [
            (&[("attr.a", "1"), ("attr.a", "2")], "query"),
            (&[("attr.", "1")], "query"),
            (&[("limit", "0")], "limit"),
            (&[("limit", "10001")], "limit"),
            (&[("level", "loud")], "level"),
            (&[("from", "soon")], "from"),
            (&[("colour", "red")], "query"),
            (&[("service", "a"), ("service", "b")], "service"),
            (&[("order", "up")], "order"),
            (&[("cursor", "bm9wZQ")], "cursor"),
            (&[("cursor", "1.")], "cursor"),
            (&[("cursor", "+1.2")], "cursor"),
            (&[("cursor", "1.1234567890123456789")], "cursor"),
        ];
        for (pairs, field) in cases {
            let error = EventQuery::from_query(pairs.iter().copied()).unwrap_err();
            assert_eq!(error.field, field, "{pairs:?}");
        }
        let reversed = EventQuery::from_query([("from", "2000"), ("to", "1000")]).unwrap_err();
        assert_eq!(reversed.field, "from");
    }

    #[test]
    fn a_path_that_takes_no_parameters_says_so() {
        let error = checked_params([("x", "1")], &[]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "query: unknown parameter `x` (this path takes none)"
        );
        assert_eq!(checked_params([], &[]).unwrap(), vec![]);
    }

    #[test]
    fn the_stream_takes_no_date_range() {
        let error = EventFilter::from_query([("from", "1")], &STREAM_KEYS).unwrap_err();
        assert_eq!(error.field, "query");
        assert!(error.problem.contains("service, level, message"));
    }
}
