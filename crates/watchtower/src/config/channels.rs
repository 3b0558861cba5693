//! The config of the chat, paging and command channels. Every URL and secret
//! lives here; a pulse's `alertTarget` only names a recipient: a configured name,
//! a chat id, a topic or a room. Base URLs are settable for self-hosted servers.

use super::ConfigError;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::Secret;

/// Incoming webhooks by name (Slack, Microsoft Teams, Discord): their URLs hold tokens.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChatWebhooksConfig {
    pub webhooks: BTreeMap<String, Secret>,
}

/// Telegram's bot API: `alertTarget` is a chat id (`-1001234567890`) or `@channel`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TelegramConfig {
    pub token: Secret,
    #[serde(default = "default_telegram_url")]
    pub url: String,
}

fn default_telegram_url() -> String {
    "https://api.telegram.org".to_owned()
}

/// ntfy: `alertTarget` is a topic on `url` (ntfy.sh or a server of your own).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NtfyConfig {
    #[serde(default = "default_ntfy_url")]
    pub url: String,
    /// An access token, sent as `Authorization: Bearer`.
    pub token: Option<Secret>,
}

fn default_ntfy_url() -> String {
    "https://ntfy.sh".to_owned()
}

/// Gotify: `alertTarget` names one of `apps`, each an application token.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GotifyConfig {
    pub url: String,
    pub apps: BTreeMap<String, Secret>,
}

/// Matrix, as a user with an access token: `alertTarget` is a room id (`!abc:example.org`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MatrixConfig {
    pub homeserver: String,
    pub access_token: Secret,
}

/// PagerDuty Events API v2: `alertTarget` names one of `services`, each an integration
/// (routing) key. Recoveries resolve the incident.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PagerdutyConfig {
    #[serde(default = "default_pagerduty_url")]
    pub url: String,
    pub services: BTreeMap<String, Secret>,
}

fn default_pagerduty_url() -> String {
    "https://events.pagerduty.com/v2/enqueue".to_owned()
}

/// Opsgenie's Alert API: `alertTarget` names one of `keys`, each an API integration key.
/// Recoveries close the alert.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OpsgenieConfig {
    /// `https://api.eu.opsgenie.com` for the EU instance.
    #[serde(default = "default_opsgenie_url")]
    pub url: String,
    pub keys: BTreeMap<String, Secret>,
}

fn default_opsgenie_url() -> String {
    "https://api.opsgenie.com".to_owned()
}

/// Commands run for an alert: `alertTarget` names one. Never a command a client sends.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExecConfig {
    pub commands: BTreeMap<String, ExecCommand>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExecCommand {
    /// The program and its arguments; no shell.
    pub command: Vec<String>,
    /// Seconds it may run (default: `alerts.timeout`).
    pub timeout: Option<f64>,
    /// The working directory (default: the server's).
    pub dir: Option<PathBuf>,
}

/// The channels section of the config, as the registry reads it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct ChannelsConfig {
    pub slack: Option<ChatWebhooksConfig>,
    pub teams: Option<ChatWebhooksConfig>,
    pub discord: Option<ChatWebhooksConfig>,
    pub telegram: Option<TelegramConfig>,
    pub ntfy: Option<NtfyConfig>,
    pub gotify: Option<GotifyConfig>,
    pub matrix: Option<MatrixConfig>,
    pub pagerduty: Option<PagerdutyConfig>,
    pub opsgenie: Option<OpsgenieConfig>,
    pub exec: Option<ExecConfig>,
}

impl ChannelsConfig {
    /// Every URL is http(s); every exec command names a program.
    pub fn validate(
        &self,
        http_url: impl Fn(&str) -> Result<(), String>,
    ) -> Result<(), ConfigError> {
        let check = |key: String, url: &str| {
            http_url(url).map_err(|problem| ConfigError::new(key, problem))
        };
        for (channel, hooks) in [
            ("slack", &self.slack),
            ("teams", &self.teams),
            ("discord", &self.discord),
        ] {
            for (name, url) in hooks.iter().flat_map(|h| &h.webhooks) {
                check(format!("channels.{channel}.webhooks.{name}"), url.expose())?;
            }
        }
        if let Some(telegram) = &self.telegram {
            check("channels.telegram.url".into(), &telegram.url)?;
        }
        if let Some(ntfy) = &self.ntfy {
            check("channels.ntfy.url".into(), &ntfy.url)?;
        }
        if let Some(gotify) = &self.gotify {
            check("channels.gotify.url".into(), &gotify.url)?;
        }
        if let Some(matrix) = &self.matrix {
            check("channels.matrix.homeserver".into(), &matrix.homeserver)?;
        }
        if let Some(pagerduty) = &self.pagerduty {
            check("channels.pagerduty.url".into(), &pagerduty.url)?;
        }
        if let Some(opsgenie) = &self.opsgenie {
            check("channels.opsgenie.url".into(), &opsgenie.url)?;
        }
        for (name, command) in self.exec.iter().flat_map(|e| &e.commands) {
            let key = || format!("channels.exec.commands.{name}");
            if command
                .command
                .first()
                .is_none_or(|program| program.is_empty())
            {
                return Err(ConfigError::new(
                    format!("{}.command", key()),
                    "must name a program",
                ));
            }
            if command.timeout.is_some_and(|t| !(t.is_finite() && t > 0.0)) {
                return Err(ConfigError::new(
                    format!("{}.timeout", key()),
                    "must be a positive number of seconds",
                ));
            }
        }
        Ok(())
    }
}
