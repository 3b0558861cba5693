//! The route × scope matrix: every route answers each scope as the scopes say
//! (`403` naming the scope where it may not, never `401` for a known key).
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::PASSWORD;
use support::access::{call, key, pulse, start};

#[tokio::test]
async fn every_route_answers_each_scope_as_the_scopes_say() {
    let (_dir, server) = start().await;
    let mut secrets = Vec::new();
    for scope in ["read", "ingest", "write", "admin"] {
        secrets.push((
            scope,
            key(&server, json!({"name": scope, "scope": scope})).await,
        ));
    }
    let event = json!({"service": "svc", "level": "info", "message": "m"});
    // (method, path, body, the scopes allowed)
    let routes: Vec<(Method, &str, Option<Value>, &[&str])> = vec![
        (Method::GET, "/", None, &["read", "write", "admin"]),
        (
            Method::POST,
            "/",
            Some(pulse("svc")),
            &["ingest", "write", "admin"],
        ),
        (
            Method::POST,
            "/add-event",
            Some(event.clone()),
            &["ingest", "write", "admin"],
        ),
        (
            Method::POST,
            "/add-events",
            Some(json!([event])),
            &["ingest", "write", "admin"],
        ),
        (
            Method::GET,
            "/list-events",
            None,
            &["read", "write", "admin"],
        ),
        (
            Method::GET,
            "/event-stats",
            None,
            &["read", "write", "admin"],
        ),
        (
            Method::GET,
            "/service-history?service=svc",
            None,
            &["read", "write", "admin"],
        ),
        (Method::GET, "/uptime", None, &["read", "write", "admin"]),
        (Method::GET, "/channels", None, &["read", "write", "admin"]),
        (
            Method::GET,
            "/schedule?schedule=@daily",
            None,
            &["read", "write", "admin"],
        ),
        (Method::GET, "/snoozes", None, &["read", "write", "admin"]),
        (Method::GET, "/cluster", None, &["read", "write", "admin"]),
        (
            Method::GET,
            "/openapi.json",
            None,
            &["read", "write", "admin"],
        ),
        (
            Method::POST,
            "/snooze",
            Some(json!({"service": "svc", "duration": 60})),
            &["write", "admin"],
        ),
        (Method::DELETE, "/snooze/999999", None, &["write", "admin"]),
        (
            Method::DELETE,
            "/",
            Some(json!({"service": "no-such"})),
            &["write", "admin"],
        ),
        (Method::GET, "/badges", None, &["admin"]),
        (
            Method::GET,
            "/services/svc/pings",
            None,
            &["read", "write", "admin"],
        ),
        (
            Method::PUT,
            "/services/declared",
            Some(json!({"alertType": "webhook", "alertTarget": "ops", "nextIn": 600})),
            &["write", "admin"],
        ),
        (
            Method::POST,
            "/services/svc/pause",
            None,
            &["write", "admin"],
        ),
        (
            Method::POST,
            "/services/svc/resume",
            None,
            &["write", "admin"],
        ),
        (
            Method::POST,
            "/test-alert",
            Some(json!({"alertType": "webhook", "alertTarget": "ops"})),
            &["write", "admin"],
        ),
        (Method::GET, "/keys", None, &["admin"]),
        (Method::DELETE, "/keys/no-such", None, &["admin"]),
        (
            Method::GET,
            "/whoami",
            None,
            &["read", "ingest", "write", "admin"],
        ),
        (
            Method::POST,
            "/sign-in",
            None,
            &["read", "ingest", "write", "admin"],
        ),
    ];
    call(&server, PASSWORD, Method::POST, "/", Some(pulse("svc"))).await;
    for (method, path, body, allowed) in routes {
        for (scope, secret) in &secrets {
            let (status, answer) = call(&server, secret, method.clone(), path, body.clone()).await;
            let forbidden = status == StatusCode::FORBIDDEN;
            assert_eq!(
                forbidden,
                !allowed.contains(scope),
                "{scope} {method} {path}: {status} {answer}"
            );
            assert_ne!(status, StatusCode::UNAUTHORIZED, "{scope} {method} {path}");
            if forbidden {
                let error = answer["error"].as_str().unwrap();
                assert!(
                    error.starts_with(&format!("scope: key `{scope}` has scope `{scope}`")),
                    "{error}"
                );
            }
        }
    }
    // The live tail, too: its headers say whether it opened.
    let stream = |secret: &str| {
        reqwest::Client::new()
            .get(format!("{}/events/stream", server.url))
            .bearer_auth(secret)
            .send()
    };
    assert_eq!(
        stream(&secrets[0].1).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        stream(&secrets[1].1).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}
