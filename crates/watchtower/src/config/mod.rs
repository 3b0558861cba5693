//! The JSON configuration: one `Config` loaded once at start-up and passed down.
//! Unknown keys and bad values stop the start with a message naming the key.

mod alerts;
mod channels;
mod events;
mod password;
mod ping;
mod ssl;
mod watchdog;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::monitor::RestartPolicy;

pub use alerts::{AlertsConfig, EventRuleConfig, FlappingConfig, StormConfig};
pub use channels::{
    ChannelsConfig, ChatWebhooksConfig, ExecCommand, ExecConfig, GotifyConfig, MatrixConfig,
    NtfyConfig, OpsgenieConfig, PagerdutyConfig, TelegramConfig,
};
pub use events::EventsConfig;
pub use password::{PasswordSource, resolve_password};
pub use ping::{AlertmanagerConfig, DeadMansSwitch, PingKeyConfig};
pub use ssl::{AcmeConfig, SslConfig};
pub use watchdog::WatchdogConfig;

/// A config value that cannot be used, named by its key (`alerts.retryMin`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("config key `{key}`: {problem}")]
pub struct ConfigError {
    pub key: String,
    pub problem: String,
}

impl ConfigError {
    pub fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            problem: problem.into(),
        }
    }
}

/// Where the config is looked for when neither `--config` nor `$WATCHTOWER_CONFIG` names one.
pub const DEFAULT_CONFIG_PATH: &str = "config/config.json";

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub password: Option<Secret>,
    pub on_restart: RestartPolicy,
    pub storage: StorageConfig,
    pub events: EventsConfig,
    pub ssl: SslConfig,
    pub mail: Option<MailConfig>,
    pub pushover: Option<PushoverConfig>,
    pub webhooks: BTreeMap<String, WebhookConfig>,
    /// Slack, Teams, Discord, Telegram, ntfy, Gotify, Matrix, PagerDuty, Opsgenie, exec.
    pub channels: ChannelsConfig,
    /// Routes by name: `"alertType": "route", "alertTarget": NAME` alerts each step.
    pub routes: BTreeMap<String, Vec<RouteStep>>,
    /// Keys for the ping URLs of cron scripts and other tools, by name.
    pub ping_keys: BTreeMap<String, PingKeyConfig>,
    /// Prometheus Alertmanager's webhook, as a dead man's switch.
    pub alertmanager: AlertmanagerConfig,
    pub metrics: MetricsConfig,
    pub alerts: AlertsConfig,
    pub watchdog: Option<WatchdogConfig>,
    pub limits: LimitsConfig,
    pub cors: CorsConfig,
}

/// One channel of a route.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteStep {
    pub alert_type: String,
    pub alert_target: String,
}

/// `/metrics` for Prometheus: served without the API password; with a `token`,
/// only to `Authorization: Bearer <token>`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct MetricsConfig {
    pub token: Option<Secret>,
}

/// Browser pages on these origins (`https://app.example.com`, or `*`) may call the
/// API; none by default.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct CorsConfig {
    pub origins: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            password: None,
            on_restart: RestartPolicy::Grace,
            storage: StorageConfig::default(),
            events: EventsConfig::default(),
            ssl: SslConfig::default(),
            mail: None,
            pushover: None,
            webhooks: BTreeMap::new(),
            channels: ChannelsConfig::default(),
            routes: BTreeMap::new(),
            ping_keys: BTreeMap::new(),
            alertmanager: AlertmanagerConfig::default(),
            metrics: MetricsConfig::default(),
            alerts: AlertsConfig::default(),
            watchdog: None,
            limits: LimitsConfig::default(),
            cors: CorsConfig::default(),
        }
    }
}

