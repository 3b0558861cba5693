//! Webhook alerts: a JSON POST to a URL named in the config, never one a client sends.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::Serialize;

use super::channel::{Channel, Named, TargetForm};
use super::{AlertDetails, Notice, QueuedAlert, SendError, deliver};
use crate::config::WebhookConfig;
use crate::field::InvalidField;
use crate::time::Timestamp;

pub struct Webhooks {
    http: reqwest::Client,
    hooks: Named<WebhookConfig>,
}

/// The body every webhook receives (and every exec command reads on stdin).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payload<'a> {
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

impl<'a> Payload<'a> {
    pub fn of(alert: &'a QueuedAlert, notice: &'a Notice) -> Self {
        Self {
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
        }
    }
}

impl Webhooks {
    pub fn new(hooks: &BTreeMap<String, WebhookConfig>, http: reqwest::Client) -> Self {
        Self {
            http,
            hooks: Named::new("webhook", hooks.clone()),
        }
    }
}

#[async_trait]
impl Channel for Webhooks {
    fn validate(&self, target: &str) -> Result<(), InvalidField> {
        self.hooks.validate(target)
    }

    fn target_form(&self) -> TargetForm {
        self.hooks.form()
    }

    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        let hook = self.hooks.get(&alert.route.target)?;
        let notice = alert.notice(now);
        let payload = Payload::of(alert, &notice);
        let mut request = self.http.post(&hook.url).json(&payload);
        for (header, value) in &hook.headers {
            // Configured headers mostly carry credentials: marked sensitive, so
            // that no error quotes them. A value that is no header value is left
            // to the request to refuse.
            match reqwest::header::HeaderValue::from_str(value) {
                Ok(mut value) => {
                    value.set_sensitive(true);
                    request = request.header(header, value);
                }
                Err(_) => request = request.header(header, value),
            }
        }
        deliver(request).await
    }
}
