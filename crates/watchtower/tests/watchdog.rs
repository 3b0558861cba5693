//! Watching the watcher: the server's own outbound heartbeat, to a local receiver
//! and to a second real Watchtower that declares the first dead when it stops.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::Method;
use serde_json::json;
use support::{PASSWORD, Receiver, Server, run_expecting_failure, stderr, wait_for};

#[tokio::test]
async fn beats_go_out_on_time_with_the_password_and_a_pulse_body() {
    let receiver = Receiver::start(&[500]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"watchdog": {
        "url": format!("{}/", receiver.url), "every": 0.2, "password": "their-password",
        "service": "monitor-1", "alertType": "email", "alertTarget": "ops@example.com"}});
    let _server = Server::start(dir.path(), config).await;
    // The first answer is a 500: the beats go on regardless.
    let beats = receiver.wait_for_requests(3).await;
    for beat in &beats {
        assert_eq!(beat.method, Method::POST);
        assert_eq!(beat.path, "/");
        assert_eq!(beat.headers["password"], "their-password");
        assert_eq!(beat.headers["content-type"], "application/json");
        assert_eq!(
            beat.json(),
            json!({"service": "monitor-1", "nextIn": 0.4,
                   "alertType": "email", "alertTarget": "ops@example.com"})
        );
    }
}

#[tokio::test]
async fn another_watchtower_declares_the_watcher_dead_when_it_stops() {
    let watcher_dir = tempfile::tempdir().unwrap();
    let watcher = Server::start(
        watcher_dir.path(),
        json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}}}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"watchdog": {
        "url": format!("{}/", watcher.url), "every": 0.3, "password": PASSWORD,
        "alertType": "webhook", "alertTarget": "ops"}});
    let mut watched = Server::start(dir.path(), config).await;
    let name = wait_for("the first beat", async || {
        let services = watcher.services().await;
        let found = services.iter().find(|s| s["status"] == "up")?;
        Some(found["service"].as_str().unwrap().to_owned())
    })
    .await;
    assert!(name.starts_with("watchtower-"), "{name}");
    watched.kill();
    wait_for("the watcher's death", async || {
        (watcher.status_of(&name).await.as_deref() == Some("dead")).then_some(())
    })
    .await;
    let (_, events) = watcher
        .send(
            Method::GET,
            &format!("/list-events?service={name}&level=error"),
            None,
        )
        .await;
    assert_eq!(events.as_array().unwrap().len(), 1, "{events}");
}

#[test]
fn a_bad_watchdog_config_stops_the_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (watchdog, key) in [
        (json!({"url": "ftp://x/"}), "watchdog.url"),
        (json!({"url": "http://x/", "every": 0}), "watchdog.every"),
        (
            json!({"url": "http://x/", "alertType": "email"}),
            "watchdog.alertType",
        ),
    ] {
        let path = support::write_config(dir.path(), json!({"watchdog": watchdog}));
        let output = run_expecting_failure(
            dir.path(),
            &["serve", "--config", path.to_str().unwrap()],
            &[],
        );
        assert!(
            stderr(&output).contains(&format!("`{key}`")),
            "{}",
            stderr(&output)
        );
    }
}
