//! Events over real HTTP: one at a time and in bulk, every filter, bad input.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{bad_request_error, millis_of as chrono_millis, server};

#[tokio::test]
async fn events_are_stamped_stored_and_listed_with_every_filter() {
    let (_dir, server) = server().await;
    let mut stored = Vec::new();
    for (service, level, message) in [
        ("db", "debug", "checkpoint"),
        ("db", "INFO", "vacuum done"),
        ("web", "Warn", "Disk ÉTÉ almost full"),
        ("db", "error", "replica lag"),
        ("web", "critical", "down hard"),
    ] {
        let (status, event) = server
            .send(
                Method::POST,
                "/add-event",
                Some(json!({"service": service, "level": level, "message": message})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{event}");
        assert_eq!(event["message"], message);
        stored.push(event);
    }
    assert_eq!(stored[2]["level"], "warning");
    let ids = |events: Vec<Value>| {
        events
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let id = |index: usize| stored[index]["id"].as_i64().unwrap();
    assert_eq!(
        ids(server.events("").await),
        [id(4), id(3), id(2), id(1), id(0)],
        "newest first"
    );
    assert_eq!(
        ids(server.events("?service=db").await),
        [id(3), id(1), id(0)]
    );
    assert_eq!(
        ids(server.events("?level=warning").await),
        [id(4), id(3), id(2)]
    );
    assert_eq!(ids(server.events("?level=ERROR&service=db").await), [id(3)]);
    assert_eq!(
        ids(server.events("?message=%C3%A9t%C3%A9").await),
        [id(2)],
        "Unicode case-insensitive"
    );
    assert_eq!(ids(server.events("?message=DONE").await), [id(1)]);
    assert_eq!(ids(server.events("?limit=2").await), [id(4), id(3)]);
    let first = chrono_millis(&stored[0]["date"]);
    let last = chrono_millis(&stored[4]["date"]);
    let epoch = |millis: i64| format!("{}.{:03}", millis / 1000, millis % 1000);
    assert_eq!(
        server.events(&format!("?from={}", epoch(last))).await.len(),
        stored
            .iter()
            .filter(|e| chrono_millis(&e["date"]) >= last)
            .count()
    );
    let to = stored[0]["date"].as_str().unwrap();
    let until_first = server
        .events(&format!("?to={}", to.replace('+', "%2B")))
        .await;
    assert!(
        until_first
            .iter()
            .all(|e| chrono_millis(&e["date"]) <= first)
            && !until_first.is_empty()
    );
    assert!(server.events("?service=nobody").await.is_empty());
}

#[tokio::test]
async fn bad_events_and_filters_get_400_naming_the_field() {
    let (_dir, server) = server().await;
    let cases = [
        (
            json!({"service": "s", "level": "loud", "message": "m"}),
            "level",
        ),
        (
            json!({"service": "", "level": "info", "message": "m"}),
            "service",
        ),
        (
            json!({"service": "s", "level": "info", "message": ""}),
            "message",
        ),
        (json!({"service": "s", "level": "info"}), "message"),
        (
            json!({"service": "s", "level": "info", "message": "nul \u{0} inside"}),
            "message: must not contain NUL",
        ),
        (
            json!({"service": "s", "level": "info", "message": "m", "date": "now"}),
            "date",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = server
            .send(Method::POST, "/add-event", Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            answer["error"].as_str().unwrap().contains(field),
            "{body}: {answer}"
        );
    }
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=10001", "limit"),
        ("limit=ten", "limit"),
        ("level=x", "level"),
        ("from=soon", "from"),
        ("to=1e99", "to"),
        ("sort=asc", "sort"),
        ("message=%00", "message"),
    ] {
        let (status, answer) = server
            .send(Method::GET, &format!("/list-events?{query}"), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            answer["error"].as_str().unwrap().contains(field),
            "{query}: {answer}"
        );
    }
    assert!(server.events("").await.is_empty());
}

#[tokio::test]
async fn bulk_events_are_stored_together_from_a_json_array_or_ndjson() {
    let (_dir, server) = server().await;
    let array = json!([
        {"service": "a", "level": "info", "message": "one"},
        {"service": "b", "level": "ERROR", "message": "two"},
    ]);
    let (status, stored) = server.send(Method::POST, "/add-events", Some(array)).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let stored = stored.as_array().unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(
        (&stored[0]["message"], &stored[1]["level"]),
        (&json!("one"), &json!("error"))
    );
    assert!(
        stored[0]["id"].as_i64() < stored[1]["id"].as_i64(),
        "in the order sent"
    );
    assert_eq!(
        stored[0]["date"], stored[1]["date"],
        "stamped on receipt, once"
    );

    let ndjson = "{\"service\": \"c\", \"level\": \"warn\", \"message\": \"three\"}\n\n\
                  {\"service\": \"c\", \"level\": \"debug\", \"message\": \"four\"}\n";
    let response = server
        .request(Method::POST, "/add-events")
        .header("Content-Type", "application/x-ndjson")
        .body(ndjson)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let stored: Value = response.json().await.unwrap();
    let messages: Vec<&str> = stored
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["three", "four"]);
    assert_eq!(server.events("").await.len(), 4);

    // The most a request may carry, past the 1 MiB limit of single requests.
    let message = "x".repeat(150);
    let many: Vec<Value> = (0..10_000)
        .map(|i| json!({"service": format!("bulk-{}", i % 7), "level": "info", "message": message}))
        .collect();
    let (status, stored) = server
        .send(Method::POST, "/add-events", Some(Value::Array(many)))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(stored.as_array().unwrap().len(), 10_000);
    assert_eq!(
        server.events("?limit=10000&service=bulk-3").await.len(),
        1_429
    );
}

#[tokio::test]
async fn a_bad_bulk_event_is_named_by_its_index_and_nothing_is_written() {
    let (_dir, server) = server().await;
    let ok = json!({"service": "s", "level": "info", "message": "m"});
    let too_many = Value::Array(vec![ok.clone(); 10_001]);
    let cases = [
        (
            json!([ok, ok, {"service": "s", "level": "loud", "message": "m"}]),
            "events[2].level",
        ),
        (
            json!([ok, {"service": "s", "level": "info"}]),
            "events[1]: missing field `message`",
        ),
        (
            json!([ok, {"service": "", "level": "info", "message": "m"}]),
            "events[1].service",
        ),
        (
            json!([ok, {"service": "s", "level": "info", "message": "m", "date": 1}]),
            "events[1].date",
        ),
        (json!([ok, 7]), "events[1]"),
        (
            json!({"service": "s", "level": "info", "message": "m"}),
            "body: must be a JSON array",
        ),
        (json!([]), "events: must not be empty"),
        (too_many, "events: at most 10000 per request, got 10001"),
    ];
    for (body, expected) in cases {
        let (status, answer) = server.send(Method::POST, "/add-events", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        let error = answer["error"].as_str().unwrap();
        assert!(error.starts_with(expected), "{expected}: {error}");
    }
    let truncated = server
        .request(Method::POST, "/add-events")
        .header("Content-Type", "application/x-ndjson")
        .body("{\"service\": \"s\", \"level\": \"info\", \"message\": \"m\"}\n{\"service\": ");
    let error = bad_request_error(truncated.send().await.unwrap()).await;
    assert!(error.starts_with("events[1]: invalid JSON"), "{error}");
    assert!(server.events("").await.is_empty(), "all or nothing");
}
