//! The ping history (`GET /services/{name}/pings`): every pulse, start, failure
//! and log, whichever door it came in by, with its client, user agent, body and
//! run duration, bounded per service; and a run's start and failure through the
//! API (`POST /services/{name}/start|fail`).
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::access::{call, key};
use support::{Receiver, Server, wait_for};

const KEY: &str = "cron-key-0123456789abcdef";

fn config(hook: &Receiver, keep: Option<u32>) -> Value {
    let mut config = json!({
        "webhooks": {"ops": {"url": hook.url}},
        "pingKeys": {
            "cron": {"key": KEY, "alertType": "webhook", "alertTarget": "ops", "nextIn": 3600},
        },
        "alertmanager": {"alerts": {"Watchdog": {"service": "prometheus", "nextIn": 60}}},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}},
    });
    if let Some(keep) = keep {
        config["pingHistory"] = json!(keep);
    }
    config
}

async fn start(keep: Option<u32>) -> (tempfile::TempDir, Server, Receiver) {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), config(&hook, keep)).await;
    (dir, server, hook)
}

/// A request without the password, as tools that ping send it.
async fn ping(server: &Server, method: Method, path: &str, body: &str) -> StatusCode {
    reqwest::Client::new()
        .request(method, format!("{}{path}", server.url))
        .header("user-agent", "curl/8.5.0")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
}

