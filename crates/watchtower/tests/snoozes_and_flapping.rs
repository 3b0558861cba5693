//! The alert policy's quiet times, black-box: snoozes that hold alerts and
//! release them when they end or are deleted, and flap damping that alerts once
//! and again when a service settles. Delivered to a local webhook receiver; time
//! is driven by real short deadlines (fractions of a second). Reminders,
//! dependencies, storms and event rules are in tests/alert_policy.rs.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::alert_policy::{alerts, pulse, start, wait_for_alert, wait_until_dead};
use support::{Server, assert_stays, bad_request_error, refusal_error, wait_for};

#[tokio::test]
async fn a_death_during_a_snooze_is_recorded_and_alerted_when_the_snooze_ends() {
    let (_dir, server, ops, _) = start(json!({})).await;
    let (status, snooze) = server
        .send(
            Method::POST,
            "/snooze",
            Some(json!({"prefix": "db-", "duration": "3s", "reason": "upgrade"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{snooze}");
    assert_eq!(
        (snooze["prefix"].as_str(), snooze["reason"].as_str()),
        (Some("db-"), Some("upgrade"))
    );
    let (_, listed) = server.send(Method::GET, "/snoozes", None).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    pulse(&server, json!({"service": "db-main", "nextIn": 0.2})).await;
    pulse(&server, json!({"service": "db-replica", "nextIn": 0.2})).await;
    pulse(&server, json!({"service": "web", "nextIn": 0.2})).await;
    wait_for_alert(&ops, "down", "web").await;
    wait_until_dead(&server, "db-replica").await;
    let held = server.events("?service=db-main").await;
    assert!(
        held.iter()
            .any(|e| e["message"].as_str().unwrap().starts_with("dead")),
        "the death is recorded"
    );
    assert!(
        held.iter().any(|e| e["message"]
            .as_str()
            .unwrap()
            .starts_with("alert held: snoozed")),
        "{held:?}"
    );
    // db-replica comes back during the snooze: nobody hears of its outage.
    pulse(&server, json!({"service": "db-replica", "nextIn": 60})).await;
    assert!(
        !alerts(&ops).iter().any(|a| a.1.starts_with("db-")),
        "nothing during the snooze"
    );

    let down = wait_for_alert(&ops, "down", "db-main").await;
    assert!(down["details"]["snoozedUntil"].is_string(), "{down}");
    assert_stays("no alert about the replica", Duration::from_secs(1), || {
        !alerts(&ops).iter().any(|a| a.1 == "db-replica")
    })
    .await;
    let (_, listed) = server.send(Method::GET, "/snoozes", None).await;
    assert_eq!(listed, json!([]), "over");
}

#[tokio::test]
async fn deleting_a_snooze_releases_what_it_held_and_bad_snoozes_are_named() {
    let (_dir, server, ops, _) = start(json!({})).await;
    let snooze = snooze_everything_until_a_date_then_for_an_hour(&server).await;
    pulse(&server, json!({"service": "api", "nextIn": 0.2})).await;
    wait_until_dead(&server, "api").await;
    assert_stays("held by the snoozes", Duration::from_millis(700), || {
        ops.received().is_empty()
    })
    .await;
    let ids = delete_both_snoozes(&server).await;
    assert_eq!(ids[1], snooze["id"].as_i64().unwrap());
    wait_for_alert(&ops, "down", "api").await;
    let (status, _) = server
        .send(Method::DELETE, &format!("/snooze/{}", ids[0]), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    bad_snoozes_are_named(&server).await;
}

/// Snoozes every service until two days from now, is refused a snooze of 400
/// days, and snoozes every service for an hour; answers the last snooze.
async fn snooze_everything_until_a_date_then_for_an_hour(server: &Server) -> Value {
    let until = (chrono::Utc::now() + chrono::Duration::days(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (_, snooze) = server
        .send(
            Method::POST,
            "/snooze",
            Some(json!({"service": "*", "until": until})),
        )
        .await;
    assert_eq!(snooze["until"], until, "{snooze}");
    let (status, error) = server
        .send(
            Method::POST,
            "/snooze",
            Some(json!({"service": "*", "duration": "400d"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"].as_str().unwrap().starts_with("duration"),
        "{error}"
    );
    let (_, snooze) = server
        .send(
            Method::POST,
            "/snooze",
            Some(json!({"service": "*", "duration": 3600})),
        )
        .await;
    snooze
}

/// Deletes the two snoozes listed; answers their ids, in order.
async fn delete_both_snoozes(server: &Server) -> Vec<i64> {
    let mut ids: Vec<i64> = server
        .send(Method::GET, "/snoozes", None)
        .await
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids.len(), 2);
    for id in &ids {
        let (status, removed) = server
            .send(Method::DELETE, &format!("/snooze/{id}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{removed}");
    }
    ids
}

/// Each bad snooze, and a bad id to delete, is refused with the field it got wrong.
async fn bad_snoozes_are_named(server: &Server) {
    let cases = [
        (json!({"duration": 60}), "service"),
        (
            json!({"service": "a", "prefix": "b", "duration": 60}),
            "prefix",
        ),
        (json!({"service": "a"}), "duration"),
        (json!({"service": "a", "duration": "5x"}), "duration"),
        (
            json!({"service": "a", "duration": 60, "until": "2030-01-01T00:00:00Z"}),
            "until",
        ),
        (
            json!({"service": "a", "until": "2001-01-01T00:00:00Z"}),
            "until",
        ),
        (
            json!({"service": "a", "duration": 60, "colour": 1}),
            "colour",
        ),
    ];
    for (body, field) in cases {
        let response = server
            .request(Method::POST, "/snooze")
            .json(&body)
            .send()
            .await
            .unwrap();
        // An end in the past is well formed: it breaks a rule (422), not the grammar.
        let error = match body["until"] == "2001-01-01T00:00:00Z" && body.get("duration").is_none()
        {
            true => refusal_error(response, StatusCode::UNPROCESSABLE_ENTITY).await,
            false => bad_request_error(response).await,
        };
        assert!(error.contains(field), "{body} → {error}");
    }
    let response = server
        .request(Method::DELETE, "/snooze/abc")
        .send()
        .await
        .unwrap();
    assert!(bad_request_error(response).await.starts_with("id"));
}

#[tokio::test]
async fn a_flapping_service_alerts_once_and_again_when_it_settles() {
    let (_dir, server, ops, _) =
        start(json!({"flapping": {"enabled": true, "deaths": 2, "window": 60, "calm": 2}})).await;
    for death in 1..=3 {
        pulse(&server, json!({"service": "flaky", "nextIn": 0.2})).await;
        wait_for(&format!("death {death}"), async || {
            let events = server.events("?service=flaky").await;
            (events
                .iter()
                .filter(|e| e["message"].as_str().unwrap().starts_with("dead"))
                .count()
                == death)
                .then_some(())
        })
        .await;
    }
    let flapping = wait_for_alert(&ops, "flapping", "flaky").await;
    assert!(
        flapping["message"]
            .as_str()
            .unwrap()
            .contains("died 3 times"),
        "{flapping}"
    );
    pulse(&server, json!({"service": "flaky", "nextIn": 60})).await;
    let answer = server.services().await;
    assert!(answer[0]["flappingSince"].is_string(), "{answer:?}");
    let stable = wait_for_alert(&ops, "stable", "flaky").await;
    assert_eq!(stable["status"], "up");
    let kinds: Vec<String> = alerts(&ops).into_iter().map(|a| a.0).collect();
    assert_eq!(kinds, ["down", "up", "down", "up", "flapping", "stable"]);
}

#[tokio::test]
async fn a_service_that_stops_flapping_while_down_is_reminded_and_its_recovery_alerted() {
    let flapping = json!({"enabled": true, "deaths": 1, "window": 60, "calm": 1});
    let (_dir, server, ops, _) = start(json!({"flapping": flapping})).await;
    for death in 1..=2 {
        pulse(
            &server,
            json!({"service": "flaky", "nextIn": 0.2, "remindEvery": 1}),
        )
        .await;
        wait_for(&format!("death {death}"), async || {
            let events = server.events("?service=flaky").await;
            let deaths = events
                .iter()
                .filter(|e| e["message"].as_str().unwrap().starts_with("dead"));
            (deaths.count() == death).then_some(())
        })
        .await;
    }
    let stable = wait_for_alert(&ops, "stable", "flaky").await;
    assert_eq!(stable["status"], "dead");
    assert!(
        stable["title"]
            .as_str()
            .unwrap()
            .ends_with("stopped flapping: DOWN"),
        "{stable}"
    );
    wait_for_alert(&ops, "reminder", "flaky").await;
    pulse(&server, json!({"service": "flaky", "nextIn": 60})).await;
    wait_for_alert(&ops, "up", "flaky").await;
    let kinds: Vec<String> = alerts(&ops).into_iter().map(|a| a.0).collect();
    assert_eq!(
        &kinds[..4],
        ["down", "up", "flapping", "stable"],
        "{kinds:?}"
    );
}
