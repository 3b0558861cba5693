//! The alert policy's triage, written once for both backends: which facts a round
//! gathers for which alert, the rounds themselves, and the pure rules for
//! reminders and calm. A backend implements [`TriageTx`] — the queries, and how a
//! decision is written — inside its own transaction; it decides nothing.

use super::NewAlertRow;
use crate::alert::policy::{
    Candidate, DeathAlert, Decision, Dependency, Policy, ReminderDue, Snooze, SnoozeScope, Triage,
    Triaged, decide,
};
use crate::alert::{AlertDetails, AlertKind, EventLine, Member, QueuedAlert, RECENT_EVENTS};
use crate::monitor::{AlertRoute, Service, ServiceName, Status};
use crate::time::Timestamp;

/// Alerts one triage round looks at, at most; a full round goes on at once.
pub const CANDIDATES: usize = 64;
/// Rounds in one triage step: a round may queue reminders and notices that the next releases.
pub const ROUNDS: usize = 4;
/// Snoozes over for this long are deleted.
pub const SNOOZES_KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 86_400);

/// Dead dependents an alert lists at most.
const DEPENDENTS_LISTED: usize = 50;

/// A backend's side of triage: the facts a round reads and the writes a decision
/// makes, all inside the one transaction that [`triage`] runs in.
#[allow(async_fn_in_trait)] // used with concrete backends only, never boxed
pub trait TriageTx {
    type Error;

