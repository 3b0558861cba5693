//! Running the commands, reading backup files, writing under load and checking
//! what each backup holds, for tests/backup.rs.

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

/// Runs `watchtower backup` of the server in `dir` to `out` on a blocking thread,
/// so that the writers go on meanwhile; answers the line it prints.
pub async fn back_up_in_the_background(dir: &Path, out: &Path, round: usize) -> String {
    tokio::task::spawn_blocking({
        let (dir, out) = (dir.to_owned(), out.to_owned());
        // At the default idle priority, and at full speed every other round.
        let full_speed = round % 2 == 1;
        move || {
            let mut args = vec!["backup", "--config", "config.json", arg(&out)];
            if full_speed {
                args.push("--full-speed");
            }
            succeeds(&dir, &args)
        }
    })
    .await
    .unwrap()
}

/// The backup's ids run from 1 without a gap, and it holds every event that was
/// acknowledged before it started, as acknowledged.
pub fn assert_holds_every_event_acknowledged_before(
    round: usize,
    stored: &BTreeMap<i64, String>,
    before: &[Vec<(i64, String)>],
) {
    let newest = stored.keys().next_back().copied().unwrap_or(0);
    assert!(
        stored.keys().copied().eq(1..=newest),
        "round {round}: the ids are not 1..={newest}, so a commit is missing"
    );
    for (id, message) in before.iter().flatten() {
        assert_eq!(
            stored.get(id),
            Some(message),
            "round {round}: acknowledged event {id}"
        );
    }
}

/// The line `watchtower backup` printed counts what the backup holds, and only
/// the owner may read the file.
pub fn assert_reported_and_private(line: &str, stored: &BTreeMap<i64, String>, out: &Path) {
    assert!(
        line.starts_with("backed up ")
            && line.contains(&format!(" {} events, ", thousands(stored.len()))),
        "{line}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only the owner reads a backup");
    }
}

/// Each backup holds each acknowledged request whole or not at all, as acknowledged.
pub fn assert_no_request_is_torn(
    backups: &[BTreeMap<i64, String>],
    requests: &[Vec<(i64, String)>],
) {
    for (round, stored) in backups.iter().enumerate() {
        for request in requests {
            let held = request
                .iter()
                .filter(|(id, _)| stored.contains_key(id))
                .count();
            assert!(
                held == 0 || held == request.len(),
                "round {round}: a request is torn, {held} of its {} events in the backup",
                request.len()
            );
            for (id, message) in request {
                if let Some(kept) = stored.get(id) {
                    assert_eq!(kept, message, "round {round}: event {id}");
                }
            }
        }
    }
}
