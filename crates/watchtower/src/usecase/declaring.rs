//! Declared checks: a service monitored before its first pulse, and changes to
//! how a monitored one is watched (configuration as code, `watchtower apply`).

use std::time::Instant;

use super::{Error, Watchtower};
use crate::monitor::{Declaration, Declared, Pulse, ServiceChange};

impl Watchtower {
    /// Declares `declaration.service`, or changes its settings, and watches the
    /// deadline that follows, counted from `received` on the monotonic clock.
    pub async fn declare_service(
        &self,
        declaration: Pulse,
        received: Instant,
    ) -> Result<Declared, Error> {
        self.channels.validate(&declaration.alert)?;
        let at = declaration.at;
        let declared = self.store.declare_service(declaration).await?;
        let service = &declared.service;
        if let Some(seq) = declared.seq {
            // The deadline may already have passed (a shorter interval than the
            // time since the last pulse): it is then due at once.
            let due = received + service.deadline.since(at);
            self.deadlines.watch(service.service.clone(), seq, due);
        }
        match &declared.outcome {
            Declaration::Unchanged => {}
            Declaration::Created => tracing::info!(service = %service.service, "service declared"),
            Declaration::Changed(changed) => {
                tracing::info!(service = %service.service, ?changed, "service redeclared")
            }
        }
        if declared.outcome != Declaration::Unchanged {
            self.changes
                .publish(ServiceChange::Updated(service.clone()));
        }
        Ok(declared)
    }
}
