//! Structured attributes: names to strings, numbers or booleans, carried by an
//! event and matched by `attr.NAME=VALUE` filters.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// An event's attributes, sorted by name (empty when it has none).
pub type Attributes = BTreeMap<String, AttributeValue>;

/// An attribute's value.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum AttributeValue {
    Bool(bool),
    Number(serde_json::Number),
    Text(String),
}

impl AttributeValue {
    /// Reads a value typed on a command line: `true` and `false` are booleans, a
    /// number written as JSON writes it (`503`, `0.25`) a number, anything else
    /// (`007`, `1e3`, `web-1`) text, so that what was typed is what is stored.
    pub fn infer(text: &str) -> Self {
        match text {
            "true" => Self::Bool(true),
            "false" => Self::Bool(false),
            _ => match serde_json::from_str::<serde_json::Number>(text) {
                Ok(number) if number.to_string() == text => Self::Number(number),
                _ => Self::Text(text.to_owned()),
            },
        }
    }
}

/// The value as a filter compares it: text as it is, a number in its JSON form,
/// a boolean as `true` or `false`.
impl fmt::Display for AttributeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(flag) => write!(f, "{flag}"),
            Self::Number(number) => write!(f, "{number}"),
            Self::Text(text) => f.write_str(text),
        }
    }
}

impl From<&str> for AttributeValue {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for AttributeValue {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<bool> for AttributeValue {
    fn from(flag: bool) -> Self {
        Self::Bool(flag)
    }
}

impl From<i64> for AttributeValue {
    fn from(number: i64) -> Self {
        Self::Number(number.into())
    }
}

impl From<u64> for AttributeValue {
    fn from(number: u64) -> Self {
        Self::Number(number.into())
    }
}

impl From<i32> for AttributeValue {
    fn from(number: i32) -> Self {
        Self::Number(number.into())
    }
}

/// A non-finite number has no JSON form: it becomes the text `NaN`, `inf` or `-inf`.
impl From<f64> for AttributeValue {
    fn from(number: f64) -> Self {
        serde_json::Number::from_f64(number)
            .map_or_else(|| Self::Text(number.to_string()), Self::Number)
    }
}

/// Parses `NAME=VALUE`, as `watchtower event … --attr` and `watchtower events
/// --attr` take it: the name is what comes before the first `=`.
pub fn parse_assignment(text: &str) -> Result<(String, AttributeValue), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => {
            Ok((name.to_owned(), AttributeValue::infer(value)))
        }
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_keep_what_was_typed() {
        let cases = [
            ("true", AttributeValue::Bool(true)),
            ("503", AttributeValue::from(503)),
            ("0.25", AttributeValue::from(0.25)),
            ("-4", AttributeValue::from(-4)),
            ("007", AttributeValue::from("007")),
            ("1e3", AttributeValue::from("1e3")),
            ("web-1", AttributeValue::from("web-1")),
            ("", AttributeValue::from("")),
        ];
        for (text, value) in cases {
            assert_eq!(AttributeValue::infer(text), value, "{text}");
            assert_eq!(value.to_string(), text);
        }
    }

    #[test]
    fn assignments_split_at_the_first_equals_sign() {
        assert_eq!(
            parse_assignment("query=a=b").unwrap(),
            ("query".to_owned(), AttributeValue::from("a=b"))
        );
        assert!(parse_assignment("=x").is_err());
        assert!(parse_assignment("novalue").is_err());
    }
}
