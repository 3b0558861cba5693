//! The protocol over real HTTP: every route, auth on every route, services and
//! their bad input. Events have `events.rs`.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::{PASSWORD, Server, bad_request_error, millis_of as chrono_millis, server, wait_for};

const ROUTES: [(Method, &str); 12] = [
    (Method::GET, "/"),
    (Method::POST, "/"),
    (Method::DELETE, "/"),
    (Method::POST, "/add-event"),
    (Method::POST, "/add-events"),
    (Method::GET, "/list-events"),
    (Method::GET, "/openapi.json"),
    (Method::GET, "/cluster"),
    (Method::POST, "/snooze"),
    (Method::GET, "/snoozes"),
    (Method::DELETE, "/snooze/1"),
    (Method::GET, "/no-such-path"),
];

#[tokio::test]
async fn every_route_requires_the_password() {
    let (_dir, server) = server().await;
    let http = reqwest::Client::new();
    for (method, path) in ROUTES {
        for header in [
            None,
            Some("wrong"),
            Some(""),
            Some(&PASSWORD[..PASSWORD.len() - 1]),
        ] {
            let mut request = http.request(method.clone(), format!("{}{path}", server.url));
            if let Some(value) = header {
                request = request.header("password", value);
            }
            let response = request.json(&json!({"service": "x"})).send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {header:?}"
            );
            let body: Value = response.json().await.unwrap();
            assert!(
                body["error"].as_str().unwrap().contains("password"),
                "{body}"
            );
        }
    }
    assert!(
        server.services().await.is_empty(),
        "an unauthorised request wrote something"
    );
}

#[tokio::test]
async fn pulse_answers_the_service_and_list_shows_services_sorted_by_name() {
    let (_dir, server) = server().await;
    let answer = server.pulse("zeta", "webhook", "ops", 60.0).await;
    assert_eq!(answer["service"], "zeta");
    assert_eq!(answer["alertType"], "webhook");
    assert_eq!(answer["alertTarget"], "ops");
    assert_eq!(
        answer["nextIn"],
        json!(60),
        "whole seconds come back as an integer"
    );
    assert_eq!(answer["status"], "up");
    let last_pulse = chrono_millis(&answer["lastPulse"]);
    assert_eq!(chrono_millis(&answer["deadline"]) - last_pulse, 60_000);
    server.pulse("alpha", "webhook", "ops", 0.25).await;
    server.pulse("Mid é", "webhook", "ops", 3600.0).await;
    server.pulse("zeta", "webhook", "ops", 60.0).await;
    let started = server.events("?service=zeta").await;
    assert_eq!(
        started.len(),
        1,
        "only the first pulse is an event: {started:?}"
    );
    assert_eq!(
        started[0]["message"],
        "monitoring started: next pulse due within 1m"
    );
    let names: Vec<Value> = server
        .services()
        .await
        .iter()
        .map(|s| s["service"].clone())
        .collect();
    assert_eq!(names, [json!("Mid é"), json!("alpha"), json!("zeta")]);
}

#[tokio::test]
async fn a_pulse_replaces_the_previous_settings_and_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": "http://127.0.0.1:9/a"}, "dev": {"url": "http://127.0.0.1:9/b"}},
        "mail": {"host": "127.0.0.1", "port": 9, "security": "none", "from": "wt@example.com"}
    });
    let server = Server::start(dir.path(), config).await;
    server.pulse("job", "webhook", "ops", 10.0).await;
    let answer = server.pulse("job", "mail", "ops@example.com", 7200.5).await;
    let services = server.services().await;
    assert_eq!(services, std::slice::from_ref(&answer));
    assert_eq!(answer["alertType"], "mail");
    assert_eq!(answer["alertTarget"], "ops@example.com");
    assert_eq!(answer["nextIn"], json!(7200.5));
    assert_eq!(
        chrono_millis(&answer["deadline"]) - chrono_millis(&answer["lastPulse"]),
        7_200_500
    );
}

