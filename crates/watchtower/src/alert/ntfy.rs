//! ntfy alerts: a plain-text POST to a topic on ntfy.sh or a server of your own,
//! with the title, priority and tags in headers.

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::channel::{Channel, TargetForm};
use super::{AlertKind, QueuedAlert, SendError, deliver};
use crate::config::{NtfyConfig, Secret};
use crate::field::InvalidField;
use crate::time::Timestamp;

/// ntfy keeps at most this many bytes as the message; a longer body becomes an
/// attachment, or is refused where attachments are off.
const MAX_BODY: usize = 4096;

/// Paths that ntfy keeps for itself: no topic can have these names.
const RESERVED: [&str; 10] = [
    "docs", "static", "file", "app", "metrics", "account", "settings", "signup", "login", "v1",
];

pub struct Ntfy {
    http: reqwest::Client,
    /// The server's base URL, without a trailing slash.
    url: String,
    token: Option<Secret>,
}

impl Ntfy {
    pub fn new(config: &NtfyConfig, http: reqwest::Client) -> Self {
        Self {
            http,
            url: config.url.trim_end_matches('/').to_owned(),
            token: config.token.clone(),
        }
    }
}

/// A topic becomes a path segment: only the characters ntfy allows in topic
/// names, so that no `/` or `..` can lead the request elsewhere on the server.
fn validate_topic(target: &str) -> Result<(), InvalidField> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    if !(1..=64).contains(&target.len()) || !target.bytes().all(allowed) {
        return Err(InvalidField::new(
            "alertTarget",
            "an ntfy topic is 1 to 64 letters, digits, `_` and `-`",
        ));
    }
    if RESERVED.contains(&target) {
        return Err(InvalidField::new(
            "alertTarget",
            format!("`{target}` is a path that ntfy reserves, not a topic"),
        ));
    }
    Ok(())
}

/// ntfy's priorities: waking someone up for an outage, not for good news.
fn priority(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Down | AlertKind::Reminder | AlertKind::Flapping => "urgent",
        AlertKind::Up | AlertKind::Stable | AlertKind::Test => "default",
        AlertKind::Digest | AlertKind::Event => "high",
    }
}

/// An emoji shortcode that ntfy shows before the title.
fn tags(alert: &QueuedAlert) -> &'static str {
    match alert.status() {
        "dead" => "rotating_light",
        "up" => "white_check_mark",
        _ => "warning",
    }
}

/// A header value that ntfy reads back as `text`. HTTP headers carry visible
/// ASCII safely; anything else (an accented service name) goes as an RFC 2047
/// encoded word, which ntfy decodes. Text that already looks like an encoded
/// word is encoded too, so that it arrives as written.
fn header_text(text: &str) -> String {
    let plain = text.bytes().all(|b| matches!(b, b' '..=b'~'));
    if plain && !text.contains("=?") {
        text.to_owned()
    } else {
        format!("=?UTF-8?B?{}?=", STANDARD.encode(text))
    }
}

/// Cuts `text` to at most `limit` bytes on a character boundary.
fn truncate_bytes(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let end = (0..=limit)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    &text[..end]
}

#[async_trait]
impl Channel for Ntfy {
    fn validate(&self, target: &str) -> Result<(), InvalidField> {
        validate_topic(target)
    }

    fn target_form(&self) -> TargetForm {
        TargetForm::Pattern {
            pattern: "^[A-Za-z0-9_-]{1,64}$",
            max_chars: 64,
            except: &RESERVED,
        }
    }

    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        // Checked again: a pulse stored before this check existed must not reach another path.
        validate_topic(&alert.route.target).map_err(|e| SendError::Permanent(e.to_string()))?;
        let notice = alert.notice(now);
        // https://docs.ntfy.sh/publish/
        let mut request = self
            .http
            .post(format!("{}/{}", self.url, alert.route.target))
            .header("Title", header_text(&notice.title))
            .header("Priority", priority(alert.kind))
            .header("Tags", tags(alert))
            .header("Content-Type", "text/plain; charset=utf-8")
            .body(truncate_bytes(&notice.message, MAX_BODY).to_owned());
        if let Some(token) = &self.token {
            // Marked sensitive by reqwest, so it never shows in a debug print.
            request = request.bearer_auth(token.expose());
        }
        deliver(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_single_safe_path_segments() {
        let long = "a".repeat(64);
        for topic in ["alerts", "ops_team-1", "A", long.as_str()] {
            assert!(validate_topic(topic).is_ok(), "{topic}");
        }
        let too_long = "a".repeat(65);
        for topic in [
            "",
            "a/b",
            "..",
            "../v1/account",
            "a b",
            "été",
            "a?x=1",
            "a%2F",
            too_long.as_str(),
            "v1",
            "docs",
        ] {
            let error = validate_topic(topic).expect_err(topic);
            assert_eq!(error.field, "alertTarget");
        }
    }

    #[test]
    fn ascii_titles_go_as_they_are_and_others_as_encoded_words() {
        assert_eq!(header_text("backup is DOWN"), "backup is DOWN");
        // "sauvegarde-été is DOWN" in base64.
        assert_eq!(
            header_text("sauvegarde-été is DOWN"),
            "=?UTF-8?B?c2F1dmVnYXJkZS3DqXTDqSBpcyBET1dO?="
        );
        assert!(header_text("=?UTF-8?B?eA==?=").starts_with("=?UTF-8?B?PT9"));
        assert!(header_text("tab\there").starts_with("=?UTF-8?B?"));
    }

    #[test]
    fn priorities_follow_the_news() {
        assert_eq!(priority(AlertKind::Down), "urgent");
        assert_eq!(priority(AlertKind::Reminder), "urgent");
        assert_eq!(priority(AlertKind::Up), "default");
        assert_eq!(priority(AlertKind::Digest), "high");
    }

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary() {
        assert_eq!(truncate_bytes("short", MAX_BODY), "short");
        assert_eq!(truncate_bytes(&"é".repeat(3000), MAX_BODY).len(), MAX_BODY);
        // Three bytes each: 1365 of them fill 4095 bytes.
        assert_eq!(
            truncate_bytes(&"€".repeat(3000), MAX_BODY).len(),
            MAX_BODY - 1
        );
    }
}
