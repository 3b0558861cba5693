//! `POST /test-alert`: a message through a channel now, answered with what the
//! channel said; never queued, never retried; audited.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::access::{call, key};
use support::{Receiver, Server, refusal_error};

async fn start(ops: &Receiver, other: &Receiver) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": ops.url}, "other": {"url": other.url}},
        "routes": {"oncall": [
            {"alertType": "webhook", "alertTarget": "ops"},
            {"alertType": "webhook", "alertTarget": "other"}
        ]},
        "alerts": {"timeout": 2, "storm": {"enabled": false}},
    });
    let server = Server::start(dir.path(), config).await;
    (dir, server)
}

#[tokio::test]
async fn a_test_alert_reaches_the_channel_and_says_it_is_a_test() {
    let (ops, other) = (Receiver::start(&[]).await, Receiver::start(&[]).await);
    let (_dir, server) = start(&ops, &other).await;
    let body = json!({"alertType": "webhook", "alertTarget": "ops"});
    let (status, answer) = server.send(Method::POST, "/test-alert", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer,
        json!({"delivered": [{"alertType": "webhook", "alertTarget": "ops"}]})
    );
    let received = ops.received();
    assert_eq!(received.len(), 1, "sent once, at once");
    let alert = received[0].json();
    assert_eq!(
        (&alert["kind"], &alert["service"], &alert["title"]),
        (
            &json!("test"),
            &json!("watchtower"),
            &json!("Watchtower test alert")
        )
    );
    let message = alert["message"].as_str().unwrap();
    assert!(
        message.contains("the password asked") && message.contains("Nothing is down"),
        "{message}"
    );
    assert!(other.received().is_empty());
    let trail = server.events("?service=watchtower").await;
    assert_eq!(
        trail[0]["message"],
        "the password from 127.0.0.1 sent a test alert to webhook ops"
    );
}

#[tokio::test]
async fn a_route_is_tested_channel_by_channel_and_a_refusal_is_a_502_naming_it() {
    let ops = Receiver::start(&[]).await;
    let other = Receiver::start(&[503]).await;
    let (_dir, server) = start(&ops, &other).await;
    let response = server
        .request(Method::POST, "/test-alert")
        .json(&json!({"alertType": "route", "alertTarget": "oncall"}))
        .send()
        .await
        .unwrap();
    let error = refusal_error(response, StatusCode::BAD_GATEWAY).await;
    assert!(
        error.starts_with("alertTarget: not delivered: webhook other: ") && error.contains("503"),
        "{error}"
    );
    assert_eq!(ops.received().len(), 1, "the route's other channel got it");
    assert_eq!(
        other.received().len(),
        1,
        "tried once: a test is never retried"
    );
}

#[tokio::test]
async fn test_alerts_need_a_known_target_and_a_scope_that_may_write() {
    let (ops, other) = (Receiver::start(&[]).await, Receiver::start(&[]).await);
    let (_dir, server) = start(&ops, &other).await;
    for (body, field) in [
        (
            json!({"alertType": "carrier-pigeon", "alertTarget": "ops"}),
            "alertType: ",
        ),
        (
            json!({"alertType": "webhook", "alertTarget": "nowhere"}),
            "alertTarget: ",
        ),
        (
            json!({"alertType": "mail", "alertTarget": "ops@example.com"}),
            "alertType: ",
        ),
        (json!({"alertType": "webhook"}), "body: "),
    ] {
        let response = server
            .request(Method::POST, "/test-alert")
            .json(&body)
            .send()
            .await
            .unwrap();
        let error = refusal_error(response, StatusCode::BAD_REQUEST).await;
        assert!(error.starts_with(field), "{body}: {error}");
    }
    let reader = key(&server, json!({"name": "wall", "scope": "read"})).await;
    let body = json!({"alertType": "webhook", "alertTarget": "ops"});
    let (status, _) = call(&server, &reader, Method::POST, "/test-alert", Some(body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(ops.received().is_empty());
}

#[tokio::test]
async fn the_command_line_sends_a_test_alert_and_fails_with_the_channel_s_error() {
    let ops = Receiver::start(&[]).await;
    let other = Receiver::start(&[503]).await;
    let (_dir, server) = start(&ops, &other).await;
    // Run without blocking this runtime, which answers for the receivers.
    let cli = |target: &str| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_watchtower"))
            .args(["test-alert", target])
            .env("WATCHTOWER_URL", &server.url)
            .env("WATCHTOWER_PASSWORD", support::PASSWORD)
            .output()
    };
    let sent = cli("webhook:ops").await.unwrap();
    assert!(sent.status.success(), "{}", support::stderr(&sent));
    assert_eq!(
        String::from_utf8_lossy(&sent.stdout),
        "test alert delivered to webhook:ops\n"
    );
    let refused = cli("webhook:other").await.unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        support::stderr(&refused).contains("webhook other: "),
        "{}",
        support::stderr(&refused)
    );
}
