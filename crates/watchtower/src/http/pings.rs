//! `GET /services/{name}/pings`: a service's ping history, newest first: every
//! pulse, start, failure and log it sent, with where it came from.

use axum::Json;
use axum::extract::State;

use super::AppState;
use super::auth::Actor;
use super::error::{ApiError, ErrorBody};
use super::extract::{Params, QueryPairs};
use super::path::Path;
use crate::field::InvalidField;
use crate::monitor::ServiceName;
use crate::monitor::pings::{MAX_PING_HISTORY, Ping};

/// A service's latest pings, newest first (`limit`: 1 to 10,000; default: all
/// that are kept, the last 100 unless `pingHistory` says otherwise).
#[utoipa::path(get, path = "/services/{name}/pings", tag = "services",
    params(("name" = String, Path, description = "The service's name"),
           ("limit" = Option<u32>, Query, description = "At most this many (1 to 10000)")),
    responses((status = 200, body = Vec<Ping>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("password" = [])))]
pub async fn list_pings(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Vec<Ping>>, ApiError> {
    let params = Params::parse(&pairs, &["limit"])?;
    actor
        .principal
        .check_service("name", &name)
        .map_err(ApiError::Forbidden)?;
    let name = ServiceName::stored("name", &name)?;
    let limit = match params.get("limit") {
        None => MAX_PING_HISTORY,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=MAX_PING_HISTORY).contains(limit) && !text.starts_with('+'))
            .ok_or_else(|| {
                InvalidField::new(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_PING_HISTORY}"),
                )
            })?,
    };
    if state.store.service(name.clone()).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "name: no service named `{name}`"
        )));
    }
    let pings = state.store.list_pings(name, limit as usize).await?;
    Ok(Json(pings))
}
