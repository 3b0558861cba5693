//! Running the commands, reading backup files and writing under load, for
//! tests/backup.rs.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};

use crate::support::{PASSWORD, Server, run_expecting_failure, stderr};

/// A config on the embedded SQLite storage, whichever backend the run is for.
pub fn on_sqlite() -> Value {
    json!({"storage": {"backend": "sqlite"}, "webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}}})
}

pub fn watchtower(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args(args)
        .current_dir(dir)
        .env_remove("WATCHTOWER_CONFIG")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Runs a command that must succeed; answers the one line it prints.
pub fn succeeds(dir: &Path, args: &[&str]) -> String {
    let output = watchtower(dir, args);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout}");
    stdout.trim_end().to_owned()
}

/// Runs a command that must fail with status 1; answers what it says.
pub fn fails(dir: &Path, args: &[&str]) -> String {
    let output = run_expecting_failure(dir, args, &[("RUST_LOG", "warn")]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    stderr(&output).trim_end().to_owned()
}

pub fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The events of the database file at `path` by id, once SQLite finds it whole.
pub fn events_in(path: &Path) -> BTreeMap<i64, String> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(check, "ok", "{}", path.display());
    conn.prepare("SELECT id, message FROM events ORDER BY id")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The files of `dir` whose names contain `part`.
pub fn files_named(dir: &Path, part: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.contains(part))
        .collect();
    names.sort();
    names
}

pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut text = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

pub async fn add_event(server: &Server, service: &str, message: &str) -> Value {
    let body = json!({"service": service, "level": "info", "message": message});
    let (status, event) = server.send(Method::POST, "/add-event", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    event
}

/// Each acknowledged request's events, as the server answered them.
pub type Acknowledged = Arc<Mutex<Vec<Vec<(i64, String)>>>>;

/// Posts single events and batches of ten, in turn, until `stop` or `requests`.
pub async fn write_events(
    url: String,
    writer: usize,
    requests: usize,
    acked: Acknowledged,
    stop: Arc<AtomicBool>,
) {
    let http = reqwest::Client::new();
    for request in 0..requests {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let event = |k: usize| {
            let message = format!("w{writer} r{request} e{k}");
            json!({"service": format!("writer-{writer}"), "level": "info", "message": message})
        };
        let (path, body) = match request % 2 {
            0 => ("/add-event", event(0)),
            _ => ("/add-events", Value::Array((0..10).map(event).collect())),
        };
        let response = http
            .post(format!("{url}{path}"))
            .header("password", PASSWORD)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let stored = match response.json::<Value>().await.unwrap() {
            Value::Array(events) => events,
            event => vec![event],
        };
        let stored = stored
            .iter()
            .map(|e| {
                (
                    e["id"].as_i64().unwrap(),
                    e["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        acked.lock().unwrap().push(stored);
    }
}
