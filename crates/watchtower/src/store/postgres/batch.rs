//! Group commit for the hot writes: pulses and events queue here, and one task
//! commits everything queued in one transaction with a handful of set-based
//! statements, answering each caller once the commit is durable.

use std::collections::HashSet;
use std::sync::Arc;

use deadpool_postgres::Pool;
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::pings::{close_entries, keep_pings};
use super::pulse_rounds::{Staged, apply_pulses};
use super::write::{EventRow, insert_alerts, insert_events};
use super::{Clock, PgError};
use crate::events::{Event, NewEvent};
use crate::monitor::Pulse;
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
        attributes: event.attributes.clone(),
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
            attributes: row.attributes,
        };
        match &mut done[index] {
            Some(Done::Events(events)) => events.push(event),
            slot => *slot = Some(Done::Event(event)),
        }
    }
    insert_alerts(&tx, &staged.alerts).await?;
    close_entries(&tx, &staged.closed).await?;
    keep_pings(&tx, &staged.pings).await?;
    tx.commit().await?;
    done.into_iter()
        .map(|done| done.ok_or_else(|| PgError::Corrupt("a write was not applied".into())))
        .collect()
}
