//! Slack, Microsoft Teams and Discord incoming webhooks: the exact request each
//! gets, at a local receiver standing in for the service.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::{Receiver, Server, bad_request_error};

#[tokio::test]
async fn each_chat_gets_the_body_its_incoming_webhooks_take() {
    let (slack, teams, discord) = (
        Receiver::start(&[]).await,
        Receiver::start(&[]).await,
        Receiver::start(&[]).await,
    );
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "channels": {
            "slack": {"webhooks": {"ops": format!("{}/services/T000/B000/secret", slack.url)}},
            "teams": {"webhooks": {"ops": format!("{}/webhookb2/abc", teams.url)}},
            "discord": {"webhooks": {"ops": format!("{}/api/webhooks/1/token", discord.url)}},
        },
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}},
    });
    let server = Server::start(dir.path(), config).await;
    for kind in ["slack", "teams", "discord"] {
        server.pulse(&format!("{kind}-job"), kind, "ops", 0.2).await;
    }

    let slack = &slack.wait_for_requests(1).await[0];
    assert_eq!(
        (slack.method.clone(), slack.path.as_str()),
        (Method::POST, "/services/T000/B000/secret")
    );
    assert_eq!(slack.headers["content-type"], "application/json");
    let body = slack.json();
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .starts_with("slack-job is DOWN\n"),
        "{body}"
    );
    assert_eq!(body["blocks"][0]["text"]["text"], "slack-job is DOWN");

    let teams = &teams.wait_for_requests(1).await[0];
    assert_eq!(teams.path, "/webhookb2/abc");
    let body = teams.json();
    assert_eq!(
        (body["@type"].as_str(), body["title"].as_str()),
        (Some("MessageCard"), Some("teams-job is DOWN"))
    );
    assert_eq!(body["themeColor"], "D70000");

    let discord = &discord.wait_for_requests(1).await[0];
    assert_eq!(discord.path, "/api/webhooks/1/token");
    let body = discord.json();
    assert_eq!(body["embeds"][0]["title"], "discord-job is DOWN");
    assert_eq!(
        body["allowed_mentions"],
        json!({"parse": []}),
        "an alert never pings @everyone"
    );

    for kind in ["slack", "teams", "discord"] {
        let body = json!({"service": "x", "alertType": kind, "alertTarget": "nope", "nextIn": 60});
        let response = server
            .request(Method::POST, "/")
            .json(&body)
            .send()
            .await
            .unwrap();
        let error = bad_request_error(response).await;
        assert!(
            error.starts_with("alertTarget: no") && error.contains("known: ops"),
            "{error}"
        );
    }
    let unconfigured =
        json!({"service": "x", "alertType": "telegram", "alertTarget": "1", "nextIn": 60});
    let (status, answer) = server.send(Method::POST, "/", Some(unconfigured)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["error"],
        "alertType: telegram is not configured on this server"
    );
}

#[tokio::test]
async fn a_chat_that_refuses_is_not_retried_and_one_that_fails_is() {
    let refusing = Receiver::start(&[403]).await;
    let failing = Receiver::start(&[503, 503]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "channels": {"slack": {"webhooks": {"gone": refusing.url, "flaky": failing.url}}},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}},
    });
    let server = Server::start(dir.path(), config).await;
    server.pulse("a", "slack", "gone", 0.2).await;
    server.pulse("b", "slack", "flaky", 0.2).await;
    failing.wait_for_requests(3).await;
    refusing.wait_for_requests(1).await;
    support::assert_stays(
        "no retry of a 403",
        std::time::Duration::from_millis(800),
        || refusing.received().len() == 1,
    )
    .await;
}

#[tokio::test]
async fn a_route_fans_one_alert_out_to_each_of_its_channels_retried_apart() {
    let (slack, hook) = (Receiver::start(&[]).await, Receiver::start(&[503]).await);
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "channels": {"slack": {"webhooks": {"ops": slack.url}}},
        "webhooks": {"pager": {"url": hook.url}},
        "routes": {"oncall": [
            {"alertType": "slack", "alertTarget": "ops"},
            {"alertType": "webhook", "alertTarget": "pager"},
        ]},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}},
    });
    let server = Server::start(dir.path(), config).await;
    let pulsed = server.pulse("db", "route", "oncall", 0.2).await;
    assert_eq!(
        (pulsed["alertType"].as_str(), pulsed["alertTarget"].as_str()),
        (Some("route"), Some("oncall"))
    );
    let webhook = hook.wait_for_requests(2).await;
    assert_eq!(
        webhook[1].json()["service"],
        "db",
        "the failed copy is retried"
    );
    support::assert_stays("slack once", std::time::Duration::from_millis(600), || {
        slack.received().len() == 1
    })
    .await;
    assert_eq!(
        slack.received()[0].json()["blocks"][0]["text"]["text"],
        "db is DOWN"
    );
    // A recovery goes the same way, and knows its death was alerted.
    server.pulse("db", "route", "oncall", 60.0).await;
    let up = slack.wait_for_requests(2).await;
    assert!(
        up[1].json()["text"]
            .as_str()
            .unwrap()
            .starts_with("db is UP again")
    );

    let unknown =
        json!({"service": "x", "alertType": "route", "alertTarget": "nope", "nextIn": 60});
    let (status, answer) = server.send(Method::POST, "/", Some(unknown)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["error"],
        "alertTarget: no route named `nope` is configured"
    );
}
