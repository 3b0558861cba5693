//! The policy's one function: from a triage step's facts to decisions.

use std::collections::HashSet;

use super::{
    Candidate, DEPENDENCY_RECHECK, DeathAlert, Decision, NewAlert, Policy, Triage, snooze,
};
use crate::alert::{AlertDetails, AlertKind, Member};
use crate::monitor::{Service, ServiceName, Status, story};
use crate::time::Timestamp;

/// Decides the fate of every candidate, then the reminders and ends of flapping.
pub fn decide(policy: &Policy, triage: &Triage) -> Vec<Decision> {
    let mut step = Step {
        policy,
        triage,
        now: triage.now,
        decisions: Vec::new(),
        folded: HashSet::new(),
        deaths: triage.released_deaths,
        recoveries: triage.released_recoveries,
    };
    // Digests last: a death digested in this step joins the digest that this step
    // releases, which must then list it (its stored members were read before).
    let (digests, alerts): (Vec<_>, Vec<_>) = triage
        .candidates
        .iter()
        .partition(|candidate| candidate.alert.kind == AlertKind::Digest);
    for candidate in alerts {
        step.judge(candidate);
    }
    for candidate in digests {
        step.release_digest(candidate);
    }
    for due in &triage.reminders {
        step.remind(due);
    }
    for service in &triage.calmed {
        step.calm(service);
    }
    step.decisions
}

struct Step<'a> {
    policy: &'a Policy,
    triage: &'a Triage,
    now: Timestamp,
    decisions: Vec<Decision>,
    /// Deaths folded in this step: a dependency folded into its own dependent
    /// (a cycle) must not count as covering it.
    folded: HashSet<i64>,
    /// Deaths and recoveries released within the storm window, this step's included.
    deaths: usize,
    recoveries: usize,
}

