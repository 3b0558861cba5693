//! `/services/{name}/pause` and `/services/{name}/resume`: quiet a service for a
//! while (maintenance, a job switched off), then watch it again.

use std::time::Instant;

use axum::Json;
use axum::extract::State;

use super::AppState;
use super::auth::Actor;
use super::error::{ApiError, ErrorBody};
use super::extract::NoQuery;
use super::path::Path;
use crate::monitor::{Service, ServiceName};
use crate::time::Timestamp;

/// The service a path names, within the actor's prefix.
fn named(actor: &Actor, name: &str) -> Result<ServiceName, ApiError> {
    actor
        .principal
        .check_service("name", name)
        .map_err(ApiError::Forbidden)?;
    Ok(ServiceName::stored("name", name)?)
}

fn unknown(name: &ServiceName) -> ApiError {
    ApiError::NotFound(format!("name: no service named `{name}`"))
}

/// Pauses a service: it neither dies nor alerts (alerts not yet sent are
/// dropped) until it pulses or is resumed.
#[utoipa::path(post, path = "/services/{name}/pause", tag = "services",
    params(("name" = String, Path, description = "The service's name")),
    responses((status = 200, description = "The paused service", body = Service),
              (status = 404, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("password" = [])))]
pub async fn pause_service(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    _: NoQuery,
) -> Result<Json<Service>, ApiError> {
    let name = named(&actor, &name)?;
    let now = Timestamp::now();
    let paused = state.app.pause_service(&name, now).await?;
    let service = paused.ok_or_else(|| unknown(&name))?;
    let what = format!("paused the service `{name}`");
    state
        .app
        .audit(&actor.principal, actor.client, &what, now)
        .await;
    Ok(Json(service))
}

/// Resumes a paused service, due again after its interval (or at its schedule's
/// next time) plus its grace, counted from now.
#[utoipa::path(post, path = "/services/{name}/resume", tag = "services",
    params(("name" = String, Path, description = "The service's name")),
    responses((status = 200, description = "The service, watched again", body = Service),
              (status = 404, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("password" = [])))]
pub async fn resume_service(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    _: NoQuery,
) -> Result<Json<Service>, ApiError> {
    let received = Instant::now();
    let name = named(&actor, &name)?;
    let now = Timestamp::now();
    let resumed = state.app.resume_service(&name, now, received).await?;
    let service = resumed.ok_or_else(|| unknown(&name))?;
    let what = format!("resumed the service `{name}`");
    state
        .app
        .audit(&actor.principal, actor.client, &what, now)
        .await;
    Ok(Json(service))
}
