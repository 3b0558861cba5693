//! What both backends share in running the alert policy's triage.

use super::NewAlertRow;
use crate::alert::policy::{DeathAlert, Policy, SnoozeScope};
use crate::alert::{AlertDetails, AlertKind, Member};
use crate::monitor::{AlertRoute, Service, ServiceName, Status};
use crate::time::Timestamp;

/// Alerts one triage round looks at, at most; a full round goes on at once.
pub const CANDIDATES: usize = 64;
/// Rounds in one triage step: a round may queue reminders and notices that the next releases.
pub const ROUNDS: usize = 4;
/// Snoozes over for this long are deleted.
pub const SNOOZES_KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 86_400);

/// When the next reminder of a dead `service` is due, if it gets reminders: one
/// interval after its death or after the last reminder, whichever came later.
pub fn reminder_due(
    policy: &Policy,
    service: &Service,
    reminded: Option<Timestamp>,
) -> Option<Timestamp> {
    let interval = policy.reminder_interval(service)?;
    let base = reminded.map_or(service.deadline, |at| at.max(service.deadline));
    Some(base.plus(interval))
}

/// Splits dead services (with when each was last reminded of) into those whose
/// reminder is due at `now` and the time the next one falls due.
pub fn due_reminders(
    policy: &Policy,
    dead: Vec<(Service, Option<Timestamp>)>,
    now: Timestamp,
) -> (Vec<Service>, Option<Timestamp>) {
    let (mut due, mut next) = (Vec::new(), None::<Timestamp>);
    for (service, reminded) in dead {
        match reminder_due(policy, &service, reminded) {
            None => {}
            Some(at) if at > now => next = Some(next.map_or(at, |n| n.min(at))),
            Some(_) => due.push(service),
        }
    }
    (due, next)
}

/// Splits flapping services (with their last status change) into those calm at
/// `now` and the time the next one calms down.
pub fn calmed(
    policy: &Policy,
    flapping: Vec<(Service, Option<Timestamp>)>,
    now: Timestamp,
) -> (Vec<Service>, Option<Timestamp>) {
    let Some(rule) = policy.flapping else {
        return (Vec::new(), None);
    };
    let (mut calm, mut next) = (Vec::new(), None::<Timestamp>);
    for (service, changed) in flapping {
        let changed = changed.or(service.flapping_since).unwrap_or(now);
        let calm_at = changed.plus(rule.calm);
        if calm_at <= now {
            calm.push(service);
        } else {
            next = Some(next.map_or(calm_at, |n| n.min(calm_at)));
        }
    }
    (calm, next)
}

/// Where a death alert stands, from its stored release time and state.
pub fn death_alert(id: i64, released: Option<i64>, state: &str) -> Option<DeathAlert> {
    match (released, state) {
        (Some(_), _) => Some(DeathAlert::Released),
        (None, "pending") => Some(DeathAlert::Waiting(id)),
        _ => None,
    }
}

/// A digest's member, from the stored alert it gathered.
pub fn member(service: String, kind: &str, down_since: i64, last_pulse: i64) -> Member {
    let up = kind == "up";
    Member {
        service,
        status: if up { Status::Up } else { Status::Dead },
        since: Timestamp::from_millis(if up { last_pulse } else { down_since }),
    }
}

/// What a snooze covers, from its stored columns.
pub fn snooze_scope(service: Option<ServiceName>, prefix: Option<String>) -> SnoozeScope {
    match (service, prefix) {
        (Some(name), _) => SnoozeScope::Service(name),
        (None, Some(prefix)) => SnoozeScope::Prefix(prefix),
        (None, None) => SnoozeScope::All,
    }
}

/// The columns a snooze is stored in: service, prefix.
pub fn snooze_columns(scope: &SnoozeScope) -> (Option<&str>, Option<&str>) {
    match scope {
        SnoozeScope::All => (None, None),
        SnoozeScope::Service(name) => (Some(name.as_str()), None),
        SnoozeScope::Prefix(prefix) => (None, Some(prefix.as_str())),
    }
}

/// A digest as first queued: its gathering ends `gather` after `now`.
pub fn digest_row(route: AlertRoute, now: Timestamp) -> NewAlertRow {
    NewAlertRow {
        service: ServiceName::parse("service", "*").expect("`*` is a valid name"),
        kind: AlertKind::Digest,
        route,
        last_pulse: now,
        deadline: now,
        down_since: now,
        created: now,
        details: AlertDetails::default(),
    }
}
