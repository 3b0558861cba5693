//! The ping history on PostgreSQL: a ring of slots per service, each new ping
//! replacing the one `keep` before it. A batch's pings go in one statement.

use std::collections::HashMap;

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

use super::PgError;
use crate::monitor::ServiceName;
use crate::monitor::pings::{Fold, Ping, PingKind, PingNote, PingSource};
use crate::time::Timestamp;

/// A ping to keep, as the statement that counted it numbered it.
pub struct PingRow {
    pub service: ServiceName,
    pub note: PingNote,
    pub number: i64,
    pub at: Timestamp,
    /// The start of the run it ends, if any.
    pub started: Option<i64>,
}

/// The entry a new one closed, with the pings that folded into it.
pub struct ClosedEntry {
    pub service: ServiceName,
    pub slot: i64,
    pub number: i64,
    pub count: i64,
    pub last: Option<i64>,
    pub keep: u32,
}

/// Writes the counts of the entries that new ones closed (before those are kept,
/// which may take their slots).
pub async fn close_entries(tx: &Transaction<'_>, entries: &[ClosedEntry]) -> Result<(), PgError> {
    let entries: Vec<&ClosedEntry> = entries.iter().filter(|e| e.keep > 0).collect();
    if entries.is_empty() {
        return Ok(());
    }
    let services: Vec<&str> = entries.iter().map(|e| e.service.as_str()).collect();
    let slots: Vec<i64> = entries.iter().map(|e| e.slot).collect();
    let numbers: Vec<i64> = entries.iter().map(|e| e.number).collect();
    let counts: Vec<i64> = entries.iter().map(|e| e.count).collect();
    let lasts: Vec<Option<i64>> = entries.iter().map(|e| e.last).collect();
    let statement = tx
        .prepare_cached(
            "UPDATE pings p SET count = f.count, last = f.last
             FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
                  AS f (service, slot, n, count, last)
             WHERE p.service = f.service AND p.slot = f.slot AND p.n = f.n",
        )
        .await?;
    tx.execute(&statement, &[&services, &slots, &numbers, &counts, &lasts])
        .await?;
    Ok(())
}

/// Keeps `rows` (a history of length 0 keeps none). Where two land in one slot
/// (a short history, a service pinging twice in a batch), the later one stays.
pub async fn keep_pings(tx: &Transaction<'_>, rows: &[PingRow]) -> Result<(), PgError> {
    let mut by_slot: HashMap<(&str, i64), &PingRow> = HashMap::new();
    for row in rows.iter().filter(|row| row.note.keep > 0) {
        let slot = (row.service.as_str(), row.note.slot(row.number));
        match by_slot.get(&slot) {
            Some(kept) if kept.number > row.number => {}
            _ => {
                by_slot.insert(slot, row);
            }
        }
    }
    if by_slot.is_empty() {
        return Ok(());
    }
    let rows: Vec<&PingRow> = by_slot.into_values().collect();
    let column = |f: fn(&PingRow) -> Option<&str>| rows.iter().map(|r| f(r)).collect::<Vec<_>>();
    let services: Vec<&str> = rows.iter().map(|r| r.service.as_str()).collect();
    let slots: Vec<i64> = rows.iter().map(|r| r.note.slot(r.number)).collect();
    let numbers: Vec<i64> = rows.iter().map(|r| r.number).collect();
    let dates: Vec<i64> = rows.iter().map(|r| r.at.as_millis()).collect();
    let durations: Vec<Option<f64>> = rows
        .iter()
        .map(|r| {
            let started = r.started.filter(|_| r.note.ends_run())?;
            Some(r.at.since(Timestamp::from_millis(started)).as_secs_f64())
        })
        .collect();
    let statement = tx
        .prepare_cached(
            "INSERT INTO pings (service, slot, n, at, kind, source, client, user_agent, body, duration)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[],
                                  $6::text[], $7::text[], $8::text[], $9::text[], $10::float8[])
             ON CONFLICT (service, slot) DO UPDATE SET
               n = excluded.n, at = excluded.at, kind = excluded.kind, source = excluded.source,
               client = excluded.client, user_agent = excluded.user_agent, body = excluded.body,
               duration = excluded.duration",
        )
        .await?;
    tx.execute(
        &statement,
        &[
            &services,
            &slots,
            &numbers,
            &dates,
            &column(|r| Some(r.note.kind.as_str())),
            &column(|r| Some(r.note.source.as_str())),
            &column(|r| r.note.client.as_deref()),
            &column(|r| r.note.user_agent.as_deref()),
            &column(|r| r.note.body.as_deref()),
            &durations,
        ],
    )
    .await?;
    Ok(())
}

