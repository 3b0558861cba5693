//! Decisions both backends apply, as pure functions over the facts each gathers:
//! what a pulse writes beside its service, what a delivery attempt writes, and
//! whether an event rule fires or stays quiet.
//! The triage rounds are in `store::triage`.

use super::NewAlertRow;
use crate::alert::rules::RuleFire;
use crate::alert::{AlertDetails, AlertKind, AttemptOutcome};
use crate::events::Level;
use crate::monitor::{AlertRoute, ServiceName, story};
use crate::time::Timestamp;

/// What a recorded pulse writes beside the service, from what the store found: a
/// first pulse starts the service's story; one that ends an outage (which began
/// at `outage_began`) tells the recovery and queues its alert.
#[derive(Clone, Debug, PartialEq)]
pub struct PulseWrites {
    pub events: Vec<(Level, String)>,
    /// When the outage this pulse ends began: queue an up alert dated from it.
    pub recovered_from: Option<Timestamp>,
}

impl PulseWrites {
    pub fn of(
        window: std::time::Duration,
        at: Timestamp,
        first: bool,
        outage_began: Option<Timestamp>,
    ) -> Self {
        let mut events = Vec::new();
        if first {
            events.push(story::started(window));
        }
        if let Some(down_since) = outage_began {
            events.push(story::recovered(at.since(down_since)));
        }
        Self {
            events,
            recovered_from: outage_began,
        }
    }
}

/// What one delivery attempt writes on its alert.
#[derive(Clone, Debug, PartialEq)]
pub struct AttemptRecord<'a> {
    /// The alert's state after it: `sent`, `pending` (to be retried) or `failed`.
    pub state: &'static str,
    /// When it is tried again; `None` leaves the next attempt as it was.
    pub next_attempt: Option<Timestamp>,
    pub error: Option<&'a str>,
}

impl<'a> AttemptRecord<'a> {
    pub fn of(outcome: &'a AttemptOutcome, at: Timestamp) -> Self {
        match outcome {
            AttemptOutcome::Sent => Self {
                state: "sent",
                next_attempt: None,
                error: None,
            },
            AttemptOutcome::Retry { after, error } => Self {
                state: "pending",
                next_attempt: Some(at.plus(*after)),
                error: Some(error),
            },
            AttemptOutcome::GaveUp { error } => Self {
                state: "failed",
                next_attempt: None,
                error: Some(error),
            },
        }
    }
}

/// The event a delivery that gave up leaves in its service's log, from the alert
/// as the attempt left it (`state`, `service`, `kind`, `route` as `type:target`).
/// A digest (`*`) has no service of its own to tell.
pub fn failure_event(
    state: &str,
    service: &str,
    kind: &str,
    route: &str,
    error: Option<&str>,
) -> Option<(ServiceName, (Level, String))> {
    let error = error.filter(|_| state == "failed")?;
    let service = ServiceName::stored("service", service).ok()?;
    (service.as_str() != "*").then(|| (service, story::alert_failed(kind, route, error)))
}

/// A service as an event rule's alert needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Monitored {
    /// `None` when its stored route can no longer be read.
    pub route: Option<AlertRoute>,
    pub last_pulse: Timestamp,
    pub deadline: Timestamp,
}

/// When a rule last alerted about a service, and the events quieted since.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RuleHistory {
    pub last_fired: Timestamp,
    pub quieted: u64,
}

/// Where a rule's alert goes, and the service times it quotes.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTarget {
    pub route: AlertRoute,
    pub last_pulse: Timestamp,
    pub deadline: Timestamp,
}

/// The rule's own target, else the service's route; `None`: nobody to alert (the
/// service is not monitored, or its route is unreadable, and the rule names none).
pub fn rule_target(
    fire: &RuleFire,
    service: Option<Monitored>,
    now: Timestamp,
) -> Option<RuleTarget> {
    match (&fire.route, service) {
        (Some(route), found) => {
            let (last_pulse, deadline) = found.map_or((now, now), |s| (s.last_pulse, s.deadline));
            Some(RuleTarget {
                route: route.clone(),
                last_pulse,
                deadline,
            })
        }
        (
            None,
            Some(Monitored {
                route: Some(route),
                last_pulse,
                deadline,
            }),
        ) => Some(RuleTarget {
            route,
            last_pulse,
            deadline,
        }),
        (None, _) => None,
    }
}

/// What a rule's match at `now` does.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleJudgement {
    /// Within the rule's period: count `matched` more for the next alert.
    Quiet { matched: u64 },
    /// Queue this alert, and start a new period at `now`.
    Fire(Box<NewAlertRow>),
}

/// Whether a rule that alerted about the service as `history` says fires again
/// at `now`, or counts the match for its next alert.
pub fn judge_rule_fire(
    fire: &RuleFire,
    target: RuleTarget,
    history: Option<RuleHistory>,
    now: Timestamp,
) -> RuleJudgement {
    if let Some(history) = history
        && now < history.last_fired.plus(fire.every)
    {
        return RuleJudgement::Quiet {
            matched: fire.matched,
        };
    }
    let quieted = history.map_or(0, |h| h.quieted);
    RuleJudgement::Fire(Box::new(NewAlertRow {
        service: fire.service.clone(),
        kind: AlertKind::Event,
        route: target.route,
        last_pulse: target.last_pulse,
        deadline: target.deadline,
        down_since: fire.event.date,
        created: now,
        details: AlertDetails {
            event: Some(fire.event.clone()),
            rule: Some(fire.rule.clone()),
            quieted: (quieted + fire.matched).saturating_sub(1),
            ..AlertDetails::default()
        },
    }))
}

#[cfg(test)]
#[path = "decisions_tests.rs"]
mod tests;
