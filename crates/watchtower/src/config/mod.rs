//! The JSON configuration: one `Config` loaded once at start-up and passed down.
//! Unknown keys and bad values stop the start with a message naming the key.

mod alerts;
mod channels;
mod events;
mod password;
mod ping;
mod placeholders;
mod ssl;
mod syslog;
mod validate;
pub use validate::{MIN_PASSWORD_CHARS, check_password_length};
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
pub use syslog::{SyslogConfig, SyslogListenerConfig};
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
    /// Proxies (CIDRs or addresses) whose `X-Forwarded-For` and `Forwarded`
    /// headers name the client; from anyone else, those headers are ignored.
    pub trusted_proxies: Vec<String>,
    /// Sign-on through a trusted proxy (oauth2-proxy, Authelia…).
    pub auth: AuthConfig,
    /// How many pings (pulses, starts, failures, logs) each service keeps in
    /// its history; 0 keeps none.
    pub ping_history: u32,
    /// Syslog listeners (UDP, TCP), whose messages become events.
    pub syslog: SyslogConfig,
}

/// `auth`: a trusted proxy that signs users in names them in `proxyHeader`
/// (`X-Forwarded-User`); `users` gives each its scope. Believed only from
/// `trustedProxies`; a user not listed is refused.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct AuthConfig {
    pub proxy_header: Option<String>,
    pub users: BTreeMap<String, String>,
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
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct MetricsConfig {
    pub token: Option<Secret>,
    /// Per-service series (up, late, paused, last pulse) for at most this many
    /// services, the first by name; 0 turns them off.
    pub service_limit: usize,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            token: None,
            service_limit: DEFAULT_SERVICE_SERIES,
        }
    }
}

/// How many services get per-service series unless the config says otherwise.
pub const DEFAULT_SERVICE_SERIES: usize = 1000;

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
            trusted_proxies: Vec::new(),
            auth: AuthConfig::default(),
            ping_history: crate::monitor::pings::DEFAULT_PING_HISTORY,
            syslog: SyslogConfig::default(),
        }
    }
}

/// Where services, events and alerts are kept.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "backend", rename_all = "lowercase", deny_unknown_fields)]
pub enum StorageConfig {
    /// One SQLite file in `dataDir`: the embedded default, for one node.
    Sqlite(SqliteConfig),
    /// A PostgreSQL database, which several nodes may share.
    Postgres(PostgresConfig),
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self::Sqlite(SqliteConfig::default())
    }
}

/// The SQLite backend's one setting: how large its write-ahead log may grow.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SqliteConfig {
    /// Under load, the writer empties the log once it passes this many MiB (a
    /// short stall of writes); at rest, the log is cut back to this or 64 MiB,
    /// whichever is less.
    #[serde(rename = "walLimitMiB")]
    pub wal_limit_mib: u64,
}

/// The log's bound under load when the config says none: emptying it stalls
/// writes, so the bound is for long bursts, and a pause in the load resets it.
pub const DEFAULT_WAL_LIMIT_MIB: u64 = 1024;

impl Default for SqliteConfig {
    fn default() -> Self {
        Self {
            wal_limit_mib: DEFAULT_WAL_LIMIT_MIB,
        }
    }
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
    /// How long one read of the store (a page of events, statistics, a search)
    /// may run before it is stopped, so that it frees what it holds.
    pub read_timeout: f64,
    /// Heavy reads (statistics, a message search no index serves) running at once;
    /// more wait their turn.
    pub heavy_reads: usize,
    /// Connections one client address may hold open at once; 0 for no cap.
    /// Trusted proxies are exempt.
    pub max_connections_per_client: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_bulk_bytes: 16 * 1024 * 1024,
            max_header_bytes: 64 * 1024,
            header_timeout: 10.0,
            request_timeout: 30.0,
            read_timeout: 10.0,
            heavy_reads: DEFAULT_HEAVY_READS,
            max_connections_per_client: DEFAULT_CONNECTIONS_PER_CLIENT,
        }
    }
}

/// Two: one heavy read never waits for another unless a third comes, and on a
/// two-core machine the writers keep a core whatever runs.
pub const DEFAULT_HEAVY_READS: usize = 2;

/// Enough for any client's pool (browsers open 6, wrk in the benchmarks 128),
/// far below what would cost the server its memory.
pub const DEFAULT_CONNECTIONS_PER_CLIENT: usize = 256;

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
        Self::load_with_source(path).map(|(config, _)| config)
    }

    /// [`Config::load`], also answering the file it read (`None`: the defaults).
    pub fn load_with_source(path: Option<&Path>) -> anyhow::Result<(Self, Option<PathBuf>)> {
        let default_path = Path::new(DEFAULT_CONFIG_PATH);
        let path = match path {
            Some(path) => path,
            None if default_path.exists() => default_path,
            None => return Ok((Self::default(), None)),
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let config = Self::parse(&text)
            .with_context(|| format!("invalid config file {}", path.display()))?;
        Ok((config, Some(path.to_owned())))
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
}

#[cfg(test)]
mod tests;
