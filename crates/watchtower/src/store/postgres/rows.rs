//! Mapping between PostgreSQL rows and domain values.

use tokio_postgres::Row;

use super::PgError;
use crate::alert::{AlertDetails, AlertKind, QueuedAlert};
use crate::events::{Attributes, Event, Level};
use crate::monitor::{AlertRoute, AlertType, Service, ServiceName, Status};
use crate::time::Timestamp;

/// The columns `service_from_row` reads, in order.
pub const SERVICE_COLUMNS: &str = "name, alert_type, alert_target, next_in, last_pulse, deadline, status, remind_every, depends_on, flapping_since, schedule, tz, grace, first_seen, pulses, started";

/// How many columns `SERVICE_COLUMNS` names: a query that reads more finds them after.
pub const SERVICE_COLUMN_COUNT: usize = 16;

/// The columns `alert_from_row` reads, in order.
pub const ALERT_COLUMNS: &str = "id, kind, service, alert_type, alert_target, last_pulse, deadline, down_since, created, attempts, details";

/// The columns `event_from_row` reads, in order.
pub const EVENT_COLUMNS: &str = "id, service, level, message, ts, attributes::text";

fn corrupt(what: &str) -> PgError {
    PgError::Corrupt(what.to_owned())
}

pub fn name_at(row: &Row, column: usize) -> Result<ServiceName, PgError> {
    ServiceName::stored("service", row.try_get(column)?).map_err(|_| corrupt("service name"))
}

fn alert_type_at(row: &Row, column: usize) -> Result<AlertType, PgError> {
    AlertType::parse(row.try_get(column)?).map_err(|_| corrupt("alert type"))
}

pub fn service_from_row(row: &Row) -> Result<Service, PgError> {
    Ok(Service {
        service: name_at(row, 0)?,
        alert_type: alert_type_at(row, 1)?,
        alert_target: row.try_get(2)?,
        next_in: row.try_get(3)?,
        last_pulse: Timestamp::from_millis(row.try_get(4)?),
        deadline: Timestamp::from_millis(row.try_get(5)?),
        status: Status::stored(row.try_get(6)?).ok_or_else(|| corrupt("status"))?,
        remind_every: row.try_get(7)?,
        depends_on: row
            .try_get::<_, Option<&str>>(8)?
            .map(|name| ServiceName::stored("dependsOn", name).map_err(|_| corrupt("dependency")))
            .transpose()?,
        flapping_since: row
            .try_get::<_, Option<i64>>(9)?
            .map(Timestamp::from_millis),
        schedule: row.try_get(10)?,
        tz: row.try_get(11)?,
        grace: row.try_get(12)?,
        first_seen: row
            .try_get::<_, Option<i64>>(13)?
            .map(Timestamp::from_millis),
        never_pulsed: row.try_get::<_, i64>(14)? == 0,
        running_since: row
            .try_get::<_, Option<i64>>(15)?
            .map(Timestamp::from_millis),
    })
}

pub fn alert_from_row(row: &Row) -> Result<QueuedAlert, PgError> {
    let attempts: i32 = row.try_get(9)?;
    Ok(QueuedAlert {
        id: row.try_get(0)?,
        kind: AlertKind::parse(row.try_get(1)?).ok_or_else(|| corrupt("alert kind"))?,
        service: name_at(row, 2)?,
        route: AlertRoute {
            kind: alert_type_at(row, 3)?,
            target: row.try_get(4)?,
        },
        last_pulse: Timestamp::from_millis(row.try_get(5)?),
        deadline: Timestamp::from_millis(row.try_get(6)?),
        down_since: Timestamp::from_millis(row.try_get(7)?),
        created: Timestamp::from_millis(row.try_get(8)?),
        attempts: u32::try_from(attempts).map_err(|_| corrupt("attempt count"))?,
        details: AlertDetails::from_json(row.try_get::<_, Option<&str>>(10)?)
            .map_err(|_| corrupt("alert details"))?,
    })
}

pub fn event_from_row(row: &Row) -> Result<Event, PgError> {
    let rank: i16 = row.try_get(2)?;
    Ok(Event {
        id: row.try_get(0)?,
        service: name_at(row, 1)?,
        level: Level::from_rank(rank.into()).ok_or_else(|| corrupt("level"))?,
        message: row.try_get(3)?,
        date: Timestamp::from_millis(row.try_get(4)?),
        attributes: Attributes::from_json(row.try_get(5)?).map_err(|_| corrupt("attributes"))?,
    })
}