async fn history(server: &Server, service: &str) -> Vec<Value> {
    let path = format!("/services/{service}/pings");
    let (status, pings) = server.send(Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{pings}");
    pings.as_array().unwrap().clone()
}

fn kinds(pings: &[Value]) -> Vec<(&str, &str)> {
    pings
        .iter()
        .map(|p| (p["kind"].as_str().unwrap(), p["source"].as_str().unwrap()))
        .collect()
}

#[tokio::test]
async fn every_door_leaves_a_trace_with_its_client_agent_body_and_run_time() {
    let (_dir, server, _hook) = start(None).await;
    let base = format!("/ping/{KEY}/backup");
    assert_eq!(ping(&server, Method::GET, &base, "").await, StatusCode::OK);
    ping(&server, Method::POST, &format!("{base}/start"), "").await;
    ping(
        &server,
        Method::POST,
        &format!("{base}/log"),
        "copied 12 files",
    )
    .await;
    ping(&server, Method::POST, &base, "done\n").await;
    ping(&server, Method::POST, &format!("{base}/1"), "disk full").await;
    let push = format!("/api/push/{KEY}?service=backup&status=up&msg=fine");
    ping(&server, Method::GET, &push, "").await;
    server.pulse("backup", "webhook", "ops", 3600.0).await;
    let watchdog = json!({"alerts": [{"status": "firing", "labels": {"alertname": "Watchdog"}}]});
    let path = format!("/alertmanager/{KEY}");
    assert_eq!(
        ping(&server, Method::POST, &path, &watchdog.to_string()).await,
        StatusCode::OK
    );
    assert_eq!(
        kinds(&history(&server, "prometheus").await),
        [("pulse", "alertmanager")]
    );

    let pings = history(&server, "backup").await;
    assert_eq!(
        kinds(&pings),
        [
            ("pulse", "api"),
            ("pulse", "kuma"),
            ("fail", "ping"),
            ("pulse", "ping"),
            ("log", "ping"),
            ("start", "ping"),
            ("pulse", "ping"),
        ],
        "newest first"
    );
    let success = &pings[3];
    assert_eq!(success["body"], "done");
    assert_eq!(success["client"], "127.0.0.1");
    assert_eq!(success["userAgent"], "curl/8.5.0");
    assert!(
        success["duration"].as_f64().unwrap() >= 0.0,
        "the start timed the run"
    );
    assert!(
        pings[4].get("duration").is_none(),
        "a log does not end the run"
    );
    assert_eq!(pings[2]["body"], "disk full");
    assert!(pings[2].get("duration").is_none(), "no run was under way");
    assert_eq!(pings[0]["client"], "127.0.0.1");
    let (_, limited) = server
        .send(Method::GET, "/services/backup/pings?limit=2", None)
        .await;
    assert_eq!(limited.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_history_keeps_the_configured_number_and_goes_with_its_service() {
    let (_dir, server, _hook) = start(Some(3)).await;
    for n in 0..5 {
        let path = format!("/ping/{KEY}/job");
        ping(&server, Method::POST, &path, &format!("run {n}")).await;
    }
    let pings = history(&server, "job").await;
    let bodies: Vec<&str> = pings.iter().map(|p| p["body"].as_str().unwrap()).collect();
    assert_eq!(
        bodies,
        ["run 4", "run 3", "run 2"],
        "the last three, newest first"
    );

    server
        .send(Method::DELETE, "/", Some(json!({"service": "job"})))
        .await;
    let (status, _) = server.send(Method::GET, "/services/job/pings", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    ping(&server, Method::POST, &format!("/ping/{KEY}/job"), "again").await;
    let pings = history(&server, "job").await;
    assert_eq!(pings.len(), 1, "a cancelled service's history went with it");
}

#[tokio::test]
async fn a_history_of_zero_keeps_nothing() {
    let (_dir, server, _hook) = start(Some(0)).await;
    server.pulse("quiet", "webhook", "ops", 3600.0).await;
    assert!(history(&server, "quiet").await.is_empty());
}

#[tokio::test]
async fn a_run_starts_and_fails_through_the_api() {
    let (_dir, server, hook) = start(None).await;
    let settings = json!({"alertType": "webhook", "alertTarget": "ops", "nextIn": 3600});
    let (status, unknown) = server.send(Method::POST, "/services/etl/start", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{unknown}");
    let (status, running) = server
        .send(Method::POST, "/services/etl/start", Some(settings))
        .await;
    assert_eq!((status, &running["status"]), (StatusCode::OK, &json!("up")));
    assert!(running["runningSince"].is_string(), "{running}");
    let (_, again) = server.send(Method::POST, "/services/etl/start", None).await;
    assert!(
        again["runningSince"].is_string(),
        "its own settings: {again}"
    );

    let message = json!({"message": "exit status 2\nno route to host"});
    let (status, dead) = server
        .send(Method::POST, "/services/etl/fail", Some(message))
        .await;
    assert_eq!(
        (status, &dead["status"]),
        (StatusCode::OK, &json!("dead")),
        "{dead}"
    );
    assert!(dead.get("runningSince").is_none());
    wait_for("the down alert", async || {
        let alerts = hook.received();
        alerts
            .iter()
            .find(|a| a.json()["kind"] == "down")
            .map(|_| ())
    })
    .await;
    let pings = history(&server, "etl").await;
    assert_eq!(
        kinds(&pings),
        [("fail", "api"), ("start", "api"), ("start", "api")]
    );
    assert!(pings[0]["duration"].is_number());
    let events = server.events("?service=etl&level=error").await;
    assert!(
        events
            .iter()
            .any(|e| e["message"] == "exit status 2\nno route to host"),
        "{events:?}"
    );

    let refusals = [
        ("/services/nobody/fail", Some(json!({"message": "x"})), 404),
        (
            "/services/etl/fail",
            Some(json!({"message": "x", "code": 1})),
            400,
        ),
        (
            "/services/etl/start",
            Some(json!({"alertType": "webhook"})),
            400,
        ),
        (
            "/services/etl/start",
            Some(
                json!({"service": "other", "alertType": "webhook", "alertTarget": "ops", "nextIn": 5}),
            ),
            422,
        ),
    ];
    for (path, body, expected) in refusals {
        let (status, answer) = server.send(Method::POST, path, body).await;
        assert_eq!(status.as_u16(), expected, "{path}: {answer}");
        assert!(answer["error"].is_string());
    }
}

#[tokio::test]
async fn reading_a_history_needs_read_within_the_prefix() {
    let (_dir, server, _hook) = start(None).await;
    server.pulse("team-a-db", "webhook", "ops", 3600.0).await;
    server.pulse("team-b-db", "webhook", "ops", 3600.0).await;
    let reader = key(
        &server,
        json!({"name": "wall", "scope": "read", "prefix": "team-a-"}),
    )
    .await;
    let (status, _) = call(
        &server,
        &reader,
        Method::GET,
        "/services/team-a-db/pings",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &server,
        &reader,
        Method::GET,
        "/services/team-b-db/pings",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let ingest = key(&server, json!({"name": "ci", "scope": "ingest"})).await;
    let (status, _) = call(
        &server,
        &ingest,
        Method::POST,
        "/services/team-a-db/start",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "a run's start is ingest");
    let (status, _) = call(
        &server,
        &ingest,
        Method::GET,
        "/services/team-a-db/pings",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, answer) = server
        .send(Method::GET, "/services/team-a-db/pings?limit=0", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
}
