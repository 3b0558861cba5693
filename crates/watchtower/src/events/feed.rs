//! The live feed of stored events: each backend publishes what it has committed,
//! and every `GET /events/stream` client reads from its own subscription.

use std::sync::Arc;

use tokio::sync::broadcast;

use super::Event;

/// Events a subscriber may fall behind by before it is dropped: ingest never
/// waits for a slow reader.
const BACKLOG: usize = 16 * 1024;

pub type FeedItem = Arc<Event>;

#[derive(Clone)]
pub struct Feed {
    sender: broadcast::Sender<FeedItem>,
}

impl Default for Feed {
    fn default() -> Self {
        Self {
            sender: broadcast::Sender::new(BACKLOG),
        }
    }
}

impl Feed {
    /// Whether anyone listens; writers skip copying events for nobody.
    pub fn is_watched(&self) -> bool {
        self.sender.receiver_count() > 0
    }

    /// Publishes events that are durable, in the order they were stored.
    pub fn publish(&self, events: impl IntoIterator<Item = Event>) {
        for event in events {
            // No subscriber is not an error: there is simply nobody to tell.
            let _ = self.sender.send(Arc::new(event));
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<FeedItem> {
        self.sender.subscribe()
    }
}
