//! Pushover alerts: the form that Pushover's messages API takes.

use super::{QueuedAlert, SendError, classify_http, transport_error};
use crate::config::{PushoverConfig, Secret};
use crate::field::InvalidField;

pub struct Pushover {
    http: reqwest::Client,
    token: Secret,
    url: String,
}

impl Pushover {
    pub fn new(config: &PushoverConfig, http: reqwest::Client) -> Self {
        Self {
            http,
            token: config.token.clone(),
            url: config.url.clone(),
        }
    }

    /// User and group keys are 30 letters and digits.
    pub fn validate(&self, target: &str) -> Result<(), InvalidField> {
        if target.len() == 30 && target.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(())
        } else {
            Err(InvalidField::new(
                "alertTarget",
                "a Pushover user or group key is 30 letters and digits",
            ))
        }
    }

    pub async fn send(&self, alert: &QueuedAlert) -> Result<(), SendError> {
        let notice = alert.notice(crate::time::Timestamp::now());
        let form = [
            ("token", self.token.expose()),
            ("user", alert.route.target.as_str()),
            ("title", notice.title.as_str()),
            ("message", notice.message.as_str()),
        ];
        let response = self
            .http
            .post(&self.url)
            .form(&form)
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        classify_http(status, &body)
    }
}
