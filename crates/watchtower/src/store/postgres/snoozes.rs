//! Snoozes and event-rule rate limits in PostgreSQL.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

use super::PgError;
use super::triage::{TRIAGE_LOCK, insert_alert};
use crate::alert::policy::{NewSnooze, Snooze};
use crate::alert::rules::{RuleFire, RuleFired};
use crate::monitor::{AlertRoute, AlertType};
use crate::store::decisions::{
    Monitored, RuleHistory, RuleJudgement, judge_rule_fire, rule_target,
};
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
    let found = match tx
        .query_opt(
            "SELECT alert_type, alert_target, last_pulse, deadline FROM services WHERE name = $1",
            &[&fire.service.as_str()],
        )
        .await?
    {
        Some(row) => Some(Monitored {
            route: AlertType::parse(row.try_get(0)?)
                .ok()
                .map(|kind| {
                    Ok::<_, PgError>(AlertRoute {
                        kind,
                        target: row.try_get(1)?,
                    })
                })
                .transpose()?,
            last_pulse: Timestamp::from_millis(row.try_get(2)?),
            deadline: Timestamp::from_millis(row.try_get(3)?),
        }),
        None => None,
    };
    let Some(target) = rule_target(fire, found, now) else {
        return Ok(RuleFired::NoRoute);
    };
    let (rule, service) = (&fire.rule, fire.service.as_str());
    // Locks the rule's row for this service, so that two nodes cannot both fire.
    tx.execute(
        "INSERT INTO rule_fires (rule, service, last_fired, quieted) VALUES ($1, $2, $3, 0)
         ON CONFLICT (rule, service) DO NOTHING",
        &[rule, &service, &i64::MIN],
    )
    .await?;
    let row = tx
        .query_one(
            "SELECT last_fired, quieted FROM rule_fires WHERE rule = $1 AND service = $2 FOR UPDATE",
            &[rule, &service],
        )
        .await?;
    let history = RuleHistory {
        last_fired: Timestamp::from_millis(row.try_get(0)?),
        quieted: u64::try_from(row.try_get::<_, i64>(1)?).unwrap_or_default(),
    };
    match judge_rule_fire(fire, target, Some(history), now) {
        RuleJudgement::Quiet { matched } => {
            let matched = i64::try_from(matched).unwrap_or(i64::MAX);
            tx.execute(
                "UPDATE rule_fires SET quieted = quieted + $3 WHERE rule = $1 AND service = $2",
                &[rule, &service, &matched],
            )
            .await?;
            Ok(RuleFired::Quieted)
        }
        RuleJudgement::Fire(alert) => {
            tx.execute(
                "UPDATE rule_fires SET last_fired = $3, quieted = 0 WHERE rule = $1 AND service = $2",
                &[rule, &service, &now.as_millis()],
            )
            .await?;
            insert_alert(tx, &alert).await?;
            Ok(RuleFired::Queued)
        }
    }
}
