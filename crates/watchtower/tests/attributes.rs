//! Structured attributes over real HTTP: stored as sent, returned by every read,
//! filtered by `attr.NAME=VALUE` on pages, statistics, exports and the live tail,
//! and bad attributes refused naming the field.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::sse::read_messages;
use support::{bad_request_error, messages, refusal_error, server};

#[tokio::test]
async fn attributes_are_stored_returned_and_filtered_on_every_read() {
    let (_dir, server) = server().await;
    let one = json!({"service": "web", "level": "error", "message": "upstream failed",
                     "attributes": {"host": "web-1", "status": 503, "retry": true, "latency": 0.25,
                                    "ratio": 0.12469213324939443}});
    let (status, stored) = server.send(Method::POST, "/add-event", Some(one)).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(
        stored["attributes"],
        json!({"host": "web-1", "latency": 0.25, "ratio": 0.12469213324939443, "retry": true, "status": 503})
    );
    let bulk = json!([
        {"service": "web", "level": "info", "message": "served", "attributes": {"host": "web-2", "status": 200}},
        {"service": "db", "level": "error", "message": "slow query", "attributes": {"host": "web-1"}},
        {"service": "db", "level": "info", "message": "plain"}
    ]);
    let (status, stored) = server.send(Method::POST, "/add-events", Some(bulk)).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert!(
        stored[2].get("attributes").is_none(),
        "an event without attributes shows none: {stored}"
    );

    let listed = server.events("").await;
    assert_eq!(
        messages(&listed),
        ["plain", "slow query", "served", "upstream failed"]
    );
    assert_eq!(listed[1]["attributes"], json!({"host": "web-1"}));
    let cases = [
        ("?attr.host=web-1", vec!["slow query", "upstream failed"]),
        ("?attr.host=web-1&service=web", vec!["upstream failed"]),
        ("?attr.host=web-1&attr.status=503", vec!["upstream failed"]),
        ("?attr.status=200", vec!["served"]),
        ("?attr.retry=true", vec!["upstream failed"]),
        ("?attr.latency=0.25", vec!["upstream failed"]),
        // A float keeps every digit it was sent with, so the value sent finds it.
        ("?attr.ratio=0.12469213324939443", vec!["upstream failed"]),
        (
            "?attr.host=web-1&level=error&message=SLOW",
            vec!["slow query"],
        ),
        ("?attr.host=web-3", vec![]),
        ("?attr.nothing=", vec![]),
    ];
    for (query, expected) in cases {
        assert_eq!(messages(&server.events(query).await), expected, "{query}");
    }

    // The next page's link keeps the attribute filters.
    let response = (server.request(Method::GET, "/list-events?attr.host=web-1&limit=1"))
        .send()
        .await
        .unwrap();
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.contains("attr.host=web-1"), "{link}");
    let next = &link[link.find('<').unwrap() + 1..link.find('>').unwrap()];
    assert_eq!(
        messages(&server.events(&next["/list-events".len()..]).await),
        ["upstream failed"]
    );

    let (status, stats) = server
        .send(
            Method::GET,
            "/event-stats?bucket=minute&attr.host=web-1",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let total: u64 = (stats["buckets"].as_array().unwrap().iter())
        .map(|bucket| bucket["total"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 2, "{stats}");

    let export = |accept: &'static str| {
        let request = server.request(Method::GET, "/list-events?order=asc&attr.host=web-1");
        async move {
            let response = request.header("accept", accept).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.unwrap()
        }
    };
    let ndjson = export("application/x-ndjson").await;
    let lines: Vec<Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["attributes"]["status"], 503);
    let csv = export("text/csv").await;
    let rows: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(rows[0], "id,date,service,level,message,attributes");
    assert!(
        rows[1].ends_with(concat!(
            r#",web,error,upstream failed,"{""host"":""web-1"",""latency"":0.25,"#,
            r#"""ratio"":0.12469213324939443,""retry"":true,""status"":503}""#
        )),
        "{csv}"
    );
    assert!(
        rows[2].ends_with(r#",db,error,slow query,"{""host"":""web-1""}""#),
        "{csv}"
    );
}

#[tokio::test]
async fn the_live_tail_filters_by_attribute() {
    let (_dir, server) = server().await;
    let mut response = (server.request(Method::GET, "/events/stream?attr.env=prod&attr.code=500"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    for (message, attributes) in [
        ("staging", json!({"env": "staging", "code": 500})),
        ("other code", json!({"env": "prod", "code": 502})),
        ("none", json!({})),
        ("match", json!({"env": "prod", "code": 500, "extra": "x"})),
    ] {
        let event = json!({"service": "api", "level": "error", "message": message, "attributes": attributes});
        let (status, answer) = server.send(Method::POST, "/add-event", Some(event)).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let received = read_messages(&mut response, 1).await;
    assert_eq!(received[0].1["message"], "match");
    assert_eq!(received[0].1["attributes"]["extra"], "x");
}

#[tokio::test]
async fn bad_attributes_are_refused_naming_the_field_and_nothing_is_stored() {
    let (_dir, server) = server().await;
    let event = |attributes: Value| json!({"service": "web", "level": "info", "message": "m", "attributes": attributes});
    let many: serde_json::Map<String, Value> =
        (0..33).map(|i| (format!("k{i}"), json!(i))).collect();
    let cases = [
        (
            event(json!({"nested": {"a": 1}})),
            "attributes: `nested` must be a string, a number or a boolean",
        ),
        (event(json!({"list": [1, 2]})), "attributes: `list` must be"),
        (event(json!({"gone": null})), "attributes: `gone` must be"),
        (
            event(json!({"": 1})),
            "attributes: attribute names are 1 to 128 characters",
        ),
        (
            event(json!({"k".repeat(129): 1})),
            "attributes: attribute names are 1 to 128",
        ),
        (event(json!({"a\u{7}b": 1})), "attributes: attribute name"),
        (
            event(Value::Object(many)),
            "attributes: at most 32 names, got 33",
        ),
        (event(json!("host=web-1")), "attributes"),
    ];
    for (body, expected) in cases {
        let response = (server.request(Method::POST, "/add-event"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let error = bad_request_error(response).await;
        assert!(error.starts_with(expected), "{body}: {error}");
    }
    // Over 4 KiB in all, though every name and value is fine: a rule, 422.
    let big: serde_json::Map<String, Value> = (0..5)
        .map(|i| (format!("k{i}"), json!("x".repeat(1000))))
        .collect();
    let response = (server.request(Method::POST, "/add-event"))
        .json(&event(Value::Object(big)))
        .send()
        .await
        .unwrap();
    let error = refusal_error(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        error.starts_with("attributes: must come to at most 4096 bytes"),
        "{error}"
    );

    let bulk = json!([event(json!({"ok": 1})), event(json!({"bad": [1]}))]);
    let response = (server.request(Method::POST, "/add-events"))
        .json(&bulk)
        .send()
        .await
        .unwrap();
    let error = bad_request_error(response).await;
    assert!(error.starts_with("events[1].attributes: `bad`"), "{error}");
    assert!(server.events("").await.is_empty(), "nothing was stored");

    for (query, expected) in [
        ("?attr.a=1&attr.a=2", "query: `attr.a` given more than once"),
        ("?attr.=1", "query: attribute names are 1 to 128 characters"),
        ("?attr.a=%00", "query: must not contain NUL"),
    ] {
        let path = format!("/list-events{query}");
        let (status, answer) = server.send(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {answer}");
        let error = answer["error"].as_str().unwrap();
        assert!(error.starts_with(expected), "{query}: {error}");
    }
}
