//! Group commit for the hot writes: pulses and events queue here, and one task
//! commits everything queued in one transaction with a handful of set-based
//! statements, answering each caller once the commit is durable.

use std::collections::{HashMap, HashSet};

use deadpool_postgres::Pool;
use deadpool_postgres::Transaction;
use tokio::sync::{mpsc, oneshot};

use super::write::{AlertRow, EventRow, insert_alerts, insert_events};
use super::{Clock, PgError};
use crate::alert::AlertKind;
use crate::events::{Event, NewEvent};
use crate::monitor::{Pulse, Service, Status, story};
use crate::store::{PulseRecorded, StoreError};
use crate::time::Timestamp;

/// Writes committed together at most.
const MAX_BATCH: usize = 1024;
/// Writes waiting at most before callers are slowed down (backpressure).
const QUEUE_DEPTH: usize = 16 * 1024;
/// Tries of a batch that lost a deadlock or a serialization race to another node.
const TRIES: usize = 4;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Write {
    Pulse(Pulse, Reply<PulseRecorded>),
    Event(NewEvent, Reply<Event>),
}

enum Done {
    Pulse(PulseRecorded),
    Event(Event),
}

enum Message {
    Write(Write),
    Stop(oneshot::Sender<()>),
}

pub struct Batcher {
    queue: mpsc::Sender<Message>,
}

impl Batcher {
    pub fn start(pool: Pool, clock: Clock) -> Self {
        let (queue, inbox) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(run(pool, clock, inbox));
        Self { queue }
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
    StoreError::Unavailable("storage is shut down".into())
}

async fn run(pool: Pool, clock: Clock, mut inbox: mpsc::Receiver<Message>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = inbox.recv().await {
        let mut next = Some(first);
        let mut stop = None;
        while let Some(message) = next.take() {
            match message {
                Message::Write(write) => batch.push(write),
                Message::Stop(done) => {
                    stop = Some(done);
                    break;
                }
            }
            if batch.len() < MAX_BATCH {
                next = inbox.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            commit(&pool, clock, std::mem::take(&mut batch)).await;
        }
        if let Some(done) = stop {
            inbox.close();
            let _ = done.send(());
            return;
        }
    }
}

/// Commits `batch` and answers every write in it.
async fn commit(pool: &Pool, clock: Clock, batch: Vec<Write>) {
    let mut tries = 0;
    let result = loop {
        tries += 1;
        match apply(pool, clock, &batch).await {
            Err(error) if error.is_retryable() && tries < TRIES => continue,
            result => break result,
        }
    };
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
        (Write::Pulse(_, reply), Done::Event(_)) => drop(reply.send(Err(mismatch()))),
        (Write::Event(_, reply), Done::Pulse(_)) => drop(reply.send(Err(mismatch()))),
    }
}

fn mismatch() -> StoreError {
    StoreError::Unavailable("internal error: a write was answered out of order".into())
}

/// Applies the whole batch in one transaction; `Done` values line up with `batch`.
async fn apply(pool: &Pool, clock: Clock, batch: &[Write]) -> Result<Vec<Done>, PgError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let now = clock.now(&tx).await?;
    let stamp = |at: Timestamp| now.unwrap_or(at);
    let mut done: Vec<Option<Done>> = batch.iter().map(|_| None).collect();
    let mut staged = Staged::default();

    // Pulses go in rounds of distinct services, so that a service pulsing twice in
    // one batch is updated twice, in order.
    let mut pulses: Vec<(usize, &Pulse)> = batch
        .iter()
        .enumerate()
        .filter_map(|(index, write)| match write {
            Write::Pulse(pulse, _) => Some((index, pulse)),
            Write::Event(..) => None,
        })
        .collect();
    while !pulses.is_empty() {
        let mut seen = HashSet::new();
        let (round, later): (Vec<_>, Vec<_>) = pulses
            .into_iter()
            .partition(|(_, pulse)| seen.insert(pulse.service.clone()));
        for (index, recorded) in apply_pulses(&tx, &round, &stamp, &mut staged).await? {
            done[index] = Some(Done::Pulse(recorded));
        }
        pulses = later;
    }

