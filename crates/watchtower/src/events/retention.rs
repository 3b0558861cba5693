//! Retention: old events are deleted in the background, a small step at a time,
//! so that neither ingest nor queries ever wait long behind a large delete.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::store::Store;
use crate::time::Timestamp;

/// Rows one step deletes at most.
pub const STEP: usize = 2_000;
/// The rest between two steps while there is a backlog: room for other writes.
const PAUSE: Duration = Duration::from_millis(20);
/// How often the limits are checked once the backlog is gone; a check with
/// nothing to delete costs two index lookups.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// The configured limits; either or both may be unset.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Retention {
    pub max_age: Option<Duration>,
    pub max_count: Option<u64>,
}

impl Retention {
    pub fn is_unlimited(&self) -> bool {
        self.max_age.is_none() && self.max_count.is_none()
    }
}

/// One step of pruning, as a store carries it out: delete up to `limit` of the
/// oldest events that are dated before `before`, or that are beyond the newest
/// `keep`. The newest event is always kept, so that event ids keep increasing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prune {
    pub before: Option<Timestamp>,
    pub keep: Option<u64>,
    pub limit: usize,
}

/// Enforces `retention` until `shutdown`.
pub async fn run(store: Arc<dyn Store>, retention: Retention, shutdown: CancellationToken) {
    if retention.is_unlimited() {
        return;
    }
    tracing::info!(?retention, "event retention on");
    loop {
        let mut deleted = 0;
        loop {
            let step = Prune {
                before: retention.max_age.map(|age| Timestamp::now().minus(age)),
                keep: retention.max_count,
                limit: STEP,
            };
            match store.prune_events(step).await {
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
