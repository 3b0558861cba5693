//! Events as they are stored, counted and matched by the event rules; snoozes,
//! whose removal releases the alerts they held.

use super::{Error, Watchtower};
use crate::alert::policy::{NewSnooze, Snooze};
use crate::alert::rules::RuleFired;
use crate::events::{Event, Level, NewEvent};
use crate::time::Timestamp;

impl Watchtower {
    /// Stores one event, then lets the event rules see it.
    pub async fn add_event(&self, event: NewEvent, now: Timestamp) -> Result<Event, Error> {
        let stored = self.store.add_event(event).await?;
        self.metrics.events(stored.level, 1);
        self.fire_rules(std::slice::from_ref(&stored), now).await;
        Ok(stored)
    }

    /// Stores `events` in one transaction, all or none, then lets the rules see them.
    pub async fn add_events(
        &self,
        events: Vec<NewEvent>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Error> {
        let stored = self.store.add_events(events).await?;
        for level in Level::ALL {
            let count = stored.iter().filter(|event| event.level == level).count() as u64;
            if count > 0 {
                self.metrics.events(level, count);
            }
        }
        self.fire_rules(&stored, now).await;
        Ok(stored)
    }

    /// Queues the alerts that `events` set off. A failure is logged, not returned:
    /// the events themselves are stored.
    async fn fire_rules(&self, events: &[Event], now: Timestamp) {
        for fire in self.rules.fires(events, now) {
            let (rule, service) = (fire.rule.clone(), fire.service.clone());
            match self.store.fire_event_rule(fire).await {
                Ok(RuleFired::Queued) => {
                    tracing::info!(rule, %service, "event rule fired");
                    self.wake_dispatcher();
                }
                Ok(RuleFired::Quieted) => {}
                Ok(RuleFired::NoRoute) => tracing::warn!(
                    rule, %service,
                    "event rule matched, but the service is not monitored and the rule names no alertTarget"
                ),
                Err(error) => {
                    tracing::error!(rule, %service, %error, "cannot queue an event rule's alert")
                }
            }
        }
    }

    pub async fn add_snooze(&self, snooze: NewSnooze) -> Result<Snooze, Error> {
        let stored = self.store.add_snooze(snooze).await?;
        tracing::info!(id = stored.id, until = %stored.until.to_rfc3339(), "snooze added");
        Ok(stored)
    }

    /// Ends a snooze now; the alerts it held are judged again at once.
    pub async fn delete_snooze(&self, id: i64, now: Timestamp) -> Result<Option<Snooze>, Error> {
        let removed = self.store.delete_snooze(id, now).await?;
        if removed.is_some() {
            tracing::info!(id, "snooze removed");
            self.wake_dispatcher();
        }
        Ok(removed)
    }
}
