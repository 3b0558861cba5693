//! Who did what: the audit trail of cancels, snoozes and keys, and users signed
//! in by a trusted proxy.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::access::{call, key, pulse};
use support::{PASSWORD, Server};

/// The audit trail's messages, oldest first.
async fn audit_trail(server: &Server) -> Vec<String> {
    let path = "/list-events?service=watchtower&order=asc";
    let (_, events) = call(server, PASSWORD, Method::GET, path, None).await;
    let events = events.as_array().unwrap().iter();
    events
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn cancels_snoozes_and_keys_leave_an_audit_trail_naming_who_and_from_where() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}}, "trustedProxies": ["127.0.0.1"]});
    let server = Server::start(dir.path(), config).await;
    let ops = key(&server, json!({"name": "ops", "scope": "write"})).await;
    call(&server, PASSWORD, Method::POST, "/", Some(pulse("backup"))).await;
    let proxied = |method: Method, path: &str, body: Option<Value>| {
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{path}", server.url))
            .header("password", &ops)
            .header("x-forwarded-for", "198.51.100.7");
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    let snooze = proxied(
        Method::POST,
        "/snooze",
        Some(json!({"service": "backup", "duration": "1h", "reason": "disk swap"})),
    )
    .await
    .unwrap()
    .json::<Value>()
    .await
    .unwrap();
    proxied(Method::DELETE, &format!("/snooze/{}", snooze["id"]), None)
        .await
        .unwrap();
    proxied(Method::DELETE, "/", Some(json!({"service": "backup"})))
        .await
        .unwrap();
    call(&server, PASSWORD, Method::DELETE, "/keys/ops", None).await;

    let messages = audit_trail(&server).await;
    assert_eq!(messages.len(), 5, "{messages:?}");
    assert!(
        messages[0].starts_with("the password from 127.0.0.1 created the key `ops` (scope write"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].starts_with("key `ops` from 198.51.100.7 snoozed the service `backup` until "),
        "{}",
        messages[1]
    );
    assert!(messages[1].ends_with(": disk swap)"), "{}", messages[1]);
    assert!(
        messages[2].starts_with("key `ops` from 198.51.100.7 ended snooze "),
        "{}",
        messages[2]
    );
    assert_eq!(
        messages[3],
        "key `ops` from 198.51.100.7 cancelled the service `backup`"
    );
    assert_eq!(
        messages[4],
        "the password from 127.0.0.1 revoked the key `ops`"
    );
}

#[tokio::test]
async fn a_credential_says_who_it_is_and_dashboard_sign_ins_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}}});
    let server = Server::start(dir.path(), config).await;
    let wall = key(
        &server,
        json!({"name": "wall", "scope": "read", "prefix": "team-a-"}),
    )
    .await;
    let (status, me) = call(&server, &wall, Method::GET, "/whoami", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me,
        json!({"name": "wall", "kind": "key", "scope": "read", "prefix": "team-a-", "may": ["read"]})
    );
    let (_, admin) = call(&server, PASSWORD, Method::GET, "/whoami", None).await;
    assert_eq!(admin["kind"], "password");
    assert_eq!(admin["may"], json!(["read", "ingest", "write", "admin"]));

    // Asking who one is leaves no trace; signing in to the dashboard does.
    let (status, signed_in) = call(&server, &wall, Method::POST, "/sign-in", None).await;
    assert_eq!((status, signed_in), (StatusCode::OK, me));
    let (status, _) = call(&server, "wtk_not-a-key", Method::POST, "/sign-in", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let mut messages = audit_trail(&server).await;
    messages.retain(|m| !m.contains("created the key"));
    assert_eq!(
        messages,
        ["key `wall` from 127.0.0.1 signed in to the dashboard (scope read)"]
    );
}

#[tokio::test]
async fn a_trusted_proxy_signs_users_in_and_no_one_else_can() {
    let sign_on =
        json!({"proxyHeader": "X-Forwarded-User", "users": {"alice": "write", "bob": "read"}});
    let as_user = |server: &Server, user: &str| {
        reqwest::Client::new()
            .post(format!("{}/", server.url))
            .header("x-forwarded-user", user)
            .json(&pulse("signed-on"))
            .send()
    };
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}},
                        "trustedProxies": ["127.0.0.1"], "auth": sign_on});
    let server = Server::start(dir.path(), config).await;
    assert_eq!(
        as_user(&server, "alice").await.unwrap().status(),
        StatusCode::OK
    );
    let bob = as_user(&server, "bob").await.unwrap();
    assert_eq!(bob.status(), StatusCode::FORBIDDEN, "read may not pulse");
    let mallory = as_user(&server, "mallory").await.unwrap();
    assert_eq!(mallory.status(), StatusCode::FORBIDDEN);
    let error = mallory.json::<Value>().await.unwrap()["error"].to_string();
    assert!(error.contains("`mallory` has no scope"), "{error}");
    let cancel = reqwest::Client::new()
        .delete(format!("{}/", server.url))
        .header("x-forwarded-user", "alice")
        .json(&json!({"service": "signed-on"}))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), StatusCode::OK);
    assert_eq!(
        audit_trail(&server).await.last().unwrap(),
        "user `alice` from 127.0.0.1 cancelled the service `signed-on`"
    );

    // Where the proxy is not trusted, the header signs no one in; and the config
    // refuses a header that could never be believed.
    let other = tempfile::tempdir().unwrap();
    let config = json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}},
                        "trustedProxies": ["10.0.0.0/8"], "auth": sign_on});
    let untrusted = Server::start(other.path(), config).await;
    assert_eq!(
        as_user(&untrusted, "alice").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let path = support::write_config(other.path(), json!({"auth": sign_on}));
    let output = support::run_expecting_failure(
        other.path(),
        &["check-config", path.to_str().unwrap()],
        &[],
    );
    assert!(
        support::stderr(&output)
            .contains("`auth.proxyHeader`: is believed only from trustedProxies")
    );
}
