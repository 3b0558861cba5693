//! The server's side of the dashboard: its files at `/ui/` (no password), the
//! redirect of browsers from `/`, the live list of services and their history.
//! The pages themselves are tested in Chromium by `ui-tests/`.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use futures::StreamExt;
use serde_json::json;
use support::{Server, millis_of, wait_for};

async fn start() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}}, "alerts": {"storm": {"enabled": false}}});
    let server = Server::start(dir.path(), config).await;
    (dir, server)
}

#[tokio::test]
async fn the_pages_are_served_without_the_password_and_browsers_are_sent_there() {
    let (_dir, server) = start().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http
        .get(format!("{}/ui/", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    assert!(page.text().await.unwrap().contains("<html"));
    let missing = http
        .get(format!("{}/ui/nope.js", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let browser = http
        .get(format!("{}/", server.url))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status(), StatusCode::SEE_OTHER);
    assert_eq!(browser.headers()["location"], "/ui/");
    let api = http
        .get(format!("{}/", server.url))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.status(),
        StatusCode::UNAUTHORIZED,
        "the API still needs the password"
    );
}

#[tokio::test]
async fn the_services_stream_tells_pulses_deaths_and_cancellations() {
    let (_dir, server) = start().await;
    let response = server
        .request(Method::GET, "/services/stream")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.bytes_stream();
    let mut text = String::new();
    server.pulse("api", "webhook", "ops", 0.3).await;
    wait_for("a pulse, a death", async || {
        let chunk = tokio::time::timeout(std::time::Duration::from_millis(200), body.next()).await;
        if let Ok(Some(Ok(bytes))) = chunk {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
        text.contains(r#""status":"dead""#).then_some(())
    })
    .await;
    assert!(
        text.contains("event: service\ndata: {\"service\":\"api\""),
        "{text}"
    );
    server
        .send(Method::DELETE, "/", Some(json!({"service": "api"})))
        .await;
    wait_for("the cancellation", async || {
        if let Ok(Some(Ok(bytes))) =
            tokio::time::timeout(std::time::Duration::from_millis(200), body.next()).await
        {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
        text.contains("event: cancelled\ndata: {\"service\":\"api\"}")
            .then_some(())
    })
    .await;
    let unauthorised = reqwest::get(format!("{}/services/stream", server.url))
        .await
        .unwrap();
    assert_eq!(unauthorised.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_history_lists_outages_and_uptime() {
    let (_dir, server) = start().await;
    server.pulse("db", "webhook", "ops", 0.3).await;
    wait_for("db to die", async || {
        (server.status_of("db").await.as_deref() == Some("dead")).then_some(())
    })
    .await;
    server.pulse("db", "webhook", "ops", 60.0).await;
    let (status, history) = server
        .send(Method::GET, "/service-history?service=db", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let outages = history["outages"].as_array().unwrap();
    assert_eq!(outages.len(), 1, "{history}");
    assert!(outages[0]["to"].is_string() && outages[0]["seconds"].as_f64().unwrap() > 0.0);
    // A service younger than a day: every window counts from its first pulse.
    let day = history["uptime"]["24h"].as_f64().unwrap();
    assert!(day < 1.0 && day > 0.0, "{history}");
    assert_eq!(history["uptime"]["7d"], history["uptime"]["24h"]);
    assert_eq!(history["uptime"]["30d"], history["uptime"]["24h"]);
    let (status, _) = server
        .send(Method::GET, "/service-history?service=nope", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = server.send(Method::GET, "/service-history", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn uptime_counts_from_the_first_pulse_so_a_service_dead_all_its_life_is_not_up() {
    let (_dir, server) = support::server().await;
    let first = server.pulse("short-lived", "webhook", "ops", 0.2).await;
    wait_for("the service to die", async || {
        (server.status_of("short-lived").await.as_deref() == Some("dead")).then_some(())
    })
    .await;
    let (_, history) = server
        .send(Method::GET, "/service-history?service=short-lived", None)
        .await;
    let outage = &history["outages"][0];
    assert!(outage["to"].is_null(), "{history}");
    // Up from its first pulse to its deadline, down since: nothing else counts.
    let up = (millis_of(&outage["from"]) - millis_of(&first["firstSeen"])) as f64 / 1000.0;
    let down = outage["seconds"].as_f64().unwrap();
    let day = history["uptime"]["24h"].as_f64().unwrap();
    assert!(
        (day - up / (up + down)).abs() < 1e-3,
        "{day} vs {up}/{}: {history}",
        up + down
    );
    assert!(day < 0.99, "not a day's worth of uptime: {history}");
}
