//! `PUT /services/{name}`: declare a service before its first pulse, or change
//! how a monitored one is watched. The body is a pulse's, its `service` taken
//! from the path.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::AppState;
use super::auth::Actor;
use super::error::{ApiError, ErrorBody};
use super::extract::{JsonBody, NoQuery, from_object};
use super::path::Path;
use super::services::PulseBody;
use crate::field::InvalidField;
use crate::monitor::{Declaration, Pulse, Service, ServiceName};
use crate::time::Timestamp;

/// Declares a service (`new` until its first pulse, dead if that is not in by
/// its first expected time plus grace), or changes the settings of a monitored
/// one: its deadline then counts from its last pulse. Declaring it as it is
/// changes nothing.
#[utoipa::path(put, path = "/services/{name}", tag = "services",
    params(("name" = String, Path, description = "The service's name")),
    request_body(description = "A pulse's fields but `service` (if given, it must be the path's name)"),
    responses((status = 201, description = "Declared: monitored from now, status new", body = Service),
              (status = 200, description = "Changed, or already declared so", body = Service),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("password" = [])))]
pub async fn declare_service(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    _: NoQuery,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<(StatusCode, Json<Service>), ApiError> {
    let received = Instant::now();
    actor
        .principal
        .check_service("name", &name)
        .map_err(ApiError::Forbidden)?;
    let parsed = ServiceName::parse("name", &name)?;
    let now = Timestamp::now();
    let declaration = settings(&actor, &name, body, now)?;
    let declared = state.app.declare_service(declaration, received).await?;
    let status = match &declared.outcome {
        Declaration::Created => StatusCode::CREATED,
        Declaration::Changed(_) | Declaration::Unchanged => StatusCode::OK,
    };
    let what = match &declared.outcome {
        Declaration::Created => Some(format!("declared the service `{parsed}`")),
        Declaration::Changed(changed) => Some(format!(
            "changed {} of the service `{parsed}`",
            changed.join(", ")
        )),
        Declaration::Unchanged => None,
    };
    if let Some(what) = what {
        state
            .app
            .audit(&actor.principal, actor.client, &what, now)
            .await;
    }
    Ok((status, Json(declared.service.as_of(now))))
}

/// The pulse that a body of settings (a pulse's fields, `service` left out or
/// the path's `name`) describes, at `now`.
pub(super) fn settings(
    actor: &Actor,
    name: &str,
    mut body: Map<String, Value>,
    now: Timestamp,
) -> Result<Pulse, ApiError> {
    match body.get("service") {
        None => {}
        Some(Value::String(given)) if given == name => {}
        Some(_) => Err(InvalidField::rule(
            "service",
            format!("must be the name in the path, `{name}` (or left out)"),
        ))?,
    }
    body.insert("service".into(), Value::String(name.to_owned()));
    let body: PulseBody = from_object(body)?;
    if let Some(parent) = body.depends_on() {
        actor
            .principal
            .check_service("dependsOn", parent)
            .map_err(ApiError::Forbidden)?;
    }
    body.into_pulse(now)
}
