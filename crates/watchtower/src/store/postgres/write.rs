//! Set-based writes shared by the batcher and the other operations: many events or
//! alerts go in with one statement, whatever their number.

use deadpool_postgres::Transaction;

use super::PgError;
use crate::alert::AlertKind;
use crate::events::{Attributes, Level};
use crate::monitor::{Service, ServiceName, story};
use crate::store::NewAlertRow;
use crate::time::Timestamp;

/// An event about to be inserted.
pub struct EventRow {
    /// `None`: stamped with the database's clock, once for the whole statement.
    pub at: Option<Timestamp>,
    pub service: ServiceName,
    pub level: Level,
    pub message: String,
    pub attributes: Attributes,
}

impl EventRow {
    pub fn new(service: &ServiceName, (level, message): (Level, String), at: Timestamp) -> Self {
        Self {
            at: Some(at),
            service: service.clone(),
            level,
            message,
            attributes: Attributes::default(),
        }
    }
}

/// An alert about to be queued: the service as it is now, why, and since when.
pub struct AlertRow {
    pub service: Service,
    pub kind: AlertKind,
    pub down_since: Timestamp,
    pub at: Timestamp,
}

/// Inserts `rows` in order and returns their ids and dates, in the same order.
pub async fn insert_events(
    tx: &Transaction<'_>,
    rows: &[EventRow],
) -> Result<Vec<(i64, Timestamp)>, PgError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let at: Vec<Option<i64>> = rows
        .iter()
        .map(|r| r.at.map(Timestamp::as_millis))
        .collect();
    let services: Vec<&str> = rows.iter().map(|r| r.service.as_str()).collect();
    let levels: Vec<i16> = rows.iter().map(|r| r.level.rank() as i16).collect();
    let messages: Vec<&str> = rows.iter().map(|r| r.message.as_str()).collect();
    let attributes: Vec<Option<String>> = rows.iter().map(|r| r.attributes.to_json()).collect();
    // Ids come from the sequence as the rows are inserted, in `ord` order, so the
    // returned ids sorted ascending line up with the input.
    let statement = tx
        .prepare_cached(
            "INSERT INTO events (ts, service, level, message, attributes)
             SELECT COALESCE(t.ts, n.now), t.service, t.level, t.message, t.attributes::json
             FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::text[], $5::text[])
                  WITH ORDINALITY AS t (ts, service, level, message, attributes, ord)
             CROSS JOIN (SELECT wt_now() AS now) AS n
             ORDER BY t.ord
             RETURNING id, ts",
        )
        .await?;
    let mut stored: Vec<(i64, Timestamp)> = tx
        .query(
            &statement,
            &[&at, &services, &levels, &messages, &attributes],
        )
        .await?
        .iter()
        .map(|row| Ok((row.try_get(0)?, Timestamp::from_millis(row.try_get(1)?))))
        .collect::<Result<_, PgError>>()?;
    stored.sort_unstable_by_key(|(id, _)| *id);
    Ok(stored)
}

pub async fn insert_alerts(tx: &Transaction<'_>, rows: &[AlertRow]) -> Result<(), PgError> {
    if rows.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&AlertRow) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
    let services: Vec<&str> = rows.iter().map(|r| r.service.service.as_str()).collect();
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    let types: Vec<&str> = rows.iter().map(|r| r.service.alert_type.as_str()).collect();
    let targets: Vec<&str> = rows
        .iter()
        .map(|r| r.service.alert_target.as_str())
        .collect();
    // Only what the service itself tells; the policy adds the rest at triage.
    let details: Vec<String> = rows
        .iter()
        .map(|r| {
            let row = NewAlertRow::about(&r.service, r.kind, r.down_since, r.at);
            row.details.to_json()
        })
        .collect();
    let statement = tx
        .prepare_cached(
            "INSERT INTO alerts (service, kind, alert_type, alert_target, last_pulse, deadline,
                                 down_since, created, next_attempt, details)
             SELECT service, kind, alert_type, alert_target, last_pulse, deadline, down_since, at, at,
                    details
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                         $6::bigint[], $7::bigint[], $8::bigint[], $9::text[])
                  AS t (service, kind, alert_type, alert_target, last_pulse, deadline, down_since, at,
                        details)",
        )
        .await?;
    tx.execute(
        &statement,
        &[
            &services,
            &kinds,
            &types,
            &targets,
            &column(|r| r.service.last_pulse.as_millis()),
            &column(|r| r.service.deadline.as_millis()),
            &column(|r| r.down_since.as_millis()),
            &column(|r| r.at.as_millis()),
            &details,
        ],
    )
    .await?;
    Ok(())
}

/// Records the deaths of services just marked dead: an error event and a down
/// alert each, in the caller's transaction.
pub async fn record_deaths(
    tx: &Transaction<'_>,
    died: &[Service],
    at: Timestamp,
) -> Result<(), PgError> {
    record_deaths_as(tx, died, at, story::died).await
}

/// As [`record_deaths`], each death told by `story`.
pub async fn record_deaths_as(
    tx: &Transaction<'_>,
    died: &[Service],
    at: Timestamp,
    story: impl Fn(&Service) -> (crate::events::Level, String),
) -> Result<(), PgError> {
    let events: Vec<EventRow> = died
        .iter()
        .map(|service| EventRow::new(&service.service, story(service), at))
        .collect();
    insert_events(tx, &events).await?;
    let alerts: Vec<AlertRow> = died
        .iter()
        .map(|service| AlertRow {
            service: service.clone(),
            kind: AlertKind::Down,
            down_since: service.deadline,
            at,
        })
        .collect();
    insert_alerts(tx, &alerts).await
}
