//! Extractors whose rejections come back in the API's error shape, naming the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON body, parsed whatever the Content-Type says: the protocol has one body
/// format, and clients (and `curl -d`) label it inconsistently.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let (_, bytes) = read_body(request, state).await?;
        if first_byte(&bytes) != Some(b'{') {
            return Err(ApiError::Invalid("body: must be a JSON object".into()));
        }
        Ok(Self(parse_json(&bytes, "body", "", trailing_body)?))
    }
}

/// Many items at once: a JSON array, or NDJSON (one JSON object a line) when the
/// Content-Type is `application/x-ndjson`. Errors name the first bad item by its
/// index: `events[3].level: …`.
pub struct JsonItems<T>(pub Vec<T>);

/// What errors call the items.
const ITEMS: &str = "events";

impl<S, T> FromRequest<S> for JsonItems<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let (content_type, bytes) = read_body(request, state).await?;
        if content_type.is_some_and(|c| c.starts_with("application/x-ndjson")) {
            let lines = bytes
                .split(|byte| *byte == b'\n')
                .filter(|line| first_byte(line).is_some());
            let items = lines
                .enumerate()
                .map(|(index, line)| {
                    let at = format!("{ITEMS}[{index}]");
                    if first_byte(line) != Some(b'{') {
                        return Err(ApiError::Invalid(format!("{at}: must be a JSON object")));
                    }
                    parse_json(line, "body", &at, || {
                        format!(
                            "{at}: trailing characters after the JSON object (NDJSON takes one object a line)"
                        )
                    })
                })
                .collect::<Result<_, _>>()?;
            return Ok(Self(items));
        }
        if first_byte(&bytes) != Some(b'[') {
            return Err(ApiError::Invalid(format!(
                "body: must be a JSON array of {ITEMS}, or NDJSON with Content-Type: application/x-ndjson"
            )));
        }
        Ok(Self(parse_json(&bytes, "body", ITEMS, trailing_body)?))
    }
}

fn first_byte(bytes: &[u8]) -> Option<u8> {
    bytes
        .iter()
        .copied()
        .find(|byte| !byte.is_ascii_whitespace())
}

/// The body and its Content-Type, within the configured limit.
pub(super) async fn read_body<S: Send + Sync>(
    request: Request,
    state: &S,
) -> Result<(Option<String>, Bytes), ApiError> {
    let limit = request
        .extensions()
        .get::<BodyLimit>()
        .map(|limit| limit.0)
        .unwrap_or_default();
    let content_type = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_ascii_lowercase);
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(limit)
            } else {
                ApiError::Invalid(format!("body: {}", rejection.body_text()))
            }
        })?;
    Ok((content_type, bytes))
}

/// What data after a JSON body gets.
fn trailing_body() -> String {
    "body: trailing characters after the JSON body".into()
}

/// Parses `bytes`, which must hold one JSON value and nothing after it but
/// whitespace (else the error is `trailing()`): a bad value is reported at
/// `prefix` followed by its path inside (`events[2].level`), a syntax error at
/// `whole` (`body: invalid JSON: …`).
fn parse_json<T: DeserializeOwned>(
    bytes: &[u8],
    whole: &str,
    prefix: &str,
    trailing: impl FnOnce() -> String,
) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| described(error, whole, prefix))?;
    // Data after the value would otherwise be ignored: `{…}{"service":"other"}`
    // would apply the first object and drop the second without a word.
    deserializer
        .end()
        .map_err(|_| ApiError::Invalid(trailing()))?;
    Ok(value)
}

/// A value that did not fit `T`, at its path inside the body (see [`parse_json`]).
fn described(
    error: serde_path_to_error::Error<serde_json::Error>,
    whole: &str,
    prefix: &str,
) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    let at = if prefix.is_empty() { whole } else { prefix };
    if inner.is_syntax() || inner.is_eof() {
        return ApiError::Invalid(format!("{at}: invalid JSON: {inner}"));
    }
    // The position adds nothing once the field is named.
    let message = inner.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .replace("f64", "a number");
    let field = match (path.as_str(), prefix) {
        (".", "") => whole.to_owned(),
        (".", prefix) => prefix.to_owned(),
        (path, "") => path.to_owned(),
        (path, prefix) if path.starts_with('[') => format!("{prefix}{path}"),
        (path, prefix) => format!("{prefix}.{path}"),
    };
    ApiError::Invalid(format!("{field}: {message}"))
}

/// A body that may be left empty: `None` then, else the JSON object it holds.
pub fn optional_object(
    bytes: &[u8],
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, ApiError> {
    match first_byte(bytes) {
        None => Ok(None),
        Some(b'{') => parse_json(bytes, "body", "", trailing_body).map(Some),
        Some(_) => Err(ApiError::Invalid(
            "body: must be a JSON object, or empty".into(),
        )),
    }
}

/// Reads `T` off a JSON object already parsed, errors named as [`JsonBody`]'s.
pub fn from_object<T: DeserializeOwned>(
    object: serde_json::Map<String, serde_json::Value>,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(serde_json::Value::Object(object))
        .map_err(|error| described(error, "body", ""))
}

/// The configured body limit, put in each request's extensions so that errors can quote it.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A raw body (a ping's), within the configured limit: over it, the JSON `413`
/// that every other body gets.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let (_, bytes) = read_body(request, state).await?;
        Ok(Self(bytes))
    }
}

/// The raw query string's pairs, decoded. A name or value whose percent-encoded
/// bytes are not UTF-8 is refused, naming it, rather than mended with U+FFFD.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let pairs = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                let key = decode(key).ok_or_else(|| {
                    ApiError::Invalid("query: a parameter's name is not UTF-8 text".into())
                })?;
                let value = decode(value).ok_or_else(|| {
                    ApiError::Invalid(format!("{key}: must be UTF-8 text (percent-encoded)"))
                })?;
                Ok((key, value))
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(Self(pairs))
    }
}

