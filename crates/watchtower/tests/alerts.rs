//! Death and recovery alerts, delivered to a real SMTP server and to local HTTP
//! receivers that check the exact requests Pushover and webhooks get.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Receiver, ReservedPort, Server, SmtpSink, assert_stays, wait_for};

const PUSHOVER_USER: &str = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG";
/// Fast retries so that tests take seconds.
fn fast_alerts() -> Value {
    json!({"timeout": 2, "retryMin": 0.2, "retryMax": 1})
}

fn mail_config(port: u16) -> Value {
    json!({"host": "127.0.0.1", "port": port, "security": "none", "from": "Watchtower <watchtower@example.com>"})
}

async fn wait_for_status(server: &Server, service: &str, status: &str) {
    wait_for(&format!("{service} to be {status}"), async || {
        (server.status_of(service).await.as_deref() == Some(status)).then_some(())
    })
    .await;
}

/// Mail deliveries that failed and are to be retried, as `/metrics` counts them.
async fn failed_mail_attempts(server: &Server) -> u64 {
    let metrics = reqwest::get(format!("{}/metrics", server.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let counter = r#"watchtower_alert_deliveries_total{channel="mail",outcome="retried"} "#;
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(counter))
        .map_or(0, |count| count.parse().unwrap())
}

#[tokio::test]
async fn a_missed_deadline_mails_once_and_a_new_pulse_mails_the_recovery() {
    let smtp = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        json!({"mail": mail_config(smtp.port()), "alerts": fast_alerts()}),
    )
    .await;
    let pulsed = server.pulse("backup", "mail", "ops@example.com", 0.3).await;

    wait_for_status(&server, "backup", "dead").await;
    let mails = smtp.wait_for_messages(1).await;
    assert_eq!(mails[0]["to"], json!(["ops@example.com"]));
    assert_eq!(mails[0]["from"], "watchtower@example.com");
    let data = mails[0]["data"].as_str().unwrap();
    assert!(
        data.contains("Subject: [watchtower] backup is DOWN"),
        "{data}"
    );
    assert!(
        data.contains(pulsed["lastPulse"].as_str().unwrap()),
        "says when it last pulsed: {data}"
    );
    assert!(
        data.contains(pulsed["deadline"].as_str().unwrap()),
        "says when it was due: {data}"
    );
    let death = &server.events("?service=backup").await[0];
    assert_eq!(death["level"], "error");
    assert!(
        death["message"]
            .as_str()
            .unwrap()
            .contains("missed its deadline")
    );
    assert_stays(
        "exactly one death alert",
        Duration::from_millis(800),
        || smtp.messages().len() == 1,
    )
    .await;

    let answer = server
        .pulse("backup", "mail", "ops@example.com", 60.0)
        .await;
    assert_eq!(answer["status"], "up");
    let mails = smtp.wait_for_messages(2).await;
    let data = mails[1]["data"].as_str().unwrap();
    assert!(
        data.contains("Subject: [watchtower] backup is UP again"),
        "{data}"
    );
    let recovery = &server.events("?service=backup").await[0];
    assert_eq!(recovery["level"], "info");
    assert!(
        recovery["message"]
            .as_str()
            .unwrap()
            .starts_with("recovered")
    );
    assert_stays("no further mail", Duration::from_millis(500), || {
        smtp.messages().len() == 2
    })
    .await;
}

#[tokio::test]
async fn mail_goes_over_starttls_or_implicit_tls_to_a_relay_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert, key) = (dir.path().join("smtp.crt"), dir.path().join("smtp.key"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    for security in ["starttls", "tls"] {
        let smtp = SmtpSink::start_with(&[security, cert.to_str().unwrap(), key.to_str().unwrap()]);
        let mail = json!({"host": "localhost", "port": smtp.port(), "security": security, "from": "wt@example.com", "caCert": cert});
        let data = dir.path().join(security);
        let server = Server::start(
            dir.path(),
            json!({"mail": mail, "alerts": fast_alerts(), "dataDir": data}),
        )
        .await;
        server.pulse("secure", "mail", "ops@example.com", 0.1).await;
        let mails = smtp.wait_for_messages(1).await;
        assert!(
            mails[0]["data"]
                .as_str()
                .unwrap()
                .contains("secure is DOWN"),
            "{security}"
        );
    }
}

#[tokio::test]
async fn pushover_gets_the_form_its_api_takes() {
    let pushover = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"pushover": {"token": "azGDORePK8gMaC0QOYAMyEEuzJnyUi", "url": format!("{}/1/messages.json", pushover.url)}, "alerts": fast_alerts()});
    let server = Server::start(dir.path(), config).await;
    server
        .pulse("nightly", "pushover", PUSHOVER_USER, 0.2)
        .await;
    let requests = pushover.wait_for_requests(1).await;
    let request = &requests[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/1/messages.json");
    assert_eq!(
        request.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let form = request.form();
    let keys: Vec<&str> = form.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(keys, ["token", "user", "title", "message"]);
    assert_eq!(form[0].1, "azGDORePK8gMaC0QOYAMyEEuzJnyUi");
    assert_eq!(form[1].1, PUSHOVER_USER);
    assert_eq!(form[2].1, "nightly is DOWN");
    assert!(form[3].1.contains("Last pulse:"), "{}", form[3].1);
}

#[tokio::test]
async fn webhooks_get_json_with_their_configured_headers_and_recover() {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": format!("{}/alerts?src=wt", hook.url), "headers": {"Authorization": "Bearer abc", "X-Team": "infra"}}},
        "alerts": fast_alerts()
    });
    let server = Server::start(dir.path(), config).await;
    let pulsed = server.pulse("etl", "webhook", "ops", 0.2).await;
    let requests = hook.wait_for_requests(1).await;
    let request = &requests[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/alerts?src=wt");
    assert_eq!(request.headers["authorization"], "Bearer abc");
    assert_eq!(request.headers["x-team"], "infra");
    assert_eq!(request.headers["content-type"], "application/json");
    let body = request.json();
    assert_eq!(body["service"], "etl");
    assert_eq!(body["status"], "dead");
    assert_eq!(body["lastPulse"], pulsed["lastPulse"]);
    assert_eq!(body["deadline"], pulsed["deadline"]);
    assert!(body["message"].as_str().unwrap().contains("etl is DOWN"));
    assert!(body["alertId"].is_i64());

    server.pulse("etl", "webhook", "ops", 60.0).await;
    let requests = hook.wait_for_requests(2).await;
    let body = requests[1].json();
    assert_eq!(body["status"], "up");
    assert_ne!(body["alertId"], requests[0].json()["alertId"]);
}

