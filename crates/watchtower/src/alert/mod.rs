//! Alerts: the outbox entries that status changes queue, how they read, and the
//! channels that deliver them.

mod channel;
mod chat;
mod details;
mod exec;
mod gotify;
pub mod history;
mod mail;
mod matrix;
mod notice;
mod ntfy;
mod opsgenie;
mod pagerduty;
pub mod policy;
mod pushover;
pub mod redact;
pub mod rules;
mod telegram;
mod webhook;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::config::{Config, RouteStep};
use crate::field::InvalidField;
use crate::monitor::{AlertRoute, AlertType, ServiceName};
use crate::time::Timestamp;

use channel::Channel;
pub use channel::TargetForm;
pub use details::{AlertDetails, EventLine, Member, RECENT_EVENTS};
pub use notice::Notice;
use redact::Redactor;

/// Why an alert goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    /// The service missed its deadline.
    Down,
    /// A dead service pulsed again.
    Up,
    /// The service is still dead (`remindEvery`).
    Reminder,
    /// The service dies and recovers too often; its alerts pause.
    Flapping,
    /// A flapping service has been stable long enough; its alerts resume.
    Stable,
    /// Many status changes at once, gathered into one alert per target.
    Digest,
    /// An event that an event rule matched.
    Event,
    /// Sent on request (`POST /test-alert`) to check a channel; never stored.
    Test,
}

