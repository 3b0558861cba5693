//! The outbox as people read it: alerts and how they fared.

use deadpool_postgres::Client;
use tokio_postgres::Row;

use super::PgError;
use super::rows::name_at;
use crate::alert::AlertKind;
use crate::alert::history::{AlertQuery, AlertRecord, AlertState};
use crate::monitor::AlertType;
use crate::time::Timestamp;

fn corrupt(what: &str) -> PgError {
    PgError::Corrupt(what.to_owned())
}

fn record(row: &Row) -> Result<AlertRecord, PgError> {
    let attempts: i32 = row.try_get(7)?;
    Ok(AlertRecord {
        id: row.try_get(0)?,
        kind: AlertKind::parse(row.try_get(1)?).ok_or_else(|| corrupt("alert kind"))?,
        service: name_at(row, 2)?,
        alert_type: AlertType::parse(row.try_get(3)?).map_err(|_| corrupt("alert type"))?,
        alert_target: row.try_get(4)?,
        created: Timestamp::from_millis(row.try_get(5)?),
        state: AlertState::parse(row.try_get(6)?).ok_or_else(|| corrupt("alert state"))?,
        attempts: u32::try_from(attempts).unwrap_or_default(),
        last_error: row.try_get(8)?,
        next_attempt: row
            .try_get::<_, Option<i64>>(9)?
            .map(Timestamp::from_millis),
        fanned_from: row.try_get(10)?,
    })
}

pub async fn list_alerts(client: &Client, query: &AlertQuery) -> Result<Vec<AlertRecord>, PgError> {
    let rows = client
        .query(
            "SELECT id, kind, service, alert_type, alert_target, created, state, attempts, last_error,
                    CASE WHEN state = 'pending' THEN next_attempt END, fanned_from
             FROM alerts
             WHERE ($1::text IS NULL OR service = $1)
               AND ($2::text IS NULL OR left(service, length($2)) = $2)
               AND ($3::text IS NULL OR state = $3)
               AND (NOT $4 OR (state = 'pending' AND attempts > 0))
             ORDER BY id DESC LIMIT $5",
            &[
                &query.service.as_ref().map(|s| s.as_str()),
                &query.service_prefix,
                &query.state.map(AlertState::as_str),
                &query.failing,
                &i64::from(query.limit),
            ],
        )
        .await?;
    rows.iter().map(record).collect()
}
