//! TLS to PostgreSQL: a throw-away PostgreSQL cluster that accepts TCP connections
//! over TLS only, with a certificate from a private CA. The server connects when
//! told to trust that CA, and refuses to start, saying why, when it cannot.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::postgres::OwnPostgres;
use support::{Server, run_expecting_failure, stderr, write_config};

#[tokio::test]
async fn the_database_is_reached_over_tls_trusting_the_configured_ca_only() {
    let dir = tempfile::tempdir().unwrap();
    let ca = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert, key) = (ca.cert.pem(), ca.signing_key.serialize_pem());
    let postgres = OwnPostgres::start(dir.path(), Some((&cert, &key)));
    let ca_file = dir.path().join("ca.crt");
    std::fs::write(&ca_file, ca.cert.pem()).unwrap();

    let refused = |name: &str, storage: serde_json::Value| {
        let node = dir.path().join(name);
        std::fs::create_dir(&node).unwrap();
        let path = write_config(&node, json!({"storage": storage}));
        stderr(&run_expecting_failure(
            &node,
            &["serve", "--config", path.to_str().unwrap()],
            &[],
        ))
    };
    let untrusted = refused(
        "untrusted",
        json!({"backend": "postgres", "url": postgres.url("sslmode=require")}),
    );
    assert!(
        untrusted.contains("storage.url") && untrusted.contains("UnknownIssuer"),
        "a certificate that no trusted CA signed is refused: {untrusted}"
    );
    let plain = refused(
        "plain",
        json!({"backend": "postgres", "url": postgres.url("sslmode=disable")}),
    );
    assert!(
        plain.contains("storage.url"),
        "the server takes TLS only: {plain}"
    );

    let node = dir.path().join("trusting");
    std::fs::create_dir(&node).unwrap();
    let storage =
        json!({"backend": "postgres", "url": postgres.url("sslmode=require"), "caCert": ca_file});
    let server = Server::start(
        &node,
        json!({"storage": storage, "webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}}),
    )
    .await;
    let pulsed = server.pulse("over-tls", "webhook", "ops", 60.0).await;
    assert_eq!(pulsed["status"], "up");
    assert_eq!(server.services().await, [pulsed]);
}
