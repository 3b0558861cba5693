//! Telegram, ntfy, Gotify and Matrix: the exact request each API documents, at a
//! local receiver standing in for the service; which targets a pulse may name;
//! which failures are retried.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use base64::Engine;
use serde_json::{Value, json};
use support::{Receiver, Server, assert_stays};

const TELEGRAM_TOKEN: &str = "123456:ABC-DEF1234ghIkl";
const MATRIX_TOKEN: &str = "syt_d2F0Y2h0b3dlcg_secret";
const ROOM: &str = "!ops:example.org";

/// Fast retries, and no storm digests: each death is its own alert.
fn fast_alerts() -> Value {
    json!({"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}})
}

async fn start(channels: Value) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"channels": channels, "alerts": fast_alerts()});
    let server = Server::start(dir.path(), config).await;
    (dir, server)
}

/// Pulses with `target`, expects a 400 about `alertTarget`, and returns its error.
async fn refused(server: &Server, alert_type: &str, target: &str) -> String {
    let body =
        json!({"service": "refused", "alertType": alert_type, "alertTarget": target, "nextIn": 60});
    let (status, answer) = server.send(Method::POST, "/", Some(body)).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{alert_type} {target}: {answer}"
    );
    let error = answer["error"].as_str().unwrap().to_owned();
    assert!(error.starts_with("alertTarget: "), "{error}");
    error
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap()
}

#[tokio::test]
async fn telegram_gets_send_message_as_the_bot_to_the_chat() {
    let telegram = Receiver::start(&[]).await;
    let channels =
        json!({"telegram": {"token": TELEGRAM_TOKEN, "url": format!("{}/", telegram.url)}});
    let (_dir, server) = start(channels).await;
    let pulsed = server
        .pulse("backup", "telegram", "-1001234567890", 0.3)
        .await;

    let request = &telegram.wait_for_requests(1).await[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, format!("/bot{TELEGRAM_TOKEN}/sendMessage"));
    assert_eq!(request.headers["content-type"], "application/json");
    let body = request.json();
    assert_eq!(body["chat_id"], "-1001234567890");
    assert_eq!(body["disable_web_page_preview"], true);
    assert!(body.get("parse_mode").is_none(), "plain text: {body}");
    let message = text(&body["text"]);
    assert!(message.starts_with("backup is DOWN\n\n"), "{message}");
    assert!(message.contains(text(&pulsed["lastPulse"])), "{message}");

    server.pulse("news", "telegram", "@my_channel", 60.0).await;
    for (target, expected) in [
        ("ops", "chat id"),
        ("@abc", "@username"),
        ("https://t.me/x", "chat id"),
    ] {
        let error = refused(&server, "telegram", target).await;
        assert!(error.contains(expected), "{error}");
    }
}

#[tokio::test]
async fn ntfy_gets_the_message_as_text_and_the_rest_in_headers() {
    let ntfy = Receiver::start(&[]).await;
    let channels = json!({"ntfy": {"url": ntfy.url, "token": "tk_access"}});
    let (_dir, server) = start(channels).await;
    server
        .pulse("sauvegarde-été", "ntfy", "ops_alerts-1", 0.3)
        .await;

    let request = &ntfy.wait_for_requests(1).await[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/ops_alerts-1");
    assert_eq!(request.headers["authorization"], "Bearer tk_access");
    assert_eq!(request.headers["priority"], "urgent");
    assert_eq!(request.headers["tags"], "rotating_light");
    // Not ASCII: an RFC 2047 encoded word, which ntfy decodes.
    let title = request.headers["title"].to_str().unwrap();
    let encoded = title
        .strip_prefix("=?UTF-8?B?")
        .and_then(|rest| rest.strip_suffix("?="))
        .unwrap_or_else(|| panic!("not an encoded word: {title}"));
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded).unwrap(),
        "sauvegarde-été is DOWN"
    );
    let message = std::str::from_utf8(&request.body).unwrap();
    assert!(
        message.contains("sauvegarde-été missed its deadline"),
        "{message}"
    );
    assert!(
        !message.contains("is DOWN"),
        "the title goes in its header: {message}"
    );

    server
        .pulse("sauvegarde-été", "ntfy", "ops_alerts-1", 60.0)
        .await;
    let recovery = &ntfy.wait_for_requests(2).await[1];
    assert_eq!(recovery.headers["priority"], "default");
    assert_eq!(recovery.headers["tags"], "white_check_mark");

    for topic in ["a/b", "../v1/account", "..", "", "spaces here", "v1"] {
        let error = refused(&server, "ntfy", topic).await;
        assert!(error.contains("topic"), "{error}");
    }
}

#[tokio::test]
async fn ntfy_without_a_token_sends_no_authorization_and_plain_ascii_titles() {
    let ntfy = Receiver::start(&[]).await;
    let (_dir, server) = start(json!({"ntfy": {"url": ntfy.url}})).await;
    server.pulse("backup", "ntfy", "ops", 0.3).await;
    let request = &ntfy.wait_for_requests(1).await[0];
    assert!(request.headers.get("authorization").is_none());
    assert_eq!(request.headers["title"], "backup is DOWN");
}

