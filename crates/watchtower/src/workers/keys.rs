//! Reloads this node's key ring twice a second, so that a key created or revoked
//! on another node of a cluster works, or stops working, here within a second.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::store::StoreError;
use crate::usecase::Watchtower;

/// How often the ring is reloaded: revocation reaches every node within twice this.
pub const RELOAD_EVERY: Duration = Duration::from_millis(500);

pub struct KeyWorker {
    app: Watchtower,
}

impl KeyWorker {
    pub fn new(app: Watchtower) -> Self {
        Self { app }
    }

    pub async fn step(&self) -> Result<(), StoreError> {
        self.app.reload_keys().await
    }

    pub async fn run(self, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(RELOAD_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = ticks.tick() => {}
            }
            if let Err(error) = self.step().await {
                tracing::warn!(%error, "could not reload the API keys");
            }
        }
    }
}
