//! The audit trail: every action other than pulses and events (a cancel, a snooze
//! and its end, a key created or revoked) becomes an event of the service
//! `watchtower`, naming who (the key, or the password) and from where, so that it
//! is searchable, exportable and streamable like any other event.

use std::net::IpAddr;

use super::Watchtower;
use crate::auth::Principal;
use crate::events::{Level, NewEvent};
use crate::time::Timestamp;

/// The service the audit trail is recorded under.
pub const AUDIT_SERVICE: &str = "watchtower";

impl Watchtower {
    /// Records that `who`, from `client`, did `what`. A failure to record is
    /// logged, not returned: the action itself is done and answered.
    pub async fn audit(&self, who: &Principal, client: IpAddr, what: &str, now: Timestamp) {
        let message = format!("{} from {client} {what}", who.describe());
        let event = NewEvent::parse(AUDIT_SERVICE, Level::Info.as_str(), message, now)
            .expect("the audit service and level are valid");
        if let Err(error) = self.add_event(event, now).await {
            tracing::warn!(%error, what, "could not record an audit event");
        }
    }
}
