//! Bounds on reads of the store, shared by both backends: how long one may run,
//! and turns for the heavy ones.
//!
//! A heavy read is one that reads every row of its range whatever it returns:
//! event statistics, a message search that no index serves, attribute filters
//! with neither a service nor a date range. A few run at once
//! (`limits.heavyReads`); the others wait their turn, so that however many clients
//! loop them, they hold a bounded number of connections and cores and the writers
//! keep theirs. The wait counts toward the read's time limit: a read is answered or
//! refused within `limits.readTimeout` of being asked.

use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

use super::StoreError;

/// The configured bounds (`limits.readTimeout`, `limits.heavyReads`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReadLimits {
    /// How long one read may run, waiting for its turn included.
    pub timeout: Duration,
    /// Heavy reads running at once.
    pub heavy_at_once: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            heavy_at_once: crate::config::DEFAULT_HEAVY_READS,
        }
    }
}

/// Whether a message filter makes a read heavy: a trigram index (SQLite's search
/// index, PostgreSQL's `pg_trgm`) serves needles of three characters or more, so a
/// shorter needle, or any needle without the index, is looked for in every event.
pub fn message_scans(needle: Option<&str>, indexed: bool) -> bool {
    needle.is_some_and(|needle| !(indexed && trigrams_serve(needle)))
}

/// Whether a page of events reads every event of the log to find its rows: a
/// message no index serves, or attribute filters with neither a service nor a
/// date range to narrow them (only the newest events are looked at until the
/// page is full, but a value no event has is looked for everywhere).
pub fn page_scans(filter: &crate::events::EventFilter, indexed: bool) -> bool {
    let unbounded = filter.service.is_none() && filter.from.is_none() && filter.to.is_none();
    message_scans(filter.message.as_deref(), indexed)
        || (!filter.attributes.is_empty() && unbounded)
}

/// Trigrams need three characters; shorter needles are scanned for.
pub fn trigrams_serve(needle: &str) -> bool {
    needle.chars().count() >= 3
}

pub struct HeavyReads {
    turns: Semaphore,
    limits: ReadLimits,
}

/// A heavy read's turn: held while it runs.
pub struct Turn<'a> {
    _permit: SemaphorePermit<'a>,
    /// When the read must be stopped: its time limit counted from when it asked.
    pub deadline: Instant,
}

impl Turn<'_> {
    /// What is left of the read's time limit (at least a millisecond).
    pub fn remaining(&self) -> Duration {
        self.deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1))
    }
}

impl HeavyReads {
    pub fn new(limits: ReadLimits) -> Self {
        Self {
            turns: Semaphore::new(limits.heavy_at_once.max(1)),
            limits,
        }
    }

    pub fn limits(&self) -> ReadLimits {
        self.limits
    }

    /// Waits for a turn, at most the read's time limit (then `TooSlow`).
    pub async fn turn(&self) -> Result<Turn<'_>, StoreError> {
        let deadline = Instant::now() + self.limits.timeout;
        match tokio::time::timeout_at(deadline, self.turns.acquire()).await {
            Ok(Ok(permit)) => Ok(Turn {
                _permit: permit,
                deadline,
            }),
            Ok(Err(_closed)) => Err(StoreError::shut_down()),
            Err(_elapsed) => Err(StoreError::TooSlow(self.limits.timeout)),
        }
    }

    /// Refuses every read waiting or to come (the store is closing).
    pub fn close(&self) {
        self.turns.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(heavy_at_once: usize, millis: u64) -> ReadLimits {
        ReadLimits {
            timeout: Duration::from_millis(millis),
            heavy_at_once,
        }
    }

    #[test]
    fn short_needles_and_unindexed_searches_are_heavy() {
        assert!(!message_scans(None, false));
        assert!(!message_scans(Some("disk"), true));
        assert!(
            !message_scans(Some("été"), true),
            "three characters, in any script"
        );
        assert!(message_scans(Some("qx"), true));
        let attribute = vec![
            crate::events::AttributeFilter::from_param("attr.host", "web-1")
                .unwrap()
                .unwrap(),
        ];
        let mut filter = crate::events::EventFilter {
            attributes: attribute,
            ..Default::default()
        };
        assert!(
            page_scans(&filter, true),
            "an attribute alone reads the log"
        );
        filter.service = Some(crate::monitor::ServiceName::parse("service", "web").unwrap());
        assert!(
            !page_scans(&filter, true),
            "with a service, an index narrows it"
        );
        assert!(message_scans(Some("disk full"), false));
    }

    #[tokio::test(start_paused = true)]
    async fn reads_past_the_bound_wait_for_a_turn() {
        let heavy = HeavyReads::new(limits(2, 10_000));
        let first = heavy.turn().await.unwrap();
        let _second = heavy.turn().await.unwrap();
        let third = heavy.turn();
        tokio::pin!(third);
        assert!(
            futures::poll!(third.as_mut()).is_pending(),
            "a third read waits while two run"
        );
        drop(first);
        assert!(third.await.is_ok(), "and runs once one is done");
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_past_the_time_limit_is_refused_as_too_slow() {
        let heavy = HeavyReads::new(limits(1, 500));
        let _running = heavy.turn().await.unwrap();
        match heavy.turn().await {
            Err(StoreError::TooSlow(limit)) => assert_eq!(limit, Duration::from_millis(500)),
            other => panic!("expected TooSlow, got {:?}", other.map(|t| t.deadline)),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_counts_toward_the_time_limit() {
        let heavy = std::sync::Arc::new(HeavyReads::new(limits(1, 1_000)));
        let running = heavy.turn().await.unwrap();
        let waiting = tokio::spawn({
            let heavy = heavy.clone();
            async move { heavy.turn().await.map(|turn| turn.remaining()) }
        });
        tokio::time::sleep(Duration::from_millis(600)).await;
        drop(running);
        let remaining = waiting.await.unwrap().unwrap();
        assert_eq!(remaining, Duration::from_millis(400));
    }

    #[tokio::test(start_paused = true)]
    async fn a_closed_bound_refuses_as_shut_down() {
        let heavy = HeavyReads::new(limits(1, 1_000));
        heavy.close();
        assert!(matches!(
            heavy.turn().await,
            Err(StoreError::Unavailable(_))
        ));
    }
}
