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

    /// The targets `validate` takes, stated for the API document.
    fn target_form(&self) -> TargetForm;

    /// Delivers one alert; the error says whether trying again can help.
    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError>;
}

/// What a channel takes as `alertTarget`: the API document states it, and the
/// channel's `validate` takes exactly what it states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetForm {
    /// One of the names the config defines.
    Named(Vec<String>),
    /// An e-mail address (RFC 5322's addr-spec).
    Email,
    /// Text matching `pattern`, written so that ECMA-262 and Python's `re` (the
    /// readers of JSON Schema patterns) read it alike; none of `except`.
    Pattern {
        pattern: &'static str,
        max_chars: usize,
        except: &'static [&'static str],
    },
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

    pub fn form(&self) -> TargetForm {
        TargetForm::Named(self.items.keys().cloned().collect())
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
