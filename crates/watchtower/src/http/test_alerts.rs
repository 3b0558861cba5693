//! `POST /test-alert`: sends a test message through a channel now and answers
//! what the channel said, so that a wrong address or token shows before an outage.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::auth::Actor;
use super::error::{ApiError, ErrorBody};
use super::extract::{JsonBody, NoQuery};
use crate::monitor::{AlertRoute, AlertType};
use crate::time::Timestamp;

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "camelCase",
    expecting = "a JSON object with alertType and alertTarget"
)]
pub struct TestAlertBody {
    alert_type: String,
    alert_target: String,
}

/// A channel that took the test alert.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivered {
    #[schema(example = "webhook")]
    alert_type: &'static str,
    #[schema(example = "ops")]
    alert_target: String,
}

/// The channels that took it: every channel of a route, or the one named.
#[derive(Serialize, ToSchema)]
pub struct TestAlertAnswer {
    delivered: Vec<Delivered>,
}

/// Sends a test alert now (never queued, never retried); `502` names each channel
/// that refused it or could not be reached, with its error.
#[utoipa::path(post, path = "/test-alert", tag = "alerts",
    responses((status = 200, body = TestAlertAnswer),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 502, description = "A channel did not take it; the error says why", body = ErrorBody)),
    security(("password" = [])))]
pub async fn send_test_alert(
    State(state): State<AppState>,
    actor: Actor,
    _: NoQuery,
    JsonBody(body): JsonBody<TestAlertBody>,
) -> Result<Json<TestAlertAnswer>, ApiError> {
    let route = AlertRoute {
        kind: AlertType::parse(&body.alert_type)?,
        target: body.alert_target,
    };
    let now = Timestamp::now();
    let what = format!(
        "sent a test alert to {} {}",
        route.kind.as_str(),
        route.target
    );
    let outcomes = state.app.test_alert(route, &actor.principal, now).await?;
    state
        .app
        .audit(&actor.principal, actor.client, &what, now)
        .await;
    let failed: Vec<String> = outcomes
        .iter()
        .filter_map(|outcome| {
            let error = outcome.error.as_ref()?;
            let route = &outcome.route;
            Some(format!("{} {}: {error}", route.kind.as_str(), route.target))
        })
        .collect();
    if !failed.is_empty() {
        return Err(ApiError::Undelivered(format!(
            "alertTarget: not delivered: {}",
            failed.join("; ")
        )));
    }
    let delivered = outcomes
        .into_iter()
        .map(|outcome| Delivered {
            alert_type: outcome.route.kind.as_str(),
            alert_target: outcome.route.target,
        })
        .collect();
    Ok(Json(TestAlertAnswer { delivered }))
}
