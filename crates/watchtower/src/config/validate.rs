//! The checks that serde cannot make: ranges, URLs, addresses and names, each
//! failure naming its key. Run once, when the config is loaded.

use super::{
    Config, ConfigError, CorsConfig, LimitsConfig, MailConfig, PushoverConfig, StorageConfig,
    WebhookConfig, ping,
};
use crate::monitor::pings::MAX_PING_HISTORY;
use crate::monitor::{NextIn, ServiceName};

impl Config {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        super::placeholders::check(self)?;
        self.events.validate()?;
        if let Some(watchdog) = &self.watchdog {
            watchdog.validate()?;
        }
        self.alerts.validate()?;
        self.ssl.validate()?;
        cors(&self.cors)?;
        crate::auth::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|problem| ConfigError::new("trustedProxies", problem))?;
        proxy_sign_on(self)?;
        self.syslog
            .validate(self.ssl.enabled || self.ssl.acme.is_some())?;
        limits(&self.limits)?;
        if let Some(password) = &self.password {
            check_password_length(password.expose())
                .map_err(|problem| ConfigError::new("password", problem))?;
        }
        storage(&self.storage)?;
        channels(self)?;
        ping::validate(&self.ping_keys)?;
        if self.ping_history > MAX_PING_HISTORY {
            return Err(ConfigError::new(
                "pingHistory",
                format!("must be at most {MAX_PING_HISTORY} pings a service (0 keeps none)"),
            ));
        }
        for (name, switch) in &self.alertmanager.alerts {
            let at = |field: &str| format!("alertmanager.alerts.{name}.{field}");
            ServiceName::parse("service", &switch.service)
                .map_err(|e| ConfigError::new(at("service"), e.problem))?;
            NextIn::parse(switch.next_in).map_err(|e| ConfigError::new(at("nextIn"), e.problem))?;
        }
        Ok(())
    }
}

/// A proxy header is believed from trusted proxies only, so it needs some; each
/// user's scope is one of the four.
fn proxy_sign_on(config: &Config) -> Result<(), ConfigError> {
    let auth = &config.auth;
    if let Some(header) = &auth.proxy_header {
        reqwest::header::HeaderName::from_bytes(header.as_bytes())
            .map_err(|_| ConfigError::new("auth.proxyHeader", "not a valid header name"))?;
        if config.trusted_proxies.is_empty() {
            return Err(ConfigError::new(
                "auth.proxyHeader",
                "is believed only from trustedProxies, and none are listed",
            ));
        }
    } else if !auth.users.is_empty() {
        return Err(ConfigError::new("auth.users", "needs auth.proxyHeader"));
    }
    for (user, scope) in &auth.users {
        crate::auth::Scope::parse("scope", scope)
            .map_err(|e| ConfigError::new(format!("auth.users.{user}"), e.problem))?;
    }
    Ok(())
}

/// The shortest password: anyone who can reach the port may guess, and a short
/// one falls to guessing even when throttled.
pub const MIN_PASSWORD_CHARS: usize = 16;

pub fn check_password_length(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    match length < MIN_PASSWORD_CHARS {
        true => Err(format!(
            "has {length} characters; at least {MIN_PASSWORD_CHARS} are required (leave it out to have a long one generated)"
        )),
        false => Ok(()),
    }
}

fn cors(cors: &CorsConfig) -> Result<(), ConfigError> {
    for origin in cors.origins.iter().filter(|origin| *origin != "*") {
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
                format!("`{origin}` is not an origin such as https://app.example.com, or `*`"),
            ));
        }
    }
    Ok(())
}

fn limits(limits: &LimitsConfig) -> Result<(), ConfigError> {
    let positive = |key: &str, value: f64| match value.is_finite() && value > 0.0 {
        true => Ok(()),
        false => Err(ConfigError::new(
            key,
            "must be a positive number of seconds",
        )),
    };
    positive("limits.headerTimeout", limits.header_timeout)?;
    positive("limits.requestTimeout", limits.request_timeout)?;
    positive("limits.readTimeout", limits.read_timeout)?;
    if !(1..=64).contains(&limits.heavy_reads) {
        return Err(ConfigError::new(
            "limits.heavyReads",
            "must be from 1 to 64",
        ));
    }
    if limits.max_body_bytes == 0 {
        return Err(ConfigError::new(
            "limits.maxBodyBytes",
            "must be at least 1",
        ));
    }
    if limits.max_bulk_bytes == 0 {
        return Err(ConfigError::new(
            "limits.maxBulkBytes",
            "must be at least 1",
        ));
    }
    if limits.max_header_bytes < 8192 {
        return Err(ConfigError::new(
            "limits.maxHeaderBytes",
            "must be at least 8192",
        ));
    }
    Ok(())
}

fn storage(storage: &StorageConfig) -> Result<(), ConfigError> {
    if let StorageConfig::Sqlite(sqlite) = storage
        && !(4..=65_536).contains(&sqlite.wal_limit_mib)
    {
        return Err(ConfigError::new(
            "storage.walLimitMiB",
            "must be from 4 to 65536 (MiB)",
        ));
    }
    if let StorageConfig::Postgres(postgres) = storage {
        if postgres.pool < 2 {
            return Err(ConfigError::new("storage.pool", "must be at least 2"));
        }
        postgres_url(postgres.url.expose())
            .map_err(|problem| ConfigError::new("storage.url", problem))?;
    }
    Ok(())
}

/// Mail, Pushover, webhooks and the other channels.
fn channels(config: &Config) -> Result<(), ConfigError> {
    if let Some(MailConfig { from, .. }) = &config.mail {
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| ConfigError::new("mail.from", format!("not an e-mail address: {e}")))?;
    }
    if let Some(PushoverConfig { url, .. }) = &config.pushover {
        http_url(url).map_err(|problem| ConfigError::new("pushover.url", problem))?;
    }
    config.channels.validate(http_url)?;
    for (name, webhook) in &config.webhooks {
        webhook_config(name, webhook)?;
    }
    Ok(())
}

fn webhook_config(name: &str, webhook: &WebhookConfig) -> Result<(), ConfigError> {
    http_url(&webhook.url)
        .map_err(|problem| ConfigError::new(format!("webhooks.{name}.url"), problem))?;
    for (header, value) in &webhook.headers {
        let key = || format!("webhooks.{name}.headers.{header}");
        reqwest::header::HeaderName::from_bytes(header.as_bytes())
            .map_err(|_| ConfigError::new(key(), "not a valid header name"))?;
        reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| ConfigError::new(key(), "not a valid header value"))?;
    }
    Ok(())
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

pub(super) fn http_url(text: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(text).map_err(|error| format!("not a URL: {error}"))?;
    if url
        .host_str()
        .is_some_and(super::placeholders::is_reserved_host)
    {
        return Err(format!(
            "`{text}`: the host is a name reserved for examples, which receives nothing"
        ));
    }
    match url.scheme() {
        "http" | "https" => Ok(()),
        other => Err(format!("scheme `{other}` is not http or https")),
    }
}
