//! `/snooze`, `/snooze/{id}` and `/snoozes`: maintenance windows.

use crate::auth::Principal;
use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::AppState;
use super::auth::Actor;
use super::error::{ApiError, ErrorBody};
use super::extract::{JsonBody, NoQuery, present, seconds_or_duration};
use super::path::Path;
use crate::alert::policy::{NewSnooze, Snooze, SnoozeEnd, SnoozeScope};
use crate::field::InvalidField;
use crate::time::Timestamp;

/// A snooze: one service (or `*`, every service) or a name prefix, for a duration
/// or until a date. A field is given or absent, never `null`: the API document
/// says so (`http::openapi::inputs`).
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a JSON object with service or prefix, and duration or until"
)]
pub struct SnoozeBody {
    #[serde(default, deserialize_with = "present")]
    service: Option<String>,
    #[serde(default, deserialize_with = "present")]
    prefix: Option<String>,
    #[serde(default, deserialize_with = "present")]
    duration: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "present")]
    until: Option<String>,
    #[serde(default, deserialize_with = "present")]
    from: Option<String>,
    #[serde(default, deserialize_with = "present")]
    reason: Option<String>,
}

impl SnoozeBody {
    fn into_snooze(self, now: Timestamp) -> Result<NewSnooze, InvalidField> {
        let scope = SnoozeScope::parse(self.service.as_deref(), self.prefix.as_deref())?;
        let date = Timestamp::parse_date;
        let end = match (self.duration, self.until) {
            (Some(duration), None) => SnoozeEnd::After(seconds_or_duration("duration", &duration)?),
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

/// Snoozes alerts: deaths wait for the end of the snooze (and are alerted then if
/// the service is still dead); reminders and event alerts are dropped.
#[utoipa::path(post, path = "/snooze", tag = "alerts",
    responses((status = 201, body = Snooze), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn add_snooze(
    State(state): State<AppState>,
    Actor { principal, client }: Actor,
    _: NoQuery,
    JsonBody(body): JsonBody<SnoozeBody>,
) -> Result<(StatusCode, Json<Snooze>), ApiError> {
    let snooze = body.into_snooze(Timestamp::now())?;
    if !within(&principal, &snooze.scope) {
        return Err(ApiError::Forbidden(format!(
            "service: {} may snooze only services starting with `{}`",
            principal.describe(),
            principal.prefix.as_deref().unwrap_or_default()
        )));
    }
    let stored = state.app.add_snooze(snooze).await?;
    let what = format!(
        "snoozed {} until {} (snooze {}{})",
        scope_text(&stored.scope),
        stored.until.to_rfc3339(),
        stored.id,
        stored
            .reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default()
    );
    state
        .app
        .audit(&principal, client, &what, Timestamp::now())
        .await;
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
    Actor { principal, client }: Actor,
    Path(id): Path<String>,
    _: NoQuery,
) -> Result<Json<Snooze>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::Invalid(format!("id: `{id}` is not a snooze id (a number)")))?;
    if principal.prefix.is_some() {
        // A key with a prefix ends only its own snoozes; others are not there for it.
        let active = state.store.list_snoozes(Timestamp::now()).await?;
        if !active
            .iter()
            .any(|s| s.id == id && within(&principal, &s.scope))
        {
            return Err(ApiError::NotFound(format!("id: no snooze {id}")));
        }
    }
    let removed = state.app.delete_snooze(id, Timestamp::now()).await?;
    let snooze = removed.ok_or_else(|| ApiError::NotFound(format!("id: no snooze {id}")))?;
    let what = format!("ended snooze {id} of {}", scope_text(&snooze.scope));
    state
        .app
        .audit(&principal, client, &what, Timestamp::now())
        .await;
    Ok(Json(snooze))
}

/// Snoozes in force or to come, by end.
#[utoipa::path(get, path = "/snoozes", tag = "alerts",
    responses((status = 200, body = Vec<Snooze>), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn list_snoozes(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    _: NoQuery,
) -> Result<Json<Vec<Snooze>>, ApiError> {
    let mut snoozes = state.store.list_snoozes(Timestamp::now()).await?;
    snoozes.retain(|snooze| within(&principal, &snooze.scope));
    Ok(Json(snoozes))
}

fn scope_text(scope: &SnoozeScope) -> String {
    match scope {
        SnoozeScope::All => "every service".into(),
        SnoozeScope::Service(name) => format!("the service `{name}`"),
        SnoozeScope::Prefix(prefix) => format!("the services starting with `{prefix}`"),
    }
}

/// Whether a snooze covers only services within the principal's prefix.
fn within(principal: &Principal, scope: &SnoozeScope) -> bool {
    match (&principal.prefix, scope) {
        (None, _) => true,
        (Some(_), SnoozeScope::All) => false,
        (Some(_), SnoozeScope::Service(name)) => principal.sees(name.as_str()),
        (Some(mine), SnoozeScope::Prefix(prefix)) => prefix.starts_with(mine.as_str()),
    }
}
