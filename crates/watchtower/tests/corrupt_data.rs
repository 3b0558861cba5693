//! Stored data that this build cannot read is told apart from an outage: the API
//! answers `500` with a generic JSON error (never the stored value or the driver's
//! message), the server keeps serving what it can read, and the log names the
//! cause. SQLite only: the test edits the database file behind the server's back.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn unreadable_stored_data_answers_500_without_its_details() {
    if support::on_postgres() {
        return; // The SQLite file is what this test damages.
    }
    let (_dir, server) = support::server().await;
    server.pulse("backup", "webhook", "ops", 3600.0).await;
    assert_eq!(server.services().await.len(), 1);

    // Another process writes a value no version of Watchtower writes; SQLite's
    // WAL lets it commit beside the running server.
    let database = server.dir.join("data").join("watchtower.db");
    let conn = rusqlite::Connection::open(database).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn.execute(
        "UPDATE services SET alert_type = 'carrier-pigeon' WHERE name = 'backup'",
        [],
    )
    .unwrap();

    let answer = server.request(Method::GET, "/").send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"], "internal error: stored data is inconsistent");
    assert!(!body.to_string().contains("pigeon"), "{body}");

    // What can be read is still served: the event log does not need the row.
    let events = server.events("?service=backup").await;
    assert!(!events.is_empty());
    // And an outage is still an outage: once the row is mended, all is well.
    conn.execute(
        "UPDATE services SET alert_type = 'webhook' WHERE name = 'backup'",
        [],
    )
    .unwrap();
    assert_eq!(server.services().await.len(), 1);
}
