//! Ping URLs as existing tools send them: healthchecks-style `/ping/<key>/<service>`
//! (curl in a cron line, runitor) and Uptime Kuma-style `/api/push/<key>`.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Receiver, Server, wait_for};

const KEY: &str = "cron-key-0123456789abcdef";
const NAS_KEY: &str = "nas-key-0123456789abcdef";

async fn start() -> (tempfile::TempDir, Server, Receiver) {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": hook.url}},
        "pingKeys": {
            "cron": {"key": KEY, "alertType": "webhook", "alertTarget": "ops", "nextIn": 3600},
            "nas": {"key": NAS_KEY, "service": "nas", "alertType": "webhook", "alertTarget": "ops"},
        },
        "alertmanager": {"alerts": {"Watchdog": {"service": "prometheus", "nextIn": 0.5}}},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}},
    });
    let server = Server::start(dir.path(), config).await;
    (dir, server, hook)
}

/// A request without the password, as curl in a crontab sends it.
async fn ping(server: &Server, method: Method, path: &str, body: &str) -> (StatusCode, String) {
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", server.url))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn service(server: &Server, name: &str) -> Value {
    server
        .services()
        .await
        .into_iter()
        .find(|s| s["service"] == name)
        .unwrap()
}

async fn messages(server: &Server, name: &str) -> Vec<String> {
    let events = server.events(&format!("?service={name}")).await;
    events
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect()
}

/// A healthchecks-style ping with the cron key: `/ping/<key>/<rest>`.
async fn cron_ping(
    server: &Server,
    method: Method,
    rest: &str,
    body: &str,
) -> (StatusCode, String) {
    ping(server, method, &format!("/ping/{KEY}/{rest}"), body).await
}

