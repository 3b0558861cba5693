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

/// Runs the binary in `dir` with no config from the environment; answers its
/// exit status, stdout and stderr.
fn watchtower(dir: &std::path::Path, args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args(args)
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

fn check_config(dir: &std::path::Path, file: &str) -> (Option<i32>, String, String) {
    watchtower(dir, &["check-config".as_ref(), file.as_ref()])
}

#[test]
fn check_config_names_the_problem_and_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"dataDir": "never-created", "webhooks": {"ops": {"url": "https://hooks.ops.internal/x"}},
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
        (
            json!({"ssl": {"acme": {"domains": ["*.example.com"]}}}),
            "ssl.acme.domains",
        ),
        (
            json!({"ssl": {"acme": {"domains": ["wt.example.com"], "directory": "http://ca.example.com/dir"}}}),
            "ssl.acme.directory",
        ),
        (
            json!({"ssl": {"acme": {"domains": ["wt.example.com"], "email": "nobody"}}}),
            "ssl.acme.email",
        ),
        (
            json!({"ssl": {"acme": {"domains": ["wt.example.com"], "directoryCaCert": "missing.pem"}}}),
            "ssl.acme.directoryCaCert",
        ),
        (
            json!({"ssl": {"enabled": true, "acme": {"domains": ["wt.example.com"]}}}),
            "`ssl`",
        ),
        (
            json!({"syslog": {"tls": {"listen": "127.0.0.1:6514"}}}),
            "syslog.tls",
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

fn healthcheck(dir: &std::path::Path, config: &std::path::Path) -> (Option<i32>, String, String) {
    watchtower(
        dir,
        &[
            "healthcheck".as_ref(),
            "--config".as_ref(),
            config.as_os_str(),
        ],
    )
}

#[tokio::test]
async fn healthcheck_probes_the_configured_server_over_http_and_https() {
    let dir = tempfile::tempdir().unwrap();
    // Listening on every address: the probe dials loopback.
    let mut plain = support::Server::start(dir.path(), json!({"listen": "0.0.0.0:0"})).await;
    // The server's config with the port it got, since the probe reads `listen`.
    let config = plain.config_naming_port("probe.json");
    let (code, stdout, _) = healthcheck(dir.path(), &config);
    assert_eq!(code, Some(0));
    assert_eq!(
        stdout.trim(),
        format!("http://127.0.0.1:{}/readyz: ready", plain.port())
    );
    plain.terminate();
    let (code, _, stderr) = healthcheck(dir.path(), &config);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("no answer") && stderr.lines().count() == 1,
        "{stderr}"
    );

    // A self-signed certificate for another name: the probe still gets its answer.
    let tls = tempfile::tempdir().unwrap();
    support::write_self_signed(tls.path());
    let secure = support::Server::start(
        tls.path(),
        json!({"ssl": {"enabled": true, "cert": tls.path().join("server.crt"),
                       "key": tls.path().join("server.key")}}),
    )
    .await;
    let config = secure.config_naming_port("probe.json");
    let (code, stdout, stderr) = healthcheck(tls.path(), &config);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("https://127.0.0.1:"), "{stdout}");
}
