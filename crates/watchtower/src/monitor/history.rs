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
    up_share(outages, start, now, now).unwrap_or(1.0)
}

const DAY: Duration = Duration::from_secs(86_400);

/// One UTC day's uptime; `None` before the service was first seen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayUptime {
    /// `2026-12-03`.
    pub date: String,
    pub uptime: Option<f64>,
}

/// The uptime of each of the last `days` UTC days, oldest first, today (so far)
/// last: what the dashboard's uptime bars draw.
pub fn daily(
    outages: &[Outage],
    days: u32,
    now: Timestamp,
    first_seen: Option<Timestamp>,
) -> Vec<DayUptime> {
    let day_ms = DAY.as_millis() as i64;
    let today = Timestamp::from_millis(now.as_millis().div_euclid(day_ms) * day_ms);
    (0..days)
        .rev()
        .map(|back| {
            let start = today.minus(DAY * back);
            let end = start.plus(DAY).min(now);
            let from = start.max(first_seen.unwrap_or_default());
            DayUptime {
                date: chrono::DateTime::from_timestamp_millis(start.as_millis())
                    .map(|day| day.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                uptime: up_share(outages, from, end, now),
            }
        })
        .collect()
}

/// The share of `[from, to)` outside every outage (one still open lasts until
/// `now`); `None` when the span is empty.
fn up_share(outages: &[Outage], from: Timestamp, to: Timestamp, now: Timestamp) -> Option<f64> {
    let watched = to.since(from);
    if to <= from || watched.is_zero() {
        return None;
    }
    let down: Duration = outages
        .iter()
        .map(|outage| {
            let start = outage.from.max(from);
            let end = outage.to.unwrap_or(now).min(to);
            end.since(start)
        })
        .sum();
    Some(1.0 - down.min(watched).as_secs_f64() / watched.as_secs_f64())
}

/// The outages with the one under way added when the death that began it is
/// older than the history read (a service dead for longer than the window).
pub fn with_ongoing(
    mut outages: Vec<Outage>,
    dead_since: Option<Timestamp>,
    now: Timestamp,
) -> Vec<Outage> {
    if let Some(from) = dead_since
        && !outages.iter().any(|outage| outage.to.is_none())
    {
        outages.insert(
            0,
            Outage {
                from,
                to: None,
                seconds: now.since(from).as_secs_f64(),
            },
        );
    }
    outages
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
    fn each_utc_day_counts_its_own_outage_from_the_first_sighting() {
        let day = 86_400;
        let now = at(10 * day + 12 * 3_600);
        // Seen at noon of day 7, down from 18:00 of day 8 to 06:00 of day 9.
        let found = outages(
            &[
                Flip {
                    down: true,
                    at: at(8 * day + 18 * 3_600),
                },
                Flip {
                    down: false,
                    at: at(9 * day + 6 * 3_600),
                },
            ],
            now,
        );
        let days = daily(&found, 5, now, Some(at(7 * day + 12 * 3_600)));
        let shares: Vec<Option<f64>> = days.iter().map(|d| d.uptime).collect();
        assert_eq!(shares, [None, Some(1.0), Some(0.75), Some(0.75), Some(1.0)]);
        assert_eq!(days[0].date, "1970-01-07");
        assert_eq!(days[4].date, "1970-01-11", "today, so far, last");
    }

    #[test]
    fn a_death_older_than_the_history_still_counts_as_an_outage() {
        let now = at(1_000);
        let none = with_ongoing(Vec::new(), Some(at(-5_000_000)), now);
        assert_eq!((none.len(), none[0].to), (1, None));
        assert_eq!(uptime(&none, Duration::from_secs(100), now, None), 0.0);
        let open = outages(
            &[Flip {
                down: true,
                at: at(900),
            }],
            now,
        );
        assert_eq!(with_ongoing(open.clone(), Some(at(900)), now), open);
        assert!(with_ongoing(Vec::new(), None, now).is_empty());
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
