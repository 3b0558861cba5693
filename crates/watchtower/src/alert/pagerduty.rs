//! PagerDuty alerts through the Events API v2: each outage is one incident, which
//! the death triggers and the recovery resolves. Also owns the incident keys and
//! text limits that Opsgenie's alerts share, so that one outage is one page in both.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::channel::{Channel, Named, TargetForm};
use super::{AlertKind, QueuedAlert, SendError, deliver_hiding};
use crate::config::{PagerdutyConfig, Secret};
use crate::events::Level;
use crate::field::InvalidField;
use crate::monitor::Status;
use crate::time::Timestamp;

/// What an alert does to the incident it belongs to, named by its key
/// (PagerDuty's `dedup_key`, Opsgenie's `alias`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Action {
    Open(String),
    Close(String),
}

/// The incidents an alert opens and closes, in order.
pub(super) fn actions(alert: &QueuedAlert) -> Vec<Action> {
    let service = alert.service.as_str();
    // The recovery carries the `down_since` of the death it ends, so both name
    // the same incident, and a reminder folds into it instead of paging again.
    let outage = format!("watchtower/{service}/{}", alert.down_since.as_millis());
    // Flapping ends with a `Stable` alert whose `down_since` is not the one the
    // flapping alert carried: the episode gets a key of its own.
    let flapping = format!("watchtower/{service}/flapping");
    match alert.kind {
        AlertKind::Down | AlertKind::Reminder => vec![Action::Open(outage)],
        AlertKind::Up => vec![Action::Close(outage)],
        AlertKind::Flapping => vec![Action::Open(flapping)],
        AlertKind::Stable if alert.status() == "up" => vec![Action::Close(flapping)],
        // Settled dead: the flapping is over, the outage is not; its recovery closes it.
        AlertKind::Stable => vec![Action::Close(flapping), Action::Open(outage)],
        AlertKind::Digest => vec![Action::Open(format!("watchtower/digest/{}", alert.id))],
        // Each event alert is news of its own, never merged into an outage.
        AlertKind::Event => vec![Action::Open(format!(
            "watchtower/{service}/event/{}",
            alert.id
        ))],
        // A test opens an incident of its own (as other tools' tests do), and
        // resolves it at once: it checks the route without leaving a page open.
        AlertKind::Test => {
            let key = format!("watchtower/test/{}", alert.created.as_millis());
            vec![Action::Open(key.clone()), Action::Close(key)]
        }
    }
}

/// How bad the news is, on a scale from 1 (page someone now) to 5 (for the record):
/// Opsgenie's priorities, and PagerDuty's severities folded onto them.
pub(super) fn urgency(alert: &QueuedAlert) -> u8 {
    match alert.kind {
        AlertKind::Down | AlertKind::Reminder | AlertKind::Flapping => 1,
        AlertKind::Stable if alert.status() == "dead" => 1,
        AlertKind::Digest
            if alert
                .details
                .members
                .iter()
                .any(|m| m.status == Status::Dead) =>
        {
            1
        }
        AlertKind::Event => match alert.details.event.as_ref().map(|e| e.level) {
            Some(Level::Critical) => 2,
            Some(Level::Error) => 3,
            Some(Level::Warning) => 4,
            Some(Level::Info | Level::Debug) | None => 5,
        },
        AlertKind::Up | AlertKind::Stable | AlertKind::Digest | AlertKind::Test => 5,
    }
}

/// PagerDuty's severity: `critical` is kept for dead services, so that an event
/// rule, however loud, never outranks an outage.
fn severity(alert: &QueuedAlert) -> &'static str {
    match urgency(alert) {
        1 => "critical",
        2 | 3 => "error",
        4 => "warning",
        _ => "info",
    }
}

/// Cuts `text` to at most `limit` characters: the APIs refuse longer fields.
pub(super) fn truncate(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit.saturating_sub(1)) {
        Some((end, _)) if text.chars().count() > limit => format!("{}…", &text[..end]),
        _ => text.to_owned(),
    }
}

pub struct Pagerduty {
    http: reqwest::Client,
    url: String,
    services: Named<Secret>,
}

impl Pagerduty {
    pub fn new(config: &PagerdutyConfig, http: reqwest::Client) -> Self {
        Self {
            http,
            url: config.url.clone(),
            services: Named::new("PagerDuty service", config.services.clone()),
        }
    }

    /// Sends one event, whose routing key no error may quote.
    async fn enqueue(&self, event: &Value, key: &Secret) -> Result<(), SendError> {
        deliver_hiding(self.http.post(&self.url).json(event), &[key.expose()]).await
    }
}

/// One Events API v2 event: https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
fn event(routing_key: &str, action: &Action, alert: &QueuedAlert, now: Timestamp) -> Value {
    let dedup_key = match action {
        // A resolve needs nothing but the incident's key.
        Action::Close(key) => {
            return json!({
                "routing_key": routing_key,
                "event_action": "resolve",
                "dedup_key": key,
            });
        }
        Action::Open(key) => key,
    };
    let notice = alert.notice(now);
    let mut details = serde_json::to_value(&alert.details).expect("alert details always serialise");
    if let Value::Object(fields) = &mut details {
        fields.insert("message".into(), notice.message.into());
        fields.insert("service".into(), alert.service.as_str().into());
        fields.insert("status".into(), alert.status().into());
        fields.insert("kind".into(), alert.kind.as_str().into());
    }
    json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {
            "summary": truncate(&notice.title, 1024),
            "source": "watchtower",
            "severity": severity(alert),
            "timestamp": alert.created.to_rfc3339(),
            "component": alert.service.as_str(),
            "custom_details": details,
        },
        "client": "Watchtower",
    })
}

