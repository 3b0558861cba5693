//! Test harness: the real `watchtower` binary on port 0 (it says which port it
//! got) with its own data directory, a real SMTP server (aiosmtpd), and a local
//! HTTP receiver that records every request exactly as it arrived.
#![allow(dead_code, clippy::unwrap_used)]

pub mod access;
pub mod alert_policy;
pub mod logs;
mod ports;
pub mod postgres;
mod receivers;
pub mod sse;
pub mod strict;
mod wait;

// Not every test file uses every helper.
#[allow(unused_imports)]
pub use ports::ReservedPort;
#[allow(unused_imports)]
pub use receivers::{Received, Receiver, SmtpSink};
#[allow(unused_imports)]
pub use wait::{
    PATIENCE, assert_stays, assert_stays_async, sleep_past, wait_for, wait_for_blocking,
    wait_for_within,
};

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Instant;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

pub const PASSWORD: &str = "test-password-0123456789";

/// A running `watchtower serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub dir: PathBuf,
    pub config: PathBuf,
    pub stdout: Vec<String>,
    http: reqwest::Client,
    password: String,
}

/// The PostgreSQL server the tests use: `$WATCHTOWER_TEST_POSTGRES_URL`, else the
/// local one (`scripts/test` makes sure there is one).
pub fn postgres_server_url() -> String {
    std::env::var("WATCHTOWER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable".into())
}

/// Whether this run drives the servers on PostgreSQL (`WATCHTOWER_TEST_BACKEND=postgres`)
/// rather than the embedded SQLite.
pub fn on_postgres() -> bool {
    match std::env::var("WATCHTOWER_TEST_BACKEND").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("WATCHTOWER_TEST_BACKEND: `{other}` is not sqlite or postgres"),
    }
}

/// A fresh database on the test server, named after nothing else; `scripts/test`
/// drops the `wt_test_` databases that earlier runs left.
pub fn create_database() -> String {
    let name = format!("wt_test_{:016x}", rand_u64());
    let server = postgres_server_url();
    let status = Command::new("psql")
        .args([&server, "-v", "ON_ERROR_STOP=1", "-qc"])
        .arg(format!("CREATE DATABASE {name}"))
        .status()
        .expect("psql is required for the PostgreSQL tests (scripts/test installs it)");
    assert!(
        status.success(),
        "cannot create a test database on {server}"
    );
    let mut url = reqwest::Url::parse(&server).unwrap();
    url.set_path(&name);
    url.to_string()
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(Instant::now())
}

/// The database of the servers started in `dir` on `data_dir`: the same across
/// restarts, as the SQLite file in the data directory would be.
fn database_for(dir: &Path, data_dir: &Value) -> String {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let key = BuildHasherDefault::<DefaultHasher>::default().hash_one(data_dir.to_string());
    let file = dir.join(format!("postgres-url-{key:016x}"));
    if let Ok(url) = std::fs::read_to_string(&file) {
        return url;
    }
    let url = create_database();
    std::fs::write(&file, &url).unwrap();
    url
}

