//! Every error is `{"error": …}` with `Content-Type: application/json`, also for what
//! the router and the connection refuse before a handler runs: undecodable path
//! segments, methods a path does not take, oversized request heads and URIs, and
//! a body announced with `Expect: 100-continue` that is over the limit.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::Method;
use serde_json::{Value, json};
use support::{PASSWORD, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An answer as it came over the wire.
#[derive(Debug)]
struct Answer {
    /// Each status line the server sent, interim (`100 Continue`) ones first.
    statuses: Vec<String>,
    head: String,
    body: String,
}

impl Answer {
    fn status(&self) -> &str {
        self.statuses.last().unwrap()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// Asserts a JSON error with `status` and returns its message.
    fn error(&self, status: &str) -> String {
        assert_eq!(self.statuses, [status], "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{self:?}"
        );
        let answer: Value = serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("{self:?}"));
        answer["error"].as_str().unwrap().to_owned()
    }
}

/// Writes `request` as it is (the server may stop reading it) and reads the answer
/// up to the end of its first final response.
async fn raw(server: &Server, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(server.url.trim_start_matches("http://"))
        .await
        .unwrap();
    let _ = stream.write_all(request).await;
    let read = async {
        let mut bytes = Vec::new();
        let mut statuses = Vec::new();
        loop {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if let Some(end) = text.find("\r\n\r\n") {
                let head = text[..end].to_owned();
                let status = head.lines().next().unwrap().to_owned();
                if status.starts_with("HTTP/1.1 100") {
                    statuses.push(status);
                    bytes.drain(..end + 4);
                    continue;
                }
                let length: usize = head
                    .lines()
                    .find_map(|line| {
                        line.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                if bytes.len() >= end + 4 + length {
                    statuses.push(status);
                    let body =
                        String::from_utf8_lossy(&bytes[end + 4..end + 4 + length]).into_owned();
                    return Answer {
                        statuses,
                        head,
                        body,
                    };
                }
            }
            let mut chunk = [0; 4096];
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "closed mid-answer: {statuses:?} {text:?}");
            bytes.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(support::PATIENCE, read)
        .await
        .expect("no complete answer")
}

fn get_with_header(path: &str, value_bytes: usize) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nhost: x\r\nx-padding: {}\r\nconnection: close\r\n\r\n",
        "a".repeat(value_bytes)
    )
    .into_bytes()
}

#[tokio::test]
async fn a_path_segment_that_is_not_utf8_gets_a_json_400_naming_it() {
    let (_dir, server) = support::server().await;
    for (method, path, segment) in [
        (Method::DELETE, "/snooze/%ff", "id"),
        (Method::GET, "/ping/some-key/%ff", "service"),
        (Method::POST, "/ping/some-key/backup/%ff", "signal"),
        (Method::GET, "/api/push/%ff", "key"),
        (Method::POST, "/alertmanager/%ff", "key"),
        (Method::GET, "/ui/%ff", "path"),
    ] {
        let response = server.request(method.clone(), path).send().await.unwrap();
        assert_eq!(response.status(), 400, "{method} {path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{method} {path}"
        );
        let answer: Value = response.json().await.unwrap();
        let error = answer["error"].as_str().unwrap();
        assert!(
            error.contains(segment) && error.contains("UTF-8"),
            "{method} {path}: {error}"
        );
    }
}

#[tokio::test]
async fn a_method_a_path_does_not_take_gets_a_json_405_naming_it() {
    let (_dir, server) = support::server().await;
    for (method, path) in [
        ("PATCH", "/add-event"),
        ("PUT", "/"),
        ("GET", "/add-events"),
        ("POST", "/metrics"),
        ("PATCH", "/healthz"),
        ("PUT", "/ui/"),
        ("DELETE", "/ping/some-key/backup"),
        ("FOO123", "/readyz"),
    ] {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let response = server.request(method.clone(), path).send().await.unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        assert!(response.headers().contains_key("allow"), "{method} {path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{method} {path}"
        );
        let answer: Value = response.json().await.unwrap();
        assert_eq!(
            answer["error"],
            format!("method {method} is not allowed on this path"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_request_head_over_the_limit_gets_a_json_431_and_the_bound_holds() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), json!({"limits": {"maxHeaderBytes": 16384}})).await;
    let under = raw(&server, &get_with_header("/healthz", 15_000)).await;
    assert_eq!(under.status(), "HTTP/1.1 200 OK", "{under:?}");

    let over = raw(&server, &get_with_header("/healthz", 17_000)).await;
    let error = over.error("HTTP/1.1 431 Request Header Fields Too Large");
    assert!(
        error.contains("request head") && error.contains("16384 bytes"),
        "{error}"
    );

    // Far over: the HTTP parser itself stops reading and answers 431 (with no body:
    // there is no request yet to answer), whatever arrives in one read.
    for size in [40_000, 200_000] {
        let far = raw(&server, &get_with_header("/healthz", size)).await;
        assert_eq!(
            far.status(),
            "HTTP/1.1 431 Request Header Fields Too Large",
            "{size}: {far:?}"
        );
    }
}

#[tokio::test]
async fn a_uri_over_the_limit_gets_a_json_414() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), json!({"limits": {"maxHeaderBytes": 16384}})).await;
    let uri = format!("/healthz?{}", "a".repeat(17_000));
    let request = format!("GET {uri} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    let answer = raw(&server, request.as_bytes()).await;
    let error = answer.error("HTTP/1.1 414 URI Too Long");
    assert!(
        error.contains("URI") && error.contains("16384 bytes"),
        "{error}"
    );

    let (_dir, server) = support::server().await;
    let uri = format!("/healthz?{}", "a".repeat(40_000));
    let request = format!("GET {uri} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    let answer = raw(&server, request.as_bytes()).await;
    let error = answer.error("HTTP/1.1 414 URI Too Long");
    assert!(
        error.contains("URI") && error.contains("32768 bytes"),
        "{error}"
    );
}

#[tokio::test]
async fn an_expected_body_over_the_limit_gets_413_at_once_not_100_continue() {
    let dir = tempfile::tempdir().unwrap();
    let limits = json!({"limits": {"maxBodyBytes": 1000, "maxBulkBytes": 100000}});
    let server = Server::start(dir.path(), limits).await;
    let expecting = |path: &str, length: usize| {
        format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\npassword: {PASSWORD}\r\nexpect: 100-continue\r\n\
             content-length: {length}\r\nconnection: close\r\n\r\n"
        )
    };
    for path in [
        "/add-event",
        "/",
        "/ping/some-key/backup/log",
        "/alertmanager/some-key",
    ] {
        let answer = raw(&server, expecting(path, 5_000).as_bytes()).await;
        let error = answer.error("HTTP/1.1 413 Payload Too Large");
        assert!(error.contains("1000 bytes"), "{path}: {error}");
    }
    let bulk = raw(&server, expecting("/add-events", 500_000).as_bytes()).await;
    assert!(
        bulk.error("HTTP/1.1 413 Payload Too Large")
            .contains("100000 bytes")
    );

    // Within the limit, the client is told to go on, and the request is answered.
    let events = r#"[{"service": "s", "level": "info", "message": "m"}]"#;
    let mut stream = TcpStream::connect(server.url.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = expecting("/add-events", events.len());
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut interim = [0; 25];
    stream.read_exact(&mut interim).await.unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(events.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 20"), "{answer}");
}

#[tokio::test]
async fn a_refused_credential_with_a_body_still_unread_closes_the_connection_and_says_so() {
    let (_dir, server) = support::server().await;
    // Headers first, the body a moment later: the refusal goes out before it.
    let mut stream = TcpStream::connect(server.url.trim_start_matches("http://"))
        .await
        .unwrap();
    let body = r#"{"service":"x","alertType":"webhook","alertTarget":"ops","nextIn":60}"#;
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\npassword: wrong-password-0123456789\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut answer),
    )
    .await
    .expect("the server closes the connection after its answer")
    .unwrap();
    let answer = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 401"), "{answer}");
    assert!(answer.contains("\r\nconnection: close\r\n"), "{answer}");
    // Without a body, a refusal keeps the connection (no unread bytes on it).
    let bare = raw(
        &server,
        b"GET / HTTP/1.1\r\nHost: x\r\npassword: wrong-password-0123456789\r\n\r\n",
    )
    .await;
    assert_eq!(bare.header("connection"), None, "{bare:?}");
}
