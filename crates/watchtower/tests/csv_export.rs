//! The CSV export of `/list-events` cannot carry a formula into a spreadsheet: a
//! service or message starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return is exported as text (a `'` before it, inside quotes). NDJSON stays verbatim.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::server;

/// Messages a spreadsheet would run, and how each is exported.
const FORMULAS: [(&str, &str); 6] = [
    (
        r#"=HYPERLINK("http://evil","x")"#,
        r#""'=HYPERLINK(""http://evil"",""x"")""#,
    ),
    ("+1+cmd|' /C calc'!A0", "\"'+1+cmd|' /C calc'!A0\""),
    ("-2+3", "\"'-2+3\""),
    (
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\"'@SUM(1+1)*cmd|' /C calc'!A0\"",
    ),
    ("\t=1+1", "\"'\t=1+1\""),
    ("\r=1+1", "\"'\r=1+1\""),
];

async fn export(server: &support::Server, accept: &str) -> String {
    let response = server
        .request(Method::GET, "/list-events?order=asc")
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

#[tokio::test]
async fn cells_a_spreadsheet_would_run_are_exported_as_text() {
    let (_dir, server) = server().await;
    let mut expected = Vec::new();
    for (message, cell) in FORMULAS {
        let event = json!({"service": "web", "level": "error", "message": message});
        let (status, answer) = server.send(Method::POST, "/add-event", Some(event)).await;
        // A server may refuse a control character at the door; what it keeps is exported safely.
        if status.is_success() {
            expected.push((message, format!(",web,error,{cell},")));
        } else {
            assert!(answer["error"].is_string(), "{status} {answer}");
        }
    }
    let event = json!({"service": "=cmd|' /C calc'!A0", "level": "info", "message": "a=b, fine"});
    let (status, answer) = server.send(Method::POST, "/add-event", Some(event)).await;
    assert!(status.is_success(), "{answer}");
    assert!(expected.len() >= 4, "the printable formulas are all kept");

    let csv = export(&server, "text/csv").await;
    let rows: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(rows[0], "id,date,service,level,message,attributes");
    for (index, (message, ending)) in expected.iter().enumerate() {
        assert!(rows[index + 1].ends_with(ending), "{message:?}: {csv:?}");
    }
    let service_row = rows[expected.len() + 1];
    assert!(
        service_row.ends_with(r#","'=cmd|' /C calc'!A0",info,"a=b, fine","#),
        "{service_row:?}"
    );

    let ndjson = export(&server, "application/x-ndjson").await;
    let messages: Vec<String> = ndjson
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .map(|event| event["message"].as_str().unwrap().to_owned())
        .collect();
    let kept: Vec<&str> = expected.iter().map(|(message, _)| *message).collect();
    assert_eq!(messages[..kept.len()], kept, "NDJSON exports them verbatim");
}

#[tokio::test]
async fn the_command_line_clients_csv_is_as_safe() {
    let (_dir, server) = server().await;
    let event = json!({"service": "@web", "level": "error", "message": FORMULAS[0].0});
    let (status, answer) = server.send(Method::POST, "/add-event", Some(event)).await;
    assert!(status.is_success(), "{answer}");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args(["events", "--format", "csv"])
        .env("WATCHTOWER_URL", &server.url)
        .env("WATCHTOWER_PASSWORD", support::PASSWORD)
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{csv}");
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.ends_with(&format!(",\"'@web\",error,{},", FORMULAS[0].1)),
        "{csv}"
    );
}
