//! What a dashboard needs to offer choices rather than free text: `GET /channels`
//! (the configured channels with the targets they take, the routes, the ping keys,
//! by name and never with a secret) and `GET /schedule` (a cron expression in
//! words, with its next times).

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{NoQuery, Params, QueryPairs};
use crate::alert::TargetForm;
use crate::monitor::Schedule;
use crate::time::Timestamp;

/// A configured channel and what it takes as `alertTarget`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelInfo {
    #[schema(example = "webhook")]
    alert_type: &'static str,
    /// `named` (one of `targets`), `email`, or `pattern` (text matching `pattern`).
    #[schema(example = "named")]
    form: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    targets: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_chars: Option<usize>,
}

/// One channel of a route.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RouteStepInfo {
    alert_type: &'static str,
    alert_target: String,
}

#[derive(Serialize, ToSchema)]
pub struct RouteInfo {
    name: String,
    steps: Vec<RouteStepInfo>,
}

/// A ping key by name, with what it may ping; never the key itself.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PingKeyInfo {
    name: String,
    /// The one service `/api/push/<key>` pulses without `service=`.
    service: Option<String>,
    /// It may ping services starting with this…
    prefix: Option<String>,
    /// …or these; with neither, any service.
    services: Vec<String>,
    /// Where alerts of services first seen through it go.
    alert_type: Option<&'static str>,
    alert_target: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelsAnswer {
    channels: Vec<ChannelInfo>,
    routes: Vec<RouteInfo>,
    ping_keys: Vec<PingKeyInfo>,
}

/// The alert channels this server has configured (the alert types a pulse may
/// name, with the targets each takes), its routes and its ping keys, by name.
/// No URL, token or key is ever in it.
#[utoipa::path(get, path = "/channels", tag = "alerts",
    responses((status = 200, body = ChannelsAnswer), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn list_channels(State(state): State<AppState>, _: NoQuery) -> Json<ChannelsAnswer> {
    let channels = state.app.channels();
    let described = channels
        .target_forms()
        .into_iter()
        .map(|(kind, form)| {
            let mut info = ChannelInfo {
                alert_type: kind.as_str(),
                form: "named",
                targets: None,
                pattern: None,
                max_chars: None,
            };
            match form {
                TargetForm::Named(names) => info.targets = Some(names),
                TargetForm::Email => info.form = "email",
                TargetForm::Pattern {
                    pattern, max_chars, ..
                } => {
                    info.form = "pattern";
                    info.pattern = Some(pattern);
                    info.max_chars = Some(max_chars);
                }
            }
            info
        })
        .collect();
    let routes = channels
        .routes()
        .iter()
        .map(|(name, steps)| RouteInfo {
            name: name.clone(),
            steps: steps
                .iter()
                .map(|step| RouteStepInfo {
                    alert_type: step.kind.as_str(),
                    alert_target: step.target.clone(),
                })
                .collect(),
        })
        .collect();
    let ping_keys = state
        .pings
        .keys
        .iter()
        .map(|key| PingKeyInfo {
            name: key.name.clone(),
            service: key.service.as_ref().map(|s| s.as_str().to_owned()),
            prefix: key.binding.as_ref().and_then(|b| b.prefix.clone()),
            services: key
                .binding
                .iter()
                .flat_map(|b| b.services.iter().map(|s| s.as_str().to_owned()))
                .collect(),
            alert_type: key.route.as_ref().map(|r| r.kind.as_str()),
            alert_target: key.route.as_ref().map(|r| r.target.clone()),
        })
        .collect();
    Json(ChannelsAnswer {
        channels: described,
        routes,
        ping_keys,
    })
}

/// A schedule explained.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleAnswer {
    #[schema(example = "0 9 * * 1-5")]
    schedule: String,
    #[schema(example = "Europe/Berlin")]
    tz: &'static str,
    /// In words: `At 09:00, on Monday, Tuesday, Wednesday, Thursday, and Friday.`
    description: String,
    /// Its next times after now, as RFC 3339 dates in UTC.
    #[schema(value_type = Vec<String>)]
    next: Vec<Timestamp>,
}

/// The most next times `/schedule` lists.
pub const MAX_COUNT: usize = 20;

/// Explains a cron expression as a pulse's `schedule` would take it: in words,
/// with its next `count` times (5 by default, at most 20) in the zone `tz`
/// (UTC by default). A bad expression or zone is a 400 naming the field; one
/// that never comes, a 422.
#[utoipa::path(get, path = "/schedule", tag = "services",
    params(("schedule" = String, Query, description = "A five-field cron expression or a macro such as @daily"),
           ("tz" = Option<String>, Query, description = "An IANA time zone; UTC by default"),
           ("count" = Option<usize>, Query, description = "How many next times, 1 to 20; 5 by default")),
    responses((status = 200, body = ScheduleAnswer), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 422, description = "The expression never comes (`0 0 30 2 *`)", body = ErrorBody)),
    security(("password" = [])))]
pub async fn explain_schedule(
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<ScheduleAnswer>, ApiError> {
    let query = Params::parse(&pairs, &["schedule", "tz", "count"])?;
    let expression = query.get("schedule").ok_or_else(|| {
        ApiError::Invalid("schedule: give a cron expression, schedule=0 9 * * 1-5".into())
    })?;
    let count = match query.get("count") {
        None => 5,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|count| (1..=MAX_COUNT).contains(count))
            .ok_or_else(|| {
                ApiError::Invalid(format!(
                    "count: must be a whole number from 1 to {MAX_COUNT}"
                ))
            })?,
    };
    let schedule = Schedule::parse(expression, query.get("tz"))?;
    Ok(Json(ScheduleAnswer {
        schedule: schedule.expression().to_owned(),
        tz: schedule.tz(),
        description: schedule.describe(),
        next: schedule.upcoming(Timestamp::now(), count),
    }))
}
