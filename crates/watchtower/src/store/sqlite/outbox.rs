//! The alert outbox in SQLite: leasing due alerts to the dispatcher, recording
//! each delivery attempt, and the gauges `/metrics` reads.

use rusqlite::{Connection, OptionalExtension, params};

use super::ops::insert_event;
use super::rows::{ALERT_COLUMNS, alert_from_row};
use super::writer::WriterState;
use crate::alert::{AttemptOutcome, QueuedAlert};
use crate::store::decisions::{AttemptRecord, failure_event};
use crate::time::Timestamp;

pub fn claim_alerts(
    conn: &Connection,
    now: Timestamp,
    lease_until: Timestamp,
    limit: usize,
) -> rusqlite::Result<Vec<QueuedAlert>> {
    let sql = format!(
        "UPDATE alerts SET lease_until = ?2 WHERE id IN (
           SELECT id FROM alerts
           WHERE state = 'pending' AND triaged = 1 AND next_attempt <= ?1
             AND (lease_until IS NULL OR lease_until <= ?1)
           ORDER BY id LIMIT ?3)
         RETURNING {ALERT_COLUMNS}"
    );
    let mut alerts = conn
        .prepare_cached(&sql)?
        .query_map(
            params![now.as_millis(), lease_until.as_millis(), limit as i64],
            alert_from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    alerts.sort_by_key(|alert| alert.id);
    Ok(alerts)
}

pub fn record_attempt(
    conn: &Connection,
    state: &mut WriterState,
    alert_id: i64,
    at: Timestamp,
    outcome: &AttemptOutcome,
) -> rusqlite::Result<()> {
    let record = AttemptRecord::of(outcome, at);
    conn.prepare_cached(
        "INSERT INTO alert_attempts (alert_id, at, ok, error) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        alert_id,
        at.as_millis(),
        record.error.is_none(),
        record.error
    ])?;
    // `state = 'pending'` keeps a cancellation that raced with this attempt.
    let after: Option<(String, String, String, String)> = conn
        .prepare_cached(
            "UPDATE alerts SET attempts = attempts + 1, lease_until = NULL, state = ?2,
               next_attempt = COALESCE(?3, next_attempt), last_error = ?4
             WHERE id = ?1 AND state = 'pending'
             RETURNING state, service, kind, alert_type || ':' || alert_target",
        )?
        .query_row(
            params![
                alert_id,
                record.state,
                record.next_attempt.map(Timestamp::as_millis),
                record.error
            ],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    if let Some((state_after, service, kind, route)) = after
        && let Some((service, (level, message))) =
            failure_event(&state_after, &service, &kind, &route, record.error)
    {
        insert_event(conn, state, &service, level, &message, at)?;
    }
    Ok(())
}

pub fn gauges(conn: &Connection) -> rusqlite::Result<crate::store::StoreGauges> {
    let (up, dead, paused, new): (i64, i64, i64, i64) = conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE status = 'up'), count(*) FILTER (WHERE status = 'dead'),
                    count(*) FILTER (WHERE status = 'paused'), count(*) FILTER (WHERE status = 'new')
             FROM services",
        )?
        .query_row([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?;
    let (depth, oldest, failing): (i64, Option<i64>, i64) = conn
        .prepare_cached(
            "SELECT count(*), min(created), count(*) FILTER (WHERE attempts > 0)
             FROM alerts WHERE state = 'pending'",
        )?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    Ok(crate::store::StoreGauges {
        services_up: up as u64,
        services_dead: dead as u64,
        services_paused: paused as u64,
        services_new: new as u64,
        outbox_depth: depth as u64,
        outbox_oldest: oldest.map(Timestamp::from_millis),
        alerts_failing: failing as u64,
    })
}
