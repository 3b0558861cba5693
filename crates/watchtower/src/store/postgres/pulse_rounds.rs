//! A batch's pulses, upserted a round at a time (distinct services in each) with
//! one statement, which also tells first pulses, recoveries and what the ping
//! history keeps; their events, alerts and pings are staged for the batch.

use std::collections::HashMap;

use deadpool_postgres::Transaction;
use tokio_postgres::Row;

use super::Clock;
use super::PgError;
use super::pings::{ClosedEntry, PingRow};
use super::write::{AlertRow, EventRow};
use crate::alert::AlertKind;
use crate::monitor::pings::PingNote;
use crate::monitor::{Kept, Pulse, ServiceName};
use crate::store::PulseRecorded;
use crate::store::decisions::PulseWrites;
use crate::time::Timestamp;

/// What pulses add besides their own rows; written with the batch's events.
#[derive(Default)]
pub(super) struct Staged {
    pub events: Vec<EventRow>,
    /// For each event, the index of the write that waits for it (`None`: Watchtower's own).
    pub owners: Vec<Option<usize>>,
    pub alerts: Vec<AlertRow>,
    pub pings: Vec<PingRow>,
    pub closed: Vec<ClosedEntry>,
}

impl Staged {
    pub fn event(&mut self, owner: Option<usize>, row: EventRow) {
        self.owners.push(owner);
        self.events.push(row);
    }
}

/// Whether a pulse folds into its service's newest history entry (as
/// `monitor::pings::Fold::takes` judges it), from the row the statement locks.
macro_rules! folds {
    () => {
        "(excluded.ping_fold = s.ping_fold AND excluded.last_pulse - s.ping_fold_at < 60000
          AND s.started IS NULL)"
    };
}

/// The upsert of a round of pulses: `pulses = 1` tells a first pulse, and
/// `outage_began` a pulse that ends an outage, from the row the statement locks;
/// `ping_folded > 0` a ping folded into the newest history entry, and
/// `closed_folded` what the entry a new one closes had folded in.
const UPSERT_PULSES: &str = concat!(
    "INSERT INTO services AS s (name, alert_type, alert_target, next_in, last_pulse,
                                deadline, status, seq, remind_every, depends_on,
                                schedule, tz, grace, first_seen, pings, started,
                                ping_fold, ping_fold_at, ping_folded, ping_fold_last)
     SELECT t.name, t.alert_type, t.alert_target, t.next_in, n.now, n.now + t.window_ms,
            'up', nextval('service_pulses'), t.remind_every, t.depends_on,
            t.schedule, t.tz, t.grace, n.now, t.noted, CASE WHEN t.starts THEN n.now END,
            t.fold, n.now, 0, n.now
     FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::bigint[], $6::bigint[],
                 $7::float8[], $8::text[], $9::text[], $10::text[], $11::float8[], $12::bigint[],
                 $13::bool[], $14::bigint[])
          WITH ORDINALITY AS t (name, alert_type, alert_target, next_in, window_ms, at,
                                remind_every, depends_on, schedule, tz, grace, noted, starts,
                                fold, ord)
     CROSS JOIN LATERAL (SELECT COALESCE(t.at, wt_now()) AS now) AS n
     ORDER BY t.ord
     ON CONFLICT (name) DO UPDATE SET
       alert_type = excluded.alert_type, alert_target = excluded.alert_target,
       next_in = excluded.next_in, last_pulse = excluded.last_pulse,
       deadline = excluded.deadline, status = 'up', seq = excluded.seq,
       remind_every = excluded.remind_every, depends_on = excluded.depends_on,
       schedule = excluded.schedule, tz = excluded.tz, grace = excluded.grace,
       pulses = s.pulses + 1,
       outage_began = CASE WHEN s.status = 'dead' THEN s.deadline END,
       run_began = s.started, started = excluded.started,
       pings = s.pings + CASE WHEN ",
    folds!(),
    " THEN 0 ELSE excluded.pings END,
       ping_fold = CASE WHEN s.started IS NULL THEN excluded.ping_fold END,
       ping_fold_at = CASE WHEN ",
    folds!(),
    " THEN s.ping_fold_at ELSE excluded.ping_fold_at END,
       ping_folded = CASE WHEN ",
    folds!(),
    " THEN s.ping_folded + 1 ELSE 0 END,
       ping_fold_last = excluded.ping_fold_last,
       closed_folded = CASE WHEN ",
    folds!(),
    " THEN 0 ELSE s.ping_folded END,
       closed_last = s.ping_fold_last
     RETURNING name, seq, last_pulse, deadline, pulses, outage_began, flapping_since, first_seen,
               pings, run_began, ping_folded, closed_folded, closed_last"
);

