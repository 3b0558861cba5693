//! The alert policy's harness, for tests/alert_policy.rs and
//! tests/snoozes_and_flapping.rs: a server whose webhooks `ops` and `dev` go to two
//! local receivers, pulses that alert `ops` unless told otherwise, and the alerts
//! the receivers got.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Receiver, Server, wait_for};

/// A server whose webhooks `ops` and `dev` go to two receivers; `alerts` adds to
/// the alert settings (fast retries, storm control off unless asked).
pub async fn start(alerts: Value) -> (tempfile::TempDir, Server, Receiver, Receiver) {
    let (ops, dev) = (Receiver::start(&[]).await, Receiver::start(&[]).await);
    let mut settings =
        json!({"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}});
    for (key, value) in alerts.as_object().unwrap() {
        settings[key] = value.clone();
    }
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": ops.url}, "dev": {"url": dev.url}},
        "alerts": settings,
    });
    let server = Server::start(dir.path(), config).await;
    (dir, server, ops, dev)
}

/// Pulses with `body`, which adds to (or overrides) a webhook alert to `ops`.
pub async fn pulse(server: &Server, body: Value) -> Value {
    let mut pulse = json!({"alertType": "webhook", "alertTarget": "ops"});
    for (key, value) in body.as_object().unwrap() {
        pulse[key] = value.clone();
    }
    let (status, answer) = server.send(Method::POST, "/", Some(pulse)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

/// The alerts a receiver got, as (kind, service) pairs.
pub fn alerts(hook: &Receiver) -> Vec<(String, String)> {
    hook.received()
        .iter()
        .map(|r| {
            let alert = r.json();
            (
                alert["kind"].as_str().unwrap().to_owned(),
                alert["service"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

pub async fn wait_for_alert(hook: &Receiver, kind: &str, service: &str) -> Value {
    wait_for(&format!("a {kind} alert about {service}"), async || {
        hook.received()
            .iter()
            .map(|r| r.json())
            .find(|a| a["kind"] == kind && a["service"] == service)
    })
    .await
}

pub async fn wait_until_dead(server: &Server, service: &str) {
    wait_for(&format!("{service} to die"), async || {
        (server.status_of(service).await.as_deref() == Some("dead")).then_some(())
    })
    .await;
}

pub fn pair(kind: &str, service: &str) -> (String, String) {
    (kind.to_owned(), service.to_owned())
}
