//! Backups of the SQLite database: `watchtower backup` copies it while the server
//! writes, as it was at one moment; `watchtower restore` puts a copy back, only
//! while no server runs on the data directory, and keeps what it replaces.
//! PostgreSQL is pg_dump's business, and the commands say so.
#![allow(clippy::unwrap_used)]

#[path = "backup/helpers.rs"]
mod helpers;
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use helpers::*;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};
use support::{Server, run_expecting_failure, stderr, wait_for, write_config};

#[tokio::test]
async fn backups_under_write_load_are_whole_and_hold_everything_acknowledged_before_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), on_sqlite()).await;
    let acked = Acknowledged::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let task = write_events(server.url.clone(), writer, 400, acked.clone(), stop.clone());
            tokio::spawn(task)
        })
        .collect();
    let acknowledged = || acked.lock().unwrap().len();
    wait_for("writes under way", async || {
        (acknowledged() >= 20).then_some(())
    })
    .await;

    let out = dir.path().join("nightly.db");
    let mut backups: Vec<BTreeMap<i64, String>> = Vec::new();
    for round in 0..4 {
        let before = acked.lock().unwrap().clone();
        let line = back_up_in_the_background(dir.path(), &out, round).await;
        let stored = events_in(&out);
        assert_holds_every_event_acknowledged_before(round, &stored, &before);
        assert_reported_and_private(&line, &stored, &out);
        if let Some(previous) = backups.last() {
            assert!(
                previous.len() <= stored.len(),
                "a later backup holds at least as much"
            );
        }
        eprintln!(
            "round {round}: {} acknowledged before, {} in the backup",
            before.iter().flatten().count(),
            stored.len()
        );
        backups.push(stored);
        // The next backup starts with more written meanwhile.
        let seen = acknowledged();
        wait_for("more writes", async || {
            (acknowledged() > seen).then_some(())
        })
        .await;
    }
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }

    let requests = acked.lock().unwrap().clone();
    assert_no_request_is_torn(&backups, &requests);
    assert_eq!(
        files_named(dir.path(), "nightly"),
        ["nightly.db"],
        "no partial files left"
    );
}

#[tokio::test]
async fn a_restored_backup_is_exactly_what_the_restarted_server_serves() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(dir.path(), on_sqlite()).await;
    server.pulse("db", "webhook", "ops", 3600.0).await;
    server.pulse("web", "webhook", "ops", 600.0).await;
    for message in ["disk almost full", "backup started", "backup done"] {
        add_event(&server, "db", message).await;
    }
    let (services, events) = (server.services().await, server.events("?limit=10000").await);
    let line = succeeds(
        dir.path(),
        &["backup", "--config", "config.json", "kept.db"],
    );
    // Each new service's first pulse is an event of its own.
    let counts = format!(": 2 services, {} events", events.len());
    assert!(line.contains(&format!("{counts}, ")), "{line}");

    server.pulse("late", "webhook", "ops", 600.0).await;
    for n in 0..5 {
        add_event(&server, "web", &format!("after the backup {n}")).await;
    }
    // The search index covers the later events: after the restore, new events
    // take their ids, and must not be searched for in an index of the old ones.
    let newest = server.events("?limit=1").await[0]["id"].as_i64().unwrap();
    wait_for("the search index to catch up", async || {
        let index = Connection::open_with_flags(
            data.join("watchtower-search.db"),
            OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .ok()?;
        let upto: i64 = index
            .query_row("SELECT indexed_upto FROM search_state", [], |row| {
                row.get(0)
            })
            .ok()?;
        (upto == newest).then_some(())
    })
    .await;
    assert!(server.terminate().success());

    let line = succeeds(
        dir.path(),
        &["restore", "--config", "config.json", "kept.db"],
    );
    assert!(line.starts_with("restored kept.db to "), "{line}");
    assert!(line.contains(&format!("{counts} (schema v")), "{line}");
    let aside = line
        .split("kept as ")
        .nth(1)
        .expect("names where the old database is kept");
    assert_eq!(
        files_named(&data, "before-restore"),
        [Path::new(aside).file_name().unwrap().to_str().unwrap()]
    );
    assert_eq!(
        events_in(Path::new(aside)).len(),
        events.len() + 6,
        "the replaced database is kept whole"
    );

    let server = Server::start(dir.path(), on_sqlite()).await;
    assert_eq!(server.services().await, services);
    assert_eq!(server.events("?limit=10000").await, events);
    let added = add_event(&server, "db", "zebra crossing").await;
    assert_eq!(server.events("?message=zebra").await, [added]);
}

