//! Starting the server: config lookup and errors, the generated password, TLS.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use axum::http::StatusCode;
use serde_json::json;
use support::{Server, run_expecting_failure, stderr, write_config};

#[test]
fn bad_config_stops_the_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (json!({"lisen": "127.0.0.1:0"}), "lisen"),
        (json!({"listen": "localhost"}), "listen"),
        (
            json!({"mail": {"host": "h", "from": "a@b.c", "port": 99999}}),
            "mail.port",
        ),
        (
            json!({"webhooks": {"ops": {"url": "file:///etc/passwd"}}}),
            "webhooks.ops.url",
        ),
        (
            json!({"mail": {"host": "h", "from": "a@b.c", "security": "none", "caCert": "ca.pem"}}),
            "mail.caCert",
        ),
        (
            json!({"mail": {"host": "h", "from": "a@b.c", "caCert": "missing.pem"}}),
            "mail.caCert",
        ),
        (
            json!({"ssl": {"enabled": true, "cert": "missing.crt", "key": "missing.key"}}),
            "ssl.cert",
        ),
    ];
    for (config, key) in cases {
        let path = write_config(dir.path(), config.clone());
        let output = run_expecting_failure(
            dir.path(),
            &["serve", "--config", path.to_str().unwrap()],
            &[],
        );
        assert!(
            stderr(&output).contains(key),
            "{config}: {}",
            stderr(&output)
        );
    }
    std::fs::write(dir.path().join("broken.json"), "{ not json").unwrap();
    let output = run_expecting_failure(dir.path(), &["serve", "--config", "broken.json"], &[]);
    assert!(
        stderr(&output).contains("broken.json"),
        "{}",
        stderr(&output)
    );
    let output = run_expecting_failure(dir.path(), &["serve", "--config", "absent.json"], &[]);
    assert!(
        stderr(&output).contains("cannot read config file absent.json"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_config_comes_from_the_flag_then_the_environment_then_the_default_path() {
    let dir = tempfile::tempdir().unwrap();
    // Each source names an invalid key of its own, so the error shows which one was read.
    std::fs::create_dir(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/config.json"),
        r#"{"fromDefault": 1}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("env.json"), r#"{"fromEnv": 1}"#).unwrap();
    std::fs::write(dir.path().join("flag.json"), r#"{"fromFlag": 1}"#).unwrap();
    let env = [("WATCHTOWER_CONFIG", "env.json")];
    assert!(
        stderr(&run_expecting_failure(
            dir.path(),
            &["serve", "--config", "flag.json"],
            &env
        ))
        .contains("fromFlag")
    );
    assert!(stderr(&run_expecting_failure(dir.path(), &["serve"], &env)).contains("fromEnv"));
    assert!(stderr(&run_expecting_failure(dir.path(), &["serve"], &[])).contains("fromDefault"));
}

#[tokio::test]
async fn without_a_configured_password_one_is_generated_printed_once_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    std::fs::write(
        &path,
        json!({"listen": "127.0.0.1:0", "dataDir": "data"}).to_string(),
    )
    .unwrap();
    let mut server = Server::start_with_file(dir.path(), &path).await;
    let kept = std::fs::read_to_string(dir.path().join("data/password"))
        .unwrap()
        .trim()
        .to_owned();
    assert!(kept.len() >= 43, "at least 256 bits: {kept}");
    assert!(
        server
            .stdout
            .iter()
            .any(|line| line.contains("Generated") && line.ends_with(&kept)),
        "{:?}",
        server.stdout
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("data/password"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = std::fs::metadata(dir.path().join("data"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "the data directory is private");
    }
    let accepts = async |url: &str| {
        let response = reqwest::Client::new()
            .get(url)
            .header("password", &kept)
            .send()
            .await
            .unwrap();
        response.status() == StatusCode::OK
    };
    assert!(accepts(&server.url).await);
    server.kill();

    let server = Server::start_with_file(dir.path(), &path).await;
    assert!(
        server.stdout.iter().all(|line| !line.contains(&kept)),
        "printed only at the first start"
    );
    assert!(
        accepts(&server.url).await,
        "the same password after a restart"
    );
}

#[tokio::test]
async fn https_serves_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let pem = support::write_self_signed(dir.path());
    let config = json!({"ssl": {"enabled": true, "cert": "server.crt", "key": "server.key"}});
    let server = Server::start(dir.path(), config).await;
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let port = server.url.rsplit(':').next().unwrap();
    let ca = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap();
    let http = reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .unwrap();
    let response = http
        .get(format!("https://localhost:{port}/"))
        .header("password", support::PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await;
    assert!(
        plain.is_err() || !plain.unwrap().status().is_success(),
        "plain HTTP is not served"
    );
}

#[test]
fn an_unreadable_key_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    std::fs::write(dir.path().join("server.crt"), certified.cert.pem()).unwrap();
    std::fs::write(dir.path().join("server.key"), "garbage").unwrap();
    let path = write_config(
        dir.path(),
        json!({"ssl": {"enabled": true, "cert": "server.crt", "key": "server.key"}}),
    );
    let output = run_expecting_failure(
        dir.path(),
        &["serve", "--config", path.to_str().unwrap()],
        &[],
    );
    assert!(stderr(&output).contains("ssl.key"), "{}", stderr(&output));
}

#[test]
fn a_sigterm_as_soon_as_it_listens_stops_it_cleanly() {
    // The signal goes the moment the server says where it listens, while it may
    // still be starting its workers: it must stop as it does later, not be killed.
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let config = write_config(dir.path(), json!({}));
        let mut child = Command::new(env!("CARGO_BIN_EXE_watchtower"))
            .args(["serve", "--config"])
            .arg(&config)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        for line in stdout.lines() {
            if line.unwrap().starts_with("watchtower listening on ") {
                break;
            }
        }
        let status = support::terminate(&mut child);
        assert!(
            status.success(),
            "a SIGTERM at start-up ended it with {status:?}"
        );
    }
}
