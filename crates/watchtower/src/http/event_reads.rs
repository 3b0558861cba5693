//! `/list-events` (pages with `Link` headers, or a streamed export) and `/event-stats`.

use crate::auth::Principal;
use axum::Extension;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures::Stream;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::export::{Format, render};
use super::extract::QueryPairs;
use super::paging::next_page_link;
use crate::events::{Event, EventQuery, EventStats, Order, Position, StatsQuery};
use crate::store::Store;
use crate::time::Timestamp;

/// Events one export step reads: memory stays bounded by this, whatever the total.
const EXPORT_PAGE: u32 = 2_000;

/// Events matching every given filter, a page at a time. When more match, a
/// `Link: <…>; rel="next"` header gives the next page's address; following the
/// links visits every match exactly once, however many events arrive meanwhile.
/// With `Accept: application/x-ndjson` or `text/csv`, every match is streamed
/// instead (no limit unless `limit` is given). `attr.NAME=VALUE` (repeatable, each
/// name once) keeps the events whose attribute NAME has VALUE as text: a string
/// as it is, a number in its JSON form, a boolean as `true` or `false`.
#[utoipa::path(get, path = "/list-events", tag = "events",
    params(
        ("service" = Option<String>, Query, description = "Exact service name"),
        ("from" = Option<String>, Query, description = "At or after this date (RFC 3339 or Unix epoch seconds)"),
        ("to" = Option<String>, Query, description = "At or before this date (RFC 3339 or Unix epoch seconds)"),
        ("level" = Option<String>, Query, description = "This level or above: debug < info < warning < error < critical"),
        ("message" = Option<String>, Query, description = "Case-insensitive substring of the message"),
        ("order" = Option<String>, Query, description = "`desc` (default: newest first) or `asc`"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: copied from the previous page's `Link` header"),
        ("limit" = Option<u32>, Query, description = "At most this many events (default 100, at most 10000); for an export, no limit unless given"),
    ),
    responses(
        (status = 200, description = "A page of events; `Link: </list-events?…&cursor=…>; rel=\"next\"` when more match",
         content((Vec<Event> = "application/json"), (Vec<Event> = "application/x-ndjson"),
                 (String = "text/csv", example = "id,date,service,level,message\r\n7,2026-11-25T10:00:00.000Z,backup,error,disk full\r\n"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 406, description = "The Accept header names no format offered", body = ErrorBody)),
    security(("password" = [])))]
pub async fn list_events(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let format = Format::negotiate(headers.get(header::ACCEPT))?;
    let mut query = EventQuery::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    query.filter.service_prefix = principal.prefix;
    if format != Format::Json {
        let cap = pairs
            .iter()
            .any(|(key, _)| key == "limit")
            .then_some(query.limit);
        return Ok(export(state.store.clone(), query, cap, format));
    }
    // One more than asked: whether a next page exists is then known, not guessed.
    let limit = query.limit as usize;
    let mut events = state
        .store
        .query_events(EventQuery {
            limit: query.limit + 1,
            ..query.clone()
        })
        .await?;
    let next = (events.len() > limit).then(|| {
        events.truncate(limit);
        let last = events.last().map(Position::of)?;
        next_page_link("/list-events", &pairs, &last.to_cursor())
    });
    let mut response = Json(events).into_response();
    if let Some(Some(link)) = next {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

/// Streams every match, a bounded page at a time, each page continuing after the
/// last. An ascending export stops at the newest event stored when it began.
fn export(
    store: std::sync::Arc<dyn Store>,
    mut query: EventQuery,
    cap: Option<u32>,
    format: Format,
) -> Response {
    if query.order == Order::Asc {
        let now = Timestamp::now();
        query.filter.to = Some(query.filter.to.map_or(now, |to| to.min(now)));
    }
    let body = Body::from_stream(pages(store, query, cap, format));
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn pages(
    store: std::sync::Arc<dyn Store>,
    query: EventQuery,
    cap: Option<u32>,
    format: Format,
) -> impl Stream<Item = Result<Bytes, crate::store::StoreError>> {
    let header = format
        .header()
        .map(|line| Ok(Bytes::from_static(line.as_bytes())));
    let start = (store, query, cap.map_or(u64::MAX, u64::from), false);
    let rows =
        futures::stream::try_unfold(start, move |(store, mut query, left, done)| async move {
            if done || left == 0 {
                return Ok(None);
            }
            query.limit = EXPORT_PAGE.min(u32::try_from(left).unwrap_or(u32::MAX));
            let events = store.query_events(query.clone()).await?;
            let finished = events.len() < query.limit as usize;
            query.after = events.last().map(Position::of).or(query.after);
            let chunk = render(format, &events);
            Ok(Some((
                chunk,
                (store, query, left - events.len() as u64, finished),
            )))
        });
    futures::StreamExt::chain(futures::stream::iter(header), rows)
}

/// Matching events counted per time bucket and level: every bucket of the range
/// is listed, empty ones with zeros. Buckets are aligned on UTC. Takes
/// `attr.NAME=VALUE` filters as `/list-events` does.
#[utoipa::path(get, path = "/event-stats", tag = "events",
    params(
        ("bucket" = Option<String>, Query, description = "`minute`, `hour` (default) or `day`"),
        ("from" = Option<String>, Query, description = "Start of the range (default: an hour, a day or 30 days before `to`, by bucket)"),
        ("to" = Option<String>, Query, description = "End of the range (default: now)"),
        ("service" = Option<String>, Query, description = "Exact service name"),
        ("level" = Option<String>, Query, description = "This level or above"),
        ("message" = Option<String>, Query, description = "Case-insensitive substring of the message"),
    ),
    responses((status = 200, body = EventStats), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn event_stats(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<EventStats>, ApiError> {
    let mut query = StatsQuery::from_query(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        Timestamp::now(),
    )?;
    query.filter.service_prefix = principal.prefix;
    let counts = state.store.event_stats(query.clone()).await?;
    Ok(Json(EventStats::assemble(&query, &counts)))
}
