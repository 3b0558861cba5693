//! The alert policy's storage side for SQLite: the facts a triage round reads and
//! the writes its decisions make, inside one writer operation. The rounds
//! themselves are `store::triage`'s.

use rusqlite::{Connection, OptionalExtension, params};

use super::ops::{insert_alert, insert_event};
use super::rows::{
    ALERT_COLUMNS, SERVICE_COLUMN_COUNT, SERVICE_COLUMNS, alert_from_row, service_from_row,
};
use super::writer::WriterState;
use crate::alert::policy::{DeathAlert, Decision, Policy, Snooze, Triaged};
use crate::alert::{AlertDetails, AlertKind, EventLine, Member, QueuedAlert};
use crate::monitor::{AlertRoute, Service, ServiceName};
use crate::store::NewAlertRow;
use crate::store::triage::{self as shared, TriageTx};
use crate::time::Timestamp;

/// Runs the policy's triage at `now` (see `store::triage::triage`). Every query
/// answers at once, so the shared rounds run to completion on the writer thread.
pub fn triage(
    conn: &Connection,
    state: &mut WriterState,
    now: Timestamp,
    policy: &Policy,
) -> rusqlite::Result<Triaged> {
    futures::executor::block_on(shared::triage(&mut Tx { conn, state }, now, policy))
}

struct Tx<'a> {
    conn: &'a Connection,
    state: &'a mut WriterState,
}

impl Tx<'_> {
    fn count(&self, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<i64> {
        self.conn
            .prepare_cached(sql)?
            .query_row(params, |row| row.get(0))
    }

    /// Services, each with the instant in the column after its own.
    fn services_with(&self, sql: &str) -> rusqlite::Result<Vec<(Service, Option<Timestamp>)>> {
        self.conn
            .prepare_cached(sql)?
            .query_map([], |row| {
                let extra: Option<i64> = row.get(SERVICE_COLUMN_COUNT)?;
                Ok((service_from_row(row)?, extra.map(Timestamp::from_millis)))
            })?
            .collect()
    }
}

