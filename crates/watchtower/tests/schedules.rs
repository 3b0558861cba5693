//! Cron schedules with time zones, and grace, through the API and ping URLs: the
//! deadline the server answers is the schedule's next time plus grace (the
//! arithmetic itself is unit-tested in `monitor::schedule`).
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Receiver, Server, millis_of, refusal_error, wait_for};

const KEY: &str = "cron-key-0123456789abcdef";
const HOUR: i64 = 3_600_000;

async fn start(dir: &std::path::Path, hook: &Receiver) -> Server {
    let config = json!({
        "webhooks": {"ops": {"url": hook.url}},
        "pingKeys": {"cron": {"key": KEY, "alertType": "webhook", "alertTarget": "ops", "nextIn": 60}},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}},
    });
    Server::start(dir, config).await
}

fn pulse(service: &str, timing: Value) -> Value {
    let mut body = json!({"service": service, "alertType": "webhook", "alertTarget": "ops"});
    body.as_object_mut()
        .unwrap()
        .extend(timing.as_object().unwrap().clone());
    body
}

/// The next whole hour after `millis`, plus `offset` milliseconds, that lies after it.
fn next_hour_after(millis: i64, offset: i64) -> i64 {
    let candidate = millis - millis.rem_euclid(HOUR) + offset;
    if candidate > millis {
        candidate
    } else {
        candidate + HOUR
    }
}

#[tokio::test]
async fn a_schedule_sets_the_deadline_to_its_next_time_in_its_zone_plus_grace() {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path(), &hook).await;

    let timing = json!({"schedule": "@hourly", "grace": "15m"});
    let (status, hourly) = server
        .send(Method::POST, "/", Some(pulse("hourly", timing)))
        .await;
    assert_eq!(status, StatusCode::OK, "{hourly}");
    let pulsed = millis_of(&hourly["lastPulse"]);
    let expected = next_hour_after(pulsed, 0);
    assert_eq!(
        millis_of(&hourly["deadline"]),
        expected + 15 * 60_000,
        "{hourly}"
    );
    assert_eq!(
        (&hourly["schedule"], &hourly["tz"], &hourly["grace"]),
        (&json!("@hourly"), &json!("UTC"), &json!(900))
    );
    assert_eq!(
        hourly["nextIn"].as_f64().unwrap(),
        (expected - pulsed) as f64 / 1000.0
    );

    // India is 5 h 30 min ahead of UTC all year: its whole hours fall at :30 UTC.
    let timing = json!({"schedule": "0 * * * *", "tz": "Asia/Kolkata"});
    let (status, kolkata) = server
        .send(Method::POST, "/", Some(pulse("kolkata", timing)))
        .await;
    assert_eq!(status, StatusCode::OK, "{kolkata}");
    let pulsed = millis_of(&kolkata["lastPulse"]);
    assert_eq!(
        millis_of(&kolkata["deadline"]),
        next_hour_after(pulsed, 30 * 60_000)
    );
    assert!(kolkata.get("grace").is_none(), "no grace, none shown");

    // An interval service may have grace too; a pulse without a schedule drops it.
    let timing = json!({"nextIn": 60, "grace": 30});
    let (_, interval) = server
        .send(Method::POST, "/", Some(pulse("hourly", timing)))
        .await;
    assert_eq!(
        millis_of(&interval["deadline"]) - millis_of(&interval["lastPulse"]),
        90_000
    );
    assert!(interval.get("schedule").is_none(), "{interval}");

    // What is stored comes back after a restart.
    server.terminate();
    let server = start(dir.path(), &hook).await;
    let listed = server.services().await;
    let kolkata = listed.iter().find(|s| s["service"] == "kolkata").unwrap();
    assert_eq!(
        (&kolkata["schedule"], &kolkata["tz"]),
        (&json!("0 * * * *"), &json!("Asia/Kolkata"))
    );
}

