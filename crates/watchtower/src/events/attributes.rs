//! Structured attributes: string keys to strings, numbers or booleans, carried by
//! an event beside its message, and the `attr.KEY=VALUE` filters that match them.
//!
//! Attributes are stored as their canonical JSON (keys sorted, numbers as serde
//! writes them), so that every backend and the live tail compare the same text.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::reject_nul;
use crate::field::InvalidField;

/// The most attributes one event may carry.
pub const MAX_ATTRIBUTES: usize = 32;
/// The most bytes an event's attributes may take, as canonical JSON.
pub const MAX_ATTRIBUTES_BYTES: usize = 4096;
/// The longest attribute name, in characters.
pub const MAX_KEY_CHARS: usize = 128;
/// Query parameters that filter by an attribute start with it: `attr.host=web-1`.
pub const FILTER_PREFIX: &str = "attr.";

/// An attribute's value: JSON's scalars but `null`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AttributeValue {
    Bool(bool),
    #[schema(value_type = f64)]
    Number(serde_json::Number),
    Text(String),
}

impl AttributeValue {
    /// The value as a filter compares it: a string as it is, a number in its JSON
    /// form, a boolean as `true` or `false`.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Self::Bool(flag) => Cow::Borrowed(if *flag { "true" } else { "false" }),
            Self::Number(number) => Cow::Owned(number.to_string()),
            Self::Text(text) => Cow::Borrowed(text),
        }
    }
}

/// An event's attributes, sorted by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(example = json!({"host": "web-1", "attempt": 3, "dry_run": false}))]
pub struct Attributes(BTreeMap<String, AttributeValue>);

impl Attributes {
    /// Checks attributes as a client sent them: at most [`MAX_ATTRIBUTES`] names
    /// of 1 to [`MAX_KEY_CHARS`] characters (no control characters), values that are strings, finite numbers or
    /// booleans, [`MAX_ATTRIBUTES_BYTES`] in all.
    pub fn parse(object: serde_json::Map<String, serde_json::Value>) -> Result<Self, InvalidField> {
        if object.len() > MAX_ATTRIBUTES {
            return Err(InvalidField::new(
                "attributes",
                format!("at most {MAX_ATTRIBUTES} names, got {}", object.len()),
            ));
        }
        let mut attributes = BTreeMap::new();
        for (key, value) in object {
            check_key("attributes", &key)?;
            let value = match value {
                serde_json::Value::Bool(flag) => AttributeValue::Bool(flag),
                serde_json::Value::Number(number) => AttributeValue::Number(number),
                serde_json::Value::String(text) => {
                    reject_nul("attributes", &text)?;
                    AttributeValue::Text(text)
                }
                _ => {
                    return Err(InvalidField::new(
                        "attributes",
                        format!("`{key}` must be a string, a number or a boolean"),
                    ));
                }
            };
            attributes.insert(key, value);
        }
        let attributes = Self(attributes);
        let size = attributes.to_json().map_or(0, |json| json.len());
        if size > MAX_ATTRIBUTES_BYTES {
            // A rule, not the grammar: the API document can bound names and
            // values, not what they come to together.
            return Err(InvalidField::rule(
                "attributes",
                format!("must come to at most {MAX_ATTRIBUTES_BYTES} bytes as JSON, got {size}"),
            ));
        }
        Ok(attributes)
    }

    /// Builds attributes from pairs already known to be valid (a sender that
    /// bounds them itself), dropping what passes the bounds rather than refusing.
    pub fn bounded(pairs: impl IntoIterator<Item = (String, AttributeValue)>) -> Self {
        let mut attributes = Self::default();
        for (key, value) in pairs {
            if attributes.0.len() == MAX_ATTRIBUTES || check_key("attributes", &key).is_err() {
                continue;
            }
            attributes.0.insert(key.clone(), value);
            if attributes.to_json().map_or(0, |json| json.len()) > MAX_ATTRIBUTES_BYTES {
                attributes.0.remove(&key);
            }
        }
        attributes
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&AttributeValue> {
        self.0.get(key)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &AttributeValue)> {
        self.0.iter().map(|(key, value)| (key.as_str(), value))
    }

    /// The stored form: canonical JSON, or `None` when there are none.
    pub fn to_json(&self) -> Option<String> {
        (!self.is_empty()).then(|| serde_json::to_string(&self.0).unwrap_or_default())
    }

    /// Reads the stored form back.
    pub fn from_json(json: Option<&str>) -> Result<Self, serde_json::Error> {
        json.map_or(Ok(Self::default()), serde_json::from_str)
    }

    /// Whether every filter's name is present with the filter's value.
    pub fn matches(&self, filters: &[AttributeFilter]) -> bool {
        filters.iter().all(|filter| {
            self.get(&filter.key)
                .is_some_and(|value| value.text() == filter.value)
        })
    }
}

/// `attr.KEY=VALUE`: the event has attribute `KEY`, and its value, as text, is `VALUE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeFilter {
    pub key: String,
    pub value: String,
}