#[async_trait]
impl Channel for Pagerduty {
    fn validate(&self, target: &str) -> Result<(), InvalidField> {
        self.services.validate(target)
    }

    fn target_form(&self) -> TargetForm {
        self.services.form()
    }

    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        let key = self.services.get(&alert.route.target)?;
        // Resolving is idempotent, so a retry after a half-done pair is harmless.
        for action in actions(alert) {
            self.enqueue(&event(key.expose(), &action, alert, now), key)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::alert::{AlertDetails, EventLine, Member};
    use crate::monitor::{AlertRoute, AlertType, ServiceName};

    pub(in crate::alert) fn alert(kind: AlertKind) -> QueuedAlert {
        QueuedAlert {
            id: 7,
            kind,
            service: ServiceName::parse("service", "backup").unwrap(),
            route: AlertRoute {
                kind: AlertType::Pagerduty,
                target: "ops".into(),
            },
            last_pulse: Timestamp::from_millis(1_700_000_000_000),
            deadline: Timestamp::from_millis(1_700_000_060_000),
            down_since: Timestamp::from_millis(1_700_000_060_000),
            created: Timestamp::from_millis(1_700_000_061_000),
            attempts: 0,
            details: AlertDetails::default(),
        }
    }

    fn open(key: &str) -> Action {
        Action::Open(key.into())
    }

    fn close(key: &str) -> Action {
        Action::Close(key.into())
    }

    #[test]
    fn a_death_and_its_recovery_name_the_same_incident() {
        let outage = "watchtower/backup/1700000060000";
        let mut stable_up = alert(AlertKind::Stable);
        stable_up.details.status = Some(Status::Up);
        let mut stable_dead = alert(AlertKind::Stable);
        stable_dead.details.status = Some(Status::Dead);
        for (alert, expected) in [
            (alert(AlertKind::Down), vec![open(outage)]),
            (alert(AlertKind::Reminder), vec![open(outage)]),
            (alert(AlertKind::Up), vec![close(outage)]),
            (
                alert(AlertKind::Flapping),
                vec![open("watchtower/backup/flapping")],
            ),
            (stable_up, vec![close("watchtower/backup/flapping")]),
            (
                stable_dead,
                vec![close("watchtower/backup/flapping"), open(outage)],
            ),
            (alert(AlertKind::Digest), vec![open("watchtower/digest/7")]),
            (
                alert(AlertKind::Event),
                vec![open("watchtower/backup/event/7")],
            ),
        ] {
            assert_eq!(actions(&alert), expected, "{:?}", alert.kind);
        }
    }

    #[test]
    fn severity_follows_what_the_alert_announces() {
        let with_level = |level| {
            let mut event = alert(AlertKind::Event);
            event.details.event = Some(EventLine {
                date: Timestamp::from_millis(0),
                level,
                message: "m".into(),
            });
            event
        };
        let digest = |status| {
            let mut digest = alert(AlertKind::Digest);
            digest.details.members = vec![Member {
                service: "a".into(),
                status,
                since: Timestamp::from_millis(0),
            }];
            digest
        };
        for (alert, expected) in [
            (alert(AlertKind::Down), "critical"),
            (alert(AlertKind::Reminder), "critical"),
            (alert(AlertKind::Flapping), "critical"),
            (digest(Status::Dead), "critical"),
            (digest(Status::Up), "info"),
            (with_level(Level::Critical), "error"),
            (with_level(Level::Error), "error"),
            (with_level(Level::Warning), "warning"),
            (with_level(Level::Info), "info"),
        ] {
            assert_eq!(severity(&alert), expected, "{:?}", alert.details);
        }
    }

    #[test]
    fn a_trigger_carries_the_payload_and_a_resolve_only_the_key() {
        let down = alert(AlertKind::Down);
        let now = Timestamp::from_millis(1_700_000_070_000);
        let trigger = event("R0UT1NG", &actions(&down)[0], &down, now);
        assert_eq!(trigger["event_action"], "trigger");
        assert_eq!(trigger["payload"]["summary"], "backup is DOWN");
        assert_eq!(trigger["payload"]["timestamp"], "2023-11-14T22:14:21.000Z");
        assert_eq!(trigger["payload"]["custom_details"]["kind"], "down");
        let up = alert(AlertKind::Up);
        let resolve = event("R0UT1NG", &actions(&up)[0], &up, now);
        assert_eq!(
            resolve,
            json!({"routing_key": "R0UT1NG", "event_action": "resolve", "dedup_key": "watchtower/backup/1700000060000"})
        );
    }

    #[test]
    fn long_fields_are_cut_to_the_apis_limits() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abcd", 4), "abcd");
        assert_eq!(truncate(&"é".repeat(2000), 1024).chars().count(), 1024);
    }
}
