//! Declaring a service before its first pulse (`PUT /services/{name}`), and
//! changing how a monitored one is watched: what changed, and its new deadline.

use super::{Pulse, Service, Status};
use crate::time::Timestamp;

/// What a declaration did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Declaration {
    /// The service was not monitored: it is now, as `new` until its first pulse.
    Created,
    /// These settings changed (named as the protocol names them).
    Changed(Vec<&'static str>),
    /// It was already declared exactly so.
    Unchanged,
}

/// A declaration as stored.
#[derive(Clone, Debug)]
pub struct Declared {
    pub service: Service,
    /// The sequence to watch its new deadline under; `None` when no deadline moved.
    pub seq: Option<i64>,
    pub outcome: Declaration,
}

/// What a store writes for a declaration, from the service it found.
#[derive(Clone, Debug, PartialEq)]
pub enum DeclarePlan {
    /// Insert it as `new`, due at `deadline`.
    Create {
        deadline: Timestamp,
    },
    /// Update its settings (and `nextIn` as counted from its last pulse); a
    /// watched service is due at `deadline`, others keep theirs.
    Change {
        changed: Vec<&'static str>,
        next_in: f64,
        deadline: Option<Timestamp>,
    },
    Unchanged,
}

impl Pulse {
    /// What declaring this (stamped `at`) does to `found`, if it exists.
    pub fn plan_declaration(&self, found: Option<&Service>) -> DeclarePlan {
        let Some(found) = found else {
            return DeclarePlan::Create {
                deadline: self.deadline(),
            };
        };
        let changed = self.changes_from(found);
        if changed.is_empty() {
            return DeclarePlan::Unchanged;
        }
        DeclarePlan::Change {
            changed,
            next_in: self.next_in_seconds_from(found.last_pulse),
            deadline: self.redeclared_deadline(found),
        }
    }

    /// The settings in which this declaration differs from `found`, by their
    /// protocol names; empty when it declares the service as it is.
    pub fn changes_from(&self, found: &Service) -> Vec<&'static str> {
        let (schedule, tz) = self.schedule_columns();
        let interval = match schedule {
            Some(_) => None,
            None => Some(self.next_in_seconds()),
        };
        let found_interval = found.schedule.is_none().then_some(found.next_in);
        [
            ("alertType", self.alert.kind == found.alert_type),
            ("alertTarget", self.alert.target == found.alert_target),
            ("nextIn", interval == found_interval),
            ("schedule", schedule == found.schedule.as_deref()),
            ("tz", tz == found.tz.as_deref()),
            ("grace", self.grace_seconds() == found.grace),
            ("remindEvery", self.remind_every == found.remind_every),
            ("dependsOn", self.depends_on == found.depends_on),
        ]
        .into_iter()
        .filter_map(|(name, same)| (!same).then_some(name))
        .collect()
    }

    /// The deadline of `found` once declared so: counted from its last pulse
    /// (its declaration, while `new`). `None` for a service that is not
    /// watched (dead or paused), whose deadline waits for its next pulse.
    pub fn redeclared_deadline(&self, found: &Service) -> Option<Timestamp> {
        matches!(found.status, Status::Up | Status::Late | Status::New)
            .then(|| found.last_pulse.plus(self.window_from(found.last_pulse)))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::monitor::{AlertRoute, AlertType, Cadence, Kept, NextIn, Schedule, ServiceName};

    fn declaration(cadence: Cadence) -> Pulse {
        Pulse {
            service: ServiceName::parse("service", "backup").unwrap(),
            alert: AlertRoute {
                kind: AlertType::Mail,
                target: "ops@example.com".into(),
            },
            cadence,
            grace: Duration::from_secs(60),
            at: Timestamp::from_millis(1_000_000),
            remind_every: None,
            depends_on: None,
            note: None,
        }
    }

    fn every(seconds: f64) -> Cadence {
        Cadence::Every(NextIn::parse(seconds).unwrap())
    }

    #[test]
    fn a_service_declared_as_it_is_has_no_changes() {
        let declared = declaration(every(3600.0));
        let at = declared.at;
        let found = declared.service_after(at, declared.deadline(), Kept::default());
        assert!(declared.changes_from(&found).is_empty());
        let nightly = declaration(Cadence::Cron(
            Schedule::parse("0 3 * * *", Some("Europe/Berlin")).unwrap(),
        ));
        let found = nightly.service_after(at, nightly.deadline(), Kept::default());
        // A schedule's nextIn is derived from the time: it is not a setting.
        let later = Pulse {
            at: at.plus(Duration::from_secs(7200)),
            ..nightly.clone()
        };
        assert!(later.changes_from(&found).is_empty());
    }

    #[test]
    fn each_changed_setting_is_named() {
        let declared = declaration(every(3600.0));
        let found = declared.service_after(declared.at, declared.deadline(), Kept::default());
        let mut changed = declaration(Cadence::Cron(Schedule::parse("@daily", None).unwrap()));
        changed.alert.target = "dev@example.com".into();
        changed.grace = Duration::ZERO;
        assert_eq!(
            changed.changes_from(&found),
            ["alertTarget", "nextIn", "schedule", "tz", "grace"]
        );
    }

    #[test]
    fn a_new_deadline_counts_from_the_last_pulse_of_a_watched_service_only() {
        let declared = declaration(every(3600.0));
        let mut found = declared.service_after(declared.at, declared.deadline(), Kept::default());
        let shorter = declaration(every(600.0));
        let expected = found.last_pulse.plus(Duration::from_secs(660));
        assert_eq!(shorter.redeclared_deadline(&found), Some(expected));
        found.status = Status::Dead;
        assert_eq!(shorter.redeclared_deadline(&found), None);
        found.status = Status::Paused;
        assert_eq!(shorter.redeclared_deadline(&found), None);
    }
}
