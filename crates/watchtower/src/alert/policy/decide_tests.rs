use std::time::Duration;

use super::*;
use crate::alert::policy::{
    Candidate, Dependency, Flapping, ReminderDue, Snooze, SnoozeScope, Storm,
};
use crate::alert::{Member, QueuedAlert};
use crate::monitor::{AlertRoute, AlertType};

const NOW: i64 = 1_700_000_000_000;

fn at(offset_secs: i64) -> Timestamp {
    Timestamp::from_millis(NOW + offset_secs * 1000)
}

fn name(text: &str) -> ServiceName {
    ServiceName::parse("service", text).unwrap()
}

fn dead(text: &str) -> Service {
    Service {
        service: name(text),
        alert_type: AlertType::Webhook,
        alert_target: "ops".into(),
        next_in: 10.0,
        last_pulse: at(-20),
        deadline: at(-10),
        status: Status::Dead,
        remind_every: None,
        depends_on: None,
        flapping_since: None,
        schedule: None,
        tz: None,
        grace: None,
        first_seen: None,
        never_pulsed: false,
        running_since: None,
    }
}

fn up(text: &str) -> Service {
    Service {
        status: Status::Up,
        deadline: at(100),
        ..dead(text)
    }
}

fn candidate(id: i64, kind: AlertKind, service: Service) -> Candidate {
    Candidate {
        alert: QueuedAlert {
            id,
            kind,
            service: service.service.clone(),
            route: AlertRoute {
                kind: AlertType::Webhook,
                target: "ops".into(),
            },
            last_pulse: service.last_pulse,
            deadline: service.deadline,
            down_since: at(-10),
            created: at(-10),
            attempts: 0,
            details: AlertDetails::default(),
        },
        service: Some(service),
        announced: true,
        dependency: None,
        recent_deaths: 1,
        recent: Vec::new(),
        dependents: Vec::new(),
        members: Vec::new(),
    }
}

fn triage(candidates: Vec<Candidate>) -> Triage {
    Triage {
        now: at(0),
        candidates,
        snoozes: Vec::new(),
        released_deaths: 0,
        released_recoveries: 0,
        reminders: Vec::new(),
        calmed: Vec::new(),
    }
}

fn snooze_all(until: Timestamp) -> Snooze {
    Snooze {
        id: 1,
        scope: SnoozeScope::All,
        from: at(-60),
        until,
        reason: None,
        created: at(-60),
    }
}

/// The decisions about alerts only, as (id, what) pairs.
fn fates(decisions: &[Decision]) -> Vec<(i64, &'static str)> {
    decisions
        .iter()
        .filter_map(|decision| match decision {
            Decision::Release { id, .. } => Some((*id, "release")),
            Decision::Hold { id, .. } => Some((*id, "hold")),
            Decision::Suppress { id, .. } => Some((*id, "suppress")),
            Decision::Digest { id, .. } => Some((*id, "digest")),
            _ => None,
        })
        .collect()
}

#[test]
fn a_death_is_released_with_what_the_service_logged() {
    let mut death = candidate(1, AlertKind::Down, dead("db"));
    death.dependents = vec!["web".into()];
    let decisions = decide(&Policy::default(), &triage(vec![death]));
    let Decision::Release { details, .. } = &decisions[0] else {
        panic!("{decisions:?}")
    };
    assert_eq!(details.dependents, ["web"]);
}

#[test]
fn a_death_during_a_snooze_waits_for_its_end_and_is_told_once() {
    let mut step = triage(vec![candidate(1, AlertKind::Down, dead("db"))]);
    step.snoozes = vec![snooze_all(at(600))];
    let decisions = decide(&Policy::default(), &step);
    assert!(
        matches!(&decisions[..], [Decision::Event { .. }, Decision::Hold { until, .. }] if *until == at(600))
    );
    // Looked at again while still snoozed: held, with no second story line.
    let Decision::Hold { details, .. } = &decisions[1] else {
        unreachable!()
    };
    step.candidates[0].alert.details = details.clone();
    let again = decide(&Policy::default(), &step);
    assert_eq!(fates(&again), [(1, "hold")]);
    assert_eq!(again.len(), 1);
    // After the snooze, released, saying it waited.
    step.snoozes.clear();
    let after = decide(&Policy::default(), &step);
    let Decision::Release { details, .. } = &after[0] else {
        panic!("{after:?}")
    };
    assert_eq!(details.snoozed_until, Some(at(600)));
}

