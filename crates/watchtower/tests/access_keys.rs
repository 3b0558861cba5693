//! API keys: keys work in the `password` header and as bearer tokens, a prefix
//! fences a key in, and a revoked or expired key stops working (on every node of
//! a cluster). The route × scope matrix is in `access_matrix.rs`.
#![allow(clippy::unwrap_used)]

mod support;

use std::process::Command;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::access::{call, key, pulse, start};
use support::{PASSWORD, Server, on_postgres, wait_for};

#[tokio::test]
async fn a_key_works_as_a_bearer_token_until_it_is_revoked_or_expires() {
    let (_dir, server) = start().await;
    let secret = key(&server, json!({"name": "ci", "scope": "read"})).await;
    let get = |credential: String| {
        reqwest::Client::new()
            .get(format!("{}/", server.url))
            .bearer_auth(credential)
            .send()
    };
    assert_eq!(get(secret.clone()).await.unwrap().status(), StatusCode::OK);
    // Listed without its secret; its name is taken while it lives.
    let (_, listed) = call(&server, PASSWORD, Method::GET, "/keys", None).await;
    assert_eq!(listed[0]["name"], "ci");
    assert!(listed[0].get("secret").is_none(), "{listed}");
    let (status, _) = call(
        &server,
        PASSWORD,
        Method::POST,
        "/keys",
        Some(json!({"name": "ci", "scope": "read"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, revoked) = call(&server, PASSWORD, Method::DELETE, "/keys/ci", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(revoked["revoked"].is_string(), "{revoked}");
    assert_eq!(
        get(secret).await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "at once on this node"
    );

    let brief = key(
        &server,
        json!({"name": "brief", "scope": "read", "expiresIn": "300ms"}),
    )
    .await;
    wait_for("the key to expire", async || {
        (get(brief.clone()).await.unwrap().status() == StatusCode::UNAUTHORIZED).then_some(())
    })
    .await;
    // Bad requests for keys are named; an admin key has no prefix.
    for (body, status, field) in [
        (
            json!({"name": "x", "scope": "root"}),
            StatusCode::BAD_REQUEST,
            "scope",
        ),
        (
            json!({"name": "a b", "scope": "read"}),
            StatusCode::BAD_REQUEST,
            "name",
        ),
        (
            json!({"name": "x", "scope": "admin", "prefix": "web-"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "prefix",
        ),
        (
            json!({"name": "x", "scope": "read", "expiresIn": "3651d"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "expiresIn",
        ),
    ] {
        let (got, answer) =
            call(&server, PASSWORD, Method::POST, "/keys", Some(body.clone())).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().starts_with(field),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn a_prefix_fences_a_key_in_for_reads_and_writes() {
    let (_dir, server) = start().await;
    let web = key(
        &server,
        json!({"name": "web", "scope": "write", "prefix": "web-"}),
    )
    .await;
    for service in ["web-shop", "db"] {
        call(&server, PASSWORD, Method::POST, "/", Some(pulse(service))).await;
        let event =
            json!({"service": service, "level": "info", "message": format!("from {service}")});
        call(&server, PASSWORD, Method::POST, "/add-event", Some(event)).await;
    }
    let (status, _) = call(&server, &web, Method::POST, "/", Some(pulse("web-api"))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, error) = call(&server, &web, Method::POST, "/", Some(pulse("db"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("starting with `web-`, not `db`"),
        "{error}"
    );
    let events = json!([
        {"service": "web-shop", "level": "info", "message": "fine"},
        {"service": "db", "level": "info", "message": "not mine"},
    ]);
    let (status, _) = call(&server, &web, Method::POST, "/add-events", Some(events)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "all or none");

    let (_, services) = call(&server, &web, Method::GET, "/", None).await;
    let names: Vec<&str> = services
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web-api", "web-shop"]);
    let (_, events) = call(&server, &web, Method::GET, "/list-events?service=db", None).await;
    assert_eq!(events, json!([]), "another's events are not there for it");
    let (_, events) = call(&server, &web, Method::GET, "/list-events", None).await;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["service"].as_str().unwrap().starts_with("web-")),
        "{events}"
    );
    let (status, _) = call(
        &server,
        &web,
        Method::DELETE,
        "/",
        Some(json!({"service": "db"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &server,
        &web,
        Method::POST,
        "/snooze",
        Some(json!({"service": "*", "duration": 60})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &server,
        &web,
        Method::POST,
        "/snooze",
        Some(json!({"prefix": "web-shop", "duration": 60})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, mine) = call(&server, &web, Method::GET, "/snoozes", None).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(
        server.status_of("db").await.as_deref(),
        Some("up"),
        "db untouched"
    );
}

#[tokio::test]
async fn the_command_line_creates_lists_and_revokes_keys() {
    let (_dir, server) = start().await;
    let cli = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_watchtower"))
            .args(args)
            .env("WATCHTOWER_URL", &server.url)
            .env("WATCHTOWER_PASSWORD", PASSWORD)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let created = cli(&[
        "keys",
        "create",
        "nas",
        "--scope",
        "ingest",
        "--prefix",
        "nas-",
        "--expires",
        "90d",
    ]);
    let secret = created.lines().last().unwrap().to_owned();
    assert!(secret.starts_with("wtk_"), "{created}");
    // The key works where the password did, for the CLI too.
    let pulsed = Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args([
            "pulse",
            "nas-backup",
            "--next-in",
            "1h",
            "--alert",
            "webhook:ops",
        ])
        .env("WATCHTOWER_URL", &server.url)
        .env("WATCHTOWER_PASSWORD", &secret)
        .output()
        .unwrap();
    assert!(
        pulsed.status.success(),
        "{}",
        String::from_utf8_lossy(&pulsed.stderr)
    );
    let whoami = Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .arg("whoami")
        .env("WATCHTOWER_URL", &server.url)
        .env("WATCHTOWER_PASSWORD", &secret)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&whoami.stdout),
        "key nas (scope ingest, services starting with `nas-`): may ingest\n"
    );
    let listed = cli(&["keys", "list"]);
    assert!(
        listed.contains("nas")
            && listed.contains("ingest")
            && listed.contains("nas-")
            && listed.contains("live"),
        "{listed}"
    );
    assert!(!listed.contains(&secret));
    assert!(cli(&["keys", "revoke", "nas"]).contains("revoked key nas"));
    assert!(cli(&["keys", "list"]).contains("revoked"));
}

#[tokio::test]
async fn a_key_revoked_on_one_node_is_refused_by_the_others() {
    if !on_postgres() {
        return; // one node alone on SQLite: covered above.
    }
    let database = support::create_database();
    let config = json!({"storage": {"backend": "postgres", "url": database},
                        "webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}}});
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let one = Server::start(dirs[0].path(), config.clone()).await;
    let two = Server::start(dirs[1].path(), config).await;
    let secret = key(&one, json!({"name": "shared", "scope": "read"})).await;
    let status_on_two = async || call(&two, &secret, Method::GET, "/", None).await.0;
    wait_for("the other node to accept the new key", async || {
        (status_on_two().await == StatusCode::OK).then_some(())
    })
    .await;
    call(&one, PASSWORD, Method::DELETE, "/keys/shared", None).await;
    wait_for("the other node to refuse the revoked key", async || {
        (status_on_two().await == StatusCode::UNAUTHORIZED).then_some(())
    })
    .await;
}
