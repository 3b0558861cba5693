//! Values the API refuses rather than stores: a `nextIn` too short to watch,
//! service names that hide or reorder text, a Kuma `ping` that is not a time.
//! Each refusal is a `400` naming the field (`422` for a bound on a value given as
//! text, which no pattern of the API document can state), and writes nothing.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Server, run_expecting_failure, stderr, write_config};

use support::strict::{KEY, start, written};

/// Asserts a `400` (or, for a value given as text, `422`) whose JSON error starts
/// with `field: `, and returns the error.
fn refused((status, answer): (StatusCode, Value), field: &str, what: &str) -> String {
    let text_bound = what.contains("nextIn=") || what.contains("ping=");
    let expected = match text_bound && status == StatusCode::UNPROCESSABLE_ENTITY {
        true => StatusCode::UNPROCESSABLE_ENTITY,
        false => StatusCode::BAD_REQUEST,
    };
    assert_eq!(status, expected, "{what}: {answer}");
    let error = answer["error"].as_str().unwrap().to_owned();
    assert!(error.starts_with(&format!("{field}: ")), "{what}: {error}");
    error
}

/// A ping URL, as a cron line sends it, answered as JSON (errors are).
async fn ping(server: &Server, path: &str) -> (StatusCode, Value) {
    let response = reqwest::get(format!("{}{path}", server.url)).await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(json!(text)))
}

fn pulse(service: &str, next_in: Value) -> Value {
    json!({"service": service, "alertType": "webhook", "alertTarget": "ops", "nextIn": next_in})
}

#[tokio::test]
async fn a_next_in_under_a_tenth_of_a_second_is_refused() {
    let (_dir, server) = start().await;
    let before = written(&server).await;
    for next_in in [json!(5e-324), json!(1e-300), json!(0.001), json!(0.099)] {
        let answer = server
            .send(Method::POST, "/", Some(pulse("fast", next_in.clone())))
            .await;
        let error = refused(answer, "nextIn", &next_in.to_string());
        assert!(error.contains("at least 0.1 seconds"), "{error}");
    }
    for query in ["nextIn=0.05", "nextIn=1ms", "nextIn=99ms"] {
        for signal in ["", "/start", "/fail", "/log"] {
            let path = format!("/ping/{KEY}/fast{signal}?{query}");
            refused(ping(&server, &path).await, "nextIn", &path);
        }
    }
    assert_eq!(written(&server).await, before, "nothing was written");
    // The minimum itself is taken, from a pulse and from a ping URL.
    let answer = server.pulse("fast", "webhook", "ops", 0.1).await;
    assert_eq!(answer["nextIn"], json!(0.1));
    let (status, _) = ping(&server, &format!("/ping/{KEY}/fast?nextIn=100ms")).await;
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn a_config_with_a_next_in_under_a_tenth_of_a_second_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            json!({"pingKeys": {"cron": {"key": KEY, "nextIn": 0.01}}}),
            "pingKeys.cron.nextIn",
        ),
        (
            json!({"alertmanager": {"alerts": {"Watchdog": {"service": "p", "nextIn": 1e-300}}}}),
            "alertmanager.alerts.Watchdog.nextIn",
        ),
    ];
    for (config, key) in cases {
        let path = write_config(dir.path(), config.clone());
        let output =
            run_expecting_failure(dir.path(), &["check-config", path.to_str().unwrap()], &[]);
        let said = stderr(&output);
        assert!(
            said.contains(key) && said.contains("at least 0.1 seconds"),
            "{config}: {said}"
        );
    }
}

/// Names that look like another name, or like nothing.
const DECEPTIVE: [&str; 12] = [
    " ",
    "   ",
    " backup",
    "backup ",
    "back\u{202E}pu",
    "back\u{2066}up\u{2069}",
    "back\u{200B}up",
    "back\u{200D}up",
    "\u{FEFF}backup",
    "back\u{00AD}up",
    "back\u{2060}up",
    "back\u{E0041}up",
];

#[tokio::test]
async fn service_names_that_hide_or_reorder_text_are_refused_naming_the_field() {
    let (_dir, server) = start().await;
    let before = written(&server).await;
    for name in DECEPTIVE {
        let what = format!("{name:?}");
        let answer = server
            .send(Method::POST, "/", Some(pulse(name, json!(60))))
            .await;
        refused(answer, "service", &what);
        let mut depends = pulse("web", json!(60));
        depends["dependsOn"] = json!(name);
        refused(
            server.send(Method::POST, "/", Some(depends)).await,
            "dependsOn",
            &what,
        );
        let event = json!({"service": name, "level": "info", "message": "m"});
        let answer = server.send(Method::POST, "/add-event", Some(event)).await;
        refused(answer, "service", &what);
        let snooze = json!({"service": name, "duration": "1h"});
        let answer = server.send(Method::POST, "/snooze", Some(snooze)).await;
        refused(answer, "service", &what);
        let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
        let path = format!("/ping/{KEY}/{}", encoded.replace('+', "%20"));
        refused(ping(&server, &path).await, "service", &path);
        let path = format!("/api/push/{KEY}?service={encoded}");
        refused(ping(&server, &path).await, "service", &path);
    }
    assert_eq!(written(&server).await, before, "nothing was written");
}

#[tokio::test]
async fn a_kuma_ping_must_be_a_finite_number_of_milliseconds() {
    let (_dir, server) = start().await;
    let before = written(&server).await;
    for value in [
        "abc",
        "NaN",
        "nan",
        "inf",
        "-infinity",
        "-1",
        "1e308",
        "12ms",
        "0x10",
    ] {
        let path = format!("/api/push/{KEY}?status=down&msg=slow&ping={value}");
        refused(ping(&server, &path).await, "ping", &path);
    }
    assert_eq!(written(&server).await, before, "nothing was written");
    for (ping_value, message) in [
        ("12.5", "OK (ping 12.5 ms)"),
        ("", "OK"),
        ("0", "OK (ping 0 ms)"),
    ] {
        let path = format!("/api/push/{KEY}?status=up&msg=OK&ping={ping_value}");
        let (status, _) = ping(&server, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let events = server.events("?service=nas").await;
        assert_eq!(events[0]["message"], message, "{path}");
    }
}