#[test]
fn stale_alerts_are_dropped() {
    let recovered = candidate(1, AlertKind::Down, up("db"));
    let mut unannounced = candidate(2, AlertKind::Up, up("web"));
    unannounced.announced = false;
    let reminder = candidate(3, AlertKind::Reminder, up("api"));
    let mut gone = candidate(4, AlertKind::Down, dead("old"));
    gone.service = None;
    let decisions = decide(
        &Policy::default(),
        &triage(vec![recovered, unannounced, reminder, gone]),
    );
    assert_eq!(
        fates(&decisions),
        [
            (1, "suppress"),
            (2, "suppress"),
            (3, "suppress"),
            (4, "suppress")
        ]
    );
}

#[test]
fn a_death_while_its_dependency_is_dead_is_folded_then_judged_when_it_recovers() {
    let mut child = candidate(
        2,
        AlertKind::Down,
        Service {
            depends_on: Some(name("db")),
            ..dead("web")
        },
    );
    child.dependency = Some(Dependency {
        service: dead("db"),
        death_alert: Some(DeathAlert::Released),
    });
    let mut step = triage(vec![child]);
    let decisions = decide(&Policy::default(), &step);
    let Some(Decision::Hold { details, until, .. }) = decisions.last() else {
        panic!("{decisions:?}")
    };
    assert_eq!(details.folded_into.as_deref(), Some("db"));
    assert_eq!(*until, at(0).plus(DEPENDENCY_RECHECK));
    // The dependency recovered: one more window for the child.
    step.candidates[0].alert.details = details.clone();
    step.candidates[0].dependency = Some(Dependency {
        service: up("db"),
        death_alert: None,
    });
    let decisions = decide(&Policy::default(), &step);
    let [Decision::Hold { details, until, .. }] = &decisions[..] else {
        panic!("{decisions:?}")
    };
    assert_eq!(*until, at(10));
    // Still dead after that window: alerted on its own.
    step.candidates[0].alert.details = details.clone();
    assert_eq!(fates(&decide(&Policy::default(), &step)), [(2, "release")]);
}

#[test]
fn two_services_depending_on_each_other_never_silence_both() {
    let mut a = candidate(1, AlertKind::Down, dead("a"));
    a.dependency = Some(Dependency {
        service: dead("b"),
        death_alert: Some(DeathAlert::Waiting(2)),
    });
    let mut b = candidate(2, AlertKind::Down, dead("b"));
    b.dependency = Some(Dependency {
        service: dead("a"),
        death_alert: Some(DeathAlert::Waiting(1)),
    });
    let decisions = decide(&Policy::default(), &triage(vec![a, b]));
    assert_eq!(fates(&decisions), [(1, "hold"), (2, "release")]);
}

/// A digest due in the same step as deaths gathered into it: the storage puts them
/// into that (still open) digest, so its release must list them too, or they would
/// be marked digested and never told (seen in the cluster test).
#[test]
fn a_digest_released_with_deaths_gathered_in_the_same_step_lists_them() {
    let policy = Policy {
        storm: Some(Storm {
            threshold: 0,
            window: Duration::from_secs(60),
            gather: Duration::from_secs(1),
        }),
        ..Policy::default()
    };
    let mut digest = candidate(1, AlertKind::Digest, dead("*"));
    digest.service = None;
    digest.members = vec![Member::new("s0".into(), false, at(-10), at(-20))];
    let step = triage(vec![
        digest,
        candidate(2, AlertKind::Down, dead("s2")),
        candidate(3, AlertKind::Down, dead("s3")),
    ]);
    let decisions = decide(&policy, &step);
    assert_eq!(
        fates(&decisions),
        [(2, "digest"), (3, "digest"), (1, "release")],
        "gathered first, then released"
    );
    let Decision::Release { details, .. } = &decisions[2] else {
        unreachable!()
    };
    let listed: Vec<&str> = details.members.iter().map(|m| m.service.as_str()).collect();
    assert_eq!(listed, ["s0", "s2", "s3"]);
    assert!(
        details
            .members
            .iter()
            .all(|m| m.status == Status::Dead && m.since == at(-10))
    );
}

