//! Behaviour every `Store` backend must have, written once against `&dyn Store`;
//! each backend's tests call these on a fresh store of its own.

use std::time::Duration;

use super::{DeathCheck, RestartPolicy, Store, StoreError};
use crate::alert::{AlertKind, AttemptOutcome};
use crate::events::{EventFilter, EventQuery, Level};
use crate::monitor::{AlertRoute, AlertType, Cadence, Due, NextIn, Pulse, ServiceName, Status};
use crate::time::Timestamp;

mod attributes;
mod checks;
mod event_log;
mod events;
mod keys;
mod policy;
pub use attributes::*;
pub use checks::*;
pub use event_log::*;
pub use events::*;
pub use keys::*;
pub use policy::*;

/// One `#[tokio::test]` per behaviour below, each on a fresh store: `$fresh` is a
/// future of `(guard, store)`, the guard kept alive for the test (a temporary directory).
macro_rules! suite {
    ($fresh:expr) => {
        $crate::store::conformance::suite!(@each $fresh;
            a_death_applies_only_to_the_pulse_it_was_due_for,
            a_death_queues_one_alert_that_is_leased_and_taken_over_after_the_lease,
            a_failed_attempt_is_retried_at_its_time_and_a_permanent_one_never,
            a_recovery_queues_an_up_alert_saying_when_the_outage_began,
            a_cancelled_service_takes_its_unsent_alerts_with_it,
            grace_restarts_missed_windows_and_strict_keeps_them,
            events_filter_and_order,
            events_keep_their_attributes_and_are_filtered_by_them,
            bulk_events_are_stored_together_in_order,
            a_sweep_declares_each_overdue_service_dead_once,
            heartbeats_show_live_nodes_until_they_stop_or_fall_silent,
            writes_after_close_are_refused,
            pages_continue_after_their_position_in_either_order,
            stats_count_per_bucket_and_level,
            pruning_deletes_the_oldest_in_steps_and_keeps_the_newest,
            the_feed_publishes_stored_events_in_order,
            a_snooze_holds_deaths_until_it_is_deleted,
            an_event_rule_fires_once_per_period_and_counts_the_rest,
            keys_are_created_once_listed_revoked_and_their_names_reused,
            a_declared_service_is_new_until_its_first_pulse_or_its_death,
            the_ping_history_is_a_ring_that_times_runs,
            service_pages_follow_code_point_order_under_a_prefix_and_status);
    };
    (@each $fresh:expr; $($name:ident),*) => {$(
        #[tokio::test]
        async fn $name() {
            let (_guard, store) = $fresh.await;
            $crate::store::conformance::$name(&store).await;
        }
    )*};
}
pub(crate) use suite;

const T0: Timestamp = Timestamp::from_millis(1_800_000_000_000);
const LEASE: Duration = Duration::from_secs(30);

fn name(text: &str) -> ServiceName {
    ServiceName::parse("service", text).unwrap()
}

pub(crate) fn pulse(service: &str, next_in: f64, at: Timestamp) -> Pulse {
    Pulse {
        service: name(service),
        alert: AlertRoute {
            kind: AlertType::Webhook,
            target: "ops".into(),
        },
        cadence: Cadence::Every(NextIn::parse(next_in).unwrap()),
        grace: Duration::ZERO,
        at,
        remind_every: None,
        depends_on: None,
        note: None,
    }
}

fn later(at: Timestamp, seconds: u64) -> Timestamp {
    at.plus(Duration::from_secs(seconds))
}

/// Pulses `service` at `T0` and declares it dead at `at`.
async fn pulse_then_die(store: &dyn Store, service: &str, next_in: f64, at: Timestamp) {
    let recorded = store
        .record_pulse(pulse(service, next_in, T0))
        .await
        .unwrap();
    let checks = store
        .mark_dead(
            vec![Due {
                service: name(service),
                seq: recorded.seq,
            }],
            at,
        )
        .await
        .unwrap();
    assert!(matches!(&checks[..], [DeathCheck::Died(_)]), "{checks:?}");
    triage(store, at).await;
}

