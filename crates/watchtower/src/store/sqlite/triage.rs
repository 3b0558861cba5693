//! The alert policy's storage side for SQLite: gathers a triage step's facts and
//! applies the policy's decisions, inside one writer operation.

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};

use super::ops::{insert_alert, insert_event};
use super::rows::{ALERT_COLUMNS, SERVICE_COLUMNS, alert_from_row, service_from_row};
use super::writer::WriterState;
use crate::alert::policy::{
    Candidate, DeathAlert, Decision, Dependency, Policy, ReminderDue, Triage, Triaged, decide,
};
use crate::alert::{AlertKind, EventLine, RECENT_EVENTS};
use crate::monitor::{Service, ServiceName, Status};
use crate::store::NewAlertRow;
use crate::store::triage::{self as shared, CANDIDATES, ROUNDS};
use crate::time::Timestamp;

/// Runs triage rounds until nothing new is due (a round may queue reminders and
/// notices that the next round releases).
pub fn triage(
    conn: &Connection,
    state: &mut WriterState,
    now: Timestamp,
    policy: &Arc<Policy>,
) -> rusqlite::Result<Triaged> {
    let mut total = Triaged::default();
    for _ in 0..ROUNDS {
        let facts = gather(conn, policy, now)?;
        total.next = facts.1;
        let busy = facts.0.candidates.len() == CANDIDATES;
        let decisions = decide(policy, &facts.0);
        let queued = decisions.iter().any(|d| matches!(d, Decision::Queue(_)));
        for decision in decisions {
            total.count(&decision);
            apply(conn, state, policy, now, decision)?;
        }
        if !queued && !busy {
            break;
        }
    }
    Ok(total)
}

