//! What both backends' writers share: a queue of writes (or a request to stop),
//! and gathering whatever is queued into one batch for one transaction.

use tokio::sync::{mpsc, oneshot};

pub enum Message<W> {
    Write(W),
    /// Commit what came before, then answer and stop.
    Stop(oneshot::Sender<()>),
}

/// A batch: `first` and whatever else is already queued, until the writes weigh
/// `max` rows (each weighing `rows(write)`) or a stop arrives, which is returned.
pub fn gather<W>(
    first: Message<W>,
    inbox: &mut mpsc::Receiver<Message<W>>,
    max: usize,
    rows: impl Fn(&W) -> usize,
) -> (Vec<W>, Option<oneshot::Sender<()>>) {
    let mut batch = Vec::new();
    let mut weight = 0;
    let mut next = Some(first);
    while let Some(message) = next.take() {
        match message {
            Message::Write(write) => {
                weight += rows(&write);
                batch.push(write);
            }
            Message::Stop(done) => return (batch, Some(done)),
        }
        if weight < max {
            next = inbox.try_recv().ok();
        }
    }
    (batch, None)
}

/// What the writers report for `/metrics`: writes per committed batch, and
/// how long each commit took (both backends, the same buckets).
#[derive(Clone, Debug)]
pub struct WriteStats {
    pub batch_writes: prometheus_client::metrics::histogram::Histogram,
    pub commit_seconds: prometheus_client::metrics::histogram::Histogram,
}

impl Default for WriteStats {
    fn default() -> Self {
        use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
        Self {
            // 1 to 2048 writes: a batch holds at most 1024 rows, a bulk write more.
            batch_writes: Histogram::new(exponential_buckets(1.0, 2.0, 12)),
            // 100 µs to about 3 s.
            commit_seconds: Histogram::new(exponential_buckets(0.0001, 2.0, 15)),
        }
    }
}

impl WriteStats {
    pub fn record(&self, writes: usize, took: std::time::Duration) {
        self.batch_writes.observe(writes as f64);
        self.commit_seconds.observe(took.as_secs_f64());
    }
}
