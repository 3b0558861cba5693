//! The write operations, each run by the writer inside its own savepoint. A status
//! change, its event and its alert are written by one operation, so they commit together.

use rusqlite::{Connection, OptionalExtension, params};

use super::pings::forget_pings;
use super::rows::{SERVICE_COLUMNS, service_from_row};
use super::writer::WriterState;
use crate::alert::AlertKind;
use crate::events::{Attributes, Event, Level, NewEvent};
use crate::monitor::{Due, NextIn, Service, ServiceName, story};
use crate::store::{DeathCheck, NewAlertRow, RestartPolicy, Watched};
use crate::time::Timestamp;

pub fn cancel_service(
    conn: &Connection,
    state: &mut WriterState,
    name: &ServiceName,
    at: Timestamp,
) -> rusqlite::Result<Option<Service>> {
    let sql = format!("DELETE FROM services WHERE name = ?1 RETURNING {SERVICE_COLUMNS}");
    let Some(service) = conn
        .prepare_cached(&sql)?
        .query_row([name.as_str()], service_from_row)
        .optional()?
    else {
        return Ok(None);
    };
    forget_pings(conn, name)?;
    // A retired service pages nobody, not even with an alert queued before it retired.
    conn.prepare_cached(
        "UPDATE alerts SET state = 'cancelled' WHERE service = ?1 AND state = 'pending'",
    )?
    .execute([name.as_str()])?;
    let (level, message) = story::cancelled();
    insert_event(conn, state, name, level, &message, at)?;
    Ok(Some(service))
}

