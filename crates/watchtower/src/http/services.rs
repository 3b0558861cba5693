//! `/`: pulse (POST), cancel (DELETE) and list (GET) monitored services.

use crate::auth::Principal;
use axum::Extension;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use std::net::SocketAddr;

use super::AppState;
use super::auth::Actor;
use super::error::{ApiError, ErrorBody};
use super::extract::{JsonBody, NoQuery, present, seconds_or_duration};
use crate::field::InvalidField;
use crate::monitor::pings::{PingKind, PingSource};
use crate::monitor::{
    AlertRoute, AlertType, Cadence, MAX_GRACE, NextIn, Pulse, Schedule, Service, ServiceName,
    parse_grace, parse_remind_every,
};
use crate::time::Timestamp;

/// A pulse: "I am alive, and will pulse again within `nextIn` seconds" (or at
/// the next time of `schedule`), "give me `grace` more before I am dead".
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "camelCase",
    expecting = "a JSON object with service, alertType, alertTarget, and nextIn or schedule"
)]
pub struct PulseBody {
    service: String,
    /// `mail`, `pushover` or `webhook`.
    alert_type: String,
    /// An e-mail address, a Pushover user or group key, or a configured webhook name.
    alert_target: String,
    /// Seconds until the next pulse is due: at least 0.1, fractions allowed, at most one year.
    #[serde(default, deserialize_with = "present")]
    next_in: Option<f64>,
    /// Instead of `nextIn`: a cron expression, the next pulse due at its next time.
    #[serde(default, deserialize_with = "present")]
    schedule: Option<String>,
    /// The schedule's IANA time zone; default UTC.
    #[serde(default, deserialize_with = "present")]
    tz: Option<String>,
    /// Seconds (or `15m`) past the expected time before the service is dead.
    #[serde(default, deserialize_with = "present")]
    grace: Option<serde_json::Value>,
    /// Seconds between reminders while the service stays dead; 0: never; absent:
    /// the server's default (`alerts.remindEvery`).
    #[serde(default)]
    remind_every: Option<f64>,
    /// A service this one depends on: while that one is dead, this one's death is
    /// folded into its alert.
    #[serde(default)]
    depends_on: Option<String>,
}

impl PulseBody {
    pub(super) fn depends_on(&self) -> Option<&str> {
        self.depends_on.as_deref()
    }

    pub(super) fn into_pulse(self, at: Timestamp) -> Result<Pulse, ApiError> {
        let service = ServiceName::parse("service", &self.service)?;
        Ok(Pulse {
            alert: AlertRoute {
                kind: AlertType::parse(&self.alert_type)?,
                target: self.alert_target,
            },
            cadence: cadence(self.next_in, self.schedule, self.tz.as_deref())?,
            grace: self
                .grace
                .as_ref()
                .map(grace)
                .transpose()?
                .unwrap_or_default(),
            at,
            remind_every: self.remind_every.map(parse_remind_every).transpose()?,
            depends_on: self
                .depends_on
                .map(|name| match ServiceName::parse("dependsOn", &name) {
                    Ok(parent) if parent == service => Err(InvalidField::rule(
                        "dependsOn",
                        "a service cannot depend on itself",
                    )),
                    parsed => parsed,
                })
                .transpose()?,
            service,
            note: None,
        })
    }
}

/// `nextIn` or `schedule` (with its `tz`): exactly one.
fn cadence(
    next_in: Option<f64>,
    schedule: Option<String>,
    tz: Option<&str>,
) -> Result<Cadence, InvalidField> {
    match (next_in, schedule) {
        (Some(next_in), None) if tz.is_none() => Ok(Cadence::Every(NextIn::parse(next_in)?)),
        (Some(_), None) => Err(InvalidField::new(
            "tz",
            "is the time zone of a schedule: give it with schedule, not nextIn",
        )),
        (None, Some(schedule)) => Ok(Cadence::Cron(Schedule::parse(&schedule, tz)?)),
        (Some(_), Some(_)) => Err(InvalidField::new(
            "schedule",
            "give either nextIn or schedule, not both",
        )),
        (None, None) => Err(InvalidField::new(
            "nextIn",
            "give nextIn (seconds until the next pulse) or schedule (a cron expression)",
        )),
    }
}

/// `grace` as seconds (bounded as the API document says: `400` beyond) or as a
/// duration's text (whose grammar bounds no value: `422` beyond).
pub(super) fn grace(value: &serde_json::Value) -> Result<Duration, InvalidField> {
    let given = seconds_or_duration("grace", value)?;
    match value {
        serde_json::Value::String(_) if given > MAX_GRACE => {
            Err(InvalidField::rule("grace", "must be at most one year"))
        }
        serde_json::Value::String(_) => Ok(given),
        _ => parse_grace(given.as_secs_f64()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a JSON object with service")]
pub struct CancelBody {
    service: String,
}

/// Records a pulse; a dead service recovers.
#[utoipa::path(post, path = "/", tag = "services",
    responses((status = 200, description = "The service after the pulse", body = Service),
              (status = 400, description = "Invalid pulse; the error names the field", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("password" = [])))]
pub async fn record_pulse(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    _: NoQuery,
    JsonBody(body): JsonBody<PulseBody>,
) -> Result<Json<Service>, ApiError> {
    let received = Instant::now();
    principal
        .check_service("service", &body.service)
        .map_err(ApiError::Forbidden)?;
    if let Some(parent) = &body.depends_on {
        principal
            .check_service("dependsOn", parent)
            .map_err(ApiError::Forbidden)?;
    }
    let mut pulse = body.into_pulse(Timestamp::now())?;
    let source = PingSource::api(super::notes::user_agent(&headers));
    pulse.note = Some(super::notes::note(
        &state,
        &headers,
        peer,
        PingKind::Pulse,
        source,
    ));
    Ok(Json(state.app.record_pulse(pulse, received).await?))
}

/// Stops monitoring a service; it will never alert again.
#[utoipa::path(delete, path = "/", tag = "services",
    responses((status = 200, description = "The removed service", body = Service),
              (status = 404, description = "No such service", body = ErrorBody),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn cancel_service(
    State(state): State<AppState>,
    actor: Actor,
    _: NoQuery,
    JsonBody(body): JsonBody<CancelBody>,
) -> Result<Json<Service>, ApiError> {
    actor
        .principal
        .check_service("service", &body.service)
        .map_err(ApiError::Forbidden)?;
    // Any name a service may be stored under, even one taken before names had to
    // show as what they are, so that such a service can still be removed.
    let name = ServiceName::stored("service", &body.service)?;
    let removed = state.app.cancel_service(&name, Timestamp::now()).await?;
    let service =
        removed.ok_or_else(|| ApiError::NotFound(format!("service: no service named `{name}`")))?;
    let what = format!("cancelled the service `{name}`");
    state
        .app
        .audit(&actor.principal, actor.client, &what, Timestamp::now())
        .await;
    Ok(Json(service))
}
