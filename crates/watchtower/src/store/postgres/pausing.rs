//! Pausing and resuming a service, each in its caller's transaction.

use std::time::Duration;

use deadpool_postgres::Transaction;

use super::PgError;
use super::ops::service;
use super::rows::{SERVICE_COLUMNS, service_from_row};
use super::write::{EventRow, insert_events};
use crate::monitor::{Service, ServiceName, story};
use crate::store::Resumed;
use crate::time::Timestamp;

pub async fn pause_service(
    tx: &Transaction<'_>,
    name: &ServiceName,
    now: Timestamp,
) -> Result<Option<Service>, PgError> {
    let sql = format!(
        "UPDATE services SET status = 'paused' WHERE name = $1 AND status <> 'paused'
         RETURNING {SERVICE_COLUMNS}"
    );
    let Some(row) = tx.query_opt(&sql, &[&name.as_str()]).await? else {
        return service(tx, name).await;
    };
    let paused = service_from_row(&row)?;
    // Paused means quiet: an alert queued before the pause is not sent either.
    tx.execute(
        "UPDATE alerts SET state = 'cancelled' WHERE service = $1 AND state = 'pending'",
        &[&name.as_str()],
    )
    .await?;
    insert_events(tx, &[EventRow::new(name, story::paused(), now)]).await?;
    Ok(Some(paused))
}

pub async fn resume_service(
    tx: &Transaction<'_>,
    name: &ServiceName,
    window: Duration,
    now: Timestamp,
) -> Result<Option<Resumed>, PgError> {
    let sql = format!(
        "UPDATE services SET status = 'up', deadline = $2, seq = nextval('service_pulses')
         WHERE name = $1 AND status = 'paused' RETURNING {SERVICE_COLUMNS}, seq"
    );
    let deadline = now.plus(window).as_millis();
    let Some(row) = tx.query_opt(&sql, &[&name.as_str(), &deadline]).await? else {
        let service = service(tx, name).await?;
        return Ok(service.map(|service| Resumed { service, seq: None }));
    };
    let service = service_from_row(&row)?;
    let seq: i64 = row.try_get(super::rows::SERVICE_COLUMN_COUNT)?;
    insert_events(tx, &[EventRow::new(name, story::resumed(window), now)]).await?;
    Ok(Some(Resumed {
        service,
        seq: Some(seq),
    }))
}
