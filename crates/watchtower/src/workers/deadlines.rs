//! The deadline worker. Alone on its storage, a node sleeps until the earliest
//! deadline of its index, then declares the due services dead (mini-redis's
//! `purge_expired_tasks` pattern). When nodes share the storage, each sees only
//! its own pulses, so every node instead sweeps the storage, which judges
//! deadlines on its own clock and hands each death to one node.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::time::Timestamp;
use crate::usecase::{Error, WatchOutcome, Watchtower};

/// How long to wait before trying again when the store refuses a death.
const STORE_RETRY: Duration = Duration::from_millis(500);
/// Deaths one sweep declares at most; a sweep that fills it goes on at once.
const SWEEP_LIMIT: usize = 500;

pub struct DeadlineWorker {
    app: Watchtower,
}

impl DeadlineWorker {
    pub fn new(app: Watchtower) -> Self {
        Self { app }
    }

    /// Declares dead every indexed service due at `clock` (`now` on the wall clock).
    pub async fn step(&self, clock: Instant, now: Timestamp) -> Result<WatchOutcome, Error> {
        self.app.declare_due_dead(clock, now).await
    }

    /// Declares dead every service due at `now` by the store's clock, in steps
    /// of [`SWEEP_LIMIT`]; returns how many died.
    pub async fn sweep_step(&self, now: Timestamp) -> Result<usize, Error> {
        let mut died = 0;
        loop {
            let step = self.app.sweep_dead(now, SWEEP_LIMIT).await?;
            died += step;
            if step < SWEEP_LIMIT {
                return Ok(died);
            }
        }
    }

    /// Runs until `shutdown` is cancelled.
    pub async fn run(self, shutdown: CancellationToken) {
        match self.app.deadlines().sweep() {
            Some(every) => self.run_sweeps(every, shutdown).await,
            None => self.run_index(shutdown).await,
        }
    }

    async fn run_sweeps(&self, every: Duration, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Four sweeps a second: say when they start and stop failing, not each time.
        let mut failing = false;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = ticks.tick() => {}
            }
            match self.sweep_step(Timestamp::now()).await {
                Err(error) if !failing => {
                    tracing::error!(%error, "could not sweep for deaths; retrying until it works");
                    failing = true;
                }
                Err(_) => {}
                Ok(_) if failing => {
                    tracing::info!("sweeping for deaths again");
                    failing = false;
                }
                Ok(_) => {}
            }
        }
    }

    async fn run_index(&self, shutdown: CancellationToken) {
        let deadlines = self.app.deadlines().clone();
        loop {
            let next = deadlines.next_deadline();
            let sleep = async {
                match next {
                    Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = deadlines.moved_earlier() => continue,
                _ = sleep => {}
            }
            if let Err(error) = self.step(Instant::now(), Timestamp::now()).await {
                tracing::error!(%error, "could not record deaths; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(STORE_RETRY) => {}
                }
            }
        }
    }
}
