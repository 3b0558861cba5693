//! A pulse's write: the service's row, and whatever the pulse starts or ends
//! (its ping entry, the story's events, an up alert).

use rusqlite::{Connection, OptionalExtension, params};

use super::ops::{insert_event, queue_alert};
use super::pings::{PING_STATE, PingState, keep_ping, ping_state, state_after};
use super::writer::{self, WriterState};
use crate::alert::AlertKind;
use crate::monitor::{Kept, Pulse, ServiceName};
use crate::store::PulseRecorded;
use crate::store::decisions::PulseWrites;
use crate::time::Timestamp;

/// A pulsed service's row as the pulse found it.
struct Previous {
    status: String,
    deadline: i64,
    kept: Kept,
    history: PingState,
}

/// Queued without a savepoint: most pulses (a known service, alive, its ping
/// folded into the newest entry) write the service's row alone, one statement
/// and so atomic by itself; a pulse that writes more takes a savepoint here.
pub fn record_pulse(
    conn: &Connection,
    state: &mut WriterState,
    pulse: Pulse,
) -> rusqlite::Result<PulseRecorded> {
    let previous = previous(conn, &pulse.service)?;
    let history = previous
        .as_ref()
        .map(|found| found.history)
        .unwrap_or_default();
    let after = state_after(&history, pulse.note.as_ref(), pulse.at);
    // The update leaves both as they were; an insert starts the service's story.
    let kept = match &previous {
        Some(found) => found.kept,
        None => Kept {
            flapping_since: None,
            first_seen: Some(pulse.at),
        },
    };
    let outage_began = match &previous {
        Some(found) if found.status == "dead" => Some(Timestamp::from_millis(found.deadline)),
        _ => None,
    };
    // A declared service's first pulse starts its story as a new one's does.
    let first = previous.as_ref().is_none_or(|found| found.status == "new");
    let writes = PulseWrites::of(pulse.window(), pulse.at, first, outage_began);
    state.next_seq += 1;
    let seq = state.next_seq;
    let deadline = pulse.deadline();
    let service = pulse.service_after(pulse.at, deadline, kept);
    let row_alone = after.entries == history.entries
        && writes.events.is_empty()
        && writes.recovered_from.is_none();
    let write = |conn: &Connection, state: &mut WriterState| {
        upsert_service(conn, &pulse, seq, deadline, &after)?;
        if let Some(note) = &pulse.note {
            keep_ping(conn, &pulse.service, note, pulse.at, &history)?;
        }
        for (level, message) in &writes.events {
            insert_event(conn, state, &pulse.service, *level, message, pulse.at)?;
        }
        match writes.recovered_from {
            Some(down_since) => queue_alert(conn, &service, AlertKind::Up, down_since, pulse.at),
            None => Ok(()),
        }
    };
    match row_alone {
        true => write(conn, state)?,
        false => writer::guarded(conn, state, write)?,
    }
    Ok(PulseRecorded {
        service,
        seq,
        recovered: writes.recovered_from.is_some(),
    })
}

/// What the write keeps is read here rather than returned by it: `RETURNING`
/// costs SQLite a temporary table per statement.
fn previous(conn: &Connection, service: &ServiceName) -> rusqlite::Result<Option<Previous>> {
    let sql = format!(
        "SELECT status, deadline, flapping_since, first_seen, {PING_STATE}
         FROM services WHERE name = ?1"
    );
    conn.prepare_cached(&sql)?
        .query_row([service.as_str()], |row| {
            let millis = |column| row.get::<_, Option<i64>>(column);
            Ok(Previous {
                status: row.get(0)?,
                deadline: row.get(1)?,
                kept: Kept {
                    flapping_since: millis(2)?.map(Timestamp::from_millis),
                    first_seen: millis(3)?.map(Timestamp::from_millis),
                },
                history: ping_state(row, 4)?,
            })
        })
        .optional()
}

/// Inserts the service, or updates it as the pulse says; its story's columns
/// (`flapping_since`, `first_seen`, `pulses`) are the row's own.
fn upsert_service(
    conn: &Connection,
    pulse: &Pulse,
    seq: i64,
    deadline: Timestamp,
    after: &PingState,
) -> rusqlite::Result<()> {
    let (schedule, tz) = pulse.schedule_columns();
    conn.prepare_cached(
        "INSERT INTO services (name, alert_type, alert_target, next_in, last_pulse, deadline, status, seq,
                               remind_every, depends_on, schedule, tz, grace, first_seen,
                               pings, started, ping_fold, ping_fold_at, ping_folded, ping_fold_last)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'up', ?7, ?8, ?9, ?10, ?11, ?12, ?5, ?13, ?14, ?15, ?16,
                 ?17, ?18)
         ON CONFLICT (name) DO UPDATE SET
           alert_type = excluded.alert_type, alert_target = excluded.alert_target,
           next_in = excluded.next_in, last_pulse = excluded.last_pulse,
           deadline = excluded.deadline, status = 'up', seq = excluded.seq,
           remind_every = excluded.remind_every, depends_on = excluded.depends_on,
           schedule = excluded.schedule, tz = excluded.tz, grace = excluded.grace,
           pulses = services.pulses + 1, pings = excluded.pings, started = excluded.started,
           ping_fold = excluded.ping_fold, ping_fold_at = excluded.ping_fold_at,
           ping_folded = excluded.ping_folded, ping_fold_last = excluded.ping_fold_last",
    )?
    .execute(params![
        pulse.service.as_str(),
        pulse.alert.kind.as_str(),
        pulse.alert.target,
        pulse.next_in_seconds(),
        pulse.at.as_millis(),
        deadline.as_millis(),
        seq,
        pulse.remind_every,
        pulse.depends_on.as_ref().map(ServiceName::as_str),
        schedule,
        tz,
        pulse.grace_seconds(),
        after.entries,
        after.started,
        after.fold.key,
        after.fold.since.map(Timestamp::as_millis),
        after.fold.folded,
        after.fold.last.map(Timestamp::as_millis),
    ])?;
    Ok(())
}
