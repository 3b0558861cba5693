//! The SQLite write-ahead log stays bounded: past `storage.walLimitMiB` under
//! load, cut back once the load stops, and gone after a clean stop — for the
//! events' database and the search index's alike, with nothing lost.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Server, wait_for};

const LIMIT_MIB: u64 = 4;
const LIMIT: u64 = LIMIT_MIB * 1024 * 1024;
const REQUESTS: usize = 6;
const EVENTS_PER_REQUEST: usize = 2_000;

fn wal_size(data: &Path, database: &str) -> u64 {
    std::fs::metadata(data.join(format!("{database}-wal"))).map_or(0, |m| m.len())
}

fn logs(data: &Path) -> (u64, u64) {
    (
        wal_size(data, "watchtower.db"),
        wal_size(data, "watchtower-search.db"),
    )
}

#[tokio::test]
async fn the_log_is_bounded_under_load_cut_back_at_rest_and_gone_after_a_clean_stop() {
    if support::on_postgres() {
        return; // PostgreSQL keeps its own log.
    }
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"storage": {"backend": "sqlite", "walLimitMiB": LIMIT_MIB}});
    let mut server = Server::start(dir.path(), config.clone()).await;
    let data = dir.path().join("data");

    // About 5 MB of events a request: each batch alone passes the bound.
    let filler = "x".repeat(2_400);
    let mut largest = 0;
    for request in 0..REQUESTS {
        let events: Vec<Value> = (0..EVENTS_PER_REQUEST)
            .map(|i| json!({"service": "bulk", "level": "info", "message": format!("{request}-{i} {filler}")}))
            .collect();
        let status = server
            .request(Method::POST, "/add-events")
            .json(&events)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::CREATED);
        largest = largest.max(logs(&data).0);
    }
    // Emptied after the batch that passes it: never more than the bound and a batch or two.
    assert!(
        largest < LIMIT + 16 * 1024 * 1024,
        "the log reached {largest} bytes"
    );

    let rested = wait_for("both logs to be cut back at rest", async || {
        let (events, search) = logs(&data);
        (events <= LIMIT && search <= LIMIT).then_some((events, search))
    })
    .await;
    assert!(rested.0 <= LIMIT && rested.1 <= LIMIT, "{rested:?}");

    assert!(server.terminate().success());
    assert!(
        logs(&data).0 == 0,
        "a clean stop leaves no log: {:?}",
        logs(&data)
    );

    let server = Server::start(dir.path(), config).await;
    let (status, stats) = server
        .send(Method::GET, "/event-stats?service=bulk", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let stored: u64 = stats["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bucket| bucket["total"].as_u64().unwrap())
        .sum();
    assert_eq!(stored, (REQUESTS * EVENTS_PER_REQUEST) as u64, "{stats}");
}

#[tokio::test]
async fn a_wal_limit_out_of_range_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::write_config(
        dir.path(),
        json!({"storage": {"backend": "sqlite", "walLimitMiB": 1}}),
    );
    let output =
        support::run_expecting_failure(dir.path(), &["check-config", path.to_str().unwrap()], &[]);
    let said = support::stderr(&output);
    assert!(said.contains("storage.walLimitMiB"), "{said}");
}
