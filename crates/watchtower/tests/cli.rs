//! The command-line client (`watchtower pulse/cancel/services/event/events/run`)
//! run as a real process against the real server.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};
use support::{PASSWORD, Server};

fn cli(server: &Server, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args(args)
        .env("WATCHTOWER_URL", &server.url)
        .env("WATCHTOWER_PASSWORD", PASSWORD)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn server() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}}}),
    )
    .await;
    (dir, server)
}

#[tokio::test]
async fn pulse_event_and_list_in_every_format() {
    let (_dir, server) = server().await;
    a_pulse_sets_what_it_says_and_keeps_the_alert_it_does_not(&server);
    an_event_lists_as_csv_and_as_a_plain_table(&server);
    let services = stdout(&cli(&server, &["services"]));
    assert!(services.starts_with("SERVICE"), "{services}");
    services_are_filtered_by_prefix_and_status(&server);

    let cancelled = cli(&server, &["cancel", "backup"]);
    assert!(cancelled.status.success());
    let again = cli(&server, &["cancel", "backup"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("no service named `backup`"),
        "{}",
        stderr(&again)
    );
}

fn services_are_filtered_by_prefix_and_status(server: &Server) {
    for name in ["team-a/db", "team-b/db"] {
        let pulsed = cli(
            server,
            &["pulse", name, "--next-in", "5m", "--alert", "webhook:ops"],
        );
        assert!(pulsed.status.success(), "{}", stderr(&pulsed));
    }
    let listed = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["services", "--format", "json"];
        all.extend(args);
        let answer: Value = serde_json::from_str(&stdout(&cli(server, &all))).unwrap();
        let names = answer.as_array().unwrap().iter();
        names
            .map(|s| s["service"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(listed(&["--prefix", "team-"]), ["team-a/db", "team-b/db"]);
    assert_eq!(
        listed(&["--prefix", "team-a", "--status", "up,late"]),
        ["team-a/db"]
    );
    assert_eq!(
        listed(&["--prefix", "team-", "--status", "dead"]),
        Vec::<String>::new()
    );
    let wrong = cli(server, &["services", "--status", "gone"]);
    assert_eq!(wrong.status.code(), Some(2), "{}", stderr(&wrong));
    assert!(
        stderr(&wrong).contains("possible values"),
        "{}",
        stderr(&wrong)
    );
    for name in ["team-a/db", "team-b/db"] {
        assert!(cli(server, &["cancel", name]).status.success());
    }
}

/// `watchtower services --format json`, parsed.
fn services_as_json(server: &Server) -> Value {
    serde_json::from_str(&stdout(&cli(server, &["services", "--format", "json"]))).unwrap()
}

fn a_pulse_sets_what_it_says_and_keeps_the_alert_it_does_not(server: &Server) {
    let pulse = "pulse backup --next-in 5m --alert webhook:ops --remind-every 1h";
    let pulsed = cli(server, &pulse.split(' ').collect::<Vec<_>>());
    assert!(pulsed.status.success(), "{}", stderr(&pulsed));
    assert!(
        stdout(&pulsed).contains("backup") && stdout(&pulsed).contains("up"),
        "{}",
        stdout(&pulsed)
    );
    let services = services_as_json(server);
    assert_eq!(
        (
            services[0]["nextIn"].as_f64(),
            services[0]["remindEvery"].as_f64()
        ),
        (Some(300.0), Some(3600.0))
    );
    // Without --alert, a pulse keeps what the last one said.
    assert!(
        cli(server, &["pulse", "backup", "--next-in", "90"])
            .status
            .success()
    );
    let services = services_as_json(server);
    assert_eq!(
        (
            services[0]["nextIn"].as_f64(),
            services[0]["alertTarget"].as_str()
        ),
        (Some(90.0), Some("ops"))
    );
}

fn an_event_lists_as_csv_and_as_a_plain_table(server: &Server) {
    assert!(
        cli(
            server,
            &["event", "backup", "warning", "disk 91%, nearly full"]
        )
        .status
        .success()
    );
    let query = "events --service backup --level warning --format csv";
    let csv = stdout(&cli(server, &query.split(' ').collect::<Vec<_>>()));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,date,service,level,message,attributes");
    assert!(
        lines[1].ends_with(r#",backup,warning,"disk 91%, nearly full","#),
        "{csv}"
    );
    assert_eq!(lines.len(), 2);
    let table = stdout(&cli(server, &["events", "--limit", "1"]));
    assert_eq!(table.lines().count(), 1, "{table}");
    assert!(
        table.contains("warning") && !table.contains('\x1b'),
        "plain when piped: {table}"
    );

    let tagged = [
        "event",
        "backup",
        "error",
        "tagged",
        "--attr",
        "host=db-1",
        "--attr",
        "code=503",
        "--attr",
        "zip=007",
        "--attr",
        "dry=false",
    ];
    assert!(cli(server, &tagged).status.success());
    let filtered = "events --attr host=db-1 --attr code=503 --format csv";
    let csv = stdout(&cli(server, &filtered.split(' ').collect::<Vec<_>>()));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].ends_with(
            r#",backup,error,tagged,"{""code"":503,""dry"":false,""host"":""db-1"",""zip"":""007""}""#
        ),
        "typed as typed: {csv}"
    );
    let table = stdout(&cli(server, &["events", "--attr", "zip=007"]));
    assert!(
        table
            .trim_end()
            .ends_with("tagged  code=503  dry=false  host=db-1  zip=007"),
        "{table}"
    );
    let none = stdout(&cli(server, &["events", "--attr", "host=db-2"]));
    assert!(none.trim().is_empty(), "{none}");
    let bad = cli(
        server,
        &["event", "backup", "info", "m", "--attr", "novalue"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("`novalue` is not NAME=VALUE"),
        "{}",
        stderr(&bad)
    );
}

#[tokio::test]
async fn bad_input_and_bad_passwords_are_one_clear_line() {
    let (_dir, server) = server().await;
    let duration = cli(
        &server,
        &["pulse", "x", "--next-in", "5x", "--alert", "webhook:ops"],
    );
    assert_eq!(duration.status.code(), Some(2));
    assert!(
        stderr(&duration).contains("--next-in"),
        "{}",
        stderr(&duration)
    );
    let unknown = cli(&server, &["pulse", "fresh", "--next-in", "5m"]);
    assert!(
        stderr(&unknown).contains("--alert TYPE:TARGET"),
        "{}",
        stderr(&unknown)
    );
    let wrong = Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args(["services", "--url", &server.url, "--password", "wrong"])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(stderr(&wrong).lines().count(), 1, "{}", stderr(&wrong));
    assert!(stderr(&wrong).contains("authentication failed"));
}

/// `watchtower run --service nightly --next-in 1d [options] -- command…`.
fn run_nightly(server: &Server, options: &[&str], command: &[&str]) -> Output {
    let mut args = vec!["run", "--service", "nightly", "--next-in", "1d"];
    args.extend(options);
    args.push("--");
    args.extend(command);
    cli(server, &args)
}

#[tokio::test]
async fn run_signals_its_start_pulses_on_success_and_fails_the_service_at_once() {
    let (_dir, server) = server().await;
    let ok = run_nightly(
        &server,
        &["--alert", "webhook:ops"],
        &["sh", "-c", "echo all good"],
    );
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(
        stdout(&ok),
        "all good\n",
        "the command's output passes through"
    );
    let services = server.services().await;
    assert_eq!(services[0]["status"], "up");
    assert!(services[0].get("runningSince").is_none(), "the run is over");
    let pings = history(&server, "nightly").await;
    let told: Vec<(&str, &str)> = pings
        .iter()
        .map(|p| (p["kind"].as_str().unwrap(), p["source"].as_str().unwrap()))
        .collect();
    assert_eq!(told, [("pulse", "cli"), ("start", "cli")], "newest first");
    assert!(
        pings[0]["duration"].as_f64().unwrap() >= 0.0,
        "the run is timed"
    );
    assert!(
        pings[0]["userAgent"]
            .as_str()
            .unwrap()
            .starts_with("watchtower-cli/"),
        "{pings:?}"
    );

    let script = "echo step 1; echo 'no space left' >&2; exit 3";
    let failed = run_nightly(&server, &[], &["sh", "-c", script]);
    assert_eq!(failed.status.code(), Some(3), "the command's own status");
    assert_eq!(
        server.status_of("nightly").await.as_deref(),
        Some("dead"),
        "dead at once, not at the next deadline"
    );
    let pings = history(&server, "nightly").await;
    assert_eq!(
        (&pings[0]["kind"], &pings[1]["kind"]),
        (&json!("fail"), &json!("start"))
    );
    assert!(pings[0]["duration"].is_number(), "{pings:?}");
    assert!(pings[0]["body"].as_str().unwrap().contains("exit status 3"));
    let events = server.events("?service=nightly&level=error").await;
    let messages = error_messages(&events);
    assert!(
        messages.iter().any(|m| m.contains("exit status 3")
            && m.contains("no space left")
            && m.contains("step 1")),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"dead: its job reported a failure"),
        "{messages:?}"
    );

    a_killed_or_missing_program_is_recorded_with_its_status(&server).await;
    the_jobs_status_wins_over_an_unreachable_server();
}

async fn history(server: &Server, service: &str) -> Vec<Value> {
    let path = format!("/services/{service}/pings");
    let (status, pings) = server.send(axum::http::Method::GET, &path, None).await;
    assert_eq!(status, axum::http::StatusCode::OK, "{pings}");
    pings.as_array().unwrap().clone()
}

fn error_messages(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect()
}

async fn a_killed_or_missing_program_is_recorded_with_its_status(server: &Server) {
    let killed = run_nightly(server, &[], &["sh", "-c", "kill -9 $$"]);
    assert_eq!(killed.status.code(), Some(137));
    let missing = run_nightly(server, &[], &["/no/such/program"]);
    assert_eq!(missing.status.code(), Some(127));
    let events = server.events("?service=nightly&level=error").await;
    let messages = error_messages(&events);
    assert!(
        messages.iter().any(|m| m.contains("could not start")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("killed by signal 9")),
        "{messages:?}"
    );
    assert_eq!(server.status_of("nightly").await.as_deref(), Some("dead"));
}

fn the_jobs_status_wins_over_an_unreachable_server() {
    let closed = support::ReservedPort::hold();
    let unreachable = Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args([
            "run",
            "--url",
            &closed.url(),
            "--password",
            "p",
            "--service",
            "s",
            "--next-in",
            "1m",
            "--",
            "sh",
            "-c",
            "exit 4",
        ])
        .output()
        .unwrap();
    assert_eq!(
        unreachable.status.code(),
        Some(4),
        "the job's status wins over the server's absence"
    );
    assert!(
        stderr(&unreachable).contains("could not report the failure")
            && stderr(&unreachable).contains("cannot signal the start"),
        "{}",
        stderr(&unreachable)
    );
}

#[tokio::test]
async fn events_follow_prints_new_events_as_they_come() {
    let (_dir, server) = server().await;
    let mut follower = Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args(["events", "--follow", "--service", "web", "--format", "json"])
        .env("WATCHTOWER_URL", &server.url)
        .env("WATCHTOWER_PASSWORD", PASSWORD)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(follower.stdout.take().unwrap()).lines();
    // The stream may open after the first event: post until one shows.
    let reader = std::thread::spawn(move || lines.next().unwrap().unwrap());
    support::wait_for("a followed event", async || {
        cli(&server, &["event", "web", "error", "upstream timed out"]);
        reader.is_finished().then_some(())
    })
    .await;
    let line = reader.join().unwrap();
    let event: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(event["message"], "upstream timed out");
    follower.kill().unwrap();
    follower.wait().unwrap();
}
