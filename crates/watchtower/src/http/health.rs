//! `/healthz` (the process answers) and `/readyz` (it can do its job: storage
//! takes writes and the alert dispatcher runs), for load balancers, orchestrators
//! and Docker's `HEALTHCHECK`. No password, and no details: a probe learns up or
//! down, the log says why.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;

pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let storage = state.store.check_writable().await;
    let dispatching = state.dispatching.get();
    match (storage, dispatching) {
        (Ok(()), true) => (StatusCode::OK, Json(json!({"status": "ready"}))),
        (storage, dispatching) => {
            if let Err(error) = storage {
                tracing::warn!(%error, "not ready: storage");
            }
            if !dispatching {
                tracing::warn!("not ready: the alert dispatcher is not running");
            }
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
        }
    }
}