/// Upserts one round of pulses (distinct services) with one statement, and stages
/// their events and alerts. The statement itself tells a first pulse (`pulses = 1`)
/// and a recovery (`outage_began`), reading the row it locks: no read beforehand
/// that a concurrent death could make stale.
pub(super) async fn apply_pulses(
    tx: &Transaction<'_>,
    mut round: Vec<(usize, &Pulse)>,
    stamp: &impl Fn(Timestamp) -> Option<Timestamp>,
    staged: &mut Staged,
) -> Result<Vec<(usize, PulseRecorded)>, PgError> {
    // One lock order for every writer on every node: no deadlock between batches.
    round.sort_by(|a, b| a.1.service.cmp(&b.1.service));
    let names: Vec<&str> = round.iter().map(|(_, p)| p.service.as_str()).collect();
    let types: Vec<&str> = round.iter().map(|(_, p)| p.alert.kind.as_str()).collect();
    let targets: Vec<&str> = round.iter().map(|(_, p)| p.alert.target.as_str()).collect();
    // A schedule's next time is absolute: counted from the instant the row gets,
    // which on the database's clock is read first, so that a caller's skewed
    // clock moves no deadline.
    let unstamped = |p: &Pulse| p.cadence.schedule().is_some() && stamp(p.at).is_none();
    let database_now = match round.iter().any(|(_, p)| unstamped(p)) {
        true => Clock::Database.now(tx).await?,
        false => None,
    };
    let at_of = |p: &Pulse| match unstamped(p) {
        true => database_now,
        false => stamp(p.at),
    };
    let next_in: Vec<f64> = round
        .iter()
        .map(|(_, p)| p.next_in_seconds_from(at_of(p).unwrap_or(p.at)))
        .collect();
    let window: Vec<i64> = round
        .iter()
        .map(|(_, p)| p.window_from(at_of(p).unwrap_or(p.at)).as_millis())
        .map(|millis| i64::try_from(millis).unwrap_or(i64::MAX))
        .collect();
    let (schedule, tz): (Vec<Option<&str>>, Vec<Option<&str>>) =
        round.iter().map(|(_, p)| p.schedule_columns()).unzip();
    let grace: Vec<Option<f64>> = round.iter().map(|(_, p)| p.grace_seconds()).collect();
    let at: Vec<Option<i64>> = round
        .iter()
        .map(|(_, p)| at_of(p).map(Timestamp::as_millis))
        .collect();
    let remind: Vec<Option<f64>> = round.iter().map(|(_, p)| p.remind_every).collect();
    let depends: Vec<Option<&str>> = round
        .iter()
        .map(|(_, p)| p.depends_on.as_ref().map(ServiceName::as_str))
        .collect();
    let noted: Vec<i64> = round
        .iter()
        .map(|(_, p)| i64::from(p.note.is_some()))
        .collect();
    let starts: Vec<bool> = round.iter().map(|(_, p)| p.starts_run()).collect();
    let folds: Vec<Option<i64>> = round
        .iter()
        .map(|(_, p)| p.note.as_ref().and_then(PingNote::fold_key))
        .collect();
    let upsert = tx.prepare_cached(UPSERT_PULSES).await?;
    let mut rows = HashMap::new();
    for row in tx
        .query(
            &upsert,
            &[
                &names, &types, &targets, &next_in, &window, &at, &remind, &depends, &schedule,
                &tz, &grace, &noted, &starts, &folds,
            ],
        )
        .await?
    {
        let name: String = row.try_get(0)?;
        rows.insert(name, row);
    }

    let mut recorded = Vec::with_capacity(round.len());
    for (index, pulse) in round {
        let name = pulse.service.as_str();
        let row = rows
            .get(name)
            .ok_or_else(|| PgError::Corrupt(format!("no row returned for {name}")))?;
        recorded.push((index, stage_pulse(pulse, row, staged)?));
    }
    Ok(recorded)
}

/// The service as `pulse` left it (its upserted `row`), with the events and alert
/// that follow staged for the batch's one insert of each.
fn stage_pulse(pulse: &Pulse, row: &Row, staged: &mut Staged) -> Result<PulseRecorded, PgError> {
    let at = Timestamp::from_millis(row.try_get(2)?);
    let millis = |column| row.try_get::<_, Option<i64>>(column);
    let kept = Kept {
        flapping_since: millis(6)?.map(Timestamp::from_millis),
        first_seen: millis(7)?.map(Timestamp::from_millis),
    };
    let service = pulse.service_after(at, Timestamp::from_millis(row.try_get(3)?), kept);
    let first = row.try_get::<_, i64>(4)? == 1;
    let outage_began: Option<i64> = row.try_get(5)?;
    let outage_began = outage_began.map(Timestamp::from_millis);
    let writes = PulseWrites::of(pulse.window(), at, first, outage_began);
    if let Some(note) = &pulse.note {
        let folded: i64 = row.try_get(10)?;
        if folded == 0 {
            let number: i64 = row.try_get(8)?;
            let closed: Option<i64> = row.try_get(11)?;
            if let Some(closed) = closed.filter(|closed| *closed > 0) {
                staged.closed.push(ClosedEntry {
                    service: pulse.service.clone(),
                    slot: note.slot(number - 1),
                    number: number - 1,
                    count: 1 + closed,
                    last: row.try_get(12)?,
                    keep: note.keep,
                });
            }
            staged.pings.push(PingRow {
                service: pulse.service.clone(),
                note: note.clone(),
                number,
                at,
                started: row.try_get(9)?,
            });
        }
    }
    for told in writes.events {
        staged.event(None, EventRow::new(&service.service, told, at));
    }
    if let Some(down_since) = writes.recovered_from {
        staged.alerts.push(AlertRow {
            service: service.clone(),
            kind: AlertKind::Up,
            down_since,
            at,
        });
    }
    Ok(PulseRecorded {
        seq: row.try_get(1)?,
        recovered: writes.recovered_from.is_some(),
        service,
    })
}
