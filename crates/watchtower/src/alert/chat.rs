//! Chat incoming webhooks (Slack, Microsoft Teams, Discord): a JSON POST to a
//! webhook URL kept in the config under a name; the pulse's `alertTarget` is the name.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::channel::{Channel, Named, TargetForm};
use super::{AlertKind, QueuedAlert, SendError, deliver};
use crate::config::{ChatWebhooksConfig, Secret};
use crate::field::InvalidField;
use crate::monitor::AlertType;
use crate::time::Timestamp;

pub struct ChatWebhooks {
    kind: AlertType,
    http: reqwest::Client,
    hooks: Named<Secret>,
}

impl ChatWebhooks {
    pub fn new(kind: AlertType, config: &ChatWebhooksConfig, http: reqwest::Client) -> Self {
        let what = match kind {
            AlertType::Teams => "Teams webhook",
            AlertType::Discord => "Discord webhook",
            _ => "Slack webhook",
        };
        Self {
            kind,
            http,
            hooks: Named::new(what, config.webhooks.clone()),
        }
    }
}

/// Red for bad news, green for good, amber for the rest.
fn colour(alert: &QueuedAlert) -> u32 {
    match (alert.kind, alert.status()) {
        (AlertKind::Up, _) | (_, "up") => 0x2E_B8_86,
        (AlertKind::Down | AlertKind::Reminder, _) | (_, "dead") => 0xD7_00_00,
        _ => 0xE6_A1_00,
    }
}

/// The body each service's incoming webhooks document.
fn body(kind: AlertType, alert: &QueuedAlert, now: Timestamp) -> Value {
    let notice = alert.notice(now);
    let colour = colour(alert);
    match kind {
        // https://api.slack.com/messaging/webhooks: `text` is the fallback; blocks carry the layout.
        AlertType::Slack => json!({
            "text": format!("{}\n{}", notice.title, notice.message),
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": notice.title}},
                {"type": "section", "text": {"type": "mrkdwn", "text": format!("```{}```", notice.message)}},
            ],
        }),
        // Office 365 connector card (MessageCard), which Teams incoming webhooks take.
        AlertType::Teams => json!({
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": notice.title,
            "themeColor": format!("{colour:06X}"),
            "title": notice.title,
            "text": notice.message.replace('\n', "<br>"),
        }),
        // https://discord.com/developers/docs/resources/webhook#execute-webhook
        _ => json!({
            "username": "Watchtower",
            "embeds": [{
                "title": truncate(&notice.title, 256),
                "description": truncate(&notice.message, 4096),
                "color": colour,
            }],
            "allowed_mentions": {"parse": []},
        }),
    }
}

/// Cuts `text` to at most `limit` characters (the APIs refuse longer fields).
fn truncate(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit.saturating_sub(1)) {
        Some((end, _)) if text.chars().count() > limit => format!("{}…", &text[..end]),
        _ => text.to_owned(),
    }
}

#[async_trait]
impl Channel for ChatWebhooks {
    fn validate(&self, target: &str) -> Result<(), InvalidField> {
        self.hooks.validate(target)
    }

    fn target_form(&self) -> TargetForm {
        self.hooks.form()
    }

    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        let url = self.hooks.get(&alert.route.target)?;
        // The webhook's URL is its credential: `deliver` quotes no more than its origin.
        deliver(
            self.http
                .post(url.expose())
                .json(&body(self.kind, alert, now)),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_fields_are_cut_to_the_apis_limits() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate(&"é".repeat(300), 256).chars().count(), 256);
    }
}
