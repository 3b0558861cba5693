//! Group commit for the hot writes: pulses and events queue here, and one task
//! commits everything queued in one transaction with a handful of set-based
//! statements, answering each caller once the commit is durable.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use deadpool_postgres::Pool;
use deadpool_postgres::Transaction;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio_postgres::Row;

use super::write::{AlertRow, EventRow, insert_alerts, insert_events};
use super::{Clock, PgError};
use crate::alert::AlertKind;
use crate::events::{Event, NewEvent};
use crate::monitor::{Kept, Pulse, ServiceName};
use crate::store::decisions::PulseWrites;
use crate::store::{PulseRecorded, StoreError, batching};
use crate::time::Timestamp;

/// Rows committed together at most (a pulse or an event counts one, a bulk write
/// its events); a bulk write larger than this commits alone.
const MAX_BATCH: usize = 1024;
/// Writes waiting at most before callers are slowed down (backpressure).
const QUEUE_DEPTH: usize = 16 * 1024;
/// Batches committing at once, each on a connection of its own: the next batch
/// travels to the database while the last one's commit is flushed. Two cost nothing
/// measurable against a database on the same machine, and hide a round trip to one
/// across a network.
const IN_FLIGHT: usize = 2;
/// Tries of a batch that lost a deadlock or a serialization race to another node.
const TRIES: usize = 4;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Write {
    Pulse(Pulse, Reply<PulseRecorded>),
    Event(NewEvent, Reply<Event>),
    Events(Vec<NewEvent>, Reply<Vec<Event>>),
}

impl Write {
    fn rows(&self) -> usize {
        match self {
            Self::Events(events, _) => events.len(),
            _ => 1,
        }
    }
}

enum Done {
    Pulse(PulseRecorded),
    Event(Event),
    Events(Vec<Event>),
}

type Message = batching::Message<Write>;

pub struct Batcher {
    queue: mpsc::Sender<Message>,
    stats: batching::WriteStats,
}

impl Batcher {
    pub fn start(pool: Pool, clock: Clock) -> Self {
        let (queue, inbox) = mpsc::channel(QUEUE_DEPTH);
        let stats = batching::WriteStats::default();
        tokio::spawn(run(pool, clock, inbox, stats.clone()));
        Self { queue, stats }
    }

    pub fn stats(&self) -> batching::WriteStats {
        self.stats.clone()
    }

    pub async fn pulse(&self, pulse: Pulse) -> Result<PulseRecorded, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Write::Pulse(pulse, reply)).await?;
        answer.await.map_err(|_| closed())?
    }

    pub async fn event(&self, event: NewEvent) -> Result<Event, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Write::Event(event, reply)).await?;
        answer.await.map_err(|_| closed())?
    }

    /// Events that commit together or not at all.
    pub async fn events(&self, events: Vec<NewEvent>) -> Result<Vec<Event>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Write::Events(events, reply)).await?;
        answer.await.map_err(|_| closed())?
    }

    async fn submit(&self, write: Write) -> Result<(), StoreError> {
        self.queue
            .send(Message::Write(write))
            .await
            .map_err(|_| closed())
    }

    /// Commits what is queued, then stops; later writes are refused.
    pub async fn stop(&self) {
        let (done, stopped) = oneshot::channel();
        if self.queue.send(Message::Stop(done)).await.is_ok() {
            let _ = stopped.await;
        }
    }
}

fn closed() -> StoreError {
    StoreError::shut_down()
}

async fn run(
    pool: Pool,
    clock: Clock,
    mut inbox: mpsc::Receiver<Message>,
    stats: batching::WriteStats,
) {
    // Batches in flight at once: while one waits for its commit to reach the disk,
    // the next is already on its way, and PostgreSQL flushes their commits together.
    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
    while let Some(first) = inbox.recv().await {
        let permit = in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let (batch, stop) = batching::gather(first, &mut inbox, MAX_BATCH, Write::rows);
        if batch.is_empty() {
            drop(permit);
        } else {
            let (pool, stats) = (pool.clone(), stats.clone());
            tokio::spawn(async move {
                let (writes, started) = (batch.len(), std::time::Instant::now());
                commit(&pool, clock, batch).await;
                stats.record(writes, started.elapsed());
                drop(permit);
            });
        }
        if let Some(done) = stop {
            inbox.close();
            // Every batch in flight has committed once all the permits are back.
            let _ = in_flight.acquire_many(IN_FLIGHT as u32).await;
            let _ = done.send(());
            return;
        }
    }
}

