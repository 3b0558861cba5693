//! Snoozes and event-rule rate limits in SQLite.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::ops::insert_alert;
use crate::alert::policy::{NewSnooze, Snooze};
use crate::alert::rules::{RuleFire, RuleFired};
use crate::alert::{AlertDetails, AlertKind};
use crate::monitor::{AlertRoute, AlertType};
use crate::store::NewAlertRow;
use crate::store::triage::{SNOOZES_KEPT_FOR, snooze_columns, snooze_scope};
use crate::time::Timestamp;

const COLUMNS: &str = "id, service, prefix, starts, ends, reason, created";

fn snooze_from_row(row: &Row<'_>) -> rusqlite::Result<Snooze> {
    let service = match row.get::<_, Option<String>>(1)? {
        Some(_) => Some(super::rows::name_at(row, 1)?),
        None => None,
    };
    let scope = snooze_scope(service, row.get(2)?);
    Ok(Snooze {
        id: row.get(0)?,
        scope,
        from: Timestamp::from_millis(row.get(3)?),
        until: Timestamp::from_millis(row.get(4)?),
        reason: row.get(5)?,
        created: Timestamp::from_millis(row.get(6)?),
    })
}

/// Snoozes not over at `now`, by end.
pub fn active(conn: &Connection, now: Timestamp) -> rusqlite::Result<Vec<Snooze>> {
    let sql = format!("SELECT {COLUMNS} FROM snoozes WHERE ends > ?1 ORDER BY ends, id");
    conn.prepare_cached(&sql)?
        .query_map([now.as_millis()], snooze_from_row)?
        .collect()
}

pub fn add(conn: &Connection, snooze: NewSnooze) -> rusqlite::Result<Snooze> {
    let forgotten = snooze.created.minus(SNOOZES_KEPT_FOR);
    conn.prepare_cached("DELETE FROM snoozes WHERE ends < ?1")?
        .execute([forgotten.as_millis()])?;
    let (service, prefix) = snooze_columns(&snooze.scope);
    let sql = format!(
        "INSERT INTO snoozes (service, prefix, starts, ends, reason, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING {COLUMNS}"
    );
    conn.prepare_cached(&sql)?.query_row(
        params![
            service,
            prefix,
            snooze.from.as_millis(),
            snooze.until.as_millis(),
            snooze.reason,
            snooze.created.as_millis()
        ],
        snooze_from_row,
    )
}

/// Deletes a snooze and wakes every alert waiting in triage, so that those it
/// held are judged again now.
pub fn delete(conn: &Connection, id: i64, now: Timestamp) -> rusqlite::Result<Option<Snooze>> {
    let sql = format!("DELETE FROM snoozes WHERE id = ?1 RETURNING {COLUMNS}");
    let deleted = conn
        .prepare_cached(&sql)?
        .query_row([id], snooze_from_row)
        .optional()?;
    if deleted.is_some() {
        conn.prepare_cached(
            "UPDATE alerts SET next_attempt = ?1
             WHERE state = 'pending' AND triaged = 0 AND next_attempt > ?1 AND kind <> 'digest'",
        )?
        .execute([now.as_millis()])?;
    }
    Ok(deleted)
}

pub fn fire_rule(conn: &Connection, fire: RuleFire) -> rusqlite::Result<RuleFired> {
    let service: Option<(String, String, i64, i64)> = conn
        .prepare_cached(
            "SELECT alert_type, alert_target, last_pulse, deadline FROM services WHERE name = ?1",
        )?
        .query_row([fire.service.as_str()], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    let (route, last_pulse, deadline) = match (&fire.route, service) {
        (Some(route), found) => {
            let (pulse, deadline) = found.map_or((fire.now, fire.now), |(_, _, p, d)| {
                (Timestamp::from_millis(p), Timestamp::from_millis(d))
            });
            (route.clone(), pulse, deadline)
        }
        (None, Some((kind, target, pulse, deadline))) => {
            let Ok(kind) = AlertType::parse(&kind) else {
                return Ok(RuleFired::NoRoute);
            };
            (
                AlertRoute { kind, target },
                Timestamp::from_millis(pulse),
                Timestamp::from_millis(deadline),
            )
        }
        (None, None) => return Ok(RuleFired::NoRoute),
    };
    let every = i64::try_from(fire.every.as_millis()).unwrap_or(i64::MAX);
    let previous: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT last_fired, quieted FROM rule_fires WHERE rule = ?1 AND service = ?2",
        )?
        .query_row(params![fire.rule, fire.service.as_str()], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    let now = fire.now.as_millis();
    let matched = i64::try_from(fire.matched).unwrap_or(i64::MAX);
    if previous.is_some_and(|(last, _)| now < last.saturating_add(every)) {
        conn.prepare_cached(
            "UPDATE rule_fires SET quieted = quieted + ?3 WHERE rule = ?1 AND service = ?2",
        )?
        .execute(params![fire.rule, fire.service.as_str(), matched])?;
        return Ok(RuleFired::Quieted);
    }
    conn.prepare_cached(
        "INSERT INTO rule_fires (rule, service, last_fired, quieted) VALUES (?1, ?2, ?3, 0)
         ON CONFLICT (rule, service) DO UPDATE SET last_fired = excluded.last_fired, quieted = 0",
    )?
    .execute(params![fire.rule, fire.service.as_str(), now])?;
    let quieted = previous.map_or(0, |(_, quieted)| quieted) + matched - 1;
    insert_alert(
        conn,
        &NewAlertRow {
            service: fire.service.clone(),
            kind: AlertKind::Event,
            route,
            last_pulse,
            deadline,
            down_since: fire.event.date,
            created: fire.now,
            details: AlertDetails {
                event: Some(fire.event),
                rule: Some(fire.rule),
                quieted: u64::try_from(quieted).unwrap_or_default(),
                ..AlertDetails::default()
            },
        },
    )?;
    Ok(RuleFired::Queued)
}
