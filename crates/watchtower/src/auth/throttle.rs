//! The bound on failed authentications, per client address. Only failures are
//! counted, and only failures refused: a request with a valid credential is never
//! slowed or refused because of failures from its address, which may be a proxy,
//! a NAT or the same host as one job with a stale key. Past a few free failures,
//! each further one is answered after a growing delay: a guesser's connections
//! are held idle instead of answered at full speed, which costs the server
//! nothing and leaves the valid clients their throughput.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures an address may make per window before each further one is throttled.
pub const FREE_FAILURES: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(60);
/// The delay added per failure past the free ones, and its ceiling.
const STEP: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(1);
/// Addresses remembered at most; past it, expired windows are forgotten, then all.
const MAX_TRACKED: usize = 10_000;

#[derive(Default)]
pub struct Throttle {
    windows: Mutex<HashMap<IpAddr, Window>>,
}

struct Window {
    failures: u32,
    since: Instant,
}

/// What a failure gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Answered at once (`401`, or `404` for a ping key).
    Refused,
    /// Answered the same after `delay`; `first` for the failure that crossed the
    /// line, which is the one worth a line in the log.
    Throttled { delay: Duration, first: bool },
}

impl Throttle {
    /// Counts a failure from `client` and says how to answer it.
    pub fn fail(&self, client: IpAddr, now: Instant) -> Failure {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= MAX_TRACKED && !windows.contains_key(&client) {
            windows.retain(|_, window| now.duration_since(window.since) < WINDOW);
            if windows.len() >= MAX_TRACKED {
                windows.clear();
            }
        }
        let window = windows.entry(client).or_insert(Window {
            failures: 0,
            since: now,
        });
        if now.duration_since(window.since) >= WINDOW {
            *window = Window {
                failures: 0,
                since: now,
            };
        }
        window.failures = window.failures.saturating_add(1);
        let excess = window.failures.saturating_sub(FREE_FAILURES);
        if excess == 0 {
            return Failure::Refused;
        }
        Failure::Throttled {
            delay: STEP.saturating_mul(excess).min(MAX_DELAY),
            first: excess == 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_free_ones_are_throttled_with_growing_delays() {
        let throttle = Throttle::default();
        let (client, start) = (IpAddr::from([10, 0, 0, 1]), Instant::now());
        for _ in 0..FREE_FAILURES {
            assert_eq!(throttle.fail(client, start), Failure::Refused);
        }
        let delays: Vec<Duration> = (0..12)
            .map(|_| match throttle.fail(client, start) {
                Failure::Throttled { delay, .. } => delay,
                Failure::Refused => panic!("not throttled"),
            })
            .collect();
        assert_eq!(delays[0], STEP);
        assert!(delays.windows(2).all(|pair| pair[0] <= pair[1]));
        assert_eq!(delays[11], MAX_DELAY);
        let other = IpAddr::from([10, 0, 0, 2]);
        assert_eq!(
            throttle.fail(other, start),
            Failure::Refused,
            "others are not"
        );
        assert_eq!(
            throttle.fail(client, start + WINDOW),
            Failure::Refused,
            "a window later"
        );
    }

    #[test]
    fn the_failure_that_crosses_the_line_is_marked_first() {
        let throttle = Throttle::default();
        let (client, now) = (IpAddr::from([10, 0, 0, 3]), Instant::now());
        let firsts = (0..20)
            .filter(|_| {
                matches!(
                    throttle.fail(client, now),
                    Failure::Throttled { first: true, .. }
                )
            })
            .count();
        assert_eq!(firsts, 1);
    }
}
