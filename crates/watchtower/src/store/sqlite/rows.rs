//! Mapping between SQLite rows and domain values.

use rusqlite::Row;
use rusqlite::types::Type;

use crate::alert::{AlertDetails, AlertKind, QueuedAlert};
use crate::events::{Attributes, Level};
use crate::monitor::{AlertRoute, AlertType, Service, ServiceName, Status};
use crate::time::Timestamp;

/// The columns `service_from_row` reads, in order.
pub const SERVICE_COLUMNS: &str = "name, alert_type, alert_target, next_in, last_pulse, deadline, status, remind_every, depends_on, flapping_since, schedule, tz, grace, first_seen, pulses, started";

/// How many columns `SERVICE_COLUMNS` names: a query that reads more finds them after.
pub const SERVICE_COLUMN_COUNT: usize = 16;

/// The columns `alert_from_row` reads, in order.
pub const ALERT_COLUMNS: &str = "id, kind, service, alert_type, alert_target, last_pulse, deadline, down_since, created, attempts, details";

fn corrupt(column: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        Type::Text,
        format!("unexpected stored {what}").into(),
    )
}

pub fn name_at(row: &Row<'_>, column: usize) -> rusqlite::Result<ServiceName> {
    let text: String = row.get(column)?;
    ServiceName::stored("service", &text).map_err(|_| corrupt(column, "service name"))
}

fn alert_type_at(row: &Row<'_>, column: usize) -> rusqlite::Result<AlertType> {
    let text: String = row.get(column)?;
    AlertType::parse(&text).map_err(|_| corrupt(column, "alert type"))
}

pub fn service_from_row(row: &Row<'_>) -> rusqlite::Result<Service> {
    let status: String = row.get(6)?;
    Ok(Service {
        service: name_at(row, 0)?,
        alert_type: alert_type_at(row, 1)?,
        alert_target: row.get(2)?,
        next_in: row.get(3)?,
        last_pulse: Timestamp::from_millis(row.get(4)?),
        deadline: Timestamp::from_millis(row.get(5)?),
        status: Status::stored(&status).ok_or_else(|| corrupt(6, "status"))?,
        remind_every: row.get(7)?,
        depends_on: row
            .get::<_, Option<String>>(8)?
            .map(|name| {
                ServiceName::stored("dependsOn", &name).map_err(|_| corrupt(8, "dependency"))
            })
            .transpose()?,
        flapping_since: row.get::<_, Option<i64>>(9)?.map(Timestamp::from_millis),
        schedule: row.get(10)?,
        tz: row.get(11)?,
        grace: row.get(12)?,
        first_seen: row.get::<_, Option<i64>>(13)?.map(Timestamp::from_millis),
        never_pulsed: row.get::<_, i64>(14)? == 0,
        running_since: row.get::<_, Option<i64>>(15)?.map(Timestamp::from_millis),
    })
}

pub fn alert_from_row(row: &Row<'_>) -> rusqlite::Result<QueuedAlert> {
    let kind: String = row.get(1)?;
    Ok(QueuedAlert {
        id: row.get(0)?,
        kind: AlertKind::parse(&kind).ok_or_else(|| corrupt(1, "alert kind"))?,
        service: name_at(row, 2)?,
        route: AlertRoute {
            kind: alert_type_at(row, 3)?,
            target: row.get(4)?,
        },
        last_pulse: Timestamp::from_millis(row.get(5)?),
        deadline: Timestamp::from_millis(row.get(6)?),
        down_since: Timestamp::from_millis(row.get(7)?),
        created: Timestamp::from_millis(row.get(8)?),
        attempts: row.get(9)?,
        details: AlertDetails::from_json(row.get::<_, Option<String>>(10)?.as_deref())
            .map_err(|_| corrupt(10, "alert details"))?,
    })
}

pub fn attributes_at(row: &Row<'_>, column: usize) -> rusqlite::Result<Attributes> {
    let json: Option<String> = row.get(column)?;
    Attributes::from_json(json.as_deref()).map_err(|_| corrupt(column, "attributes"))
}

pub fn level_at(row: &Row<'_>, column: usize) -> rusqlite::Result<Level> {
    Level::from_rank(row.get(column)?).ok_or_else(|| corrupt(column, "level"))
}