/// Runs the default alert policy, which releases every alert as it comes.
async fn triage(store: &dyn Store, at: Timestamp) {
    let policy = std::sync::Arc::new(crate::alert::policy::Policy::default());
    store.triage(at, policy).await.unwrap();
}

pub async fn a_death_applies_only_to_the_pulse_it_was_due_for(store: &dyn Store) {
    let first = store.record_pulse(pulse("job", 10.0, T0)).await.unwrap();
    let second = store
        .record_pulse(pulse("job", 10.0, later(T0, 5)))
        .await
        .unwrap();
    assert!(second.seq > first.seq);
    let due = |seq| {
        vec![Due {
            service: name("job"),
            seq,
        }]
    };
    match &store
        .mark_dead(due(first.seq), later(T0, 11))
        .await
        .unwrap()[..]
    {
        [DeathCheck::Pulsed(watched)] => {
            assert_eq!(watched.seq, second.seq);
            assert_eq!(watched.deadline, later(T0, 15));
        }
        other => panic!("expected Pulsed, got {other:?}"),
    }
    let died = store
        .mark_dead(due(second.seq), later(T0, 16))
        .await
        .unwrap();
    assert!(matches!(&died[..], [DeathCheck::Died(service)] if service.status == Status::Dead));
    assert!(matches!(
        &store
            .mark_dead(due(second.seq), later(T0, 17))
            .await
            .unwrap()[..],
        [DeathCheck::Gone]
    ));
    let events = store
        .query_events(EventQuery {
            filter: EventFilter {
                service: Some(name("job")),
                ..EventFilter::default()
            },
            ..EventQuery::default()
        })
        .await
        .unwrap();
    let messages: Vec<(Level, &str)> = events
        .iter()
        .map(|e| (e.level, e.message.split(':').next().unwrap()))
        .collect();
    assert_eq!(
        messages,
        [(Level::Error, "dead"), (Level::Info, "monitoring started")],
        "one start, one death, newest first"
    );
}

pub async fn a_death_queues_one_alert_that_is_leased_and_taken_over_after_the_lease(
    store: &dyn Store,
) {
    pulse_then_die(store, "db", 1.0, later(T0, 2)).await;
    let claimed = store.claim_alerts(later(T0, 2), LEASE, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].kind, AlertKind::Down);
    assert_eq!(claimed[0].down_since, later(T0, 1));
    assert!(
        store
            .claim_alerts(later(T0, 3), LEASE, 10)
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    let taken_over = store.claim_alerts(later(T0, 33), LEASE, 10).await.unwrap();
    assert_eq!(
        taken_over.len(),
        1,
        "a lease that expires lets another dispatcher take over"
    );
    store
        .record_attempt(taken_over[0].id, later(T0, 33), AttemptOutcome::Sent)
        .await
        .unwrap();
    assert!(
        store
            .claim_alerts(later(T0, 100), LEASE, 10)
            .await
            .unwrap()
            .is_empty(),
        "sent once"
    );
    assert_eq!(store.next_alert_due(later(T0, 100)).await.unwrap(), None);
}

