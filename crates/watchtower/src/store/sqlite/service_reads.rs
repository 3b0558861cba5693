//! Reads of services: all of them, a page, one, and their deaths and recoveries.

use rusqlite::{Connection, OptionalExtension, params};

use super::rows::{SERVICE_COLUMNS, service_from_row};
use crate::monitor::history::Flip;
use crate::monitor::{Service, ServiceName};
use crate::store::ServicePage;
use crate::time::Timestamp;

/// Every service, sorted by name.
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Service>> {
    let sql = format!("SELECT {SERVICE_COLUMNS} FROM services ORDER BY name");
    conn.prepare_cached(&sql)?
        .query_map([], service_from_row)?
        .collect()
}

/// The services `page` holds, sorted by name (SQLite compares text bytewise).
pub fn page(conn: &Connection, page: &ServicePage) -> rusqlite::Result<Vec<Service>> {
    let conditions = page.conditions("name", |n| format!("?{n}"));
    let sql = format!(
        "SELECT {SERVICE_COLUMNS} FROM services WHERE {} ORDER BY name LIMIT {}",
        conditions.sql, page.limit
    );
    conn.prepare_cached(&sql)?
        .query_map(
            rusqlite::params_from_iter(&conditions.params),
            service_from_row,
        )?
        .collect()
}

pub fn one(conn: &Connection, name: &ServiceName) -> rusqlite::Result<Option<Service>> {
    let sql = format!("SELECT {SERVICE_COLUMNS} FROM services WHERE name = ?1");
    conn.prepare_cached(&sql)?
        .query_row([name.as_str()], service_from_row)
        .optional()
}

/// Deaths and recoveries since `since`, oldest first, of one service or all.
pub fn flips(
    conn: &Connection,
    service: Option<&ServiceName>,
    since: Timestamp,
) -> rusqlite::Result<Vec<(String, Flip)>> {
    let sql = format!(
        "SELECT service, kind = 'down', CASE kind WHEN 'down' THEN down_since ELSE created END
         FROM alerts WHERE kind IN ('down', 'up') AND fanned_from IS NULL AND created >= ?1 {} ORDER BY id",
        if service.is_some() { "AND service = ?2" } else { "" }
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let flip = |row: &rusqlite::Row<'_>| {
        Ok((
            row.get(0)?,
            Flip {
                down: row.get(1)?,
                at: Timestamp::from_millis(row.get(2)?),
            },
        ))
    };
    match service {
        Some(name) => statement
            .query_map(params![since.as_millis(), name.as_str()], flip)?
            .collect(),
        None => statement
            .query_map(params![since.as_millis()], flip)?
            .collect(),
    }
}
