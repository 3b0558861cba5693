//! The edges of the ping URLs: bodies over the limit and URLs without a service
//! get JSON errors that say what is wrong, and nothing is recorded.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const KEY: &str = "cron-key-0123456789abcdef";
/// Small, so that the tests send little; the answers must quote it.
const LIMIT: usize = 64 * 1024;

async fn start() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}},
        "pingKeys": {"cron": {"key": KEY, "alertType": "webhook", "alertTarget": "ops"}},
        "alertmanager": {"alerts": {"Watchdog": {"service": "prometheus", "nextIn": 300}}},
        "limits": {"maxBodyBytes": LIMIT},
    });
    let server = Server::start(dir.path(), config).await;
    (dir, server)
}

/// A request as a cron line or a tool sends it: no `password` header.
async fn ping(
    server: &Server,
    method: Method,
    path: &str,
    body: reqwest::Body,
) -> (StatusCode, String) {
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", server.url))
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The JSON error of an answer, which must be one.
fn error_of(status: StatusCode, text: &str) -> String {
    let answer: Value =
        serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    answer["error"].as_str().unwrap().to_owned()
}

/// What a refused request could have written.
async fn written(server: &Server) -> (Vec<Value>, Vec<Value>) {
    (server.services().await, server.events("").await)
}

/// Posts a body of `size` bytes to `path` and returns the status and JSON error.
/// The server learns that a body is over the limit by reading past it, then
/// answers without reading the rest; so this sends only a little more than the
/// limit (declaring `size` in a `Content-Length`, or as one chunk) and then reads,
/// where a client still writing the rest would see its write fail instead.
async fn post_oversized(server: &Server, path: &str, size: usize, chunked: bool) -> (u16, String) {
    let mut stream = TcpStream::connect(server.url.trim_start_matches("http://"))
        .await
        .unwrap();
    let framing = match chunked {
        true => format!("transfer-encoding: chunked\r\n\r\n{size:x}"),
        false => format!("content-length: {size}\r\n"),
    };
    let mut request =
        format!("POST {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n{framing}\r\n")
            .into_bytes();
    request.resize(request.len() + LIMIT + 1, b'x');
    stream.write_all(&request).await.unwrap();
    let answer = tokio::time::timeout(support::PATIENCE, read_answer(&mut stream))
        .await
        .expect("the server never answered");
    let status = answer[9..12].parse().unwrap();
    let (_, body) = answer.split_once("\r\n\r\n").unwrap();
    (
        status,
        error_of(StatusCode::from_u16(status).unwrap(), body),
    )
}

/// One HTTP answer with a `Content-Length`, read as far as its end (the server
/// may keep the connection open, waiting for the rest of the body).
async fn read_answer(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    loop {
        let mut buffer = [0; 4096];
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "closed mid-answer: {answer:?}");
        answer.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&answer).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length = head
            .lines()
            .find_map(|line| {
                line.to_ascii_lowercase()
                    .strip_prefix("content-length: ")
                    .map(str::to_owned)
            })
            .expect("a Content-Length");
        if body.len() >= length.trim().parse().unwrap() {
            return text;
        }
    }
}

#[tokio::test]
async fn a_ping_body_over_the_limit_gets_a_json_413_naming_the_limit() {
    let (_dir, server) = start().await;
    let before = written(&server).await;
    let limit = format!("request body is larger than {LIMIT} bytes");
    for signal in ["/log", "", "/start", "/fail", "/3"] {
        let path = format!("/ping/{KEY}/backup{signal}");
        for chunked in [false, true] {
            let size = 2 * 1024 * 1024;
            let answer = post_oversized(&server, &path, size, chunked).await;
            assert_eq!(answer, (413, limit.clone()), "{path}, chunked: {chunked}");
        }
    }
    assert_eq!(written(&server).await, before, "nothing was recorded");
    // At the limit, a body is taken (its first 10 KiB).
    let path = format!("/ping/{KEY}/backup/log");
    let body = reqwest::Body::from(vec![b'x'; LIMIT]);
    let (status, text) = ping(&server, Method::POST, &path, body).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "OK"));
}

#[tokio::test]
async fn an_alertmanager_body_over_the_limit_gets_a_json_413_naming_the_limit() {
    let (_dir, server) = start().await;
    let before = written(&server).await;
    let alert = json!({"status": "firing", "labels": {"alertname": "Watchdog"}});
    let notification = json!({"alerts": vec![alert; 20_000]}).to_string();
    assert!(notification.len() > LIMIT);
    let path = format!("/alertmanager/{KEY}");
    let (status, text) = ping(&server, Method::POST, &path, notification.into()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    let limit = format!("request body is larger than {LIMIT} bytes");
    assert_eq!(error_of(status, &text), limit);
    for chunked in [false, true] {
        let answer = post_oversized(&server, &path, 2 * LIMIT, chunked).await;
        assert_eq!(answer, (413, limit.clone()), "chunked: {chunked}");
    }
    assert_eq!(written(&server).await, before, "nothing was pulsed");
}

#[tokio::test]
async fn a_ping_url_without_a_service_gets_a_json_404_saying_one_is_required() {
    let (_dir, server) = start().await;
    let before = written(&server).await;
    // healthchecks.io's own URLs are /ping/<uuid>; ours need the service too.
    let paths = [
        "/ping/5f1e8a52-2c7b-4d7e-9a43-6b0e0c3c8d11".to_owned(),
        format!("/ping/{KEY}"),
    ];
    for path in &paths {
        for method in [Method::GET, Method::POST] {
            let (status, text) = ping(&server, method.clone(), path, "done".into()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {text}");
            let error = error_of(status, &text);
            assert!(
                error.contains("service name is required")
                    && error.contains("/ping/<key>/<service>"),
                "{method} {path}: {error}"
            );
        }
        let (status, _) = ping(&server, Method::HEAD, path, "".into()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "HEAD {path}");
    }
    assert_eq!(written(&server).await, before, "nothing was recorded");
}
