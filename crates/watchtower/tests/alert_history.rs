//! `GET /alerts` and `watchtower_alerts_failing`: alerts as they fared, so that a
//! channel that keeps refusing is seen before anyone wonders why no page came.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::access::{call, key};
use support::{Receiver, Server, refusal_error, wait_for};

#[tokio::test]
async fn a_channel_that_keeps_refusing_shows_in_the_alerts_and_the_metrics() {
    let ok = Receiver::start(&[]).await;
    let broken = Receiver::start(&[503; 200]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": ok.url}, "broken": {"url": broken.url}},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}},
    });
    let server = Server::start(dir.path(), config).await;
    for (name, target) in [("team-a-fine", "ops"), ("team-b-lost", "broken")] {
        let body =
            json!({"service": name, "alertType": "webhook", "alertTarget": target, "nextIn": 0.2});
        server.send(Method::POST, "/", Some(body)).await;
    }
    let alerts = |query: &'static str| {
        let server = &server;
        async move {
            let (status, answer) = server
                .send(Method::GET, &format!("/alerts{query}"), None)
                .await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            answer.as_array().unwrap().clone()
        }
    };
    let lost = wait_for("a failed attempt of the lost service's alert", async || {
        let listed = alerts("?service=team-b-lost").await;
        listed
            .first()
            .filter(|a| a["attempts"].as_u64() >= Some(1))
            .cloned()
    })
    .await;
    assert_eq!(
        (&lost["kind"], &lost["state"], &lost["alertTarget"]),
        (&json!("down"), &json!("pending"), &json!("broken"))
    );
    assert!(
        lost["lastError"].as_str().unwrap().contains("503"),
        "{lost}"
    );
    assert!(lost["nextAttempt"].is_string(), "{lost}");
    wait_for("the fine service's alert to be sent", async || {
        let listed = alerts("?service=team-a-fine").await;
        listed.first().filter(|a| a["state"] == "sent").cloned()
    })
    .await;
    let failing: Vec<Value> = alerts("?state=failing").await;
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert_eq!(failing[0]["service"], "team-b-lost");
    let metrics = reqwest::get(format!("{}/metrics", server.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("\nwatchtower_alerts_failing 1\n"),
        "{metrics}"
    );

    // The Rust client reads the same.
    let client = watchtower_client::Client::builder(&server.url, support::PASSWORD)
        .build()
        .unwrap();
    let listed = client
        .alerts(Some("team-b-lost"), Some("failing"), Some(5))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].state.as_str(), listed[0].kind.as_str()),
        ("pending", "down")
    );
    assert!(listed[0].last_error.as_deref().unwrap().contains("503"));

    // And the command line, without blocking this runtime, which answers for the receivers.
    let printed = support::cli_against(&server, &["alerts", "--state", "failing"]).await;
    let table = String::from_utf8_lossy(&printed.stdout);
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 2, "a header and the failing alert: {table}");
    assert!(
        rows[1].contains("team-b-lost")
            && rows[1].contains("webhook:broken")
            && rows[1].contains("503"),
        "{table}"
    );

    // A key with a prefix sees its own services' alerts only.
    let team_a = key(
        &server,
        json!({"name": "a", "scope": "read", "prefix": "team-a-"}),
    )
    .await;
    let (_, seen) = call(&server, &team_a, Method::GET, "/alerts", None).await;
    let services: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["service"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["team-a-fine"]);
    let (status, _) = call(
        &server,
        &team_a,
        Method::GET,
        "/alerts?service=team-b-lost",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    for (query, field) in [
        ("?state=lost", "state: "),
        ("?limit=0", "limit: "),
        ("?limit=1001", "limit: "),
        ("?colour=red", "colour"),
    ] {
        let response = server
            .request(Method::GET, &format!("/alerts{query}"))
            .send()
            .await
            .unwrap();
        let error = refusal_error(response, StatusCode::BAD_REQUEST).await;
        assert!(error.contains(field), "{query}: {error}");
    }
    let (_, one) = server.send(Method::GET, "/alerts?limit=1", None).await;
    assert_eq!(one.as_array().unwrap().len(), 1);
}
