//! Failed credentials are throttled per client address, and only failures: past
//! ten a minute, each is answered after a growing delay (counted in `/metrics`),
//! while a valid password or ping key from the same address is never refused or
//! slowed. Behind a trusted proxy the forwarded client is counted; from anyone
//! else forwarding headers are ignored.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use futures::StreamExt;
use serde_json::json;
use support::{PASSWORD, Server};

const KEY: &str = "throttle-key-0123456789abcdef";

async fn start(extra: serde_json::Value) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = json!({
        "webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}},
        "pingKeys": {"cron": {"key": KEY, "prefix": "job-", "alertType": "webhook", "alertTarget": "ops"}},
    });
    config
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let server = Server::start(dir.path(), config).await;
    (dir, server)
}

async fn get(url: String, headers: Vec<(&'static str, String)>) -> reqwest::Response {
    // One client per test (each runs on a thread and runtime of its own): building
    // one per request costs more than the request.
    thread_local! {
        static CLIENT: reqwest::Client = reqwest::Client::new();
    }
    let mut request = CLIENT.with(|client| client.get(url));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.send().await.unwrap()
}

/// `count` wrong ping keys, `parallel` at a time: the statuses answered.
async fn wrong_keys(server: &Server, count: usize, parallel: usize) -> Vec<StatusCode> {
    futures::stream::iter(0..count)
        .map(|n| {
            get(
                format!("{}/ping/wrong-key-{n:020}/job-a", server.url),
                vec![],
            )
        })
        .buffer_unordered(parallel)
        .map(|response| response.status())
        .collect()
        .await
}

#[tokio::test]
async fn a_valid_ping_key_is_never_refused_while_its_address_keeps_guessing() {
    let (_dir, server) = start(json!({})).await;
    // 1,000 wrong keys, 100 at a time, while a valid key from the same address
    // pulses every 100 ms for as long as the guessing lasts.
    let guessed = std::sync::atomic::AtomicBool::new(false);
    let guessing = async {
        let statuses = wrong_keys(&server, 1000, 100).await;
        guessed.store(true, std::sync::atomic::Ordering::Relaxed);
        statuses
    };
    let valid = async {
        let mut statuses = Vec::new();
        while !guessed.load(std::sync::atomic::Ordering::Relaxed) {
            let response = get(format!("{}/ping/{KEY}/job-backup", server.url), vec![]).await;
            statuses.push(response.status());
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        statuses
    };
    let (wrong, valid) = tokio::join!(guessing, valid);
    assert!(
        valid.len() >= 5,
        "the valid key pulsed throughout: {}",
        valid.len()
    );
    assert!(
        valid.iter().all(|status| *status == StatusCode::OK),
        "{valid:?}"
    );
    assert!(
        wrong.iter().all(|status| *status == StatusCode::NOT_FOUND),
        "{wrong:?}"
    );
    // Ten answered at once, the rest after the throttle's delay.
    assert_eq!(throttled(&server, "ping key").await, (10, 990));
}

/// `/metrics`' failed authentications of `credential`: (refused, throttled).
async fn throttled(server: &Server, credential: &str) -> (u64, u64) {
    let metrics = get(format!("{}/metrics", server.url), vec![])
        .await
        .text()
        .await
        .unwrap();
    let count = |outcome: &str| {
        let series = format!(
            "watchtower_auth_failures_total{{credential=\"{credential}\",outcome=\"{outcome}\"}} "
        );
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(series.as_str()))
            .map_or(0, |n| n.parse().unwrap())
    };
    (count("refused"), count("throttled"))
}

#[tokio::test]
async fn the_right_password_passes_while_wrong_ones_are_throttled() {
    let (_dir, server) = start(json!({})).await;
    let url = format!("{}/", server.url);
    let wrong: Vec<StatusCode> = futures::stream::iter(0..40)
        .map(|n| {
            get(
                url.clone(),
                vec![("password", format!("wrong-password-{n:04}"))],
            )
        })
        .buffer_unordered(20)
        .map(|response| response.status())
        .collect()
        .await;
    assert!(
        wrong.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{wrong:?}"
    );
    assert_eq!(throttled(&server, "password").await, (10, 30));
    let right = get(url.clone(), vec![("password", PASSWORD.to_owned())]).await;
    assert_eq!(right.status(), StatusCode::OK);
    // No password at all is no guess; wrong passwords and wrong ping keys share
    // the address's count.
    assert_eq!(
        get(url.clone(), vec![]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let key = get(
        format!("{}/ping/wrong-key-00000000000000/job-a", server.url),
        vec![],
    )
    .await;
    assert_eq!(key.status(), StatusCode::NOT_FOUND);
    assert_eq!(throttled(&server, "password").await, (10, 30));
    assert_eq!(throttled(&server, "ping key").await, (0, 1));
}

#[tokio::test]
async fn forwarding_headers_count_only_from_trusted_proxies() {
    for (trusted, separate) in [(json!(["127.0.0.1"]), true), (json!([]), false)] {
        let (_dir, server) = start(json!({"trustedProxies": trusted})).await;
        let fail = |client: &'static str| {
            get(
                format!("{}/ping/wrong-key-00000000000000/job-a", server.url),
                vec![("x-forwarded-for", client.to_owned())],
            )
        };
        for _ in 0..11 {
            assert_eq!(fail("203.0.113.1").await.status(), StatusCode::NOT_FOUND);
        }
        assert_eq!(throttled(&server, "ping key").await, (10, 1));
        // Another client behind the trusted proxy has failures of its own to
        // spare; claimed by a client that is no proxy, the header is ignored.
        fail("203.0.113.2").await;
        let expected = match separate {
            true => (11, 1),
            false => (10, 2),
        };
        assert_eq!(
            throttled(&server, "ping key").await,
            expected,
            "trustedProxies {trusted}"
        );
    }
}

#[tokio::test]
async fn a_bound_ping_key_pings_its_own_services_only() {
    let dir = tempfile::tempdir().unwrap();
    let config = json!({
        "webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}},
        "pingKeys": {
            "web": {"key": KEY, "prefix": "web-", "services": ["gateway"], "alertType": "webhook", "alertTarget": "ops"},
            "anything": {"key": "unbound-key-0123456789abcdef", "alertType": "webhook", "alertTarget": "ops"},
        },
    });
    let server = Server::start_logging(dir.path(), config, "warn").await;
    for service in ["web-shop", "gateway"] {
        let response = get(format!("{}/ping/{KEY}/{service}", server.url), vec![]).await;
        assert_eq!(response.status(), StatusCode::OK, "{service}");
    }
    let response = get(format!("{}/ping/{KEY}/cronjob/fail", server.url), vec![]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let error = response.json::<serde_json::Value>().await.unwrap()["error"].to_string();
    assert!(
        error.contains(
            "`web` may ping services starting with `web-` and gateway only, not `cronjob`"
        ),
        "{error}"
    );
    assert_eq!(server.status_of("cronjob").await, None, "nothing written");
    assert!(
        server
            .log()
            .contains("ping key `anything` may ping any service"),
        "{}",
        server.log()
    );
    let (status, _) = server.send(Method::GET, "/", None).await;
    assert_eq!(status, StatusCode::OK);
}
