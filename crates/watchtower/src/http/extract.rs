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
        Ok(Self(parse_json(&bytes, "body", "")?))
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
                .map(|(index, line)| parse_json(line, "body", &format!("{ITEMS}[{index}]")))
                .collect::<Result<_, _>>()?;
            return Ok(Self(items));
        }
        if first_byte(&bytes) != Some(b'[') {
            return Err(ApiError::Invalid(format!(
                "body: must be a JSON array of {ITEMS}, or NDJSON with Content-Type: application/x-ndjson"
            )));
        }
        Ok(Self(parse_json(&bytes, "body", ITEMS)?))
    }
}

fn first_byte(bytes: &[u8]) -> Option<u8> {
    bytes
        .iter()
        .copied()
        .find(|byte| !byte.is_ascii_whitespace())
}

/// The body and its Content-Type, within the configured limit.
async fn read_body<S: Send + Sync>(
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

/// Parses `bytes`; a bad value is reported at `prefix` followed by its path inside
/// (`events[2].level`), a syntax error at `whole` (`body: invalid JSON: …`).
fn parse_json<T: DeserializeOwned>(bytes: &[u8], whole: &str, prefix: &str) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
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
    })
}

/// The configured body limit, put in each request's extensions so that errors can quote it.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// The raw query string's pairs, decoded.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        Ok(Self(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ))
    }
}