/// A ping that does not pulse: a new entry (closing the newest, with what
/// folded into it), and the run it ends closed.
pub async fn record_ping(
    tx: &Transaction<'_>,
    service: &ServiceName,
    note: &PingNote,
    at: Timestamp,
) -> Result<bool, PgError> {
    let row = tx
        .query_opt(
            "UPDATE services s SET pings = s.pings + 1,
               started = CASE WHEN $2 THEN NULL ELSE s.started END,
               ping_fold = NULL, ping_fold_at = $3, ping_folded = 0, ping_fold_last = $3
             FROM (SELECT name, started, ping_folded, ping_fold_last FROM services
                   WHERE name = $1 FOR UPDATE) AS was
             WHERE s.name = was.name
             RETURNING s.pings, was.started, was.ping_folded, was.ping_fold_last",
            &[&service.as_str(), &note.ends_run(), &at.as_millis()],
        )
        .await?;
    let Some(row) = row else { return Ok(false) };
    let number: i64 = row.try_get(0)?;
    let folded: i64 = row.try_get(2)?;
    if folded > 0 {
        let closed = ClosedEntry {
            service: service.clone(),
            slot: note.slot(number - 1),
            number: number - 1,
            count: 1 + folded,
            last: row.try_get(3)?,
            keep: note.keep,
        };
        close_entries(tx, &[closed]).await?;
    }
    let ping = PingRow {
        service: service.clone(),
        note: note.clone(),
        number,
        at,
        started: row.try_get(1)?,
    };
    keep_pings(tx, &[ping]).await?;
    Ok(true)
}

pub async fn list_pings(
    client: &impl GenericClient,
    service: &ServiceName,
    limit: usize,
) -> Result<Vec<Ping>, PgError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let fold = client
        .query_opt(
            "SELECT pings, ping_folded, ping_fold_last FROM services WHERE name = $1",
            &[&service.as_str()],
        )
        .await?;
    let (newest, fold) = match fold {
        Some(row) => (
            row.try_get::<_, i64>(0)?,
            Fold {
                folded: row.try_get(1)?,
                last: row
                    .try_get::<_, Option<i64>>(2)?
                    .map(Timestamp::from_millis),
                ..Fold::default()
            },
        ),
        None => (0, Fold::default()),
    };
    client
        .query(
            "SELECT at, kind, source, client, user_agent, body, duration, count, last, n FROM pings
             WHERE service = $1 ORDER BY n DESC LIMIT $2",
            &[&service.as_str(), &limit],
        )
        .await?
        .iter()
        .map(|row| {
            let ping = ping_from_row(row)?;
            Ok(match row.try_get::<_, i64>(9)? == newest {
                true => ping.with_fold(&fold),
                false => ping,
            })
        })
        .collect()
}

pub async fn forget_pings(tx: &Transaction<'_>, service: &ServiceName) -> Result<(), PgError> {
    tx.execute("DELETE FROM pings WHERE service = $1", &[&service.as_str()])
        .await?;
    Ok(())
}

fn ping_from_row(row: &Row) -> Result<Ping, PgError> {
    let corrupt = || PgError::Corrupt("unexpected stored ping".into());
    Ok(Ping {
        date: Timestamp::from_millis(row.try_get(0)?),
        kind: PingKind::stored(row.try_get(1)?).ok_or_else(corrupt)?,
        source: PingSource::stored(row.try_get(2)?).ok_or_else(corrupt)?,
        client: row.try_get(3)?,
        user_agent: row.try_get(4)?,
        body: row.try_get(5)?,
        duration: row.try_get(6)?,
        count: row.try_get(7)?,
        last_date: row
            .try_get::<_, Option<i64>>(8)?
            .map(Timestamp::from_millis),
    })
}
