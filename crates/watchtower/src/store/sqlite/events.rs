//! Event reads: pages (by date then id, in either order), counts per bucket, and
//! the retention step. Message search goes through the trigram index where it can
//! ([`super::search`]).
//!
//! The writer stamps events so that dates never decrease as ids increase: id order
//! *is* date order, which lets the search index walk rowids instead of sorting.

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::rows::{attributes_at, level_at, name_at};
use super::search;
use crate::events::retention::Prune;
use crate::events::{Event, EventFilter, EventQuery, LevelCount, Order, Position, StatsQuery};
use crate::time::Timestamp;

/// The columns [`read_events`] reads, of `events e` joined to `event_services s`.
pub const EVENT_COLUMNS: &str = "e.id, s.name, e.level, e.message, e.ts, e.attributes";
const SELECT_EVENTS: &str = "FROM events e JOIN event_services s ON s.id = e.service_id";

/// A WHERE clause under construction with its numbered arguments.
#[derive(Clone, Default)]
pub struct Conditions {
    pub sql: String,
    pub args: Vec<Value>,
    /// The index the page must read, where the planner would take a worse one.
    pub index: Option<&'static str>,
}

impl Conditions {
    /// Binds `value` and returns its placeholder.
    pub fn bind(&mut self, value: impl Into<Value>) -> String {
        self.args.push(value.into());
        format!("?{}", self.args.len())
    }

    /// Appends ` AND <clause>`.
    pub fn and(&mut self, clause: impl AsRef<str>) {
        self.sql.push_str(" AND ");
        self.sql.push_str(clause.as_ref());
    }

    /// The filters other than the message, and the page's position.
    pub fn of_query(filter: &EventFilter, order: Order, after: Option<Position>) -> Self {
        let mut conditions = Self::default();
        let c = &mut conditions;
        if let Some(service) = &filter.service {
            let name = c.bind(service.as_str().to_owned());
            c.and(format!(
                "e.service_id = (SELECT id FROM event_services WHERE name = {name})"
            ));
        }
        if let Some(prefix) = &filter.service_prefix {
            let prefix = c.bind(prefix.clone());
            c.and(format!(
                "e.service_id IN (SELECT id FROM event_services
                                  WHERE substr(name, 1, length({prefix})) = {prefix})"
            ));
        }
        if let Some(from) = filter.from {
            let from = c.bind(from.as_millis());
            c.and(format!("e.ts >= {from}"));
        }
        if let Some(to) = filter.to {
            let to = c.bind(to.as_millis());
            c.and(format!("e.ts <= {to}"));
        }
        if let Some(level) = filter.min_level {
            let level = c.bind(level.rank());
            c.and(format!("e.level >= {level}"));
        }
        if !filter.attributes.is_empty() {
            // Implied by any attribute filter; stated so that the partial index of
            // the events that have attributes may serve it.
            c.and("e.attributes IS NOT NULL");
            // With a service, that index holds the service's events with
            // attributes in the page's order, the attributes with them: each is
            // checked without a read of its row. Without statistics the planner
            // takes events_by_service, which reads every row of the range.
            if filter.service.is_some() {
                c.index = Some("events_with_attributes");
            }
        }
        for attribute in &filter.attributes {
            let key = c.bind(attribute.key.clone());
            let value = c.bind(attribute.value.clone());
            c.and(format!("wt_attribute(e.attributes, {key}) = {value}"));
        }
        if let Some(after) = after {
            // Written so that the date index serves the range and the id only refines it.
            let cmp = order.past();
            let (date, id) = (c.bind(after.date.as_millis()), c.bind(after.id));
            c.and(format!(
                "e.ts {cmp}= {date} AND (e.ts {cmp} {date} OR e.id {cmp} {id})"
            ));
        }
        conditions
    }
}

pub trait Direction {
    fn past(self) -> &'static str;
    fn sql(self) -> &'static str;
}

impl Direction for Order {
    /// The comparison that holds for events that come after a position.
    fn past(self) -> &'static str {
        match self {
            Order::Asc => ">",
            Order::Desc => "<",
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Order::Asc => "ASC",
            Order::Desc => "DESC",
        }
    }
}

/// Whether the page reads every event of its range to find its rows (see
/// [`crate::store::reads::page_scans`]).
pub fn scans(query: &EventQuery, search_attached: bool) -> bool {
    crate::store::reads::page_scans(&query.filter, search_attached)
}

