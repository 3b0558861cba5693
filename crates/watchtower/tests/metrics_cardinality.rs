//! `/metrics` stays bounded whatever clients send: no label value comes from a
//! client unbounded, so a flood of made-up HTTP methods cannot grow it.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::Method;

/// The request-duration series in an exposition, one per label set.
fn request_series(exposition: &str) -> Vec<&str> {
    exposition
        .lines()
        .filter(|line| line.starts_with("watchtower_http_request_duration_seconds_count{"))
        .collect()
}

/// Sends one request with each made-up method `FOO<n>` for `n` in `numbers`, to a
/// route, a path that matches none, and a route that needs the password (without it).
async fn send_made_up_methods(server: &support::Server, numbers: std::ops::Range<u32>) {
    let http = reqwest::Client::new();
    for n in numbers {
        let method = Method::from_bytes(format!("FOO{n}").as_bytes()).unwrap();
        for path in ["/healthz", "/no-such-path", "/"] {
            let response = http
                .request(method.clone(), format!("{}{path}", server.url))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_client_error(), "{method} {path}");
        }
    }
}

async fn scrape(server: &support::Server) -> String {
    let response = server
        .request(Method::GET, "/metrics")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    response.text().await.unwrap()
}

#[tokio::test]
async fn made_up_methods_fold_into_one_label_and_do_not_grow_the_metrics() {
    let (_dir, server) = support::server().await;
    // Counted after it is answered: a scrape shows the scrapes before it.
    scrape(&server).await;
    send_made_up_methods(&server, 0..150).await;
    let first = scrape(&server).await;
    let series = request_series(&first);
    assert!(
        !first.contains("FOO"),
        "a client's method became a label:\n{}",
        series.join("\n")
    );
    for route in ["/healthz", "unmatched", "/"] {
        let line = format!(
            r#"watchtower_http_request_duration_seconds_count{{method="_OTHER",route="{route}"}} 150"#
        );
        assert!(first.contains(&line), "{line} in\n{}", series.join("\n"));
    }

    send_made_up_methods(&server, 150..300).await;
    let second = scrape(&server).await;
    assert!(!second.contains("FOO"));
    assert_eq!(
        request_series(&second).len(),
        request_series(&first).len(),
        "twice the made-up methods, no more series:\n{second}"
    );
    assert!(second.contains(
        r#"watchtower_http_request_duration_seconds_count{method="_OTHER",route="/healthz"} 300"#
    ));
}

#[tokio::test]
async fn known_methods_keep_their_own_label() {
    let (_dir, server) = support::server().await;
    for method in [Method::GET, Method::HEAD, Method::OPTIONS, Method::PATCH] {
        server.request(method, "/healthz").send().await.unwrap();
    }
    let text = scrape(&server).await;
    for method in ["GET", "HEAD", "OPTIONS", "PATCH"] {
        let line = format!(
            r#"watchtower_http_request_duration_seconds_count{{method="{method}",route="/healthz"}} 1"#
        );
        assert!(text.contains(&line), "{line} in\n{text}");
    }
}
