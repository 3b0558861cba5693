//! The syslog listeners with the real senders: util-linux's `logger` (RFC 5424
//! and RFC 3164, UDP, TCP with octet counting and with newlines) and rsyslog
//! forwarding with omfwd, in the clear and over TLS (its gtls driver); each
//! message read back through `/list-events`. Then what is not syslog (binary
//! garbage, a bad octet count, plain text to the TLS port) and a source outside
//! the allow-list.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::Write;
use std::process::{Child, Command};
use std::time::Duration;

use axum::http::Method;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};
use support::{Server, wait_for};

/// A port free on loopback for UDP and for TCP at the time of asking.
fn free_port() -> u16 {
    loop {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = tcp.local_addr().unwrap().port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

async fn syslog_server(dir: &std::path::Path, allow: Option<Value>) -> (Server, u16) {
    let port = free_port();
    let mut listener = json!({"listen": format!("127.0.0.1:{port}")});
    if let Some(allow) = allow {
        listener["allow"] = allow;
    }
    let config = json!({"syslog": {"udp": listener.clone(), "tcp": listener}});
    (Server::start(dir, config).await, port)
}

fn logger(port: u16, args: &[&str]) {
    let status = Command::new("logger")
        .args(["--server", "127.0.0.1", "--port", &port.to_string()])
        .args(args)
        .status()
        .expect("logger (util-linux) is required");
    assert!(status.success(), "logger {args:?}");
}

/// The events of `service`, oldest first, once there are `count` of them.
async fn events_of(server: &Server, service: &str, count: usize) -> Vec<Value> {
    wait_for(&format!("{count} event(s) of {service}"), async || {
        let events = server
            .events(&format!("?service={service}&order=asc"))
            .await;
        (events.len() >= count).then_some(events)
    })
    .await
}

#[tokio::test]
async fn logger_sends_rfc5424_and_rfc3164_over_udp_and_tcp() {
    let dir = tempfile::tempdir().unwrap();
    let (server, port) = syslog_server(dir.path(), None).await;
    logger(
        port,
        &[
            "--udp",
            "--rfc5424",
            "-t",
            "backup",
            "-p",
            "daemon.err",
            "--msgid",
            "DB1",
            "--id=4242",
            "--sd-id",
            "origin@32473",
            "--sd-param",
            "site=\"paris\"",
            "disk failing",
        ],
    );
    logger(
        port,
        &[
            "--tcp",
            "--octet-count",
            "--rfc5424",
            "-t",
            "web",
            "-p",
            "local0.warning",
            "slow answer",
        ],
    );
    logger(
        port,
        &[
            "--tcp",
            "--rfc3164",
            "-t",
            "cron",
            "-p",
            "cron.info",
            "job done",
        ],
    );
    logger(
        port,
        &[
            "--udp",
            "--rfc3164",
            "-t",
            "legacy",
            "-p",
            "user.debug",
            "old style",
        ],
    );
    logger(
        port,
        &[
            "--udp",
            "--rfc5424",
            "-t",
            "pager",
            "-p",
            "local7.emerg",
            "kernel panic",
        ],
    );

    let backup = &events_of(&server, "backup", 1).await[0];
    assert_eq!(backup["level"], "error");
    assert_eq!(backup["message"], "disk failing");
    let attributes = &backup["attributes"];
    assert_eq!(attributes["facility"], "daemon");
    assert_eq!(attributes["msgid"], "DB1");
    assert_eq!(attributes["origin@32473.site"], "paris");
    assert!(attributes["host"].is_string(), "{backup}");
    assert_eq!(attributes["procid"], 4242, "{backup}");

    let expected = [
        ("web", "warning", "slow answer", "local0"),
        ("cron", "info", "job done", "cron"),
        ("legacy", "debug", "old style", "user"),
        ("pager", "critical", "kernel panic", "local7"),
    ];
    for (service, level, message, facility) in expected {
        let event = &events_of(&server, service, 1).await[0];
        assert_eq!(event["level"], level, "{event}");
        assert_eq!(event["message"], message, "{event}");
        assert_eq!(event["attributes"]["facility"], facility, "{event}");
    }
}

/// rsyslogd in the foreground on a config of its own, stopped when dropped.
struct Rsyslog(Child);

impl Rsyslog {
    fn start(dir: &std::path::Path, config: &str) -> Self {
        let config_path = dir.join("rsyslog.conf");
        std::fs::File::create(&config_path)
            .unwrap()
            .write_all(config.as_bytes())
            .unwrap();
        // Debian puts it in /usr/sbin, which a user's PATH may not hold.
        let binary = ["/usr/sbin/rsyslogd", "rsyslogd"]
            .into_iter()
            .find(|path| std::path::Path::new(path).exists())
            .unwrap_or("rsyslogd");
        let rsyslogd = Command::new(binary)
            .args(["-n", "-f"])
            .arg(&config_path)
            .arg("-i")
            .arg(dir.join("rsyslogd.pid"))
            .spawn()
            .expect("rsyslogd is required (scripts/test installs Debian's rsyslog)");
        Self(rsyslogd)
    }

    /// Until rsyslog listens, what logger sends it is lost: probes through
    /// `input` until one arrives.
    async fn wait_forwarding(server: &Server, input: u16) {
        wait_for("rsyslog to forward", async || {
            logger(
                input,
                &["--udp", "-t", "probe", "-p", "user.info", "are you there"],
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
            (!server.events("?service=probe").await.is_empty()).then_some(())
        })
        .await;
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn rsyslog_forwards_over_tcp_and_udp() {
    let dir = tempfile::tempdir().unwrap();
    let (server, port) = syslog_server(dir.path(), None).await;
    // Three inputs, each forwarded one way: octet-counted TCP and newline-framed
    // TCP in RFC 5424, and UDP in the traditional (RFC 3164) forward format.
    let inputs = [free_port(), free_port(), free_port()];
    let work = dir.path().join("rsyslog");
    std::fs::create_dir_all(&work).unwrap();
    let config = format!(
        r#"global(workDirectory="{work}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="{a}" ruleset="counted")
input(type="imudp" address="127.0.0.1" port="{b}" ruleset="lines")
input(type="imudp" address="127.0.0.1" port="{c}" ruleset="datagrams")
ruleset(name="counted") {{
  action(type="omfwd" target="127.0.0.1" port="{port}" protocol="tcp"
         TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
}}
ruleset(name="lines") {{
  action(type="omfwd" target="127.0.0.1" port="{port}" protocol="tcp"
         template="RSYSLOG_SyslogProtocol23Format")
}}
ruleset(name="datagrams") {{
  action(type="omfwd" target="127.0.0.1" port="{port}" protocol="udp"
         template="RSYSLOG_ForwardFormat")
}}
"#,
        work = work.display(),
        a = inputs[0],
        b = inputs[1],
        c = inputs[2],
    );
    let _rsyslogd = Rsyslog::start(dir.path(), &config);
    Rsyslog::wait_forwarding(&server, inputs[0]).await;

    let sent = [
        (
            inputs[0],
            "counted",
            "user.err",
            "sent with octet counting",
            "error",
        ),
        (
            inputs[1],
            "lines",
            "local3.notice",
            "sent one a line",
            "info",
        ),
        (
            inputs[2],
            "datagrams",
            "mail.warning",
            "sent as a datagram",
            "warning",
        ),
    ];
    for (input, tag, priority, message, _) in sent {
        logger(input, &["--udp", "-t", tag, "-p", priority, message]);
    }
    for (_, tag, _, message, level) in sent {
        let event = &events_of(&server, tag, 1).await[0];
        assert_eq!(event["message"], message, "{event}");
        assert_eq!(event["level"], level, "{event}");
        assert!(event["attributes"]["host"].is_string(), "{event}");
    }
}

/// A server with its own certificate for `localhost` and a TLS syslog
/// listener: the server, the listener's port and the certificate's file.
async fn tls_syslog_server(dir: &std::path::Path) -> (Server, u16, std::path::PathBuf) {
    support::write_self_signed(dir);
    let port = free_port();
    let config = json!({
        "ssl": {"enabled": true, "cert": dir.join("server.crt"), "key": dir.join("server.key")},
        "syslog": {"tls": {"listen": format!("127.0.0.1:{port}")}},
    });
    (
        Server::start(dir, config).await,
        port,
        dir.join("server.crt"),
    )
}

#[tokio::test]
async fn rsyslog_forwards_over_tls_checking_the_servers_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (server, port, certificate) = tls_syslog_server(dir.path()).await;
    let input = free_port();
    let work = dir.path().join("rsyslog");
    std::fs::create_dir_all(&work).unwrap();
    // RFC 5425 as rsyslog does it: the gtls driver, the server's name checked
    // against its certificate, octet counting.
    let config = format!(
        r#"global(workDirectory="{work}" DefaultNetstreamDriverCAFile="{ca}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="{input}" ruleset="tls")
ruleset(name="tls") {{
  action(type="omfwd" target="127.0.0.1" port="{port}" protocol="tcp"
         StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"
         StreamDriverPermittedPeers="localhost"
         TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
}}
"#,
        work = work.display(),
        ca = certificate.display(),
    );
    let _rsyslogd = Rsyslog::start(dir.path(), &config);
    Rsyslog::wait_forwarding(&server, input).await;

    logger(
        input,
        &[
            "--udp",
            "--rfc5424",
            "--sd-id",
            "deploy@32473",
            "--sd-param",
            "version=\"2.4.1\"",
            "-t",
            "sealed",
            "-p",
            "auth.crit",
            "sent inside TLS",
        ],
    );
    let event = &events_of(&server, "sealed", 1).await[0];
    assert_eq!(event["message"], "sent inside TLS", "{event}");
    assert_eq!(event["level"], "critical", "{event}");
    assert_eq!(event["attributes"]["facility"], "auth", "{event}");
    assert_eq!(
        event["attributes"]["deploy@32473.version"], "2.4.1",
        "{event}"
    );
    assert!(event["attributes"]["host"].is_string(), "{event}");
    assert!(metric(&server, "stored", "tls").await >= 2);
}

#[tokio::test]
async fn plain_text_to_the_tls_port_is_refused_and_tls_goes_on() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let (server, port, certificate) = tls_syslog_server(dir.path()).await;
    let mut plain = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    plain
        .write_all(b"<13>1 - host cleartext - - - not inside TLS\n")
        .await
        .unwrap();
    // The server ends the connection at the failed handshake.
    let mut rest = Vec::new();
    let _ = plain.read_to_end(&mut rest).await;
    wait_for("the failed handshake to be counted", async || {
        (metric(&server, "refused", "tls").await == 1).then_some(())
    })
    .await;

    // A TLS client that trusts the certificate is still served.
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(&certificate).unwrap() {
        roots.add(certificate.unwrap()).unwrap();
    }
    let client = tokio_rustls::rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(client));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    let message = "<11>1 - host sealed - - - after the refusal";
    tls.write_all(format!("{} {message}", message.len()).as_bytes())
        .await
        .unwrap();
    tls.flush().await.unwrap();
    let event = &events_of(&server, "sealed", 1).await[0];
    assert_eq!(event["message"], "after the refusal");
    assert_eq!(event["level"], "error");
    assert!(server.events("?service=cleartext").await.is_empty());
}

async fn metric(server: &Server, outcome: &str, transport: &str) -> u64 {
    let text = server
        .request(Method::GET, "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let prefix = format!(
        "watchtower_syslog_messages_total{{transport=\"{transport}\",outcome=\"{outcome}\"}} "
    );
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0, |value| value.trim().parse().unwrap())
}

#[tokio::test]
async fn garbage_is_kept_raw_a_bad_stream_is_closed_and_the_listener_goes_on() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let (server, port) = syslog_server(dir.path(), None).await;
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.send_to(b"\xff\xfe\x00binary garbage", ("127.0.0.1", port))
        .unwrap();
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    tcp.write_all(b"no priority here\n12x <13>a bad count\n")
        .await
        .unwrap();
    tcp.flush().await.unwrap();

    let kept = events_of(&server, "syslog", 2).await;
    let messages: Vec<&str> = kept
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"\u{FFFD}\u{FFFD}\u{FFFD}binary garbage"),
        "{messages:?}"
    );
    assert!(messages.contains(&"no priority here"), "{messages:?}");
    for event in &kept {
        assert_eq!(event["level"], "warning");
        assert_eq!(event["attributes"]["malformed"], true);
    }
    wait_for("the bad stream to be counted", async || {
        (metric(&server, "dropped", "tcp").await == 1).then_some(())
    })
    .await;

    // The listener goes on: a new connection and a new datagram are stored.
    logger(
        port,
        &[
            "--tcp",
            "--octet-count",
            "-t",
            "after",
            "-p",
            "user.info",
            "still here",
        ],
    );
    logger(
        port,
        &["--udp", "-t", "after", "-p", "user.info", "and here"],
    );
    assert_eq!(events_of(&server, "after", 2).await.len(), 2);
    assert_eq!(metric(&server, "malformed", "udp").await, 1);
    assert_eq!(metric(&server, "malformed", "tcp").await, 1);
    assert!(metric(&server, "stored", "udp").await >= 1);
}

