//! Pausing and resuming a service, on the writer thread.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::ops::{insert_event, service};
use super::rows::{SERVICE_COLUMNS, service_from_row};
use super::writer::WriterState;
use crate::monitor::{Service, ServiceName, story};
use crate::store::Resumed;
use crate::time::Timestamp;

pub fn pause_service(
    conn: &Connection,
    state: &mut WriterState,
    name: &ServiceName,
    at: Timestamp,
) -> rusqlite::Result<Option<Service>> {
    let sql = format!(
        "UPDATE services SET status = 'paused' WHERE name = ?1 AND status <> 'paused'
         RETURNING {SERVICE_COLUMNS}"
    );
    let paused = conn
        .prepare_cached(&sql)?
        .query_row([name.as_str()], service_from_row)
        .optional()?;
    let Some(paused) = paused else {
        return service(conn, name);
    };
    // Paused means quiet: an alert queued before the pause is not sent either.
    conn.prepare_cached(
        "UPDATE alerts SET state = 'cancelled' WHERE service = ?1 AND state = 'pending'",
    )?
    .execute([name.as_str()])?;
    let (level, message) = story::paused();
    insert_event(conn, state, name, level, &message, at)?;
    Ok(Some(paused))
}

pub fn resume_service(
    conn: &Connection,
    state: &mut WriterState,
    name: &ServiceName,
    window: Duration,
    at: Timestamp,
) -> rusqlite::Result<Option<Resumed>> {
    let seq = state.next_seq + 1;
    let sql = format!(
        "UPDATE services SET status = 'up', deadline = ?2, seq = ?3
         WHERE name = ?1 AND status = 'paused' RETURNING {SERVICE_COLUMNS}"
    );
    let resumed = conn
        .prepare_cached(&sql)?
        .query_row(
            params![name.as_str(), at.plus(window).as_millis(), seq],
            service_from_row,
        )
        .optional()?;
    let Some(service) = resumed else {
        let service = service(conn, name)?;
        return Ok(service.map(|service| Resumed { service, seq: None }));
    };
    state.next_seq = seq;
    let (level, message) = story::resumed(window);
    insert_event(conn, state, name, level, &message, at)?;
    Ok(Some(Resumed {
        service,
        seq: Some(seq),
    }))
}