/// Commits `batch` and answers every write in it.
async fn commit(pool: &Pool, clock: Clock, batch: Vec<Write>) {
    let started = std::time::Instant::now();
    let mut tries = 0;
    let result = loop {
        tries += 1;
        match apply(pool, clock, &batch).await {
            Err(error) if error.is_retryable() && tries < TRIES => continue,
            result => break result,
        }
    };
    tracing::debug!(size = batch.len(), tries, elapsed = ?started.elapsed(), "batch committed");
    match result {
        Ok(done) => batch.into_iter().zip(done).for_each(answer),
        // One write the database refuses must not sink the others: commit each alone.
        Err(error) if error.is_bad_data() && batch.len() > 1 => {
            for write in batch {
                Box::pin(commit(pool, clock, vec![write])).await;
            }
        }
        Err(error) => {
            tracing::error!(error = %error, size = batch.len(), "storage batch failed to commit");
            let error = StoreError::from(error);
            for write in batch {
                match write {
                    Write::Pulse(_, reply) => drop(reply.send(Err(error.clone()))),
                    Write::Event(_, reply) => drop(reply.send(Err(error.clone()))),
                    Write::Events(_, reply) => drop(reply.send(Err(error.clone()))),
                }
            }
        }
    }
}

fn answer((write, done): (Write, Done)) {
    // The caller may have gone away; its write is durable all the same.
    match (write, done) {
        (Write::Pulse(_, reply), Done::Pulse(recorded)) => drop(reply.send(Ok(recorded))),
        (Write::Event(_, reply), Done::Event(event)) => drop(reply.send(Ok(event))),
        (Write::Events(_, reply), Done::Events(events)) => drop(reply.send(Ok(events))),
        (Write::Pulse(_, reply), _) => drop(reply.send(Err(mismatch()))),
        (Write::Event(_, reply), _) => drop(reply.send(Err(mismatch()))),
        (Write::Events(_, reply), _) => drop(reply.send(Err(mismatch()))),
    }
}

fn mismatch() -> StoreError {
    StoreError::corrupt("internal error: a write was answered out of order")
}

/// Applies the whole batch in one transaction; `Done` values line up with `batch`.
async fn apply(pool: &Pool, clock: Clock, batch: &[Write]) -> Result<Vec<Done>, PgError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // With the database's clock, no instant is sent: each row is stamped as it is written.
    let stamp = |at: Timestamp| (clock == Clock::Caller).then_some(at);
    let mut done: Vec<Option<Done>> = batch.iter().map(|_| None).collect();
    let mut staged = Staged::default();

    // Pulses go in rounds of distinct services, so that a service pulsing twice in
    // one batch is updated twice, in order.
    let mut pulses: Vec<(usize, &Pulse)> = batch
        .iter()
        .enumerate()
        .filter_map(|(index, write)| match write {
            Write::Pulse(pulse, _) => Some((index, pulse)),
            Write::Event(..) | Write::Events(..) => None,
        })
        .collect();
    while !pulses.is_empty() {
        let mut seen = HashSet::new();
        let (round, later): (Vec<_>, Vec<_>) = pulses
            .into_iter()
            .partition(|(_, pulse)| seen.insert(pulse.service.clone()));
        for (index, recorded) in apply_pulses(&tx, round, &stamp, &mut staged).await? {
            done[index] = Some(Done::Pulse(recorded));
        }
        pulses = later;
    }

    let row = |event: &NewEvent| EventRow {
        at: stamp(event.date),
        service: event.service.clone(),
        level: event.level,
        message: event.message.clone(),
    };
    for (index, write) in batch.iter().enumerate() {
        match write {
            Write::Event(event, _) => staged.event(Some(index), row(event)),
            Write::Events(events, _) => {
                done[index] = Some(Done::Events(Vec::with_capacity(events.len())));
                for event in events {
                    staged.event(Some(index), row(event));
                }
            }
            Write::Pulse(..) => {}
        }
    }
    let stored = insert_events(&tx, &staged.events).await?;
    for ((owner, row), (id, date)) in staged.owners.into_iter().zip(staged.events).zip(stored) {
        let Some(index) = owner else { continue };
        let event = Event {
            id,
            service: row.service,
            level: row.level,
            message: row.message,
            date,
        };
        match &mut done[index] {
            Some(Done::Events(events)) => events.push(event),
            slot => *slot = Some(Done::Event(event)),
        }
    }
    insert_alerts(&tx, &staged.alerts).await?;
    tx.commit().await?;
    done.into_iter()
        .map(|done| done.ok_or_else(|| PgError::Corrupt("a write was not applied".into())))
        .collect()
}