pub async fn a_failed_attempt_is_retried_at_its_time_and_a_permanent_one_never(store: &dyn Store) {
    pulse_then_die(store, "api", 1.0, later(T0, 1)).await;
    let alert = store
        .claim_alerts(later(T0, 1), LEASE, 10)
        .await
        .unwrap()
        .remove(0);
    let retry = AttemptOutcome::Retry {
        after: Duration::from_secs(5),
        error: "HTTP 503".into(),
    };
    store
        .record_attempt(alert.id, later(T0, 1), retry)
        .await
        .unwrap();
    assert_eq!(
        store.next_alert_due(later(T0, 2)).await.unwrap(),
        Some(Duration::from_secs(4))
    );
    assert!(
        store
            .claim_alerts(later(T0, 5), LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store
        .claim_alerts(later(T0, 6), LEASE, 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!((again.id, again.attempts), (alert.id, 1));
    store
        .record_attempt(
            again.id,
            later(T0, 6),
            AttemptOutcome::GaveUp {
                error: "HTTP 400".into(),
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_alerts(later(T0, 1000), LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn a_recovery_queues_an_up_alert_saying_when_the_outage_began(store: &dyn Store) {
    pulse_then_die(store, "web", 10.0, later(T0, 10)).await;
    let back = store
        .record_pulse(pulse("web", 10.0, later(T0, 70)))
        .await
        .unwrap();
    assert!(back.recovered);
    assert_eq!(back.service.status, Status::Up);
    triage(store, later(T0, 70)).await;
    let alerts = store.claim_alerts(later(T0, 70), LEASE, 10).await.unwrap();
    let kinds: Vec<AlertKind> = alerts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [AlertKind::Down, AlertKind::Up]);
    assert_eq!(alerts[1].down_since, later(T0, 10));
    assert!(
        !store
            .record_pulse(pulse("web", 10.0, later(T0, 75)))
            .await
            .unwrap()
            .recovered
    );
}

pub async fn a_cancelled_service_takes_its_unsent_alerts_with_it(store: &dyn Store) {
    pulse_then_die(store, "old", 1.0, later(T0, 1)).await;
    let removed = store
        .cancel_service(name("old"), later(T0, 2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(removed.status, Status::Dead);
    assert!(
        store
            .claim_alerts(later(T0, 2), LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .cancel_service(name("old"), later(T0, 3))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.list_services().await.unwrap().is_empty());
}

pub async fn grace_restarts_missed_windows_and_strict_keeps_them(store: &dyn Store) {
    store.record_pulse(pulse("missed", 60.0, T0)).await.unwrap();
    store
        .record_pulse(pulse("pending", 3600.0, T0))
        .await
        .unwrap();
    let restart = later(T0, 120);
    let strict = store
        .resume_watch(restart, RestartPolicy::Strict)
        .await
        .unwrap();
    let deadline_of = |watched: &[super::Watched], service: &str| {
        watched
            .iter()
            .find(|w| w.service.as_str() == service)
            .unwrap()
            .deadline
    };
    assert_eq!(deadline_of(&strict, "missed"), later(T0, 60));
    let grace = store
        .resume_watch(restart, RestartPolicy::Grace)
        .await
        .unwrap();
    assert_eq!(
        deadline_of(&grace, "missed"),
        later(restart, 60),
        "a fresh window from the restart"
    );
    assert_eq!(deadline_of(&grace, "pending"), later(T0, 3600), "untouched");
}

pub async fn a_sweep_declares_each_overdue_service_dead_once(store: &dyn Store) {
    for (service, next_in) in [("late", 10.0), ("later", 20.0), ("fine", 60.0)] {
        store
            .record_pulse(pulse(service, next_in, T0))
            .await
            .unwrap();
    }
    let names = |died: Vec<crate::monitor::Service>| {
        died.into_iter()
            .map(|s| s.service.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(store.sweep_dead(later(T0, 5), 10).await.unwrap().is_empty());
    let first = store.sweep_dead(later(T0, 30), 1).await.unwrap();
    assert_eq!(
        names(first),
        ["late"],
        "the limit holds, earliest deadline first"
    );
    let second = store.sweep_dead(later(T0, 30), 10).await.unwrap();
    assert_eq!(names(second), ["later"], "nobody dies twice");
    triage(store, later(T0, 30)).await;
    let alerts = store.claim_alerts(later(T0, 30), LEASE, 10).await.unwrap();
    let alerted: Vec<&str> = alerts.iter().map(|a| a.service.as_str()).collect();
    assert_eq!(alerted, ["late", "later"]);
    assert_eq!(alerts[0].down_since, later(T0, 10));
    let services = store.list_services().await.unwrap();
    let dead: Vec<&str> = services
        .iter()
        .filter(|s| s.status == Status::Dead)
        .map(|s| s.service.as_str())
        .collect();
    assert_eq!(dead, ["late", "later"]);
}

pub async fn writes_after_close_are_refused(store: &dyn Store) {
    store.close().await;
    let refused = store.record_pulse(pulse("late", 1.0, T0)).await;
    assert!(
        matches!(refused, Err(StoreError::Unavailable(_))),
        "{refused:?}"
    );
}
