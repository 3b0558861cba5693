//! One attribute's value read straight from the stored canonical JSON, for
//! filters that check many stored events (SQLite's `wt_attribute`): the names
//! are compared as they stand in the text and the other values skipped, so that
//! nothing is allocated for an event that lacks the name or does not match.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

/// The value of attribute `name` in `json` (an event's stored attributes), as a
/// filter compares it ([`super::AttributeValue::text`]); `None` when absent.
pub fn stored_value<'a>(
    json: &'a str,
    name: &str,
) -> Result<Option<Cow<'a, str>>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let found = deserializer.deserialize_map(Lookup { name })?;
    deserializer.end()?;
    Ok(found)
}

struct Lookup<'n> {
    name: &'n str,
}

impl<'de> Visitor<'de> for Lookup<'_> {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an object of attributes")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(Text(name)) = map.next_key()? {
            if found.is_none() && name == self.name {
                found = Some(map.next_value::<Text>()?.0);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// A name, or a scalar value in its filter text: borrowed from the JSON unless
/// it holds an escape or is a number.
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a string, a number or a boolean")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Borrowed(text)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(text.to_owned())))
    }

    fn visit_bool<E: de::Error>(self, flag: bool) -> Result<Self::Value, E> {
        Ok(Text(Cow::Borrowed(if flag { "true" } else { "false" })))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(
            serde_json::Number::from(number).to_string(),
        )))
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(
            serde_json::Number::from(number).to_string(),
        )))
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Self::Value, E> {
        serde_json::Number::from_f64(number)
            .map(|number| Text(Cow::Owned(number.to_string())))
            .ok_or_else(|| E::custom("attribute numbers are finite"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Attributes;
    use serde_json::json;

    #[test]
    fn a_stored_value_reads_as_the_parsed_attributes_compare_it() {
        let object = json!({
            "host": "web-1", "code": 503, "neg": -4, "ratio": 0.12469213324939443,
            "big": 1e300, "ok": false, "quoted \"name\"": "a\\b \"c\" \u{e9}",
            "decoy": "\"host\":\"web-2\"",
        });
        let serde_json::Value::Object(object) = object else {
            unreachable!()
        };
        let attributes = Attributes::parse(object).unwrap();
        let json = attributes.to_json().unwrap();
        for (name, value) in attributes.iter() {
            let read = stored_value(&json, name).unwrap();
            assert_eq!(read.as_deref(), Some(&*value.text()), "{name} in {json}");
        }
        assert_eq!(stored_value(&json, "absent").unwrap(), None);
        assert_eq!(stored_value(&json, "hos").unwrap(), None);
        assert!(matches!(
            stored_value(&json, "host").unwrap(),
            Some(Cow::Borrowed("web-1"))
        ));
        assert!(stored_value("{\"a\":[1]}", "a").is_err());
        assert!(stored_value("{\"a\":1} x", "a").is_err());
        assert_eq!(stored_value("{}", "a").unwrap(), None);
    }
}