#[test]
fn beyond_the_storm_threshold_changes_go_into_a_digest() {
    let policy = Policy {
        storm: Some(Storm {
            threshold: 2,
            window: Duration::from_secs(60),
            gather: Duration::from_secs(10),
        }),
        ..Policy::default()
    };
    let mut step = triage(
        (1..=4)
            .map(|id| candidate(id, AlertKind::Down, dead(&format!("s{id}"))))
            .collect(),
    );
    step.released_deaths = 1;
    assert_eq!(
        fates(&decide(&policy, &step)),
        [(1, "release"), (2, "digest"), (3, "digest"), (4, "digest")]
    );
    let mut recoveries = triage(vec![candidate(9, AlertKind::Up, up("s9"))]);
    recoveries.released_deaths = 100;
    assert_eq!(
        fates(&decide(&policy, &recoveries)),
        [(9, "release")],
        "recoveries count apart"
    );
    assert_eq!(
        fates(&decide(&Policy::default(), &step))
            .iter()
            .filter(|f| f.1 == "release")
            .count(),
        4,
        "off: all alone"
    );
}

#[test]
fn too_many_deaths_in_the_window_turn_into_one_flapping_alert_and_silence() {
    let policy = Policy {
        flapping: Some(Flapping {
            deaths: 3,
            window: Duration::from_secs(600),
            calm: Duration::from_secs(300),
        }),
        ..Policy::default()
    };
    let mut death = candidate(1, AlertKind::Down, dead("db"));
    death.recent_deaths = 3;
    assert_eq!(
        fates(&decide(&policy, &triage(vec![death.clone()]))),
        [(1, "release")]
    );
    death.recent_deaths = 4;
    let decisions = decide(&policy, &triage(vec![death]));
    assert_eq!(fates(&decisions), [(1, "suppress")]);
    assert!(
        decisions
            .iter()
            .any(|d| matches!(d, Decision::SetFlapping { since: Some(_), .. }))
    );
    assert!(decisions.iter().any(|d| matches!(d, Decision::Queue(alert) if alert.kind == AlertKind::Flapping && alert.details.deaths == Some(4))));

    let flapping = Service {
        flapping_since: Some(at(-5)),
        ..up("db")
    };
    let recovery = candidate(2, AlertKind::Up, flapping.clone());
    assert_eq!(
        fates(&decide(&policy, &triage(vec![recovery]))),
        [(2, "suppress")]
    );
    let mut calm = triage(Vec::new());
    calm.calmed = vec![flapping];
    let decisions = decide(&policy, &calm);
    assert!(
        decisions
            .iter()
            .any(|d| matches!(d, Decision::SetFlapping { since: None, .. }))
    );
    assert!(decisions.iter().any(|d| matches!(d, Decision::Queue(alert) if alert.kind == AlertKind::Stable && alert.details.status == Some(Status::Up))));
}

#[test]
fn reminders_are_queued_only_for_alerted_unsnoozed_outages() {
    let due = |service: Service, announced, dependency_dead| ReminderDue {
        service,
        announced,
        dependency_dead,
    };
    let mut step = triage(Vec::new());
    step.reminders = vec![
        due(dead("a"), true, false),
        due(dead("b"), false, false),
        due(dead("c"), true, true),
        due(
            Service {
                flapping_since: Some(at(-1)),
                ..dead("d")
            },
            true,
            false,
        ),
    ];
    let decisions = decide(&Policy::default(), &step);
    let queued: Vec<&str> = decisions
        .iter()
        .filter_map(|d| match d {
            Decision::Queue(alert) => Some(alert.service.service.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(queued, ["a"]);
    let reminded = decisions
        .iter()
        .filter(|d| matches!(d, Decision::Reminded { .. }))
        .count();
    assert_eq!(reminded, 4, "each one's next reminder moves on");
    step.snoozes = vec![snooze_all(at(60))];
    assert!(
        !decide(&Policy::default(), &step)
            .iter()
            .any(|d| matches!(d, Decision::Queue(_)))
    );
}

#[test]
fn a_service_without_its_own_reminder_interval_takes_the_default() {
    let policy = Policy {
        remind_every: Some(Duration::from_secs(3600)),
        ..Policy::default()
    };
    assert_eq!(
        policy.reminder_interval(&dead("a")),
        Some(Duration::from_secs(3600))
    );
    let own = Service {
        remind_every: Some(60.0),
        ..dead("a")
    };
    assert_eq!(
        policy.reminder_interval(&own),
        Some(Duration::from_secs(60))
    );
    let never = Service {
        remind_every: Some(0.0),
        ..dead("a")
    };
    assert_eq!(policy.reminder_interval(&never), None);
}
