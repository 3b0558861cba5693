//! Restarts: nothing acknowledged is lost to `kill -9`, deadlines survive, and a
//! restart neither floods false alarms nor forgets a queued alert.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Receiver, ReservedPort, Server, assert_stays, sleep_past, wait_for};

fn fast_alerts() -> Value {
    json!({"timeout": 2, "retryMin": 0.2, "retryMax": 1})
}

#[tokio::test]
async fn kill_9_under_load_loses_nothing_that_was_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}});
    let mut server = Server::start(dir.path(), config.clone()).await;
    let acked_services = Arc::new(Mutex::new(Vec::<String>::new()));
    let acked_events = Arc::new(Mutex::new(Vec::<i64>::new()));
    let http = reqwest::Client::new();
    let mut writers = Vec::new();
    for writer in 0..16 {
        let (http, url) = (http.clone(), server.url.clone());
        let (services, events) = (acked_services.clone(), acked_events.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let service = format!("svc-{writer}-{i}");
                let pulse = json!({"service": service, "alertType": "webhook", "alertTarget": "ops", "nextIn": 3600});
                let Ok(response) = http.post(&url).header("password", support::PASSWORD).json(&pulse).send().await else { break };
                if response.status() != StatusCode::OK || response.json::<Value>().await.is_err() {
                    break;
                }
                services.lock().unwrap().push(service.clone());
                let event = json!({"service": service, "level": "info", "message": format!("event {i}")});
                let Ok(response) = http.post(format!("{url}/add-event")).header("password", support::PASSWORD).json(&event).send().await else { break };
                let Ok(stored) = response.json::<Value>().await else { break };
                events.lock().unwrap().push(stored["id"].as_i64().unwrap());
            }
        }));
    }
    wait_for("500 acknowledged writes", async || {
        (acked_services.lock().unwrap().len() >= 500).then_some(())
    })
    .await;
    server.kill();
    for writer in writers {
        writer.await.unwrap();
    }

    let server = Server::start(dir.path(), config).await;
    let listed: Vec<String> = server
        .services()
        .await
        .iter()
        .map(|s| s["service"].as_str().unwrap().to_owned())
        .collect();
    let acked = acked_services.lock().unwrap().clone();
    let missing: Vec<&String> = acked.iter().filter(|s| !listed.contains(s)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged pulses lost, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let stored: Vec<i64> = server
        .events("?limit=10000")
        .await
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let acked_ids = acked_events.lock().unwrap().clone();
    let lost: Vec<i64> = acked_ids
        .into_iter()
        .filter(|id| !stored.contains(id))
        .collect();
    assert!(lost.is_empty(), "acknowledged events lost: {lost:?}");
}

#[tokio::test]
async fn deadlines_survive_a_restart_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}});
    let mut server = Server::start(dir.path(), config.clone()).await;
    let pulsed = server.pulse("hourly", "webhook", "ops", 3600.0).await;
    server.kill();
    let server = Server::start(dir.path(), config).await;
    assert_eq!(server.services().await, [pulsed]);
}

#[tokio::test]
async fn a_deadline_missed_while_down_gets_one_fresh_window_then_one_alert() {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": hook.url}}, "alerts": fast_alerts()});
    let mut server = Server::start(dir.path(), config.clone()).await;
    let pulsed = server.pulse("cron", "webhook", "ops", 1.0).await;
    server.kill();
    // The monitor is down past the deadline: the service's pulses could not be heard.
    sleep_past(&pulsed["deadline"]).await;

    let server = Server::start(dir.path(), config).await;
    let after = &server.services().await[0];
    assert_eq!(
        after["status"], "up",
        "no false alarm right after the restart"
    );
    assert!(
        after["deadline"].as_str() > pulsed["deadline"].as_str(),
        "a fresh window: {after}"
    );
    let requests = hook.wait_for_requests(1).await;
    assert_eq!(
        requests[0].json()["status"],
        "dead",
        "dies once the fresh window passes"
    );
    assert_stays("one alert only", Duration::from_millis(800), || {
        hook.received().len() == 1
    })
    .await;
}

#[tokio::test]
async fn strict_restart_policy_alerts_at_once() {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": hook.url}}, "alerts": fast_alerts(), "onRestart": "strict"});
    let mut server = Server::start(dir.path(), config.clone()).await;
    let pulsed = server.pulse("cron", "webhook", "ops", 0.5).await;
    server.kill();
    sleep_past(&pulsed["deadline"]).await;
    let server = Server::start(dir.path(), config).await;
    let requests = hook.wait_for_requests(1).await;
    assert_eq!(requests[0].json()["deadline"], pulsed["deadline"]);
    assert_eq!(server.status_of("cron").await.as_deref(), Some("dead"));
}

#[tokio::test]
async fn an_alert_queued_before_a_crash_is_sent_after_the_restart() {
    // Held, so that nothing listens there until the receiver comes up on it.
    let hook_port = ReservedPort::hold();
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": format!("{}/hook", hook_port.url())}}, "alerts": fast_alerts()});
    let mut server = Server::start(dir.path(), config.clone()).await;
    server.pulse("orphan", "webhook", "ops", 0.1).await;
    wait_for("the death", async || {
        (server.status_of("orphan").await.as_deref() == Some("dead")).then_some(())
    })
    .await;
    server.kill();

    let hook = Receiver::start_on(hook_port, &[]).await;
    let server = Server::start(dir.path(), config).await;
    let requests = hook.wait_for_requests(1).await;
    assert_eq!(requests[0].json()["service"], "orphan");
    assert_stays("sent once", Duration::from_millis(800), || {
        hook.received().len() == 1
    })
    .await;
    assert_eq!(
        server.status_of("orphan").await.as_deref(),
        Some("dead"),
        "still dead, and not alerted again"
    );
}

#[tokio::test]
async fn sigterm_flushes_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}});
    let mut server = Server::start(dir.path(), config.clone()).await;
    server.pulse("graceful", "webhook", "ops", 600.0).await;
    let (status, event) = server
        .send(
            Method::POST,
            "/add-event",
            Some(json!({"service": "graceful", "level": "info", "message": "bye"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(server.terminate().success(), "SIGTERM exits with status 0");
    let server = Server::start(dir.path(), config).await;
    assert_eq!(server.status_of("graceful").await.as_deref(), Some("up"));
    assert_eq!(server.events("?service=graceful").await[0], event);
}
