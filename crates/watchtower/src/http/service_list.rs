//! `GET /`: the monitored services. Without `limit`, every match streamed a
//! bounded page at a time, so that memory stays flat however many there are;
//! with it, one page and a `Link` to the next. `prefix` and `status` filter.

use std::sync::Arc;

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures::Stream;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{Params, QueryPairs};
use super::paging::next_page_link;
use crate::auth::Principal;
use crate::events::MAX_LIMIT;
use crate::field::InvalidField;
use crate::monitor::{Service, ServiceName, Status};
use crate::store::{ServicePage, Store, StoreError};
use crate::time::Timestamp;

/// Services one step of a full listing reads: its memory, whatever the total.
const STREAM_PAGE: usize = 1_000;

/// What `GET /` was asked for.
struct Listing {
    page: ServicePage,
    /// The statuses asked for, `late` included; all when empty.
    statuses: Vec<Status>,
    limit: Option<usize>,
}

impl Listing {
    /// `None` when the credential's prefix and the one asked for cannot meet:
    /// the answer is then empty.
    fn parse(pairs: &[(String, String)], principal: &Principal) -> Result<Option<Self>, ApiError> {
        let query = Params::parse(pairs, &["prefix", "status", "limit", "cursor"])?;
        let asked = match query.get("prefix") {
            Some(text) => ServiceName::stored("prefix", text)?.as_str().to_owned(),
            None => String::new(),
        };
        let statuses = match query.get("status") {
            Some(text) => parse_statuses(text)?,
            None => Vec::new(),
        };
        let limit = match query.get("limit") {
            Some(text) => Some(
                text.parse::<usize>()
                    .ok()
                    .filter(|limit| (1..=MAX_LIMIT as usize).contains(limit))
                    .ok_or_else(|| {
                        InvalidField::new(
                            "limit",
                            format!("must be a whole number from 1 to {MAX_LIMIT}"),
                        )
                    })?,
            ),
            None => None,
        };
        let after = match query.get("cursor") {
            Some(text) => Some(ServiceName::stored("cursor", text)?.as_str().to_owned()),
            None => None,
        };
        let key_prefix = principal.prefix.as_deref().unwrap_or("");
        let prefix = if asked.starts_with(key_prefix) {
            asked
        } else if key_prefix.starts_with(&asked) {
            key_prefix.to_owned()
        } else {
            return Ok(None);
        };
        let mut stored: Vec<Status> = statuses
            .iter()
            .map(|status| match status {
                Status::Late => Status::Up,
                other => *other,
            })
            .collect();
        stored.dedup();
        Ok(Some(Self {
            page: ServicePage {
                after,
                prefix,
                stored,
                limit: limit.map_or(STREAM_PAGE, |limit| limit + 1),
            },
            statuses,
            limit,
        }))
    }

    fn wants(&self, service: &Service) -> bool {
        self.statuses.is_empty() || self.statuses.contains(&service.status)
    }
}

/// `status=dead,late`: statuses by name, comma-separated.
fn parse_statuses(text: &str) -> Result<Vec<Status>, InvalidField> {
    let all = [
        Status::Up,
        Status::Late,
        Status::Dead,
        Status::Paused,
        Status::New,
    ];
    let mut statuses: Vec<Status> = Vec::new();
    for word in text.split(',') {
        let status = all
            .into_iter()
            .find(|s| s.as_str() == word)
            .ok_or_else(|| {
                InvalidField::new(
                    "status",
                    format!(
                        "`{word}` is not a status (up, late, dead, paused or new, comma-separated)"
                    ),
                )
            })?;
        if !statuses.contains(&status) {
            statuses.push(status);
        }
    }
    statuses.sort_by_key(|status| status.as_str());
    Ok(statuses)
}