#[tokio::test]
async fn restore_is_refused_while_the_server_runs_and_works_once_it_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(dir.path(), on_sqlite()).await;
    let kept = add_event(&server, "db", "in the backup").await;
    succeeds(dir.path(), &["backup", "--config", "config.json", "b.db"]);
    add_event(&server, "db", "not in the backup").await;

    let error = fails(dir.path(), &["restore", "--config", "config.json", "b.db"]);
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(
        error.contains("a server is running on") && error.contains("stop it first"),
        "{error}"
    );
    assert!(
        error.contains(&format!("pid {}", server.child.id())),
        "{error}"
    );
    assert_eq!(
        server.events("").await.len(),
        2,
        "the database is unchanged"
    );
    assert!(
        files_named(&data, "restor").is_empty(),
        "nothing was set aside or left"
    );

    // kill -9: the kernel releases the lock of a process however it ends.
    server.kill();
    let line = succeeds(dir.path(), &["restore", "--config", "config.json", "b.db"]);
    assert!(line.contains(": 0 services, 1 event (schema v"), "{line}");
    // What the killed server had committed was still in its log: it is kept too.
    let aside = line.split("kept as ").nth(1).unwrap();
    assert_eq!(events_in(Path::new(aside)).len(), 2);
    let server = Server::start(dir.path(), on_sqlite()).await;
    assert_eq!(server.events("").await, [kept]);
}

#[tokio::test]
async fn a_copy_of_a_crashed_servers_files_is_restored_with_its_log() {
    let (from, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut server = Server::start(from.path(), on_sqlite()).await;
    for n in 0..3 {
        add_event(&server, "db", &format!("event {n}")).await;
    }
    server.kill();
    let data = from.path().join("data");
    let log = data.join("watchtower.db-wal");
    assert!(
        std::fs::metadata(&log).unwrap().len() > 0,
        "the commits are in the log"
    );
    std::fs::copy(data.join("watchtower.db"), to.path().join("copy.db")).unwrap();
    std::fs::copy(&log, to.path().join("copy.db-wal")).unwrap();

    write_config(to.path(), on_sqlite());
    let line = succeeds(
        to.path(),
        &["restore", "--config", "config.json", "copy.db"],
    );
    assert!(
        line.contains("with its log copy.db-wal") && line.contains(": 0 services, 3 events"),
        "{line}"
    );
    assert!(line.ends_with("there was no database before"), "{line}");
    let server = Server::start(to.path(), on_sqlite()).await;
    assert_eq!(server.events("").await.len(), 3);
}

#[tokio::test]
async fn a_second_server_on_the_same_data_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), on_sqlite()).await;
    let output = run_expecting_failure(dir.path(), &["serve", "--config", "config.json"], &[]);
    let error = stderr(&output);
    let data = dir.path().join("data");
    assert!(
        error.contains(&format!(
            "data directory {} is in use by another watchtower process (pid {})",
            data.display(),
            server.child.id()
        )),
        "{error}"
    );
    assert_eq!(
        server.events("").await,
        Vec::<Value>::new(),
        "the first one goes on"
    );
}

