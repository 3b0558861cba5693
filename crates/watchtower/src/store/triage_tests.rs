use std::time::Duration;

use super::*;
use crate::alert::policy::Flapping;
use crate::monitor::AlertType;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_millis(seconds * 1000)
}

/// A service that died at 100 s.
fn dead(name: &str, remind_every: Option<f64>) -> Service {
    Service {
        service: ServiceName::parse("service", name).unwrap(),
        alert_type: AlertType::Webhook,
        alert_target: "ops".into(),
        next_in: 10.0,
        last_pulse: at(90),
        deadline: at(100),
        status: Status::Dead,
        remind_every,
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

fn names(services: &[Service]) -> Vec<&str> {
    services.iter().map(|s| s.service.as_str()).collect()
}

fn policy(remind_every: Option<u64>, calm: Option<u64>) -> Policy {
    Policy {
        remind_every: remind_every.map(Duration::from_secs),
        flapping: calm.map(|calm| Flapping {
            deaths: 3,
            window: Duration::from_secs(600),
            calm: Duration::from_secs(calm),
        }),
        ..Policy::default()
    }
}

#[test]
fn a_reminder_falls_due_one_interval_after_the_death_or_the_last_reminder() {
    let policy = policy(Some(60), None);
    let service = dead("a", None);
    assert_eq!(reminder_due(&policy, &service, None), Some(at(160)));
    assert_eq!(
        reminder_due(&policy, &service, Some(at(200))),
        Some(at(260))
    );
    // A reminder recorded before this outage began counts from the death.
    assert_eq!(reminder_due(&policy, &service, Some(at(50))), Some(at(160)));
    // The pulse's own interval wins; 0 turns reminders off for that service.
    assert_eq!(
        reminder_due(&policy, &dead("b", Some(30.0)), None),
        Some(at(130))
    );
    assert_eq!(reminder_due(&policy, &dead("c", Some(0.0)), None), None);
    assert_eq!(reminder_due(&Policy::default(), &service, None), None);
}

#[test]
fn due_reminders_are_split_from_those_to_come_with_the_earliest_next() {
    let policy = policy(Some(60), None);
    let dead = vec![
        (dead("due", None), None),               // due at 160
        (dead("later", None), Some(at(150))),    // due at 210
        (dead("soon", Some(70.0)), None),        // due at 170
        (dead("never", Some(0.0)), None),        // no reminders
        (dead("reminded", None), Some(at(120))), // due at 180
    ];
    let (due, next) = due_reminders(&policy, dead, at(165));
    assert_eq!(names(&due), ["due"]);
    assert_eq!(next, Some(at(170)));
    let (due, next) = due_reminders(&policy, Vec::new(), at(165));
    assert_eq!((due.len(), next), (0, None));
}

#[test]
fn a_flapping_service_calms_down_once_it_has_not_changed_for_the_calm_period() {
    let policy = policy(None, Some(300));
    let flapping = |name: &str, since: i64| Service {
        flapping_since: Some(at(since)),
        ..dead(name, None)
    };
    let services = vec![
        (flapping("calm", 0), Some(at(100))),    // calm at 400
        (flapping("changed", 0), Some(at(200))), // calm at 500
        (flapping("never-changed", 50), None),   // calm at 350, from flapping_since
    ];
    let (calm, next) = calmed(&policy, services.clone(), at(450));
    assert_eq!(names(&calm), ["calm", "never-changed"]);
    assert_eq!(next, Some(at(500)));
    // Flap damping off: nobody is judged.
    assert_eq!(calmed(&Policy::default(), services, at(450)).0.len(), 0);
}

#[test]
fn stored_columns_read_back_as_the_policy_sees_them() {
    assert_eq!(death_alert(7, Some(1), "sent"), Some(DeathAlert::Released));
    assert_eq!(
        death_alert(7, None, "pending"),
        Some(DeathAlert::Waiting(7))
    );
    assert_eq!(death_alert(7, None, "suppressed"), None);
    let up = member("a".into(), "up", 100, 200);
    assert_eq!(
        (up.status, up.since),
        (Status::Up, Timestamp::from_millis(200))
    );
    let down = member("a".into(), "down", 100, 200);
    assert_eq!(
        (down.status, down.since),
        (Status::Dead, Timestamp::from_millis(100))
    );
    let name = ServiceName::parse("service", "web").unwrap();
    for scope in [
        SnoozeScope::All,
        SnoozeScope::Service(name),
        SnoozeScope::Prefix("web-".into()),
    ] {
        let (service, prefix) = snooze_columns(&scope);
        let service = service.map(|s| ServiceName::parse("service", s).unwrap());
        assert_eq!(snooze_scope(service, prefix.map(str::to_owned)), scope);
    }
}
