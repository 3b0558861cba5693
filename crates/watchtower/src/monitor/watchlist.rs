//! The deadline index: which up service falls due first, on the monotonic clock.
//!
//! Every pulse carries a sequence number from the store; an update with an older
//! sequence than the one held is ignored, so concurrent pulses that finish out of
//! order can never move a deadline backwards.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, Instant};

use hashbrown::HashTable;

use super::ServiceName;

/// A service whose deadline has passed, with the pulse sequence that set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub service: ServiceName,
    pub seq: i64,
}

/// Every up service, so compact that a million of them fit in about 100 MiB
/// (a map by name and a set by deadline, each holding the name, took 180):
/// each service has a numbered slot; the table finds a slot by name without
/// storing the name again, and the deadline order holds slot numbers.
/// Deadlines are whole milliseconds from the list's origin, rounded up: a
/// service falls due at most a millisecond after its deadline, never before.
#[derive(Debug)]
pub struct Watchlist {
    origin: Instant,
    hasher: RandomState,
    by_name: HashTable<u32>,
    slots: Vec<Slot>,
    /// Slots of services no longer watched, to be used again.
    free: Vec<u32>,
    by_deadline: BTreeSet<(u64, u32)>,
}

#[derive(Debug)]
struct Slot {
    /// `None` while the slot is free.
    service: Option<ServiceName>,
    seq: i64,
    deadline: u64,
}

impl Default for Watchlist {
    fn default() -> Self {
        Self {
            origin: Instant::now(),
            hasher: RandomState::new(),
            by_name: HashTable::new(),
            slots: Vec::new(),
            free: Vec::new(),
            by_deadline: BTreeSet::new(),
        }
    }
}

impl Watchlist {
    /// Watches `service` until `deadline`; returns whether that is now the earliest deadline.
    pub fn watch(&mut self, service: ServiceName, seq: i64, deadline: Instant) -> bool {
        let tick = self.tick_at_or_after(deadline);
        let slot = match self.find(&service) {
            Some(slot) => {
                let held = &mut self.slots[slot as usize];
                if held.seq > seq {
                    return false;
                }
                self.by_deadline.remove(&(held.deadline, slot));
                held.seq = seq;
                held.deadline = tick;
                slot
            }
            None => self.insert(service, seq, tick),
        };
        self.by_deadline.insert((tick, slot));
        self.by_deadline.first() == Some(&(tick, slot))
    }

    pub fn unwatch(&mut self, service: &ServiceName) {
        if let Some(slot) = self.find(service) {
            let deadline = self.slots[slot as usize].deadline;
            self.by_deadline.remove(&(deadline, slot));
            self.remove(slot);
        }
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        let (tick, _) = self.by_deadline.first()?;
        Some(self.origin + Duration::from_millis(*tick))
    }

    /// Removes and returns every service due at `now`.
    pub fn take_due(&mut self, now: Instant) -> Vec<Due> {
        let now = self.tick_at_or_before(now);
        let mut due = Vec::new();
        while let Some(&(deadline, slot)) = self.by_deadline.first() {
            if deadline > now {
                break;
            }
            self.by_deadline.pop_first();
            let seq = self.slots[slot as usize].seq;
            due.push(Due {
                service: self.remove(slot),
                seq,
            });
        }
        due
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    fn tick_at_or_after(&self, at: Instant) -> u64 {
        let since = at.saturating_duration_since(self.origin);
        let millis = since.as_millis() as u64;
        millis + u64::from(since > Duration::from_millis(millis))
    }

    fn tick_at_or_before(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.origin).as_millis() as u64
    }

    fn find(&self, service: &ServiceName) -> Option<u32> {
        let hash = self.hasher.hash_one(service);
        let slots = &self.slots;
        (self.by_name)
            .find(hash, |&slot| {
                slots[slot as usize].service.as_ref() == Some(service)
            })
            .copied()
    }

    fn insert(&mut self, service: ServiceName, seq: i64, deadline: u64) -> u32 {
        let hash = self.hasher.hash_one(&service);
        let filled = Slot {
            service: Some(service),
            seq,
            deadline,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = filled;
                slot
            }
            None => {
                self.slots.push(filled);
                u32::try_from(self.slots.len() - 1).expect("fewer than 4 billion services")
            }
        };
        let Self {
            by_name,
            slots,
            hasher,
            ..
        } = self;
        by_name.insert_unique(hash, slot, |&slot| {
            let service = slots[slot as usize].service.as_ref();
            hasher.hash_one(service.expect("a slot in the table has a service"))
        });
        slot
    }

    /// Frees `slot` (already out of the deadline order); returns its service.
    fn remove(&mut self, slot: u32) -> ServiceName {
        let service = self.slots[slot as usize]
            .service
            .take()
            .expect("a slot in use has a service");
        let hash = self.hasher.hash_one(&service);
        if let Ok(entry) = self.by_name.find_entry(hash, |&other| other == slot) {
            entry.remove();
        }
        self.free.push(slot);
        service
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
        // Deadlines are kept to the millisecond, rounded up.
        let due = list.take_due(start + Duration::from_millis(2001));
        let names: Vec<_> = due.iter().map(|d| d.service.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(list.len(), 1);
        let next = list.next_deadline().unwrap();
        let three = start + Duration::from_secs(3);
        assert!(next >= three && next <= three + Duration::from_millis(1));
    }

    #[test]
    fn a_service_never_falls_due_before_its_deadline() {
        let mut list = Watchlist::default();
        let deadline = Instant::now() + Duration::from_micros(1_500);
        list.watch(name("a"), 1, deadline);
        assert!(list.take_due(deadline - Duration::from_nanos(1)).is_empty());
        assert!(list.next_deadline().unwrap() >= deadline);
        let late = deadline + Duration::from_millis(1);
        assert_eq!(list.take_due(late).len(), 1);
    }

    #[test]
    fn slots_of_services_gone_are_used_again() {
        let start = Instant::now() + Duration::from_secs(1);
        let mut list = Watchlist::default();
        for round in 0..3 {
            for i in 0..100 {
                list.watch(name(&format!("s{round}-{i}")), i, start);
            }
            for i in 0..100 {
                list.unwatch(&name(&format!("s{round}-{i}")));
            }
        }
        assert!(list.is_empty());
        assert_eq!(list.slots.len(), 100, "freed slots are taken again");
        list.watch(name("kept"), 1, start);
        list.watch(name("gone"), 1, start);
        list.unwatch(&name("gone"));
        let due = list.take_due(start + Duration::from_millis(1));
        assert_eq!(
            due,
            vec![Due {
                service: name("kept"),
                seq: 1
            }]
        );
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
