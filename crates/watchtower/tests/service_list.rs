//! `GET /`: every service as before without parameters (streamed a page at a
//! time past a thousand), a page with a `Link` to the next with `limit`, and
//! `prefix` and `status` filters that a key's prefix still bounds.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode, header};
use futures::StreamExt;
use serde_json::{Value, json};
use support::access::{call, key, start};
use support::{PASSWORD, Server, bad_request_error, wait_for};

async fn pulse(server: &Server, service: &str, extra: Value) {
    let mut body =
        json!({"service": service, "alertType": "webhook", "alertTarget": "ops", "nextIn": 600});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let (status, answer) = server.send(Method::POST, "/", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

fn names(services: &[Value]) -> Vec<String> {
    services
        .iter()
        .map(|s| s["service"].as_str().unwrap().to_owned())
        .collect()
}

/// Follows the `Link` headers from `path`, returning every page's names.
async fn follow(server: &Server, credential: &str, path: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut next = Some(path.to_owned());
    while let Some(path) = next.take() {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", server.url))
            .header("password", credential)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        next = response.headers().get(header::LINK).map(|link| {
            let link = link.to_str().unwrap();
            assert!(link.ends_with(">; rel=\"next\""), "{link}");
            link[1..link.find('>').unwrap()].to_owned()
        });
        let page: Vec<Value> = response.json().await.unwrap();
        pages.push(names(&page));
    }
    pages
}

#[tokio::test]
async fn a_full_listing_is_streamed_in_order_and_pages_visit_each_service_once() {
    let (_dir, server) = start().await;
    // Past the thousand a streamed step reads, so that the array spans steps.
    let expected: BTreeSet<String> = (0..2_100).map(|i| format!("svc-{i:05}")).collect();
    futures::stream::iter(expected.iter())
        .for_each_concurrent(32, |name| {
            let server = &server;
            async move { pulse(server, name, json!({})).await }
        })
        .await;
    let response = server.request(Method::GET, "/").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    assert!(response.headers().get(header::LINK).is_none());
    let all: Vec<Value> = response.json().await.unwrap();
    assert_eq!(names(&all), expected.iter().cloned().collect::<Vec<_>>());
    assert_eq!(all[0]["status"], "up");

    let pages = follow(&server, PASSWORD, "/?limit=700").await;
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        [700, 700, 700]
    );
    let paged: Vec<String> = pages.concat();
    assert_eq!(paged, names(&all), "each service once, in order");
}

#[tokio::test]
async fn prefix_and_status_filter_and_combine_with_pages() {
    let (_dir, server) = start().await;
    for name in ["team-a/db", "team-a/web", "team-a0", "team-b/db", "Zed"] {
        pulse(&server, name, json!({})).await;
    }
    pulse(&server, "team-a/dies", json!({"nextIn": 0.1})).await;
    pulse(&server, "team-a/slow", json!({"nextIn": 0.1, "grace": 600})).await;
    let (status, _) = server
        .send(Method::POST, "/services/team-a%2Fweb/pause", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let declared = json!({"alertType": "webhook", "alertTarget": "ops", "nextIn": 600});
    let (status, answer) = server
        .send(Method::PUT, "/services/team-a%2Fnew", Some(declared))
        .await;
    assert!(status.is_success(), "{answer}");
    wait_for("team-a/dies to die", async || {
        (server.status_of("team-a/dies").await.as_deref() == Some("dead")).then_some(())
    })
    .await;

    let list = |query: &'static str| {
        let server = &server;
        async move {
            let (status, answer) = server.send(Method::GET, query, None).await;
            assert_eq!(status, StatusCode::OK, "{query}: {answer}");
            names(answer.as_array().unwrap())
        }
    };
    assert_eq!(
        list("/?prefix=team-a/").await,
        [
            "team-a/db",
            "team-a/dies",
            "team-a/new",
            "team-a/slow",
            "team-a/web"
        ]
    );
    assert_eq!(list("/?status=dead").await, ["team-a/dies"]);
    assert_eq!(list("/?status=late").await, ["team-a/slow"]);
    assert_eq!(list("/?status=paused").await, ["team-a/web"]);
    assert_eq!(list("/?status=new").await, ["team-a/new"]);
    assert_eq!(
        list("/?status=up").await,
        ["Zed", "team-a/db", "team-a0", "team-b/db"]
    );
    assert_eq!(
        list("/?prefix=team-a&status=dead,late,new").await,
        ["team-a/dies", "team-a/new", "team-a/slow"]
    );
    assert_eq!(list("/?prefix=nobody").await, Vec::<String>::new());
    assert_eq!(
        follow(
            &server,
            PASSWORD,
            "/?prefix=team-a&status=up,paused&limit=1"
        )
        .await,
        [vec!["team-a/db"], vec!["team-a/web"], vec!["team-a0"]]
    );
}

#[tokio::test]
async fn a_keys_prefix_bounds_the_listing_whatever_is_asked() {
    let (_dir, server) = start().await;
    for name in ["team-a/db", "team-a/web", "team-b/db"] {
        pulse(&server, name, json!({})).await;
    }
    let secret = key(
        &server,
        json!({"name": "wall", "scope": "read", "prefix": "team-a/"}),
    )
    .await;
    let list = |query: &'static str| {
        let (server, secret) = (&server, &secret);
        async move {
            let (status, answer) = call(server, secret, Method::GET, query, None).await;
            assert_eq!(status, StatusCode::OK, "{query}: {answer}");
            names(answer.as_array().unwrap())
        }
    };
    assert_eq!(list("/").await, ["team-a/db", "team-a/web"]);
    assert_eq!(list("/?prefix=team").await, ["team-a/db", "team-a/web"]);
    assert_eq!(list("/?prefix=team-a/w").await, ["team-a/web"]);
    assert_eq!(list("/?prefix=team-b").await, Vec::<String>::new());
    assert_eq!(
        follow(&server, &secret, "/?limit=1").await,
        [vec!["team-a/db"], vec!["team-a/web"]]
    );
}

#[tokio::test]
async fn bad_listing_parameters_are_named() {
    let (_dir, server) = start().await;
    for (query, field) in [
        ("/?status=bogus", "status"),
        ("/?status=dead,", "status"),
        ("/?status=DEAD", "status"),
        ("/?limit=0", "limit"),
        ("/?limit=10001", "limit"),
        ("/?limit=ten", "limit"),
        ("/?cursor=", "cursor"),
        ("/?prefix=", "prefix"),
        ("/?prefix=a%07b", "prefix"),
        ("/?limit=1&limit=2", "limit"),
        ("/?page=2", "unknown parameter `page`"),
    ] {
        let response = server.request(Method::GET, query).send().await.unwrap();
        let error = bad_request_error(response).await;
        assert!(error.contains(field), "{query}: {error}");
    }
}