pub fn mark_dead(
    conn: &Connection,
    state: &mut WriterState,
    due: Vec<Due>,
    now: Timestamp,
) -> rusqlite::Result<Vec<DeathCheck>> {
    let sql = format!(
        "UPDATE services SET status = 'dead' WHERE name = ?1 AND seq = ?2 AND status IN ('up', 'new') RETURNING {SERVICE_COLUMNS}"
    );
    due.into_iter()
        .map(|item| {
            let died = conn
                .prepare_cached(&sql)?
                .query_row(params![item.service.as_str(), item.seq], service_from_row)
                .optional()?;
            if let Some(service) = died {
                record_death(conn, state, &service, now)?;
                return Ok(DeathCheck::Died(service));
            }
            let current: Option<(i64, i64, String)> = conn
                .prepare_cached("SELECT seq, deadline, status FROM services WHERE name = ?1")?
                .query_row([item.service.as_str()], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .optional()?;
            Ok(match current {
                Some((seq, deadline, status)) if status == "up" || status == "new" => {
                    DeathCheck::Pulsed(Watched {
                        service: item.service,
                        seq,
                        deadline: Timestamp::from_millis(deadline),
                    })
                }
                _ => DeathCheck::Gone,
            })
        })
        .collect()
}

pub fn fail_service(
    conn: &Connection,
    state: &mut WriterState,
    name: &ServiceName,
    now: Timestamp,
) -> rusqlite::Result<Option<Service>> {
    // The deadline becomes the outage's start, as a missed deadline's would be.
    let sql = format!(
        "UPDATE services SET status = 'dead', deadline = ?2 WHERE name = ?1 AND status IN ('up', 'new')
         RETURNING {SERVICE_COLUMNS}"
    );
    let died = conn
        .prepare_cached(&sql)?
        .query_row(params![name.as_str(), now.as_millis()], service_from_row)
        .optional()?;
    if let Some(service) = &died {
        let (level, message) = story::reported_failure();
        insert_event(conn, state, &service.service, level, &message, now)?;
        queue_alert(conn, service, AlertKind::Down, service.deadline, now)?;
        return Ok(died);
    }
    service(conn, name)
}

/// One service, read on the writer's connection (inside its transaction).
pub fn service(conn: &Connection, name: &ServiceName) -> rusqlite::Result<Option<Service>> {
    let sql = format!("SELECT {SERVICE_COLUMNS} FROM services WHERE name = ?1");
    conn.prepare_cached(&sql)?
        .query_row([name.as_str()], service_from_row)
        .optional()
}

pub fn sweep_dead(
    conn: &Connection,
    state: &mut WriterState,
    now: Timestamp,
    limit: usize,
) -> rusqlite::Result<Vec<Service>> {
    let sql = format!(
        "UPDATE services SET status = 'dead' WHERE name IN (
           SELECT name FROM services WHERE status IN ('up', 'new') AND deadline <= ?1
           ORDER BY deadline LIMIT ?2)
         RETURNING {SERVICE_COLUMNS}"
    );
    let died = conn
        .prepare_cached(&sql)?
        .query_map(params![now.as_millis(), limit as i64], service_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for service in &died {
        record_death(conn, state, service, now)?;
    }
    Ok(died)
}

/// The error event and the down alert of a service just marked dead.
fn record_death(
    conn: &Connection,
    state: &mut WriterState,
    service: &Service,
    now: Timestamp,
) -> rusqlite::Result<()> {
    let (level, message) = story::died(service);
    insert_event(conn, state, &service.service, level, &message, now)?;
    queue_alert(conn, service, AlertKind::Down, service.deadline, now)
}

pub fn resume_watch(
    conn: &Connection,
    now: Timestamp,
    policy: RestartPolicy,
) -> rusqlite::Result<Vec<Watched>> {
    if policy == RestartPolicy::Grace {
        // Deadlines that fell while the server was down restart their window now.
        let stale: Vec<(String, f64)> = conn
            .prepare(
                "SELECT name, next_in + coalesce(grace, 0) FROM services
                 WHERE status IN ('up', 'new') AND deadline <= ?1",
            )?
            .query_map([now.as_millis()], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut update = conn.prepare("UPDATE services SET deadline = ?2 WHERE name = ?1")?;
        for (name, next_in) in &stale {
            let window = NextIn::window(*next_in);
            update.execute(params![name, now.plus(window).as_millis()])?;
        }
        if !stale.is_empty() {
            tracing::info!(
                services = stale.len(),
                "deadlines passed while stopped; each gets a fresh window"
            );
        }
    }
    // Leases belong to the previous run of this single-node store.
    conn.execute(
        "UPDATE alerts SET lease_until = NULL WHERE state = 'pending'",
        [],
    )?;
    let mut statement =
        conn.prepare("SELECT name, seq, deadline FROM services WHERE status IN ('up', 'new')")?;
    let rows = statement.query_map([], |row| {
        Ok(Watched {
            service: super::rows::name_at(row, 0)?,
            seq: row.get(1)?,
            deadline: Timestamp::from_millis(row.get(2)?),
        })
    })?;
    rows.collect()
}

pub fn add_event(
    conn: &Connection,
    state: &mut WriterState,
    event: NewEvent,
) -> rusqlite::Result<Event> {
    let service_id = event_service_id(conn, state, &event.service)?;
    // Dates never decrease as ids grow: an event received a moment before one
    // already stored (or a clock stepped back) takes that event's date. So id
    // order is date order, which pagination and the search index rely on.
    let date = event.date.as_millis().max(state.newest_event);
    conn.prepare_cached(
        "INSERT INTO events (ts, service_id, level, message, attributes)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        date,
        service_id,
        event.level.rank(),
        event.message,
        event.attributes.to_json()
    ])?;
    state.newest_event = date;
    let event = event.stored(conn.last_insert_rowid(), Timestamp::from_millis(date));
    if state.feed.is_watched() {
        state.unpublished.push(event.clone());
    }
    Ok(event)
}

/// Stores an event the server writes itself (deaths, pauses, declarations).
pub fn insert_event(
    conn: &Connection,
    state: &mut WriterState,
    service: &ServiceName,
    level: Level,
    message: &str,
    at: Timestamp,
) -> rusqlite::Result<(i64, Timestamp)> {
    let event = NewEvent {
        service: service.clone(),
        level,
        message: message.to_owned(),
        date: at,
        attributes: Attributes::default(),
    };
    let stored = add_event(conn, state, event)?;
    Ok((stored.id, stored.date))
}

/// Service names are stored once and referred to by id from every event.
fn event_service_id(
    conn: &Connection,
    state: &mut WriterState,
    service: &ServiceName,
) -> rusqlite::Result<i64> {
    if let Some(id) = state.event_services.get(service.as_str()) {
        return Ok(id);
    }
    // Look before inserting: most misses name a known service, and a read
    // dirties no page.
    let known = conn
        .prepare_cached("SELECT id FROM event_services WHERE name = ?1")?
        .query_row([service.as_str()], |row| row.get(0))
        .optional()?;
    let id = match known {
        Some(id) => id,
        None => {
            conn.prepare_cached("INSERT INTO event_services (name) VALUES (?1)")?
                .execute([service.as_str()])?;
            conn.last_insert_rowid()
        }
    };
    state.event_services.remember(service.as_str(), id);
    Ok(id)
}

pub fn queue_alert(
    conn: &Connection,
    service: &Service,
    kind: AlertKind,
    down_since: Timestamp,
    now: Timestamp,
) -> rusqlite::Result<()> {
    insert_alert(conn, &NewAlertRow::about(service, kind, down_since, now))
}

/// Queues an alert, untriaged: the policy sees it before any channel does.
pub fn insert_alert(conn: &Connection, row: &NewAlertRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO alerts (service, kind, alert_type, alert_target, last_pulse, deadline,
                             down_since, created, next_attempt, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
    )?
    .execute(params![
        row.service.as_str(),
        row.kind.as_str(),
        row.route.kind.as_str(),
        row.route.target,
        row.last_pulse.as_millis(),
        row.deadline.as_millis(),
        row.down_since.as_millis(),
        row.created.as_millis(),
        row.details.to_json(),
    ])?;
    Ok(())
}
