//! The HTTP layer: a thin router over the use cases (`crate::usecase`) and the
//! store's reads. Handlers parse, call one use case, and render; every failure is
//! an [`error::ApiError`].

mod access;
mod alert_history;
mod alertmanager;
mod auth;
mod badges;
mod channels;
mod client;
mod cluster;
mod connections;
mod cors;
mod dashboard;
mod declare;
mod error;
mod event_reads;
mod events;
mod export;
mod extract;
mod health;
mod keys;
mod metrics;
mod notes;
mod openapi;
mod otlp;
mod paging;
mod path;
mod pausing;
mod ping;
mod ping_keys;
mod pings;
mod refusals;
mod runs;
mod server;
mod service_list;
mod service_views;
mod services;
mod snoozes;
mod sse;
mod stream;
mod test_alerts;
mod tls;
mod whoami;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{Method, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

pub use auth::{Gate, PasswordCheck, SignOn};
pub use badges::BadgeKey;
pub use connections::ConnectionCap;
pub use error::ApiError;
pub use openapi::ApiDoc;
pub use ping::Pings;
pub use ping_keys::PingKeys;
pub use server::{ServerLimits, serve};
pub use tls::{AcmeDriver, Tls};

use crate::store::Store;
use crate::usecase::Watchtower;

/// What handlers share: one allocation, so that the clone each request takes
/// (every extractor of the state takes one) is one reference count, not a
/// dozen (a profile of pulses found 12% of the time in cloning and dropping it).
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

impl From<SharedState> for AppState {
    fn from(shared: SharedState) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

pub struct SharedState {
    /// The use cases that write.
    pub app: Watchtower,
    /// For reads, which need no use case of their own.
    pub store: Arc<dyn Store>,
    /// Status changes on this node, for `/services/stream`.
    pub changes: crate::monitor::ServiceFeed,
    /// Whether the alert dispatcher runs, for `/readyz`.
    pub dispatching: crate::workers::Running,
    /// The ping keys of the ping URLs, and the runs they time.
    pub pings: Arc<Pings>,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// `metrics.token`, if any, as its digest.
    pub metrics_token: Option<PasswordCheck>,
    /// `metrics.serviceLimit`: per-service series for at most this many services.
    pub metrics_services: usize,
    /// The key in the badge URLs.
    pub badges: BadgeKey,
    /// Counts failed credentials by client address, and throttles the guessers.
    pub gate: Arc<Gate>,
    /// Which Alertmanager alerts pulse which services.
    pub alertmanager: Arc<crate::config::AlertmanagerConfig>,
    /// Cancelled when the server stops: ends the live streams.
    pub shutdown: CancellationToken,
}

/// Bounds on request bodies and time, and the origins that browsers may call from.
pub struct RequestLimits {
    pub max_header_bytes: usize,
    pub max_body_bytes: usize,
    /// For `POST /add-events`, which carries up to 10,000 events.
    pub max_bulk_bytes: usize,
    pub request_timeout: Duration,
    pub cors_origins: Vec<String>,
}

pub fn router(
    state: AppState,
    password: PasswordCheck,
    limits: RequestLimits,
) -> anyhow::Result<Router> {
    let RequestLimits {
        max_header_bytes,
        max_body_bytes,
        max_bulk_bytes,
        request_timeout,
        cors_origins,
    } = limits;
    let cors = cors::layer(&cors_origins)?;
    let gate = state.gate.clone();
    let keys = state.app.keys().clone();
    let document = Arc::new(openapi::document(&state.app.alert_targets()));
    let public = ping::routes(state.clone())
        .route("/metrics", get(metrics::scrape).with_state(state.clone()))
        .route(
            "/badge/{key}/{file}",
            get(badges::service_badge).with_state(state.clone()),
        )
        .route(
            "/badge/{key}/prefix/{file}",
            get(badges::group_badge).with_state(state.clone()),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz).with_state(state.clone()))
        .route(
            "/ui",
            get(|| async { axum::response::Redirect::permanent("/ui/") }),
        )
        .route("/ui/", get(dashboard::index))
        .route("/ui/{*path}", get(dashboard::file))
        .method_not_allowed_fallback(method_not_allowed);
    let bulk = Router::new()
        .route("/add-events", post(events::add_events))
        .route("/v1/logs", post(otlp::export_logs))
        .method_not_allowed_fallback(method_not_allowed);
    let observed = state.metrics.clone();
    let api = Router::new()
        .route(
            "/",
            get(service_list::list_services)
                .post(services::record_pulse)
                .delete(services::cancel_service),
        )
        .route("/add-event", post(events::add_event))
        .route("/list-events", get(event_reads::list_events))
        .route("/event-stats", get(event_reads::event_stats))
        .route("/events/stream", get(stream::stream_events))
        .route("/services/stream", get(service_views::stream_services))
        .route("/service-history", get(service_views::service_history))
        .route("/uptime", get(service_views::daily_uptime))
        .route("/channels", get(channels::list_channels))
        .route("/schedule", get(channels::explain_schedule))
        .route("/snooze", post(snoozes::add_snooze))
        .route(
            "/snooze/{id}",
            axum::routing::delete(snoozes::delete_snooze),
        )
        .route("/snoozes", get(snoozes::list_snoozes))
        .route("/test-alert", post(test_alerts::send_test_alert))
        .route("/alerts", get(alert_history::list_alerts))
        .route(
            "/services/{name}",
            axum::routing::put(declare::declare_service),
        )
        .route("/services/{name}/pings", get(pings::list_pings))
        .route("/services/{name}/start", post(runs::start_run))
        .route("/services/{name}/fail", post(runs::fail_run))
        .route("/services/{name}/pause", post(pausing::pause_service))
        .route("/services/{name}/resume", post(pausing::resume_service))
        .route("/cluster", get(cluster::list_nodes))
        .route("/keys", get(keys::list_keys).post(keys::create_key))
        .route("/keys/{name}", axum::routing::delete(keys::revoke_key))
        .route("/badges", get(badges::badge_urls))
        .route("/whoami", get(whoami::whoami))
        .route("/sign-in", post(whoami::sign_in))
        .route(
            "/openapi.json",
            get(openapi::openapi_json).with_state(document),
        )
        .fallback(unknown_path)
        .method_not_allowed_fallback(method_not_allowed);
    let router = limit_bodies(api, max_body_bytes)
        .merge(limit_bodies(bulk, max_bulk_bytes))
        .with_state(state)
        .layer(middleware::from_fn_with_state(
            auth::CredentialGate {
                password,
                keys,
                gate: gate.clone(),
            },
            auth::require_credential,
        ))
        // The ping URLs carry their own keys, not the password.
        .merge(limit_bodies(public, max_body_bytes))
        .layer(middleware::from_fn(dashboard::browsers_to_dashboard))
        .layer(middleware::from_fn_with_state(request_timeout, limit_time))
        .layer(middleware::from_fn_with_state(observed, observe_request));
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    Ok(router.layer(middleware::from_fn_with_state(
        refusals::Bounds {
            max_header_bytes,
            max_body_bytes,
            max_bulk_bytes,
        },
        trace_request,
    )))
}

/// Bounds the bodies of `routes` to `max` bytes: the extractors read no more and
/// quote `max` in their `413` (`refusals::guard` refuses a body announced over it).
fn limit_bodies<S>(routes: Router<S>, max: usize) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    routes
        .layer(Extension(extract::BodyLimit(max)))
        .layer(DefaultBodyLimit::max(max))
}

/// One span per request, carrying the method (folded as in `/metrics`) and the
/// route's pattern (not the raw path): neither is anything a client makes up.
/// Inside it, `refusals::guard` (one layer for both: each layer costs every
/// request a boxed future and a service clone).
async fn trace_request(
    State(bounds): State<refusals::Bounds>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = crate::metrics::method_label(request.method().as_str());
    let span = tracing::info_span!("request", method, route);
    let started = std::time::Instant::now();
    async move {
        let response = refusals::guard(bounds, request, next).await;
        tracing::debug!(status = response.status().as_u16(), elapsed = ?started.elapsed(), "answered");
        response
    }
    .instrument(span)
    .await
}

async fn unknown_path(uri: Uri) -> ApiError {
    ApiError::NotFound(format!("no such path: {}", uri.path()))
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::MethodNotAllowed(method.to_string())
}

/// Times each request into `/metrics`, by method and route pattern.
async fn observe_request(
    State(metrics): State<Arc<crate::metrics::Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = crate::metrics::method_label(request.method().as_str());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    metrics.request(method, &route, started.elapsed());
    response
}

/// Bounds the time a request may take, reading its body included.
async fn limit_time(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout(limit).into_response(),
    }
}
