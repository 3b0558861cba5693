//! PagerDuty, Opsgenie and exec: the exact requests the paging services get at a
//! local receiver standing in for them, and the commands run with the alert in
//! their environment and on their stdin.
#![allow(clippy::unwrap_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Receiver, Server, assert_stays, millis_of, wait_for};

const ROUTING_KEY: &str = "R0UT1NGKEY0123456789abcdefABCDEF";
const GENIE_KEY: &str = "eb243592-faa2-4ba2-a551q-1afdf565c889";

/// Fast retries so that tests take seconds; no digests, each alert goes out alone.
fn fast_alerts() -> Value {
    json!({"timeout": 2, "retryMin": 0.2, "retryMax": 1, "storm": {"enabled": false}})
}

async fn start(dir: &Path, channels: Value) -> Server {
    Server::start(dir, json!({"channels": channels, "alerts": fast_alerts()})).await
}

fn pagerduty(receiver: &Receiver) -> Value {
    json!({"pagerduty": {"url": format!("{}/v2/enqueue", receiver.url), "services": {"ops": ROUTING_KEY}}})
}

#[tokio::test]
async fn pagerduty_death_triggers_an_incident_that_the_recovery_resolves() {
    let receiver = Receiver::start(&[202, 202]).await;
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), pagerduty(&receiver)).await;
    let pulsed = server.pulse("backup", "pagerduty", "ops", 0.2).await;

    let trigger = &receiver.wait_for_requests(1).await[0];
    assert_eq!(
        (trigger.method.clone(), trigger.path.as_str()),
        (Method::POST, "/v2/enqueue")
    );
    assert_eq!(trigger.headers["content-type"], "application/json");
    let body = trigger.json();
    let dedup_key = format!("watchtower/backup/{}", millis_of(&pulsed["deadline"]));
    assert_eq!(body["routing_key"], ROUTING_KEY);
    assert_eq!(body["event_action"], "trigger");
    assert_eq!(body["dedup_key"], dedup_key.as_str());
    assert_eq!(body["client"], "Watchtower");
    let payload = &body["payload"];
    assert_eq!(payload["summary"], "backup is DOWN");
    assert_eq!(payload["source"], "watchtower");
    assert_eq!(payload["severity"], "critical");
    assert!(millis_of(&payload["timestamp"]) >= millis_of(&pulsed["deadline"]));
    let details = &payload["custom_details"];
    assert_eq!(
        (details["status"].as_str(), details["kind"].as_str()),
        (Some("dead"), Some("down"))
    );
    assert!(
        details["message"]
            .as_str()
            .unwrap()
            .contains("missed its deadline"),
        "{details}"
    );

    server.pulse("backup", "pagerduty", "ops", 60.0).await;
    let resolve = receiver.wait_for_requests(2).await[1].json();
    assert_eq!(
        resolve,
        json!({"routing_key": ROUTING_KEY, "event_action": "resolve", "dedup_key": dedup_key})
    );
}

#[tokio::test]
async fn pagerduty_retries_a_503_but_not_a_400() {
    let receiver = Receiver::start(&[400, 503]).await;
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), pagerduty(&receiver)).await;

    server.pulse("rejected", "pagerduty", "ops", 0.1).await;
    receiver.wait_for_requests(1).await;
    assert_stays("a 400 is not retried", Duration::from_millis(1200), || {
        receiver.received().len() == 1
    })
    .await;

    server.pulse("flaky", "pagerduty", "ops", 0.1).await;
    let requests = receiver.wait_for_requests(3).await;
    assert_eq!(
        requests[1].json(),
        requests[2].json(),
        "the retry sends the same event"
    );
    assert_eq!(requests[2].json()["payload"]["summary"], "flaky is DOWN");
    assert_stays(
        "no delivery after the one that succeeded",
        Duration::from_millis(1200),
        || receiver.received().len() == 3,
    )
    .await;
}