    /// Whether this transaction may triage: on a shared database, one node at a time.
    async fn take_turn(&mut self) -> Result<bool, Self::Error>;
    /// Untriaged pending alerts due at `now`, oldest first, at most `limit`.
    async fn untriaged(
        &mut self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<QueuedAlert>, Self::Error>;
    /// The status changes a digest gathered.
    async fn digest_members(&mut self, digest: i64) -> Result<Vec<Member>, Self::Error>;
    async fn service(&mut self, name: &ServiceName) -> Result<Option<Service>, Self::Error>;
    /// Where the death alert of the outage of `service` that began at `down_since` stands.
    async fn death_alert(
        &mut self,
        service: &ServiceName,
        down_since: Timestamp,
    ) -> Result<Option<DeathAlert>, Self::Error>;
    /// Deaths of `service` queued since `since`.
    async fn deaths_since(
        &mut self,
        service: &ServiceName,
        since: Timestamp,
    ) -> Result<u32, Self::Error>;
    /// The service's latest events, newest first.
    async fn recent_events(
        &mut self,
        service: &ServiceName,
        limit: usize,
    ) -> Result<Vec<EventLine>, Self::Error>;
    /// Dead services that depend on `service`, by name.
    async fn dead_dependents(
        &mut self,
        service: &ServiceName,
        limit: usize,
    ) -> Result<Vec<String>, Self::Error>;
    async fn active_snoozes(&mut self, now: Timestamp) -> Result<Vec<Snooze>, Self::Error>;
    /// Alerts of `kind` released since `since` (the storm window).
    async fn released_since(
        &mut self,
        kind: AlertKind,
        since: Timestamp,
    ) -> Result<usize, Self::Error>;
    /// Dead services, each with when it was last reminded of.
    async fn dead_services(&mut self) -> Result<Vec<(Service, Option<Timestamp>)>, Self::Error>;
    /// Flapping services, each with its last status change.
    async fn flapping_services(&mut self)
    -> Result<Vec<(Service, Option<Timestamp>)>, Self::Error>;
    /// Writes one decision of the policy.
    async fn apply(
        &mut self,
        policy: &Policy,
        now: Timestamp,
        decision: Decision,
    ) -> Result<(), Self::Error>;
}

/// Runs triage rounds until nothing new is due (a round may queue reminders and
/// notices that the next round releases).
pub async fn triage<T: TriageTx>(
    tx: &mut T,
    now: Timestamp,
    policy: &Policy,
) -> Result<Triaged, T::Error> {
    if !tx.take_turn().await? {
        // Another node is triaging; this one delivers what it releases.
        return Ok(Triaged::default());
    }
    let mut total = Triaged::default();
    for _ in 0..ROUNDS {
        let (facts, next) = gather(tx, policy, now).await?;
        total.next = next;
        let busy = facts.candidates.len() == CANDIDATES;
        let decisions = decide(policy, &facts);
        let queued = decisions.iter().any(|d| matches!(d, Decision::Queue(_)));
        for decision in decisions {
            total.count(&decision);
            tx.apply(policy, now, decision).await?;
        }
        if !queued && !busy {
            break;
        }
    }
    Ok(total)
}

/// One round's facts, and when the next reminder or end of flapping falls due.
async fn gather<T: TriageTx>(
    tx: &mut T,
    policy: &Policy,
    now: Timestamp,
) -> Result<(Triage, Option<Timestamp>), T::Error> {
    let alerts = tx.untriaged(now, CANDIDATES).await?;
    let mut candidates = Vec::with_capacity(alerts.len());
    for alert in alerts {
        candidates.push(candidate(tx, policy, now, alert).await?);
    }
    let snoozes = tx.active_snoozes(now).await?;
    let (mut released_deaths, mut released_recoveries) = (0, 0);
    if let Some(storm) = policy.storm {
        let since = now.minus(storm.window);
        released_deaths = tx.released_since(AlertKind::Down, since).await?;
        released_recoveries = tx.released_since(AlertKind::Up, since).await?;
    }
    let (reminders, next_reminder) = reminders(tx, policy, now).await?;
    let (calmed, next_calm) = match policy.flapping {
        Some(_) => calmed(policy, tx.flapping_services().await?, now),
        None => (Vec::new(), None),
    };
    let triage = Triage {
        now,
        candidates,
        snoozes,
        released_deaths,
        released_recoveries,
        reminders,
        calmed,
    };
    Ok((
        triage,
        [next_reminder, next_calm].into_iter().flatten().min(),
    ))
}

/// What the policy needs to judge `alert`: a digest its members; any other its
/// service, and for a death its dependency and recent deaths.
async fn candidate<T: TriageTx>(
    tx: &mut T,
    policy: &Policy,
    now: Timestamp,
    alert: QueuedAlert,
) -> Result<Candidate, T::Error> {
    let mut candidate = Candidate::new(alert);
    let alert = candidate.alert.clone();
    if alert.kind == AlertKind::Digest {
        candidate.members = tx.digest_members(alert.id).await?;
        return Ok(candidate);
    }
    candidate.service = tx.service(&alert.service).await?;
    let Some(depends_on) = candidate.service.as_ref().map(|s| s.depends_on.clone()) else {
        return Ok(candidate);
    };
    if matches!(alert.kind, AlertKind::Up | AlertKind::Reminder) {
        candidate.announced =
            tx.death_alert(&alert.service, alert.down_since).await? == Some(DeathAlert::Released);
    }
    if alert.kind == AlertKind::Down {
        if let Some(parent) = depends_on
            && let Some(parent) = tx.service(&parent).await?
        {
            let death_alert = match parent.status {
                Status::Dead => tx.death_alert(&parent.service, parent.deadline).await?,
                Status::Up | Status::Late | Status::Paused | Status::New => None,
            };
            candidate.dependency = Some(Dependency {
                service: parent,
                death_alert,
            });
        }
        if let Some(flapping) = policy.flapping {
            let since = now.minus(flapping.window);
            candidate.recent_deaths = tx.deaths_since(&alert.service, since).await?;
        }
    }
    candidate.recent = tx.recent_events(&alert.service, RECENT_EVENTS).await?;
    candidate.dependents = tx
        .dead_dependents(&alert.service, DEPENDENTS_LISTED)
        .await?;
    Ok(candidate)
}

/// The reminders due at `now`, with what the policy needs to judge each.
async fn reminders<T: TriageTx>(
    tx: &mut T,
    policy: &Policy,
    now: Timestamp,
) -> Result<(Vec<ReminderDue>, Option<Timestamp>), T::Error> {
    let (services, next) = due_reminders(policy, tx.dead_services().await?, now);
    let mut due = Vec::with_capacity(services.len());
    for service in services {
        let announced =
            tx.death_alert(&service.service, service.deadline).await? == Some(DeathAlert::Released);
        let dependency_dead = match &service.depends_on {
            Some(parent) => tx
                .service(parent)
                .await?
                .is_some_and(|p| p.status == Status::Dead),
            None => false,
        };
        due.push(ReminderDue {
            service,
            announced,
            dependency_dead,
        });
    }
    Ok((due, next))
}

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
    Member::new(
        service,
        kind == "up",
        Timestamp::from_millis(down_since),
        Timestamp::from_millis(last_pulse),
    )
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

#[cfg(test)]
#[path = "triage_tests.rs"]
mod tests;