#[tokio::test]
async fn failed_deliveries_are_retried_until_they_succeed() {
    let pushover = Receiver::start(&[500, 429, 503]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"pushover": {"token": "azGDORePK8gMaC0QOYAMyEEuzJnyUi", "url": pushover.url}, "alerts": fast_alerts()});
    let server = Server::start(dir.path(), config).await;
    server.pulse("flaky", "pushover", PUSHOVER_USER, 0.1).await;
    let requests = pushover.wait_for_requests(4).await;
    assert!(
        requests.iter().all(|r| r.form() == requests[0].form()),
        "every retry sends the same alert"
    );
    assert_stays(
        "no delivery after the one that succeeded",
        Duration::from_millis(1500),
        || pushover.received().len() == 4,
    )
    .await;
}

#[tokio::test]
async fn a_permanent_error_stops_the_retries() {
    let pushover = Receiver::start(&[400, 400, 400]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"pushover": {"token": "azGDORePK8gMaC0QOYAMyEEuzJnyUi", "url": pushover.url}, "alerts": fast_alerts()});
    let server = Server::start(dir.path(), config).await;
    server
        .pulse("bad-token", "pushover", PUSHOVER_USER, 0.1)
        .await;
    pushover.wait_for_requests(1).await;
    assert_stays("a 400 is not retried", Duration::from_millis(1500), || {
        pushover.received().len() == 1
    })
    .await;
}

#[tokio::test]
async fn mail_is_retried_until_the_smtp_server_comes_up() {
    // Held, so that nothing listens there until the sink comes up on it.
    let smtp_port = ReservedPort::hold();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        json!({"mail": mail_config(smtp_port.port()), "alerts": fast_alerts()}),
    )
    .await;
    server.pulse("late", "mail", "ops@example.com", 0.1).await;
    wait_for_status(&server, "late", "dead").await;
    wait_for("an attempt to fail against the closed port", async || {
        (failed_mail_attempts(&server).await >= 1).then_some(())
    })
    .await;
    let smtp = SmtpSink::start_on(smtp_port);
    let mails = smtp.wait_for_messages(1).await;
    assert!(mails[0]["data"].as_str().unwrap().contains("late is DOWN"));
    assert_stays(
        "one mail, not one per failed attempt",
        Duration::from_millis(1200),
        || smtp.messages().len() == 1,
    )
    .await;
}

#[tokio::test]
async fn a_cancelled_service_never_alerts() {
    let hook = Receiver::start(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": hook.url}}, "alerts": fast_alerts()});
    let server = Server::start(dir.path(), config).await;
    server.pulse("retired", "webhook", "ops", 0.4).await;
    let (status, _) = server
        .send(Method::DELETE, "/", Some(json!({"service": "retired"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_stays(
        "no alert for a cancelled service",
        Duration::from_millis(1200),
        || hook.received().is_empty(),
    )
    .await;
    assert!(server.services().await.is_empty());
}

#[tokio::test]
async fn alert_targets_are_validated_against_the_configured_channels() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": "http://127.0.0.1:9/"}},
        "mail": mail_config(9),
        "pushover": {"token": "azGDORePK8gMaC0QOYAMyEEuzJnyUi"}
    });
    let server = Server::start(dir.path(), config).await;
    for (alert_type, target, expected) in [
        (
            "webhook",
            "http://169.254.169.254/latest",
            "no webhook named",
        ),
        ("mail", "not-an-address", "not an e-mail address"),
        ("pushover", "short", "30 letters and digits"),
    ] {
        let body =
            json!({"service": "s", "alertType": alert_type, "alertTarget": target, "nextIn": 5});
        let (status, answer) = server.send(Method::POST, "/", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let error = answer["error"].as_str().unwrap();
        assert!(
            error.starts_with("alertTarget:") && error.contains(expected),
            "{error}"
        );
    }
    assert!(server.services().await.is_empty());
}
