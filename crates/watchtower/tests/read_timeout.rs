//! A read of the store that runs past `limits.readTimeout` is stopped, freeing
//! its reader and its core, and answered `503` naming the setting; the server
//! goes on serving. On both backends.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::Server;

#[tokio::test]
async fn a_read_past_the_read_timeout_is_stopped_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "limits": {"readTimeout": 0.001},
        "webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}},
    });
    let server = Server::start(dir.path(), config).await;
    // 100,000 events: a two-letter search, which no trigram index serves, scans
    // them all, far longer than a millisecond on any machine.
    for batch in 0..10 {
        let events: Vec<Value> = (0..10_000)
            .map(|i| json!({"service": "batch", "level": "info", "message": format!("event {batch}-{i} of the load")}))
            .collect();
        let (status, _) = server
            .send(Method::POST, "/add-events", Some(Value::Array(events)))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    for path in [
        "/list-events?message=qz",
        "/event-stats?bucket=day&message=qz",
    ] {
        let (status, answer) = server.send(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {answer}");
        let error = answer["error"].as_str().unwrap();
        assert!(
            error.contains("took longer than 1ms (limits.readTimeout) and was stopped"),
            "{path}: {error}"
        );
    }
    // Stopped, not stuck: the server writes and answers as before (a write, as
    // any read here could be stopped by a descheduled millisecond).
    let pulsed = server.pulse("after", "webhook", "ops", 60.0).await;
    assert_eq!(pulsed["status"], "up");
}
