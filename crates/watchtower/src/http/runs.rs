//! `POST /services/{name}/start` and `/fail`: a job's run through the API, as
//! `watchtower run` reports it. A start pulses (so that a hung run is seen as
//! running, and missed at its deadline) and times the run; a failure marks the
//! service dead at once, with the job's output as its event.

use std::net::SocketAddr;
use std::time::Instant;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;

use super::AppState;
use super::auth::Actor;
use super::declare::settings;
use super::error::{ApiError, ErrorBody};
use super::extract::{NoQuery, RawBody, optional_object};
use super::notes::{note, user_agent};
use super::path::Path;
use crate::events::{Level, NewEvent};
use crate::monitor::pings::{PingKind, PingSource};
use crate::monitor::{Service, ServiceName};
use crate::time::Timestamp;
use crate::usecase::{PulseDefaults, Timing};

/// What a failure report may say.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object with message")]
struct FailBody {
    /// What went wrong: the job's exit status and the tail of its output.
    message: String,
}

fn unknown(name: &ServiceName) -> ApiError {
    ApiError::NotFound(format!(
        "name: no service named `{name}`: pulse or declare it first, or give its settings in the body"
    ))
}

/// Starts a run: pulses `name` (with the settings in the body, a pulse's fields,
/// else its own) and marks it running until its next pulse or failure, which
/// the ping history times.
#[utoipa::path(post, path = "/services/{name}/start", tag = "services",
    params(("name" = String, Path, description = "The service's name")),
    request_body(description = "Optional: a pulse's fields but `service`, for a service not monitored yet or to change its settings"),
    responses((status = 200, description = "The service, running", body = Service),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("password" = [])))]
pub async fn start_run(
    State(state): State<AppState>,
    actor: Actor,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(name): Path<String>,
    _: NoQuery,
    RawBody(body): RawBody,
) -> Result<Json<Service>, ApiError> {
    let received = Instant::now();
    actor
        .principal
        .check_service("name", &name)
        .map_err(ApiError::Forbidden)?;
    let now = Timestamp::now();
    let source = PingSource::api(user_agent(&headers));
    let note = note(&state, &headers, peer, PingKind::Start, source);
    let started = match optional_object(&body)? {
        Some(body) => {
            let mut pulse = settings(&actor, &name, body, now)?;
            pulse.note = Some(note);
            state.app.record_pulse(pulse, received).await?
        }
        None => {
            let service = ServiceName::stored("name", &name)?;
            if !state.app.is_monitored(&service).await? {
                return Err(unknown(&service));
            }
            let defaults = PulseDefaults {
                ping_key: "",
                next_in: crate::monitor::NextIn::stored(0.0),
                route: None,
            };
            (state.app)
                .pulse_with_defaults(&service, Timing::default(), &defaults, note, now, received)
                .await?
        }
    };
    Ok(Json(started.as_of(now)))
}

/// Reports a failed run: its `message` becomes an `error` event, and the
/// service is dead at once (alerted as a missed deadline is).
#[utoipa::path(post, path = "/services/{name}/fail", tag = "services",
    params(("name" = String, Path, description = "The service's name")),
    request_body(description = "Optional: {\"message\": what failed, e.g. the exit status and the last output}"),
    responses((status = 200, description = "The service, dead", body = Service),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("password" = [])))]
pub async fn fail_run(
    State(state): State<AppState>,
    actor: Actor,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(name): Path<String>,
    _: NoQuery,
    RawBody(body): RawBody,
) -> Result<Json<Service>, ApiError> {
    actor
        .principal
        .check_service("name", &name)
        .map_err(ApiError::Forbidden)?;
    let service = ServiceName::stored("name", &name)?;
    let message = match optional_object(&body)? {
        Some(body) => super::extract::from_object::<FailBody>(body)?.message,
        None => "run failed".to_owned(),
    };
    let now = Timestamp::now();
    let event = NewEvent::parse(
        service.as_str(),
        Level::Error.as_str(),
        message.clone(),
        now,
    )?;
    if !state.app.is_monitored(&service).await? {
        return Err(unknown(&service));
    }
    let source = PingSource::api(user_agent(&headers));
    let note = note(&state, &headers, peer, PingKind::Fail, source).with_body(Some(&message));
    state.store.add_event(event).await?;
    state.app.record_ping(&service, note, now).await?;
    // A service already dead, or paused, is answered as it is.
    let failed = state.app.fail_service(&service, now).await?;
    Ok(Json(failed.ok_or_else(|| unknown(&service))?.as_of(now)))
}
