//! The `watchdog` section: an outbound heartbeat, so that someone hears when this
//! server itself stops.

use super::ConfigError;

use serde::Deserialize;

use super::Secret;
use super::validate::http_url;
use crate::monitor::ServiceName;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WatchdogConfig {
    /// Where each beat is POSTed: another Watchtower's `/`, or any ping URL.
    pub url: String,
    /// Seconds between beats.
    #[serde(default = "default_every")]
    pub every: f64,
    /// Sent as the `password` header (another Watchtower's API password).
    pub password: Option<Secret>,
    /// The name this server pulses under; default `watchtower-<hostname>`.
    pub service: Option<String>,
    /// With `alertTarget`: how the other Watchtower alerts when the beats stop.
    pub alert_type: Option<String>,
    pub alert_target: Option<String>,
}

fn default_every() -> f64 {
    30.0
}

impl WatchdogConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        http_url(&self.url).map_err(|problem| ConfigError::new("watchdog.url", problem))?;
        if !(self.every.is_finite() && self.every > 0.0) {
            return Err(ConfigError::new(
                "watchdog.every",
                "must be a positive number of seconds",
            ));
        }
        if let Some(service) = &self.service {
            ServiceName::parse("service", service)
                .map_err(|invalid| ConfigError::new("watchdog.service", invalid.problem))?;
        }
        if self.alert_type.is_some() != self.alert_target.is_some() {
            return Err(ConfigError::new(
                "watchdog.alertType",
                "alertType and alertTarget go together (a Watchtower needs both)",
            ));
        }
        Ok(())
    }
}
