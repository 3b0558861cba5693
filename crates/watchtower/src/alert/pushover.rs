//! Pushover alerts: the form that Pushover's messages API takes.

use async_trait::async_trait;

use super::channel::{Channel, TargetForm};
use super::{QueuedAlert, SendError, deliver_hiding};
use crate::config::{PushoverConfig, Secret};
use crate::field::InvalidField;
use crate::time::Timestamp;

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
}

#[async_trait]
impl Channel for Pushover {
    /// User and group keys are 30 letters and digits.
    fn validate(&self, target: &str) -> Result<(), InvalidField> {
        if target.len() == 30 && target.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(())
        } else {
            Err(InvalidField::new(
                "alertTarget",
                "a Pushover user or group key is 30 letters and digits",
            ))
        }
    }

    fn target_form(&self) -> TargetForm {
        TargetForm::Pattern {
            pattern: "^[A-Za-z0-9]{30}$",
            max_chars: 30,
            except: &[],
        }
    }

    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        let notice = alert.notice(now);
        let form = [
            ("token", self.token.expose()),
            ("user", alert.route.target.as_str()),
            ("title", notice.title.as_str()),
            ("message", notice.message.as_str()),
        ];
        // The token travels in the form: no answer echoing it may be quoted.
        deliver_hiding(
            self.http.post(&self.url).form(&form),
            &[self.token.expose()],
        )
        .await
    }
}
