//! Retention: old events are deleted in the background, a small step at a time,
//! so that neither ingest nor queries ever wait long behind a large delete.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::events::retention::{Retention, STEP};
use crate::store::{Store, StoreError};
use crate::time::Timestamp;

/// The rest between two steps while there is a backlog: room for other writes.
const PAUSE: Duration = Duration::from_millis(20);
/// How often the limits are checked once the backlog is gone; a check with
/// nothing to delete costs two index lookups.
const CHECK_EVERY: Duration = Duration::from_secs(1);

pub struct RetentionWorker {
    store: Arc<dyn Store>,
    retention: Retention,
}

impl RetentionWorker {
    pub fn new(store: Arc<dyn Store>, retention: Retention) -> Self {
        Self { store, retention }
    }

    /// Deletes one step of the events that the limits put out at `now`; returns
    /// how many went (fewer than [`STEP`]: the backlog is gone).
    pub async fn step(&self, now: Timestamp) -> Result<u64, StoreError> {
        self.store.prune_events(self.retention.prune_at(now)).await
    }

    /// Enforces the limits until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        if self.retention.is_unlimited() {
            return;
        }
        tracing::info!(retention = ?self.retention, "event retention on");
        loop {
            let mut deleted = 0;
            loop {
                match self.step(Timestamp::now()).await {
                    Ok(count) if count < STEP as u64 => {
                        deleted += count;
                        break;
                    }
                    Ok(count) => deleted += count,
                    Err(error) => {
                        tracing::warn!(%error, "event retention step failed; retrying later");
                        break;
                    }
                }
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(PAUSE) => {}
                }
            }
            if deleted > 0 {
                tracing::info!(deleted, "old events deleted");
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(CHECK_EVERY) => {}
            }
        }
    }
}
