//! `GET /events/stream`: the live tail, as Server-Sent Events.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::QueryPairs;
use crate::events::{EventFilter, FeedItem, STREAM_KEYS};

/// A comment this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// New events matching the filters, pushed as they are stored: one SSE message
/// each (`event: event`, `id:` the event's id, `data:` the event as JSON). A
/// client that falls too far behind gets a final `event: dropped` message and is
/// disconnected, so that a slow reader never slows ingest; `event: shutdown` ends
/// the stream when the server stops.
#[utoipa::path(get, path = "/events/stream", tag = "events",
    params(
        ("service" = Option<String>, Query, description = "Exact service name"),
        ("level" = Option<String>, Query, description = "This level or above"),
        ("message" = Option<String>, Query, description = "Case-insensitive substring of the message"),
    ),
    responses((status = 200, description = "text/event-stream: `event: event` messages carrying an Event as JSON",
               content_type = "text/event-stream"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn stream_events(
    State(state): State<AppState>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let filter = EventFilter::from_query(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &STREAM_KEYS,
    )?;
    // Subscribed before answering: once the client has the headers, nothing stored
    // after that moment is missed.
    let feed = state.store.feed().subscribe();
    let body = Body::from_stream(messages(filter, feed, state.shutdown.clone()));
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Tells nginx-like proxies not to buffer the stream.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

enum Next {
    Send(Bytes),
    /// Send this, then end the stream.
    Last(Bytes),
}

fn messages(
    filter: EventFilter,
    feed: tokio::sync::broadcast::Receiver<FeedItem>,
    shutdown: CancellationToken,
) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> {
    let folded = filter.message.as_ref().map(|m| m.to_lowercase());
    let first = Bytes::from_static(b": watching for new events\n\n");
    let state = (Some(Next::Send(first)), feed, false);
    futures::stream::unfold(state, move |(pending, mut feed, ended)| {
        let (filter, folded, shutdown) = (filter.clone(), folded.clone(), shutdown.clone());
        async move {
            if ended {
                return None;
            }
            if let Some(next) = pending {
                return Some(emit(next, feed));
            }
            let next = loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break Next::Last(control("shutdown", "the server is stopping")),
                    _ = tokio::time::sleep(KEEP_ALIVE) => break Next::Send(Bytes::from_static(b": keep-alive\n\n")),
                    received = feed.recv() => match received {
                        Ok(event) if filter.matches(&event, folded.as_deref()) => break Next::Send(message(&event)),
                        Ok(_) => continue,
                        Err(RecvError::Lagged(missed)) => break Next::Last(control(
                            "dropped",
                            &format!("this client fell {missed} events behind and was disconnected; reconnect, and read the gap from /list-events"),
                        )),
                        Err(RecvError::Closed) => break Next::Last(control("shutdown", "the event feed closed")),
                    },
                }
            };
            Some(emit(next, feed))
        }
    })
}

type StreamState = (
    Option<Next>,
    tokio::sync::broadcast::Receiver<FeedItem>,
    bool,
);

fn emit(
    next: Next,
    feed: tokio::sync::broadcast::Receiver<FeedItem>,
) -> (Result<Bytes, std::convert::Infallible>, StreamState) {
    match next {
        Next::Send(bytes) => (Ok(bytes), (None, feed, false)),
        Next::Last(bytes) => (Ok(bytes), (None, feed, true)),
    }
}

fn message(event: &crate::events::Event) -> Bytes {
    // JSON has no raw line breaks, so the data fits one `data:` line.
    let json = serde_json::to_string(event).unwrap_or_default();
    Bytes::from(format!("id: {}\nevent: event\ndata: {json}\n\n", event.id))
}

fn control(kind: &str, error: &str) -> Bytes {
    let json = serde_json::json!({ "error": error });
    Bytes::from(format!("event: {kind}\ndata: {json}\n\n"))
}
