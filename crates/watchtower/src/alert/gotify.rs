//! Gotify alerts: a JSON message to a self-hosted Gotify server, as one of the
//! applications whose tokens the config names; `alertTarget` is the name.

use async_trait::async_trait;
use serde_json::json;

use super::channel::{Channel, Named, TargetForm};
use super::{QueuedAlert, SendError, deliver};
use crate::config::{GotifyConfig, Secret};
use crate::field::InvalidField;
use crate::time::Timestamp;

pub struct Gotify {
    http: reqwest::Client,
    /// The server's base URL, without a trailing slash.
    url: String,
    apps: Named<Secret>,
}

impl Gotify {
    pub fn new(config: &GotifyConfig, http: reqwest::Client) -> Self {
        Self {
            http,
            url: config.url.trim_end_matches('/').to_owned(),
            apps: Named::new("Gotify app", config.apps.clone()),
        }
    }
}

/// Gotify's apps alert loudly from 8 up and stay quiet below 4; 5 is its default.
fn priority(alert: &QueuedAlert) -> u8 {
    match alert.status() {
        "dead" => 8,
        "up" => 4,
        _ => 5,
    }
}

/// A header value that the HTTP client never prints in a debug view.
fn sensitive(token: &Secret) -> Result<reqwest::header::HeaderValue, SendError> {
    let mut value = reqwest::header::HeaderValue::from_str(token.expose()).map_err(|_| {
        SendError::Permanent("the Gotify app token is not a valid header value".into())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

#[async_trait]
impl Channel for Gotify {
    fn validate(&self, target: &str) -> Result<(), InvalidField> {
        self.apps.validate(target)
    }

    fn target_form(&self) -> TargetForm {
        self.apps.form()
    }

    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        let token = self.apps.get(&alert.route.target)?;
        let notice = alert.notice(now);
        // https://gotify.net/api-docs#/message/createMessage
        let body = json!({
            "title": notice.title,
            "message": notice.message,
            "priority": priority(alert),
        });
        deliver(
            self.http
                .post(format!("{}/message", self.url))
                .header("X-Gotify-Key", sensitive(token)?)
                .json(&body),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_that_cannot_be_a_header_is_refused_without_showing_it() {
        let error = sensitive(&Secret::new("bad\ntoken".into())).expect_err("a newline");
        assert!(!error.to_string().contains("bad"), "{error}");
        assert!(
            sensitive(&Secret::new("AbC.dEf-123".into()))
                .unwrap()
                .is_sensitive()
        );
    }
}
