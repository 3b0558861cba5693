//! What every alert channel offers: checking a pulse's `alertTarget` when the
//! pulse arrives, and delivering an alert to it.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::{QueuedAlert, SendError};
use crate::field::InvalidField;
use crate::time::Timestamp;

#[async_trait]
pub trait Channel: Send + Sync {
    /// Whether alerts to `target` can be delivered (the field named is `alertTarget`).
    fn validate(&self, target: &str) -> Result<(), InvalidField>;

    /// Delivers one alert; the error says whether trying again can help.
    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError>;
}

/// Recipients defined by name in the config (webhooks, chat webhooks, API keys):
/// a pulse names one, never a URL or a secret.
#[derive(Clone)]
pub struct Named<T> {
    /// What the config calls them, for messages: `webhook`, `Slack webhook`.
    what: &'static str,
    items: BTreeMap<String, T>,
}

impl<T> Named<T> {
    pub fn new(what: &'static str, items: BTreeMap<String, T>) -> Self {
        Self { what, items }
    }

    pub fn validate(&self, target: &str) -> Result<(), InvalidField> {
        if self.items.contains_key(target) {
            return Ok(());
        }
        let known: Vec<&str> = self.items.keys().map(String::as_str).collect();
        let what = self.what;
        let problem = if known.is_empty() {
            format!("no {what}s are configured on this server")
        } else {
            format!(
                "no {what} named `{target}` is configured (known: {})",
                known.join(", ")
            )
        };
        Err(InvalidField::new("alertTarget", problem))
    }

    /// The recipient an alert names; gone from the config means it never will be.
    pub fn get(&self, target: &str) -> Result<&T, SendError> {
        self.items.get(target).ok_or_else(|| {
            SendError::Permanent(format!("{} `{target}` is no longer configured", self.what))
        })
    }
}
