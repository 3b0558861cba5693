//! The SQLite write-ahead log stays bounded: past `storage.walLimitMiB` under
//! load, cut back once the load stops, and gone after a clean stop — for the
//! events' database and the search index's alike, with nothing lost, not even
//! to `kill -9` while the log is copied, started over and truncated.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

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

const WRITERS: usize = 6;

/// How many times the events' log has started over: the checkpoint sequence
/// number in its header (big-endian, at byte 12), which each restart and each
/// emptying of the log moves on.
fn restarts(data: &Path) -> u32 {
    use std::io::Read;
    let mut header = [0; 16];
    std::fs::File::open(data.join("watchtower.db-wal"))
        .and_then(|mut log| log.read_exact(&mut header))
        .map_or(0, |()| {
            u32::from_be_bytes([header[12], header[13], header[14], header[15]])
        })
}

/// Sends bulk writes of `service` until the server stops answering, recording
/// each acknowledged event's id and message.
async fn write_until_refused(
    url: String,
    service: String,
    acked: Arc<Mutex<HashMap<i64, String>>>,
) {
    let http = reqwest::Client::new();
    let filler = "y".repeat(1_500);
    for request in 0.. {
        let events: Vec<Value> = (0..50)
            .map(|i| json!({"service": service, "level": "info", "message": format!("{service} {request}-{i} {filler}")}))
            .collect();
        let sent = http
            .post(format!("{url}/add-events"))
            .header("password", support::PASSWORD)
            .json(&events)
            .send()
            .await;
        let Ok(response) = sent else { break };
        if response.status() != StatusCode::CREATED {
            break;
        }
        let Ok(Value::Array(stored)) = response.json::<Value>().await else {
            break;
        };
        let mut acked = acked.lock().unwrap();
        for event in stored {
            acked.insert(
                event["id"].as_i64().unwrap(),
                event["message"].as_str().unwrap().to_owned(),
            );
        }
    }
}

#[tokio::test]
async fn kill_9_while_the_log_is_copied_restarted_and_truncated_loses_nothing_acknowledged() {
    if support::on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A small bound: every few batches the log starts over or is emptied, so
    // that the kills land among checkpoints, restarts and truncations.
    let config = json!({"storage": {"backend": "sqlite", "walLimitMiB": LIMIT_MIB}});
    let data = dir.path().join("data");
    for round in 0..3 {
        let mut server = Server::start(dir.path(), config.clone()).await;
        let acked = Arc::new(Mutex::new(HashMap::new()));
        let writers: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let service = format!("crash-{round}-{writer}");
                tokio::spawn(write_until_refused(
                    server.url.clone(),
                    service,
                    acked.clone(),
                ))
            })
            .collect();
        // Until the log has started over (or been emptied) a few times under the
        // load, and enough is acknowledged: the kill lands among checkpoints.
        let first = restarts(&data);
        wait_for("the log to start over under load", async || {
            let enough = acked.lock().unwrap().len() >= 1_000;
            (enough && restarts(&data) >= first + 3 + round).then_some(())
        })
        .await;
        server.kill();
        for writer in writers {
            writer.await.unwrap();
        }

        let server = Server::start(dir.path(), config.clone()).await;
        let acked = acked.lock().unwrap().clone();
        assert!(!acked.is_empty(), "round {round}: nothing was acknowledged");
        let mut stored = HashMap::new();
        for writer in 0..WRITERS {
            let query = format!("?limit=10000&service=crash-{round}-{writer}");
            for event in server.events(&query).await {
                let id = event["id"].as_i64().unwrap();
                stored.insert(id, event["message"].as_str().unwrap().to_owned());
            }
        }
        let lost: Vec<&i64> = acked
            .iter()
            .filter(|(id, message)| stored.get(id) != Some(message))
            .map(|(id, _)| id)
            .collect();
        assert!(
            lost.is_empty(),
            "round {round}: {} of {} acknowledged events lost or changed, e.g. {:?}",
            lost.len(),
            acked.len(),
            &lost[..lost.len().min(5)]
        );
        drop(server);
    }
}
