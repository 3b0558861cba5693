//! A service's status history: its outages, from the deaths and recoveries its
//! alerts record, and its uptime over a window. Pure: callers pass `now`.

use std::time::Duration;

use serde::Serialize;

use crate::time::Timestamp;

/// A death (`down`) or a recovery (`up`), when it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flip {
    pub down: bool,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outage {
    pub from: Timestamp,
    /// `None` while it lasts.
    pub to: Option<Timestamp>,
    pub seconds: f64,
}

/// Outages from flips in time order, newest first. A recovery without a death
/// before it (the death is older than the history) is ignored.
pub fn outages(flips: &[Flip], now: Timestamp) -> Vec<Outage> {
    let mut outages = Vec::new();
    let mut open: Option<Timestamp> = None;
    for flip in flips {
        match (flip.down, open) {
            (true, None) => open = Some(flip.at),
            (false, Some(from)) => {
                outages.push(Outage {
                    from,
                    to: Some(flip.at),
                    seconds: flip.at.since(from).as_secs_f64(),
                });
                open = None;
            }
            _ => {}
        }
    }
    if let Some(from) = open {
        outages.push(Outage {
            from,
            to: None,
            seconds: now.since(from).as_secs_f64(),
        });
    }
    outages.reverse();
    outages
}

/// The share of `window` before `now` that the service was up (1.0: no outage
/// in it), counted from when it was first seen if that is later: a service dead
/// for its whole short life is 0 % up, not 99.9 % of a day.
pub fn uptime(
    outages: &[Outage],
    window: Duration,
    now: Timestamp,
    first_seen: Option<Timestamp>,
) -> f64 {
    let start = now.minus(window).max(first_seen.unwrap_or_default());
    let watched = now.since(start);
    if watched.is_zero() {
        return 1.0;
    }
    let down: Duration = outages
        .iter()
        .map(|outage| {
            let from = outage.from.max(start);
            let to = outage.to.unwrap_or(now).min(now);
            to.since(from)
        })
        .sum();
    1.0 - down.min(watched).as_secs_f64() / watched.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_millis(seconds * 1000)
    }

    #[test]
    fn deaths_and_recoveries_pair_into_outages_newest_first() {
        let flips = [
            Flip {
                down: false,
                at: at(5),
            },
            Flip {
                down: true,
                at: at(10),
            },
            Flip {
                down: false,
                at: at(40),
            },
            Flip {
                down: true,
                at: at(100),
            },
        ];
        let found = outages(&flips, at(160));
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].from, found[0].to, found[0].seconds),
            (at(100), None, 60.0)
        );
        assert_eq!(
            (found[1].from, found[1].to, found[1].seconds),
            (at(10), Some(at(40)), 30.0)
        );
    }

    #[test]
    fn uptime_counts_only_the_part_of_each_outage_inside_the_window() {
        let found = outages(
            &[
                Flip {
                    down: true,
                    at: at(0),
                },
                Flip {
                    down: false,
                    at: at(150),
                },
            ],
            at(200),
        );
        let day = Duration::from_secs(86_400);
        assert_eq!(uptime(&found, Duration::from_secs(100), at(200), None), 0.5);
        assert_eq!(uptime(&found, Duration::from_secs(40), at(200), None), 1.0);
        assert_eq!(uptime(&[], Duration::from_secs(40), at(200), None), 1.0);
        // First seen at 0 s: a day's window counts only the 200 s since.
        assert_eq!(uptime(&found, day, at(200), Some(at(0))), 0.25);
    }

    #[test]
    fn a_service_dead_for_its_whole_short_life_is_not_up_at_all() {
        let seen = at(1_000);
        let died = outages(
            &[Flip {
                down: true,
                at: seen,
            }],
            at(1_120),
        );
        let day = Duration::from_secs(86_400);
        assert_eq!(uptime(&died, day, at(1_120), Some(seen)), 0.0);
        assert_eq!(
            uptime(&[], day, seen, Some(seen)),
            1.0,
            "not seen long enough to be down"
        );
    }
}