impl TriageTx for Tx<'_> {
    type Error = rusqlite::Error;

    async fn take_turn(&mut self) -> rusqlite::Result<bool> {
        // One writer: nobody else triages this database.
        Ok(true)
    }

    async fn untriaged(
        &mut self,
        now: Timestamp,
        limit: usize,
    ) -> rusqlite::Result<Vec<QueuedAlert>> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts
             WHERE state = 'pending' AND triaged = 0 AND next_attempt <= ?1 ORDER BY id LIMIT ?2"
        );
        self.conn
            .prepare_cached(&sql)?
            .query_map(params![now.as_millis(), limit as i64], alert_from_row)?
            .collect()
    }

    async fn digest_members(&mut self, digest: i64) -> rusqlite::Result<Vec<Member>> {
        self.conn
            .prepare_cached("SELECT service, kind, down_since, last_pulse FROM alerts WHERE digest_id = ?1 ORDER BY id")?
            .query_map([digest], |row| {
                let kind: String = row.get(1)?;
                Ok(shared::member(row.get(0)?, &kind, row.get(2)?, row.get(3)?))
            })?
            .collect()
    }

    async fn service(&mut self, name: &ServiceName) -> rusqlite::Result<Option<Service>> {
        let sql = format!("SELECT {SERVICE_COLUMNS} FROM services WHERE name = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([name.as_str()], service_from_row)
            .optional()
    }

    async fn death_alert(
        &mut self,
        service: &ServiceName,
        down_since: Timestamp,
    ) -> rusqlite::Result<Option<DeathAlert>> {
        let found: Option<Option<DeathAlert>> = self
            .conn
            .prepare_cached(
                "SELECT id, released, state FROM alerts
                 WHERE service = ?1 AND kind IN ('down', 'stable') AND down_since = ?2
                   AND fanned_from IS NULL
                 ORDER BY id DESC LIMIT 1",
            )?
            .query_row(params![service.as_str(), down_since.as_millis()], |row| {
                let state: String = row.get(2)?;
                Ok(shared::death_alert(row.get(0)?, row.get(1)?, &state))
            })
            .optional()?;
        Ok(found.flatten())
    }

    async fn deaths_since(
        &mut self,
        service: &ServiceName,
        since: Timestamp,
    ) -> rusqlite::Result<u32> {
        let deaths = self.count(
            "SELECT count(*) FROM alerts WHERE service = ?1 AND kind = 'down' AND created >= ?2 AND fanned_from IS NULL",
            params![service.as_str(), since.as_millis()],
        )?;
        Ok(u32::try_from(deaths).unwrap_or(u32::MAX))
    }

    async fn recent_events(
        &mut self,
        service: &ServiceName,
        limit: usize,
    ) -> rusqlite::Result<Vec<EventLine>> {
        self.conn
            .prepare_cached(
                "SELECT e.ts, e.level, e.message FROM events e JOIN event_services s ON s.id = e.service_id
                 WHERE s.name = ?1 ORDER BY e.ts DESC, e.id DESC LIMIT ?2",
            )?
            .query_map(params![service.as_str(), limit as i64], |row| {
                Ok(EventLine {
                    date: Timestamp::from_millis(row.get(0)?),
                    level: super::rows::level_at(row, 1)?,
                    message: row.get(2)?,
                })
            })?
            .collect()
    }

    async fn dead_dependents(
        &mut self,
        service: &ServiceName,
        limit: usize,
    ) -> rusqlite::Result<Vec<String>> {
        self.conn
            .prepare_cached("SELECT name FROM services WHERE depends_on = ?1 AND status = 'dead' ORDER BY name LIMIT ?2")?
            .query_map(params![service.as_str(), limit as i64], |row| row.get(0))?
            .collect()
    }

    async fn active_snoozes(&mut self, now: Timestamp) -> rusqlite::Result<Vec<Snooze>> {
        super::snoozes::active(self.conn, now)
    }

    async fn released_since(
        &mut self,
        kind: AlertKind,
        since: Timestamp,
    ) -> rusqlite::Result<usize> {
        let count = self.count(
            "SELECT count(*) FROM alerts WHERE released >= ?1 AND kind = ?2",
            params![since.as_millis(), kind.as_str()],
        )?;
        Ok(usize::try_from(count).unwrap_or_default())
    }

    async fn dead_services(&mut self) -> rusqlite::Result<Vec<(Service, Option<Timestamp>)>> {
        self.services_with(&format!(
            "SELECT {SERVICE_COLUMNS}, reminded FROM services WHERE status = 'dead'"
        ))
    }

    async fn flapping_services(&mut self) -> rusqlite::Result<Vec<(Service, Option<Timestamp>)>> {
        self.services_with(&format!(
            "SELECT {SERVICE_COLUMNS}, (SELECT max(created) FROM alerts a
                                        WHERE a.service = services.name AND a.kind IN ('down', 'up'))
             FROM services WHERE flapping_since IS NOT NULL"
        ))
    }

    async fn apply(
        &mut self,
        policy: &Policy,
        now: Timestamp,
        decision: Decision,
    ) -> rusqlite::Result<()> {
        apply(self.conn, self.state, policy, now, decision)
    }
}

