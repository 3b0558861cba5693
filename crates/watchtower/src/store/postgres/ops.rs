//! The operations other than the batched pulses and events. Each runs inside the
//! transaction its caller opened, with `now` already read from the store's clock.

use std::time::Duration;

use deadpool_postgres::{Client, GenericClient, Transaction};

use super::PgError;
use super::rows::{ALERT_COLUMNS, SERVICE_COLUMNS, alert_from_row, service_from_row};
use super::write::{EventRow, insert_events, record_deaths, record_deaths_as};
use crate::alert::{AttemptOutcome, QueuedAlert};
use crate::cluster::{NODE_FORGOTTEN_AFTER, NODE_TIMEOUT, NodeInfo, NodeStatus};
use crate::monitor::{Due, Service, ServiceName, story};
use crate::store::decisions::{AttemptRecord, failure_event};
use crate::store::{DeathCheck, RestartPolicy, ServicePage, Watched};
use crate::time::Timestamp;

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

pub async fn cancel_service(
    tx: &Transaction<'_>,
    name: &ServiceName,
    now: Timestamp,
) -> Result<Option<Service>, PgError> {
    let sql = format!("DELETE FROM services WHERE name = $1 RETURNING {SERVICE_COLUMNS}");
    let Some(row) = tx.query_opt(&sql, &[&name.as_str()]).await? else {
        return Ok(None);
    };
    let service = service_from_row(&row)?;
    super::pings::forget_pings(tx, name).await?;
    // A retired service pages nobody, not even with an alert queued before it retired.
    tx.execute(
        "UPDATE alerts SET state = 'cancelled' WHERE service = $1 AND state = 'pending'",
        &[&name.as_str()],
    )
    .await?;
    insert_events(tx, &[EventRow::new(name, story::cancelled(), now)]).await?;
    Ok(Some(service))
}

