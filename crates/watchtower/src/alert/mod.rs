//! Alerts: the outbox entries that status changes queue, how they read, and the
//! channels that deliver them.

mod dispatcher;
mod mail;
mod pushover;
mod webhook;

use std::time::Duration;

use crate::config::Config;
use crate::field::InvalidField;
use crate::monitor::{AlertRoute, AlertType, ServiceName};
use crate::time::{Timestamp, human_duration};

pub use dispatcher::{DispatchOutcome, Dispatcher, RetryPolicy};

/// Why an alert goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertKind {
    /// The service missed its deadline.
    Down,
    /// A dead service pulsed again.
    Up,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Down => "down",
            Self::Up => "up",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "down" => Some(Self::Down),
            "up" => Some(Self::Up),
            _ => None,
        }
    }
}

/// An alert waiting in the outbox, with the service as it was when the alert was queued.
#[derive(Clone, Debug, PartialEq)]
pub struct QueuedAlert {
    pub id: i64,
    pub kind: AlertKind,
    pub service: ServiceName,
    pub route: AlertRoute,
    pub last_pulse: Timestamp,
    pub deadline: Timestamp,
    /// When the outage began: the missed deadline.
    pub down_since: Timestamp,
    pub created: Timestamp,
    /// Delivery attempts made before this one.
    pub attempts: u32,
}

/// What one delivery attempt led to.
#[derive(Clone, Debug, PartialEq)]
pub enum AttemptOutcome {
    Sent,
    /// Try again `after` this long.
    Retry {
        after: Duration,
        error: String,
    },
    GaveUp {
        error: String,
    },
}

/// Why a delivery failed, which decides whether it is tried again.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SendError {
    /// Trying again cannot help (rejected credentials, unknown recipient).
    #[error("permanent: {0}")]
    Permanent(String),
    /// The channel may accept it later (unreachable, 5xx, rate-limited).
    #[error("transient: {0}")]
    Transient(String),
}

/// The words of an alert, shared by every channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub title: String,
    pub message: String,
}

impl QueuedAlert {
    /// The service's status that this alert announces, as the protocol names it.
    pub fn status(&self) -> &'static str {
        match self.kind {
            AlertKind::Down => "dead",
            AlertKind::Up => "up",
        }
    }

    pub fn notice(&self) -> Notice {
        let name = &self.service;
        match self.kind {
            AlertKind::Down => Notice {
                title: format!("{name} is DOWN"),
                message: format!(
                    "{name} missed its deadline.\nLast pulse: {}\nDue: {}\nDeclared dead: {}",
                    self.last_pulse.to_rfc3339(),
                    self.deadline.to_rfc3339(),
                    self.created.to_rfc3339(),
                ),
            },
            AlertKind::Up => Notice {
                title: format!("{name} is UP again"),
                message: format!(
                    "{name} pulsed again at {} after being down for {} (since {}).\nNext pulse due: {}",
                    self.last_pulse.to_rfc3339(),
                    human_duration(self.last_pulse.since(self.down_since)),
                    self.down_since.to_rfc3339(),
                    self.deadline.to_rfc3339(),
                ),
            },
        }
    }
}

/// Sorts a channel's HTTP answer into success, a retry, or a permanent failure.
fn classify_http(status: reqwest::StatusCode, body: &str) -> Result<(), SendError> {
    let detail = || {
        format!(
            "HTTP {status}: {}",
            body.chars().take(300).collect::<String>()
        )
    };
    if status.is_success() {
        Ok(())
    } else if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        Err(SendError::Transient(detail()))
    } else {
        Err(SendError::Permanent(detail()))
    }
}

fn transport_error(error: reqwest::Error) -> SendError {
    SendError::Transient(format!("request failed: {error}"))
}

/// The configured channels: validates alert targets and delivers alerts.
pub struct Channels {
    mail: Option<mail::Mail>,
    pushover: Option<pushover::Pushover>,
    webhooks: webhook::Webhooks,
}