#[tokio::test]
async fn grace_delays_the_death_and_its_alert_by_exactly_that_much() {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &hook).await;
    let (_, answer) = server
        .send(
            Method::POST,
            "/",
            Some(pulse("graced", json!({"nextIn": 0.2, "grace": 0.3}))),
        )
        .await;
    let deadline = millis_of(&answer["deadline"]);
    assert_eq!(deadline - millis_of(&answer["lastPulse"]), 500);
    wait_for("the graced service to die", async || {
        (server.status_of("graced").await.as_deref() == Some("dead")).then_some(())
    })
    .await;
    let alert = hook.wait_for_requests(1).await[0].json();
    assert_eq!(
        (&alert["service"], &alert["kind"]),
        (&json!("graced"), &json!("down"))
    );
    assert_eq!(millis_of(&alert["deadline"]), deadline);
}

#[tokio::test]
async fn bad_timing_is_refused_naming_the_field() {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &hook).await;
    let cases = [
        (
            json!({"nextIn": 60, "schedule": "@daily"}),
            400,
            "schedule: ",
        ),
        (json!({}), 400, "nextIn: "),
        (json!({"schedule": "61 * * * *"}), 400, "schedule: "),
        (json!({"schedule": "0 9 * *"}), 400, "schedule: "),
        (json!({"schedule": "@reboot"}), 400, "schedule: "),
        (json!({"schedule": "0 0 30 2 *"}), 422, "schedule: "),
        (json!({"schedule": "5-1 * * * *"}), 422, "schedule: "),
        (
            json!({"schedule": "@daily", "tz": "Mars/Olympus"}),
            400,
            "tz: ",
        ),
        (json!({"nextIn": 60, "tz": "Europe/Berlin"}), 400, "tz: "),
        (json!({"schedule": null}), 400, "schedule: "),
        (json!({"nextIn": 60, "grace": -1}), 400, "grace: "),
        (json!({"nextIn": 60, "grace": "2 weeks"}), 400, "grace: "),
        (json!({"nextIn": 60, "grace": "400d"}), 422, "grace: "),
        (json!({"nextIn": 60, "grace": true}), 400, "grace: "),
    ];
    for (timing, status, field) in cases {
        let response = server
            .request(Method::POST, "/")
            .json(&pulse("bad", timing.clone()))
            .send()
            .await
            .unwrap();
        let status = StatusCode::from_u16(status).unwrap();
        let error = refusal_error(response, status).await;
        assert!(error.starts_with(field), "{timing}: {error}");
    }
    assert!(server.services().await.is_empty(), "nothing was written");
}

/// A ping with the cron key, as curl in a crontab sends it.
async fn ping(server: &Server, rest: &str) -> (StatusCode, String) {
    let response = reqwest::get(format!("{}/ping/{KEY}/{rest}", server.url))
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn service(server: &Server, name: &str) -> Value {
    let services = server.services().await;
    services.into_iter().find(|s| s["service"] == name).unwrap()
}

#[tokio::test]
async fn a_ping_url_sets_a_schedule_that_later_pings_keep() {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &hook).await;
    let (status, text) = ping(
        &server,
        "backup?schedule=30+*+*+*+*&tz=Asia%2FKolkata&grace=5m",
    )
    .await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "OK"));
    let backup = service(&server, "backup").await;
    assert_eq!(
        (&backup["schedule"], &backup["tz"], &backup["grace"]),
        (&json!("30 * * * *"), &json!("Asia/Kolkata"), &json!(300))
    );
    // :30 in Kolkata is :00 UTC.
    let pulsed = millis_of(&backup["lastPulse"]);
    assert_eq!(
        millis_of(&backup["deadline"]),
        next_hour_after(pulsed, 0) + 300_000
    );

    // A plain ping keeps the schedule and grace; one with nextIn replaces them.
    ping(&server, "backup").await;
    let again = service(&server, "backup").await;
    assert_eq!(
        (&again["schedule"], &again["grace"]),
        (&json!("30 * * * *"), &json!(300))
    );
    let pulsed = millis_of(&again["lastPulse"]);
    assert_eq!(
        millis_of(&again["deadline"]),
        next_hour_after(pulsed, 0) + 300_000
    );
    ping(&server, "backup?nextIn=2h").await;
    let interval = service(&server, "backup").await;
    assert!(interval.get("schedule").is_none(), "{interval}");
    assert_eq!(interval["nextIn"], 7200);

    for (query, status, field) in [
        ("?nextIn=1h&schedule=@daily", 422, "schedule: "),
        ("?tz=Europe%2FBerlin", 422, "tz: "),
        ("?schedule=nope", 400, "schedule: "),
        ("?schedule=@daily&tz=Nowhere", 400, "tz: "),
        ("?grace=400d", 422, "grace: "),
    ] {
        let response = reqwest::get(format!("{}/ping/{KEY}/backup{query}", server.url))
            .await
            .unwrap();
        let status = StatusCode::from_u16(status).unwrap();
        let error = refusal_error(response, status).await;
        assert!(error.starts_with(field), "{query}: {error}");
    }
}

