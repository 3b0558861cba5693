//! The ping history's writes that are not pulses: failures and logs.

use super::{Error, Watchtower};
use crate::monitor::ServiceName;
use crate::monitor::pings::PingNote;
use crate::time::Timestamp;

impl Watchtower {
    /// Adds a ping that does not pulse (a failure, a log) to `service`'s history;
    /// `false` when the service is not monitored (nothing is kept then).
    pub async fn record_ping(
        &self,
        service: &ServiceName,
        mut note: PingNote,
        at: Timestamp,
    ) -> Result<bool, Error> {
        note.keep = self.ping_history;
        Ok(self.store.record_ping(service.clone(), note, at).await?)
    }
}
