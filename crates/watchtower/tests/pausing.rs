//! The states a service goes through besides up and dead: `late` (past its
//! expected time, within grace) and `paused` (no deaths, no alerts).
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::access::{call, key};
use support::{Receiver, Server, millis_of, refusal_error, wait_for};

async fn start(hook: &Receiver) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": hook.url}},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}},
    });
    let server = Server::start(dir.path(), config).await;
    (dir, server)
}

fn pulse(service: &str, timing: Value) -> Value {
    let mut body = json!({"service": service, "alertType": "webhook", "alertTarget": "ops"});
    body.as_object_mut()
        .unwrap()
        .extend(timing.as_object().unwrap().clone());
    body
}

async fn post(server: &Server, path: &str) -> (StatusCode, Value) {
    server.send(Method::POST, path, None).await
}

/// The services that the receiver was told died, in order.
fn deaths(hook: &Receiver) -> Vec<String> {
    let alerts = hook.received().into_iter().map(|r| r.json());
    alerts
        .filter(|a| a["kind"] == "down")
        .map(|a| a["service"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_paused_service_neither_dies_nor_alerts_until_it_is_resumed() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    for name in ["paused", "control"] {
        let (status, _) = server
            .send(Method::POST, "/", Some(pulse(name, json!({"nextIn": 0.4}))))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, paused) = post(&server, "/services/paused/pause").await;
    assert_eq!(
        (status, &paused["status"]),
        (StatusCode::OK, &json!("paused"))
    );
    // The control, due at the same time, dies; the paused one does not.
    wait_for("the control to die", async || {
        (deaths(&hook) == ["control"]).then_some(())
    })
    .await;
    assert_eq!(server.status_of("paused").await.as_deref(), Some("paused"));
    let (_, again) = post(&server, "/services/paused/pause").await;
    assert_eq!(again["status"], "paused", "pausing twice changes nothing");

    let (status, resumed) = post(&server, "/services/paused/resume").await;
    assert_eq!((status, &resumed["status"]), (StatusCode::OK, &json!("up")));
    let window = millis_of(&resumed["deadline"]) - chrono::Utc::now().timestamp_millis();
    assert!(
        window <= 400,
        "a fresh window of nextIn from now: {window} ms"
    );
    wait_for("the resumed service to die", async || {
        (deaths(&hook) == ["control", "paused"]).then_some(())
    })
    .await;
    let (_, resumed_dead) = post(&server, "/services/paused/resume").await;
    assert_eq!(
        resumed_dead["status"], "dead",
        "resuming a service that is not paused changes nothing"
    );

    let events = server.events("?service=paused&order=asc").await;
    let messages: Vec<&str> = events
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(messages[1].starts_with("monitoring paused"), "{messages:?}");
    assert!(
        messages[2].starts_with("monitoring resumed: next pulse due within"),
        "{messages:?}"
    );
    let trail = server.events("?service=watchtower&order=asc").await;
    let trail: Vec<&str> = trail
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        trail,
        [
            "the password from 127.0.0.1 paused the service `paused`",
            "the password from 127.0.0.1 paused the service `paused`",
            "the password from 127.0.0.1 resumed the service `paused`",
            "the password from 127.0.0.1 resumed the service `paused`",
        ]
    );
}

#[tokio::test]
async fn a_pulse_ends_a_pause_and_a_pause_drops_the_alerts_not_yet_sent() {
    // The receiver fails every delivery: the down alert stays queued, retried.
    let hook = Receiver::start(&[503; 64]).await;
    let (_dir, server) = start(&hook).await;
    server
        .send(
            Method::POST,
            "/",
            Some(pulse("flaky", json!({"nextIn": 0.2}))),
        )
        .await;
    wait_for("a first delivery attempt", async || {
        (!hook.received().is_empty()).then_some(())
    })
    .await;
    post(&server, "/services/flaky/pause").await;
    let tried = hook.received().len();
    let (_, answer) = server
        .send(
            Method::POST,
            "/",
            Some(pulse("flaky", json!({"nextIn": 60}))),
        )
        .await;
    assert_eq!(answer["status"], "up", "a pulse ends the pause");
    // A new alert proves the dispatcher ran since: the paused death's was dropped.
    server
        .send(
            Method::POST,
            "/",
            Some(pulse("other", json!({"nextIn": 0.2}))),
        )
        .await;
    wait_for("the other service's alert", async || {
        hook.received()
            .iter()
            .any(|r| r.json()["service"] == "other")
            .then_some(())
    })
    .await;
    let after_pause: Vec<Value> = hook.received()[tried..].iter().map(|r| r.json()).collect();
    assert!(
        after_pause
            .iter()
            .all(|a| a["service"] != "flaky" || a["kind"] == "up"),
        "{after_pause:?}"
    );
}

#[tokio::test]
async fn late_is_shown_between_the_expected_time_and_the_end_of_grace() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    let (_, answer) = server
        .send(
            Method::POST,
            "/",
            Some(pulse("slow", json!({"nextIn": 0.2, "grace": 600}))),
        )
        .await;
    assert_eq!(answer["status"], "up");
    wait_for("the service to be late", async || {
        (server.status_of("slow").await.as_deref() == Some("late")).then_some(())
    })
    .await;
    assert!(deaths(&hook).is_empty(), "late is shown, not alerted");
}

