//! The single writer: a dedicated thread owns the write connection, drains a
//! channel of operations, and commits each batch in one transaction (group commit).
//! Each caller is answered only once its batch is durable on disk.

use std::collections::HashMap;
use std::thread::JoinHandle;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::checkpoint::LogLimit;
use crate::events::{Event, Feed};
use crate::store::StoreError;
use crate::store::batching;

/// Rows committed together at most (an operation counts one, a bulk write its
/// rows); bounds the latency one batch adds. One bulk write larger than this
/// commits alone.
const MAX_BATCH: usize = 1024;
/// Operations waiting at most before callers are slowed down (backpressure).
const QUEUE_DEPTH: usize = 16 * 1024;

/// What the writer keeps between batches. Cleared whenever a batch rolls back,
/// since a cached row id may then name a row that was never committed.
#[derive(Default)]
pub struct WriterState {
    pub event_services: ServiceIds,
    pub next_seq: i64,
    /// The newest event's date: no event is dated before it (see `ops::insert_event`).
    pub newest_event: i64,
    pub feed: Feed,
    /// Batch sizes and commit times, for `/metrics`.
    pub stats: batching::WriteStats,
    /// Events of the batch in progress, published once it commits (if anyone listens).
    pub unpublished: Vec<Event>,
    /// Set when a failed write of the batch in progress could not be undone.
    pub undo_failed: bool,
}

/// Event services' row ids, by name, for the services that sent events lately.
/// Bounded: unbounded, it held every name ever seen (about 100 MiB at a
/// million services); a name it forgot costs one indexed lookup.
#[derive(Default)]
pub struct ServiceIds(HashMap<String, i64>);

impl ServiceIds {
    const CAPACITY: usize = 8 * 1024;

    pub fn get(&self, name: &str) -> Option<i64> {
        self.0.get(name).copied()
    }

    /// Starting over when full keeps the busiest names a lookup away without
    /// the bookkeeping of an LRU; the map keeps its allocation.
    pub fn remember(&mut self, name: &str, id: i64) {
        if self.0.len() >= Self::CAPACITY {
            self.0.clear();
        }
        self.0.insert(name.to_owned(), id);
    }

