//! Automatic HTTPS end to end against Pebble, Let's Encrypt's test ACME server
//! (Debian's `pebble`, which `scripts/test` installs): the server orders a
//! certificate, answers the TLS-ALPN-01 challenge on its own port, serves the
//! certificate, caches it for the next start and renews it before it expires.
#![allow(clippy::unwrap_used)]

mod support;

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use serde_json::json;
use support::{PASSWORD, ReservedPort, Server, wait_for};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A Pebble server whose directory speaks HTTPS with a certificate from a CA of
/// the test's own (`ca.pem`, which the server is told to trust), and which
/// validates challenges through a [`ChallengeRelay`] to the Watchtower under test.
struct Pebble {
    child: Child,
    directory: String,
    management: String,
    ca_pem: String,
    relay: ChallengeRelay,
    /// Pebble, told port 0, would not say which ports it got, so it listens on
    /// ports that the test holds (Go listens with `SO_REUSEADDR`, which allows
    /// it); the third stays closed: HTTP-01, which the server does not use.
    _ports: [ReservedPort; 3],
}

impl Pebble {
    async fn start(dir: &Path, validity_seconds: Option<u64>) -> Pebble {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
            .unwrap()
            .signed_by(&leaf_key, &ca)
            .unwrap();
        std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
        std::fs::write(dir.join("pebble.crt"), leaf.pem()).unwrap();
        std::fs::write(dir.join("pebble.key"), leaf_key.serialize_pem()).unwrap();
        let ports = [
            ReservedPort::hold(),
            ReservedPort::hold(),
            ReservedPort::hold(),
        ];
        let [listen, management, http] = ports.each_ref().map(ReservedPort::port);
        let relay = ChallengeRelay::start().await;
        let mut config = json!({
            "listenAddress": format!("127.0.0.1:{listen}"),
            "managementListenAddress": format!("127.0.0.1:{management}"),
            "certificate": dir.join("pebble.crt"),
            "privateKey": dir.join("pebble.key"),
            "httpPort": http,
            "tlsPort": relay.port,
            "ocspResponderURL": "",
            "externalAccountBindingRequired": false,
        });
        if let Some(seconds) = validity_seconds {
            config["certificateValidityPeriod"] = json!(seconds);
        }
        let path = dir.join("pebble.json");
        std::fs::write(&path, json!({ "pebble": config }).to_string()).unwrap();
        let child = Command::new("pebble")
            .args(["-strict", "-config"])
            .arg(&path)
            // No random pauses before validating, and no nonces rejected at random:
            // the test is about the server, not about retrying Pebble's chaos.
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pebble is required (scripts/test installs Debian's pebble)");
        Pebble {
            child,
            directory: format!("https://127.0.0.1:{listen}/dir"),
            management: format!("https://127.0.0.1:{management}"),
            ca_pem: ca.pem(),
            relay,
            _ports: ports,
        }
    }

    /// Validates challenges at `server` from now on.
    fn validate_at(&self, server: &Server) {
        self.relay.target.send_replace(Some(server.port()));
    }

    /// The root that Pebble's certificates chain to; Pebble makes a new one at each start.
    async fn root(&self) -> reqwest::Certificate {
        let client = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).unwrap())
            .build()
            .unwrap();
        let pem = wait_for("Pebble's management interface", async || {
            let answer = client
                .get(format!("{}/roots/0", self.management))
                .send()
                .await
                .ok()?;
            answer
                .status()
                .is_success()
                .then_some(answer.bytes().await.ok()?)
        })
        .await;
        reqwest::Certificate::from_pem(&pem).unwrap()
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where Pebble validates the TLS-ALPN-01 challenge: a listener of the test's
/// own on port 0, which relays each connection, byte for byte, to the server's
/// port once [`Pebble::validate_at`] names it. Pebble must be told that port
/// when it starts, and the server, told Pebble's directory, starts after it and
/// binds port 0.
struct ChallengeRelay {
    port: u16,
    target: watch::Sender<Option<u16>>,
    task: tokio::task::JoinHandle<()>,
}

impl ChallengeRelay {
    async fn start() -> ChallengeRelay {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (target, named) = watch::channel(None);
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let mut named = named.clone();
                tokio::spawn(async move {
                    let named = named.wait_for(Option::is_some).await.map(|port| *port);
                    let Ok(Some(port)) = named else { return };
                    // A server gone, or a side closing first: Pebble's validation,
                    // and so the test, says whether the challenge was answered.
                    let Ok(mut outbound) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await
                    else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
            }
        });
        ChallengeRelay { port, target, task }
    }
}