pub async fn list_services(client: &Client) -> Result<Vec<Service>, PgError> {
    // COLLATE "C": sorted by code point, as the SQLite backend sorts, whatever the
    // database's locale.
    let sql = format!(r#"SELECT {SERVICE_COLUMNS} FROM services ORDER BY name COLLATE "C""#);
    client
        .query(&sql, &[])
        .await?
        .iter()
        .map(service_from_row)
        .collect()
}

pub async fn services_page(client: &Client, page: &ServicePage) -> Result<Vec<Service>, PgError> {
    let name = r#"name COLLATE "C""#;
    let conditions = page.conditions(name, |n| format!("${n}"));
    let sql = format!(
        "SELECT {SERVICE_COLUMNS} FROM services WHERE {} ORDER BY {name} LIMIT {}",
        conditions.sql, page.limit
    );
    let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = conditions
        .params
        .iter()
        .map(|param| param as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect();
    client
        .query(&sql, &params)
        .await?
        .iter()
        .map(service_from_row)
        .collect()
}

pub async fn mark_dead(
    tx: &Transaction<'_>,
    due: &[Due],
    now: Timestamp,
) -> Result<Vec<DeathCheck>, PgError> {
    let died_sql = format!(
        "UPDATE services SET status = 'dead'
         WHERE name = $1 AND seq = $2 AND status IN ('up', 'new') AND deadline <= $3
         RETURNING {SERVICE_COLUMNS}"
    );
    let mut checks = Vec::with_capacity(due.len());
    let mut died = Vec::new();
    for item in due {
        let name = item.service.as_str();
        if let Some(row) = tx
            .query_opt(&died_sql, &[&name, &item.seq, &now.as_millis()])
            .await?
        {
            let service = service_from_row(&row)?;
            died.push(service.clone());
            checks.push(DeathCheck::Died(service));
            continue;
        }
        let current = tx
            .query_opt(
                "SELECT seq, deadline, status FROM services WHERE name = $1",
                &[&name],
            )
            .await?;
        checks.push(match current {
            Some(row) if matches!(row.try_get::<_, &str>(2)?, "up" | "new") => {
                DeathCheck::Pulsed(Watched {
                    service: item.service.clone(),
                    seq: row.try_get(0)?,
                    deadline: Timestamp::from_millis(row.try_get(1)?),
                })
            }
            _ => DeathCheck::Gone,
        });
    }
    record_deaths(tx, &died, now).await?;
    Ok(checks)
}

pub async fn service(
    client: &impl GenericClient,
    name: &ServiceName,
) -> Result<Option<Service>, PgError> {
    let sql = format!("SELECT {SERVICE_COLUMNS} FROM services WHERE name = $1");
    client
        .query_opt(&sql, &[&name.as_str()])
        .await?
        .as_ref()
        .map(service_from_row)
        .transpose()
}

pub async fn fail_service(
    tx: &Transaction<'_>,
    name: &ServiceName,
    now: Timestamp,
) -> Result<Option<Service>, PgError> {
    // The deadline becomes the outage's start, as a missed deadline's would be.
    let sql = format!(
        "UPDATE services SET status = 'dead', deadline = $2 WHERE name = $1 AND status IN ('up', 'new')
         RETURNING {SERVICE_COLUMNS}"
    );
    if let Some(row) = tx
        .query_opt(&sql, &[&name.as_str(), &now.as_millis()])
        .await?
    {
        let service = service_from_row(&row)?;
        let failed = |_: &Service| story::reported_failure();
        record_deaths_as(tx, std::slice::from_ref(&service), now, failed).await?;
        return Ok(Some(service));
    }
    service(tx, name).await
}

pub async fn sweep_dead(
    tx: &Transaction<'_>,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<Service>, PgError> {
    // SKIP LOCKED: a service another node is sweeping, or a pulse is renewing, is
    // left to that transaction; nobody waits, and each death is claimed once.
    let sql = format!(
        "UPDATE services SET status = 'dead'
         FROM (SELECT name AS due_name FROM services
               WHERE status IN ('up', 'new') AND deadline <= $1
               ORDER BY deadline LIMIT $2 FOR UPDATE SKIP LOCKED) AS due
         WHERE name = due.due_name
         RETURNING {SERVICE_COLUMNS}"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let died: Vec<Service> = tx
        .query(&sql, &[&now.as_millis(), &limit])
        .await?
        .iter()
        .map(service_from_row)
        .collect::<Result<_, _>>()?;
    record_deaths(tx, &died, now).await?;
    Ok(died)
}

pub async fn resume_watch(
    tx: &Transaction<'_>,
    now: Timestamp,
    policy: RestartPolicy,
) -> Result<Vec<Watched>, PgError> {
    if policy == RestartPolicy::Grace {
        // Only deadlines that fell after the last heartbeat of any node, while no
        // node was watching, get a fresh window: had a node been up, it would
        // have declared them dead.
        let graced = tx
            .execute(
                "UPDATE services SET deadline = $1 + ceil((next_in + coalesce(grace, 0)) * 1000)::bigint
                 WHERE status IN ('up', 'new') AND deadline <= $1
                   AND deadline > COALESCE((SELECT max(last_seen) FROM nodes), -1)",
                &[&now.as_millis()],
            )
            .await?;
        if graced > 0 {
            tracing::info!(
                services = graced,
                "deadlines passed while no node ran; each gets a fresh window"
            );
        }
    }
    tx.query(
        "SELECT name, seq, deadline FROM services WHERE status IN ('up', 'new')",
        &[],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(Watched {
            service: super::rows::name_at(row, 0)?,
            seq: row.try_get(1)?,
            deadline: Timestamp::from_millis(row.try_get(2)?),
        })
    })
    .collect()
}

pub async fn claim_alerts(
    tx: &Transaction<'_>,
    now: Timestamp,
    lease: Duration,
    limit: usize,
) -> Result<Vec<QueuedAlert>, PgError> {
    let sql = format!(
        "UPDATE alerts SET lease_until = $2 WHERE id IN (
           SELECT id FROM alerts
           WHERE state = 'pending' AND triaged AND next_attempt <= $1
             AND (lease_until IS NULL OR lease_until <= $1)
           ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING {ALERT_COLUMNS}"
    );
    let lease_until = now.plus(lease).as_millis();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut alerts: Vec<QueuedAlert> = tx
        .query(&sql, &[&now.as_millis(), &lease_until, &limit])
        .await?
        .iter()
        .map(alert_from_row)
        .collect::<Result<_, _>>()?;
    alerts.sort_by_key(|alert| alert.id);
    Ok(alerts)
}

pub async fn record_attempt(
    tx: &Transaction<'_>,
    alert_id: i64,
    now: Timestamp,
    outcome: &AttemptOutcome,
) -> Result<(), PgError> {
    let record = AttemptRecord::of(outcome, now);
    tx.execute(
        "INSERT INTO alert_attempts (alert_id, at, ok, error) VALUES ($1, $2, $3, $4)",
        &[
            &alert_id,
            &now.as_millis(),
            &record.error.is_none(),
            &record.error,
        ],
    )
    .await?;
    // `state = 'pending'` keeps a cancellation that raced with this attempt.
    let next_attempt = record.next_attempt.map(Timestamp::as_millis);
    let after = tx
        .query_opt(
            "UPDATE alerts SET attempts = attempts + 1, lease_until = NULL, state = $2,
               next_attempt = COALESCE($3, next_attempt), last_error = $4
             WHERE id = $1 AND state = 'pending'
             RETURNING state, service, kind, alert_type || ':' || alert_target",
            &[&alert_id, &record.state, &next_attempt, &record.error],
        )
        .await?;
    if let Some(row) = after
        && let Some((service, told)) = failure_event(
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
            record.error,
        )
    {
        insert_events(tx, &[EventRow::new(&service, told, now)]).await?;
    }
    Ok(())
}

pub async fn next_alert_due(client: &Client, now: Timestamp) -> Result<Option<Duration>, PgError> {
    let due: Option<i64> = client
        .query_one(
            "SELECT MIN(GREATEST(next_attempt, COALESCE(lease_until, 0))) FROM alerts WHERE state = 'pending'",
            &[],
        )
        .await?
        .try_get(0)?;
    Ok(due.map(|due| Timestamp::from_millis(due).since(now)))
}

pub async fn heartbeat(
    tx: &Transaction<'_>,
    node: &NodeInfo,
    now: Timestamp,
    stopping: bool,
) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO nodes (id, address, started, last_seen, stopped) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, stopped = excluded.stopped",
        &[
            &node.id,
            &node.address,
            &node.started.as_millis(),
            &now.as_millis(),
            &stopping,
        ],
    )
    .await?;
    let forgotten = now.as_millis() - millis(NODE_FORGOTTEN_AFTER);
    tx.execute("DELETE FROM nodes WHERE last_seen < $1", &[&forgotten])
        .await?;
    Ok(())
}