#[tokio::test]
async fn pausing_needs_write_within_the_prefix_and_names_unknown_services() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    server
        .send(Method::POST, "/", Some(pulse("db", json!({"nextIn": 60}))))
        .await;
    let response = server
        .request(Method::POST, "/services/nope/pause")
        .send()
        .await
        .unwrap();
    let error = refusal_error(response, StatusCode::NOT_FOUND).await;
    assert_eq!(error, "name: no service named `nope`");
    let reader = key(&server, json!({"name": "wall", "scope": "read"})).await;
    let (status, _) = call(&server, &reader, Method::POST, "/services/db/pause", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let web = json!({"name": "web", "scope": "write", "prefix": "web-"});
    let web = key(&server, web).await;
    let (status, answer) = call(&server, &web, Method::POST, "/services/db/resume", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert!(answer["error"].as_str().unwrap().starts_with("name: "));
    assert_eq!(server.status_of("db").await.as_deref(), Some("up"));
}

#[tokio::test]
async fn the_clients_and_the_command_line_pause_and_resume_any_name() {
    use watchtower_client::{Client, Status};
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    let odd = "team a/db?x=1#2";
    server
        .send(Method::POST, "/", Some(pulse(odd, json!({"nextIn": 60}))))
        .await;
    let client = Client::builder(&server.url, support::PASSWORD)
        .build()
        .unwrap();
    assert_eq!(client.pause(odd).await.unwrap().status, Status::Paused);
    assert_eq!(client.resume(odd).await.unwrap().status, Status::Up);
    // URLs drop `..` segments: refused before anything is sent, not sent elsewhere.
    assert!(matches!(
        client.pause("..").await,
        Err(watchtower_client::Error::Config { .. })
    ));
    let cli = |verb: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_watchtower"))
            .args([verb, odd])
            .env("WATCHTOWER_URL", &server.url)
            .env("WATCHTOWER_PASSWORD", support::PASSWORD)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let paused = cli("pause");
    assert!(paused.status.success(), "{}", support::stderr(&paused));
    assert!(String::from_utf8_lossy(&paused.stdout).contains("paused"));
    assert_eq!(server.status_of(odd).await.as_deref(), Some("paused"));
    assert!(cli("resume").status.success());
    assert_eq!(server.status_of(odd).await.as_deref(), Some("up"));
    let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args(["pause", "nope"])
        .env("WATCHTOWER_URL", &server.url)
        .env("WATCHTOWER_PASSWORD", support::PASSWORD)
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(support::stderr(&unknown).contains("no service named `nope`"));
}
