//! No secret of the config reaches the log, the events or the API: channels whose
//! URLs, tokens and passwords carry `s3cret` fail every way a delivery can (a
//! refused connection, a 500, a 400 whose body quotes the request, a command
//! whose stderr quotes its arguments), retry and give up, and the watchdog beats
//! into a closed port; then nothing the server wrote or answers may hold `s3cret`.
#![allow(clippy::unwrap_used)]

mod support;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::{Value, json};
use support::{PASSWORD, Receiver, ReservedPort, Server, wait_for};

/// The mark of every secret in the config below.
const SECRET: &str = "s3cret";

/// A receiver that refuses every request with a `400` whose body quotes the whole
/// request, as some servers' error pages do: the path and query, every header,
/// the start of the body. Answers its base URL.
async fn start_echo() -> String {
    let app = axum::Router::new().fallback(
        |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| async move {
            let headers: Vec<String> = headers
                .iter()
                .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or("?")))
                .collect();
            let body = String::from_utf8_lossy(&body);
            let quoted = format!(
                "Cannot {method} {uri} ({}) {}",
                headers.join("; "),
                body.chars().take(200).collect::<String>()
            );
            (StatusCode::BAD_REQUEST, quoted)
        },
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Every channel, each pointing at a closed port (`closed`), a receiver answering
/// 500 (`busy`) or the echoing one (`echo`), with secrets in paths, queries, user
/// info, headers, tokens and arguments.
fn config(closed: &ReservedPort, busy: &str, echo: &str) -> Value {
    let closed_url = closed.url();
    let port = closed.port();
    let failing = "echo \"cannot page with $1\" >&2; exit 1";
    json!({
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 0.5, "storm": {"enabled": false}},
        "webhooks": {
            "closed": {"url": format!("{closed_url}/hook?token=s3cret-webhook-query"),
                       "headers": {"Authorization": "Bearer s3cret-webhook-header"}},
            "busy": {"url": format!("{busy}/hook/s3cret-webhook-path")},
            "echo": {"url": format!("{echo}/hook/s3cret-echo-path?token=s3cret-echo-query"),
                     "headers": {"X-Api-Key": "s3cret-echo-header"}},
        },
        "pushover": {"token": "s3cret-pushover-token",
                     "url": format!("{echo}/1/messages.json?key=s3cret-pushover-query")},
        "mail": {"host": "127.0.0.1", "port": port, "security": "none", "username": "ops",
                 "password": "s3cret-mail-password", "from": "wt@example.com"},
        "channels": {
            "slack": {"webhooks": {"ops": format!("{closed_url}/services/T0/B0/s3cret-slack-path")}},
            "teams": {"webhooks": {"ops": format!("{busy}/webhookb2/s3cret-teams-path")}},
            "discord": {"webhooks": {"ops": format!(
                "http://user:s3cret-discord-pass@127.0.0.1:{port}/api/webhooks/1/s3cret-discord-path")}},
            "telegram": {"token": "123:s3cret-telegram-token", "url": closed_url},
            "ntfy": {"url": format!("{closed_url}/s3cret-ntfy-path"), "token": "s3cret-ntfy-token"},
            "gotify": {"url": echo, "apps": {"ops": "s3cret-gotify-token"}},
            "matrix": {"homeserver": closed_url, "accessToken": "s3cret-matrix-token"},
            "pagerduty": {"url": format!("{echo}/v2/enqueue?s3cret-pagerduty-query"),
                          "services": {"ops": "s3cret-pagerduty-key"}},
            "opsgenie": {"url": format!("{busy}/s3cret-opsgenie-path"), "keys": {"ops": "s3cret-opsgenie-key"}},
            "exec": {"commands": {"ops": {"command": ["sh", "-c", failing, "sh", "s3cret-exec-argument"]}}},
        },
        "watchdog": {"url": format!("{closed_url}/ping/s3cret-watchdog-path?key=s3cret-watchdog-query"),
                     "password": "s3cret-watchdog-password", "every": 0.2},
    })
}