#[tokio::test]
async fn a_source_outside_the_allow_list_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (server, port) = syslog_server(dir.path(), Some(json!(["10.0.0.0/8"]))).await;
    logger(
        port,
        &["--udp", "-t", "stranger", "-p", "user.err", "let me in"],
    );
    logger(
        port,
        &["--tcp", "-t", "stranger", "-p", "user.err", "let me in"],
    );
    wait_for("both refusals counted", async || {
        let refused =
            metric(&server, "refused", "udp").await + metric(&server, "refused", "tcp").await;
        (refused == 2).then_some(())
    })
    .await;
    assert!(
        server
            .events("")
            .await
            .iter()
            .all(|e| e["service"] != "stranger")
    );
}

async fn events_total(server: &Server) -> u64 {
    let text = server
        .request(Method::GET, "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|line| line.starts_with("watchtower_events_total{"))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test]
async fn every_udp_datagram_is_stored_or_counted_as_dropped() {
    const SENT: u64 = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let (server, port) = syslog_server(dir.path(), None).await;
    // Bursts of fifty, faster than the listener reads: the socket's buffer
    // overflows. Paced so that loopback's own backlog (1,000 packets), whose
    // drops no socket sees, does not.
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..SENT {
        let message = format!("<14>1 - host burst - - - datagram {i}");
        udp.send_to(message.as_bytes(), ("127.0.0.1", port))
            .unwrap();
        if i % 50 == 49 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
    let (stored, dropped) = wait_for("every datagram accounted for", async || {
        let stored = metric(&server, "stored", "udp").await;
        let dropped = metric(&server, "dropped", "udp").await;
        (stored + dropped == SENT).then_some((stored, dropped))
    })
    .await;
    wait_for("what was taken to be stored", async || {
        (events_total(&server).await == stored).then_some(())
    })
    .await;
    println!("{stored} stored, {dropped} dropped");
}