impl Drop for ChallengeRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A client that trusts only Pebble's root and reaches `localhost` on `port`,
/// so that a response proves the server presented a certificate that Pebble
/// issued for `localhost`. Answers that certificate (DER).
async fn served_certificate(root: &reqwest::Certificate, port: u16) -> Option<Vec<u8>> {
    let client = reqwest::Client::builder()
        .tls_certs_only([root.clone()])
        .resolve("localhost", ([127, 0, 0, 1], port).into())
        .tls_info(true)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let answer = client
        .get(format!("https://localhost:{port}/"))
        .header("password", PASSWORD)
        .send()
        .await
        .ok()?;
    assert_eq!(
        answer.status(),
        reqwest::StatusCode::OK,
        "the API answers over HTTPS"
    );
    let info = answer.extensions().get::<reqwest::tls::TlsInfo>()?;
    info.peer_certificate().map(<[u8]>::to_vec)
}

fn acme_config(pebble: &Pebble, dir: &Path) -> serde_json::Value {
    json!({
        "listen": "127.0.0.1:0",
        "ssl": {"acme": {
            "domains": ["localhost"],
            "email": "ops@example.com",
            "directory": pebble.directory,
            "directoryCaCert": dir.join("ca.pem"),
        }},
    })
}

#[tokio::test]
async fn obtains_a_certificate_and_serves_it_from_the_cache_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let pebble = Pebble::start(dir.path(), None).await;
    let root = pebble.root().await;
    let mut server = Server::start(dir.path(), acme_config(&pebble, dir.path())).await;
    pebble.validate_at(&server);
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let issued = wait_for("a certificate from Pebble", async || {
        served_certificate(&root, server.port()).await
    })
    .await;
    // Docker's HEALTHCHECK probes the same server on loopback, where no SNI names it.
    let probe = Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .args(["healthcheck", "--config"])
        .arg(server.config_naming_port("probe.json"))
        .output()
        .unwrap();
    assert!(probe.status.success(), "{probe:?}");
    let cache = dir.path().join("data/acme");
    assert!(
        std::fs::read_dir(&cache).unwrap().count() >= 2,
        "the account and the certificate are cached in {}",
        cache.display()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cache).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "the cache holds private keys");
    }

    // Without the authority: the next start serves what it cached.
    server.terminate();
    drop(pebble);
    let server = Server::start_with_file(dir.path(), &dir.path().join("config.json")).await;
    let again = wait_for("the cached certificate", async || {
        served_certificate(&root, server.port()).await
    })
    .await;
    assert_eq!(again, issued);
}

#[tokio::test]
async fn renews_a_certificate_before_it_expires() {
    let dir = tempfile::tempdir().unwrap();
    // Renewal is due when two thirds of a certificate's life have passed: here
    // after about six seconds.
    let pebble = Pebble::start(dir.path(), Some(9)).await;
    let root = pebble.root().await;
    let server = Server::start(dir.path(), acme_config(&pebble, dir.path())).await;
    pebble.validate_at(&server);
    let first = wait_for("a certificate from Pebble", async || {
        served_certificate(&root, server.port()).await
    })
    .await;
    let renewed = wait_for("a renewed certificate", async || {
        served_certificate(&root, server.port())
            .await
            .filter(|served| *served != first)
    })
    .await;
    assert_ne!(renewed, first);
}