#[tokio::test]
async fn restore_refuses_what_is_not_a_watchtower_database_it_can_open() {
    let (source, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut server = Server::start(source.path(), on_sqlite()).await;
    add_event(&server, "db", "kept").await;
    let backup = dir.path().join("real.db");
    succeeds(
        source.path(),
        &["backup", "--config", "config.json", arg(&backup)],
    );
    server.terminate();

    write_config(dir.path(), on_sqlite());
    let refused = |file: &str, why: &str| {
        let error = fails(dir.path(), &["restore", "--config", "config.json", file]);
        assert_eq!(error, format!("watchtower: cannot restore {file}: {why}"));
        let data = dir.path().join("data");
        assert!(
            !data.join("watchtower.db").exists(),
            "{file}: nothing was put in place"
        );
        if data.exists() {
            assert!(
                files_named(&data, "restor").is_empty(),
                "{file}: nothing was left"
            );
        }
    };
    std::fs::write(dir.path().join("notes.txt"), "not a database\n").unwrap();
    refused("notes.txt", "not a SQLite database");
    std::fs::write(dir.path().join("empty.db"), "").unwrap();
    refused("empty.db", "not a SQLite database");

    let other = Connection::open(dir.path().join("other.db")).unwrap();
    other
        .execute_batch("CREATE TABLE recipes (name TEXT); PRAGMA user_version = 3;")
        .unwrap();
    drop(other);
    refused(
        "other.db",
        "a SQLite database, but not a Watchtower one (no services and events tables)",
    );

    std::fs::copy(&backup, dir.path().join("newer.db")).unwrap();
    let newer = Connection::open(dir.path().join("newer.db")).unwrap();
    let version: i64 = newer
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    newer.pragma_update(None, "user_version", 99).unwrap();
    drop(newer);
    refused(
        "newer.db",
        &format!(
            "a Watchtower database of schema version 99, newer than this watchtower's ({version}): use the newer watchtower that wrote it"
        ),
    );

    // Half a database: pages missing.
    let bytes = std::fs::read(&backup).unwrap();
    std::fs::write(dir.path().join("half.db"), &bytes[..bytes.len() / 2]).unwrap();
    let error = fails(
        dir.path(),
        &["restore", "--config", "config.json", "half.db"],
    );
    assert!(
        error.starts_with("watchtower: cannot restore half.db: damaged: "),
        "{error}"
    );

    let line = succeeds(
        dir.path(),
        &["restore", "--config", "config.json", arg(&backup)],
    );
    assert!(line.contains(": 0 services, 1 event (schema v"), "{line}");
}

#[tokio::test]
async fn backup_names_a_missing_database_or_directory() {
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path(), on_sqlite());
    let error = fails(dir.path(), &["backup", "--config", "config.json", "b.db"]);
    let data = dir.path().join("data");
    assert_eq!(
        error,
        format!(
            "watchtower: no database at {} (dataDir is {}; has a server run with this config?)",
            data.join("watchtower.db").display(),
            data.display()
        )
    );
    let _server = Server::start(dir.path(), on_sqlite()).await;
    let error = fails(
        dir.path(),
        &["backup", "--config", "config.json", "nowhere/b.db"],
    );
    assert_eq!(
        error,
        "watchtower: cannot write nowhere/b.db: there is no directory nowhere"
    );
    assert!(files_named(dir.path(), "b.db").is_empty());
}

#[test]
fn on_postgres_both_commands_say_how_with_pg_dump_and_pg_restore_and_hide_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let url = "postgres://watchtower:s3cret@db.internal:5432/watchtower";
    write_config(
        dir.path(),
        json!({"storage": {"backend": "postgres", "url": url}}),
    );
    let guidance = |command: &str, expected: &[&str]| {
        let error = fails(dir.path(), &[command, "--config", "config.json", "wt.dump"]);
        assert!(error.lines().count() <= 2, "{error}");
        for part in expected {
            assert!(error.contains(part), "{error}");
        }
        assert!(
            !error.contains("s3cret") && !error.contains("db.internal"),
            "{error}"
        );
    };
    guidance(
        "backup",
        &["pg_dump --format=custom --file=FILE <storage.url>"],
    );
    guidance(
        "restore",
        &[
            "stop every node",
            "pg_restore --clean --if-exists --no-owner --dbname=<storage.url> FILE",
        ],
    );
    assert!(!dir.path().join("wt.dump").exists());
    assert!(!dir.path().join("data").exists(), "nothing was created");
}