impl Channels {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs_f64(config.alerts.timeout))
            // A redirect could send an alert anywhere; the config names the only targets.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("watchtower/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let timeout = Duration::from_secs_f64(config.alerts.timeout);
        Ok(Self {
            mail: config
                .mail
                .as_ref()
                .map(|mail| mail::Mail::new(mail, timeout))
                .transpose()?,
            pushover: config
                .pushover
                .as_ref()
                .map(|p| pushover::Pushover::new(p, http.clone())),
            webhooks: webhook::Webhooks::new(&config.webhooks, http),
        })
    }

    /// Checks that alerts to `route` can be delivered by this server.
    pub fn validate(&self, route: &AlertRoute) -> Result<(), InvalidField> {
        let unconfigured = || {
            InvalidField::new(
                "alertType",
                format!("{} is not configured on this server", route.kind.as_str()),
            )
        };
        match route.kind {
            AlertType::Mail => self
                .mail
                .as_ref()
                .ok_or_else(unconfigured)?
                .validate(&route.target),
            AlertType::Pushover => self
                .pushover
                .as_ref()
                .ok_or_else(unconfigured)?
                .validate(&route.target),
            AlertType::Webhook => self.webhooks.validate(&route.target),
        }
    }

    pub async fn send(&self, alert: &QueuedAlert) -> Result<(), SendError> {
        let unconfigured = || {
            SendError::Permanent(format!(
                "{} is no longer configured",
                alert.route.kind.as_str()
            ))
        };
        match alert.route.kind {
            AlertType::Mail => {
                self.mail
                    .as_ref()
                    .ok_or_else(unconfigured)?
                    .send(alert)
                    .await
            }
            AlertType::Pushover => {
                self.pushover
                    .as_ref()
                    .ok_or_else(unconfigured)?
                    .send(alert)
                    .await
            }
            AlertType::Webhook => self.webhooks.send(alert).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(kind: AlertKind) -> QueuedAlert {
        QueuedAlert {
            id: 1,
            kind,
            service: ServiceName::parse("service", "backup").unwrap(),
            route: AlertRoute {
                kind: AlertType::Mail,
                target: "ops@example.com".into(),
            },
            last_pulse: Timestamp::from_millis(1_700_000_000_000),
            deadline: Timestamp::from_millis(1_700_000_060_000),
            down_since: Timestamp::from_millis(1_699_999_940_000),
            created: Timestamp::from_millis(1_700_000_061_000),
            attempts: 0,
        }
    }

    #[test]
    fn down_notice_says_when_it_last_pulsed_and_was_due() {
        let notice = alert(AlertKind::Down).notice();
        assert_eq!(notice.title, "backup is DOWN");
        assert!(
            notice
                .message
                .contains("Last pulse: 2023-11-14T22:13:20.000Z")
        );
        assert!(notice.message.contains("Due: 2023-11-14T22:14:20.000Z"));
    }

    #[test]
    fn up_notice_says_how_long_it_was_down() {
        let notice = alert(AlertKind::Up).notice();
        assert_eq!(notice.title, "backup is UP again");
        assert!(notice.message.contains("down for 1m"), "{}", notice.message);
    }

    #[test]
    fn http_answers_sort_into_retry_or_give_up() {
        use reqwest::StatusCode;
        assert!(classify_http(StatusCode::OK, "").is_ok());
        for status in [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::BAD_GATEWAY,
            StatusCode::TOO_MANY_REQUESTS,
        ] {
            assert!(
                matches!(classify_http(status, ""), Err(SendError::Transient(_))),
                "{status}"
            );
        }
        for status in [
            StatusCode::BAD_REQUEST,
            StatusCode::UNAUTHORIZED,
            StatusCode::FOUND,
        ] {
            assert!(
                matches!(classify_http(status, ""), Err(SendError::Permanent(_))),
                "{status}"
            );
        }
    }
}
