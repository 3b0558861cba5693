//! Waiting with a bound: for a condition to come, for something not to happen
//! over a while, and for a deadline to pass.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::millis_of;

/// Generous bound for conditions the server must reach; never a speed requirement.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Polls `check` until it returns `Some`, or panics naming `what` after [`PATIENCE`].
pub async fn wait_for<T>(what: &str, check: impl AsyncFnMut() -> Option<T>) -> T {
    wait_for_within(what, PATIENCE, check).await
}

/// [`wait_for`] with a bound of its own, for a test that loads a shared machine
/// hard (three nodes and a thousand services) and must not fail for its slowness.
pub async fn wait_for_within<T>(
    what: &str,
    patience: Duration,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(start.elapsed() < patience, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// [`wait_for`] for a test that blocks (the blocking client cannot run inside the runtime).
pub fn wait_for_blocking<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Sleeps until the wall clock has passed `deadline` (a date the server answered),
/// for a test of what follows once a deadline has gone by.
pub async fn sleep_past(deadline: &Value) {
    let left = millis_of(deadline) - chrono::Utc::now().timestamp_millis();
    if let Ok(left) = u64::try_from(left) {
        tokio::time::sleep(Duration::from_millis(left + 1)).await;
    }
}

/// Fails if anything else arrives within `quiet`, a test that something does NOT happen.
pub async fn assert_stays(what: &str, quiet: Duration, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < quiet {
        assert!(check(), "{what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// [`assert_stays`] for a check that asks the server.
pub async fn assert_stays_async(what: &str, quiet: Duration, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < quiet {
        assert!(check().await, "{what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
