//! What the strict-input tests share: a server with a ping key and one service
//! already kept, and everything a refused request could have written.

use axum::http::Method;
use serde_json::{Value, json};

use super::Server;

pub const KEY: &str = "cron-key-0123456789abcdef";

/// A server with a ping key (`KEY`, bound to `nas`), an Alertmanager switch, and a
/// service `kept` already pulsed.
pub async fn start() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}},
        "pingKeys": {"cron": {"key": KEY, "service": "nas", "alertType": "webhook", "alertTarget": "ops"}},
        "alertmanager": {"alerts": {"Watchdog": {"service": "prometheus", "nextIn": 300}}},
    });
    let server = Server::start(dir.path(), config).await;
    server.pulse("kept", "webhook", "ops", 3600.0).await;
    (dir, server)
}

/// Everything a refused request could have written.
pub async fn written(server: &Server) -> Value {
    let (_, snoozes) = server.send(Method::GET, "/snoozes", None).await;
    json!([server.services().await, server.events("").await, snoozes])
}
