//! The `pingKeys` section: keys that existing cron scripts and tools put in a URL
//! (healthchecks-style `/ping/<key>/<service>`, Uptime Kuma-style `/api/push/<key>`).
//! A key can pulse, fail and log, nothing else.

use super::ConfigError;

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Secret;
use crate::monitor::{NextIn, ServiceName};

/// The shortest key: a key in a URL is a password, and may end up in logs of proxies.
pub const MIN_PING_KEY_CHARS: usize = 16;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PingKeyConfig {
    pub key: Secret,
    /// The one service this key pulses, for `/api/push/<key>` without `service=`.
    pub service: Option<String>,
    /// The key pings only services whose names start with this…
    pub prefix: Option<String>,
    /// …or are in this list. With neither, it may ping any service, and the
    /// server warns at start.
    #[serde(default)]
    pub services: Vec<String>,
    /// Seconds to the next ping for a service that gives none and has none yet.
    #[serde(default = "default_next_in")]
    pub next_in: f64,
    /// Where alerts of services first seen through this key go.
    pub alert_type: Option<String>,
    pub alert_target: Option<String>,
}

fn default_next_in() -> f64 {
    86_400.0
}

/// Keys are long enough, distinct, and give both parts of an alert route or neither.
pub fn validate(keys: &BTreeMap<String, PingKeyConfig>) -> Result<(), ConfigError> {
    let mut seen = std::collections::HashSet::new();
    for (name, key) in keys {
        let at = |field: &str| format!("pingKeys.{name}.{field}");
        let text = key.key.expose();
        if text.chars().count() < MIN_PING_KEY_CHARS
            || !text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        {
            return Err(ConfigError::new(
                at("key"),
                format!("must be at least {MIN_PING_KEY_CHARS} letters, digits, `-` or `_`"),
            ));
        }
        if !seen.insert(text) {
            return Err(ConfigError::new(
                at("key"),
                "is the key of another ping key",
            ));
        }
        if key.alert_type.is_some() != key.alert_target.is_some() {
            return Err(ConfigError::new(
                at("alertType"),
                "give both alertType and alertTarget, or neither",
            ));
        }
        if let Some(prefix) = &key.prefix {
            ServiceName::parse("prefix", prefix)
                .map_err(|e| ConfigError::new(at("prefix"), e.problem))?;
        }
        for (index, service) in key.services.iter().enumerate() {
            ServiceName::parse("services", service)
                .map_err(|e| ConfigError::new(format!("{}[{index}]", at("services")), e.problem))?;
        }
        if let (Some(service), true) = (
            &key.service,
            key.prefix.is_some() || !key.services.is_empty(),
        ) {
            let bound = key.services.contains(service)
                || key
                    .prefix
                    .as_ref()
                    .is_some_and(|prefix| service.starts_with(prefix.as_str()));
            if !bound {
                return Err(ConfigError::new(
                    at("service"),
                    "is outside the key's own prefix and services",
                ));
            }
        }
        // The rule of every nextIn, from a pulse or a ping URL alike.
        NextIn::parse(key.next_in).map_err(|e| ConfigError::new(at("nextIn"), e.problem))?;
    }
    Ok(())
}

/// `alertmanager.alerts`: Alertmanager alerts (by `alertname`) whose firing counts
/// as a pulse of a service, received at `POST /alertmanager/<ping key>`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct AlertmanagerConfig {
    pub alerts: BTreeMap<String, DeadMansSwitch>,
}

/// The service an alert keeps alive, and how long one notification lasts.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeadMansSwitch {
    pub service: String,
    /// Seconds; longer than Alertmanager's `repeat_interval` for this alert.
    pub next_in: f64,
}
