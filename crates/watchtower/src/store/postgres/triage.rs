//! The alert policy's storage side for PostgreSQL: the facts a triage round reads
//! and the writes its decisions make, in one transaction. One node triages at a
//! time (an advisory lock that the others skip), so that counts of recent deaths
//! and open digests are the whole cluster's. The rounds are `store::triage`'s.

use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;

use super::PgError;
use super::rows::{
    ALERT_COLUMNS, SERVICE_COLUMN_COUNT, SERVICE_COLUMNS, alert_from_row, service_from_row,
};
use super::write::{EventRow, insert_events};
use crate::alert::policy::{DeathAlert, Decision, Policy, Snooze, Triaged};
use crate::alert::{AlertDetails, AlertKind, EventLine, Member, QueuedAlert};
use crate::events::Level;
use crate::monitor::{AlertRoute, Service, ServiceName};
use crate::store::NewAlertRow;
use crate::store::triage::{self as shared, TriageTx};
use crate::time::Timestamp;

/// Any fixed number: names the advisory lock that serialises triage across nodes.
pub const TRIAGE_LOCK: i64 = 0x5754_5452_4941_4745;

/// Runs the policy's triage at `now` (see `store::triage::triage`).
pub async fn triage(
    tx: &Transaction<'_>,
    now: Timestamp,
    policy: &Policy,
) -> Result<Triaged, PgError> {
    shared::triage(&mut Tx(tx), now, policy).await
}

struct Tx<'a, 'b>(&'a Transaction<'b>);

impl Tx<'_, '_> {
    async fn count(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<i64, PgError> {
        Ok(self.0.query_one(sql, params).await?.try_get(0)?)
    }

    /// Services, each with the instant in the column after its own.
    async fn services_with(&self, sql: &str) -> Result<Vec<(Service, Option<Timestamp>)>, PgError> {
        let mut found = Vec::new();
        for row in self.0.query(sql, &[]).await? {
            let extra: Option<i64> = row.try_get(SERVICE_COLUMN_COUNT)?;
            found.push((service_from_row(&row)?, extra.map(Timestamp::from_millis)));
        }
        Ok(found)
    }
}

impl TriageTx for Tx<'_, '_> {
    type Error = PgError;