/// Where services, events and alerts are kept.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(tag = "backend", rename_all = "lowercase", deny_unknown_fields)]
pub enum StorageConfig {
    /// One SQLite file in `dataDir`: the embedded default, for one node.
    #[default]
    Sqlite,
    /// A PostgreSQL database, which several nodes may share.
    Postgres(PostgresConfig),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PostgresConfig {
    /// `postgres://user:password@host:port/database?sslmode=require`; may hold a password.
    pub url: Secret,
    /// Connections this node keeps open at most.
    #[serde(default = "default_pool")]
    pub pool: usize,
    /// A PEM CA certificate to trust besides the system's, for a server with a private CA.
    pub ca_cert: Option<PathBuf>,
}

fn default_pool() -> usize {
    16
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    None,
    #[default]
    Starttls,
    Tls,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MailConfig {
    pub host: String,
    /// Defaults to 25, 587 or 465 according to `security`.
    pub port: Option<u16>,
    #[serde(default)]
    pub security: MailSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
    /// A PEM CA certificate to trust besides the system's, for a relay with a private CA.
    pub ca_cert: Option<PathBuf>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PushoverConfig {
    pub token: Secret,
    #[serde(default = "default_pushover_url")]
    pub url: String,
}

fn default_pushover_url() -> String {
    "https://api.pushover.net/1/messages.json".to_owned()
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WebhookConfig {
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

impl fmt::Debug for WebhookConfig {
    // Header values often carry tokens: show only their names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Bounds on what a client may send; times in seconds.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct LimitsConfig {
    pub max_body_bytes: usize,
    /// For `POST /add-events`.
    pub max_bulk_bytes: usize,
    pub max_header_bytes: usize,
    pub header_timeout: f64,
    pub request_timeout: f64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_bulk_bytes: 16 * 1024 * 1024,
            max_header_bytes: 64 * 1024,
            header_timeout: 10.0,
            request_timeout: 30.0,
        }
    }
}

/// A secret that never shows in `Debug` output or logs.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Config {
    /// Loads `path`, else `config/config.json` when it exists, else the defaults.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let default_path = Path::new(DEFAULT_CONFIG_PATH);
        let path = match path {
            Some(path) => path,
            None if default_path.exists() => default_path,
            None => return Ok(Self::default()),
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("invalid config file {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let deserializer = &mut serde_json::Deserializer::from_str(text);
        let config: Self = serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let key = error.path().to_string();
            anyhow::anyhow!("config key `{key}`: {}", error.inner())
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let positive = |key: &str, value: f64| {
            if value.is_finite() && value > 0.0 {
                Ok(())
            } else {
                Err(ConfigError::new(
                    key.to_owned(),
                    "must be a positive number of seconds",
                ))
            }
        };
        self.events.validate()?;
        if let Some(watchdog) = &self.watchdog {
            watchdog.validate()?;
        }
        self.alerts.validate()?;
        self.ssl.validate()?;
        for origin in &self.cors.origins {
            if origin != "*" {
                let url = reqwest::Url::parse(origin).ok();
                let bare = url.as_ref().is_some_and(|url| {
                    matches!(url.scheme(), "http" | "https")
                        && url.path() == "/"
                        && !origin.ends_with('/')
                        && url.query().is_none()
                });
                if !bare {
                    return Err(ConfigError::new(
                        "cors.origins",
                        format!(
                            "`{origin}` is not an origin such as https://app.example.com, or `*`"
                        ),
                    ));
                }
            }
        }
        positive("limits.headerTimeout", self.limits.header_timeout)?;
        positive("limits.requestTimeout", self.limits.request_timeout)?;
        if self.limits.max_body_bytes == 0 {
            return Err(ConfigError::new(
                "limits.maxBodyBytes",
                "must be at least 1",
            ));
        }
        if self.limits.max_bulk_bytes == 0 {
            return Err(ConfigError::new(
                "limits.maxBulkBytes",
                "must be at least 1",
            ));
        }
        if self.limits.max_header_bytes < 8192 {
            return Err(ConfigError::new(
                "limits.maxHeaderBytes",
                "must be at least 8192",
            ));
        }
        if self
            .password
            .as_ref()
            .is_some_and(|password| password.expose().is_empty())
        {
            return Err(ConfigError::new(
                "password",
                "must not be empty (leave it out to generate one)",
            ));
        }
        if let StorageConfig::Postgres(postgres) = &self.storage {
            if postgres.pool < 2 {
                return Err(ConfigError::new("storage.pool", "must be at least 2"));
            }
            postgres_url(postgres.url.expose())
                .map_err(|problem| ConfigError::new("storage.url", problem))?;
        }
        if let Some(mail) = &self.mail {
            mail.from.parse::<lettre::message::Mailbox>().map_err(|e| {
                ConfigError::new("mail.from", format!("not an e-mail address: {e}"))
            })?;
        }
        if let Some(pushover) = &self.pushover {
            http_url(&pushover.url).map_err(|problem| ConfigError::new("pushover.url", problem))?;
        }
        self.channels.validate(http_url)?;
        ping::validate(&self.ping_keys)?;
        for (name, switch) in &self.alertmanager.alerts {
            let at = |field: &str| format!("alertmanager.alerts.{name}.{field}");
            crate::monitor::ServiceName::parse("service", &switch.service)
                .map_err(|e| ConfigError::new(at("service"), e.problem))?;
            crate::monitor::NextIn::parse(switch.next_in)
                .map_err(|e| ConfigError::new(at("nextIn"), e.problem))?;
        }
        for (name, webhook) in &self.webhooks {
            http_url(&webhook.url)
                .map_err(|problem| ConfigError::new(format!("webhooks.{name}.url"), problem))?;
            for (header, value) in &webhook.headers {
                let key = || format!("webhooks.{name}.headers.{header}");
                reqwest::header::HeaderName::from_bytes(header.as_bytes())
                    .map_err(|_| ConfigError::new(key(), "not a valid header name"))?;
                reqwest::header::HeaderValue::from_str(value)
                    .map_err(|_| ConfigError::new(key(), "not a valid header value"))?;
            }
        }
        Ok(())
    }
}

/// A PostgreSQL URL or key=value connection string, checked for its shape here;
/// the store parses it fully when it connects.
fn postgres_url(text: &str) -> Result<(), String> {
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        reqwest::Url::parse(text)
            .map(drop)
            .map_err(|error| format!("not a PostgreSQL URL: {error}"))
    } else if text.contains('=') {
        Ok(())
    } else {
        Err("not a PostgreSQL URL (postgres://user@host/database) or key=value string".into())
    }
}

fn http_url(text: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(text).map_err(|error| format!("not a URL: {error}"))?;
    match url.scheme() {
        "http" | "https" => Ok(()),
        other => Err(format!("scheme `{other}` is not http or https")),
    }
}

#[cfg(test)]
mod tests;
