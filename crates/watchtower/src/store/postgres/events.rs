//! Event reads and retention: pages by (date, id) in either order, counts per
//! bucket, and pruning. The message filter is `ILIKE`, which the trigram index
//! (`pg_trgm`, where the server has it) serves without a scan.

use deadpool_postgres::{Client, GenericClient};
use tokio_postgres::types::ToSql;

use super::PgError;
use super::rows::{EVENT_COLUMNS, event_from_row};
use crate::events::retention::Prune;
use crate::events::{
    Event, EventFilter, EventQuery, Level, LevelCount, Order, Position, StatsQuery,
};
use crate::time::Timestamp;

/// Any fixed number: names the advisory lock that lets one node prune at a time.
const RETENTION_LOCK: i64 = 0x5754_5265_7465_6e74;

type Arg = Box<dyn ToSql + Sync + Send>;

/// A WHERE clause under construction with its numbered arguments.
#[derive(Default)]
struct Conditions {
    sql: String,
    args: Vec<Arg>,
}

impl Conditions {
    fn bind(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.args.push(Box::new(value));
        format!("${}", self.args.len())
    }

    fn and(&mut self, clause: impl AsRef<str>) {
        self.sql.push_str(" AND ");
        self.sql.push_str(clause.as_ref());
    }

    fn of(filter: &EventFilter, order: Order, after: Option<Position>) -> Self {
        let mut c = Self::default();
        if let Some(service) = &filter.service {
            let service = c.bind(service.as_str().to_owned());
            c.and(format!("service = {service}"));
        }
        if let Some(prefix) = &filter.service_prefix {
            let prefix = c.bind(prefix.clone());
            c.and(format!("starts_with(service, {prefix})"));
        }
        if let Some(from) = filter.from {
            let from = c.bind(from.as_millis());
            c.and(format!("ts >= {from}"));
        }
        if let Some(to) = filter.to {
            let to = c.bind(to.as_millis());
            c.and(format!("ts <= {to}"));
        }
        if let Some(level) = filter.min_level {
            let level = c.bind(level.rank() as i16);
            c.and(format!("level >= {level}"));
        }
        if let Some(needle) = &filter.message {
            // Case folding follows the database's LC_CTYPE: all of Unicode in a UTF-8 locale.
            let pattern = c.bind(format!("%{}%", escape_like(needle)));
            c.and(format!("message ILIKE {pattern}"));
        }
        if !filter.attributes.is_empty() {
            // Implied by any attribute filter; stated so that the partial index of
            // the events that have attributes may serve it.
            c.and("attributes IS NOT NULL");
        }
        for attribute in &filter.attributes {
            let key = c.bind(attribute.key.clone());
            let value = c.bind(attribute.value.clone());
            c.and(format!("attributes ->> {key}::text = {value}::text"));
        }
        if let Some(after) = after {
            let cmp = match order {
                Order::Asc => ">",
                Order::Desc => "<",
            };
            let (date, id) = (c.bind(after.date.as_millis()), c.bind(after.id));
            c.and(format!("(ts, id) {cmp} ({date}, {id})"));
        }
        c
    }

    fn args(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.args
            .iter()
            .map(|arg| arg.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// `ILIKE` treats `%`, `_` and `\` specially; the needle is a plain substring.
fn escape_like(needle: &str) -> String {
    let mut escaped = String::with_capacity(needle.len());
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

pub async fn query_page(
    client: &impl GenericClient,
    query: &EventQuery,
) -> Result<Vec<Event>, PgError> {
    let conditions = Conditions::of(&query.filter, query.order, query.after);
    let order = match query.order {
        Order::Asc => "ASC",
        Order::Desc => "DESC",
    };
    let sql = if query.filter.attributes.is_empty() {
        format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE true{} ORDER BY ts {order}, id {order} LIMIT {}",
            conditions.sql, query.limit
        )
    } else {
        // The page's ids first, so that an index holding every column the filter
        // reads (events_with_attributes) may answer them without the table;
        // then only the page's rows are read.
        format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE id IN (
               SELECT id FROM events WHERE true{} ORDER BY ts {order}, id {order} LIMIT {})
             ORDER BY ts {order}, id {order}",
            conditions.sql, query.limit
        )
    };
    client
        .query(&sql, &conditions.args())
        .await?
        .iter()
        .map(event_from_row)
        .collect()
}

pub async fn count_by_bucket(
    client: &impl GenericClient,
    query: &StatsQuery,
) -> Result<Vec<LevelCount>, PgError> {
    let conditions = Conditions::of(&query.filter, Order::Asc, None);
    let width = query.bucket.millis();
    let sql = format!(
        "SELECT (ts / {width}) * {width} AS bucket, level, count(*) FROM events
         WHERE true{} GROUP BY 1, 2",
        conditions.sql
    );
    client
        .query(&sql, &conditions.args())
        .await?
        .iter()
        .map(|row| {
            let rank: i16 = row.try_get(1)?;
            let level =
                Level::from_rank(rank.into()).ok_or_else(|| PgError::Corrupt("level".into()))?;
            Ok(LevelCount {
                start: Timestamp::from_millis(row.try_get(0)?),
                level,
                count: row.try_get::<_, i64>(2)?.max(0) as u64,
            })
        })
        .collect()
}

/// Deletes up to `prune.limit` of the oldest events past the limits. One node
/// prunes at a time; the others find the lock taken and skip their turn.
pub async fn prune(client: &mut Client, prune: Prune) -> Result<u64, PgError> {
    let tx = client.transaction().await?;
    let locked: bool = tx
        .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&RETENTION_LOCK])
        .await?
        .get(0);
    if !locked {
        return Ok(0);
    }
    let limit = prune.limit as i64;
    let mut deleted = 0;
    // The newest event always stays, as in every backend.
    if let Some(before) = prune.before {
        deleted += tx
            .execute(
                "DELETE FROM events WHERE id IN (
                   SELECT id FROM events WHERE ts < $1 ORDER BY ts LIMIT $2)
                 AND id < (SELECT max(id) FROM events)",
                &[&before.as_millis(), &limit],
            )
            .await?;
    }
    if let Some(keep) = prune.keep {
        // Ids have gaps (rolled-back inserts), so this keeps at most `keep`.
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        deleted += tx
            .execute(
                "DELETE FROM events WHERE id IN (
                   SELECT id FROM events WHERE id <= (SELECT max(id) FROM events) - $1
                   ORDER BY id LIMIT $2)
                 AND id < (SELECT max(id) FROM events)",
                &[&keep, &(limit - deleted as i64).max(0)],
            )
            .await?;
    }
    tx.commit().await?;
    Ok(deleted)
}

/// The events of one insert statement, as its trigger announced them: ids within
/// `first..=last` written by transaction `xid`.
pub async fn announced(
    client: &tokio_postgres::Client,
    xid: &str,
    first: i64,
    last: i64,
) -> Result<Vec<Event>, PgError> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE id BETWEEN $1 AND $2 AND xmin::text = $3 ORDER BY id"
    );
    client
        .query(&sql, &[&first, &last, &xid])
        .await?
        .iter()
        .map(event_from_row)
        .collect()
}