/// What pulses add besides their own rows; written with the batch's events.
#[derive(Default)]
struct Staged {
    events: Vec<EventRow>,
    /// For each event, the index of the write that waits for it (`None`: Watchtower's own).
    owners: Vec<Option<usize>>,
    alerts: Vec<AlertRow>,
}

impl Staged {
    fn event(&mut self, owner: Option<usize>, row: EventRow) {
        self.owners.push(owner);
        self.events.push(row);
    }
}

/// The upsert of a round of pulses: `pulses = 1` tells a first pulse, and
/// `outage_began` a pulse that ends an outage, from the row the statement locks.
const UPSERT_PULSES: &str =
    "INSERT INTO services AS s (name, alert_type, alert_target, next_in, last_pulse,
                                deadline, status, seq, remind_every, depends_on,
                                schedule, tz, grace, first_seen)
     SELECT t.name, t.alert_type, t.alert_target, t.next_in, n.now, n.now + t.window_ms,
            'up', nextval('service_pulses'), t.remind_every, t.depends_on,
            t.schedule, t.tz, t.grace, n.now
     FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::bigint[], $6::bigint[],
                 $7::float8[], $8::text[], $9::text[], $10::text[], $11::float8[])
          WITH ORDINALITY AS t (name, alert_type, alert_target, next_in, window_ms, at,
                                remind_every, depends_on, schedule, tz, grace, ord)
     CROSS JOIN LATERAL (SELECT COALESCE(t.at, wt_now()) AS now) AS n
     ORDER BY t.ord
     ON CONFLICT (name) DO UPDATE SET
       alert_type = excluded.alert_type, alert_target = excluded.alert_target,
       next_in = excluded.next_in, last_pulse = excluded.last_pulse,
       deadline = excluded.deadline, status = 'up', seq = excluded.seq,
       remind_every = excluded.remind_every, depends_on = excluded.depends_on,
       schedule = excluded.schedule, tz = excluded.tz, grace = excluded.grace,
       pulses = s.pulses + 1,
       outage_began = CASE WHEN s.status = 'dead' THEN s.deadline END
     RETURNING name, seq, last_pulse, deadline, pulses, outage_began, flapping_since, first_seen";

/// Upserts one round of pulses (distinct services) with one statement, and stages
/// their events and alerts. The statement itself tells a first pulse (`pulses = 1`)
/// and a recovery (`outage_began`), reading the row it locks: no read beforehand
/// that a concurrent death could make stale.
async fn apply_pulses(
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
    let upsert = tx.prepare_cached(UPSERT_PULSES).await?;
    let mut rows = HashMap::new();
    for row in tx
        .query(
            &upsert,
            &[
                &names, &types, &targets, &next_in, &window, &at, &remind, &depends, &schedule,
                &tz, &grace,
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
