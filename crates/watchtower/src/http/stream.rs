//! `GET /events/stream`: the live tail, as Server-Sent Events.

use crate::auth::Principal;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;

use super::error::{ApiError, ErrorBody};
use super::extract::QueryPairs;
use super::{AppState, sse};
use crate::events::{EventFilter, FeedItem, STREAM_KEYS};

/// New events matching the filters, pushed as they are stored: one SSE message
/// each (`event: event`, `id:` the event's id, `data:` the event as JSON). A
/// client that falls too far behind gets a final `event: dropped` message and is
/// disconnected, so that a slow reader never slows ingest; `event: shutdown` ends
/// the stream when the server stops. Takes `attr.NAME=VALUE` filters as
/// `/list-events` does.
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
    Extension(principal): Extension<Principal>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let mut filter = EventFilter::from_query(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &STREAM_KEYS,
    )?;
    filter.service_prefix = principal.prefix;
    // Subscribed before answering: once the client has the headers, nothing stored
    // after that moment is missed.
    let feed = state.store.feed().subscribe();
    let folded = filter.message.as_ref().map(|m| m.to_lowercase());
    let render = move |event: &FeedItem| {
        filter.matches(event, folded.as_deref()).then(|| {
            let json = serde_json::to_string(&**event).unwrap_or_default();
            sse::message("event", Some(event.id), &json)
        })
    };
    let messages = sse::messages(
        ": watching for new events\n\n",
        "events",
        feed,
        state.shutdown.clone(),
        render,
    );
    Ok(sse::response(messages))
}
