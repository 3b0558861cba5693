//! `/snooze`, `/snooze/{id}` and `/snoozes`: maintenance windows.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{JsonBody, NoQuery};
use super::path::Path;
use crate::alert::policy::{NewSnooze, Snooze, SnoozeEnd, SnoozeScope};
use crate::field::InvalidField;
use crate::time::{Timestamp, parse_duration};

/// A snooze: one service (or `*`, every service) or a name prefix, for a duration
/// or until a date.
#[derive(Deserialize, ToSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with service or prefix, and duration or until"
)]
pub struct SnoozeBody {
    /// A service's name, or `*` for every service.
    #[schema(example = "backup")]
    service: Option<String>,
    /// Snoozes every service whose name starts with it.
    #[schema(example = "web-")]
    prefix: Option<String>,
    /// Seconds, or text such as `90s`, `30m`, `2h`, `1d`; counted from `from`.
    #[schema(value_type = Option<String>, example = "30m")]
    duration: Option<serde_json::Value>,
    /// When it ends (RFC 3339).
    #[schema(example = "2026-11-25T18:00:00Z")]
    until: Option<String>,
    /// When it begins (RFC 3339); default now.
    from: Option<String>,
    #[schema(example = "deploying v2.3")]
    reason: Option<String>,
}

impl SnoozeBody {
    fn into_snooze(self, now: Timestamp) -> Result<NewSnooze, InvalidField> {
        let scope = SnoozeScope::parse(self.service.as_deref(), self.prefix.as_deref())?;
        let date = |field: &'static str, text: &str| {
            Timestamp::parse_query(text).map_err(|problem| InvalidField::new(field, problem))
        };
        let end = match (self.duration, self.until) {
            (Some(duration), None) => SnoozeEnd::After(duration_of(&duration)?),
            (None, Some(until)) => SnoozeEnd::At(date("until", &until)?),
            (Some(_), Some(_)) => {
                return Err(InvalidField::new(
                    "until",
                    "give either duration or until, not both",
                ));
            }
            (None, None) => {
                return Err(InvalidField::new(
                    "duration",
                    "give a duration (or an until date)",
                ));
            }
        };
        let from = self
            .from
            .as_deref()
            .map(|text| date("from", text))
            .transpose()?;
        NewSnooze::new(scope, from, end, self.reason, now)
    }
}

fn duration_of(value: &serde_json::Value) -> Result<std::time::Duration, InvalidField> {
    let parsed = match value {
        serde_json::Value::Number(number) => parse_duration(&number.to_string()),
        serde_json::Value::String(text) => parse_duration(text),
        _ => Err("must be seconds or text such as 30m".to_owned()),
    };
    parsed.map_err(|problem| InvalidField::new("duration", problem))
}

/// Snoozes alerts: deaths wait for the end of the snooze (and are alerted then if
/// the service is still dead); reminders and event alerts are dropped.
#[utoipa::path(post, path = "/snooze", tag = "alerts", request_body = SnoozeBody,
    responses((status = 201, body = Snooze), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn add_snooze(
    State(state): State<AppState>,
    _: NoQuery,
    JsonBody(body): JsonBody<SnoozeBody>,
) -> Result<(StatusCode, Json<Snooze>), ApiError> {
    let snooze = body.into_snooze(Timestamp::now())?;
    let stored = state.app.add_snooze(snooze).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// Ends a snooze now; the alerts it held are judged again at once.
#[utoipa::path(delete, path = "/snooze/{id}", tag = "alerts",
    params(("id" = i64, Path, description = "The snooze's id")),
    responses((status = 200, description = "The removed snooze", body = Snooze),
              (status = 404, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn delete_snooze(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: NoQuery,
) -> Result<Json<Snooze>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::Invalid(format!("id: `{id}` is not a snooze id (a number)")))?;
    let removed = state.app.delete_snooze(id, Timestamp::now()).await?;
    let snooze = removed.ok_or_else(|| ApiError::NotFound(format!("id: no snooze {id}")))?;
    Ok(Json(snooze))
}

/// Snoozes in force or to come, by end.
#[utoipa::path(get, path = "/snoozes", tag = "alerts",
    responses((status = 200, body = Vec<Snooze>), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn list_snoozes(
    State(state): State<AppState>,
    _: NoQuery,
) -> Result<Json<Vec<Snooze>>, ApiError> {
    Ok(Json(state.store.list_snoozes(Timestamp::now()).await?))
}
