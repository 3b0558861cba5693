//! What the binary says about its start is true: `check-config` names the file it
//! read, and a new data directory's search index is built, not "rebuilt".
#![allow(clippy::unwrap_used)]

mod support;

use std::process::Command;

use serde_json::json;
use support::{Server, on_postgres, write_file};

/// Runs `watchtower check-config` with `args` in `dir`, with no config from the
/// environment; answers its exit status and stdout.
fn check_config(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .arg("check-config")
        .args(args)
        .current_dir(dir)
        .env_remove("WATCHTOWER_CONFIG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (output.status.code(), stdout)
}

#[test]
fn check_config_names_the_file_it_found_by_default() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        check_config(dir.path(), &[]),
        (
            Some(0),
            "config OK: the built-in defaults (no config file)".into()
        )
    );
    std::fs::create_dir(dir.path().join("config")).unwrap();
    let config = json!({"webhooks": {"ops": {"url": "https://hooks.ops.internal/x"}}});
    write_file(&dir.path().join("config/config.json"), &config.to_string());
    assert_eq!(
        check_config(dir.path(), &[]),
        (Some(0), "config OK: config/config.json".into())
    );
    // And it is the file that was checked: a broken one is refused.
    write_file(&dir.path().join("config/config.json"), "{\"listen\": 1}");
    let (code, _) = check_config(dir.path(), &[]);
    assert_eq!(code, Some(1));
}

#[tokio::test]
async fn a_new_data_directory_builds_its_search_index_and_a_restart_keeps_it() {
    if on_postgres() {
        return; // The search index is SQLite's.
    }
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start_logging(dir.path(), json!({}), "info").await;
    let log = server.log();
    assert!(log.contains("building the search index"), "{log}");
    assert!(!log.contains("rebuilding the search index"), "{log}");
    server.kill();

    let server = Server::start_logging(dir.path(), json!({}), "info").await;
    let log = server.log();
    assert_eq!(
        log.matches("building the search index").count(),
        1,
        "a restart finds the index it built: {log}"
    );
}
