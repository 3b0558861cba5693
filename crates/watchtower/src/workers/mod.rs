//! The background workers, one layer above the store and the use cases: each is a
//! thin loop over a `step` that takes `now` and that tests call directly; the
//! loop reads the clocks, sleeps, and stops when the shutdown token is cancelled.
//!
//! - [`deadlines`]: declares dead the services whose deadline passed;
//! - [`dispatcher`]: runs the alert policy's triage and delivers due alerts;
//! - [`retention`]: deletes old events a small step at a time;
//! - [`heartbeat`]: tells the shared storage that this node is alive;
//! - [`keys`]: reloads the API keys this node accepts;
//! - [`watchdog`]: pulses another monitor, so that this one is watched too.

pub mod deadlines;
pub mod dispatcher;
pub mod heartbeat;
pub mod keys;
pub mod retention;
pub mod watchdog;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub use deadlines::DeadlineWorker;
pub use dispatcher::{DispatchOutcome, Dispatcher, RetryPolicy};
pub use heartbeat::Heartbeat;
pub use keys::KeyWorker;
pub use retention::RetentionWorker;
pub use watchdog::Watchdog;

/// Whether a worker's loop runs: set while a [`RunningGuard`] lives (`/readyz`).
#[derive(Clone, Debug, Default)]
pub struct Running(Arc<AtomicBool>);

pub struct RunningGuard(Running);

impl Running {
    pub fn mark(&self) -> RunningGuard {
        self.0.store(true, Ordering::Release);
        RunningGuard(self.clone())
    }

    pub fn get(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        (self.0).0.store(false, Ordering::Release);
    }
}
