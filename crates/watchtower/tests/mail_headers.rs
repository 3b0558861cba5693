//! Alert mail carries the headers that spam filters look for: `Date`,
//! `MIME-Version` and a `Message-ID` in the sender's domain, read from the raw
//! message a real SMTP server received.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::{Server, SmtpSink, wait_for};

/// The header `name` of the raw message `data` (its first line; none is folded here).
fn header<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    let mut head = data.lines().take_while(|line| !line.is_empty());
    head.find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[tokio::test]
async fn alert_mail_has_a_date_a_mime_version_and_a_message_id_in_the_senders_domain() {
    let smtp = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let mail = json!({"host": "127.0.0.1", "port": smtp.port(), "security": "none",
                      "from": "Watchtower <alerts@mail.example.org>"});
    let alerts = json!({"timeout": 2, "retryMin": 0.2, "retryMax": 1});
    let server = Server::start(dir.path(), json!({"mail": mail, "alerts": alerts})).await;
    server.pulse("backup", "mail", "ops@example.com", 0.1).await;
    let down = smtp.wait_for_messages(1).await;
    wait_for("backup to be dead", async || {
        (server.status_of("backup").await.as_deref() == Some("dead")).then_some(())
    })
    .await;
    server
        .pulse("backup", "mail", "ops@example.com", 60.0)
        .await;
    let mails = smtp.wait_for_messages(2).await;
    assert_eq!(down[0], mails[0]);

    let mut ids = Vec::new();
    for mail in &mails {
        let data = mail["data"].as_str().unwrap();
        assert_eq!(header(data, "MIME-Version"), Some("1.0"), "{data}");
        let date = header(data, "Date").unwrap_or_else(|| panic!("no Date: {data}"));
        let sent = chrono::DateTime::parse_from_rfc2822(date).unwrap();
        let age = chrono::Utc::now().signed_duration_since(sent);
        assert!(age.num_seconds().abs() < 60, "Date: {date}");
        let id = header(data, "Message-ID").unwrap_or_else(|| panic!("no Message-ID: {data}"));
        let inner = id.strip_prefix('<').and_then(|id| id.strip_suffix('>'));
        let (local, domain) = inner.and_then(|id| id.split_once('@')).unwrap();
        assert_eq!(domain, "mail.example.org", "{id}");
        assert!(!local.is_empty(), "{id}");
        ids.push(id.to_owned());
    }
    assert_ne!(ids[0], ids[1], "each alert is a message of its own");
}