    for (index, write) in batch.iter().enumerate() {
        if let Write::Event(event, _) = write {
            let (level, message) = (event.level, event.message.clone());
            let row = EventRow::new(&event.service, (level, message), stamp(event.date));
            staged.event(Some(index), row);
        }
    }
    let ids = insert_events(&tx, &staged.events).await?;
    for ((owner, row), id) in staged.owners.into_iter().zip(staged.events).zip(ids) {
        if let Some(index) = owner {
            done[index] = Some(Done::Event(Event {
                id,
                service: row.service,
                level: row.level,
                message: row.message,
                date: row.at,
            }));
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

/// Upserts one round of pulses (distinct services) and stages their events and alerts.
async fn apply_pulses(
    tx: &Transaction<'_>,
    round: &[(usize, &Pulse)],
    stamp: &impl Fn(Timestamp) -> Timestamp,
    staged: &mut Staged,
) -> Result<Vec<(usize, PulseRecorded)>, PgError> {
    let mut round = round.to_vec();
    // One lock order for every writer on every node: no deadlock between batches.
    round.sort_by(|a, b| a.1.service.cmp(&b.1.service));
    let names: Vec<&str> = round.iter().map(|(_, p)| p.service.as_str()).collect();
    let locked = tx
        .prepare_cached(
            r#"SELECT name, status, deadline FROM services WHERE name = ANY($1)
               ORDER BY name COLLATE "C" FOR UPDATE"#,
        )
        .await?;
    let mut previous = HashMap::new();
    for row in tx.query(&locked, &[&names]).await? {
        let (name, status, deadline): (String, String, i64) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        previous.insert(name, (status == "dead", Timestamp::from_millis(deadline)));
    }

    let services: Vec<Service> = round
        .iter()
        .map(|(_, pulse)| {
            let at = stamp(pulse.at);
            Service {
                service: pulse.service.clone(),
                alert_type: pulse.alert.kind,
                alert_target: pulse.alert.target.clone(),
                next_in: pulse.next_in.seconds(),
                last_pulse: at,
                deadline: at.plus(pulse.next_in.duration()),
                status: Status::Up,
            }
        })
        .collect();
    let types: Vec<&str> = services.iter().map(|s| s.alert_type.as_str()).collect();
    let targets: Vec<&str> = services.iter().map(|s| s.alert_target.as_str()).collect();
    let next_in: Vec<f64> = services.iter().map(|s| s.next_in).collect();
    let last_pulse: Vec<i64> = services.iter().map(|s| s.last_pulse.as_millis()).collect();
    let deadline: Vec<i64> = services.iter().map(|s| s.deadline.as_millis()).collect();
    let upsert = tx
        .prepare_cached(
            "INSERT INTO services (name, alert_type, alert_target, next_in, last_pulse, deadline, status, seq)
             SELECT name, alert_type, alert_target, next_in, last_pulse, deadline, 'up', nextval('service_pulses')
             FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::bigint[], $6::bigint[])
                  WITH ORDINALITY AS t (name, alert_type, alert_target, next_in, last_pulse, deadline, ord)
             ORDER BY ord
             ON CONFLICT (name) DO UPDATE SET
               alert_type = excluded.alert_type, alert_target = excluded.alert_target,
               next_in = excluded.next_in, last_pulse = excluded.last_pulse,
               deadline = excluded.deadline, status = 'up', seq = excluded.seq
             RETURNING name, seq",
        )
        .await?;
    let mut seqs = HashMap::new();
    for row in tx
        .query(
            &upsert,
            &[&names, &types, &targets, &next_in, &last_pulse, &deadline],
        )
        .await?
    {
        seqs.insert(row.try_get::<_, String>(0)?, row.try_get::<_, i64>(1)?);
    }

    let mut recorded = Vec::with_capacity(round.len());
    for ((index, pulse), service) in round.into_iter().zip(services) {
        let name = service.service.as_str();
        let seq = *seqs
            .get(name)
            .ok_or_else(|| PgError::Corrupt(format!("no sequence returned for {name}")))?;
        let at = service.last_pulse;
        let recovered = match previous.get(name) {
            None => {
                let started = story::started(pulse.next_in.duration());
                staged.event(None, EventRow::new(&service.service, started, at));
                false
            }
            Some(&(true, down_since)) => {
                let back = story::recovered(at.since(down_since));
                staged.event(None, EventRow::new(&service.service, back, at));
                staged.alerts.push(AlertRow {
                    service: service.clone(),
                    kind: AlertKind::Up,
                    down_since,
                    at,
                });
                true
            }
            Some(&(false, _)) => false,
        };
        recorded.push((
            index,
            PulseRecorded {
                service,
                seq,
                recovered,
            },
        ));
    }
    Ok(recorded)
}
