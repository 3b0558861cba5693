//! Answers for what is refused before a handler runs — a head over the limit, a
//! body announced over it, and whatever axum itself rejects — in the API's error
//! shape, all in [`guard`], which the request's tracing layer runs: each layer
//! costs every request a boxed future and a clone of the service below it.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, ErrorBody};

/// The longest URI taken (`limits.maxHeaderBytes` if lower): under hyper's own
/// limit of 65,534 bytes, so that a long URI gets a JSON `414`.
const MAX_URI_BYTES: usize = 32 * 1024;

/// The bounds [`guard`] holds requests to.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub max_header_bytes: usize,
    pub max_body_bytes: usize,
    /// For `POST /add-events`.
    pub max_bulk_bytes: usize,
}

/// Refuses a head over the limit and a body announced over it, then answers any
/// error that is not JSON yet (see [`as_json`]) as JSON.
pub async fn guard(bounds: Bounds, request: Request, next: Next) -> Response {
    if let Some(refused) = refusal(&bounds, &request) {
        return refused.into_response();
    }
    as_json(next.run(request).await).await
}

fn refusal(bounds: &Bounds, request: &Request) -> Option<ApiError> {
    let max_body = match request.uri().path() {
        "/add-events" => bounds.max_bulk_bytes,
        _ => bounds.max_body_bytes,
    };
    oversized_head(bounds.max_header_bytes, request)
        .or_else(|| announced_overflow(max_body, request))
}

/// `414` for a URI over [`MAX_URI_BYTES`] (or `max` if lower) and `431` for a head
/// over `max` bytes, counted as sent without optional whitespace: `METHOD URI
/// HTTP/1.1`, each `name: value`, each line with its CRLF.
fn oversized_head(max: usize, request: &Request) -> Option<ApiError> {
    let uri_bytes = length_of(request.uri());
    let max_uri = max.min(MAX_URI_BYTES);
    if uri_bytes > max_uri {
        return Some(ApiError::UriTooLong(max_uri));
    }
    let request_line =
        request.method().as_str().len() + " ".len() + uri_bytes + " HTTP/1.1\r\n".len();
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + ": ".len() + value.len() + "\r\n".len())
        .sum();
    (request_line + headers + "\r\n".len() > max).then_some(ApiError::HeadTooLarge(max))
}

/// The length of a request's URI as sent: a path and query, or a whole URL.
fn length_of(uri: &axum::http::Uri) -> usize {
    let target = uri
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    let authority = uri
        .authority()
        .map_or(0, |authority| authority.as_str().len());
    let scheme = uri
        .scheme_str()
        .map_or(0, |scheme| scheme.len() + "://".len());
    scheme + authority + target
}

/// A request that announces a body over `max` bytes and waits for `100 Continue`
/// before sending it (`Expect: 100-continue`) is refused at once: hyper would send
/// `100 Continue` as soon as the body is read, and the client would send it all
/// only to be refused at the limit.
fn announced_overflow(max: usize, request: &Request) -> Option<ApiError> {
    let headers = request.headers();
    let waits = headers
        .get(header::EXPECT)
        .is_some_and(|expect| expect.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok()?.parse::<u64>().ok());
    let max_bytes = u64::try_from(max).unwrap_or(u64::MAX);
    (waits && announced.is_some_and(|length| length > max_bytes))
        .then_some(ApiError::PayloadTooLarge(max))
}

/// The most of an error's text that is kept when it is rewritten.
const TEXT_KEPT: usize = 1024;

/// Rewrites an error response in any other shape as `{"error": …}`, keeping its
/// status, its headers (such as `Allow`) and its text: what axum answers by itself
/// (an extractor's rejection, a method a route does not take) when no handler of
/// ours shaped it. Our own errors, [`ApiError`]s, are JSON already and pass as
/// they are.
async fn as_json(response: Response) -> Response {
    let status = response.status();
    // JSON already, or an OTLP error to a protobuf request (a google.rpc.Status).
    let is_kept = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|value| value.as_bytes())
        .is_some_and(|value| {
            value.starts_with(b"application/json") || value == b"application/x-protobuf"
        });
    if is_kept || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, TEXT_KEPT).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let error = match text.is_empty() {
        true => status.canonical_reason().unwrap_or("error").to_owned(),
        false => text,
    };
    tracing::debug!(%status, error, "an error answered in another shape, rewritten as JSON");
    let body = serde_json::to_vec(&ErrorBody { error }).expect("a string serialises");
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::http::{StatusCode, header};
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn answer(
        router: Router,
        path: &str,
    ) -> (StatusCode, Option<String>, Option<String>, String) {
        let bounds = Bounds {
            max_header_bytes: 64 * 1024,
            max_body_bytes: 1024,
            max_bulk_bytes: 1024,
        };
        let router = router.layer(axum::middleware::from_fn_with_state(
            bounds,
            |axum::extract::State(bounds), request, next| guard(bounds, request, next),
        ));
        let request = Request::get(path)
            .body(Body::empty())
            .expect("a valid request");
        let response = router.oneshot(request).await.expect("infallible");
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|value: &HeaderValue| value.to_str().expect("ASCII").to_owned())
        };
        let (status, content_type, allow) = (
            response.status(),
            header(header::CONTENT_TYPE),
            header(header::ALLOW),
        );
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a whole body");
        let body = String::from_utf8(body.to_vec()).expect("UTF-8");
        (status, content_type, allow, body)
    }

    #[tokio::test]
    async fn a_plain_text_error_becomes_json_with_its_status_and_text() {
        let router = Router::new().route(
            "/",
            get(|| async {
                (
                    StatusCode::BAD_REQUEST,
                    "Invalid URL: Invalid UTF-8 in `id`",
                )
            }),
        );
        let (status, content_type, _, body) = answer(router, "/").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(content_type.as_deref(), Some("application/json"));
        assert_eq!(body, r#"{"error":"Invalid URL: Invalid UTF-8 in `id`"}"#);
    }

    #[tokio::test]
    async fn an_empty_error_is_named_by_its_status_and_keeps_its_headers() {
        let router = Router::new().route("/", axum::routing::post(|| async {}));
        let (status, content_type, allow, body) = answer(router, "/").await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(content_type.as_deref(), Some("application/json"));
        assert_eq!(allow.as_deref(), Some("POST"));
        assert_eq!(body, r#"{"error":"Method Not Allowed"}"#);
    }

    #[tokio::test]
    async fn json_errors_and_successes_pass_as_they_are() {
        let router = Router::new()
            .route(
                "/error",
                get(|| async { ApiError::NotFound("no such thing".into()) }),
            )
            .route("/text", get(|| async { "OK" }));
        let (status, _, _, body) = answer(router.clone(), "/error").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, r#"{"error":"no such thing"}"#);
        let (status, content_type, _, body) = answer(router, "/text").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type.as_deref(), Some("text/plain; charset=utf-8"));
        assert_eq!(body, "OK");
    }
}
