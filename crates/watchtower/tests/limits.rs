//! Bounds on what a client can make the server do: time, headers, hostile bodies.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::Method;
use serde_json::{Value, json};
use support::{PASSWORD, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn connect(server: &Server) -> TcpStream {
    TcpStream::connect(server.url.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection (bounded by the test harness's patience).
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(support::PATIENCE, stream.read_to_end(&mut answer))
        .await
        .expect("the server never closed")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_body_that_never_arrives_gets_408_after_the_request_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), json!({"limits": {"requestTimeout": 0.5}})).await;
    let mut stream = connect(&server).await;
    let head = format!(
        "POST /add-event HTTP/1.1\r\nhost: x\r\npassword: {PASSWORD}\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{{\"serv"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains(r#"{"error":"request took longer than 500ms"}"#),
        "{answer}"
    );
    assert!(server.events("").await.is_empty());
}

#[tokio::test]
async fn a_request_head_that_never_ends_is_cut_off_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), json!({"limits": {"headerTimeout": 0.5}})).await;
    let mut stream = connect(&server).await;
    stream
        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nx-slow: ")
        .await
        .unwrap();
    let answer = read_to_close(&mut stream).await;
    assert!(!answer.contains("200 OK"), "{answer}");
    assert!(
        server.services().await.is_empty(),
        "the server still serves others"
    );
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), json!({"limits": {"headerTimeout": 0.5}})).await;
    let mut stream = connect(&server).await;
    assert_eq!(
        read_to_close(&mut stream).await,
        "",
        "closed without a word"
    );
}

#[tokio::test]
async fn hostile_input_never_gets_a_server_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}}),
    )
    .await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!(
        "{{\"service\": {}1{}}}",
        "{\"a\":".repeat(5_000),
        "}".repeat(5_000)
    );
    let bodies: Vec<Vec<u8>> = vec![
        deep.into_bytes(),
        deep_object.into_bytes(),
        br#"{"service": "s", "alertType": "webhook", "alertTarget": "ops", "nextIn": 1e400}"#
            .to_vec(),
        br#"{"service": "s", "alertType": "webhook", "alertTarget": "ops", "nextIn": 1e308}"#
            .to_vec(),
        br#"{"service": "s", "alertType": "webhook", "alertTarget": "ops", "nextIn": 5e-324}"#
            .to_vec(),
        br#"{"service": "s\u0000", "level": "info", "message": "m"}"#.to_vec(),
        br#"{"service": "s", "level": "info", "message": "nul \u0000 inside"}"#.to_vec(),
        br#"{"service": "\ud800", "level": "info", "message": "m"}"#.to_vec(),
        b"{\"service\": \"\xff\xfe\", \"level\": \"info\", \"message\": \"m\"}".to_vec(),
        br#"{"service": "s", "service": "t", "level": "info", "message": "m"}"#.to_vec(),
        b"\x00\x01\x02".to_vec(),
        Vec::new(),
    ];
    for path in ["/", "/add-event", "/add-events"] {
        for method in [Method::POST, Method::DELETE] {
            for body in &bodies {
                let response = server
                    .request(method.clone(), path)
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let answer: Value = response.json().await.unwrap();
                assert!(
                    status.is_client_error() || status.is_success(),
                    "{method} {path} {:?}: {status}",
                    String::from_utf8_lossy(&body[..body.len().min(60)])
                );
                if !status.is_success() {
                    assert!(answer["error"].is_string());
                }
            }
        }
    }
    for query in [
        "?from=1e300",
        "?to=-1e300",
        "?from=99999999999999",
        "?service=%FF%FE",
        "?message=%00",
        "?limit=-1",
        "?%zz=1",
        "?from=2026-13-45T99:99:99Z",
    ] {
        let response = server
            .request(Method::GET, &format!("/list-events{query}"))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().as_u16() < 500,
            "{query}: {}",
            response.status()
        );
    }
}

/// Opens a connection and has it answered once, keeping it open: admitted.
async fn held_connection(server: &Server) -> TcpStream {
    let mut stream = connect(server).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    stream
}

#[tokio::test]
async fn a_client_address_holds_at_most_its_cap_of_connections() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        json!({"limits": {"maxConnectionsPerClient": 3}}),
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(held_connection(&server).await);
    }
    let mut fourth = connect(&server).await;
    fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut fourth).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.contains("too many connections from 127.0.0.1: at most 3 at once (limits.maxConnectionsPerClient)"),
        "{answer}"
    );
    // Counted, as one of the held connections tells; its closing frees a place.
    let mut first = held.remove(0);
    first
        .write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let metrics = read_to_close(&mut first).await;
    assert!(
        metrics.contains("watchtower_http_connections_refused_total 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("watchtower_http_connections_open 3\n"),
        "{metrics}"
    );
    drop(first);
    support::wait_for("a place to free up", async || {
        let fresh = reqwest::Client::new();
        let answer = fresh.get(format!("{}/healthz", server.url)).send().await;
        answer.ok().filter(|a| a.status().is_success())
    })
    .await;
}

#[tokio::test]
async fn a_trusted_proxy_is_not_capped() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"limits": {"maxConnectionsPerClient": 1}, "trustedProxies": ["127.0.0.1"]});
    let server = Server::start(dir.path(), config).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(held_connection(&server).await);
    }
}
