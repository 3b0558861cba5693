//! The alert policy's storage side for PostgreSQL: gathers a triage step's facts
//! and applies the policy's decisions in one transaction. One node triages at a
//! time (an advisory lock that the others skip), so that counts of recent deaths
//! and open digests are the whole cluster's.

use std::sync::Arc;

use deadpool_postgres::Transaction;

use super::PgError;
use super::rows::{ALERT_COLUMNS, SERVICE_COLUMNS, alert_from_row, service_from_row};
use super::write::{EventRow, insert_events};
use crate::alert::policy::{
    Candidate, DeathAlert, Decision, Dependency, Policy, ReminderDue, Triage, Triaged, decide,
};
use crate::alert::{AlertKind, EventLine, QueuedAlert, RECENT_EVENTS};
use crate::events::Level;
use crate::monitor::{Service, ServiceName, Status};
use crate::store::NewAlertRow;
use crate::store::triage::{self as shared, CANDIDATES, ROUNDS};
use crate::time::Timestamp;

/// Any fixed number: names the advisory lock that serialises triage across nodes.
pub const TRIAGE_LOCK: i64 = 0x5754_5452_4941_4745;

pub async fn triage(
    tx: &Transaction<'_>,
    now: Timestamp,
    policy: &Arc<Policy>,
) -> Result<Triaged, PgError> {
    let locked: bool = tx
        .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&TRIAGE_LOCK])
        .await?
        .try_get(0)?;
    if !locked {
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
            apply(tx, policy, now, decision).await?;
        }
        if !queued && !busy {
            break;
        }
    }
    Ok(total)
}

async fn gather(
    tx: &Transaction<'_>,
    policy: &Policy,
    now: Timestamp,
) -> Result<(Triage, Option<Timestamp>), PgError> {
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM alerts
         WHERE state = 'pending' AND NOT triaged AND next_attempt <= $1 ORDER BY id LIMIT $2"
    );
    let rows = tx
        .query(&sql, &[&now.as_millis(), &(CANDIDATES as i64)])
        .await?;
    let mut candidates = Vec::with_capacity(rows.len());
    for row in &rows {
        candidates.push(candidate(tx, policy, now, alert_from_row(row)?).await?);
    }
    let snoozes = super::snoozes::active(tx, now).await?;
    let mut released = [0usize; 2];
    if let Some(storm) = policy.storm {
        for (slot, kind) in [AlertKind::Down, AlertKind::Up].into_iter().enumerate() {
            let count: i64 = tx
                .query_one(
                    "SELECT count(*) FROM alerts WHERE released >= $1 AND kind = $2",
                    &[&now.minus(storm.window).as_millis(), &kind.as_str()],
                )
                .await?
                .try_get(0)?;
            released[slot] = count as usize;
        }
    }
    let (reminders, next_reminder) = reminders(tx, policy, now).await?;
    let (calmed, next_calm) = calmed(tx, policy, now).await?;
    let triage = Triage {
        now,
        candidates,
        snoozes,
        released_deaths: released[0],
        released_recoveries: released[1],
        reminders,
        calmed,
    };
    Ok((
        triage,
        [next_reminder, next_calm].into_iter().flatten().min(),
    ))
}

async fn service(tx: &Transaction<'_>, name: &str) -> Result<Option<Service>, PgError> {
    let sql = format!("SELECT {SERVICE_COLUMNS} FROM services WHERE name = $1");
    tx.query_opt(&sql, &[&name])
        .await?
        .as_ref()
        .map(service_from_row)
        .transpose()
}

async fn death_alert(
    tx: &Transaction<'_>,
    service: &ServiceName,
    down_since: Timestamp,
) -> Result<Option<DeathAlert>, PgError> {
    let found = tx
        .query_opt(
            "SELECT id, released, state FROM alerts
             WHERE service = $1 AND kind IN ('down', 'stable') AND down_since = $2
               AND fanned_from IS NULL
             ORDER BY id DESC LIMIT 1",
            &[&service.as_str(), &down_since.as_millis()],
        )
        .await?;
    let Some(row) = found else { return Ok(None) };
    Ok(shared::death_alert(
        row.try_get(0)?,
        row.try_get(1)?,
        row.try_get(2)?,
    ))
}