    pub fn forget_all(&mut self) {
        self.0.clear();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// One queued write: applied inside a savepoint, answered after the commit.
trait Op: Send {
    /// How many rows it writes, roughly: what the batch size counts.
    fn weight(&self) -> usize;
    /// `alone`: the only operation of its batch, whose transaction then serves
    /// as its savepoint (rolled back if it fails).
    fn apply(&mut self, tx: &mut Transaction<'_>, state: &mut WriterState, alone: bool) -> bool;
    fn finish(self: Box<Self>, committed: Result<(), StoreError>);
}

struct Pending<T, F> {
    weight: usize,
    /// Run inside a savepoint, so that a failure midway undoes its partial writes.
    guarded: bool,
    work: Option<F>,
    result: Option<rusqlite::Result<T>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Op for Pending<T, F>
where
    T: Send,
    F: FnOnce(&Connection, &mut WriterState) -> rusqlite::Result<T> + Send,
{
    fn weight(&self) -> usize {
        self.weight
    }

    fn apply(&mut self, tx: &mut Transaction<'_>, state: &mut WriterState, alone: bool) -> bool {
        let work = self.work.take().expect("an operation is applied once");
        let published = state.unpublished.len();
        // A savepoint per operation: one failing write must not sink its batch.
        let result = match self.guarded && !alone {
            true => guarded(tx, state, work),
            false => work(tx, state),
        };
        let ok = result.is_ok();
        if !ok {
            state.unpublished.truncate(published);
        }
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, committed: Result<(), StoreError>) {
        let result = match (committed, self.result) {
            (Ok(()), Some(Ok(value))) => Ok(value),
            (Ok(()), Some(Err(error))) => Err(StoreError::from(error)),
            (Ok(()), None) => Err(StoreError::corrupt("a write was not applied")),
            (Err(error), _) => Err(error),
        };
        // The caller may have gone away; its write is durable all the same.
        let _ = self.reply.send(result);
    }
}

/// Runs `work` inside a savepoint, undone if it fails: for an operation queued
/// unguarded that finds it has more than one statement to run after all.
pub fn guarded<T>(
    conn: &Connection,
    state: &mut WriterState,
    work: impl FnOnce(&Connection, &mut WriterState) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let mut undo_failed = false;
    let result = in_savepoint(conn, &mut undo_failed, |conn| work(conn, state));
    state.undo_failed |= undo_failed;
    result
}

/// Runs `work` inside a savepoint, undone if it fails. Its statements are
/// prepared once: parsed for every write, they cost more than they did.
/// A failed undo marks the batch, which is then rolled back whole rather than
/// commit part of the failed write.
fn in_savepoint<T>(
    conn: &Connection,
    undo_failed: &mut bool,
    work: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let run = |sql: &str| conn.prepare_cached(sql).and_then(|mut s| s.execute([]));
    run("SAVEPOINT operation")?;
    match work(conn) {
        Ok(value) => run("RELEASE operation").map(|_| value),
        Err(error) => {
            if let Err(undo) = run("ROLLBACK TO operation").and_then(|_| run("RELEASE operation")) {
                tracing::error!(%undo, "a failed write could not be undone");
                *undo_failed = true;
            }
            Err(error)
        }
    }
}

type Message = batching::Message<Box<dyn Op>>;

pub struct Writer {
    queue: mpsc::Sender<Message>,
    thread: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Writer {
    pub fn start(conn: Connection, state: WriterState, limit: LogLimit) -> std::io::Result<Self> {
        let (queue, inbox) = mpsc::channel(QUEUE_DEPTH);
        let thread = std::thread::Builder::new()
            .name("watchtower-writer".into())
            .spawn(move || run(conn, inbox, state, &limit))?;
        Ok(Self {
            queue,
            thread: std::sync::Mutex::new(Some(thread)),
        })
    }

    /// Queues `work` and waits until it is committed.
    pub async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut WriterState) -> rusqlite::Result<T> + Send + 'static,
    {
        self.queue(1, true, work).await
    }

    /// Like [`Writer::write`], without the savepoint: for work whose only
    /// statement that can fail is its last, so that a failure leaves nothing
    /// behind (the savepoint costs about a fifth of a single-row write).
    pub async fn write_unguarded<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut WriterState) -> rusqlite::Result<T> + Send + 'static,
    {
        self.queue(1, false, work).await
    }

    /// Queues `work`, which writes about `rows` rows, and waits until it is committed.
    pub async fn write_rows<T, F>(&self, rows: usize, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut WriterState) -> rusqlite::Result<T> + Send + 'static,
    {
        self.queue(rows, true, work).await
    }

    async fn queue<T, F>(&self, rows: usize, guarded: bool, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut WriterState) -> rusqlite::Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let op = Box::new(Pending {
            weight: rows,
            guarded,
            work: Some(work),
            result: None,
            reply,
        });
        let closed = StoreError::shut_down;
        self.queue
            .send(Message::Write(op))
            .await
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    /// Commits what is queued, then stops the thread.
    pub async fn stop(&self) {
        let (done, stopped) = oneshot::channel();
        if self.queue.send(Message::Stop(done)).await.is_ok() {
            let _ = stopped.await;
        }
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

fn run(
    mut conn: Connection,
    mut inbox: mpsc::Receiver<Message>,
    mut state: WriterState,
    limit: &LogLimit,
) {
    let mut stop = None;
    while stop.is_none() {
        let Some(first) = inbox.blocking_recv() else {
            break;
        };
        let (mut batch, stopping) =
            batching::gather(first, &mut inbox, MAX_BATCH, |op| op.weight());
        stop = stopping;
        if !batch.is_empty() {
            let (writes, started) = (batch.len(), std::time::Instant::now());
            commit_batch(&mut conn, &mut batch, &mut state);
            state.stats.record(writes, started.elapsed());
            limit.enforce(&conn);
        }
    }
    // A clean stop leaves no log behind (readers are done by now).
    super::checkpoint::empty(&conn);
    drop(conn);
    if let Some(done) = stop {
        let _ = done.send(());
    }
}

fn commit_batch(conn: &mut Connection, batch: &mut Vec<Box<dyn Op>>, state: &mut WriterState) {
    let mut all_applied = true;
    let committed = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .and_then(|mut tx| {
            let alone = batch.len() == 1;
            for op in batch.iter_mut() {
                all_applied &= op.apply(&mut tx, state, alone);
            }
            // A bulk write usually commits alone: without a savepoint, its pages
            // are not journalled twice, and a failure undoes the whole transaction.
            match (alone && !all_applied) || state.undo_failed {
                true => tx.rollback(),
                false => tx.commit(),
            }
        })
        .map_err(|error| {
            tracing::error!(%error, size = batch.len(), "storage batch failed to commit");
            StoreError::from(error)
        });
    // Taken whatever the outcome: the mark is this batch's alone.
    let committed = match std::mem::take(&mut state.undo_failed) {
        true => Err(StoreError::unavailable(
            "a failed write could not be undone, so its whole batch was rolled back",
        )),
        false => committed,
    };
    if committed.is_err() || !all_applied {
        state.event_services.forget_all();
    }
    match committed {
        Ok(()) => state.feed.publish(state.unpublished.drain(..)),
        Err(_) => state.unpublished.clear(),
    }
    for op in batch.drain(..) {
        op.finish(committed.clone());
    }
}