    async fn take_turn(&mut self) -> Result<bool, PgError> {
        Ok(self
            .0
            .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&TRIAGE_LOCK])
            .await?
            .try_get(0)?)
    }

    async fn untriaged(
        &mut self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<QueuedAlert>, PgError> {
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts
             WHERE state = 'pending' AND NOT triaged AND next_attempt <= $1 ORDER BY id LIMIT $2"
        );
        let rows = self
            .0
            .query(&sql, &[&now.as_millis(), &(limit as i64)])
            .await?;
        rows.iter().map(alert_from_row).collect()
    }

    async fn digest_members(&mut self, digest: i64) -> Result<Vec<Member>, PgError> {
        let sql = "SELECT service, kind, down_since, last_pulse FROM alerts WHERE digest_id = $1 ORDER BY id";
        let mut members = Vec::new();
        for row in self.0.query(sql, &[&digest]).await? {
            members.push(shared::member(
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?,
            ));
        }
        Ok(members)
    }

    async fn service(&mut self, name: &ServiceName) -> Result<Option<Service>, PgError> {
        let sql = format!("SELECT {SERVICE_COLUMNS} FROM services WHERE name = $1");
        self.0
            .query_opt(&sql, &[&name.as_str()])
            .await?
            .as_ref()
            .map(service_from_row)
            .transpose()
    }

    async fn death_alert(
        &mut self,
        service: &ServiceName,
        down_since: Timestamp,
    ) -> Result<Option<DeathAlert>, PgError> {
        let found = self
            .0
            .query_opt(
                "SELECT id, released, state FROM alerts
                 WHERE service = $1 AND kind IN ('down', 'stable') AND down_since = $2
                   AND fanned_from IS NULL
                 ORDER BY id DESC LIMIT 1",
                &[&service.as_str(), &down_since.as_millis()],
            )
            .await?;
        let Some(row) = found else { return Ok(None) };
        Ok(shared::death_alert(
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
        ))
    }

    async fn deaths_since(
        &mut self,
        service: &ServiceName,
        since: Timestamp,
    ) -> Result<u32, PgError> {
        let deaths = self
            .count(
                "SELECT count(*) FROM alerts WHERE service = $1 AND kind = 'down' AND created >= $2 AND fanned_from IS NULL",
                &[&service.as_str(), &since.as_millis()],
            )
            .await?;
        Ok(u32::try_from(deaths).unwrap_or(u32::MAX))
    }

    async fn recent_events(
        &mut self,
        service: &ServiceName,
        limit: usize,
    ) -> Result<Vec<EventLine>, PgError> {
        let rows = self
            .0
            .query(
                "SELECT ts, level, message FROM events WHERE service = $1 ORDER BY ts DESC, id DESC LIMIT $2",
                &[&service.as_str(), &(limit as i64)],
            )
            .await?;
        let mut lines = Vec::with_capacity(rows.len());
        for row in rows {
            let rank: i16 = row.try_get(1)?;
            lines.push(EventLine {
                date: Timestamp::from_millis(row.try_get(0)?),
                level: Level::from_rank(rank.into())
                    .ok_or_else(|| PgError::Corrupt("level".into()))?,
                message: row.try_get(2)?,
            });
        }
        Ok(lines)
    }

    async fn dead_dependents(
        &mut self,
        service: &ServiceName,
        limit: usize,
    ) -> Result<Vec<String>, PgError> {
        let rows = self
            .0
            .query(
                r#"SELECT name FROM services WHERE depends_on = $1 AND status = 'dead' ORDER BY name COLLATE "C" LIMIT $2"#,
                &[&service.as_str(), &(limit as i64)],
            )
            .await?;
        rows.iter().map(|row| Ok(row.try_get(0)?)).collect()
    }

    async fn active_snoozes(&mut self, now: Timestamp) -> Result<Vec<Snooze>, PgError> {
        super::snoozes::active(self.0, now).await
    }

    async fn released_since(
        &mut self,
        kind: AlertKind,
        since: Timestamp,
    ) -> Result<usize, PgError> {
        let count = self
            .count(
                "SELECT count(*) FROM alerts WHERE released >= $1 AND kind = $2",
                &[&since.as_millis(), &kind.as_str()],
            )
            .await?;
        Ok(usize::try_from(count).unwrap_or_default())
    }

    async fn dead_services(&mut self) -> Result<Vec<(Service, Option<Timestamp>)>, PgError> {
        self.services_with(&format!(
            "SELECT {SERVICE_COLUMNS}, reminded FROM services WHERE status = 'dead'"
        ))
        .await
    }

    async fn flapping_services(&mut self) -> Result<Vec<(Service, Option<Timestamp>)>, PgError> {
        self.services_with(&format!(
            "SELECT {SERVICE_COLUMNS}, (SELECT max(created) FROM alerts a
                                        WHERE a.service = services.name AND a.kind IN ('down', 'up'))
             FROM services WHERE flapping_since IS NOT NULL"
        ))
        .await
    }

    async fn apply(
        &mut self,
        policy: &Policy,
        now: Timestamp,
        decision: Decision,
    ) -> Result<(), PgError> {
        apply(self.0, policy, now, decision).await
    }
}

/// Queues one alert, untriaged; returns its id.
pub async fn insert_alert(tx: &Transaction<'_>, row: &NewAlertRow) -> Result<i64, PgError> {
    Ok(tx
        .query_one(
            "INSERT INTO alerts (service, kind, alert_type, alert_target, last_pulse, deadline,
                                 down_since, created, next_attempt, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
            &[
                &row.service.as_str(),
                &row.kind.as_str(),
                &row.route.kind.as_str(),
                &row.route.target,
                &row.last_pulse.as_millis(),
                &row.deadline.as_millis(),
                &row.down_since.as_millis(),
                &row.created.as_millis(),
                &row.details.to_json(),
            ],
        )
        .await?
        .try_get(0)?)
}

