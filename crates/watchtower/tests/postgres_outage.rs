//! The database goes away under a running node and comes back: meanwhile every
//! request gets a JSON `503`, nothing acknowledged before is lost, and the node
//! serves again on its own once the database is back.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::postgres::OwnPostgres;
use support::{Server, wait_for};

#[tokio::test]
async fn a_database_outage_answers_503_and_the_node_recovers_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let postgres = OwnPostgres::start(dir.path(), None);
    let node_dir = dir.path().join("node");
    std::fs::create_dir(&node_dir).unwrap();
    let storage = json!({"backend": "postgres", "url": postgres.url("sslmode=disable"), "pool": 4});
    let config = json!({"storage": storage, "webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}});
    let server = Server::start(&node_dir, config).await;
    let pulsed = server.pulse("steady", "webhook", "ops", 3600.0).await;
    let event = json!({"service": "steady", "level": "info", "message": "before the outage"});
    let (status, stored) = server
        .send(Method::POST, "/add-event", Some(event.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    postgres.stop();
    let pulse =
        json!({"service": "steady", "alertType": "webhook", "alertTarget": "ops", "nextIn": 60});
    for (method, path, body) in [
        (Method::POST, "/", Some(pulse.clone())),
        (Method::POST, "/add-event", Some(event)),
        (Method::GET, "/", None),
        (Method::GET, "/list-events", None),
    ] {
        let (status, answer) = server.send(method.clone(), path, body).await;
        assert_eq!(
            status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{method} {path}: {answer}"
        );
        assert!(
            answer["error"].as_str().unwrap().contains("storage"),
            "{answer}"
        );
    }

    let ready = reqwest::get(format!("{}/readyz", server.url))
        .await
        .unwrap();
    assert_eq!(
        ready.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "not ready without its storage"
    );
    assert_eq!(
        ready.text().await.unwrap(),
        r#"{"status":"unavailable"}"#,
        "and says no more"
    );

    postgres.start_again();
    wait_for("the node to be ready again", async || {
        let ready = reqwest::get(format!("{}/readyz", server.url)).await.ok()?;
        (ready.status() == StatusCode::OK).then_some(())
    })
    .await;
    wait_for("the node to serve again", async || {
        let request = server.request(Method::GET, "/").send().await.unwrap();
        (request.status() == StatusCode::OK).then_some(())
    })
    .await;
    let services = server.services().await;
    assert_eq!(services.len(), 1);
    assert_eq!(
        services[0]["lastPulse"], pulsed["lastPulse"],
        "{services:?}"
    );
    assert_eq!(server.events("?service=steady").await[0], stored);
    let again = server.pulse("steady", "webhook", "ops", 60.0).await;
    assert_eq!(again["status"], "up");
}
