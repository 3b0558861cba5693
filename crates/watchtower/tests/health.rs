//! Health checks for probes (`/healthz`, `/readyz`, no password, no details) and
//! `watchtower check-config`.
#![allow(clippy::unwrap_used)]

mod support;

use std::process::Command;

use axum::http::StatusCode;
use serde_json::json;
use support::{server, write_file};

#[tokio::test]
async fn probes_need_no_password_and_say_only_up_or_down() {
    let (_dir, server) = server().await;
    for (path, status) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let answer = reqwest::get(format!("{}{path}", server.url)).await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        assert_eq!(
            answer.json::<serde_json::Value>().await.unwrap(),
            json!({"status": status})
        );
    }
}

fn check_config(dir: &std::path::Path, file: &str) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args(["check-config", file])
        .current_dir(dir)
        .env_remove("WATCHTOWER_CONFIG")
        .output()
        .unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

#[test]
fn check_config_names_the_problem_and_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"dataDir": "never-created", "webhooks": {"ops": {"url": "https://hooks.example.com/x"}},
                        "routes": {"oncall": [{"alertType": "webhook", "alertTarget": "ops"}]}});
    write_file(&dir.path().join("good.json"), &config.to_string());
    let (code, stdout, _) = check_config(dir.path(), "good.json");
    assert_eq!((code, stdout.trim()), (Some(0), "config OK: good.json"));
    assert!(
        !dir.path().join("never-created").exists(),
        "no data directory made"
    );

    let cases = [
        (
            json!({"alerts": {"storm": {"threshold": 0}}}),
            "alerts.storm.threshold",
        ),
        (
            json!({"routes": {"oncall": [{"alertType": "slack", "alertTarget": "ops"}]}}),
            "routes.oncall[0].alertType",
        ),
        (
            json!({"pingKeys": {"cron": {"key": "short"}}}),
            "pingKeys.cron.key",
        ),
        (
            json!({"ssl": {"enabled": true, "cert": "missing.crt", "key": "missing.key"}}),
            "ssl.cert",
        ),
    ];
    for (config, key) in cases {
        write_file(&dir.path().join("bad.json"), &config.to_string());
        let (code, _, stderr) = check_config(dir.path(), "bad.json");
        assert_eq!(code, Some(1), "{config}");
        assert!(
            stderr.contains(key) && stderr.lines().count() <= 3,
            "{config} → {stderr}"
        );
    }
    let (code, _, stderr) = check_config(dir.path(), "missing.json");
    assert_eq!(code, Some(1));
    assert!(stderr.contains("missing.json"), "{stderr}");
}
