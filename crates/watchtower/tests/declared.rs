//! Declared checks: `PUT /services/{name}` monitors a service before its first
//! pulse (`new`), alerts it if that pulse never comes, and changes how a
//! monitored one is watched; declaring it as it is changes nothing.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::access::{call, key};
use support::{Receiver, Server, messages, millis_of, wait_for};

async fn start(hook: &Receiver) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), config(hook)).await;
    (dir, server)
}

fn config(hook: &Receiver) -> Value {
    json!({
        "webhooks": {"ops": {"url": hook.url}},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}},
    })
}

fn declaration(timing: Value) -> Value {
    let mut body = json!({"alertType": "webhook", "alertTarget": "ops"});
    body.as_object_mut()
        .unwrap()
        .extend(timing.as_object().unwrap().clone());
    body
}

async fn declare(server: &Server, name: &str, timing: Value) -> (StatusCode, Value) {
    let path = format!("/services/{name}");
    server
        .send(Method::PUT, &path, Some(declaration(timing)))
        .await
}

#[tokio::test]
async fn a_declared_service_that_never_pulses_is_alerted_as_dead() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    let before = chrono::Utc::now().timestamp_millis();
    let (status, declared) =
        declare(&server, "nightly", json!({"nextIn": 0.3, "grace": 0.2})).await;
    assert_eq!(status, StatusCode::CREATED, "{declared}");
    assert_eq!(declared["status"], "new");
    assert_eq!(declared["neverPulsed"], true);
    let declared_at = millis_of(&declared["lastPulse"]);
    assert!(declared_at >= before, "lastPulse is the declaration's date");
    assert_eq!(millis_of(&declared["firstSeen"]), declared_at);
    assert_eq!(millis_of(&declared["deadline"]) - declared_at, 500);

    let alert = wait_for("the down alert", async || {
        hook.received().into_iter().map(|r| r.json()).next()
    })
    .await;
    assert_eq!(
        (&alert["kind"], &alert["service"]),
        (&json!("down"), &json!("nightly"))
    );
    assert!(
        alert["message"]
            .as_str()
            .unwrap()
            .contains("declared but never pulsed"),
        "{alert}"
    );
    let dead = server.services().await;
    assert_eq!(
        (&dead[0]["status"], &dead[0]["neverPulsed"]),
        (&json!("dead"), &json!(true))
    );
    let events = server.events("?service=nightly&order=asc").await;
    let told = messages(&events);
    assert!(
        told[0].starts_with("monitoring declared: first pulse due within"),
        "{told:?}"
    );
    assert!(
        told[1].starts_with("dead: no first pulse by its deadline"),
        "{told:?}"
    );
}

#[tokio::test]
async fn the_first_pulse_of_a_declared_service_starts_it_as_any_first_pulse() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    let (_, declared) = declare(
        &server,
        "backup",
        json!({"schedule": "0 3 * * *", "tz": "Europe/Berlin"}),
    )
    .await;
    assert_eq!(declared["schedule"], "0 3 * * *");
    let up = server.pulse("backup", "webhook", "ops", 600.0).await;
    assert_eq!(up["status"], "up");
    assert!(up.get("neverPulsed").is_none(), "{up}");
    assert_eq!(
        up["firstSeen"], declared["firstSeen"],
        "first seen when declared"
    );
    let events = server.events("?service=backup&order=asc").await;
    let told = messages(&events);
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told[1].starts_with("monitoring started"), "{told:?}");
    assert!(hook.received().is_empty(), "nothing to alert");
}

#[tokio::test]
async fn declaring_again_changes_only_what_differs_and_is_idempotent() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    server.pulse("web", "webhook", "ops", 3600.0).await;
    let (status, same) = declare(&server, "web", json!({"nextIn": 3600})).await;
    assert_eq!((status, &same["status"]), (StatusCode::OK, &json!("up")));
    let last_pulse = millis_of(&same["lastPulse"]);

    let (status, changed) = declare(&server, "web", json!({"nextIn": 60, "grace": "30s"})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (&changed["nextIn"], &changed["grace"]),
        (&json!(60), &json!(30))
    );
    assert_eq!(
        changed["status"], "up",
        "a changed service keeps its status"
    );
    assert_eq!(millis_of(&changed["lastPulse"]), last_pulse);
    assert_eq!(
        millis_of(&changed["deadline"]) - last_pulse,
        90_000,
        "the new deadline counts from the last pulse"
    );
    let (_, again) = declare(&server, "web", json!({"nextIn": 60, "grace": 30})).await;
    assert_eq!(again, changed, "declaring it as it is changes nothing");

    let events = server.events("?service=web&order=asc").await;
    assert_eq!(
        messages(&events)[1..],
        ["monitoring changed: nextIn, grace"],
        "one event for the one change"
    );
    let trail = server.events("?service=watchtower&order=asc").await;
    assert_eq!(
        messages(&trail),
        ["the password from 127.0.0.1 changed nextIn, grace of the service `web`"]
    );
}

#[tokio::test]
async fn a_shorter_interval_than_the_time_since_the_last_pulse_is_due_at_once() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    server.pulse("slow", "webhook", "ops", 3600.0).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (status, _) = declare(&server, "slow", json!({"nextIn": 0.1})).await;
    assert_eq!(status, StatusCode::OK);
    wait_for("the death", async || {
        (server.status_of("slow").await.as_deref() == Some("dead")).then_some(())
    })
    .await;
    // Declaring a dead service changes its settings; it stays dead until it pulses.
    let (_, still) = declare(&server, "slow", json!({"nextIn": 7200})).await;
    assert_eq!(
        (&still["status"], &still["nextIn"]),
        (&json!("dead"), &json!(7200))
    );
}