#[tokio::test]
async fn opsgenie_death_creates_an_alert_that_the_recovery_closes() {
    let receiver = Receiver::start(&[202, 202]).await;
    let dir = tempfile::tempdir().unwrap();
    let channels = json!({"opsgenie": {"url": receiver.url, "keys": {"ops": GENIE_KEY}}});
    let server = start(dir.path(), channels).await;
    let pulsed = server.pulse("db-backup", "opsgenie", "ops", 0.2).await;

    let create = &receiver.wait_for_requests(1).await[0];
    assert_eq!(
        (create.method.clone(), create.path.as_str()),
        (Method::POST, "/v2/alerts")
    );
    let authorization = format!("GenieKey {GENIE_KEY}");
    assert_eq!(create.headers["authorization"], authorization.as_str());
    let body = create.json();
    let alias = format!("watchtower/db-backup/{}", millis_of(&pulsed["deadline"]));
    assert_eq!(body["message"], "db-backup is DOWN");
    assert_eq!(body["alias"], alias.as_str());
    assert_eq!(body["priority"], "P1");
    assert_eq!(body["source"], "watchtower");
    assert_eq!(body["tags"], json!(["watchtower", "down"]));
    assert_eq!(
        body["details"],
        json!({"service": "db-backup", "status": "dead"})
    );
    assert!(
        body["description"]
            .as_str()
            .unwrap()
            .contains("Last pulse:"),
        "{body}"
    );

    server.pulse("db-backup", "opsgenie", "ops", 60.0).await;
    let close = &receiver.wait_for_requests(2).await[1];
    assert_eq!(close.method, Method::POST);
    assert_eq!(
        close.path,
        format!(
            "/v2/alerts/{}/close?identifierType=alias",
            alias.replace('/', "%2F")
        )
    );
    assert_eq!(close.headers["authorization"], authorization.as_str());
    let body = close.json();
    assert_eq!(body["source"], "watchtower");
    assert!(
        body["note"].as_str().unwrap().contains("pulsed again"),
        "{body}"
    );
}

/// Writes an executable `sh` script into `dir` and returns its path.
fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_owned()
}

/// How many lines `path` holds (0 while it does not exist).
fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |text| text.lines().count())
}

#[tokio::test]
async fn exec_runs_the_command_with_the_alert_in_its_environment_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // Each variable to a file of its own: the message spans several lines.
    let record = script(
        dir.path(),
        "record.sh",
        r#"for name in ALERT_ID KIND SERVICE STATUS TITLE MESSAGE DOWN_SINCE; do
  eval "printf '%s' \"\$WATCHTOWER_$name\"" > "$1/$name"
done
cat > "$1/stdin.json"
echo done > "$1/done""#,
    );
    let channels =
        json!({"exec": {"commands": {"record": {"command": [record, out.to_str().unwrap()]}}}});
    let server = start(dir.path(), channels).await;
    let pulsed = server.pulse("cron", "exec", "record", 0.2).await;

    wait_for("the command to run", async || {
        out.join("done").exists().then_some(())
    })
    .await;
    let var = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let stdin: Value = serde_json::from_str(&var("stdin.json")).unwrap();
    assert_eq!(
        var("ALERT_ID"),
        stdin["alertId"].as_i64().unwrap().to_string()
    );
    assert_eq!(
        [var("KIND"), var("SERVICE"), var("STATUS"), var("TITLE")],
        ["down", "cron", "dead", "cron is DOWN"]
    );
    assert!(var("MESSAGE").contains("\nDue: "), "{}", var("MESSAGE"));
    assert_eq!(
        millis_of(&json!(var("DOWN_SINCE"))),
        millis_of(&pulsed["deadline"])
    );

    assert_eq!(
        (stdin["kind"].as_str(), stdin["service"].as_str()),
        (Some("down"), Some("cron"))
    );
    assert_eq!(
        (stdin["status"].as_str(), stdin["title"].as_str()),
        (Some("dead"), Some("cron is DOWN"))
    );
    assert_eq!(stdin["lastPulse"], pulsed["lastPulse"]);
    assert_eq!(stdin["deadline"], pulsed["deadline"]);
    assert_eq!(
        millis_of(&stdin["downSince"]),
        millis_of(&pulsed["deadline"])
    );
    assert!(
        stdin["message"]
            .as_str()
            .unwrap()
            .contains("missed its deadline")
    );
    assert!(stdin["details"].is_object(), "{stdin}");
}

