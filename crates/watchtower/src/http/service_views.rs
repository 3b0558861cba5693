//! What the dashboard reads besides the protocol: `GET /services/stream` (status
//! changes as Server-Sent Events), `GET /service-history` (outages and uptime) and
//! `GET /uptime` (every service's uptime per day).

use crate::auth::Principal;
use axum::Extension;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::error::{ApiError, ErrorBody};
use super::extract::{NoQuery, Params, QueryPairs};
use super::{AppState, sse};
use std::collections::{BTreeMap, HashMap};

use crate::monitor::history::{self, DayUptime, Flip, Outage};
use crate::monitor::{Service, ServiceChange, ServiceName, Status};
use crate::time::Timestamp;

/// How far back the history goes.
const HISTORY: Duration = Duration::from_secs(30 * 86_400);

/// Every pulse, death, recovery and cancellation on this node as it happens:
/// `event: service` with the service as JSON, `event: cancelled` with `{"service"}`.
/// On a cluster, each node streams its own; the dashboard also re-reads the list.
#[utoipa::path(get, path = "/services/stream", tag = "services",
    responses((status = 200, description = "text/event-stream of `service` and `cancelled` messages",
               content_type = "text/event-stream"),
              (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn stream_services(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    _: NoQuery,
) -> Response {
    let feed = state.changes.subscribe();
    let render = move |change: &ServiceChange| {
        let name = match change {
            ServiceChange::Updated(service) => &service.service,
            ServiceChange::Cancelled(name) => name,
        };
        if !principal.sees(name.as_str()) {
            return None;
        }
        Some(match change {
            ServiceChange::Updated(service) => sse::message(
                "service",
                None,
                &serde_json::to_string(service).unwrap_or_default(),
            ),
            ServiceChange::Cancelled(name) => sse::message(
                "cancelled",
                None,
                &serde_json::json!({"service": name}).to_string(),
            ),
        })
    };
    let messages = sse::messages(
        ": watching services\n\n",
        "changes",
        feed,
        state.shutdown.clone(),
        render,
    );
    sse::response(messages)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct History {
    #[schema(value_type = String)]
    service: ServiceName,
    /// Newest first, over the last 30 days.
    #[schema(value_type = Vec<Object>)]
    outages: Vec<Outage>,
    /// The share of time up over the last 24 h, 7 d and 30 d, each counted from
    /// when the service was first seen if that is later.
    #[schema(value_type = Object)]
    uptime: serde_json::Value,
    /// Each of the last 30 UTC days, oldest first: `{"date", "uptime"}`, the uptime
    /// `null` before the service was first seen.
    #[schema(value_type = Vec<Object>)]
    days: Vec<DayUptime>,
}

/// A service's outages over the last 30 days and its uptime over 24 h, 7 d and 30 d.
#[utoipa::path(get, path = "/service-history", tag = "services",
    params(("service" = String, Query, description = "The service")),
    responses((status = 200, body = History), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn service_history(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<History>, ApiError> {
    let query = Params::parse(&pairs, &["service"])?;
    let name = query
        .get("service")
        .ok_or_else(|| ApiError::Invalid("service: give the service, service=NAME".into()))?;
    let name = ServiceName::parse("service", name)?;
    principal
        .check_service("service", name.as_str())
        .map_err(ApiError::Forbidden)?;
    let Some(service) = state.store.service(name.clone()).await? else {
        return Err(ApiError::NotFound(format!(
            "service: no service named `{name}`"
        )));
    };
    let now = Timestamp::now();
    let flips: Vec<Flip> = state
        .store
        .service_flips(Some(name.clone()), now.minus(HISTORY))
        .await?
        .into_iter()
        .map(|(_, flip)| flip)
        .collect();
    let outages = history::with_ongoing(history::outages(&flips, now), dead_since(&service), now);
    let first_seen = service.first_seen;
    let day = Duration::from_secs(86_400);
    let uptime = serde_json::json!({
        "24h": history::uptime(&outages, day, now, first_seen),
        "7d": history::uptime(&outages, day * 7, now, first_seen),
        "30d": history::uptime(&outages, day * 30, now, first_seen),
    });
    Ok(Json(History {
        service: name,
        days: history::daily(&outages, DAYS, now, first_seen),
        outages,
        uptime,
    }))
}

/// The uptime bars' days.
const DAYS: u32 = 30;

/// Every service's uptime per UTC day, for the list's bars.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DailyUptime {
    /// The days, oldest first (`2026-12-03`); today, so far, last.
    dates: Vec<String>,
    /// Per service, the share of each day it was up; `null` before it was first seen.
    #[schema(value_type = Object)]
    services: BTreeMap<String, Vec<Option<f64>>>,
}

/// Every service's uptime on each of the last 30 UTC days (one read of the
/// deaths and recoveries of all services), for the list's uptime bars.
#[utoipa::path(get, path = "/uptime", tag = "services",
    responses((status = 200, body = DailyUptime), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn daily_uptime(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    _: NoQuery,
) -> Result<Json<DailyUptime>, ApiError> {
    let now = Timestamp::now();
    let since = now.minus(Duration::from_secs(u64::from(DAYS) * 86_400));
    let mut flips: HashMap<String, Vec<Flip>> = HashMap::new();
    for (service, flip) in state.store.service_flips(None, since).await? {
        flips.entry(service).or_default().push(flip);
    }
    let mut services = BTreeMap::new();
    let mut dates = Vec::new();
    for service in state.store.list_services().await? {
        if !principal.sees(service.service.as_str()) {
            continue;
        }
        let own = flips.remove(service.service.as_str()).unwrap_or_default();
        let outages = history::with_ongoing(history::outages(&own, now), dead_since(&service), now);
        let days = history::daily(&outages, DAYS, now, service.first_seen);
        if dates.is_empty() {
            dates = days.iter().map(|day| day.date.clone()).collect();
        }
        services.insert(
            service.service.as_str().to_owned(),
            days.into_iter().map(|day| day.uptime).collect(),
        );
    }
    if dates.is_empty() {
        dates = history::daily(&[], DAYS, now, None)
            .into_iter()
            .map(|day| day.date)
            .collect();
    }
    Ok(Json(DailyUptime { dates, services }))
}

/// When a dead service's outage began: the deadline it missed.
fn dead_since(service: &Service) -> Option<Timestamp> {
    (service.status == Status::Dead).then_some(service.deadline)
}