fn apply(
    conn: &Connection,
    state: &mut WriterState,
    policy: &Policy,
    now: Timestamp,
    decision: Decision,
) -> rusqlite::Result<()> {
    let now_ms = now.as_millis();
    match decision {
        Decision::Release {
            id,
            details,
            fan_out,
        } => release(conn, id, &details, &fan_out, now)?,
        Decision::Hold { id, until, details } => {
            conn.prepare_cached("UPDATE alerts SET next_attempt = ?2, details = ?3 WHERE id = ?1")?
                .execute(params![id, until.as_millis(), details.to_json()])?;
        }
        Decision::Suppress { id, reason } => {
            conn.prepare_cached("UPDATE alerts SET state = 'suppressed', triaged = 1, last_error = ?2 WHERE id = ?1")?
                .execute(params![id, reason])?;
        }
        Decision::Digest { id, route } => gather_into_digest(conn, policy, id, route, now)?,
        Decision::Queue(alert) => {
            let mut row = NewAlertRow::about(&alert.service, alert.kind, alert.down_since, now);
            row.details = alert.details;
            insert_alert(conn, &row)?;
        }
        Decision::Reminded { service } => {
            conn.prepare_cached("UPDATE services SET reminded = ?2 WHERE name = ?1")?
                .execute(params![service.as_str(), now_ms])?;
        }
        Decision::SetFlapping { service, since } => {
            conn.prepare_cached("UPDATE services SET flapping_since = ?2 WHERE name = ?1")?
                .execute(params![service.as_str(), since.map(Timestamp::as_millis)])?;
        }
        Decision::WakeDependents { service } => {
            conn.prepare_cached(
                "UPDATE alerts SET next_attempt = ?2 WHERE state = 'pending' AND triaged = 0 AND kind = 'down'
                 AND service IN (SELECT name FROM services WHERE depends_on = ?1)",
            )?
            .execute(params![service.as_str(), now_ms])?;
        }
        Decision::Event {
            service,
            level,
            message,
        } => {
            insert_event(conn, state, &service, level, &message, now)?;
        }
    }
    Ok(())
}

/// Releases an alert for delivery, fanned out to each step of its route if it has one.
fn release(
    conn: &Connection,
    id: i64,
    details: &AlertDetails,
    fan_out: &[AlertRoute],
    now: Timestamp,
) -> rusqlite::Result<()> {
    let now_ms = now.as_millis();
    conn.prepare_cached("UPDATE alerts SET triaged = 1, released = ?2, next_attempt = ?2, details = ?3 WHERE id = ?1")?
            .execute(params![id, now_ms, details.to_json()])?;
    for step in fan_out {
        conn.prepare_cached(
                "INSERT INTO alerts (service, kind, alert_type, alert_target, last_pulse, deadline,
                                     down_since, created, next_attempt, details, triaged, fanned_from)
                 SELECT service, kind, ?2, ?3, last_pulse, deadline, down_since, created, ?4, details, 1, id
                 FROM alerts WHERE id = ?1",
            )?
            .execute(params![id, step.kind.as_str(), step.target, now_ms])?;
    }
    if !fan_out.is_empty() {
        // Its copies carry it now; it stays as the record of its release.
        conn.prepare_cached("UPDATE alerts SET state = 'sent' WHERE id = ?1")?
            .execute([id])?;
    }
    Ok(())
}

/// Gathers an alert into the open digest of its route, opening one if none is.
fn gather_into_digest(
    conn: &Connection,
    policy: &Policy,
    id: i64,
    route: AlertRoute,
    now: Timestamp,
) -> rusqlite::Result<()> {
    let now_ms = now.as_millis();
    let open: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM alerts WHERE kind = 'digest' AND state = 'pending' AND triaged = 0
                 AND alert_type = ?1 AND alert_target = ?2 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![route.kind.as_str(), route.target], |row| row.get(0))
        .optional()?;
    let digest = match open {
        Some(digest) => digest,
        None => {
            let gather = policy.storm.map(|storm| storm.gather).unwrap_or_default();
            insert_alert(conn, &shared::digest_row(route, now))?;
            let digest = conn.last_insert_rowid();
            conn.prepare_cached("UPDATE alerts SET next_attempt = ?2 WHERE id = ?1")?
                .execute(params![digest, now.plus(gather).as_millis()])?;
            digest
        }
    };
    conn.prepare_cached("UPDATE alerts SET state = 'digested', triaged = 1, released = ?2, digest_id = ?3 WHERE id = ?1")?
            .execute(params![id, now_ms, digest])?;
    Ok(())
}
