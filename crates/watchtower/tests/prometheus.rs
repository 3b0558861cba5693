//! End to end with the real programs from Debian's packages (installed by
//! `scripts/test`): Prometheus scrapes `/metrics` with its token, and
//! Alertmanager's Watchdog notifications keep a service alive until a silence
//! on them lets it die.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use support::{Receiver, Server, assert_stays, wait_for};

const TOKEN: &str = "scrape-token-0123456789";
const KEY: &str = "alertmanager-key-0123456789";

/// A child process killed when the test ends.
struct Program(Child);

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `binary`, told `--web.listen-address=127.0.0.1:0`, and answers it with
/// the address it got, which it logs (`msg="Listening on" address=…`).
fn program(binary: &str, args: &[String]) -> (Program, String) {
    assert!(
        Path::new(binary).exists(),
        "{binary} is missing: scripts/test installs it"
    );
    let mut child = Command::new(binary)
        .args(args)
        .arg("--web.listen-address=127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(child.stderr.take().unwrap()).lines();
    let program = Program(child);
    let address = loop {
        let line = log
            .next()
            .unwrap_or_else(|| panic!("{binary} exited before listening"))
            .unwrap();
        if line.contains(r#"msg="Listening on""#) {
            let address = line
                .split_whitespace()
                .find_map(|field| field.strip_prefix("address="));
            break address
                .unwrap_or_else(|| panic!("no address in {line}"))
                .to_owned();
        }
    };
    // Keep draining, so that the program never blocks on a full pipe.
    std::thread::spawn(move || log.for_each(drop));
    (program, address)
}

async fn get_json(url: &str) -> Option<Value> {
    let response = reqwest::get(url).await.ok()?;
    response.json().await.ok()
}

#[tokio::test]
async fn prometheus_scrapes_the_metrics_with_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}},
        "metrics": {"token": TOKEN},
    });
    let server = Server::start(dir.path(), config).await;
    server.pulse("backup", "webhook", "ops", 600.0).await;
    server.pulse("web", "webhook", "ops", 600.0).await;
    let target = server.url.trim_start_matches("http://").to_owned();
    let scrape = format!(
        "global: {{scrape_interval: 1s}}\nscrape_configs:\n  - job_name: watchtower\n    authorization: {{credentials: {TOKEN}}}\n    static_configs: [{{targets: ['{target}']}}]\n"
    );
    std::fs::write(dir.path().join("prometheus.yml"), scrape).unwrap();
    let (_prometheus, address) = program(
        "/usr/bin/prometheus",
        &[
            format!(
                "--config.file={}",
                dir.path().join("prometheus.yml").display()
            ),
            format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()),
        ],
    );
    let query = |q: &str| format!("http://{address}/api/v1/query?query={q}");
    let up = wait_for("Prometheus to scrape Watchtower", async || {
        let answer = get_json(&query("watchtower_services%7Bstatus%3D%22up%22%7D")).await?;
        answer["data"]["result"].as_array()?.first().cloned()
    })
    .await;
    assert_eq!(up["value"][1], "2", "{up}");
    let pulses = get_json(&query("watchtower_pulses_total")).await.unwrap();
    assert_eq!(pulses["data"]["result"][0]["value"][1], "2");

    let unauthorised = reqwest::get(format!("{}/metrics", server.url))
        .await
        .unwrap();
    assert_eq!(unauthorised.status(), 401, "the token is required");
}

#[tokio::test]
async fn alertmanagers_watchdog_keeps_a_service_alive_until_it_is_silenced() {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": hook.url}},
        "pingKeys": {"alertmanager": {"key": KEY, "alertType": "webhook", "alertTarget": "ops"}},
        "alertmanager": {"alerts": {"Watchdog": {"service": "prometheus", "nextIn": 3}}},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1},
    });
    let server = Server::start(dir.path(), config).await;
    let receiver = format!("{}/alertmanager/{KEY}", server.url);
    let routes = format!(
        "route: {{receiver: watchtower, group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 1s}}\nreceivers:\n  - name: watchtower\n    webhook_configs: [{{url: '{receiver}', send_resolved: false}}]\n"
    );
    std::fs::write(dir.path().join("alertmanager.yml"), routes).unwrap();
    let (_alertmanager, address) = program(
        "/usr/bin/prometheus-alertmanager",
        &[
            format!(
                "--config.file={}",
                dir.path().join("alertmanager.yml").display()
            ),
            format!("--storage.path={}", dir.path().join("am").display()),
            "--cluster.listen-address=".to_owned(),
        ],
    );
    let api = format!("http://{address}/api/v2");
    let http = reqwest::Client::new();
    // What Prometheus does with an always-firing rule: send the alert again and again.
    let fire = {
        let (http, api) = (http.clone(), api.clone());
        tokio::spawn(async move {
            loop {
                let ends = chrono::Utc::now() + chrono::Duration::minutes(5);
                let alert = json!([{"labels": {"alertname": "Watchdog", "severity": "none"}, "endsAt": ends}]);
                let _ = http.post(format!("{api}/alerts")).json(&alert).send().await;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        })
    };
    wait_for("Alertmanager's Watchdog to pulse the service", async || {
        (server.status_of("prometheus").await.as_deref() == Some("up")).then_some(())
    })
    .await;
    assert_stays(
        "alive while the Watchdog fires",
        Duration::from_secs(5),
        || hook.received().is_empty(),
    )
    .await;
    assert_eq!(server.status_of("prometheus").await.as_deref(), Some("up"));

    let now = chrono::Utc::now();
    let silence = json!({
        "matchers": [{"name": "alertname", "value": "Watchdog", "isRegex": false, "isEqual": true}],
        "startsAt": now, "endsAt": now + chrono::Duration::hours(1),
        "createdBy": "test", "comment": "maintenance",
    });
    let answer = http
        .post(format!("{api}/silences"))
        .json(&silence)
        .send()
        .await
        .unwrap();
    assert!(
        answer.status().is_success(),
        "{}",
        answer.text().await.unwrap()
    );
    let alert = hook.wait_for_requests(1).await[0].json();
    assert_eq!(
        (alert["service"].as_str(), alert["kind"].as_str()),
        (Some("prometheus"), Some("down"))
    );
    fire.abort();
}
