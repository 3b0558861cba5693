//! The alert policy, black-box: reminders, snoozes, dependencies, storm control,
//! flap damping and event rules, delivered to a local webhook receiver. Time is
//! driven by real short deadlines (fractions of a second).
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Receiver, Server, assert_stays, bad_request_error, wait_for};

/// A server whose webhooks `ops` and `dev` go to two receivers; `alerts` adds to
/// the alert settings (fast retries, storm control off unless asked).
async fn start(alerts: Value) -> (tempfile::TempDir, Server, Receiver, Receiver) {
    let (ops, dev) = (Receiver::start(&[]).await, Receiver::start(&[]).await);
    let mut settings =
        json!({"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}});
    for (key, value) in alerts.as_object().unwrap() {
        settings[key] = value.clone();
    }
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": ops.url}, "dev": {"url": dev.url}},
        "alerts": settings,
    });
    let server = Server::start(dir.path(), config).await;
    (dir, server, ops, dev)
}

async fn pulse(server: &Server, body: Value) -> Value {
    let mut pulse = json!({"alertType": "webhook", "alertTarget": "ops"});
    for (key, value) in body.as_object().unwrap() {
        pulse[key] = value.clone();
    }
    let (status, answer) = server.send(Method::POST, "/", Some(pulse)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

/// The alerts a receiver got, as (kind, service) pairs.
fn alerts(hook: &Receiver) -> Vec<(String, String)> {
    hook.received()
        .iter()
        .map(|r| {
            let alert = r.json();
            (
                alert["kind"].as_str().unwrap().to_owned(),
                alert["service"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn wait_for_alert(hook: &Receiver, kind: &str, service: &str) -> Value {
    wait_for(&format!("a {kind} alert about {service}"), async || {
        hook.received()
            .iter()
            .map(|r| r.json())
            .find(|a| a["kind"] == kind && a["service"] == service)
    })
    .await
}

fn pair(kind: &str, service: &str) -> (String, String) {
    (kind.to_owned(), service.to_owned())
}

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
    wait_for("db-replica to die", async || {
        (server.status_of("db-replica").await.as_deref() == Some("dead")).then_some(())
    })
    .await;
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
    assert_eq!(status, StatusCode::BAD_REQUEST);
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
    pulse(&server, json!({"service": "api", "nextIn": 0.2})).await;
    wait_for("api to die", async || {
        (server.status_of("api").await.as_deref() == Some("dead")).then_some(())
    })
    .await;
    assert_stays("held by the snoozes", Duration::from_millis(700), || {
        ops.received().is_empty()
    })
    .await;
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
    assert_eq!(ids[1], snooze["id"].as_i64().unwrap());
    wait_for_alert(&ops, "down", "api").await;
    let (status, _) = server
        .send(Method::DELETE, &format!("/snooze/{}", ids[0]), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

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
        let error = bad_request_error(response).await;
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
async fn deaths_while_a_dependency_is_dead_fold_into_its_alerts() {
    let (_dir, server, ops, _) = start(json!({})).await;
    let (status, error) = server
        .send(Method::POST, "/", Some(json!({"service": "db", "alertType": "webhook", "alertTarget": "ops", "nextIn": 1, "dependsOn": "db"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
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
        wait_for(&format!("{child} to die"), async || {
            (server.status_of(child).await.as_deref() == Some("dead")).then_some(())
        })
        .await;
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