/// The monitored services, sorted by name (code point order). Without
/// parameters, every one, as a stream. `prefix` and `status` filter; `limit`
/// answers a page, with `Link: </?…&cursor=…>; rel="next"` when more match
/// (following the links visits each match once; services created or removed
/// meanwhile may or may not be listed). A key's prefix bounds what is listed.
#[utoipa::path(get, path = "/", tag = "services",
    params(
        ("prefix" = Option<String>, Query, description = "Only services whose names start with this"),
        ("status" = Option<String>, Query, description = "Only these statuses, comma-separated: up, late, dead, paused, new"),
        ("limit" = Option<u32>, Query, description = "A page of at most this many (1 to 10000); without it, every match"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: copied from the previous page's `Link` header"),
    ),
    responses((status = 200, description = "Services, sorted by name; `Link: </?…&cursor=…>; rel=\"next\"` when a page is followed by more", body = Vec<Service>),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn list_services(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let Some(mut listing) = Listing::parse(&pairs, &principal)? else {
        return Ok(json_response(Body::from("[]")));
    };
    let now = Timestamp::now();
    let Some(limit) = listing.limit else {
        // The first step before the answer starts: a store that fails then
        // fails the request with its status, not a cut-off body.
        let first = step(&*state.store, &mut listing, now).await?;
        return Ok(json_response(Body::from_stream(stream(
            state.store.clone(),
            listing,
            first,
            now,
        ))));
    };
    let mut found = Vec::new();
    loop {
        let (services, finished) = step(&*state.store, &mut listing, now).await?;
        found.extend(services);
        if found.len() > limit || finished {
            break;
        }
    }
    let more = found.len() > limit;
    found.truncate(limit);
    let link = more
        .then(|| found.last())
        .flatten()
        .and_then(|last| next_page_link("/", &pairs, last.service.as_str()));
    let mut response = axum::Json(found).into_response();
    if let Some(link) = link {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

/// Reads the next page of the store: the services it holds that the listing
/// wants, as of `now`, and whether the store has no more.
async fn step(
    store: &dyn Store,
    listing: &mut Listing,
    now: Timestamp,
) -> Result<(Vec<Service>, bool), StoreError> {
    let services = store.services_page(listing.page.clone()).await?;
    let finished = services.len() < listing.page.limit;
    if let Some(last) = services.last() {
        listing.page.after = Some(last.service.as_str().to_owned());
    }
    let wanted = services
        .into_iter()
        .map(|service| service.as_of(now))
        .filter(|service| listing.wants(service))
        .collect();
    Ok((wanted, finished))
}

/// The JSON array, a page at a time: the same bytes `Json` would send whole.
fn stream(
    store: Arc<dyn Store>,
    listing: Listing,
    first: (Vec<Service>, bool),
    now: Timestamp,
) -> impl Stream<Item = Result<Bytes, StoreError>> {
    let start = Streaming {
        store,
        listing,
        ready: Some(first),
        opened: false,
        any: false,
        done: false,
    };
    futures::stream::try_unfold(start, move |mut state| async move {
        if state.done {
            return Ok(None);
        }
        let (services, finished) = match state.ready.take() {
            Some(page) => page,
            None => step(&*state.store, &mut state.listing, now).await?,
        };
        let mut chunk = Vec::with_capacity(services.len() * 256 + 2);
        if !state.opened {
            chunk.push(b'[');
            state.opened = true;
        }
        for service in &services {
            if state.any {
                chunk.push(b',');
            }
            serde_json::to_writer(&mut chunk, service).map_err(|error| {
                StoreError::corrupt(format!("a service did not serialize: {error}"))
            })?;
            state.any = true;
        }
        if finished {
            chunk.push(b']');
            state.done = true;
        }
        Ok(Some((Bytes::from(chunk), state)))
    })
}

/// Where a streamed listing is.
struct Streaming {
    store: Arc<dyn Store>,
    listing: Listing,
    /// The page read before the answer started.
    ready: Option<(Vec<Service>, bool)>,
    /// The opening bracket is sent.
    opened: bool,
    /// A service is sent: the next one needs a comma before it.
    any: bool,
    done: bool,
}

fn json_response(body: Body) -> Response {
    let mut response = Response::new(body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