/// Services and where their alerts go; those meeting the echo or failing command
/// give up, the others retry.
const ROUTES: [(&str, &str, &str, bool); 15] = [
    ("via-webhook-closed", "webhook", "closed", false),
    ("via-webhook-busy", "webhook", "busy", false),
    ("via-webhook-echo", "webhook", "echo", true),
    (
        "via-pushover",
        "pushover",
        "uQiRzpo4DXghDmr9QzzfQu27cmVRsG",
        true,
    ),
    ("via-mail", "mail", "ops@example.com", false),
    ("via-slack", "slack", "ops", false),
    ("via-teams", "teams", "ops", false),
    ("via-discord", "discord", "ops", false),
    ("via-telegram", "telegram", "-100123", false),
    ("via-ntfy", "ntfy", "alerts", false),
    ("via-gotify", "gotify", "ops", true),
    ("via-matrix", "matrix", "!room:example.org", false),
    ("via-pagerduty", "pagerduty", "ops", true),
    ("via-opsgenie", "opsgenie", "ops", false),
    ("via-exec", "exec", "ops", true),
];

async fn text_of(server: &Server, path: &str, accept: &str) -> String {
    let answer = server
        .request(Method::GET, path)
        .header("Accept", accept)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK, "{path}");
    answer.text().await.unwrap()
}

/// The lines of `text` that show a secret, for the failure message.
fn leaks(what: &str, text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| line.contains(SECRET))
        .map(|line| format!("{what}: {line}"))
        .collect()
}

#[tokio::test]
async fn failed_deliveries_and_watchdog_beats_show_no_secret_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let closed = ReservedPort::hold();
    let busy = Receiver::start(&[500; 1000]).await;
    let echo = start_echo().await;
    let config = config(&closed, &busy.url, &echo);
    let server = Server::start_logging(dir.path(), config, "debug").await;
    for (service, alert_type, target, _) in ROUTES {
        server.pulse(service, alert_type, target, 0.1).await;
    }

    for (service, _, _, gives_up) in ROUTES {
        if gives_up {
            wait_for(&format!("{service} to give up"), async || {
                let events = server.events(&format!("?service={service}")).await;
                let failed = events
                    .iter()
                    .any(|e| e["message"].as_str().unwrap().contains("failed for good"));
                failed.then_some(())
            })
            .await;
        } else {
            let retried = format!("service=\"{service}\"");
            wait_for(&format!("{service} to fail twice"), async || {
                let log = server.log();
                let failures = log
                    .lines()
                    .filter(|line| line.contains("will retry") && line.contains(&retried));
                (failures.count() >= 2).then_some(())
            })
            .await;
        }
    }
    wait_for("two failed watchdog beats", async || {
        (server.log().matches("watchdog beat failed").count() >= 2).then_some(())
    })
    .await;

    let mut found = leaks("log", &server.log());
    for (accept, format) in [
        ("application/json", "JSON"),
        ("application/x-ndjson", "NDJSON"),
        ("text/csv", "CSV"),
    ] {
        let events = text_of(&server, "/list-events?limit=1000", accept).await;
        found.extend(leaks(&format!("events as {format}"), &events));
    }
    found.extend(leaks("services", &text_of(&server, "/", "*/*").await));
    for (service, _, _, _) in ROUTES {
        let history = format!("/service-history?service={service}");
        found.extend(leaks(&history, &text_of(&server, &history, "*/*").await));
    }
    assert!(found.is_empty(), "secrets shown:\n{}", found.join("\n"));
    // The log did say what went wrong, and where.
    let log = server.log();
    assert!(log.contains("Connection refused"), "{log}");
    assert!(log.contains(&closed.url()), "{log}");
    assert!(!PASSWORD.contains(SECRET));
}