#[tokio::test]
async fn gotify_gets_a_message_as_the_named_app() {
    let gotify = Receiver::start(&[]).await;
    let channels =
        json!({"gotify": {"url": gotify.url, "apps": {"ops": "AbCdEf.ops", "dev": "AbCdEf.dev"}}});
    let (_dir, server) = start(channels).await;
    server.pulse("backup", "gotify", "ops", 0.3).await;

    let request = &gotify.wait_for_requests(1).await[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/message");
    assert_eq!(request.headers["x-gotify-key"], "AbCdEf.ops");
    assert_eq!(request.headers["content-type"], "application/json");
    let body = request.json();
    assert_eq!(body["title"], "backup is DOWN");
    assert!(
        text(&body["message"]).contains("backup missed its deadline"),
        "{body}"
    );
    assert_eq!(body["priority"], 8);

    server.pulse("backup", "gotify", "ops", 60.0).await;
    let body = gotify.wait_for_requests(2).await[1].json();
    assert_eq!(body["title"], "backup is UP again");
    assert_eq!(body["priority"], 4);

    let error = refused(&server, "gotify", "AbCdEf.ops").await;
    assert!(
        error.contains("no Gotify app named") && error.contains("known: dev, ops"),
        "{error}"
    );
}

#[tokio::test]
async fn matrix_puts_a_text_message_into_the_room_as_the_user() {
    let matrix = Receiver::start(&[]).await;
    let channels = json!({"matrix": {"homeserver": matrix.url, "accessToken": MATRIX_TOKEN}});
    let (_dir, server) = start(channels).await;
    server.pulse("backup", "matrix", ROOM, 0.3).await;

    let request = &matrix.wait_for_requests(1).await[0];
    assert_eq!(request.method, Method::PUT);
    let prefix = "/_matrix/client/v3/rooms/%21ops%3Aexample.org/send/m.room.message/";
    let txn = request
        .path
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{}", request.path));
    assert!(txn.starts_with("watchtower-"), "{txn}");
    assert_eq!(
        request.headers["authorization"],
        format!("Bearer {MATRIX_TOKEN}")
    );
    let body = request.json();
    assert_eq!(body["msgtype"], "m.text");
    assert!(
        text(&body["body"]).starts_with("backup is DOWN\n\n"),
        "{body}"
    );

    server.pulse("backup", "matrix", ROOM, 60.0).await;
    let recovery = &matrix.wait_for_requests(2).await[1];
    assert!(recovery.path.starts_with(prefix));
    assert_ne!(
        recovery.path, request.path,
        "a new alert is a new transaction"
    );

    let error = refused(&server, "matrix", "#ops:example.org").await;
    assert!(error.contains("alias cannot be used"), "{error}");
    for room in ["ops", "!", "!a b:example.org"] {
        let error = refused(&server, "matrix", room).await;
        assert!(error.contains("room id starts with `!`"), "{error}");
    }
}

#[tokio::test]
async fn each_channel_retries_a_503_and_gives_up_on_a_refusal() {
    // Every service answers 503 first, then refuses the retry as it would a bad token.
    let script = [503, 401];
    let (telegram, ntfy, gotify, matrix) = (
        Receiver::start(&script).await,
        Receiver::start(&script).await,
        Receiver::start(&[503, 403]).await,
        Receiver::start(&script).await,
    );
    let channels = json!({
        "telegram": {"token": TELEGRAM_TOKEN, "url": telegram.url},
        "ntfy": {"url": ntfy.url, "token": "tk_revoked"},
        "gotify": {"url": gotify.url, "apps": {"ops": "AbCdEf.ops"}},
        "matrix": {"homeserver": matrix.url, "accessToken": MATRIX_TOKEN},
    });
    let (_dir, server) = start(channels).await;
    server.pulse("a", "telegram", "123456789", 0.3).await;
    server.pulse("b", "ntfy", "ops", 0.3).await;
    server.pulse("c", "gotify", "ops", 0.3).await;
    server.pulse("d", "matrix", ROOM, 0.3).await;

    let receivers = [&telegram, &ntfy, &gotify, &matrix];
    for receiver in receivers {
        let requests = receiver.wait_for_requests(2).await;
        assert_eq!(
            requests[0].path, requests[1].path,
            "a retry goes to the same place"
        );
        assert_eq!(
            requests[0].headers.get("authorization"),
            requests[1].headers.get("authorization")
        );
    }
    // The same path: for Matrix, the same transaction id, which the homeserver deduplicates.
    let retried = matrix.received();
    assert!(retried[1].path.contains("/send/m.room.message/watchtower-"));

    assert_stays(
        "a refusal is not retried",
        Duration::from_millis(1500),
        || {
            receivers
                .iter()
                .all(|receiver| receiver.received().len() == 2)
        },
    )
    .await;
}
