//! The ping history on SQLite: a ring of slots per service, each new entry
//! replacing the one `keep` before it; identical plain pulses fold into the
//! newest entry by updating the service's row alone (`monitor::pings::Fold`).

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::monitor::ServiceName;
use crate::monitor::pings::{Fold, Ping, PingKind, PingNote, PingSource};
use crate::time::Timestamp;

/// The columns of a service's row that the history reads, in `ping_state`'s order.
pub const PING_STATE: &str = "pings, started, ping_fold, ping_fold_at, ping_folded, ping_fold_last";

/// A service's history as its row keeps it.
#[derive(Clone, Copy, Debug, Default)]
pub struct PingState {
    /// How many entries it had.
    pub entries: i64,
    /// The run under way's start.
    pub started: Option<i64>,
    pub fold: Fold,
}

/// Reads [`PING_STATE`] from `row`, starting at `column`.
pub fn ping_state(row: &Row<'_>, column: usize) -> rusqlite::Result<PingState> {
    let millis = |at: usize| row.get::<_, Option<i64>>(column + at);
    Ok(PingState {
        entries: row.get(column)?,
        started: millis(1)?,
        fold: Fold {
            key: millis(2)?,
            since: millis(3)?.map(Timestamp::from_millis),
            folded: row.get(column + 4)?,
            last: millis(5)?.map(Timestamp::from_millis),
        },
    })
}

/// Adds `note` at `at` to a history that stood at `before`: a new entry (and the
/// count of the one it closes), or nothing when it folds into the newest, whose
/// count the service's row keeps. Answers whether it took an entry.
pub fn keep_ping(
    conn: &Connection,
    service: &ServiceName,
    note: &PingNote,
    at: Timestamp,
    before: &PingState,
) -> rusqlite::Result<bool> {
    if before.fold.takes(note, at, before.started.is_some()) {
        return Ok(false);
    }
    if note.keep == 0 {
        return Ok(true);
    }
    if before.fold.folded > 0 {
        conn.prepare_cached(
            "UPDATE pings SET count = ?4, last = ?5 WHERE service = ?1 AND slot = ?2 AND n = ?3",
        )?
        .execute(params![
            service.as_str(),
            note.slot(before.entries),
            before.entries,
            1 + before.fold.folded,
            before.fold.last.map(Timestamp::as_millis),
        ])?;
    }
    let number = before.entries + 1;
    let duration = before
        .started
        .filter(|_| note.ends_run())
        .map(|started| at.since(Timestamp::from_millis(started)).as_secs_f64());
    conn.prepare_cached(
        "INSERT OR REPLACE INTO pings (service, slot, n, at, kind, source, client, user_agent, body, duration)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        service.as_str(),
        note.slot(number),
        number,
        at.as_millis(),
        note.kind.as_str(),
        note.source.as_str(),
        note.client,
        note.user_agent,
        note.body,
        duration,
    ])?;
    Ok(true)
}

/// The history columns of a service's row after `note` (`None`: no ping).
pub fn state_after(before: &PingState, note: Option<&PingNote>, at: Timestamp) -> PingState {
    let Some(note) = note else { return *before };
    let running = before.started.is_some();
    let took_entry = !before.fold.takes(note, at, running);
    PingState {
        entries: before.entries + i64::from(took_entry),
        started: match note.kind {
            PingKind::Start => Some(at.as_millis()),
            PingKind::Log => before.started,
            PingKind::Pulse | PingKind::Fail => None,
        },
        fold: before.fold.after(note, at, running),
    }
}

/// A ping that does not pulse: kept, and the run it ends closed.
pub fn record_ping(
    conn: &Connection,
    service: &ServiceName,
    note: &PingNote,
    at: Timestamp,
) -> rusqlite::Result<bool> {
    let sql = format!("SELECT {PING_STATE} FROM services WHERE name = ?1");
    let before = conn
        .prepare_cached(&sql)?
        .query_row([service.as_str()], |row| ping_state(row, 0))
        .optional()?;
    let Some(before) = before else {
        return Ok(false);
    };
    keep_ping(conn, service, note, at, &before)?;
    let after = state_after(&before, Some(note), at);
    conn.prepare_cached(
        "UPDATE services SET pings = ?2, started = ?3, ping_fold = ?4, ping_fold_at = ?5,
           ping_folded = ?6, ping_fold_last = ?7
         WHERE name = ?1",
    )?
    .execute(params![
        service.as_str(),
        after.entries,
        after.started,
        after.fold.key,
        after.fold.since.map(Timestamp::as_millis),
        after.fold.folded,
        after.fold.last.map(Timestamp::as_millis)
    ])?;
    Ok(true)
}

pub fn list_pings(
    conn: &Connection,
    service: &ServiceName,
    limit: usize,
) -> rusqlite::Result<Vec<Ping>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = format!("SELECT {PING_STATE} FROM services WHERE name = ?1");
    let state = conn
        .prepare_cached(&sql)?
        .query_row([service.as_str()], |row| ping_state(row, 0))
        .optional()?
        .unwrap_or_default();
    conn.prepare_cached(
        "SELECT at, kind, source, client, user_agent, body, duration, count, last, n FROM pings
         WHERE service = ?1 ORDER BY n DESC LIMIT ?2",
    )?
    .query_map(params![service.as_str(), limit], |row| {
        let ping = ping_from_row(row)?;
        let number: i64 = row.get(9)?;
        Ok(match number == state.entries {
            true => ping.with_fold(&state.fold),
            false => ping,
        })
    })?
    .collect()
}

pub fn forget_pings(conn: &Connection, service: &ServiceName) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM pings WHERE service = ?1")?
        .execute([service.as_str()])?;
    Ok(())
}

fn ping_from_row(row: &Row<'_>) -> rusqlite::Result<Ping> {
    let corrupt = |column: usize| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            "unexpected stored ping".into(),
        )
    };
    let kind: String = row.get(1)?;
    let source: String = row.get(2)?;
    Ok(Ping {
        date: Timestamp::from_millis(row.get(0)?),
        kind: PingKind::stored(&kind).ok_or_else(|| corrupt(1))?,
        source: PingSource::stored(&source).ok_or_else(|| corrupt(2))?,
        client: row.get(3)?,
        user_agent: row.get(4)?,
        body: row.get(5)?,
        duration: row.get(6)?,
        count: row.get(7)?,
        last_date: row.get::<_, Option<i64>>(8)?.map(Timestamp::from_millis),
    })
}
