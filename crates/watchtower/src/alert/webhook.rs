//! Webhook alerts: a JSON POST to a URL named in the config, never one a client sends.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{AlertDetails, QueuedAlert, SendError, classify_http, transport_error};
use crate::config::WebhookConfig;
use crate::field::InvalidField;
use crate::time::Timestamp;

pub struct Webhooks {
    http: reqwest::Client,
    hooks: BTreeMap<String, WebhookConfig>,
}

/// The body every webhook receives.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Payload<'a> {
    /// Stable across retries, so that a receiver can drop duplicates.
    alert_id: i64,
    /// `down`, `up`, `reminder`, `flapping`, `stable`, `digest` or `event`.
    kind: &'a str,
    /// `*` for a digest.
    service: &'a str,
    status: &'a str,
    last_pulse: Timestamp,
    deadline: Timestamp,
    down_since: Timestamp,
    title: &'a str,
    message: String,
    /// What else the alert knows: latest events, dependents, a digest's members…
    details: &'a AlertDetails,
}

impl Webhooks {
    pub fn new(hooks: &BTreeMap<String, WebhookConfig>, http: reqwest::Client) -> Self {
        Self {
            http,
            hooks: hooks.clone(),
        }
    }

    pub fn validate(&self, target: &str) -> Result<(), InvalidField> {
        if self.hooks.contains_key(target) {
            return Ok(());
        }
        let known: Vec<&str> = self.hooks.keys().map(String::as_str).collect();
        let problem = if known.is_empty() {
            "no webhooks are configured on this server".to_owned()
        } else {
            format!(
                "no webhook named `{target}` is configured (known: {})",
                known.join(", ")
            )
        };
        Err(InvalidField::new("alertTarget", problem))
    }

    pub async fn send(&self, alert: &QueuedAlert) -> Result<(), SendError> {
        let name = &alert.route.target;
        let hook = self.hooks.get(name).ok_or_else(|| {
            SendError::Permanent(format!("webhook `{name}` is no longer configured"))
        })?;
        let notice = alert.notice(crate::time::Timestamp::now());
        let payload = Payload {
            alert_id: alert.id,
            kind: alert.kind.as_str(),
            service: alert.service.as_str(),
            status: alert.status(),
            last_pulse: alert.last_pulse,
            deadline: alert.deadline,
            down_since: alert.down_since,
            title: &notice.title,
            message: format!("{}: {}", notice.title, notice.message),
            details: &alert.details,
        };
        let mut request = self.http.post(&hook.url).json(&payload);
        for (header, value) in &hook.headers {
            request = request.header(header, value);
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        classify_http(status, &body)
    }
}