impl Step<'_> {
    fn snoozed(&self, service: &ServiceName) -> Option<Timestamp> {
        snooze::snoozed_until(&self.triage.snoozes, service, self.now)
    }

    fn suppress(&mut self, candidate: &Candidate, reason: &str) {
        self.decisions.push(Decision::Suppress {
            id: candidate.alert.id,
            reason: reason.to_owned(),
        });
    }

    fn story(&mut self, service: &ServiceName, (level, message): (crate::events::Level, String)) {
        self.decisions.push(Decision::Event {
            service: service.clone(),
            level,
            message,
        });
    }

    fn judge(&mut self, candidate: &Candidate) {
        let alert = &candidate.alert;
        if alert.kind == AlertKind::Event {
            // The service need not be monitored: a rule may name its own target.
            return match self.snoozed(&alert.service) {
                Some(_) => self.suppress(candidate, "snoozed"),
                None => self.release(candidate),
            };
        }
        let Some(service) = &candidate.service else {
            return self.suppress(candidate, "the service was cancelled");
        };
        match alert.kind {
            AlertKind::Down => self.judge_death(candidate, service),
            AlertKind::Up => self.judge_recovery(candidate, service),
            AlertKind::Reminder => {
                if !in_outage(service, alert.down_since) {
                    self.suppress(candidate, "the service recovered");
                } else if self.snoozed(&service.service).is_some() {
                    self.suppress(candidate, "snoozed");
                } else {
                    self.release(candidate);
                }
            }
            AlertKind::Flapping => match self.snoozed(&service.service) {
                Some(_) => self.suppress(candidate, "snoozed"),
                None => self.release(candidate),
            },
            AlertKind::Stable => self.release_unless_snoozed(candidate),
            AlertKind::Digest | AlertKind::Event => unreachable!("judged elsewhere"),
            // Never queued: sent at once by the request that asks for it.
            AlertKind::Test => self.release(candidate),
        }
    }

    fn judge_death(&mut self, candidate: &Candidate, service: &Service) {
        let alert = &candidate.alert;
        if !in_outage(service, alert.down_since) {
            return self.suppress(
                candidate,
                "the service pulsed again before its death was alerted",
            );
        }
        if let Some(until) = self.snoozed(&service.service) {
            if alert.details.snoozed_until.is_none() {
                self.story(&service.service, story::alert_snoozed(until));
            }
            let details = AlertDetails {
                snoozed_until: Some(until),
                ..alert.details.clone()
            };
            return self.decisions.push(Decision::Hold {
                id: alert.id,
                until,
                details,
            });
        }
        if service.flapping_since.is_some() {
            return self.suppress(candidate, "flapping");
        }
        if let Some(flapping) = self.policy.flapping
            && candidate.recent_deaths > flapping.deaths
        {
            return self.start_flapping(candidate, service, flapping);
        }
        if let Some(dependency) = &candidate.dependency {
            let covered = dependency.service.status == Status::Dead
                && match dependency.death_alert {
                    Some(DeathAlert::Released) => true,
                    Some(DeathAlert::Waiting(id)) => !self.folded.contains(&id),
                    None => false,
                };
            let parent = &dependency.service.service;
            if covered {
                self.folded.insert(alert.id);
                if alert.details.folded_into.is_none() {
                    self.story(&service.service, story::alert_folded(parent.as_str()));
                }
                let details = AlertDetails {
                    folded_into: Some(parent.to_string()),
                    dependency_recovered: None,
                    ..alert.details.clone()
                };
                let until = self.now.plus(DEPENDENCY_RECHECK);
                return self.decisions.push(Decision::Hold {
                    id: alert.id,
                    until,
                    details,
                });
            }
            let recovered = dependency.service.status != Status::Dead;
            if alert.details.folded_into.is_some()
                && alert.details.dependency_recovered.is_none()
                && recovered
            {
                // One window to pulse once what it depends on is back.
                let details = AlertDetails {
                    dependency_recovered: Some(self.now),
                    ..alert.details.clone()
                };
                let until = self
                    .now
                    .plus(crate::monitor::NextIn::window(service.next_in));
                return self.decisions.push(Decision::Hold {
                    id: alert.id,
                    until,
                    details,
                });
            }
        }
        self.release_or_digest(candidate, Status::Dead);
    }

    fn judge_recovery(&mut self, candidate: &Candidate, service: &Service) {
        if service.flapping_since.is_some() {
            return self.suppress(candidate, "flapping");
        }
        if !candidate.announced {
            return self.suppress(candidate, "its death was not alerted");
        }
        if let Some(until) = self.snoozed(&service.service) {
            let details = candidate.alert.details.clone();
            let id = candidate.alert.id;
            return self.decisions.push(Decision::Hold { id, until, details });
        }
        self.decisions.push(Decision::WakeDependents {
            service: service.service.clone(),
        });
        self.release_or_digest(candidate, Status::Up);
    }

    fn start_flapping(
        &mut self,
        candidate: &Candidate,
        service: &Service,
        flapping: super::Flapping,
    ) {
        self.suppress(candidate, "flapping");
        self.decisions.push(Decision::SetFlapping {
            service: service.service.clone(),
            since: Some(self.now),
        });
        self.story(
            &service.service,
            story::flapping(candidate.recent_deaths, flapping.window),
        );
        self.decisions.push(Decision::Queue(NewAlert {
            kind: AlertKind::Flapping,
            service: service.clone(),
            down_since: candidate.alert.down_since,
            details: AlertDetails {
                deaths: Some(candidate.recent_deaths),
                window: Some(flapping.window.as_secs_f64()),
                ..AlertDetails::default()
            },
        }));
    }

    /// Releases a digest with its stored members and those this step gathered into
    /// it: the storage puts a step's digested alerts into the newest open digest of
    /// their route, which is this one if this step releases it.
    fn release_digest(&mut self, digest: &Candidate) {
        let route = &digest.alert.route;
        let newest_of_route = self.triage.candidates.iter().all(|other| {
            other.alert.kind != AlertKind::Digest
                || other.alert.route != *route
                || other.alert.id <= digest.alert.id
        });
        let mut members = digest.members.clone();
        if newest_of_route {
            let gathered: HashSet<i64> = self
                .decisions
                .iter()
                .filter_map(|decision| match decision {
                    Decision::Digest { id, route: into } if into == route => Some(*id),
                    _ => None,
                })
                .collect();
            members.extend(
                self.triage
                    .candidates
                    .iter()
                    .filter(|candidate| gathered.contains(&candidate.alert.id))
                    .map(|candidate| Member::of(&candidate.alert)),
            );
        }
        match members.is_empty() {
            true => self.suppress(digest, "the digest gathered nothing"),
            false => self.release_with(
                digest,
                AlertDetails {
                    members,
                    ..digest.alert.details.clone()
                },
            ),
        }
    }

    /// Deaths and recoveries beyond the storm threshold go into a digest.
    fn release_or_digest(&mut self, candidate: &Candidate, status: Status) {
        let count = match status {
            Status::Dead => &mut self.deaths,
            Status::Up | Status::Late | Status::Paused | Status::New => &mut self.recoveries,
        };
        *count += 1;
        let stormy = self
            .policy
            .storm
            .is_some_and(|storm| *count > storm.threshold);
        match stormy {
            true => self.decisions.push(Decision::Digest {
                id: candidate.alert.id,
                route: candidate.alert.route.clone(),
            }),
            false => self.release(candidate),
        }
    }

    fn release_unless_snoozed(&mut self, candidate: &Candidate) {
        let service = &candidate.alert.service;
        match self.snoozed(service) {
            Some(until) => self.decisions.push(Decision::Hold {
                id: candidate.alert.id,
                until,
                details: candidate.alert.details.clone(),
            }),
            None => self.release(candidate),
        }
    }

    fn release(&mut self, candidate: &Candidate) {
        let details = AlertDetails {
            recent: candidate.recent.clone(),
            dependents: candidate.dependents.clone(),
            ..candidate.alert.details.clone()
        };
        self.release_with(candidate, details);
    }

    /// Releases an alert, spread over the channels of its route if it names one.
    fn release_with(&mut self, candidate: &Candidate, details: AlertDetails) {
        let route = &candidate.alert.route;
        let fan_out = match route.kind {
            crate::monitor::AlertType::Route => match self.policy.routes.get(&route.target) {
                Some(steps) => steps.clone(),
                None => return self.suppress(candidate, "its route is no longer configured"),
            },
            _ => Vec::new(),
        };
        self.decisions.push(Decision::Release {
            id: candidate.alert.id,
            details,
            fan_out,
        });
    }

    fn remind(&mut self, due: &super::ReminderDue) {
        let service = &due.service;
        self.decisions.push(Decision::Reminded {
            service: service.service.clone(),
        });
        let quiet = !due.announced
            || due.dependency_dead
            || service.flapping_since.is_some()
            || self.snoozed(&service.service).is_some();
        if !quiet {
            self.decisions.push(Decision::Queue(NewAlert {
                kind: AlertKind::Reminder,
                service: service.clone(),
                down_since: service.deadline,
                details: AlertDetails::default(),
            }));
        }
    }

    fn calm(&mut self, service: &Service) {
        let calm = self.policy.flapping.map(|f| f.calm).unwrap_or_default();
        self.decisions.push(Decision::SetFlapping {
            service: service.service.clone(),
            since: None,
        });
        self.story(&service.service, story::stable(service.status, calm));
        self.decisions.push(Decision::Queue(NewAlert {
            kind: AlertKind::Stable,
            service: service.clone(),
            down_since: service.deadline,
            details: AlertDetails {
                status: Some(service.status),
                ..AlertDetails::default()
            },
        }));
    }
}

/// Whether `service` is still in the outage that began at `down_since` (a dead
/// service keeps the deadline it missed).
fn in_outage(service: &Service, down_since: Timestamp) -> bool {
    service.status == Status::Dead && service.deadline == down_since
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
