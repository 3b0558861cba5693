//! API keys for the access tests: a server, a call with a credential, a key made
//! with the password.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{PASSWORD, Server};

pub const OPS: &str = r#"{"webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}}}"#;

pub async fn start() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), serde_json::from_str(OPS).unwrap()).await;
    (dir, server)
}

/// Sends `body` (if any) to `path` with `credential` in the `password` header.
pub async fn call(
    server: &Server,
    credential: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.url))
        .header("password", credential);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Creates a key with the password; answers its secret.
pub async fn key(server: &Server, body: Value) -> String {
    let (status, created) = call(server, PASSWORD, Method::POST, "/keys", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["secret"].as_str().unwrap().to_owned()
}

pub fn pulse(service: &str) -> Value {
    json!({"service": service, "alertType": "webhook", "alertTarget": "ops", "nextIn": 600})
}