impl AttributeFilter {
    /// Reads a query parameter; `None` when its name does not start with `attr.`.
    pub fn from_param(name: &str, value: &str) -> Option<Result<Self, InvalidField>> {
        let key = name.strip_prefix(FILTER_PREFIX)?;
        Some(
            check_key("query", key)
                .and_then(|()| reject_nul("query", value))
                .map(|()| Self {
                    key: key.to_owned(),
                    value: value.to_owned(),
                }),
        )
    }
}

fn check_key(field: &'static str, key: &str) -> Result<(), InvalidField> {
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(InvalidField::new(
            field,
            format!("attribute names are 1 to {MAX_KEY_CHARS} characters, got `{key}`"),
        ));
    }
    if key.chars().any(char::is_control) {
        return Err(InvalidField::new(
            field,
            format!(
                "attribute name `{}` holds a control character",
                key.escape_debug()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: serde_json::Value) -> Result<Attributes, InvalidField> {
        let serde_json::Value::Object(object) = value else {
            panic!("not an object")
        };
        Attributes::parse(object)
    }

    #[test]
    fn attributes_keep_scalars_and_match_by_their_text() {
        let attributes =
            parse(json!({"host": "web-1", "code": 503, "ratio": 0.5, "ok": false})).unwrap();
        assert_eq!(
            attributes.to_json().unwrap(),
            r#"{"code":503,"host":"web-1","ok":false,"ratio":0.5}"#
        );
        let filter = |key: &str, value: &str| AttributeFilter {
            key: key.into(),
            value: value.into(),
        };
        assert!(attributes.matches(&[filter("host", "web-1"), filter("code", "503")]));
        assert!(attributes.matches(&[filter("ok", "false"), filter("ratio", "0.5")]));
        assert!(!attributes.matches(&[filter("host", "web-1"), filter("code", "500")]));
        assert!(!attributes.matches(&[filter("missing", "")]));
        assert!(attributes.matches(&[]));
        let back = Attributes::from_json(attributes.to_json().as_deref()).unwrap();
        assert_eq!(back, attributes);
        assert_eq!(Attributes::from_json(None).unwrap(), Attributes::default());
    }

    #[test]
    fn attributes_out_of_bounds_are_refused_naming_the_field() {
        let many: serde_json::Map<_, _> = (0..=MAX_ATTRIBUTES)
            .map(|i| (format!("k{i}"), json!(i)))
            .collect();
        let cases = [
            json!({"nested": {"a": 1}}),
            json!({"list": [1]}),
            json!({"nothing": null}),
            json!({"": "empty name"}),
            json!({"k".repeat(MAX_KEY_CHARS + 1): 1}),
            json!({"tab\tname": 1}),
            json!({"nul": "a\u{0}b"}),
            json!({"big": "x".repeat(MAX_ATTRIBUTES_BYTES)}),
            serde_json::Value::Object(many),
        ];
        for case in cases {
            let error = parse(case.clone()).unwrap_err();
            assert_eq!(error.field, "attributes", "{case}");
        }
    }

    #[test]
    fn bounded_attributes_drop_what_passes_the_bounds() {
        let pairs = (0..40).map(|i| (format!("k{i:02}"), AttributeValue::Bool(true)));
        assert_eq!(Attributes::bounded(pairs).iter().count(), MAX_ATTRIBUTES);
        let big = [
            ("a".to_owned(), AttributeValue::Text("x".repeat(5000))),
            ("b".to_owned(), AttributeValue::Bool(true)),
        ];
        let kept: Vec<_> = Attributes::bounded(big)
            .iter()
            .map(|(k, _)| k.to_owned())
            .collect();
        assert_eq!(kept, ["b"]);
    }

    #[test]
    fn filters_come_from_attr_parameters() {
        assert!(AttributeFilter::from_param("service", "x").is_none());
        let filter = AttributeFilter::from_param("attr.http.status", "200")
            .unwrap()
            .unwrap();
        assert_eq!(
            (filter.key.as_str(), filter.value.as_str()),
            ("http.status", "200")
        );
        let error = AttributeFilter::from_param("attr.", "1")
            .unwrap()
            .unwrap_err();
        assert_eq!(error.field, "query");
    }
}
