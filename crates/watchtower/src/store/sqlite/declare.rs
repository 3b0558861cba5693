//! Declaring a service before its first pulse, or changing how it is watched,
//! on the writer thread.

use rusqlite::{Connection, params};

use super::ops::{insert_event, service};
use super::rows::{SERVICE_COLUMNS, service_from_row};
use super::writer::WriterState;
use crate::monitor::{Declaration, DeclarePlan, Declared, Pulse, ServiceName, story};

pub fn declare_service(
    conn: &Connection,
    state: &mut WriterState,
    declaration: Pulse,
) -> rusqlite::Result<Declared> {
    let found = service(conn, &declaration.service)?;
    let name = declaration.service.as_str();
    let (schedule, tz) = declaration.schedule_columns();
    let at = declaration.at;
    match declaration.plan_declaration(found.as_ref()) {
        DeclarePlan::Unchanged => Ok(Declared {
            service: found.expect("only a found service is unchanged"),
            seq: None,
            outcome: Declaration::Unchanged,
        }),
        DeclarePlan::Create { deadline } => {
            state.next_seq += 1;
            let seq = state.next_seq;
            let sql = format!(
                "INSERT INTO services (name, alert_type, alert_target, next_in, last_pulse, deadline,
                                       status, seq, remind_every, depends_on, schedule, tz, grace,
                                       first_seen, pulses)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'new', ?7, ?8, ?9, ?10, ?11, ?12, ?5, 0)
                 RETURNING {SERVICE_COLUMNS}"
            );
            let service = conn.prepare_cached(&sql)?.query_row(
                params![
                    name,
                    declaration.alert.kind.as_str(),
                    declaration.alert.target,
                    declaration.next_in_seconds(),
                    at.as_millis(),
                    deadline.as_millis(),
                    seq,
                    declaration.remind_every,
                    declaration.depends_on.as_ref().map(ServiceName::as_str),
                    schedule,
                    tz,
                    declaration.grace_seconds(),
                ],
                service_from_row,
            )?;
            let (level, message) = story::declared(declaration.window());
            insert_event(conn, state, &declaration.service, level, &message, at)?;
            Ok(Declared {
                service,
                seq: Some(seq),
                outcome: Declaration::Created,
            })
        }
        DeclarePlan::Change {
            changed,
            next_in,
            deadline,
        } => {
            let seq = deadline.map(|_| {
                state.next_seq += 1;
                state.next_seq
            });
            let sql = format!(
                "UPDATE services SET alert_type = ?2, alert_target = ?3, next_in = ?4,
                   remind_every = ?5, depends_on = ?6, schedule = ?7, tz = ?8, grace = ?9,
                   deadline = coalesce(?10, deadline), seq = coalesce(?11, seq)
                 WHERE name = ?1 RETURNING {SERVICE_COLUMNS}"
            );
            let service = conn.prepare_cached(&sql)?.query_row(
                params![
                    name,
                    declaration.alert.kind.as_str(),
                    declaration.alert.target,
                    next_in,
                    declaration.remind_every,
                    declaration.depends_on.as_ref().map(ServiceName::as_str),
                    schedule,
                    tz,
                    declaration.grace_seconds(),
                    deadline.map(|deadline| deadline.as_millis()),
                    seq,
                ],
                service_from_row,
            )?;
            let (level, message) = story::redeclared(&changed);
            insert_event(conn, state, &declaration.service, level, &message, at)?;
            Ok(Declared {
                service,
                seq,
                outcome: Declaration::Changed(changed),
            })
        }
    }
}
