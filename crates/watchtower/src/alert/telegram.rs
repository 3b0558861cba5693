//! Telegram alerts: the Bot API's `sendMessage` to a chat id or an `@channel`,
//! as the bot whose token the config holds.

use async_trait::async_trait;
use serde_json::json;

use super::channel::{Channel, TargetForm};
use super::{QueuedAlert, SendError, deliver_hiding};
use crate::config::{Secret, TelegramConfig};
use crate::field::InvalidField;
use crate::time::Timestamp;

/// Telegram refuses longer messages ("1-4096 characters after entities parsing").
const MAX_TEXT: usize = 4096;

pub struct Telegram {
    http: reqwest::Client,
    token: Secret,
    /// The Bot API's base URL, without a trailing slash.
    url: String,
}

impl Telegram {
    pub fn new(config: &TelegramConfig, http: reqwest::Client) -> Self {
        Self {
            http,
            token: config.token.clone(),
            url: config.url.trim_end_matches('/').to_owned(),
        }
    }
}

/// A numeric chat id (groups and channels are negative), or a public channel's
/// `@username`: 5 to 32 letters, digits and underscores.
fn validate_chat(target: &str) -> Result<(), InvalidField> {
    let digits = target.strip_prefix('-').unwrap_or(target);
    let is_id = (1..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    let is_username = target.strip_prefix('@').is_some_and(|name| {
        (5..=32).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    });
    if is_id || is_username {
        Ok(())
    } else {
        Err(InvalidField::new(
            "alertTarget",
            "a Telegram chat is a chat id (`-1001234567890`) or a channel's `@username` \
             (5 to 32 letters, digits and underscores)",
        ))
    }
}

/// Cuts `text` so that it fits in `limit` UTF-16 code units, ending with `…` when
/// cut. Telegram counts in UTF-16 units, so an emoji counts twice; counting them
/// that way is never too long, whichever way the server counts.
fn truncate(text: &str, limit: usize) -> String {
    if text.encode_utf16().count() <= limit {
        return text.to_owned();
    }
    let budget = limit.saturating_sub(1); // room for the `…`
    let mut used = 0;
    let mut cut = String::new();
    for c in text.chars() {
        used += c.len_utf16();
        if used > budget {
            break;
        }
        cut.push(c);
    }
    cut.push('…');
    cut
}

#[async_trait]
impl Channel for Telegram {
    fn validate(&self, target: &str) -> Result<(), InvalidField> {
        validate_chat(target)
    }

    fn target_form(&self) -> TargetForm {
        TargetForm::Pattern {
            pattern: "^(-?[0-9]{1,20}|@[A-Za-z0-9_]{5,32})$",
            max_chars: 33,
            except: &[],
        }
    }

    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        let notice = alert.notice(now);
        let text = truncate(&format!("{}\n\n{}", notice.title, notice.message), MAX_TEXT);
        // https://core.telegram.org/bots/api#sendmessage: plain text (no parse_mode),
        // so that a service name is never read as markup.
        let body = json!({
            "chat_id": alert.route.target,
            "text": text,
            "disable_web_page_preview": true,
        });
        let url = format!("{}/bot{}/sendMessage", self.url, self.token.expose());
        // The bot token is in the URL: no error may quote it, nor an answer echoing it.
        deliver_hiding(self.http.post(url).json(&body), &[self.token.expose()]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_ids_and_channel_usernames_are_accepted() {
        for target in [
            "123456789",
            "-1001234567890",
            "@my_channel",
            "@abcde",
            &format!("@{}", "a".repeat(32)),
        ] {
            assert!(validate_chat(target).is_ok(), "{target}");
        }
    }

    #[test]
    fn anything_else_is_refused_naming_the_field() {
        for target in [
            "",
            "-",
            "12a",
            "--1",
            "@abcd",
            "@with-dash",
            "@",
            "https://t.me/x",
            "@é_chan",
            &format!("@{}", "a".repeat(33)),
        ] {
            let error = validate_chat(target).expect_err(target);
            assert_eq!(error.field, "alertTarget");
        }
    }

    #[test]
    fn long_text_is_cut_to_telegrams_limit_in_utf16_units() {
        assert_eq!(truncate("short", MAX_TEXT), "short");
        let exact = "a".repeat(MAX_TEXT);
        assert_eq!(truncate(&exact, MAX_TEXT), exact);
        let cut = truncate(&"a".repeat(5000), MAX_TEXT);
        assert_eq!(cut.chars().count(), MAX_TEXT);
        assert!(cut.ends_with('…'));
        // Emoji take two UTF-16 units each: 2047 of them and the `…` fit.
        let cut = truncate(&"🚨".repeat(3000), MAX_TEXT);
        assert_eq!(cut.encode_utf16().count(), 2047 * 2 + 1);
    }

    #[tokio::test]
    async fn a_failed_request_never_shows_the_token_in_its_url() {
        use crate::alert::{AlertDetails, AlertKind};
        use crate::monitor::{AlertRoute, AlertType, ServiceName};
        // A port held bound but not listening: the connection is refused, and no
        // other process can take the port while the test runs.
        let held = tokio::net::TcpSocket::new_v4().unwrap();
        held.bind(([127, 0, 0, 1], 0).into()).unwrap();
        let port = held.local_addr().unwrap().port();
        let config = TelegramConfig {
            token: Secret::new("123456:SECRET-bot-token".into()),
            url: format!("http://127.0.0.1:{port}"),
        };
        let telegram = Telegram::new(&config, reqwest::Client::new());
        let at = Timestamp::from_millis(1_700_000_000_000);
        let alert = QueuedAlert {
            id: 1,
            kind: AlertKind::Down,
            service: ServiceName::parse("service", "backup").unwrap(),
            route: AlertRoute {
                kind: AlertType::Telegram,
                target: "-100123".into(),
            },
            last_pulse: at,
            deadline: at,
            down_since: at,
            created: at,
            attempts: 0,
            details: AlertDetails::default(),
        };
        match telegram.send(&alert, at).await {
            Err(SendError::Transient(error)) => assert!(!error.contains("SECRET"), "{error}"),
            other => panic!("expected a transient error, got {other:?}"),
        }
    }
}
