//! Per-service series on `/metrics`: up, late, paused and the last pulse of each
//! service, on both backends, capped by `metrics.serviceLimit`.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::Method;
use serde_json::{Value, json};
use support::{Server, millis_of};

async fn start(limit: Option<u64>) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}}});
    if let Some(limit) = limit {
        config["metrics"] = json!({"serviceLimit": limit});
    }
    let server = Server::start(dir.path(), config).await;
    (dir, server)
}

async fn scrape(server: &Server) -> String {
    let response = server
        .request(Method::GET, "/metrics")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    response.text().await.unwrap()
}

fn value(exposition: &str, series: &str) -> Option<String> {
    exposition
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(str::to_owned)
}

async fn pulse(server: &Server, service: &str, timing: Value) -> Value {
    let mut body = json!({"service": service, "alertType": "webhook", "alertTarget": "ops"});
    body.as_object_mut()
        .unwrap()
        .extend(timing.as_object().unwrap().clone());
    let (status, answer) = server.send(Method::POST, "/", Some(body)).await;
    assert!(status.is_success(), "{answer}");
    answer
}

#[tokio::test]
async fn each_service_has_its_state_and_last_pulse() {
    let (_dir, server) = start(None).await;
    let api = pulse(&server, "api", json!({"nextIn": 3600})).await;
    // Past its expected time at once, within a long grace: late.
    pulse(&server, "batch", json!({"nextIn": 0.1, "grace": 3600})).await;
    pulse(&server, "backup", json!({"nextIn": 3600})).await;
    server
        .send(Method::POST, "/services/backup/pause", None)
        .await;
    let declared = json!({"alertType": "webhook", "alertTarget": "ops", "nextIn": 3600});
    server
        .send(Method::PUT, "/services/nightly", Some(declared))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;

    let text = scrape(&server).await;
    let of = |name: &str, service: &str| {
        value(
            &text,
            &format!(r#"watchtower_service_{name}{{service="{service}"}}"#),
        )
    };
    assert_eq!(of("up", "api").as_deref(), Some("1"));
    assert_eq!(
        (of("up", "batch").as_deref(), of("late", "batch").as_deref()),
        (Some("1"), Some("1"))
    );
    assert_eq!(
        (
            of("up", "backup").as_deref(),
            of("paused", "backup").as_deref()
        ),
        (Some("0"), Some("1"))
    );
    assert_eq!(
        (
            of("up", "nightly").as_deref(),
            of("late", "nightly").as_deref()
        ),
        (Some("0"), Some("0"))
    );
    let last: f64 = of("last_pulse_timestamp_seconds", "api")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!((last * 1000.0).round() as i64, millis_of(&api["lastPulse"]));
    assert_eq!(
        value(&text, "watchtower_service_series_omitted").as_deref(),
        Some("0")
    );
    assert_eq!(
        value(&text, r#"watchtower_services{status="new"}"#).as_deref(),
        Some("1")
    );

    server
        .send(Method::DELETE, "/", Some(json!({"service": "api"})))
        .await;
    let text = scrape(&server).await;
    assert!(
        !text.contains(r#"service="api""#),
        "a cancelled service's series go with it"
    );
}

#[tokio::test]
async fn the_series_are_capped_and_can_be_turned_off() {
    let (_dir, server) = start(Some(2)).await;
    for name in ["a", "b", "c", "d"] {
        pulse(&server, name, json!({"nextIn": 3600})).await;
    }
    let text = scrape(&server).await;
    let mut services: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("watchtower_service_up{"))
        .collect();
    services.sort_unstable();
    assert_eq!(
        services,
        [
            r#"watchtower_service_up{service="a"} 1"#,
            r#"watchtower_service_up{service="b"} 1"#
        ]
    );
    assert_eq!(
        value(&text, "watchtower_service_series_omitted").as_deref(),
        Some("2")
    );

    let (_dir, off) = start(Some(0)).await;
    pulse(&off, "a", json!({"nextIn": 3600})).await;
    let text = scrape(&off).await;
    assert!(!text.contains("watchtower_service_up{"), "{text}");
    assert_eq!(
        value(&text, "watchtower_service_series_omitted").as_deref(),
        Some("1")
    );
}
