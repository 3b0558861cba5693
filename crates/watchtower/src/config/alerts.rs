//! The `alerts` section: delivery (timeouts, retries) and the alert policy
//! (reminders, storm control, flap damping, event rules).

use super::ConfigError;

use std::time::Duration;

use serde::Deserialize;

use crate::alert::policy::{Flapping, Policy, Storm};

/// Times in seconds.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct AlertsConfig {
    pub timeout: f64,
    pub retry_min: f64,
    pub retry_max: f64,
    /// Re-alert this often while a service stays dead; a pulse's own `remindEvery`
    /// wins. None or 0: no reminders.
    pub remind_every: Option<f64>,
    pub storm: StormConfig,
    pub flapping: FlappingConfig,
    pub event_rules: Vec<EventRuleConfig>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            timeout: 10.0,
            retry_min: 1.0,
            retry_max: 300.0,
            remind_every: None,
            storm: StormConfig::default(),
            flapping: FlappingConfig::default(),
            event_rules: Vec::new(),
        }
    }
}

/// On by default: more than `threshold` deaths (or recoveries) alerted within
/// `window` seconds, and the next ones gather for `gather` seconds into one digest
/// per channel target.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct StormConfig {
    pub enabled: bool,
    pub threshold: usize,
    pub window: f64,
    pub gather: f64,
}

impl Default for StormConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            threshold: 5,
            window: 60.0,
            gather: 10.0,
        }
    }
}

/// Off by default: a service that dies more than `deaths` times within `window`
/// seconds is flapping until it keeps its status for `calm` seconds (default: the window).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct FlappingConfig {
    pub enabled: bool,
    pub deaths: u32,
    pub window: f64,
    pub calm: Option<f64>,
}

impl Default for FlappingConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            deaths: 3,
            window: 3600.0,
            calm: None,
        }
    }
}

/// Events at `minLevel` or above, of `service` (or of names starting with
/// `prefix`, or of any service), carrying every one of `attributes`, alert the service's owner, or the rule's own
/// `alertType`/`alertTarget`, at most once per `every` seconds per service.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EventRuleConfig {
    pub name: String,
    pub service: Option<String>,
    pub prefix: Option<String>,
    #[serde(default = "default_rule_level")]
    pub min_level: String,
    #[serde(default = "default_rule_every")]
    pub every: f64,
    pub alert_type: Option<String>,
    pub alert_target: Option<String>,
    /// Names to values (strings, numbers or booleans), matched as `attr.NAME=VALUE` is.
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, serde_json::Value>,
}

fn default_rule_level() -> String {
    "critical".to_owned()
}

fn default_rule_every() -> f64 {
    600.0
}

type Invalid = ConfigError;

fn positive(key: &str, value: f64) -> Result<(), Invalid> {
    if value.is_finite() && value > 0.0 && value < 1e9 {
        Ok(())
    } else {
        Err(ConfigError::new(
            key.to_owned(),
            "must be a positive number of seconds",
        ))
    }
}

impl AlertsConfig {
    pub fn validate(&self) -> Result<(), Invalid> {
        positive("alerts.timeout", self.timeout)?;
        positive("alerts.retryMin", self.retry_min)?;
        positive("alerts.retryMax", self.retry_max)?;
        if self.retry_min > self.retry_max {
            return Err(ConfigError::new(
                "alerts.retryMin",
                "must not exceed alerts.retryMax",
            ));
        }
        if let Some(every) = self.remind_every {
            crate::monitor::parse_remind_every(every)
                .map_err(|error| ConfigError::new("alerts.remindEvery", error.problem))?;
        }
        if self.storm.enabled {
            positive("alerts.storm.window", self.storm.window)?;
            positive("alerts.storm.gather", self.storm.gather)?;
            if self.storm.threshold == 0 {
                return Err(ConfigError::new(
                    "alerts.storm.threshold",
                    "must be at least 1",
                ));
            }
        }
        if self.flapping.enabled {
            positive("alerts.flapping.window", self.flapping.window)?;
            if let Some(calm) = self.flapping.calm {
                positive("alerts.flapping.calm", calm)?;
            }
            if self.flapping.deaths == 0 {
                return Err(ConfigError::new(
                    "alerts.flapping.deaths",
                    "must be at least 1",
                ));
            }
        }
        for (index, rule) in self.event_rules.iter().enumerate() {
            positive(&format!("alerts.eventRules[{index}].every"), rule.every)?;
        }
        Ok(())
    }

    /// The policy these settings describe.
    pub fn policy(&self) -> Policy {
        let seconds = Duration::from_secs_f64;
        Policy {
            remind_every: self.remind_every.filter(|every| *every > 0.0).map(seconds),
            storm: self.storm.enabled.then(|| Storm {
                threshold: self.storm.threshold,
                window: seconds(self.storm.window),
                gather: seconds(self.storm.gather),
            }),
            flapping: self.flapping.enabled.then(|| Flapping {
                deaths: self.flapping.deaths,
                window: seconds(self.flapping.window),
                calm: seconds(self.flapping.calm.unwrap_or(self.flapping.window)),
            }),
            // Filled in from the channels, which check them.
            routes: Default::default(),
        }
    }
}
