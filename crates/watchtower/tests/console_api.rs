//! What the dashboard's console reads to offer choices: the configured channels,
//! routes and ping keys (never a secret), a schedule explained, and the uptime of
//! each day.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Receiver, Server, bad_request_error, wait_for};

const HOOK_SECRET: &str = "hook-token-0123456789";
const PING_SECRET: &str = "ping-key-secret-0123456789";

async fn start(hook: &Receiver) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": format!("{}?token={HOOK_SECRET}", hook.url)},
                      "dev": {"url": hook.url}},
        "routes": {"oncall": [{"alertType": "webhook", "alertTarget": "ops"},
                              {"alertType": "webhook", "alertTarget": "dev"}]},
        "pingKeys": {"cron": {"key": PING_SECRET, "prefix": "job-",
                               "alertType": "route", "alertTarget": "oncall"}},
        "alerts": {"retryMin": 0.2, "retryMax": 1},
    });
    let server = Server::start(dir.path(), config).await;
    (dir, server)
}

#[tokio::test]
async fn channels_lists_what_a_pulse_may_name_and_never_a_secret() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    let response = server
        .request(Method::GET, "/channels")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    for secret in [HOOK_SECRET, PING_SECRET, hook.url.as_str()] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    let answer: Value = serde_json::from_str(&text).unwrap();
    let channels = answer["channels"].as_array().unwrap();
    let webhook = channels
        .iter()
        .find(|c| c["alertType"] == "webhook")
        .unwrap();
    assert_eq!(webhook["form"], "named");
    assert_eq!(webhook["targets"], json!(["dev", "ops"]));
    let route = channels.iter().find(|c| c["alertType"] == "route").unwrap();
    assert_eq!(route["targets"], json!(["oncall"]));
    assert!(
        channels.iter().all(|c| c["alertType"] != "mail"),
        "mail is not configured: {channels:?}"
    );
    assert_eq!(
        answer["routes"],
        json!([{"name": "oncall", "steps": [
            {"alertType": "webhook", "alertTarget": "ops"},
            {"alertType": "webhook", "alertTarget": "dev"}]}])
    );
    assert_eq!(
        answer["pingKeys"],
        json!([{"name": "cron", "service": null, "prefix": "job-", "services": [],
                "alertType": "route", "alertTarget": "oncall"}])
    );
}

#[tokio::test]
async fn a_schedule_is_explained_in_words_with_its_next_times() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    let path = "/schedule?schedule=30%209%20*%20*%201-5&tz=Europe/Berlin&count=7";
    let (status, answer) = server.send(Method::GET, path, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["schedule"], "30 9 * * 1-5");
    assert_eq!(answer["tz"], "Europe/Berlin");
    let words = answer["description"].as_str().unwrap();
    assert!(words.contains("09:30"), "{words}");
    let next: Vec<chrono::DateTime<chrono::FixedOffset>> = answer["next"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| chrono::DateTime::parse_from_rfc3339(d.as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(next.len(), 7);
    assert!(next.windows(2).all(|pair| pair[0] < pair[1]));
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    for date in &next {
        let local = date.with_timezone(&berlin);
        assert_eq!(local.format("%H:%M").to_string(), "09:30", "{date}");
        use chrono::Datelike;
        assert!(
            local.weekday().num_days_from_monday() < 5,
            "{date} is a weekday"
        );
    }
    let (status, answer) = server
        .send(Method::GET, "/schedule?schedule=@daily", None)
        .await;
    assert_eq!(
        (
            status,
            answer["tz"].as_str(),
            answer["next"].as_array().unwrap().len()
        ),
        (StatusCode::OK, Some("UTC"), 5)
    );

    for (query, field) in [
        ("schedule=61%20*%20*%20*%20*", "schedule"),
        ("schedule=@daily&tz=Mars/Olympus", "tz"),
        ("schedule=@daily&count=0", "count"),
        ("schedule=@daily&count=21", "count"),
        ("tz=UTC", "schedule"),
        (
            "schedule=@daily&when=now",
            "query: unknown parameter `when`",
        ),
    ] {
        let response = server
            .request(Method::GET, &format!("/schedule?{query}"))
            .send()
            .await
            .unwrap();
        let error = bad_request_error(response).await;
        assert!(error.starts_with(field), "{query}: {error}");
    }
}

#[tokio::test]
async fn each_day_has_its_uptime_counted_from_the_first_pulse() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    server.pulse("steady", "webhook", "ops", 3600.0).await;
    server.pulse("gone", "webhook", "ops", 0.2).await;
    wait_for("gone to die", async || {
        (server.status_of("gone").await.as_deref() == Some("dead")).then_some(())
    })
    .await;

    let (status, answer) = server.send(Method::GET, "/uptime", None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let dates = answer["dates"].as_array().unwrap();
    assert_eq!(dates.len(), 30);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(dates[29], today.as_str());
    let steady = answer["services"]["steady"].as_array().unwrap();
    assert!(
        steady[..29].iter().all(Value::is_null),
        "not seen before today: {steady:?}"
    );
    assert_eq!(steady[29], 1.0);
    let gone = answer["services"]["gone"].as_array().unwrap()[29]
        .as_f64()
        .unwrap();
    assert!(gone < 1.0, "dead most of its short life: {gone}");

    let (status, history) = server
        .send(Method::GET, "/service-history?service=gone", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let days = history["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(days[29]["date"], today.as_str());
    assert!(days[29]["uptime"].as_f64().unwrap() < 1.0);
    assert!(days[0]["uptime"].is_null());
}

#[tokio::test]
async fn the_cli_explains_a_schedule_and_lists_the_channels() {
    let hook = Receiver::start(&[]).await;
    let (_dir, server) = start(&hook).await;
    let explained = support::cli_against(
        &server,
        &[
            "schedule",
            "30 9 * * 1-5",
            "--tz",
            "Europe/Berlin",
            "--count",
            "3",
        ],
    )
    .await;
    assert!(
        explained.status.success(),
        "{}",
        support::stderr(&explained)
    );
    let text = String::from_utf8(explained.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].contains("09:30") && lines[0].ends_with("(Europe/Berlin)"),
        "{text}"
    );
    for line in &lines[1..] {
        assert!(line.contains(" 09:30 CE"), "{line}");
        assert!(!line.contains("Sat ") && !line.contains("Sun "), "{line}");
    }

    let refused = support::cli_against(&server, &["schedule", "61 * * * *"]).await;
    assert!(!refused.status.success());
    assert!(
        support::stderr(&refused).contains("schedule:"),
        "{}",
        support::stderr(&refused)
    );

    let listed = support::cli_against(&server, &["channels"]).await;
    assert!(listed.status.success(), "{}", support::stderr(&listed));
    let text = String::from_utf8(listed.stdout).unwrap();
    for expected in [
        "webhook    dev, ops",
        "oncall     webhook:ops + webhook:dev",
        "cron       may ping services starting with job-",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(
        !text.contains(HOOK_SECRET) && !text.contains(PING_SECRET),
        "{text}"
    );
}