/// Writes `config` (listening on port 0, and with the data directory filled in unless
/// given, and the storage when the run is on PostgreSQL) into `dir` and returns
/// the config file's path.
pub fn write_config(dir: &Path, mut config: Value) -> PathBuf {
    let object = config.as_object_mut().unwrap();
    object
        .entry("listen")
        .or_insert_with(|| json!("127.0.0.1:0"));
    object
        .entry("dataDir")
        .or_insert_with(|| json!(dir.join("data")));
    if on_postgres() && !object.contains_key("storage") {
        let url = database_for(dir, &object["dataDir"]);
        object.insert("storage".into(), json!({"backend": "postgres", "url": url}));
    }
    object.entry("password").or_insert_with(|| json!(PASSWORD));
    let path = dir.join("config.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
    path
}

impl Server {
    /// Starts the server with `config` in `dir` (kept, so that a restart finds its data).
    pub async fn start(dir: &Path, config: Value) -> Server {
        let path = write_config(dir, config);
        Self::start_with_file(dir, &path).await
    }

    pub async fn start_with_file(dir: &Path, config_path: &Path) -> Server {
        Self::spawn(
            Command::new(env!("CARGO_BIN_EXE_watchtower")),
            dir,
            config_path,
        )
        .await
    }

    /// Starts the server with its wall clock shifted by `offset` (`-600s`, `+1h`) by
    /// libfaketime (Debian's `libfaketime`, which `scripts/test` installs); its
    /// monotonic clock is left alone. Preloaded directly rather than through the
    /// `faketime` command, which would stand between this process and the server.
    pub async fn start_skewed(dir: &Path, config: Value, offset: &str) -> Server {
        let path = write_config(dir, config);
        let library = glob_one("/usr/lib", "faketime/libfaketime.so.1")
            .expect("libfaketime is required (scripts/test installs Debian's faketime)");
        let mut command = Command::new(env!("CARGO_BIN_EXE_watchtower"));
        command
            .env("LD_PRELOAD", library)
            .env("FAKETIME", offset)
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        Self::spawn(command, dir, &path).await
    }

    async fn spawn(mut command: Command, dir: &Path, config_path: &Path) -> Server {
        let mut child = command
            .args(["serve", "--config"])
            .arg(config_path)
            .current_dir(dir)
            .env(
                "RUST_LOG",
                std::env::var("WATCHTOWER_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut stdout = Vec::new();
        let url = loop {
            let line = lines
                .next()
                .expect("the server exited before listening")
                .unwrap();
            stdout.push(line.clone());
            if let Some(url) = line.strip_prefix("watchtower listening on ") {
                break url.to_owned();
            }
        };
        // Keep draining so that the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let config: Value = serde_json::from_slice(&std::fs::read(config_path).unwrap()).unwrap();
        let password = config["password"].as_str().unwrap_or_default().to_owned();
        let http = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap();
        Server {
            child,
            url,
            dir: dir.to_owned(),
            config: config_path.to_owned(),
            stdout,
            http,
            password,
        }
    }

    /// The port the server got.
    pub fn port(&self) -> u16 {
        reqwest::Url::parse(&self.url)
            .unwrap()
            .port()
            .expect("the server says its port")
    }

    /// Writes `name` beside the server's config: that config with the port the
    /// server got in place of port 0 in `listen`, and answers its path. It is the
    /// config for `watchtower healthcheck`, which reads `listen` to know where to
    /// probe and so refuses port 0.
    pub fn config_naming_port(&self, name: &str) -> PathBuf {
        let mut config: Value =
            serde_json::from_slice(&std::fs::read(&self.config).unwrap()).unwrap();
        let mut listen: SocketAddr = config["listen"].as_str().unwrap().parse().unwrap();
        assert_eq!(listen.port(), 0, "the server was told a port of its own");
        listen.set_port(self.port());
        config["listen"] = json!(listen.to_string());
        let path = self.config.with_file_name(name);
        std::fs::write(&path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
        path
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.url))
            .header("password", &self.password)
    }

    /// Sends `body` and returns the status and the JSON answer.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        (status, value)
    }

    pub async fn pulse(
        &self,
        service: &str,
        alert_type: &str,
        target: &str,
        next_in: f64,
    ) -> Value {
        let body = json!({"service": service, "alertType": alert_type, "alertTarget": target, "nextIn": next_in});
        let (status, answer) = self.send(Method::POST, "/", Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer
    }

    pub async fn services(&self) -> Vec<Value> {
        let (status, answer) = self.send(Method::GET, "/", None).await;
        assert_eq!(status, StatusCode::OK);
        answer.as_array().unwrap().clone()
    }

    pub async fn status_of(&self, service: &str) -> Option<String> {
        let services = self.services().await;
        let found = services.iter().find(|s| s["service"] == service)?;
        Some(found["status"].as_str().unwrap().to_owned())
    }

    pub async fn events(&self, query: &str) -> Vec<Value> {
        let (status, answer) = self
            .send(Method::GET, &format!("/list-events{query}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer.as_array().unwrap().clone()
    }

    /// `kill -9`: no chance to flush anything.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits for a clean exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        terminate(&mut self.child)
    }
}

/// Sends `child` SIGTERM, as `docker stop` and systemd do, and waits for it to exit.
pub fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    child.wait().unwrap()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first `<root>/<any directory>/<rest>` that exists (an architecture's lib directory).
fn glob_one(root: &str, rest: &str) -> Option<PathBuf> {
    std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path().join(rest))
        .find(|path| path.exists())
}

/// Runs the command line against `server` with the password, without blocking
/// the test's runtime (which may answer for receivers meanwhile).
pub async fn cli_against(server: &Server, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args(args)
        .env("WATCHTOWER_URL", &server.url)
        .env("WATCHTOWER_PASSWORD", PASSWORD)
        .env("NO_COLOR", "1")
        .output()
        .await
        .unwrap()
}

/// Runs the binary with `args` in `dir`, expecting it to fail (a refused start).
pub fn run_expecting_failure(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args(args)
        .current_dir(dir)
        .env_remove("WATCHTOWER_CONFIG")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success(), "expected a failed start");
    output
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A server with one webhook (`ops`, pointing nowhere) in a fresh directory.
pub async fn server() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}}});
    let server = Server::start(dir.path(), config).await;
    (dir, server)
}

/// Asserts a `400` and returns the error it names.
pub async fn bad_request_error(response: reqwest::Response) -> String {
    refusal_error(response, StatusCode::BAD_REQUEST).await
}

/// Asserts `status` (`400` for what breaks the API document's grammar, `422` for
/// a rule it cannot state) and returns the error it names.
pub async fn refusal_error(response: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let answer: Value = response.json().await.unwrap();
    answer["error"].as_str().unwrap().to_owned()
}

/// The messages of events as the API answers them, in order.
pub fn messages(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect()
}

/// An RFC 3339 date of the protocol as epoch milliseconds.
pub fn millis_of(value: &Value) -> i64 {
    let text = value.as_str().unwrap();
    assert!(text.ends_with('Z'), "dates are UTC: {text}");
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .timestamp_millis()
}

pub fn write_file(path: &Path, text: &str) {
    let mut file = std::fs::File::create(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// Writes a self-signed certificate for `localhost` to `server.crt` and its key to
/// `server.key` in `dir`; returns the certificate's PEM, for clients to trust.
pub fn write_self_signed(dir: &Path) -> String {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    std::fs::write(dir.join("server.crt"), certified.cert.pem()).unwrap();
    std::fs::write(
        dir.join("server.key"),
        certified.signing_key.serialize_pem(),
    )
    .unwrap();
    certified.cert.pem()
}
