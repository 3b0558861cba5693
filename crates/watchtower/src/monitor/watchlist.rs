//! The deadline index: which up service falls due first, on the monotonic clock.
//!
//! Every pulse carries a sequence number from the store; an update with an older
//! sequence than the one held is ignored, so concurrent pulses that finish out of
//! order can never move a deadline backwards.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use super::ServiceName;

/// A service whose deadline has passed, with the pulse sequence that set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub service: ServiceName,
    pub seq: i64,
}

#[derive(Default, Debug)]
pub struct Watchlist {
    by_name: HashMap<ServiceName, (i64, Instant)>,
    by_deadline: BTreeSet<(Instant, i64, ServiceName)>,
}

impl Watchlist {
    /// Watches `service` until `deadline`; returns whether that is now the earliest deadline.
    pub fn watch(&mut self, service: ServiceName, seq: i64, deadline: Instant) -> bool {
        if let Some(&(held_seq, held_deadline)) = self.by_name.get(&service) {
            if held_seq > seq {
                return false;
            }
            self.by_deadline
                .remove(&(held_deadline, held_seq, service.clone()));
        }
        self.by_name.insert(service.clone(), (seq, deadline));
        self.by_deadline.insert((deadline, seq, service));
        self.next_deadline() == Some(deadline)
    }

    pub fn unwatch(&mut self, service: &ServiceName) {
        if let Some((seq, deadline)) = self.by_name.remove(service) {
            self.by_deadline.remove(&(deadline, seq, service.clone()));
        }
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.by_deadline.first().map(|(deadline, _, _)| *deadline)
    }

    /// Removes and returns every service due at `now`.
    pub fn take_due(&mut self, now: Instant) -> Vec<Due> {
        let mut due = Vec::new();
        while let Some((deadline, _, _)) = self.by_deadline.first() {
            if *deadline > now {
                break;
            }
            let (_, seq, service) = self.by_deadline.pop_first().expect("first() was Some");
            self.by_name.remove(&service);
            due.push(Due { service, seq });
        }
        due
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn name(text: &str) -> ServiceName {
        ServiceName::parse("service", text).unwrap()
    }

    #[test]
    fn due_services_come_out_in_deadline_order() {
        let start = Instant::now();
        let mut list = Watchlist::default();
        list.watch(name("b"), 1, start + Duration::from_secs(2));
        list.watch(name("a"), 2, start + Duration::from_secs(1));
        list.watch(name("c"), 3, start + Duration::from_secs(3));
        let due = list.take_due(start + Duration::from_secs(2));
        let names: Vec<_> = due.iter().map(|d| d.service.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(list.len(), 1);
        assert_eq!(list.next_deadline(), Some(start + Duration::from_secs(3)));
    }

    #[test]
    fn a_newer_pulse_replaces_the_deadline_and_an_older_one_is_ignored() {
        let start = Instant::now();
        let mut list = Watchlist::default();
        list.watch(name("a"), 5, start + Duration::from_secs(10));
        assert!(!list.watch(name("a"), 4, start + Duration::from_secs(1)));
        assert!(list.take_due(start + Duration::from_secs(5)).is_empty());
        list.watch(name("a"), 6, start + Duration::from_secs(1));
        assert_eq!(
            list.take_due(start + Duration::from_secs(5)),
            vec![Due {
                service: name("a"),
                seq: 6
            }]
        );
        assert!(list.is_empty());
    }

    #[test]
    fn unwatched_services_never_fall_due() {
        let start = Instant::now();
        let mut list = Watchlist::default();
        list.watch(name("a"), 1, start);
        list.unwatch(&name("a"));
        assert!(list.take_due(start + Duration::from_secs(60)).is_empty());
    }
}
