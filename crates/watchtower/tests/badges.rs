//! Status badges: `/badge/<key>/<service>.svg|.json` and
//! `/badge/<key>/prefix/<prefix>.svg|.json`, without the password but behind a
//! key that only an admin can read (`GET /badges`).
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::access::{call, key, pulse, start};
use support::{PASSWORD, Server};

async fn badge_key(server: &Server) -> String {
    let (status, urls) = call(server, PASSWORD, Method::GET, "/badges", None).await;
    assert_eq!(status, StatusCode::OK, "{urls}");
    let key = urls["key"].as_str().unwrap().to_owned();
    assert_eq!(
        urls["service"]["svg"],
        format!("/badge/{key}/{{service}}.svg")
    );
    key
}

/// A badge as anyone fetches it: no credential.
async fn fetch(server: &Server, path: &str) -> (StatusCode, String, String) {
    let response = reqwest::get(format!("{}{path}", server.url)).await.unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

#[tokio::test]
async fn a_service_badge_shows_its_status_as_svg_and_shields_json() {
    let (_dir, server) = start().await;
    call(&server, PASSWORD, Method::POST, "/", Some(pulse("backup"))).await;
    let key = badge_key(&server).await;
    assert_eq!(key.len(), 32, "128 bits, in hex");

    let (status, kind, svg) = fetch(&server, &format!("/badge/{key}/backup.svg")).await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::OK, "image/svg+xml; charset=utf-8")
    );
    assert!(
        svg.starts_with("<svg") && svg.contains(">backup</text>") && svg.contains(">up</text>"),
        "{svg}"
    );
    let (_, _, shields) = fetch(&server, &format!("/badge/{key}/backup.json")).await;
    let shields: Value = serde_json::from_str(&shields).unwrap();
    assert_eq!(
        shields,
        json!({"schemaVersion": 1, "label": "backup", "message": "up", "color": "brightgreen"})
    );

    call(
        &server,
        PASSWORD,
        Method::POST,
        "/services/backup/pause",
        None,
    )
    .await;
    let (_, _, paused) = fetch(&server, &format!("/badge/{key}/backup.json")).await;
    assert!(paused.contains(r#""message":"paused""#), "{paused}");
}

#[tokio::test]
async fn a_prefix_badge_shows_the_worst_of_its_services() {
    let (_dir, server) = start().await;
    for name in ["team-a-db", "team-a-web", "team-b-db"] {
        call(&server, PASSWORD, Method::POST, "/", Some(pulse(name))).await;
    }
    let fail = json!({"message": "exit status 1"});
    call(
        &server,
        PASSWORD,
        Method::POST,
        "/services/team-a-web/fail",
        Some(fail),
    )
    .await;
    let key = badge_key(&server).await;
    let (_, _, team_a) = fetch(&server, &format!("/badge/{key}/prefix/team-a-.json")).await;
    let team_a: Value = serde_json::from_str(&team_a).unwrap();
    assert_eq!(
        (&team_a["message"], &team_a["color"]),
        (&json!("1 of 2 down"), &json!("red"))
    );
    let (_, _, team_b) = fetch(&server, &format!("/badge/{key}/prefix/team-b-.json")).await;
    assert!(team_b.contains(r#""message":"up""#), "{team_b}");
    let (status, _, svg) = fetch(&server, &format!("/badge/{key}/prefix/team-a-.svg")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.contains("1 of 2 down"));
}

#[tokio::test]
async fn badges_need_the_key_and_only_admins_read_it() {
    let (_dir, server) = start().await;
    call(&server, PASSWORD, Method::POST, "/", Some(pulse("backup"))).await;
    let badge = badge_key(&server).await;
    let wrong = "0".repeat(32);
    for path in [
        format!("/badge/{wrong}/backup.svg"),
        format!("/badge/{badge}/nobody.svg"),
        format!("/badge/{badge}/backup.png"),
        format!("/badge/{badge}/backup"),
    ] {
        let (status, _, body) = fetch(&server, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(serde_json::from_str::<Value>(&body).unwrap()["error"].is_string());
    }
    let reader = key(&server, json!({"name": "wall", "scope": "read"})).await;
    let (status, _) = call(&server, &reader, Method::GET, "/badges", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
