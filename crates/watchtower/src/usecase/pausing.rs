//! Pausing a service (maintenance, a job switched off for a while) and resuming it.

use std::time::Instant;

use super::pulses::{stored_cadence, stored_grace};
use super::{Error, Watchtower};
use crate::monitor::{Service, ServiceChange, ServiceName};
use crate::time::Timestamp;

impl Watchtower {
    /// Pauses `name`: no death and no alert until it pulses or is resumed;
    /// `None` when unknown.
    pub async fn pause_service(
        &self,
        name: &ServiceName,
        now: Timestamp,
    ) -> Result<Option<Service>, Error> {
        let paused = self.store.pause_service(name.clone(), now).await?;
        if let Some(service) = &paused {
            tracing::info!(service = %name, "service paused");
            self.changes
                .publish(ServiceChange::Updated(service.clone()));
        }
        Ok(paused)
    }

    /// Resumes a paused service with a fresh window from now: its interval, or
    /// its schedule's next time, plus its grace. A service that is not paused is
    /// answered as it is; `None` when unknown.
    pub async fn resume_service(
        &self,
        name: &ServiceName,
        now: Timestamp,
        received: Instant,
    ) -> Result<Option<Service>, Error> {
        let Some(found) = self.store.service(name.clone()).await? else {
            return Ok(None);
        };
        let window = stored_cadence(&found)
            .expected_in(now)
            .saturating_add(stored_grace(&found));
        let Some(resumed) = self.store.resume_service(name.clone(), window, now).await? else {
            return Ok(None);
        };
        if let Some(seq) = resumed.seq {
            tracing::info!(service = %name, "service resumed");
            self.deadlines.watch(name.clone(), seq, received + window);
            self.changes
                .publish(ServiceChange::Updated(resumed.service.clone()));
        }
        Ok(Some(resumed.service))
    }
}