#[tokio::test]
async fn healthchecks_style_pings_pulse_time_runs_log_and_fail() {
    let (_dir, server, hook) = start().await;
    a_ping_pulses_with_the_keys_defaults_or_the_next_in_it_names(&server).await;
    start_and_exit_status_pings_time_a_run_and_log_pings_add_to_its_story(&server).await;
    a_failed_run_kills_at_once_and_a_success_brings_it_back(&server, &hook).await;

    // A run that starts and never finishes within its nextIn is reported.
    cron_ping(&server, Method::GET, "stuck/start?nextIn=0.3", "").await;
    wait_for("the stuck run's alert", async || {
        hook.received()
            .iter()
            .any(|r| r.json()["service"] == "stuck")
            .then_some(())
    })
    .await;
    let (status, body) = cron_ping(&server, Method::GET, "backup/other", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

async fn a_ping_pulses_with_the_keys_defaults_or_the_next_in_it_names(server: &Server) {
    assert_eq!(
        cron_ping(server, Method::GET, "backup", "").await,
        (StatusCode::OK, "OK".into())
    );
    let backup = service(server, "backup").await;
    assert_eq!(
        (backup["nextIn"].as_f64(), backup["alertTarget"].as_str()),
        (Some(3600.0), Some("ops")),
        "the key's defaults"
    );
    let (status, body) = cron_ping(server, Method::HEAD, "backup?nextIn=2h", "").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert_eq!(service(server, "backup").await["nextIn"], 7200);
    assert_eq!(
        cron_ping(server, Method::POST, "backup", "copied 12 GB")
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        service(server, "backup").await["nextIn"],
        7200,
        "the service's last nextIn"
    );
    assert_eq!(messages(server, "backup").await[0], "copied 12 GB");
}

async fn start_and_exit_status_pings_time_a_run_and_log_pings_add_to_its_story(server: &Server) {
    assert_eq!(
        cron_ping(server, Method::GET, "backup/start", "").await.0,
        StatusCode::OK
    );
    assert_eq!(
        cron_ping(server, Method::GET, "backup/0", "").await.0,
        StatusCode::OK
    );
    assert!(
        messages(server, "backup").await[0].starts_with("run succeeded in"),
        "{:?}",
        messages(server, "backup").await
    );
    assert_eq!(
        cron_ping(server, Method::POST, "backup/log", "half way")
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(messages(server, "backup").await[0], "half way");
    assert_eq!(service(server, "backup").await["status"], "up");
}

async fn a_failed_run_kills_at_once_and_a_success_brings_it_back(server: &Server, hook: &Receiver) {
    let (status, _) = cron_ping(server, Method::POST, "backup/3", "tar: no space left").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        service(server, "backup").await["status"],
        "dead",
        "a failure kills at once"
    );
    let failed = &messages(server, "backup").await;
    assert!(
        failed
            .iter()
            .any(|m| m == "run failed with exit status 3\ntar: no space left"),
        "{failed:?}"
    );
    let alert = hook.wait_for_requests(1).await[0].json();
    assert_eq!(
        (alert["service"].as_str(), alert["kind"].as_str()),
        (Some("backup"), Some("down"))
    );
    assert_eq!(
        cron_ping(server, Method::GET, "backup", "").await.0,
        StatusCode::OK
    );
    assert_eq!(
        service(server, "backup").await["status"],
        "up",
        "a success brings it back"
    );
}

#[tokio::test]
async fn kuma_style_pushes_pulse_and_fail() {
    let (_dir, server, hook) = start().await;
    let (status, body) = ping(
        &server,
        Method::GET,
        &format!("/api/push/{NAS_KEY}?status=up&msg=OK&ping=12"),
        "",
    )
    .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, r#"{"ok":true}"#));
    assert_eq!(service(&server, "nas").await["status"], "up");
    assert_eq!(messages(&server, "nas").await[0], "OK (ping 12 ms)");
    ping(
        &server,
        Method::GET,
        &format!("/api/push/{NAS_KEY}?status=down&msg=disk%20failed"),
        "",
    )
    .await;
    assert_eq!(service(&server, "nas").await["status"], "dead");
    assert_eq!(hook.wait_for_requests(1).await[0].json()["service"], "nas");
    let (status, body) = ping(
        &server,
        Method::GET,
        &format!("/api/push/{KEY}?status=up"),
        "",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unbound key needs ?service=: {body}"
    );
    assert_eq!(
        ping(
            &server,
            Method::GET,
            &format!("/api/push/{KEY}?status=up&service=web"),
            ""
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(service(&server, "web").await["status"], "up");
    let (status, body) = ping(
        &server,
        Method::GET,
        &format!("/api/push/{KEY}?status=sideways&service=web"),
        "",
    )
    .await;
    assert!(
        status == StatusCode::BAD_REQUEST && body.contains("status"),
        "{body}"
    );
}

#[tokio::test]
async fn wrong_keys_get_404_good_keys_always_pass_and_open_nothing_else() {
    let (_dir, server, _hook) = start().await;
    for attempt in 0..10 {
        let (status, _) = ping(
            &server,
            Method::GET,
            &format!("/ping/guess-{attempt:016}/backup"),
            "",
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = ping(
        &server,
        Method::GET,
        "/ping/guess-0000000000000011/backup",
        "",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the 11th failure, answered after a delay"
    );
    let (status, body) = ping(&server, Method::GET, &format!("/ping/{KEY}/backup"), "").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a good key from the same address is never refused: {body}"
    );
    // The key is no password.
    let with_key_as_password = reqwest::Client::new()
        .get(format!("{}/list-events", server.url))
        .header("password", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(with_key_as_password.status(), StatusCode::UNAUTHORIZED);
}

/// An Alertmanager webhook notification (payload version 4) of alerts by name and status.
fn notification(alerts: &[(&str, &str)]) -> Value {
    let alerts: Vec<Value> = alerts
        .iter()
        .map(|(name, status)| json!({"status": status, "labels": {"alertname": name, "severity": "none"},
                                     "annotations": {}, "startsAt": "2026-11-25T10:00:00Z", "fingerprint": "x"}))
        .collect();
    json!({"version": "4", "groupKey": "{}:{}", "status": "firing", "receiver": "watchtower",
           "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am", "alerts": alerts})
}

#[tokio::test]
async fn alertmanagers_watchdog_keeps_a_service_alive_and_its_silence_kills_it() {
    let (_dir, server, hook) = start().await;
    let post = async |body: Value| {
        let response = reqwest::Client::new()
            .post(format!("{}/alertmanager/{KEY}", server.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    };
    let (status, body) = post(notification(&[
        ("Watchdog", "firing"),
        ("DiskFull", "firing"),
    ]))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(service(&server, "prometheus").await["status"], "up");
    assert_eq!(
        server.services().await.len(),
        1,
        "other alerts pulse nothing"
    );
    for _ in 0..3 {
        post(notification(&[("Watchdog", "firing")])).await;
    }
    post(notification(&[("Watchdog", "resolved")])).await;
    let alert = hook.wait_for_requests(1).await[0].json();
    assert_eq!(alert["service"], "prometheus", "silence kills it");
    let (status, _) = post(json!({"alerts": "not a list"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let wrong = reqwest::Client::new()
        .post(format!("{}/alertmanager/not-a-key-at-all-123", server.url))
        .json(&notification(&[("Watchdog", "firing")]))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
}