#[tokio::test]
async fn the_command_line_pulses_on_a_schedule() {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &hook).await;
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_watchtower"))
            .args(args)
            .env("WATCHTOWER_URL", &server.url)
            .env("WATCHTOWER_PASSWORD", support::PASSWORD)
            .output()
            .unwrap()
    };
    let pulsed = cli(&[
        "pulse",
        "nightly",
        "--schedule",
        "30 2 * * *",
        "--tz",
        "Europe/Berlin",
        "--grace",
        "15m",
        "--alert",
        "webhook:ops",
    ]);
    assert!(pulsed.status.success(), "{}", support::stderr(&pulsed));
    let nightly = service(&server, "nightly").await;
    assert_eq!(
        (&nightly["schedule"], &nightly["tz"], &nightly["grace"]),
        (&json!("30 2 * * *"), &json!("Europe/Berlin"), &json!(900))
    );
    // Either an interval or a schedule; a zone only with a schedule.
    for args in [
        &["pulse", "x", "--next-in", "1h", "--schedule", "@daily"][..],
        &["pulse", "x", "--next-in", "1h", "--tz", "UTC"],
        &["pulse", "x", "--alert", "webhook:ops"],
    ] {
        let refused = cli(args);
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
    }
    // The server's refusal names the field.
    let refused = cli(&[
        "pulse",
        "x",
        "--schedule",
        "0 0 30 2 *",
        "--alert",
        "webhook:ops",
    ]);
    assert!(
        support::stderr(&refused).contains("schedule: "),
        "{}",
        support::stderr(&refused)
    );
}

#[tokio::test]
async fn the_rust_client_pulses_on_a_schedule_but_never_beats_by_one() {
    use watchtower_client::{Client, Error, Heartbeat, Pulse};
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &hook).await;
    let client = Client::builder(&server.url, support::PASSWORD)
        .build()
        .unwrap();
    let scheduled = Pulse::scheduled("report", "0 * * * *", "webhook", "ops")
        .tz("Asia/Kolkata")
        .grace(std::time::Duration::from_secs(60));
    let answer = client.pulse(&scheduled).await.unwrap();
    assert_eq!(
        (
            answer.schedule.as_deref(),
            answer.tz.as_deref(),
            answer.grace
        ),
        (Some("0 * * * *"), Some("Asia/Kolkata"), Some(60.0))
    );
    let pulsed = answer.last_pulse.timestamp_millis();
    assert_eq!(
        answer.deadline.timestamp_millis(),
        next_hour_after(pulsed, 30 * 60_000) + 60_000
    );
    let refused = Heartbeat::start(client, scheduled, std::time::Duration::from_secs(1));
    assert!(matches!(refused, Err(Error::Config { .. })));
}
