//! `POST /v1/logs` over real HTTP: the OpenTelemetry Python SDK's OTLP/HTTP
//! exporter (protobuf, gzip) and the same records as OTLP JSON are read back as
//! events; a partial success names what could not be stored; bad requests are
//! refused as OTLP says and store nothing.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::Write;
use std::process::Command;

use axum::http::{Method, StatusCode};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use prost::Message;
use serde_json::{Value, json};
use support::{Server, messages, server};

const SENDER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/otel/send_logs.py");

/// Runs the Python sender in `mode` for `service`; returns what it printed.
fn send_with_the_sdk(server: &Server, mode: &str, service: &str) -> String {
    let output = Command::new("python3")
        .args([SENDER, mode, &server.url, support::PASSWORD, service])
        .output()
        .expect("python3 is required");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the OpenTelemetry SDK sender failed (scripts/test installs opentelemetry-sdk and \
         opentelemetry-exporter-otlp-proto-http): {stderr}"
    );
    assert!(
        !stderr.contains("Failed to export"),
        "the exporter reported a failure: {stderr}"
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_the_five_logs(events: &[Value], service: &str) {
    assert_eq!(
        messages(events),
        [
            "cache warmed",
            "order placed",
            "stock low",
            "payment failed",
            "ledger out of balance"
        ],
        "{events:?}"
    );
    let levels: Vec<&str> = events
        .iter()
        .map(|e| e["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["debug", "info", "warning", "error", "critical"]);
    for event in events {
        assert_eq!(event["service"], service);
        let attributes = &event["attributes"];
        assert_eq!(
            attributes["host.name"], "web-1",
            "resource attributes: {event}"
        );
        assert_eq!(attributes["service.version"], "1.4.2");
        assert_eq!(attributes["telemetry.sdk.language"], "python");
        assert!(
            attributes.get("service.name").is_none(),
            "the service is the service"
        );
    }
    assert_eq!(
        events[1]["attributes"]["order.id"], 42,
        "log attributes keep their types"
    );
    assert_eq!(events[1]["attributes"]["customer"], "c-9");
    assert_eq!(events[2]["attributes"]["left"], 2.5);
    assert_eq!(events[3]["attributes"]["retry"], true);
}

#[tokio::test]
async fn the_opentelemetry_sdk_sends_logs_in_protobuf_and_in_json() {
    let (_dir, server) = server().await;
    send_with_the_sdk(&server, "protobuf", "checkout");
    let stored = server.events("?service=checkout&order=asc").await;
    assert_the_five_logs(&stored, "checkout");
    // Filtered by what the SDK sent as attributes.
    let found = server
        .events("?attr.order.id=42&attr.host.name=web-1")
        .await;
    assert_eq!(messages(&found), ["order placed"]);

    let answer = send_with_the_sdk(&server, "json", "checkout-json");
    assert_eq!(answer.trim(), "200 application/json {}", "a full success");
    let stored = server.events("?service=checkout-json&order=asc").await;
    assert_the_five_logs(&stored, "checkout-json");
}

fn record(body: Value, severity: u8) -> Value {
    json!({"severityNumber": severity, "body": body})
}

fn logs(service: &str, records: Vec<Value>) -> Value {
    json!({"resourceLogs": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
        "scopeLogs": [{"scope": {"name": "test"}, "logRecords": records}]
    }]})
}

async fn post(
    server: &Server,
    content_type: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> reqwest::Response {
    let mut request = server
        .request(Method::POST, "/v1/logs")
        .header("content-type", content_type)
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn records_that_cannot_be_events_are_a_partial_success() {
    let (_dir, server) = server().await;
    let body = logs(
        "batch",
        vec![
            record(json!({"stringValue": "x".repeat(70_000)}), 9),
            record(
                json!({"kvlistValue": {"values": [{"key": "rows", "value": {"intValue": "12"}}]}}),
                13,
            ),
            json!({"severityText": "FATAL", "eventName": "disk.full"}),
        ],
    );
    let response = post(
        &server,
        "application/json",
        &[],
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    let partial = &answer["partialSuccess"];
    assert_eq!(partial["rejectedLogRecords"], 1, "{answer}");
    let problem = partial["errorMessage"].as_str().unwrap();
    assert!(
        problem.starts_with("log record 0 of service `batch`: message: must be at most"),
        "{problem}"
    );

    let stored = server.events("?service=batch&order=asc").await;
    assert_eq!(messages(&stored), [r#"{"rows":12}"#, "disk.full"]);
    assert_eq!(stored[0]["level"], "warning");
    assert_eq!(
        stored[1]["level"], "critical",
        "by its text when the number is unset"
    );
}

/// A Status of google.rpc, as a protobuf request's error comes back.
#[derive(Clone, PartialEq, Message)]
struct Status {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

/// Content-Type, other headers, body; the status and the error it starts with.
type RefusalCase<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    Vec<u8>,
    StatusCode,
    &'a str,
);

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn bad_requests_are_refused_as_otlp_says_and_store_nothing() {
    let (_dir, server) = server().await;
    let valid: ExportLogsServiceRequest = serde_json::from_value(logs(
        "bad",
        vec![record(json!({"stringValue": "hello"}), 9)],
    ))
    .unwrap();
    let protobuf = valid.encode_to_vec();
    let json_body = logs("bad", vec![record(json!({"stringValue": "hello"}), 9)]).to_string();

    // A protobuf request's errors are google.rpc.Status in protobuf.
    let truncated = protobuf[..protobuf.len() - 3].to_vec();
    let response = post(&server, "application/x-protobuf", &[], truncated).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["content-type"], "application/x-protobuf");
    let status = Status::decode(response.bytes().await.unwrap()).unwrap();
    assert_eq!(status.code, 3, "INVALID_ARGUMENT");
    assert!(
        status
            .message
            .starts_with("body: not an OTLP logs request in protobuf"),
        "{}",
        status.message
    );

    let cases: Vec<RefusalCase> = vec![
        (
            "text/plain",
            vec![],
            json_body.clone().into_bytes(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type: OTLP logs are",
        ),
        (
            "application/json",
            vec![],
            b"\x00\x01garbage".to_vec(),
            StatusCode::BAD_REQUEST,
            "body: not an OTLP logs request in JSON",
        ),
        (
            "application/json",
            vec![("content-encoding", "gzip")],
            json_body.clone().into_bytes(),
            StatusCode::BAD_REQUEST,
            "body: not valid gzip",
        ),
        (
            "application/json",
            vec![("content-encoding", "br")],
            json_body.clone().into_bytes(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Encoding: `br`",
        ),
        // 17 MiB of nothing in a few kilobytes: inflated no further than the bound.
        (
            "application/json",
            vec![("content-encoding", "gzip")],
            gzip(&vec![b' '; 17 << 20]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body is larger than",
        ),
    ];
    for (content_type, headers, body, expected, error) in cases {
        let response = post(&server, content_type, &headers, body).await;
        assert_eq!(response.status(), expected, "{content_type} {headers:?}");
        let answer: Value = response.json().await.unwrap();
        let text = answer["error"].as_str().unwrap();
        assert!(
            text.starts_with(error),
            "{content_type} {headers:?}: {text}"
        );
    }

    let too_many = logs("bad", vec![record(json!({"stringValue": "x"}), 9); 10_001]);
    let response = post(
        &server,
        "application/json",
        &[("content-encoding", "gzip")],
        gzip(too_many.to_string().as_bytes()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let answer: Value = response.json().await.unwrap();
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("at most 10000 log records"),
        "{answer}"
    );

    let anonymous = reqwest::Client::new()
        .post(format!("{}/v1/logs", server.url))
        .header("content-type", "application/x-protobuf")
        .body(protobuf.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    assert!(server.events("").await.is_empty(), "nothing was stored");
    let response = post(&server, "application/x-protobuf", &[], protobuf).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/x-protobuf");
    let body = response.bytes().await.unwrap();
    assert!(
        body.is_empty(),
        "a full success is an empty ExportLogsServiceResponse"
    );
    assert_eq!(messages(&server.events("").await), ["hello"]);
}
