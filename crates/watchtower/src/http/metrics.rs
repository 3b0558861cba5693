//! `GET /metrics`: the Prometheus text exposition, without the API password; with
//! `metrics.token` set, only for `Authorization: Bearer <token>`.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use crate::time::Timestamp;

const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub async fn scrape(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = &state.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        if !given.is_some_and(|given| token.accepts(given.as_bytes())) {
            return Err(ApiError::Unauthorized);
        }
    }
    let gauges = state.store.gauges().await?;
    let limit = state.metrics_services;
    let services = match limit {
        0 => Vec::new(),
        _ => state.store.list_services().await?,
    };
    let text = state
        .metrics
        .render(&gauges, &services, limit, Timestamp::now());
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response())
}
