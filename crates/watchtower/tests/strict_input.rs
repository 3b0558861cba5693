//! What the API refuses to guess at: data after a JSON body, query parameters it
//! does not take or that are given twice, and ping bodies that are not text. Each
//! refusal is a `400` whose error names the body or parameter, and writes nothing.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::Server;

use support::strict::{KEY, start, written};

/// Sends `body` as it is, with the password (which the ping URLs ignore).
async fn send_raw(
    server: &Server,
    method: &Method,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (StatusCode, String) {
    let response = server
        .request(method.clone(), path)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Asserts a `400` whose JSON error starts with `field: `, and returns the error.
fn refused((status, text): (StatusCode, String), field: &str, what: &str) -> String {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {text}");
    let answer: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: {text}"));
    let error = answer["error"].as_str().unwrap().to_owned();
    assert!(error.starts_with(&format!("{field}: ")), "{what}: {error}");
    error
}

/// A valid request of every route that takes a JSON body.
fn json_requests() -> Vec<(Method, String, Value)> {
    let event = json!({"service": "kept", "level": "error", "message": "disk full"});
    let firing = json!({"status": "firing", "labels": {"alertname": "Watchdog"}});
    vec![
        (
            Method::POST,
            "/".into(),
            json!({"service": "new", "alertType": "webhook", "alertTarget": "ops", "nextIn": 60}),
        ),
        (Method::DELETE, "/".into(), json!({"service": "kept"})),
        (Method::POST, "/add-event".into(), event.clone()),
        (Method::POST, "/add-events".into(), json!([event])),
        (
            Method::POST,
            "/snooze".into(),
            json!({"service": "kept", "duration": "1h"}),
        ),
        (
            Method::POST,
            format!("/alertmanager/{KEY}"),
            json!({"alerts": [firing]}),
        ),
    ]
}

#[tokio::test]
async fn data_after_a_json_body_is_refused_and_nothing_is_written() {
    let (_dir, server) = start().await;
    let before = written(&server).await;
    for (method, path, body) in json_requests() {
        for tail in [r#"{"service":"OTHER"}"#, "garbage", "]]]", ",,,", "\n{}"] {
            let what = format!("{method} {path} followed by {tail:?}");
            let answer = send_raw(
                &server,
                &method,
                &path,
                "application/json",
                format!("{body}{tail}"),
            )
            .await;
            let error = refused(answer, "body", &what);
            assert_eq!(
                error, "body: trailing characters after the JSON body",
                "{what}"
            );
        }
    }
    assert_eq!(written(&server).await, before, "nothing was written");
    // Whitespace after the body is no data.
    for (method, path, body) in json_requests() {
        let answer = send_raw(
            &server,
            &method,
            &path,
            "application/json",
            format!("{body} \r\n\t\n"),
        )
        .await;
        assert!(answer.0.is_success(), "{method} {path}: {answer:?}");
    }
}

#[tokio::test]
async fn each_ndjson_line_holds_exactly_one_json_object() {
    let (_dir, server) = start().await;
    let before = written(&server).await;
    let event = json!({"service": "kept", "level": "info", "message": "m"});
    let cases = [
        (format!("{event}\n{event}{event}\n"), "events[1]"),
        (format!("{event}\n{event} garbage\n"), "events[1]"),
        (format!("{event}\n{event},\n"), "events[1]"),
        (
            format!("{event}\n[\"kept\", \"info\", \"m\"]\n"),
            "events[1]",
        ),
    ];
    for (body, field) in cases {
        let answer = send_raw(
            &server,
            &Method::POST,
            "/add-events",
            "application/x-ndjson",
            body.clone(),
        )
        .await;
        refused(answer, field, &body);
    }
    assert_eq!(written(&server).await, before, "nothing was written");
    let body = format!("{event}\n\n{event}  \r\n");
    let (status, _) = send_raw(
        &server,
        &Method::POST,
        "/add-events",
        "application/x-ndjson",
        body,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn query_parameters_a_route_does_not_take_or_given_twice_are_refused() {
    let (_dir, server) = start().await;
    let before = written(&server).await;
    let pulse =
        json!({"service": "new", "alertType": "webhook", "alertTarget": "ops", "nextIn": 60});
    let cases = [
        (
            Method::GET,
            format!("/api/push/{KEY}?status=up&status=down"),
            "status",
        ),
        (
            Method::GET,
            format!("/api/push/{KEY}?status=down&msg=a&msg=b"),
            "msg",
        ),
        (
            Method::GET,
            format!("/api/push/{KEY}?status=down&colour=red"),
            "query",
        ),
        (
            Method::GET,
            format!("/ping/{KEY}/job?nextIn=60&nextIn=1"),
            "nextIn",
        ),
        (
            Method::POST,
            format!("/ping/{KEY}/job/fail?colour=red"),
            "query",
        ),
        (Method::POST, format!("/ping/{KEY}/job/log?x"), "query"),
        (Method::GET, "/services/stream?x=1".into(), "query"),
        (
            Method::GET,
            "/service-history?service=kept&service=other".into(),
            "service",
        ),
        (
            Method::GET,
            "/service-history?service=kept&x=1".into(),
            "query",
        ),
        (Method::GET, "/snoozes?x=1".into(), "query"),
        (Method::GET, "/?x=1".into(), "query"),
        (Method::POST, "/?x=1".into(), "query"),
        (Method::DELETE, "/?service=kept".into(), "query"),
        (Method::POST, format!("/alertmanager/{KEY}?x=1"), "query"),
    ];
    for (method, path, field) in cases {
        // A body the route would take, so that only the query is wrong.
        let body = match (&method, path.as_str()) {
            (&Method::DELETE, _) => json!({"service": "kept"}),
            (_, path) if path.starts_with("/alertmanager") => json_requests()[5].2.clone(),
            _ => pulse.clone(),
        };
        let answer = send_raw(
            &server,
            &method,
            &path,
            "application/json",
            body.to_string(),
        )
        .await;
        let error = refused(answer, field, &format!("{method} {path}"));
        if field == "query" {
            assert!(error.contains("unknown parameter"), "{path}: {error}");
        }
    }
    assert_eq!(written(&server).await, before, "nothing was written");
    // healthchecks.io's own parameters are taken (and ignored): tools send them.
    let path = format!("/ping/{KEY}/job?rid=0b3c0ba4-7f65-4d5c-9d5b-6c0e2a8f4e11&create=1");
    let (status, text) = send_raw(&server, &Method::GET, &path, "text/plain", "").await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "OK"));
}

#[tokio::test]
async fn a_ping_body_must_be_utf8_text_without_nul() {
    let (_dir, server) = start().await;
    let before = written(&server).await;
    let bodies: [&[u8]; 3] = [b"copied 3 files\0\0", b"caf\xe9 au lait", b"\xff\xfe\x00"];
    for signal in ["", "/start", "/log", "/fail", "/2"] {
        for body in bodies {
            let path = format!("/ping/{KEY}/job{signal}");
            let answer = send_raw(&server, &Method::POST, &path, "text/plain", body.to_vec()).await;
            refused(answer, "body", &format!("{path} with {body:?}"));
        }
    }
    for query in ["msg=a%00b", "msg=caf%E9"] {
        let path = format!("/api/push/{KEY}?status=down&{query}");
        let answer = send_raw(&server, &Method::GET, &path, "text/plain", "").await;
        refused(answer, "msg", &path);
    }
    assert_eq!(written(&server).await, before, "nothing was written");
    // A character cut at either end, as a tool that sends the tail of a run's
    // output leaves it, is dropped; the rest is kept.
    let mut tail = "é".as_bytes()[1..].to_vec();
    tail.extend_from_slice("done — ok ".as_bytes());
    tail.extend_from_slice(&"é".as_bytes()[..1]);
    let path = format!("/ping/{KEY}/job/log");
    let (status, _) = send_raw(&server, &Method::POST, &path, "text/plain", tail).await;
    assert_eq!(status, StatusCode::OK);
    let events = server.events("?service=job").await;
    assert_eq!(events[0]["message"], "done — ok");
}
