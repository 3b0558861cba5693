//! Snoozes and event-rule rate limits in SQLite (the rate limit's rule is
//! `store::decisions::judge_rule_fire`).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::ops::insert_alert;
use crate::alert::policy::{NewSnooze, Snooze};
use crate::alert::rules::{RuleFire, RuleFired};
use crate::monitor::{AlertRoute, AlertType};
use crate::store::decisions::{
    Monitored, RuleHistory, RuleJudgement, judge_rule_fire, rule_target,
};
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
    let found = conn
        .prepare_cached(
            "SELECT alert_type, alert_target, last_pulse, deadline FROM services WHERE name = ?1",
        )?
        .query_row([fire.service.as_str()], |row| {
            let (kind, target): (String, String) = (row.get(0)?, row.get(1)?);
            Ok(Monitored {
                route: AlertType::parse(&kind)
                    .ok()
                    .map(|kind| AlertRoute { kind, target }),
                last_pulse: Timestamp::from_millis(row.get(2)?),
                deadline: Timestamp::from_millis(row.get(3)?),
            })
        })
        .optional()?;
    let Some(target) = rule_target(&fire, found, fire.now) else {
        return Ok(RuleFired::NoRoute);
    };
    let history = conn
        .prepare_cached(
            "SELECT last_fired, quieted FROM rule_fires WHERE rule = ?1 AND service = ?2",
        )?
        .query_row(params![fire.rule, fire.service.as_str()], |row| {
            Ok(RuleHistory {
                last_fired: Timestamp::from_millis(row.get(0)?),
                quieted: u64::try_from(row.get::<_, i64>(1)?).unwrap_or_default(),
            })
        })
        .optional()?;
    let (rule, service) = (&fire.rule, fire.service.as_str());
    match judge_rule_fire(&fire, target, history, fire.now) {
        RuleJudgement::Quiet { matched } => {
            conn.prepare_cached(
                "UPDATE rule_fires SET quieted = quieted + ?3 WHERE rule = ?1 AND service = ?2",
            )?
            .execute(params![
                rule,
                service,
                i64::try_from(matched).unwrap_or(i64::MAX)
            ])?;
            Ok(RuleFired::Quieted)
        }
        RuleJudgement::Fire(alert) => {
            conn.prepare_cached(
                "INSERT INTO rule_fires (rule, service, last_fired, quieted) VALUES (?1, ?2, ?3, 0)
                 ON CONFLICT (rule, service) DO UPDATE SET last_fired = excluded.last_fired, quieted = 0",
            )?
            .execute(params![rule, service, fire.now.as_millis()])?;
            insert_alert(conn, &alert)?;
            Ok(RuleFired::Queued)
        }
    }
}
