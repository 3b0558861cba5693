//! The event log at scale, over real HTTP: pages that hold under concurrent
//! inserts, exports, counts per bucket, the live tail, and retention.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashSet;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::sse::read_messages;
use support::{Server, assert_stays_async, bad_request_error, refusal_error, server, wait_for};

/// Posts `count` events of `service` in bulk, messages `"{prefix} {i}"`.
async fn add_many(server: &Server, service: &str, prefix: &str, count: usize) -> Vec<Value> {
    let mut stored = Vec::new();
    let numbers: Vec<usize> = (0..count).collect();
    for chunk in numbers.chunks(10_000) {
        let events: Vec<Value> = chunk
            .iter()
            .map(|i| json!({"service": service, "level": "info", "message": format!("{prefix} {i}")}))
            .collect();
        let (status, answer) = server
            .send(Method::POST, "/add-events", Some(Value::Array(events)))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        stored.extend(answer.as_array().unwrap().iter().cloned());
    }
    stored
}

/// The `rel="next"` target of a `Link` header, if any.
fn next_link(response: &reqwest::Response) -> Option<String> {
    let link = response.headers().get("link")?.to_str().unwrap();
    let (target, rel) = link.split_once(';').unwrap();
    assert_eq!(rel.trim(), "rel=\"next\"");
    Some(target.trim().trim_matches(['<', '>']).to_owned())
}

/// Follows the `Link` headers from `path`, returning every event's id.
async fn follow(server: &Server, path: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut next = Some(path.to_owned());
    while let Some(path) = next {
        let response = server.request(Method::GET, &path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        next = next_link(&response);
        let page: Vec<Value> = response.json().await.unwrap();
        ids.extend(page.iter().map(|e| e["id"].as_i64().unwrap()));
    }
    ids
}

#[tokio::test]
async fn link_headers_visit_every_match_once_while_events_keep_arriving() {
    let (_dir, server) = server().await;
    let old: Vec<i64> = add_many(&server, "old", "before", 250)
        .await
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    // A writer adds events to the same service for the whole walk.
    let writer = {
        let server_url = server.url.clone();
        let client = reqwest::Client::new();
        tokio::spawn(async move {
            for i in 0.. {
                let body =
                    json!({"service": "old", "level": "info", "message": format!("during {i}")});
                let sent = client
                    .post(format!("{server_url}/add-event"))
                    .header("password", support::PASSWORD)
                    .json(&body)
                    .send()
                    .await;
                if sent.is_err() {
                    return;
                }
            }
        })
    };
    let newest_first = follow(&server, "/list-events?service=old&limit=7").await;
    let oldest_first = follow(&server, "/list-events?service=old&order=asc&limit=9").await;
    writer.abort();

    let start = newest_first.iter().position(|id| *id == old[249]).unwrap();
    let mut expected = old.clone();
    expected.reverse();
    assert_eq!(
        newest_first[start..],
        expected[..],
        "each old event once, in order"
    );
    assert_eq!(oldest_first[..250], old[..]);
    let unique: HashSet<&i64> = oldest_first.iter().collect();
    assert_eq!(unique.len(), oldest_first.len(), "no event twice");
    assert!(oldest_first.windows(2).all(|w| w[0] < w[1]));

    // The last page has no Link; a page that is full but last may have one to an empty page.
    let response = server
        .request(Method::GET, "/list-events?service=nobody")
        .send()
        .await
        .unwrap();
    assert!(next_link(&response).is_none());
}

#[tokio::test]
async fn bad_cursors_and_orders_are_named() {
    let (_dir, server) = server().await;
    add_many(&server, "svc", "m", 3).await;
    let response = server
        .request(Method::GET, "/list-events?limit=1&order=asc")
        .send()
        .await
        .unwrap();
    let next = next_link(&response).unwrap();
    let cursor = next.split("cursor=").nth(1).unwrap().to_owned();
    for (query, field) in [
        ("?cursor=garbage!".to_owned(), "cursor"),
        (format!("?cursor={cursor}x"), "cursor"),
        ("?order=sideways".to_owned(), "order"),
    ] {
        let response = server
            .request(Method::GET, &format!("/list-events{query}"))
            .send()
            .await
            .unwrap();
        let error = bad_request_error(response).await;
        assert!(error.starts_with(&format!("{field}: ")), "{query}: {error}");
    }
}

#[tokio::test]
async fn exports_stream_every_match_as_ndjson_or_csv() {
    let (_dir, server) = server().await;
    let stored = add_many(&server, "bulk", "line", 4_500).await;
    let tricky = json!({"service": "odd", "level": "error", "message": "said \"hi\", then\nleft"});
    server.send(Method::POST, "/add-event", Some(tricky)).await;

    let export = |accept: &'static str, query: &'static str| {
        let request = server.request(Method::GET, &format!("/list-events{query}"));
        async move {
            let response = request.header("accept", accept).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let kind = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            (kind, response.text().await.unwrap())
        }
    };
    let (kind, body) = export("application/x-ndjson", "?service=bulk&order=asc").await;
    assert_eq!(kind, "application/x-ndjson");
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4_500, "no page limit");
    assert_eq!(lines, stored);

    let (_, body) = export("application/x-ndjson", "?service=bulk&limit=10").await;
    assert_eq!(body.lines().count(), 10, "a given limit holds");

    let (kind, body) = export("text/csv", "?level=error").await;
    assert_eq!(kind, "text/csv; charset=utf-8");
    let mut rows = body.split("\r\n");
    assert_eq!(
        rows.next().unwrap(),
        "id,date,service,level,message,attributes"
    );
    let row = rows.next().unwrap();
    assert!(
        row.ends_with(",odd,error,\"said \"\"hi\"\", then\nleft\","),
        "{row}"
    );
    assert_eq!(
        rows.collect::<Vec<_>>(),
        [""],
        "one match, then the final CRLF"
    );

    let response = server
        .request(Method::GET, "/list-events")
        .header("accept", "application/xml")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);
    let answer: Value = response.json().await.unwrap();
    assert!(answer["error"].as_str().unwrap().contains("text/csv"));
}

