//! Snoozes and event-rule rate limits in PostgreSQL.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

use super::PgError;
use super::triage::{TRIAGE_LOCK, insert_alert};
use crate::alert::policy::{NewSnooze, Snooze};
use crate::alert::rules::{RuleFire, RuleFired};
use crate::alert::{AlertDetails, AlertKind};
use crate::monitor::{AlertRoute, AlertType};
use crate::store::NewAlertRow;
use crate::store::triage::{SNOOZES_KEPT_FOR, snooze_columns, snooze_scope};
use crate::time::Timestamp;

const COLUMNS: &str = "id, service, prefix, starts, ends, reason, created";

fn snooze_from_row(row: &Row) -> Result<Snooze, PgError> {
    let service = match row.try_get::<_, Option<&str>>(1)? {
        Some(_) => Some(super::rows::name_at(row, 1)?),
        None => None,
    };
    let scope = snooze_scope(service, row.try_get(2)?);
    Ok(Snooze {
        id: row.try_get(0)?,
        scope,
        from: Timestamp::from_millis(row.try_get(3)?),
        until: Timestamp::from_millis(row.try_get(4)?),
        reason: row.try_get(5)?,
        created: Timestamp::from_millis(row.try_get(6)?),
    })
}

/// Snoozes not over at `now`, by end.
pub async fn active(client: &impl GenericClient, now: Timestamp) -> Result<Vec<Snooze>, PgError> {
    let sql = format!("SELECT {COLUMNS} FROM snoozes WHERE ends > $1 ORDER BY ends, id");
    client
        .query(&sql, &[&now.as_millis()])
        .await?
        .iter()
        .map(snooze_from_row)
        .collect()
}

pub async fn add(tx: &Transaction<'_>, snooze: &NewSnooze) -> Result<Snooze, PgError> {
    let forgotten = snooze.created.minus(SNOOZES_KEPT_FOR);
    tx.execute(
        "DELETE FROM snoozes WHERE ends < $1",
        &[&forgotten.as_millis()],
    )
    .await?;
    let (service, prefix) = snooze_columns(&snooze.scope);
    let sql = format!(
        "INSERT INTO snoozes (service, prefix, starts, ends, reason, created)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    );
    let row = tx
        .query_one(
            &sql,
            &[
                &service,
                &prefix,
                &snooze.from.as_millis(),
                &snooze.until.as_millis(),
                &snooze.reason,
                &snooze.created.as_millis(),
            ],
        )
        .await?;
    snooze_from_row(&row)
}

/// Deletes a snooze and wakes every alert waiting in triage, so that those it
/// held are judged again now. Waits for a triage under way: one that read the
/// snooze before it went would otherwise hold an alert after this wake-up.
pub async fn delete(
    tx: &Transaction<'_>,
    id: i64,
    now: Timestamp,
) -> Result<Option<Snooze>, PgError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&TRIAGE_LOCK])
        .await?;
    let sql = format!("DELETE FROM snoozes WHERE id = $1 RETURNING {COLUMNS}");
    let Some(row) = tx.query_opt(&sql, &[&id]).await? else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE alerts SET next_attempt = $1
         WHERE state = 'pending' AND NOT triaged AND next_attempt > $1 AND kind <> 'digest'",
        &[&now.as_millis()],
    )
    .await?;
    snooze_from_row(&row).map(Some)
}

pub async fn fire_rule(
    tx: &Transaction<'_>,
    fire: &RuleFire,
    now: Timestamp,
) -> Result<RuleFired, PgError> {
    let service = tx
        .query_opt(
            "SELECT alert_type, alert_target, last_pulse, deadline FROM services WHERE name = $1",
            &[&fire.service.as_str()],
        )
        .await?;
    let times = |row: &Row| -> Result<(Timestamp, Timestamp), PgError> {
        Ok((
            Timestamp::from_millis(row.try_get(2)?),
            Timestamp::from_millis(row.try_get(3)?),
        ))
    };
    let (route, (last_pulse, deadline)) = match (&fire.route, service) {
        (Some(route), found) => (
            route.clone(),
            found.as_ref().map(times).transpose()?.unwrap_or((now, now)),
        ),
        (None, Some(row)) => {
            let Ok(kind) = AlertType::parse(row.try_get(0)?) else {
                return Ok(RuleFired::NoRoute);
            };
            (
                AlertRoute {
                    kind,
                    target: row.try_get(1)?,
                },
                times(&row)?,
            )
        }
        (None, None) => return Ok(RuleFired::NoRoute),
    };
    let every = i64::try_from(fire.every.as_millis()).unwrap_or(i64::MAX);
    let matched = i64::try_from(fire.matched).unwrap_or(i64::MAX);
    // Locks the rule's row for this service, so that two nodes cannot both fire.
    tx.execute(
        "INSERT INTO rule_fires (rule, service, last_fired, quieted) VALUES ($1, $2, $3, 0)
         ON CONFLICT (rule, service) DO NOTHING",
        &[&fire.rule, &fire.service.as_str(), &i64::MIN],
    )
    .await?;
    let row = tx
        .query_one(
            "SELECT last_fired, quieted FROM rule_fires WHERE rule = $1 AND service = $2 FOR UPDATE",
            &[&fire.rule, &fire.service.as_str()],
        )
        .await?;
    let (last, quieted): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
    if now.as_millis() < last.saturating_add(every) {
        tx.execute(
            "UPDATE rule_fires SET quieted = quieted + $3 WHERE rule = $1 AND service = $2",
            &[&fire.rule, &fire.service.as_str(), &matched],
        )
        .await?;
        return Ok(RuleFired::Quieted);
    }
    tx.execute(
        "UPDATE rule_fires SET last_fired = $3, quieted = 0 WHERE rule = $1 AND service = $2",
        &[&fire.rule, &fire.service.as_str(), &now.as_millis()],
    )
    .await?;
    insert_alert(
        tx,
        &NewAlertRow {
            service: fire.service.clone(),
            kind: AlertKind::Event,
            route,
            last_pulse,
            deadline,
            down_since: fire.event.date,
            created: now,
            details: AlertDetails {
                event: Some(fire.event.clone()),
                rule: Some(fire.rule.clone()),
                quieted: u64::try_from(quieted + matched - 1).unwrap_or_default(),
                ..AlertDetails::default()
            },
        },
    )
    .await?;
    Ok(RuleFired::Queued)
}
