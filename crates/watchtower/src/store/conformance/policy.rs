//! The alert policy's storage: snoozes, triage holds and event-rule rate limits.

use std::sync::Arc;
use std::time::Duration;

use super::{LEASE, T0, later, name, pulse, pulse_then_die};
use crate::alert::AlertKind;
use crate::alert::EventLine;
use crate::alert::policy::{NewSnooze, Policy, SnoozeEnd, SnoozeScope};
use crate::alert::rules::{RuleFire, RuleFired};
use crate::events::Level;
use crate::store::Store;

pub async fn a_snooze_holds_deaths_until_it_is_deleted(store: &dyn Store) {
    let scope = SnoozeScope::Prefix("db".into());
    let end = SnoozeEnd::After(Duration::from_secs(60));
    let snooze = NewSnooze::new(scope, None, end, Some("upgrade".into()), T0).unwrap();
    let added = store.add_snooze(snooze).await.unwrap();
    assert_eq!(
        store.list_snoozes(T0).await.unwrap(),
        std::slice::from_ref(&added)
    );
    pulse_then_die(store, "db1", 1.0, later(T0, 2)).await;
    assert!(
        store
            .claim_alerts(later(T0, 2), LEASE, 10)
            .await
            .unwrap()
            .is_empty(),
        "held"
    );
    let deleted = store.delete_snooze(added.id, later(T0, 3)).await.unwrap();
    assert_eq!(deleted.map(|s| s.id), Some(added.id));
    assert_eq!(
        store.delete_snooze(added.id, later(T0, 3)).await.unwrap(),
        None
    );
    let policy = Arc::new(Policy::default());
    store.triage(later(T0, 3), policy).await.unwrap();
    let alerts = store.claim_alerts(later(T0, 3), LEASE, 10).await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].details.snoozed_until, Some(later(T0, 60)));
    assert!(store.list_snoozes(later(T0, 61)).await.unwrap().is_empty());
}

pub async fn an_event_rule_fires_once_per_period_and_counts_the_rest(store: &dyn Store) {
    store
        .record_pulse(pulse("billing", 600.0, T0))
        .await
        .unwrap();
    let fire = |service: &str, matched, at| RuleFire {
        rule: "critical".into(),
        service: name(service),
        event: EventLine {
            date: at,
            level: Level::Critical,
            message: "card declined".into(),
        },
        matched,
        every: Duration::from_secs(60),
        route: None,
        now: at,
    };
    let fired = |f| async move { store.fire_event_rule(f).await.unwrap() };
    assert_eq!(fired(fire("billing", 1, T0)).await, RuleFired::Queued);
    assert_eq!(
        fired(fire("billing", 2, later(T0, 10))).await,
        RuleFired::Quieted
    );
    assert_eq!(
        fired(fire("nobody", 1, later(T0, 10))).await,
        RuleFired::NoRoute
    );
    assert_eq!(
        fired(fire("billing", 1, later(T0, 61))).await,
        RuleFired::Queued
    );
    store
        .triage(later(T0, 61), Arc::new(Policy::default()))
        .await
        .unwrap();
    let alerts = store.claim_alerts(later(T0, 61), LEASE, 10).await.unwrap();
    let quieted: Vec<(AlertKind, u64)> =
        alerts.iter().map(|a| (a.kind, a.details.quieted)).collect();
    assert_eq!(quieted, [(AlertKind::Event, 0), (AlertKind::Event, 2)]);
    assert_eq!(alerts[0].route.target, "ops", "the service's owner");
}