pub async fn live_nodes(client: &Client, now: Timestamp) -> Result<Vec<NodeStatus>, PgError> {
    let since = now.as_millis() - millis(NODE_TIMEOUT);
    client
        .query(
            r#"SELECT id, address, started, last_seen FROM nodes
               WHERE NOT stopped AND last_seen > $1 ORDER BY id COLLATE "C""#,
            &[&since],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(NodeStatus {
                node: row.try_get(0)?,
                address: row.try_get(1)?,
                started: Timestamp::from_millis(row.try_get(2)?),
                last_heartbeat: Timestamp::from_millis(row.try_get(3)?),
            })
        })
        .collect()
}

pub async fn gauges(client: &Client) -> Result<crate::store::StoreGauges, PgError> {
    let services = client
        .query_one(
            "SELECT count(*) FILTER (WHERE status = 'up'), count(*) FILTER (WHERE status = 'dead'),
                    count(*) FILTER (WHERE status = 'paused'), count(*) FILTER (WHERE status = 'new')
             FROM services",
            &[],
        )
        .await?;
    let outbox = client
        .query_one(
            "SELECT count(*), min(created), count(*) FILTER (WHERE attempts > 0)
             FROM alerts WHERE state = 'pending'",
            &[],
        )
        .await?;
    let count = |value: i64| u64::try_from(value).unwrap_or_default();
    Ok(crate::store::StoreGauges {
        services_up: count(services.try_get(0)?),
        services_dead: count(services.try_get(1)?),
        services_paused: count(services.try_get(2)?),
        services_new: count(services.try_get(3)?),
        outbox_depth: count(outbox.try_get(0)?),
        outbox_oldest: outbox
            .try_get::<_, Option<i64>>(1)?
            .map(Timestamp::from_millis),
        alerts_failing: count(outbox.try_get(2)?),
    })
}

pub async fn service_flips(
    client: &Client,
    service: Option<&ServiceName>,
    since: Timestamp,
) -> Result<Vec<(String, crate::monitor::history::Flip)>, PgError> {
    const COLUMNS: &str =
        "SELECT service, kind = 'down', CASE kind WHEN 'down' THEN down_since ELSE created END
             FROM alerts WHERE kind IN ('down', 'up') AND fanned_from IS NULL AND created >= $1";
    let rows = match service {
        Some(name) => {
            let sql = format!("{COLUMNS} AND service = $2 ORDER BY id");
            client
                .query(&sql, &[&since.as_millis(), &name.as_str()])
                .await?
        }
        None => {
            let sql = format!("{COLUMNS} ORDER BY id");
            client.query(&sql, &[&since.as_millis()]).await?
        }
    };
    rows.iter()
        .map(|row| {
            let flip = crate::monitor::history::Flip {
                down: row.try_get(1)?,
                at: Timestamp::from_millis(row.try_get(2)?),
            };
            Ok((row.try_get(0)?, flip))
        })
        .collect()
}

/// Whether the database is a read-only replica rather than a primary.
pub async fn is_replica(client: &Client) -> Result<bool, PgError> {
    Ok(client
        .query_one("SELECT pg_is_in_recovery()", &[])
        .await?
        .try_get(0)?)
}