#[tokio::test]
async fn bad_pulses_get_400_naming_the_field_and_write_nothing() {
    let (_dir, server) = server().await;
    let good = json!({"service": "s", "alertType": "webhook", "alertTarget": "ops", "nextIn": 5});
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    let without = |key: &str| {
        let mut body = good.clone();
        body.as_object_mut().unwrap().remove(key);
        body
    };
    let cases = [
        (with("service", json!("")), "service"),
        (with("service", json!("x".repeat(256))), "service"),
        (with("service", json!("bell\u{7}")), "service"),
        (with("service", json!(42)), "service"),
        (with("nextIn", json!(0)), "nextIn"),
        (with("nextIn", json!(-3)), "nextIn"),
        (with("nextIn", json!(31_536_001)), "nextIn"),
        (with("nextIn", json!("5")), "nextIn"),
        (with("alertType", json!("sms")), "alertType"),
        (with("alertType", json!("mail")), "alertType"),
        (with("alertTarget", json!("nobody")), "alertTarget"),
        (with("extra", json!(1)), "extra"),
        (without("nextIn"), "nextIn"),
        (without("service"), "service"),
        (json!([good.clone()]), "body"),
        (json!("text"), "body"),
    ];
    for (body, field) in cases {
        let (status, answer) = server.send(Method::POST, "/", Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let error = answer["error"].as_str().unwrap();
        assert!(error.contains(field), "{body} gave {error}");
    }
    let truncated = server.request(Method::POST, "/").body("{\"service\": ");
    let error = bad_request_error(truncated.send().await.unwrap()).await;
    assert!(error.starts_with("body: invalid JSON"), "{error}");
    assert!(server.services().await.is_empty());
    assert!(server.events("").await.is_empty());
}

#[tokio::test]
async fn cancel_answers_the_removed_service_and_404_when_unknown() {
    let (_dir, server) = server().await;
    let pulsed = server.pulse("retired", "webhook", "ops", 60.0).await;
    let (status, removed) = server
        .send(Method::DELETE, "/", Some(json!({"service": "retired"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(removed, pulsed);
    assert!(server.services().await.is_empty());
    let (status, answer) = server
        .send(Method::DELETE, "/", Some(json!({"service": "retired"})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(answer["error"].as_str().unwrap().contains("retired"));
    let (status, _) = server
        .send(Method::DELETE, "/", Some(json!({"name": "retired"})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let events = server.events("?service=retired").await;
    assert_eq!(events[0]["message"], "monitoring cancelled");
}

#[tokio::test]
async fn unknown_paths_wrong_methods_and_huge_bodies_get_json_errors() {
    let (_dir, server) = server().await;
    let (status, answer) = server.send(Method::GET, "/nothing/here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(answer["error"].as_str().unwrap().contains("/nothing/here"));
    let (status, answer) = server.send(Method::PUT, "/", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(answer["error"].as_str().unwrap().contains("PUT"));
    let huge = json!({"service": "s", "level": "info", "message": "x".repeat(1024 * 1024)});
    let (status, answer) = server.send(Method::POST, "/add-event", Some(huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer["error"].as_str().unwrap().contains("1048576"));
    let response = server
        .request(Method::GET, "/")
        .header("x-padding", "y".repeat(100 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
    assert!(
        server.events("").await.is_empty(),
        "the server still answers"
    );
}

#[tokio::test]
async fn cluster_lists_this_node_with_its_heartbeat() {
    let (_dir, server) = server().await;
    let nodes = wait_for("this node's first heartbeat", async || {
        let (status, nodes) = server.send(Method::GET, "/cluster", None).await;
        assert_eq!(status, StatusCode::OK);
        let nodes = nodes.as_array().unwrap().clone();
        (!nodes.is_empty()).then_some(nodes)
    })
    .await;
    assert_eq!(nodes.len(), 1, "{nodes:?}");
    assert_eq!(nodes[0]["address"], server.url.as_str());
    assert!(nodes[0]["node"].as_str().unwrap().len() > 8);
    assert!(nodes[0]["started"].as_str() <= nodes[0]["lastHeartbeat"].as_str());
}

#[tokio::test]
async fn openapi_document_describes_every_route() {
    let (_dir, server) = server().await;
    let (status, document) = server.send(Method::GET, "/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let paths = &document["paths"];
    for (path, method) in [
        ("/", "get"),
        ("/", "post"),
        ("/", "delete"),
        ("/add-event", "post"),
        ("/add-events", "post"),
        ("/list-events", "get"),
        ("/event-stats", "get"),
        ("/events/stream", "get"),
        ("/services/stream", "get"),
        ("/service-history", "get"),
        ("/uptime", "get"),
        ("/channels", "get"),
        ("/schedule", "get"),
        ("/snooze", "post"),
        ("/snooze/{id}", "delete"),
        ("/snoozes", "get"),
        ("/cluster", "get"),
        ("/ping/{key}/{service}", "get"),
        ("/ping/{key}/{service}", "post"),
        ("/ping/{key}/{service}", "head"),
        ("/ping/{key}/{service}/{signal}", "get"),
        ("/api/push/{key}", "get"),
        ("/alertmanager/{key}", "post"),
        ("/metrics", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/ui/", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
    // Every operation says the shape of the errors it may answer.
    for (path, item) in paths.as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert!(
                operation["responses"]["default"].is_object(),
                "{method} {path}: no default response"
            );
        }
    }
    // The strict grammars: a name's pattern, the bulk body's bounds, both media types.
    let schemas = &document["components"]["schemas"];
    assert!(
        schemas["ServiceName"]["pattern"]
            .as_str()
            .unwrap()
            .contains("\\u202e")
    );
    let bulk = &paths["/add-events"]["post"]["requestBody"]["content"];
    assert_eq!(bulk["application/json"]["schema"]["minItems"], 1);
    assert_eq!(bulk["application/x-ndjson"]["schema"]["maxItems"], 10_000);
    assert_eq!(
        document["components"]["securitySchemes"]["password"]["in"],
        "header"
    );
    let params: Vec<&str> = paths["/list-events"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        params,
        [
            "service", "from", "to", "level", "message", "order", "cursor", "limit"
        ]
    );
}

#[tokio::test]
async fn browsers_may_call_from_the_configured_origins_only() {
    let dir = tempfile::tempdir().unwrap();
    let origin = "http://app.example.com";
    let server = Server::start(dir.path(), json!({"cors": {"origins": [origin]}})).await;
    let http = reqwest::Client::new();
    let preflight = http
        .request(Method::OPTIONS, format!("{}/list-events", server.url))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "password")
        .send()
        .await
        .unwrap();
    assert!(
        preflight.status().is_success(),
        "a preflight needs no password"
    );
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], origin);
    assert!(
        headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("password")
    );
    let answer = server
        .request(Method::GET, "/list-events")
        .header("Origin", origin)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["access-control-allow-origin"], origin);
    assert!(
        answer.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_lowercase()
            .contains("link")
    );
    let stranger = server
        .request(Method::GET, "/")
        .header("Origin", "http://elsewhere.example.com")
        .send()
        .await
        .unwrap();
    assert!(
        stranger
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let unauthorised = http
        .get(format!("{}/", server.url))
        .header("Origin", origin)
        .send()
        .await
        .unwrap();
    assert_eq!(
        unauthorised.status(),
        StatusCode::UNAUTHORIZED,
        "the real request still needs the password"
    );

    let (_dir, plain) = support::server().await;
    let answer = plain
        .request(Method::GET, "/")
        .header("Origin", origin)
        .send()
        .await
        .unwrap();
    assert!(
        answer
            .headers()
            .get("access-control-allow-origin")
            .is_none(),
        "off by default"
    );
}
