//! Opsgenie alerts through its Alert API: a death creates an alert whose alias
//! names the outage, and the recovery closes it by that alias.

use async_trait::async_trait;
use reqwest::Url;
use serde_json::{Value, json};

use super::channel::{Channel, Named, TargetForm};
use super::pagerduty::{Action, actions, truncate, urgency};
use super::{QueuedAlert, SendError, deliver};
use crate::config::{OpsgenieConfig, Secret};
use crate::field::InvalidField;
use crate::time::Timestamp;

/// Opsgenie's field limits, in characters: https://docs.opsgenie.com/docs/alert-api
const MESSAGE_LIMIT: usize = 130;
const ALIAS_LIMIT: usize = 512;
const DESCRIPTION_LIMIT: usize = 15_000;
const NOTE_LIMIT: usize = 25_000;

pub struct Opsgenie {
    http: reqwest::Client,
    url: String,
    keys: Named<Secret>,
}

impl Opsgenie {
    pub fn new(config: &OpsgenieConfig, http: reqwest::Client) -> Self {
        Self {
            http,
            url: config.url.clone(),
            keys: Named::new("Opsgenie API key", config.keys.clone()),
        }
    }

    /// `{url}/v2/alerts`, then `segments`, each percent-encoded as one segment:
    /// an alias holds slashes.
    fn endpoint(&self, segments: &[&str]) -> Result<Url, SendError> {
        let invalid = || SendError::Permanent("the Opsgenie URL is not a base URL".into());
        let mut url = Url::parse(&self.url).map_err(|_| invalid())?;
        url.path_segments_mut()
            .map_err(|()| invalid())?
            .pop_if_empty()
            .extend(["v2", "alerts"])
            .extend(segments);
        Ok(url)
    }

    async fn post(&self, url: Url, key: &Secret, body: &Value) -> Result<(), SendError> {
        // The key travels in a header marked sensitive, which no error quotes.
        let mut authorization =
            reqwest::header::HeaderValue::from_str(&format!("GenieKey {}", key.expose())).map_err(
                |_| SendError::Permanent("the Opsgenie API key is not a valid header value".into()),
            )?;
        authorization.set_sensitive(true);
        let request = self
            .http
            .post(url)
            .header(reqwest::header::AUTHORIZATION, authorization)
            .json(body);
        deliver(request).await
    }
}

/// The alias of an incident: the key, cut the same way on create and close.
fn alias(key: &str) -> String {
    truncate(key, ALIAS_LIMIT)
}

/// The body that creates an alert: https://docs.opsgenie.com/docs/alert-api#create-alert
fn create_body(key: &str, alert: &QueuedAlert, now: Timestamp) -> Value {
    let notice = alert.notice(now);
    json!({
        "message": truncate(&notice.title, MESSAGE_LIMIT),
        "alias": alias(key),
        "description": truncate(&notice.message, DESCRIPTION_LIMIT),
        "priority": format!("P{}", urgency(alert)),
        "source": "watchtower",
        "entity": alert.service.as_str(),
        "tags": ["watchtower", alert.kind.as_str()],
        "details": {"service": alert.service.as_str(), "status": alert.status()},
    })
}

/// The body that closes one: https://docs.opsgenie.com/docs/alert-api#close-alert
fn close_body(alert: &QueuedAlert, now: Timestamp) -> Value {
    json!({
        "source": "watchtower",
        "note": truncate(&alert.notice(now).message, NOTE_LIMIT),
    })
}

#[async_trait]
impl Channel for Opsgenie {
    fn validate(&self, target: &str) -> Result<(), InvalidField> {
        self.keys.validate(target)
    }

    fn target_form(&self) -> TargetForm {
        self.keys.form()
    }

    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        let key = self.keys.get(&alert.route.target)?;
        // Closing is idempotent, so a retry after a half-done pair is harmless.
        for action in actions(alert) {
            match action {
                Action::Open(incident) => {
                    let url = self.endpoint(&[])?;
                    self.post(url, key, &create_body(&incident, alert, now))
                        .await?;
                }
                Action::Close(incident) => {
                    let mut url = self.endpoint(&[&alias(&incident), "close"])?;
                    url.set_query(Some("identifierType=alias"));
                    self.post(url, key, &close_body(alert, now)).await?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::AlertKind;
    use crate::alert::pagerduty::tests::alert;
    use crate::config::OpsgenieConfig;

    fn opsgenie(url: &str) -> Opsgenie {
        let config = OpsgenieConfig {
            url: url.into(),
            keys: [("ops".to_owned(), Secret::new("k".into()))].into(),
        };
        Opsgenie::new(&config, reqwest::Client::new())
    }

    #[test]
    fn the_alias_is_one_percent_encoded_path_segment() {
        for base in ["https://api.opsgenie.com", "https://api.opsgenie.com/"] {
            let url = opsgenie(base)
                .endpoint(&["watchtower/a b/1", "close"])
                .unwrap();
            assert_eq!(
                url.as_str(),
                "https://api.opsgenie.com/v2/alerts/watchtower%2Fa%20b%2F1/close"
            );
        }
    }

    #[test]
    fn a_death_creates_a_p1_alert_with_the_outage_alias() {
        let down = alert(AlertKind::Down);
        let now = Timestamp::from_millis(1_700_000_070_000);
        let body = create_body("watchtower/backup/1700000060000", &down, now);
        assert_eq!(body["alias"], "watchtower/backup/1700000060000");
        assert_eq!(body["priority"], "P1");
        assert_eq!(body["message"], "backup is DOWN");
        assert_eq!(body["tags"], json!(["watchtower", "down"]));
        assert_eq!(
            body["details"],
            json!({"service": "backup", "status": "dead"})
        );
    }

    #[test]
    fn a_long_title_is_cut_to_the_message_limit() {
        let mut down = alert(AlertKind::Down);
        down.service = crate::monitor::ServiceName::parse("s", &"x".repeat(200)).unwrap();
        let body = create_body("k", &down, Timestamp::from_millis(0));
        assert_eq!(
            body["message"].as_str().unwrap().chars().count(),
            MESSAGE_LIMIT
        );
    }
}