/// Decodes one `application/x-www-form-urlencoded` name or value (`+` is a space,
/// `%XX` a byte); `None` when the bytes are not UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    let hex = |digit: &u8| char::from(*digit).to_digit(16);
    while at < bytes.len() {
        let escaped = match bytes.get(at..at + 3) {
            Some([b'%', high, low]) => hex(high).zip(hex(low)).map(|(high, low)| high * 16 + low),
            _ => None,
        };
        match (escaped.and_then(|byte| u8::try_from(byte).ok()), bytes[at]) {
            (Some(byte), _) => {
                decoded.push(byte);
                at += 3;
            }
            (None, byte) => {
                decoded.push(if byte == b'+' { b' ' } else { byte });
                at += 1;
            }
        }
    }
    String::from_utf8(decoded).ok()
}

/// A route's query parameters: each one it takes, at most once (the rule of
/// `/list-events`, [`crate::events::checked_params`]).
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    pub fn parse(pairs: &[(String, String)], allowed: &[&'static str]) -> Result<Self, ApiError> {
        let pairs = pairs
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()));
        let checked = crate::events::checked_params(pairs, allowed)?;
        Ok(Self(
            checked
                .into_iter()
                .map(|(key, value)| (key, value.to_owned()))
                .collect(),
        ))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// For routes that take no query parameters: any is refused, as an unknown one is.
pub struct NoQuery;

impl<S: Send + Sync> FromRequestParts<S> for NoQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let QueryPairs(pairs) = QueryPairs::from_request_parts(parts, state).await?;
        Params::parse(&pairs, &[])?;
        Ok(Self)
    }
}

/// A field that may be absent (`#[serde(default)]`) but not `null`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    match <serde_json::Value as serde::Deserialize>::deserialize(deserializer)? {
        serde_json::Value::Null => Err(serde::de::Error::custom(
            "null is not a value here: leave the field out",
        )),
        value => T::deserialize(value)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// A duration given as seconds (a JSON number, zero or more) or as text such as
/// `30m` ([`crate::time::parse_duration`]'s grammar).
pub fn seconds_or_duration(
    field: &'static str,
    value: &serde_json::Value,
) -> Result<std::time::Duration, crate::field::InvalidField> {
    use crate::field::InvalidField;
    match value {
        serde_json::Value::Number(number) => number
            .as_f64()
            .filter(|seconds| *seconds >= 0.0)
            .and_then(|seconds| std::time::Duration::try_from_secs_f64(seconds).ok())
            .ok_or_else(|| {
                InvalidField::new(
                    field,
                    format!("`{number}` is not a number of seconds in range"),
                )
            }),
        serde_json::Value::String(text) => crate::time::parse_duration_field(field, text),
        _ => Err(InvalidField::new(
            field,
            "must be seconds or text such as 30m",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_text_decodes_as_forms_do_but_refuses_what_is_not_utf8() {
        let cases = [
            ("a+b%20c", Some("a b c")),
            ("caf%C3%A9", Some("café")),
            ("100%", Some("100%")),
            ("%zz%4", Some("%zz%4")),
            ("%+1", Some("% 1")),
            ("%2B", Some("+")),
            ("caf%E9", None),
            ("%FF", None),
        ];
        for (text, decoded) in cases {
            assert_eq!(decode(text).as_deref(), decoded, "{text}");
        }
    }

    /// Decoding over any text a client may send.
    mod properties {
        use axum::extract::FromRequestParts;
        use proptest::prelude::*;

        use super::super::{QueryPairs, decode};

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 512,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            /// What a client's form encoder writes comes back as it was.
            #[test]
            fn encoded_text_decodes_to_itself(text in any::<String>()) {
                let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
                prop_assert_eq!(decode(&encoded), Some(text));
            }

            /// Raw text decodes as `form_urlencoded` reads it, except for bytes that
            /// are not UTF-8: `form_urlencoded` mends them with U+FFFD, `decode`
            /// refuses them. No panic on anything.
            #[test]
            fn raw_text_decodes_as_forms_do(
                text in prop_oneof![any::<String>(), "(%|\\+|%[0-9a-fA-F]{1,2}|[a-z ]|.){0,12}"],
            ) {
                // One name, as the extractor hands it to `decode`.
                let text: String = text.chars().filter(|c| !matches!(c, '&' | '=')).collect();
                let mended = form_urlencoded::parse(text.as_bytes())
                    .next()
                    .map(|(name, _)| name.into_owned())
                    .unwrap_or_default();
                match decode(&text) {
                    Some(decoded) => prop_assert_eq!(decoded, mended),
                    None => prop_assert!(mended.contains('\u{FFFD}'), "{:?}", text),
                }
            }

            /// A whole query string, as a client's form encoder writes it, gives back
            /// its pairs in order.
            #[test]
            fn encoded_queries_give_back_their_pairs(
                pairs in proptest::collection::vec((any::<String>(), any::<String>()), 0..5),
            ) {
                let query = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&pairs)
                    .finish();
                let request = axum::http::Request::builder()
                    .uri(format!("/ping/key/service?{query}"))
                    .body(())
                    .unwrap();
                let (mut parts, ()) = request.into_parts();
                let read = QueryPairs::from_request_parts(&mut parts, &());
                let QueryPairs(decoded) = futures::executor::block_on(read)
                    .map_err(|error| TestCaseError::fail(error.to_string()))?;
                prop_assert_eq!(decoded, pairs);
            }
        }
    }
}
