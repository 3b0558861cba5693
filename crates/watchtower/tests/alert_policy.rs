//! The alert policy, black-box: reminders, dependencies, storm control and event
//! rules, delivered to a local webhook receiver. Time is driven by real short
//! deadlines (fractions of a second). Snoozes and flap damping are in
//! tests/snoozes_and_flapping.rs.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::alert_policy::{alerts, pair, pulse, start, wait_for_alert, wait_until_dead};
use support::{Receiver, assert_stays, wait_for};

#[tokio::test]
async fn a_dead_service_is_reminded_with_its_outage_length_until_it_pulses() {
    let (_dir, server, ops, _) = start(json!({"remindEvery": 1})).await;
    server
        .send(
            Method::POST,
            "/add-event",
            Some(json!({"service": "own", "level": "error", "message": "disk full"})),
        )
        .await;
    let answer = pulse(
        &server,
        json!({"service": "own", "nextIn": 0.3, "remindEvery": 1.5}),
    )
    .await;
    assert_eq!(answer["remindEvery"], 1.5);
    pulse(&server, json!({"service": "default", "nextIn": 0.3})).await;
    pulse(
        &server,
        json!({"service": "never", "nextIn": 0.3, "remindEvery": 0}),
    )
    .await;

    let down = wait_for_alert(&ops, "down", "own").await;
    let recent = down["details"]["recent"].as_array().unwrap();
    assert!(
        recent.iter().any(|e| e["message"] == "disk full"),
        "quotes the latest events: {down}"
    );
    let reminder = wait_for_alert(&ops, "reminder", "own").await;
    assert!(
        reminder["message"].as_str().unwrap().contains("still DOWN"),
        "{reminder}"
    );
    assert_eq!(reminder["status"], "dead");
    wait_for_alert(&ops, "reminder", "default").await;
    wait_for("a second reminder of default", async || {
        (alerts(&ops)
            .iter()
            .filter(|a| **a == pair("reminder", "default"))
            .count()
            >= 2)
            .then_some(())
    })
    .await;
    assert!(
        !alerts(&ops).contains(&pair("reminder", "never")),
        "remindEvery 0: never"
    );

    pulse(&server, json!({"service": "own", "nextIn": 60})).await;
    wait_for_alert(&ops, "up", "own").await;
    let count = || alerts(&ops).iter().filter(|a| a.1 == "own").count();
    let settled = count();
    assert_stays(
        "no reminder once it is back",
        Duration::from_secs(2),
        || count() == settled,
    )
    .await;
}

#[tokio::test]
async fn deaths_while_a_dependency_is_dead_fold_into_its_alerts() {
    let (_dir, server, ops, _) = start(json!({})).await;
    let (status, error) = server
        .send(Method::POST, "/", Some(json!({"service": "db", "alertType": "webhook", "alertTarget": "ops", "nextIn": 1, "dependsOn": "db"})))
        .await;
    // Well formed, but against a rule no schema can state.
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"].as_str().unwrap().starts_with("dependsOn"),
        "{error}"
    );
    pulse(&server, json!({"service": "db", "nextIn": 0.2})).await;
    let web = pulse(
        &server,
        json!({"service": "web", "nextIn": 0.8, "dependsOn": "db"}),
    )
    .await;
    assert_eq!(web["dependsOn"], "db");
    pulse(
        &server,
        json!({"service": "api", "nextIn": 0.8, "dependsOn": "db"}),
    )
    .await;
    wait_for_alert(&ops, "down", "db").await;
    for child in ["web", "api"] {
        wait_until_dead(&server, child).await;
    }
    wait_for("the fold in web's story", async || {
        let events = server.events("?service=web").await;
        events
            .iter()
            .any(|e| {
                e["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("alert folded into db's")
            })
            .then_some(())
    })
    .await;
    assert_eq!(
        alerts(&ops),
        [pair("down", "db")],
        "the children's deaths are folded"
    );

    // db comes back; web follows within its window, api does not.
    pulse(&server, json!({"service": "db", "nextIn": 60})).await;
    let up = wait_for_alert(&ops, "up", "db").await;
    let still_dead: Vec<&str> = up["details"]["dependents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(still_dead, ["api", "web"], "{up}");
    pulse(
        &server,
        json!({"service": "web", "nextIn": 60, "dependsOn": "db"}),
    )
    .await;
    let api = wait_for_alert(&ops, "down", "api").await;
    assert!(
        api["message"]
            .as_str()
            .unwrap()
            .contains("It depends on db, which recovered"),
        "{api}"
    );
    assert_stays("nothing about web", Duration::from_secs(1), || {
        !alerts(&ops).iter().any(|a| a.1 == "web")
    })
    .await;
}

#[tokio::test]
async fn beyond_the_storm_threshold_deaths_go_into_one_digest_per_target() {
    let (_dir, server, ops, dev) =
        start(json!({"storm": {"threshold": 2, "window": 30, "gather": 1}})).await;
    for index in 0..5 {
        pulse(
            &server,
            json!({"service": format!("ops-{index}"), "nextIn": 0.3}),
        )
        .await;
    }
    for index in 0..2 {
        pulse(
            &server,
            json!({"service": format!("dev-{index}"), "nextIn": 0.3, "alertTarget": "dev"}),
        )
        .await;
    }
    wait_for("two digests", async || {
        let digests = |hook: &Receiver| alerts(hook).iter().filter(|a| a.0 == "digest").count();
        (digests(&ops) == 1 && digests(&dev) == 1).then_some(())
    })
    .await;
    let reported = |hook: &Receiver| -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for request in hook.received() {
            let alert = request.json();
            match alert["kind"].as_str().unwrap() {
                "digest" => {
                    assert!(
                        alert["message"]
                            .as_str()
                            .unwrap()
                            .contains("services are DOWN"),
                        "{alert}"
                    );
                    for member in alert["details"]["members"].as_array().unwrap() {
                        names.push(member["service"].as_str().unwrap().to_owned());
                    }
                }
                _ => names.push(alert["service"].as_str().unwrap().to_owned()),
            }
        }
        names.sort();
        names
    };
    assert_stays("nothing more", Duration::from_secs(1), || {
        ops.received().len() + dev.received().len() == 4
    })
    .await;
    assert_eq!(
        reported(&ops),
        ["ops-0", "ops-1", "ops-2", "ops-3", "ops-4"]
    );
    assert_eq!(reported(&dev), ["dev-0", "dev-1"]);
    let alone = ops.received().len() + dev.received().len() - 2;
    assert_eq!(alone, 2, "the threshold's worth alone, the rest in digests");
}