#[tokio::test]
async fn stats_list_every_bucket_with_counts_per_level() {
    let (_dir, server) = server().await;
    for level in ["info", "info", "error", "debug"] {
        let event = json!({"service": "s", "level": level, "message": "m"});
        server.send(Method::POST, "/add-event", Some(event)).await;
    }
    let (status, stats) = server
        .send(Method::GET, "/event-stats?bucket=minute", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["bucket"], "minute");
    let buckets = stats["buckets"].as_array().unwrap();
    assert!((60..=61).contains(&buckets.len()), "an hour of minutes");
    let total: u64 = buckets.iter().map(|b| b["total"].as_u64().unwrap()).sum();
    assert_eq!(total, 4);
    let busy: Vec<&Value> = buckets.iter().filter(|b| b["total"] != 0).collect();
    let sum = |key: &str| busy.iter().map(|b| b[key].as_u64().unwrap()).sum::<u64>();
    assert_eq!(
        (sum("info"), sum("error"), sum("debug"), sum("critical")),
        (2, 1, 1, 0)
    );

    let (_, errors) = server
        .send(Method::GET, "/event-stats?bucket=day&level=error", None)
        .await;
    let total: u64 = errors["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["total"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 1);

    for (query, field) in [
        ("?bucket=fortnight", "bucket"),
        ("?bucket=minute&from=0", "bucket"),
        ("?cursor=x", "query"),
    ] {
        let response = server
            .request(Method::GET, &format!("/event-stats{query}"))
            .send()
            .await
            .unwrap();
        let error = match query.contains("from=0") {
            // Well formed, but too many buckets: a rule, not the grammar.
            true => refusal_error(response, StatusCode::UNPROCESSABLE_ENTITY).await,
            false => bad_request_error(response).await,
        };
        assert!(error.starts_with(&format!("{field}: ")), "{query}: {error}");
    }
}

#[tokio::test]
async fn the_live_tail_pushes_matching_events_as_they_are_stored() {
    let (_dir, server) = server().await;
    let mut response = server
        .request(Method::GET, "/events/stream?service=web&level=warning")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    for (service, level, message) in [
        ("web", "info", "too quiet"),
        ("db", "error", "other service"),
        ("web", "error", "first"),
        ("web", "critical", "second"),
    ] {
        let event = json!({"service": service, "level": level, "message": message});
        server.send(Method::POST, "/add-event", Some(event)).await;
    }
    let messages = read_messages(&mut response, 2).await;
    let texts: Vec<&str> = messages
        .iter()
        .map(|(_, data)| data["message"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["first", "second"]);

    // Watchtower's own events (a service's first pulse) go through the tail too.
    let mut own = server
        .request(Method::GET, "/events/stream?service=cron")
        .send()
        .await
        .unwrap();
    server.pulse("cron", "webhook", "ops", 60.0).await;
    let messages = read_messages(&mut own, 1).await;
    assert_eq!(messages[0].1["service"], "cron");

    let response = server
        .request(Method::GET, "/events/stream?from=0")
        .send()
        .await
        .unwrap();
    let error = bad_request_error(response).await;
    assert!(
        error.starts_with("query: unknown parameter `from`"),
        "{error}"
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_with_a_final_message() {
    let (_dir, server) = server().await;
    let mut response = server
        .request(Method::GET, "/events/stream")
        .send()
        .await
        .unwrap();
    // Far more than the backlog and every socket buffer between us can hold.
    add_many(&server, "flood", &"x".repeat(400), 80_000).await;
    let messages = read_messages(&mut response, usize::MAX).await;
    let (kind, data) = messages.last().unwrap();
    assert_eq!(kind, "dropped", "{} messages", messages.len());
    assert!(data["error"].as_str().unwrap().contains("fell"), "{data}");
    assert!(messages.len() < 80_000);
}

#[tokio::test]
async fn retention_deletes_the_oldest_events_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), json!({"events": {"maxCount": 5}})).await;
    let stored = add_many(&server, "r", "m", 30).await;
    let newest: Vec<i64> = stored[25..]
        .iter()
        .rev()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let ids = wait_for("retention", async || {
        let ids: Vec<i64> = server
            .events("")
            .await
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect();
        (ids.len() == 5).then_some(ids)
    })
    .await;
    assert_eq!(ids, newest);
    assert_stays_async(
        "nothing more goes",
        Duration::from_millis(1500),
        async || server.events("").await.len() == 5,
    )
    .await;
}

#[tokio::test]
async fn live_streams_end_with_a_message_when_the_server_stops() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), json!({})).await;
    let mut response = server
        .request(Method::GET, "/events/stream")
        .send()
        .await
        .unwrap();
    let stopping = std::thread::spawn(move || server.terminate());
    let messages = read_messages(&mut response, usize::MAX).await;
    assert_eq!(messages.last().unwrap().0, "shutdown", "{messages:?}");
    assert!(stopping.join().unwrap().success(), "a clean exit");
}