async fn candidate(
    tx: &Transaction<'_>,
    policy: &Policy,
    now: Timestamp,
    alert: QueuedAlert,
) -> Result<Candidate, PgError> {
    let mut candidate = Candidate::new(alert);
    let alert = &candidate.alert;
    let name = alert.service.as_str();
    if alert.kind == AlertKind::Digest {
        for row in tx
            .query("SELECT service, kind, down_since, last_pulse FROM alerts WHERE digest_id = $1 ORDER BY id", &[&alert.id])
            .await?
        {
            candidate.members.push(shared::member(
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
            ));
        }
        return Ok(candidate);
    }
    candidate.service = service(tx, name).await?;
    let Some(current) = &candidate.service else {
        return Ok(candidate);
    };
    if matches!(alert.kind, AlertKind::Up | AlertKind::Reminder) {
        candidate.announced =
            death_alert(tx, &alert.service, alert.down_since).await? == Some(DeathAlert::Released);
    }
    if alert.kind == AlertKind::Down {
        if let Some(parent) = &current.depends_on
            && let Some(parent) = service(tx, parent.as_str()).await?
        {
            let death_alert = match parent.status {
                Status::Dead => death_alert(tx, &parent.service, parent.deadline).await?,
                Status::Up => None,
            };
            candidate.dependency = Some(Dependency {
                service: parent,
                death_alert,
            });
        }
        if let Some(flapping) = policy.flapping {
            let deaths: i64 = tx
                .query_one(
                    "SELECT count(*) FROM alerts WHERE service = $1 AND kind = 'down' AND created >= $2 AND fanned_from IS NULL",
                    &[&name, &now.minus(flapping.window).as_millis()],
                )
                .await?
                .try_get(0)?;
            candidate.recent_deaths = deaths as u32;
        }
    }
    for row in tx
        .query(
            "SELECT ts, level, message FROM events WHERE service = $1 ORDER BY ts DESC, id DESC LIMIT $2",
            &[&name, &(RECENT_EVENTS as i64)],
        )
        .await?
    {
        let rank: i16 = row.try_get(1)?;
        candidate.recent.push(EventLine {
            date: Timestamp::from_millis(row.try_get(0)?),
            level: Level::from_rank(rank.into()).ok_or_else(|| PgError::Corrupt("level".into()))?,
            message: row.try_get(2)?,
        });
    }
    for row in tx
        .query(
            r#"SELECT name FROM services WHERE depends_on = $1 AND status = 'dead' ORDER BY name COLLATE "C" LIMIT 50"#,
            &[&name],
        )
        .await?
    {
        candidate.dependents.push(row.try_get(0)?);
    }
    Ok(candidate)
}

