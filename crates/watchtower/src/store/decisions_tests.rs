use std::time::Duration;

use super::*;
use crate::alert::EventLine;
use crate::monitor::AlertType;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_millis(seconds * 1000)
}

fn name(text: &str) -> ServiceName {
    ServiceName::parse("service", text).unwrap()
}

fn route(target: &str) -> AlertRoute {
    AlertRoute {
        kind: AlertType::Webhook,
        target: target.into(),
    }
}

fn fire(route: Option<AlertRoute>, matched: u64) -> RuleFire {
    RuleFire {
        rule: "errors".into(),
        service: name("billing"),
        event: EventLine {
            date: at(99),
            level: Level::Error,
            message: "boom".into(),
        },
        matched,
        every: Duration::from_secs(60),
        route,
        now: at(100),
    }
}

fn monitored(route: Option<AlertRoute>) -> Monitored {
    Monitored {
        route,
        last_pulse: at(10),
        deadline: at(70),
    }
}

fn fired(judgement: RuleJudgement) -> NewAlertRow {
    match judgement {
        RuleJudgement::Fire(row) => *row,
        other => panic!("expected an alert, got {other:?}"),
    }
}

#[test]
fn attempts_write_their_state_retry_time_and_error() {
    let sent = AttemptOutcome::Sent;
    let retry = AttemptOutcome::Retry {
        after: Duration::from_secs(5),
        error: "503".into(),
    };
    let gave_up = AttemptOutcome::GaveUp {
        error: "401".into(),
    };
    let records = [&sent, &retry, &gave_up].map(|o| AttemptRecord::of(o, at(100)));
    assert_eq!(
        records.map(|r| (r.state, r.next_attempt, r.error)),
        [
            ("sent", None, None),
            ("pending", Some(at(105)), Some("503")),
            ("failed", None, Some("401")),
        ]
    );
}

#[test]
fn only_a_service_alert_that_gave_up_leaves_an_event() {
    let event = failure_event("failed", "billing", "down", "webhook:ops", Some("401"));
    let (service, (level, message)) = event.expect("an event for the service");
    assert_eq!((service.as_str(), level), ("billing", Level::Error));
    assert!(message.contains("401"), "{message}");
    // Retried, or raced with a cancellation: nothing to tell yet.
    assert_eq!(
        failure_event("pending", "billing", "down", "webhook:ops", Some("503")),
        None
    );
    assert_eq!(
        failure_event("cancelled", "billing", "down", "webhook:ops", None),
        None
    );
    // A digest has no service of its own.
    assert_eq!(
        failure_event("failed", "*", "digest", "webhook:ops", Some("401")),
        None
    );
}

fn target(fire: &RuleFire, service: Option<Monitored>) -> RuleTarget {
    rule_target(fire, service, at(100)).expect("a target")
}

#[test]
fn a_rule_alerts_the_services_own_route_unless_it_names_one() {
    let own = fire(None, 1);
    let svc = target(&own, Some(monitored(Some(route("svc")))));
    let row = fired(judge_rule_fire(&own, svc, None, at(100)));
    assert_eq!(
        (row.route, row.last_pulse, row.deadline),
        (route("svc"), at(10), at(70))
    );
    let named = fire(Some(route("rule")), 1);
    let row = fired(judge_rule_fire(&named, target(&named, None), None, at(100)));
    assert_eq!((row.route, row.last_pulse), (route("rule"), at(100)));
    assert_eq!(row.kind, AlertKind::Event);
    assert_eq!(row.details.rule.as_deref(), Some("errors"));
}

#[test]
fn a_rule_without_a_route_to_use_alerts_nobody() {
    for service in [None, Some(monitored(None))] {
        assert_eq!(rule_target(&fire(None, 1), service, at(100)), None);
    }
}

#[test]
fn within_its_period_a_rule_counts_instead_of_alerting() {
    let history = RuleHistory {
        last_fired: at(50),
        quieted: 4,
    };
    let three = fire(None, 3);
    let svc = target(&three, Some(monitored(Some(route("svc")))));
    assert_eq!(
        judge_rule_fire(&three, svc.clone(), Some(history), at(109)),
        RuleJudgement::Quiet { matched: 3 }
    );
    // Once the period is over, the alert counts what was quieted, and the rest of
    // this batch of matches beside the event it quotes.
    let row = fired(judge_rule_fire(&three, svc, Some(history), at(110)));
    assert_eq!(row.details.quieted, 6);
}

#[test]
fn a_first_pulse_starts_the_story_and_one_after_an_outage_tells_the_recovery() {
    let window = Duration::from_secs(30);
    let first = PulseWrites::of(window, at(100), true, None);
    assert_eq!(first.events, [story::started(window)]);
    assert_eq!(first.recovered_from, None);
    let back = PulseWrites::of(window, at(100), false, Some(at(40)));
    assert_eq!(back.events, [story::recovered(Duration::from_secs(60))]);
    assert_eq!(back.recovered_from, Some(at(40)));
    let steady = PulseWrites::of(window, at(100), false, None);
    assert_eq!((steady.events.len(), steady.recovered_from), (0, None));
}