fn gather(
    conn: &Connection,
    policy: &Policy,
    now: Timestamp,
) -> rusqlite::Result<(Triage, Option<Timestamp>)> {
    let sql = format!(
        "SELECT {ALERT_COLUMNS} FROM alerts
         WHERE state = 'pending' AND triaged = 0 AND next_attempt <= ?1 ORDER BY id LIMIT ?2"
    );
    let alerts = conn
        .prepare_cached(&sql)?
        .query_map(params![now.as_millis(), CANDIDATES as i64], alert_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let candidates = alerts
        .into_iter()
        .map(|alert| candidate(conn, policy, now, alert))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let snoozes = super::snoozes::active(conn, now)?;
    let released = |kind: AlertKind| -> rusqlite::Result<usize> {
        let Some(storm) = policy.storm else {
            return Ok(0);
        };
        conn.prepare_cached("SELECT count(*) FROM alerts WHERE released >= ?1 AND kind = ?2")?
            .query_row(
                params![now.minus(storm.window).as_millis(), kind.as_str()],
                |row| row.get::<_, i64>(0),
            )
            .map(|count| count as usize)
    };
    let (reminders, next_reminder) = reminders(conn, policy, now)?;
    let (calmed, next_calm) = calmed(conn, policy, now)?;
    let next = [next_reminder, next_calm].into_iter().flatten().min();
    let triage = Triage {
        now,
        candidates,
        snoozes,
        released_deaths: released(AlertKind::Down)?,
        released_recoveries: released(AlertKind::Up)?,
        reminders,
        calmed,
    };
    Ok((triage, next))
}

fn service(conn: &Connection, name: &str) -> rusqlite::Result<Option<Service>> {
    let sql = format!("SELECT {SERVICE_COLUMNS} FROM services WHERE name = ?1");
    conn.prepare_cached(&sql)?
        .query_row([name], service_from_row)
        .optional()
}

/// Where the death alert of `service`'s outage that began at `down_since` stands.
fn death_alert(
    conn: &Connection,
    service: &ServiceName,
    down_since: Timestamp,
) -> rusqlite::Result<Option<DeathAlert>> {
    let found: Option<Option<DeathAlert>> = conn
        .prepare_cached(
            "SELECT id, released, state FROM alerts
             WHERE service = ?1 AND kind IN ('down', 'stable') AND down_since = ?2
               AND fanned_from IS NULL
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![service.as_str(), down_since.as_millis()], |row| {
            Ok(shared::death_alert(
                row.get(0)?,
                row.get(1)?,
                &row.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    Ok(found.flatten())
}

fn candidate(
    conn: &Connection,
    policy: &Policy,
    now: Timestamp,
    alert: crate::alert::QueuedAlert,
) -> rusqlite::Result<Candidate> {
    let mut candidate = Candidate::new(alert);
    let alert = &candidate.alert;
    if alert.kind == AlertKind::Digest {
        candidate.members = conn
            .prepare_cached("SELECT service, kind, down_since, last_pulse FROM alerts WHERE digest_id = ?1 ORDER BY id")?
            .query_map([alert.id], |row| {
                let kind: String = row.get(1)?;
                Ok(shared::member(row.get(0)?, &kind, row.get(2)?, row.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        return Ok(candidate);
    }
    candidate.service = service(conn, alert.service.as_str())?;
    let Some(current) = &candidate.service else {
        return Ok(candidate);
    };
    if matches!(alert.kind, AlertKind::Up | AlertKind::Reminder) {
        candidate.announced =
            death_alert(conn, &alert.service, alert.down_since)? == Some(DeathAlert::Released);
    }
    if alert.kind == AlertKind::Down {
        if let Some(parent) = &current.depends_on
            && let Some(parent) = service(conn, parent.as_str())?
        {
            let death_alert = match parent.status {
                Status::Dead => death_alert(conn, &parent.service, parent.deadline)?,
                Status::Up => None,
            };
            candidate.dependency = Some(Dependency {
                service: parent,
                death_alert,
            });
        }
        if let Some(flapping) = policy.flapping {
            let deaths: i64 = conn
                .prepare_cached("SELECT count(*) FROM alerts WHERE service = ?1 AND kind = 'down' AND created >= ?2 AND fanned_from IS NULL")?
                .query_row(params![alert.service.as_str(), now.minus(flapping.window).as_millis()], |row| row.get(0))?;
            candidate.recent_deaths = deaths as u32;
        }
    }
    candidate.recent = conn
        .prepare_cached(
            "SELECT e.ts, e.level, e.message FROM events e JOIN event_services s ON s.id = e.service_id
             WHERE s.name = ?1 ORDER BY e.ts DESC, e.id DESC LIMIT ?2",
        )?
        .query_map(params![alert.service.as_str(), RECENT_EVENTS as i64], |row| {
            Ok(EventLine {
                date: Timestamp::from_millis(row.get(0)?),
                level: super::rows::level_at(row, 1)?,
                message: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    candidate.dependents = conn
        .prepare_cached("SELECT name FROM services WHERE depends_on = ?1 AND status = 'dead' ORDER BY name LIMIT 50")?
        .query_map([alert.service.as_str()], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(candidate)
}

fn reminders(
    conn: &Connection,
    policy: &Policy,
    now: Timestamp,
) -> rusqlite::Result<(Vec<ReminderDue>, Option<Timestamp>)> {
    let sql = format!("SELECT {SERVICE_COLUMNS}, reminded FROM services WHERE status = 'dead'");
    let dead: Vec<(Service, Option<Timestamp>)> = conn
        .prepare_cached(&sql)?
        .query_map([], |row| {
            let reminded: Option<i64> = row.get(10)?;
            Ok((service_from_row(row)?, reminded.map(Timestamp::from_millis)))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let (due, next) = shared::due_reminders(policy, dead, now);
    let due =
        due.into_iter()
            .map(|service| {
                let announced = death_alert(conn, &service.service, service.deadline)?
                    == Some(DeathAlert::Released);
                let dependency_dead = match &service.depends_on {
                    Some(parent) => self::service(conn, parent.as_str())?
                        .is_some_and(|p| p.status == Status::Dead),
                    None => false,
                };
                Ok(ReminderDue {
                    service,
                    announced,
                    dependency_dead,
                })
            })
            .collect::<rusqlite::Result<_>>()?;
    Ok((due, next))
}

fn calmed(
    conn: &Connection,
    policy: &Policy,
    now: Timestamp,
) -> rusqlite::Result<(Vec<Service>, Option<Timestamp>)> {
    if policy.flapping.is_none() {
        return Ok((Vec::new(), None));
    }
    let sql = format!(
        "SELECT {SERVICE_COLUMNS}, (SELECT max(created) FROM alerts a
                                    WHERE a.service = services.name AND a.kind IN ('down', 'up'))
         FROM services WHERE flapping_since IS NOT NULL"
    );
    let flapping: Vec<(Service, Option<Timestamp>)> = conn
        .prepare_cached(&sql)?
        .query_map([], |row| {
            let changed: Option<i64> = row.get(10)?;
            Ok((service_from_row(row)?, changed.map(Timestamp::from_millis)))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(shared::calmed(policy, flapping, now))
}

fn apply(
    conn: &Connection,
    state: &mut WriterState,
    policy: &Policy,
    now: Timestamp,
    decision: Decision,
) -> rusqlite::Result<()> {
    let now_ms = now.as_millis();
    match decision {
        Decision::Release {
            id,
            details,
            fan_out,
        } => {
            conn.prepare_cached("UPDATE alerts SET triaged = 1, released = ?2, next_attempt = ?2, details = ?3 WHERE id = ?1")?
                .execute(params![id, now_ms, details.to_json()])?;
            for step in &fan_out {
                conn.prepare_cached(
                    "INSERT INTO alerts (service, kind, alert_type, alert_target, last_pulse, deadline,
                                         down_since, created, next_attempt, details, triaged, fanned_from)
                     SELECT service, kind, ?2, ?3, last_pulse, deadline, down_since, created, ?4, details, 1, id
                     FROM alerts WHERE id = ?1",
                )?
                .execute(params![id, step.kind.as_str(), step.target, now_ms])?;
            }
            if !fan_out.is_empty() {
                // Its copies carry it now; it stays as the record of its release.
                conn.prepare_cached("UPDATE alerts SET state = 'sent' WHERE id = ?1")?
                    .execute([id])?;
            }
        }
        Decision::Hold { id, until, details } => {
            conn.prepare_cached("UPDATE alerts SET next_attempt = ?2, details = ?3 WHERE id = ?1")?
                .execute(params![id, until.as_millis(), details.to_json()])?;
        }
        Decision::Suppress { id, reason } => {
            conn.prepare_cached("UPDATE alerts SET state = 'suppressed', triaged = 1, last_error = ?2 WHERE id = ?1")?
                .execute(params![id, reason])?;
        }
        Decision::Digest { id, route } => {
            let open: Option<i64> = conn
                .prepare_cached(
                    "SELECT id FROM alerts WHERE kind = 'digest' AND state = 'pending' AND triaged = 0
                     AND alert_type = ?1 AND alert_target = ?2 ORDER BY id DESC LIMIT 1",
                )?
                .query_row(params![route.kind.as_str(), route.target], |row| row.get(0))
                .optional()?;
            let digest = match open {
                Some(digest) => digest,
                None => {
                    let gather = policy.storm.map(|storm| storm.gather).unwrap_or_default();
                    insert_alert(conn, &shared::digest_row(route, now))?;
                    let digest = conn.last_insert_rowid();
                    conn.prepare_cached("UPDATE alerts SET next_attempt = ?2 WHERE id = ?1")?
                        .execute(params![digest, now.plus(gather).as_millis()])?;
                    digest
                }
            };
            conn.prepare_cached("UPDATE alerts SET state = 'digested', triaged = 1, released = ?2, digest_id = ?3 WHERE id = ?1")?
                .execute(params![id, now_ms, digest])?;
        }
        Decision::Queue(alert) => {
            let mut row = NewAlertRow::about(&alert.service, alert.kind, alert.down_since, now);
            row.details = alert.details;
            insert_alert(conn, &row)?;
        }
        Decision::Reminded { service } => {
            conn.prepare_cached("UPDATE services SET reminded = ?2 WHERE name = ?1")?
                .execute(params![service.as_str(), now_ms])?;
        }
        Decision::SetFlapping { service, since } => {
            conn.prepare_cached("UPDATE services SET flapping_since = ?2 WHERE name = ?1")?
                .execute(params![service.as_str(), since.map(Timestamp::as_millis)])?;
        }
        Decision::WakeDependents { service } => {
            conn.prepare_cached(
                "UPDATE alerts SET next_attempt = ?2 WHERE state = 'pending' AND triaged = 0 AND kind = 'down'
                 AND service IN (SELECT name FROM services WHERE depends_on = ?1)",
            )?
            .execute(params![service.as_str(), now_ms])?;
        }
        Decision::Event {
            service,
            level,
            message,
        } => {
            insert_event(conn, state, &service, level, &message, now)?;
        }
    }
    Ok(())
}