async fn reminders(
    tx: &Transaction<'_>,
    policy: &Policy,
    now: Timestamp,
) -> Result<(Vec<ReminderDue>, Option<Timestamp>), PgError> {
    let sql = format!("SELECT {SERVICE_COLUMNS}, reminded FROM services WHERE status = 'dead'");
    let mut dead = Vec::new();
    for row in tx.query(&sql, &[]).await? {
        let reminded: Option<i64> = row.try_get(10)?;
        dead.push((
            service_from_row(&row)?,
            reminded.map(Timestamp::from_millis),
        ));
    }
    let (services, next) = shared::due_reminders(policy, dead, now);
    let mut due = Vec::with_capacity(services.len());
    for service in services {
        let announced = death_alert(tx, &service.service, service.deadline).await?
            == Some(DeathAlert::Released);
        let dependency_dead = match &service.depends_on {
            Some(parent) => self::service(tx, parent.as_str())
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

async fn calmed(
    tx: &Transaction<'_>,
    policy: &Policy,
    now: Timestamp,
) -> Result<(Vec<Service>, Option<Timestamp>), PgError> {
    if policy.flapping.is_none() {
        return Ok((Vec::new(), None));
    }
    let sql = format!(
        "SELECT {SERVICE_COLUMNS}, (SELECT max(created) FROM alerts a
                                    WHERE a.service = services.name AND a.kind IN ('down', 'up'))
         FROM services WHERE flapping_since IS NOT NULL"
    );
    let mut flapping = Vec::new();
    for row in tx.query(&sql, &[]).await? {
        let changed: Option<i64> = row.try_get(10)?;
        flapping.push((service_from_row(&row)?, changed.map(Timestamp::from_millis)));
    }
    Ok(shared::calmed(policy, flapping, now))
}

/// Queues one alert, untriaged; returns its id.
pub async fn insert_alert(tx: &Transaction<'_>, row: &NewAlertRow) -> Result<i64, PgError> {
    Ok(tx
        .query_one(
            "INSERT INTO alerts (service, kind, alert_type, alert_target, last_pulse, deadline,
                                 down_since, created, next_attempt, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
            &[
                &row.service.as_str(),
                &row.kind.as_str(),
                &row.route.kind.as_str(),
                &row.route.target,
                &row.last_pulse.as_millis(),
                &row.deadline.as_millis(),
                &row.down_since.as_millis(),
                &row.created.as_millis(),
                &row.details.to_json(),
            ],
        )
        .await?
        .try_get(0)?)
}

async fn apply(
    tx: &Transaction<'_>,
    policy: &Policy,
    now: Timestamp,
    decision: Decision,
) -> Result<(), PgError> {
    let now_ms = now.as_millis();
    match decision {
        Decision::Release {
            id,
            details,
            fan_out,
        } => {
            tx.execute(
                "UPDATE alerts SET triaged = true, released = $2, next_attempt = $2, details = $3 WHERE id = $1",
                &[&id, &now_ms, &details.to_json()],
            )
            .await?;
            for step in &fan_out {
                tx.execute(
                    "INSERT INTO alerts (service, kind, alert_type, alert_target, last_pulse, deadline,
                                         down_since, created, next_attempt, details, triaged, fanned_from)
                     SELECT service, kind, $2, $3, last_pulse, deadline, down_since, created, $4, details, true, id
                     FROM alerts WHERE id = $1",
                    &[&id, &step.kind.as_str(), &step.target, &now_ms],
                )
                .await?;
            }
            if !fan_out.is_empty() {
                // Its copies carry it now; it stays as the record of its release.
                tx.execute("UPDATE alerts SET state = 'sent' WHERE id = $1", &[&id])
                    .await?;
            }
        }
        Decision::Hold { id, until, details } => {
            tx.execute(
                "UPDATE alerts SET next_attempt = $2, details = $3 WHERE id = $1",
                &[&id, &until.as_millis(), &details.to_json()],
            )
            .await?;
        }
        Decision::Suppress { id, reason } => {
            tx.execute(
                "UPDATE alerts SET state = 'suppressed', triaged = true, last_error = $2 WHERE id = $1",
                &[&id, &reason],
            )
            .await?;
        }
        Decision::Digest { id, route } => {
            let open = tx
                .query_opt(
                    "SELECT id FROM alerts WHERE kind = 'digest' AND state = 'pending' AND NOT triaged
                     AND alert_type = $1 AND alert_target = $2 ORDER BY id DESC LIMIT 1",
                    &[&route.kind.as_str(), &route.target],
                )
                .await?;
            let digest = match open {
                Some(row) => row.try_get(0)?,
                None => {
                    let gather = policy.storm.map(|storm| storm.gather).unwrap_or_default();
                    let digest = insert_alert(tx, &shared::digest_row(route, now)).await?;
                    tx.execute(
                        "UPDATE alerts SET next_attempt = $2 WHERE id = $1",
                        &[&digest, &now.plus(gather).as_millis()],
                    )
                    .await?;
                    digest
                }
            };
            tx.execute(
                "UPDATE alerts SET state = 'digested', triaged = true, released = $2, digest_id = $3 WHERE id = $1",
                &[&id, &now_ms, &digest],
            )
            .await?;
        }
        Decision::Queue(alert) => {
            let mut row = NewAlertRow::about(&alert.service, alert.kind, alert.down_since, now);
            row.details = alert.details;
            insert_alert(tx, &row).await?;
        }
        Decision::Reminded { service } => {
            tx.execute(
                "UPDATE services SET reminded = $2 WHERE name = $1",
                &[&service.as_str(), &now_ms],
            )
            .await?;
        }
        Decision::SetFlapping { service, since } => {
            tx.execute(
                "UPDATE services SET flapping_since = $2 WHERE name = $1",
                &[&service.as_str(), &since.map(Timestamp::as_millis)],
            )
            .await?;
        }
        Decision::WakeDependents { service } => {
            tx.execute(
                "UPDATE alerts SET next_attempt = $2 WHERE state = 'pending' AND NOT triaged AND kind = 'down'
                 AND service IN (SELECT name FROM services WHERE depends_on = $1)",
                &[&service.as_str(), &now_ms],
            )
            .await?;
        }
        Decision::Event {
            service,
            level,
            message,
        } => {
            insert_events(tx, &[EventRow::new(&service, (level, message), now)]).await?;
        }
    }
    Ok(())
}
