//! Conformance: the event log, and the nodes' heartbeats.

use super::{T0, later, name};
use crate::events::{EventFilter, EventQuery, Level, NewEvent};
use crate::store::Store;

pub async fn events_filter_and_order(store: &dyn Store) {
    for (second, service, level, message) in [
        (1, "a", Level::Info, "Alpha ONE"),
        (2, "b", Level::Error, "beta"),
        (3, "a", Level::Critical, "alpha two"),
    ] {
        let event = NewEvent {
            service: name(service),
            level,
            message: message.into(),
            date: later(T0, second),
            attributes: Default::default(),
        };
        store.add_event(event).await.unwrap();
    }
    let query = |filter: EventFilter| async move {
        store
            .query_events(EventQuery {
                filter,
                ..EventQuery::default()
            })
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        query(EventFilter::default()).await,
        ["alpha two", "beta", "Alpha ONE"]
    );
    assert_eq!(
        query(EventFilter {
            message: Some("ALPHA".into()),
            ..Default::default()
        })
        .await,
        ["alpha two", "Alpha ONE"]
    );
    // Two letters: no trigram serves them, so the read takes the heavy lane.
    assert_eq!(
        query(EventFilter {
            message: Some("TW".into()),
            ..Default::default()
        })
        .await,
        ["alpha two"]
    );
    // An API key's prefix: `a` is in it, `b` is not.
    assert_eq!(
        query(EventFilter {
            service_prefix: Some("a".into()),
            ..Default::default()
        })
        .await,
        ["alpha two", "Alpha ONE"]
    );
    assert_eq!(
        query(EventFilter {
            min_level: Some(Level::Error),
            service: Some(name("a")),
            ..Default::default()
        })
        .await,
        ["alpha two"]
    );
    assert_eq!(
        query(EventFilter {
            from: Some(later(T0, 2)),
            to: Some(later(T0, 2)),
            ..Default::default()
        })
        .await,
        ["beta"]
    );
    let newest = store
        .query_events(EventQuery {
            limit: 1,
            ..EventQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(newest[0].message, "alpha two");
}

pub async fn bulk_events_are_stored_together_in_order(store: &dyn Store) {
    let events = (0..5)
        .map(|i| NewEvent {
            service: name("bulk"),
            level: Level::Warning,
            message: format!("m{i}"),
            date: later(T0, 1),
            attributes: Default::default(),
        })
        .collect();
    let stored = store.add_events(events).await.unwrap();
    let messages: Vec<&str> = stored.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["m0", "m1", "m2", "m3", "m4"]);
    assert!(stored.windows(2).all(|pair| pair[0].id < pair[1].id));
    assert!(stored.iter().all(|e| e.date == later(T0, 1)));
    let listed = store.query_events(EventQuery::default()).await.unwrap();
    let listed: Vec<&str> = listed.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        listed,
        ["m4", "m3", "m2", "m1", "m0"],
        "newest first, by id within a date"
    );
}

pub async fn heartbeats_show_live_nodes_until_they_stop_or_fall_silent(store: &dyn Store) {
    let node = |id: &str| crate::cluster::NodeInfo {
        id: id.into(),
        address: format!("http://{id}:8080"),
        started: T0,
    };
    store.heartbeat(&node("b"), T0, false).await.unwrap();
    store
        .heartbeat(&node("a"), later(T0, 1), false)
        .await
        .unwrap();
    let live = |at| async move {
        store
            .live_nodes(at)
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.node)
            .collect::<Vec<_>>()
    };
    // A single-node store keeps only its own node, the latest to beat.
    let everyone = live(later(T0, 2)).await;
    assert!(everyone == ["a", "b"] || everyone == ["a"], "{everyone:?}");
    assert_eq!(live(later(T0, 60)).await, Vec::<String>::new(), "silent");
    store
        .heartbeat(&node("a"), later(T0, 61), false)
        .await
        .unwrap();
    assert_eq!(live(later(T0, 62)).await, ["a"]);
    store
        .heartbeat(&node("a"), later(T0, 62), true)
        .await
        .unwrap();
    assert_eq!(live(later(T0, 62)).await, Vec::<String>::new(), "stopped");
}