#[tokio::test]
async fn event_rules_page_at_most_once_per_period() {
    let rules = json!([
        {"name": "critical", "minLevel": "critical", "every": 60},
        {"name": "batch", "prefix": "batch-", "minLevel": "error", "every": 60, "alertType": "webhook", "alertTarget": "dev"}
    ]);
    let (_dir, server, ops, dev) = start(json!({"eventRules": rules})).await;
    pulse(&server, json!({"service": "billing", "nextIn": 600})).await;
    let post = async |service: &str, level: &str, message: &str| {
        let body = json!({"service": service, "level": level, "message": message});
        assert_eq!(
            server.send(Method::POST, "/add-event", Some(body)).await.0,
            StatusCode::CREATED
        );
    };
    post("billing", "critical", "card processor unreachable").await;
    let alert = wait_for_alert(&ops, "event", "billing").await;
    assert!(
        alert["message"]
            .as_str()
            .unwrap()
            .contains("[critical] card processor unreachable"),
        "{alert}"
    );
    post("billing", "critical", "again").await;
    post("billing", "error", "below the rule's level").await;
    post("batch-nightly", "error", "export failed").await;
    let batch = wait_for_alert(&dev, "event", "batch-nightly").await;
    assert_eq!(batch["details"]["rule"], "batch");
    let body =
        json!([{"service": "unmonitored", "level": "critical", "message": "nobody to tell"}]);
    assert_eq!(
        server.send(Method::POST, "/add-events", Some(body)).await.0,
        StatusCode::CREATED
    );
    assert_stays(
        "one alert per rule and period",
        Duration::from_secs(1),
        || ops.received().len() == 1 && dev.received().len() == 1,
    )
    .await;
}

#[tokio::test]
async fn event_rules_and_policy_settings_are_checked_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            json!({"alerts": {"eventRules": [{"name": "x", "minLevel": "loud"}]}}),
            "minLevel",
        ),
        (
            json!({"alerts": {"eventRules": [{"name": "x", "alertType": "webhook", "alertTarget": "nowhere"}]}}),
            "alertTarget",
        ),
        (
            json!({"alerts": {"storm": {"threshold": 0}}}),
            "alerts.storm.threshold",
        ),
        (json!({"alerts": {"remindEvery": -1}}), "alerts.remindEvery"),
        (
            json!({"routes": {"oncall": [{"alertType": "slack", "alertTarget": "ops"}]}}),
            "routes.oncall[0].alertType",
        ),
        (
            json!({"routes": {"oncall": [{"alertType": "route", "alertTarget": "oncall"}]}}),
            "cannot name a route",
        ),
        (json!({"routes": {"oncall": []}}), "at least one channel"),
    ];
    for (config, key) in cases {
        let path = support::write_config(dir.path(), config.clone());
        let output = support::run_expecting_failure(
            dir.path(),
            &["serve", "--config", path.to_str().unwrap()],
            &[],
        );
        let stderr = support::stderr(&output);
        assert!(stderr.contains(key), "{config} → {stderr}");
    }
}