async fn apply(
    tx: &Transaction<'_>,
    policy: &Policy,
    now: Timestamp,
    decision: Decision,
) -> Result<(), PgError> {
    let now_ms = now.as_millis();
    match decision {
        Decision::Release {
            id,
            details,
            fan_out,
        } => release(tx, id, &details, &fan_out, now).await?,
        Decision::Hold { id, until, details } => {
            tx.execute(
                "UPDATE alerts SET next_attempt = $2, details = $3 WHERE id = $1",
                &[&id, &until.as_millis(), &details.to_json()],
            )
            .await?;
        }
        Decision::Suppress { id, reason } => {
            tx.execute(
                "UPDATE alerts SET state = 'suppressed', triaged = true, last_error = $2 WHERE id = $1",
                &[&id, &reason],
            )
            .await?;
        }
        Decision::Digest { id, route } => gather_into_digest(tx, policy, id, route, now).await?,
        Decision::Queue(alert) => {
            let mut row = NewAlertRow::about(&alert.service, alert.kind, alert.down_since, now);
            row.details = alert.details;
            insert_alert(tx, &row).await?;
        }
        Decision::Reminded { service } => {
            tx.execute(
                "UPDATE services SET reminded = $2 WHERE name = $1",
                &[&service.as_str(), &now_ms],
            )
            .await?;
        }
        Decision::SetFlapping { service, since } => {
            tx.execute(
                "UPDATE services SET flapping_since = $2 WHERE name = $1",
                &[&service.as_str(), &since.map(Timestamp::as_millis)],
            )
            .await?;
        }
        Decision::WakeDependents { service } => {
            tx.execute(
                "UPDATE alerts SET next_attempt = $2 WHERE state = 'pending' AND NOT triaged AND kind = 'down'
                 AND service IN (SELECT name FROM services WHERE depends_on = $1)",
                &[&service.as_str(), &now_ms],
            )
            .await?;
        }
        Decision::Event {
            service,
            level,
            message,
        } => {
            insert_events(tx, &[EventRow::new(&service, (level, message), now)]).await?;
        }
    }
    Ok(())
}

/// Releases an alert for delivery, fanned out to each step of its route if it has one.
async fn release(
    tx: &Transaction<'_>,
    id: i64,
    details: &AlertDetails,
    fan_out: &[AlertRoute],
    now: Timestamp,
) -> Result<(), PgError> {
    let now_ms = now.as_millis();
    tx.execute(
                "UPDATE alerts SET triaged = true, released = $2, next_attempt = $2, details = $3 WHERE id = $1",
                &[&id, &now_ms, &details.to_json()],
            )
            .await?;
    for step in fan_out {
        tx.execute(
                    "INSERT INTO alerts (service, kind, alert_type, alert_target, last_pulse, deadline,
                                         down_since, created, next_attempt, details, triaged, fanned_from)
                     SELECT service, kind, $2, $3, last_pulse, deadline, down_since, created, $4, details, true, id
                     FROM alerts WHERE id = $1",
                    &[&id, &step.kind.as_str(), &step.target, &now_ms],
                )
                .await?;
    }
    if !fan_out.is_empty() {
        // Its copies carry it now; it stays as the record of its release.
        tx.execute("UPDATE alerts SET state = 'sent' WHERE id = $1", &[&id])
            .await?;
    }
    Ok(())
}

/// Gathers an alert into the open digest of its route, opening one if none is.
async fn gather_into_digest(
    tx: &Transaction<'_>,
    policy: &Policy,
    id: i64,
    route: AlertRoute,
    now: Timestamp,
) -> Result<(), PgError> {
    let now_ms = now.as_millis();
    let open = tx
        .query_opt(
            "SELECT id FROM alerts WHERE kind = 'digest' AND state = 'pending' AND NOT triaged
                     AND alert_type = $1 AND alert_target = $2 ORDER BY id DESC LIMIT 1",
            &[&route.kind.as_str(), &route.target],
        )
        .await?;
    let digest = match open {
        Some(row) => row.try_get(0)?,
        None => {
            let gather = policy.storm.map(|storm| storm.gather).unwrap_or_default();
            let digest = insert_alert(tx, &shared::digest_row(route, now)).await?;
            tx.execute(
                "UPDATE alerts SET next_attempt = $2 WHERE id = $1",
                &[&digest, &now.plus(gather).as_millis()],
            )
            .await?;
            digest
        }
    };
    tx.execute(
                "UPDATE alerts SET state = 'digested', triaged = true, released = $2, digest_id = $3 WHERE id = $1",
                &[&id, &now_ms, &digest],
            )
            .await?;
    Ok(())
}