#[tokio::test]
async fn a_declared_service_survives_kill_9_and_is_still_watched() {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&hook);
    let mut server = Server::start(dir.path(), config.clone()).await;
    let (status, _) = declare(&server, "cron", json!({"nextIn": 2})).await;
    assert_eq!(status, StatusCode::CREATED);
    server.kill();
    let server = Server::start(dir.path(), config).await;
    let services = server.services().await;
    assert_eq!(services[0]["status"], "new", "{services:?}");
    wait_for("its death after the restart", async || {
        let alerts = hook.received();
        alerts.first().map(|a| a.json()["service"].clone())
    })
    .await;
}

#[tokio::test]
async fn bad_declarations_are_refused_and_write_nothing() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    let cases = [
        (
            "/services/a",
            json!({"service": "b", "alertType": "webhook", "alertTarget": "ops", "nextIn": 60}),
            422,
            "service: must be the name in the path",
        ),
        (
            "/services/a",
            json!({"alertType": "webhook", "alertTarget": "ops"}),
            400,
            "nextIn",
        ),
        (
            "/services/a",
            json!({"alertType": "webhook", "alertTarget": "nope", "nextIn": 60}),
            400,
            "alertTarget",
        ),
        (
            "/services/a",
            json!({"alertType": "webhook", "alertTarget": "ops", "nextIn": 60, "extra": 1}),
            400,
            "extra",
        ),
        (
            "/services/a",
            json!({"alertType": "webhook", "alertTarget": "ops", "schedule": "61 * * * *"}),
            400,
            "schedule",
        ),
        (
            "/services/%20a",
            json!({"alertType": "webhook", "alertTarget": "ops", "nextIn": 60}),
            400,
            "name",
        ),
    ];
    for (path, body, status, names) in cases {
        let (got, answer) = server.send(Method::PUT, path, Some(body.clone())).await;
        assert_eq!(got.as_u16(), status, "{body}: {answer}");
        let error = answer["error"].as_str().unwrap();
        assert!(error.contains(names), "{body}: {error}");
    }
    assert!(server.services().await.is_empty());
}

#[tokio::test]
async fn declaring_needs_write_scope_within_the_keys_prefix() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    let ingest = key(&server, json!({"name": "ci", "scope": "ingest"})).await;
    let team = key(
        &server,
        json!({"name": "team", "scope": "write", "prefix": "team-a-"}),
    )
    .await;
    let body = Some(declaration(json!({"nextIn": 60})));
    let (status, _) = call(
        &server,
        &ingest,
        Method::PUT,
        "/services/team-a-db",
        body.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, answer) = call(
        &server,
        &team,
        Method::PUT,
        "/services/team-b-db",
        body.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let (status, _) = call(&server, &team, Method::PUT, "/services/team-a-db", body).await;
    assert_eq!(status, StatusCode::CREATED);
}

/// Runs `watchtower apply` with `args` against `server`; answers its stdout.
async fn apply(server: &Server, args: &[&str]) -> String {
    let args: Vec<&str> = ["apply"].iter().chain(args).copied().collect();
    let output = support::cli_against(server, &args).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "apply {args:?}: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn apply_prints_its_plan_carries_it_out_and_then_has_nothing_to_do() {
    let hook = Receiver::start(&[]).await;
    let (dir, server) = start(&hook).await;
    server.pulse("adhoc", "webhook", "ops", 600.0).await;
    let file = dir.path().join("services.json");
    let path = file.to_str().unwrap();
    let write = |services: Value| std::fs::write(&file, services.to_string()).unwrap();
    write(json!({"services": [
        {"service": "backup", "alertType": "webhook", "alertTarget": "ops",
         "schedule": "0 3 * * *", "tz": "Europe/Berlin", "grace": "30m"},
        {"service": "adhoc", "alertType": "webhook", "alertTarget": "ops", "nextIn": "10m"},
    ]}));
    let plan = apply(&server, &[path, "--dry-run"]).await;
    assert_eq!(
        plan,
        "+ create backup (schedule \"0 3 * * *\" Europe/Berlin, grace 30m, alerts to webhook:ops)\n\
         Plan: 1 to create, 0 to change, 0 to cancel, 1 unchanged.\n"
    );
    assert_eq!(
        server.services().await.len(),
        1,
        "a dry run changes nothing"
    );

    let applied = apply(&server, &[path]).await;
    assert!(applied.ends_with("declared backup (new)\n"), "{applied}");
    let again = apply(&server, &[path]).await;
    assert_eq!(
        again,
        "Plan: 0 to create, 0 to change, 0 to cancel, 2 unchanged.\n"
    );

    write(json!([
        {"service": "backup", "alertType": "webhook", "alertTarget": "ops",
         "schedule": "0 4 * * *", "tz": "Europe/Berlin", "grace": "30m"},
    ]));
    let pruned = apply(&server, &[path, "--prune"]).await;
    assert!(
        pruned.starts_with(
            "~ change backup\n    schedule: 0 3 * * * → 0 4 * * *\n- cancel adhoc\n\
             Plan: 0 to create, 1 to change, 1 to cancel, 0 unchanged.\n"
        ),
        "{pruned}"
    );
    let services = server.services().await;
    assert_eq!(services.len(), 1);
    assert_eq!(
        (&services[0]["schedule"], &services[0]["status"]),
        (&json!("0 4 * * *"), &json!("new"))
    );
    assert_eq!(
        apply(&server, &[path, "--prune"]).await,
        "Plan: 0 to create, 0 to change, 0 to cancel, 1 unchanged.\n"
    );
}
