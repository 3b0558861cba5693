//! `GET /alerts`: alerts as they fared (sent, pending a retry and why, given up,
//! kept back by the policy), newest first, so that a failing channel is seen.

use axum::extract::State;
use axum::{Extension, Json};

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{Params, QueryPairs};
use crate::alert::history::{AlertQuery, AlertRecord, AlertState};
use crate::auth::Principal;
use crate::field::InvalidField;
use crate::monitor::ServiceName;

/// Alerts, newest first: `service=`, `state=` (`pending`, `sent`, `failed`,
/// `cancelled`, `suppressed`, `digested`, or `failing`: pending after a failed
/// attempt) and `limit=` (1 to 1,000; default 100).
#[utoipa::path(get, path = "/alerts", tag = "alerts",
    params(("service" = Option<String>, Query, description = "Only this service's alerts"),
           ("state" = Option<String>, Query, description = "Only alerts in this state, or `failing`"),
           ("limit" = Option<u32>, Query, description = "At most this many (1 to 1000; default 100)")),
    responses((status = 200, body = Vec<AlertRecord>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("password" = [])))]
pub async fn list_alerts(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Vec<AlertRecord>>, ApiError> {
    let params = Params::parse(&pairs, &["service", "state", "limit"])?;
    let service = params
        .get("service")
        .map(|name| {
            principal
                .check_service("service", name)
                .map_err(ApiError::Forbidden)?;
            Ok::<_, ApiError>(ServiceName::parse("service", name)?)
        })
        .transpose()?;
    let (alert_state, failing) = match params.get("state") {
        None => (None, false),
        Some("failing") => (None, true),
        Some(text) => (Some(AlertState::parse(text).ok_or_else(|| {
            InvalidField::new(
                "state",
                format!("`{text}` is not pending, sent, failed, cancelled, suppressed, digested or failing"),
            )
        })?), false),
    };
    let query = AlertQuery {
        service,
        service_prefix: principal.prefix.clone(),
        state: alert_state,
        failing,
        limit: AlertQuery::limit(params.get("limit"))?,
    };
    Ok(Json(state.store.list_alerts(query).await?))
}