impl AlertKind {
    pub const ALL: [AlertKind; 8] = [
        Self::Down,
        Self::Up,
        Self::Reminder,
        Self::Flapping,
        Self::Stable,
        Self::Digest,
        Self::Event,
        Self::Test,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Down => "down",
            Self::Up => "up",
            Self::Reminder => "reminder",
            Self::Flapping => "flapping",
            Self::Stable => "stable",
            Self::Digest => "digest",
            Self::Event => "event",
            Self::Test => "test",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// An alert waiting in the outbox, with the service as it was when the alert was queued.
#[derive(Clone, Debug, PartialEq)]
pub struct QueuedAlert {
    pub id: i64,
    pub kind: AlertKind,
    /// `*` for a digest.
    pub service: ServiceName,
    pub route: AlertRoute,
    pub last_pulse: Timestamp,
    pub deadline: Timestamp,
    /// When the outage began: the missed deadline.
    pub down_since: Timestamp,
    pub created: Timestamp,
    /// Delivery attempts made before this one.
    pub attempts: u32,
    pub details: AlertDetails,
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

/// Sends `request` and sorts the answer.
async fn deliver(request: reqwest::RequestBuilder) -> Result<(), SendError> {
    deliver_hiding(request, &[]).await
}

/// Sends `request` and sorts the answer, quoting in no error the URL past its
/// origin, a sensitive header, or one of `secrets` (credentials that the channel
/// puts in the body): not even where the server's answer echoes the request.
async fn deliver_hiding(
    request: reqwest::RequestBuilder,
    secrets: &[&str],
) -> Result<(), SendError> {
    let hiding = |redactor: Redactor| {
        secrets
            .iter()
            .fold(redactor, |redactor, secret| redactor.secret(secret))
    };
    let (client, request) = request.build_split();
    let request = request.map_err(|error| {
        let redactor = hiding(
            error
                .url()
                .map_or_else(Redactor::new, |url| Redactor::new().url(url)),
        );
        let said = redactor.apply(&redact::chain(&error.without_url()));
        SendError::Transient(format!("cannot make the request: {said}"))
    })?;
    let redactor = hiding(
        Redactor::new()
            .url(request.url())
            .sensitive_headers(request.headers()),
    );
    let shown = redact::show_url(request.url());
    let response = client.execute(request).await.map_err(|error| {
        let said = redactor.apply(&redact::chain(&error.without_url()));
        SendError::Transient(format!("request to {shown} failed: {said}"))
    })?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    classify_http(status, &redactor.apply(&body))
}

/// One channel for each alert type the config sets up (webhooks always: a pulse
/// naming an unknown one is told which exist).
fn channels_by_type(
    config: &Config,
    timeout: Duration,
    http: &reqwest::Client,
) -> anyhow::Result<HashMap<AlertType, Box<dyn Channel>>> {
    let mut by_type: HashMap<AlertType, Box<dyn Channel>> = HashMap::new();
    let mut add = |kind, channel: Box<dyn Channel>| by_type.insert(kind, channel);
    if let Some(mail) = &config.mail {
        add(AlertType::Mail, Box::new(mail::Mail::new(mail, timeout)?));
    }
    if let Some(pushover) = &config.pushover {
        add(
            AlertType::Pushover,
            Box::new(pushover::Pushover::new(pushover, http.clone())),
        );
    }
    add(
        AlertType::Webhook,
        Box::new(webhook::Webhooks::new(&config.webhooks, http.clone())),
    );
    let channels = &config.channels;
    for (kind, hooks) in [
        (AlertType::Slack, &channels.slack),
        (AlertType::Teams, &channels.teams),
        (AlertType::Discord, &channels.discord),
    ] {
        if let Some(hooks) = hooks {
            add(
                kind,
                Box::new(chat::ChatWebhooks::new(kind, hooks, http.clone())),
            );
        }
    }
    if let Some(telegram) = &channels.telegram {
        add(
            AlertType::Telegram,
            Box::new(telegram::Telegram::new(telegram, http.clone())),
        );
    }
    if let Some(ntfy) = &channels.ntfy {
        add(
            AlertType::Ntfy,
            Box::new(ntfy::Ntfy::new(ntfy, http.clone())),
        );
    }
    if let Some(gotify) = &channels.gotify {
        add(
            AlertType::Gotify,
            Box::new(gotify::Gotify::new(gotify, http.clone())),
        );
    }
    if let Some(matrix) = &channels.matrix {
        add(
            AlertType::Matrix,
            Box::new(matrix::Matrix::new(matrix, http.clone())),
        );
    }
    if let Some(pagerduty) = &channels.pagerduty {
        add(
            AlertType::Pagerduty,
            Box::new(pagerduty::Pagerduty::new(pagerduty, http.clone())),
        );
    }
    if let Some(opsgenie) = &channels.opsgenie {
        add(
            AlertType::Opsgenie,
            Box::new(opsgenie::Opsgenie::new(opsgenie, http.clone())),
        );
    }
    if let Some(exec) = &channels.exec {
        add(AlertType::Exec, Box::new(exec::Exec::new(exec, timeout)));
    }
    Ok(by_type)
}

/// The configured channels: validates alert targets and delivers alerts.
pub struct Channels {
    by_type: HashMap<AlertType, Box<dyn Channel>>,
    /// The config's routes, each step checked against the channels above.
    routes: BTreeMap<String, Vec<AlertRoute>>,
}

impl Channels {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let timeout = Duration::from_secs_f64(config.alerts.timeout);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            // A redirect could send an alert anywhere; the config names the only targets.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("watchtower/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let mut built = Self {
            by_type: channels_by_type(config, timeout, &http)?,
            routes: BTreeMap::new(),
        };
        built.routes = config
            .routes
            .iter()
            .map(|(name, steps)| Ok((name.clone(), built.route_steps(name, steps)?)))
            .collect::<anyhow::Result<_>>()?;
        Ok(built)
    }

    /// A route's steps, each a configured channel and target (no route in a route).
    fn route_steps(&self, name: &str, steps: &[RouteStep]) -> anyhow::Result<Vec<AlertRoute>> {
        if steps.is_empty() {
            anyhow::bail!("routes.{name}: a route needs at least one channel");
        }
        steps
            .iter()
            .enumerate()
            .map(|(index, step)| {
                let at = |e: InvalidField| anyhow::anyhow!("routes.{name}[{index}].{e}");
                let kind = AlertType::parse(&step.alert_type).map_err(at)?;
                if kind == AlertType::Route {
                    anyhow::bail!("routes.{name}[{index}].alertType: a route cannot name a route");
                }
                let route = AlertRoute {
                    kind,
                    target: step.alert_target.clone(),
                };
                self.validate(&route).map_err(at)?;
                Ok(route)
            })
            .collect()
    }

    /// What each configured channel, and `route` when routes are configured, takes
    /// as `alertTarget`, in [`AlertType::ALL`]'s order: the alert types a pulse may
    /// name on this server.
    pub fn target_forms(&self) -> Vec<(AlertType, TargetForm)> {
        let mut forms: Vec<(AlertType, TargetForm)> = AlertType::ALL
            .iter()
            .filter_map(|kind| Some((*kind, self.by_type.get(kind)?.target_form())))
            .collect();
        if !self.routes.is_empty() {
            let names = self.routes.keys().cloned().collect();
            forms.push((AlertType::Route, TargetForm::Named(names)));
        }
        forms
    }

    /// The routes, for the policy that spreads their alerts.
    pub fn routes(&self) -> &BTreeMap<String, Vec<AlertRoute>> {
        &self.routes
    }

    /// Checks that alerts to `route` can be delivered by this server.
    pub fn validate(&self, route: &AlertRoute) -> Result<(), InvalidField> {
        if route.kind == AlertType::Route {
            return match self.routes.contains_key(&route.target) {
                true => Ok(()),
                false => Err(InvalidField::new(
                    "alertTarget",
                    format!("no route named `{}` is configured", route.target),
                )),
            };
        }
        let channel = self.by_type.get(&route.kind).ok_or_else(|| {
            InvalidField::new(
                "alertType",
                format!("{} is not configured on this server", route.kind.as_str()),
            )
        })?;
        channel.validate(&route.target)
    }

    pub async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        let channel = self.by_type.get(&alert.route.kind).ok_or_else(|| {
            SendError::Permanent(format!(
                "{} is no longer configured",
                alert.route.kind.as_str()
            ))
        })?;
        channel.send(alert, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
