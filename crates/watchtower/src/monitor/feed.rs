//! Status changes as they happen on this node (pulses, deaths, recoveries,
//! cancellations), for the dashboard's live list (`GET /services/stream`).

use tokio::sync::broadcast;

use super::{Service, ServiceName};

/// Changes a subscriber may fall behind by before it is dropped.
const BACKLOG: usize = 4096;

#[derive(Clone, Debug)]
pub enum ServiceChange {
    /// Pulsed, dead or recovered: the service as it is now.
    Updated(Service),
    Cancelled(ServiceName),
}

#[derive(Clone, Debug)]
pub struct ServiceFeed(broadcast::Sender<ServiceChange>);

impl Default for ServiceFeed {
    fn default() -> Self {
        Self(broadcast::channel(BACKLOG).0)
    }
}

impl ServiceFeed {
    /// Tells every subscriber; nobody listening is fine.
    pub fn publish(&self, change: ServiceChange) {
        let _ = self.0.send(change);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ServiceChange> {
        self.0.subscribe()
    }
}
