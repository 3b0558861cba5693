//! `POST /alertmanager/<ping key>`: Prometheus Alertmanager's webhook. A firing
//! alert named in `alertmanager.alerts` (typically the always-firing `Watchdog`)
//! pulses its service, so Watchtower hears when Prometheus or Alertmanager falls
//! silent. Other alerts are acknowledged and ignored.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use serde::Deserialize;

use super::AppState;
use super::error::ApiError;
use super::extract::{JsonBody, NoQuery};
use super::ping::authorise;
use crate::monitor::pings::{PingKind, PingSource};
use crate::monitor::{Cadence, NextIn, ServiceName};
use crate::time::Timestamp;
use crate::usecase::Timing;

/// The parts of Alertmanager's webhook payload (version 4) that matter here.
#[derive(Deserialize)]
pub struct Notification {
    alerts: Vec<Alert>,
}

#[derive(Deserialize)]
struct Alert {
    status: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

pub async fn receive(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    Path(key): Path<String>,
    _: NoQuery,
    JsonBody(notification): JsonBody<Notification>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let received = std::time::Instant::now();
    let at = Timestamp::now();
    let key = authorise(&state, peer, &headers, &key).await?;
    let defaults = key.defaults();
    let mut pulsed = Vec::new();
    for alert in notification.alerts.iter().filter(|a| a.status == "firing") {
        let Some(name) = alert.labels.get("alertname") else {
            continue;
        };
        let Some(switch) = state.alertmanager.alerts.get(name) else {
            continue;
        };
        let service = ServiceName::parse("service", &switch.service)?;
        key.may_ping(&service).map_err(ApiError::Forbidden)?;
        if pulsed.contains(&service) {
            continue;
        }
        let timing = Timing {
            cadence: Some(Cadence::Every(NextIn::parse(switch.next_in)?)),
            grace: None,
        };
        let note = super::notes::note(
            &state,
            &headers,
            peer,
            PingKind::Pulse,
            PingSource::Alertmanager,
        );
        (state.app)
            .pulse_with_defaults(&service, timing, &defaults, note, at, received)
            .await?;
        pulsed.push(service);
    }
    Ok(Json(
        serde_json::json!({"ok": true, "pulsed": pulsed.len()}),
    ))
}
