//! This node's heartbeat in the storage, so that operators (`GET /cluster`) and
//! start-up can tell which nodes are alive.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::cluster::{HEARTBEAT_EVERY, NodeInfo};
use crate::store::{Store, StoreError};
use crate::time::Timestamp;

pub struct Heartbeat {
    store: Arc<dyn Store>,
    node: NodeInfo,
}

impl Heartbeat {
    pub fn new(store: Arc<dyn Store>, node: NodeInfo) -> Self {
        Self { store, node }
    }

    /// Records that this node is alive at `now`, or, with `stopping`, that it left.
    pub async fn step(&self, now: Timestamp, stopping: bool) -> Result<(), StoreError> {
        self.store.heartbeat(&self.node, now, stopping).await
    }

    /// Beats every [`HEARTBEAT_EVERY`] until `shutdown`, then records that the
    /// node left, so that it disappears from `GET /cluster` at once.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(HEARTBEAT_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = ticks.tick() => {}
            }
            if let Err(error) = self.step(Timestamp::now(), false).await {
                tracing::warn!(%error, "could not record this node's heartbeat");
            }
        }
        if let Err(error) = self.step(Timestamp::now(), true).await {
            tracing::warn!(%error, "could not record that this node stopped");
        }
    }
}