#[tokio::test]
async fn exec_status_75_is_retried_and_any_other_failure_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let tempfail = script(
        dir.path(),
        "tempfail.sh",
        r#"echo run >> "$1/tempfail-runs"
[ -e "$1/tempfailed" ] && exit 0
touch "$1/tempfailed"
exit 75"#,
    );
    let broken = script(
        dir.path(),
        "broken.sh",
        r#"echo run >> "$1/broken-runs"
echo "no route to the pager" >&2
exit 1"#,
    );
    let here = dir.path().to_str().unwrap();
    let channels = json!({"exec": {"commands": {
        "tempfail": {"command": [tempfail, here]},
        "broken": {"command": [broken, here]},
    }}});
    let server = start(dir.path(), channels).await;
    server.pulse("busy", "exec", "tempfail", 0.1).await;
    server.pulse("doomed", "exec", "broken", 0.1).await;

    let (tempfail_runs, broken_runs) = (
        dir.path().join("tempfail-runs"),
        dir.path().join("broken-runs"),
    );
    wait_for("the retry after exit 75", async || {
        (lines(&tempfail_runs) >= 2).then_some(())
    })
    .await;
    wait_for("the broken command to run", async || {
        (lines(&broken_runs) >= 1).then_some(())
    })
    .await;
    assert_stays(
        "the retry succeeded and exit 1 gave up",
        Duration::from_millis(1200),
        || lines(&tempfail_runs) == 2 && lines(&broken_runs) == 1,
    )
    .await;
}

#[tokio::test]
async fn exec_command_past_its_timeout_is_killed_and_retried() {
    let dir = tempfile::tempdir().unwrap();
    // `exec`, so that the process the server kills is the sleeper itself.
    let sleepy = script(
        dir.path(),
        "sleepy.sh",
        r#"echo $$ >> "$1/pids"
[ -e "$1/slept" ] && exit 0
touch "$1/slept"
exec sleep 30"#,
    );
    let here = dir.path().to_str().unwrap();
    let channels =
        json!({"exec": {"commands": {"sleepy": {"command": [sleepy, here], "timeout": 0.5}}}});
    let server = start(dir.path(), channels).await;
    server.pulse("slow", "exec", "sleepy", 0.1).await;

    let pids = dir.path().join("pids");
    wait_for("the retry after the timeout", async || {
        (lines(&pids) >= 2).then_some(())
    })
    .await;
    let first = std::fs::read_to_string(&pids).unwrap();
    let first = first.lines().next().unwrap().to_owned();
    wait_for("the first run to be killed", async || {
        let alive = std::process::Command::new("kill")
            .args(["-0", &first])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
            .success();
        (!alive).then_some(())
    })
    .await;
    assert_stays("the retry succeeded", Duration::from_millis(800), || {
        lines(&pids) == 2
    })
    .await;
}

#[tokio::test]
async fn unknown_targets_are_rejected_naming_alert_target() {
    let dir = tempfile::tempdir().unwrap();
    let channels = json!({
        "pagerduty": {"url": "http://127.0.0.1:9/", "services": {"ops": ROUTING_KEY}},
        "opsgenie": {"url": "http://127.0.0.1:9", "keys": {"ops": GENIE_KEY}},
        "exec": {"commands": {"page": {"command": ["/bin/true"]}}},
    });
    let server = start(dir.path(), channels).await;
    for (alert_type, expected) in [
        ("pagerduty", "no PagerDuty service named `/usr/bin/id`"),
        ("opsgenie", "no Opsgenie API key named `/usr/bin/id`"),
        ("exec", "no exec command named `/usr/bin/id`"),
    ] {
        let body = json!({"service": "s", "alertType": alert_type, "alertTarget": "/usr/bin/id", "nextIn": 5});
        let (status, answer) = server.send(Method::POST, "/", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{alert_type}");
        let error = answer["error"].as_str().unwrap();
        assert!(
            error.starts_with("alertTarget:") && error.contains(expected),
            "{error}"
        );
        assert!(
            !error.contains(ROUTING_KEY) && !error.contains(GENIE_KEY),
            "{error}"
        );
    }
    assert!(server.services().await.is_empty());
}
