//! The outbox as people read it: alerts and how they fared.

use rusqlite::{Connection, Row, params};

use super::rows::name_at;
use crate::alert::AlertKind;
use crate::alert::history::{AlertQuery, AlertRecord, AlertState};
use crate::monitor::AlertType;
use crate::time::Timestamp;

fn corrupt(column: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unexpected stored {what}").into(),
    )
}

fn record(row: &Row<'_>) -> rusqlite::Result<AlertRecord> {
    let text = |column| row.get::<_, String>(column);
    Ok(AlertRecord {
        id: row.get(0)?,
        kind: AlertKind::parse(&text(1)?).ok_or_else(|| corrupt(1, "alert kind"))?,
        service: name_at(row, 2)?,
        alert_type: AlertType::parse(&text(3)?).map_err(|_| corrupt(3, "alert type"))?,
        alert_target: text(4)?,
        created: Timestamp::from_millis(row.get(5)?),
        state: AlertState::parse(&text(6)?).ok_or_else(|| corrupt(6, "alert state"))?,
        attempts: row.get(7)?,
        last_error: row.get(8)?,
        next_attempt: row.get::<_, Option<i64>>(9)?.map(Timestamp::from_millis),
        fanned_from: row.get(10)?,
    })
}

pub fn list_alerts(conn: &Connection, query: &AlertQuery) -> rusqlite::Result<Vec<AlertRecord>> {
    conn.prepare_cached(
        "SELECT id, kind, service, alert_type, alert_target, created, state, attempts, last_error,
                CASE WHEN state = 'pending' THEN next_attempt END, fanned_from
         FROM alerts
         WHERE (?1 IS NULL OR service = ?1)
           AND (?2 IS NULL OR substr(service, 1, length(?2)) = ?2)
           AND (?3 IS NULL OR state = ?3)
           AND (?4 = 0 OR (state = 'pending' AND attempts > 0))
         ORDER BY id DESC LIMIT ?5",
    )?
    .query_map(
        params![
            query.service.as_ref().map(|s| s.as_str()),
            query.service_prefix,
            query.state.map(AlertState::as_str),
            query.failing,
            query.limit,
        ],
        record,
    )?
    .collect()
}
