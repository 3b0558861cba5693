//! `/add-event` and `/add-events`: storing events.

use crate::auth::Principal;
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{JsonBody, JsonItems, NoQuery};
use crate::events::{Attributes, Event, MAX_BULK_EVENTS, NewEvent};
use crate::field::InvalidField;
use crate::time::Timestamp;

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with service, level, message and optional attributes"
)]
pub struct EventBody {
    service: String,
    /// `debug`, `info`, `warning` (or `warn`), `error` or `critical`, in any case.
    level: String,
    message: String,
    #[serde(default)]
    attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

impl EventBody {
    fn parse(self, received: Timestamp) -> Result<NewEvent, InvalidField> {
        let event = NewEvent::parse(&self.service, &self.level, self.message, received)?;
        let attributes = self.attributes.map(Attributes::parse).transpose()?;
        Ok(event.with_attributes(attributes.unwrap_or_default()))
    }
}

/// Stores an event, stamped with the date the server received it.
#[utoipa::path(post, path = "/add-event", tag = "events",
    responses((status = 201, body = Event), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("password" = [])))]
pub async fn add_event(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    _: NoQuery,
    JsonBody(body): JsonBody<EventBody>,
) -> Result<(StatusCode, Json<Event>), ApiError> {
    principal
        .check_service("service", &body.service)
        .map_err(ApiError::Forbidden)?;
    let received = Timestamp::now();
    let event = body.parse(received)?;
    let stored = state.app.add_event(event, received).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// Stores 1 to 10,000 events at once, all or none, each stamped with the date the
/// request was received: a JSON array, or NDJSON (one event object a line) with
/// `Content-Type: application/x-ndjson`. A bad event is named by its index.
#[utoipa::path(post, path = "/add-events", tag = "events",
    responses((status = 201, description = "The stored events, in the order sent", body = Vec<Event>),
              (status = 400, description = "The first bad event, by index and field: `events[3].level: …`", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("password" = [])))]
pub async fn add_events(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    _: NoQuery,
    JsonItems(items): JsonItems<EventBody>,
) -> Result<(StatusCode, Json<Vec<Event>>), ApiError> {
    for (index, body) in items.iter().enumerate() {
        principal
            .check_service("service", &body.service)
            .map_err(|problem| ApiError::Forbidden(format!("events[{index}].{problem}")))?;
    }
    if items.is_empty() {
        return Err(ApiError::Invalid("events: must not be empty".into()));
    }
    if items.len() > MAX_BULK_EVENTS {
        return Err(ApiError::Invalid(format!(
            "events: at most {MAX_BULK_EVENTS} per request, got {}",
            items.len()
        )));
    }
    let received = Timestamp::now();
    let events = items
        .into_iter()
        .enumerate()
        .map(|(index, body)| {
            body.parse(received)
                .map_err(|invalid| ApiError::Invalid(format!("events[{index}].{invalid}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let stored = state.app.add_events(events, received).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}