/// One page of events; `search_attached` says whether the trigram index can serve
/// the message filter.
pub fn query_page(
    conn: &Connection,
    query: &EventQuery,
    search_attached: bool,
) -> rusqlite::Result<Vec<Event>> {
    let conditions = Conditions::of_query(&query.filter, query.order, query.after);
    match &query.filter.message {
        Some(needle) if search_attached && search::can_serve(needle) => {
            search::query_page(conn, query, conditions, needle)
        }
        Some(needle) => {
            let mut conditions = conditions;
            let needle = conditions.bind(needle.to_lowercase());
            conditions.and(format!("wt_contains(e.message, {needle})"));
            scan_page(conn, conditions, query.order, query.limit, "e.ts")
        }
        None => scan_page(conn, conditions, query.order, query.limit, "e.ts"),
    }
}

/// The page by an index, every condition checked row by row: ordered by `first`
/// (`e.ts`, or `e.id` where a rowid range should drive the scan), then by id.
pub fn scan_page(
    conn: &Connection,
    conditions: Conditions,
    order: Order,
    limit: u32,
    first: &str,
) -> rusqlite::Result<Vec<Event>> {
    let order = order.sql();
    let from = match conditions.index {
        Some(index) => {
            SELECT_EVENTS.replacen("events e", &format!("events e INDEXED BY {index}"), 1)
        }
        None => SELECT_EVENTS.to_owned(),
    };
    let sql = format!(
        "SELECT {EVENT_COLUMNS} {from} WHERE 1 = 1{} ORDER BY {first} {order}, e.id {order} LIMIT {limit}",
        conditions.sql
    );
    read_events(conn, &sql, conditions.args)
}

pub fn read_events(conn: &Connection, sql: &str, args: Vec<Value>) -> rusqlite::Result<Vec<Event>> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map(params_from_iter(args), |row| {
        Ok(Event {
            id: row.get(0)?,
            service: name_at(row, 1)?,
            level: level_at(row, 2)?,
            message: row.get(3)?,
            date: Timestamp::from_millis(row.get(4)?),
            attributes: attributes_at(row, 5)?,
        })
    })?;
    rows.collect()
}

/// Matching events counted per bucket and level.
pub fn count_by_bucket(conn: &Connection, query: &StatsQuery) -> rusqlite::Result<Vec<LevelCount>> {
    let mut conditions = Conditions::of_query(&query.filter, Order::Asc, None);
    if let Some(needle) = &query.filter.message {
        let needle = conditions.bind(needle.to_lowercase());
        conditions.and(format!("wt_contains(e.message, {needle})"));
    }
    let width = query.bucket.millis();
    // Dates are never negative here, so integer division floors.
    let sql = format!(
        "SELECT (e.ts / {width}) * {width} AS bucket, e.level, COUNT(*) FROM events e
         WHERE 1 = 1{} GROUP BY bucket, e.level",
        conditions.sql
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params_from_iter(conditions.args), |row| {
        Ok(LevelCount {
            start: Timestamp::from_millis(row.get(0)?),
            level: level_at(row, 1)?,
            count: row.get::<_, i64>(2)?.max(0) as u64,
        })
    })?;
    rows.collect()
}

/// The date of the newest event, from which the writer keeps dates from decreasing.
pub fn newest_date(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COALESCE((SELECT ts FROM events ORDER BY id DESC LIMIT 1), 0)",
        [],
        |row| row.get(0),
    )
}

/// Deletes up to `prune.limit` of the oldest events past the limits; ids only ever
/// grow and dates with them, so "oldest" is a prefix of the ids.
pub fn prune(conn: &Connection, prune: Prune) -> rusqlite::Result<u64> {
    let (oldest, newest): (Option<i64>, Option<i64>) =
        conn.query_row("SELECT MIN(id), MAX(id) FROM events", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    let (Some(oldest), Some(newest)) = (oldest, newest) else {
        return Ok(0);
    };
    // The newest event always stays, so that no id is ever handed out twice.
    let mut last = i64::MIN;
    if let Some(keep) = prune.keep {
        last = last.max(newest.saturating_sub(i64::try_from(keep).unwrap_or(i64::MAX)));
    }
    if let Some(before) = prune.before {
        let aged: Option<i64> = conn
            .prepare_cached(
                "SELECT id FROM events WHERE ts < ?1 ORDER BY ts DESC, id DESC LIMIT 1",
            )?
            .query_row([before.as_millis()], |row| row.get(0))
            .or_else(|error| match error {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                error => Err(error),
            })?;
        last = last.max(aged.unwrap_or(i64::MIN));
    }
    let step_end = oldest.saturating_add(prune.limit as i64 - 1);
    let last = last.min(newest - 1).min(step_end);
    if last < oldest {
        return Ok(0);
    }
    let deleted = conn
        .prepare_cached("DELETE FROM events WHERE id <= ?1")?
        .execute([last])?;
    Ok(deleted as u64)
}
