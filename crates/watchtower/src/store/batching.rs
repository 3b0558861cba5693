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
