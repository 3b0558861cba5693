//! Conformance: the event log at scale — pages, counts, retention, the live feed.

use std::time::Duration;

use super::{T0, later, name};
use crate::events::retention::Prune;
use crate::events::{
    Bucket, EventFilter, EventQuery, Level, NewEvent, Order, Position, StatsQuery,
};
use crate::store::Store;
use crate::time::Timestamp;

fn event(service: &str, level: Level, message: &str, date: Timestamp) -> NewEvent {
    NewEvent {
        service: name(service),
        level,
        message: message.into(),
        date,
        attributes: Default::default(),
    }
}

/// Follows the pages of `query` to the end, adding one new event after each page.
async fn follow(store: &dyn Store, mut query: EventQuery, arrivals: &mut u64) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let page = store.query_events(query.clone()).await.unwrap();
        seen.extend(page.iter().map(|e| e.message.clone()));
        let Some(last) = page.last() else { break };
        query.after = Some(Position::of(last));
        *arrivals += 1;
        let newcomer = event("n", Level::Info, &format!("new {arrivals}"), later(T0, 100));
        store.add_event(newcomer).await.unwrap();
        if page.len() < query.limit as usize {
            break;
        }
    }
    seen
}

pub async fn pages_continue_after_their_position_in_either_order(store: &dyn Store) {
    // Several events share a millisecond: the id orders them.
    let batch = (0..7)
        .map(|i| event("p", Level::Info, &format!("old {i}"), later(T0, 1 + i / 3)))
        .collect();
    store.add_events(batch).await.unwrap();
    let old = |order: Order| {
        let mut names: Vec<String> = (0..7).map(|i| format!("old {i}")).collect();
        if order == Order::Desc {
            names.reverse();
        }
        names
    };
    let mut arrivals = 0;
    let only_old = EventFilter {
        service: Some(name("p")),
        ..EventFilter::default()
    };
    for order in [Order::Desc, Order::Asc] {
        let query = EventQuery {
            filter: only_old.clone(),
            order,
            limit: 2,
            ..EventQuery::default()
        };
        assert_eq!(
            follow(store, query, &mut arrivals).await,
            old(order),
            "{order:?}"
        );
    }
    // Newest first, what arrives during the walk is newer than where it started.
    let everything = EventQuery {
        limit: 3,
        ..EventQuery::default()
    };
    let seen = follow(store, everything, &mut arrivals).await;
    let start = seen.iter().position(|m| m == "old 6").unwrap();
    assert_eq!(seen[start..], old(Order::Desc)[..]);
    // Oldest first, it is met at the end, each event once.
    let ascending = EventQuery {
        order: Order::Asc,
        limit: 4,
        ..EventQuery::default()
    };
    let seen = follow(store, ascending, &mut arrivals).await;
    assert_eq!(seen[..7], old(Order::Asc)[..]);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no event twice: {seen:?}");
}

pub async fn stats_count_per_bucket_and_level(store: &dyn Store) {
    let minute = |m: u64| later(T0, 60 * m);
    let events = [
        ("a", Level::Info, 0),
        ("a", Level::Info, 0),
        ("b", Level::Error, 0),
        ("a", Level::Critical, 2),
        ("b", Level::Debug, 3),
    ];
    for (service, level, at) in events {
        store
            .add_event(event(service, level, "x", minute(at)))
            .await
            .unwrap();
    }
    let query = |filter: EventFilter| StatsQuery {
        filter: EventFilter {
            from: Some(minute(0)),
            to: Some(minute(2)),
            ..filter
        },
        from: minute(0),
        to: minute(2),
        bucket: Bucket::Minute,
    };
    let mut counts = store
        .event_stats(query(EventFilter::default()))
        .await
        .unwrap();
    counts.sort_by_key(|c| (c.start, c.level));
    let counts: Vec<(Timestamp, Level, u64)> =
        counts.iter().map(|c| (c.start, c.level, c.count)).collect();
    assert_eq!(Bucket::Minute.floor(T0), T0, "T0 starts a minute");
    let expected = [
        (minute(0), Level::Info, 2),
        (minute(0), Level::Error, 1),
        (minute(2), Level::Critical, 1),
    ];
    assert_eq!(counts, expected);
    let errors = store
        .event_stats(query(EventFilter {
            min_level: Some(Level::Error),
            service: Some(name("b")),
            ..EventFilter::default()
        }))
        .await
        .unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].level, errors[0].count), (Level::Error, 1));
}

pub async fn pruning_deletes_the_oldest_in_steps_and_keeps_the_newest(store: &dyn Store) {
    let batch = (0..10)
        .map(|i| event("r", Level::Info, &format!("e{i}"), later(T0, i)))
        .collect();
    store.add_events(batch).await.unwrap();
    let left = || async {
        let all = EventQuery {
            order: Order::Asc,
            ..EventQuery::default()
        };
        let events = store.query_events(all).await.unwrap();
        events.into_iter().map(|e| e.message).collect::<Vec<_>>()
    };
    let by_count = Prune {
        before: None,
        keep: Some(6),
        limit: 3,
    };
    assert_eq!(store.prune_events(by_count).await.unwrap(), 3, "one step");
    assert_eq!(store.prune_events(by_count).await.unwrap(), 1);
    assert_eq!(store.prune_events(by_count).await.unwrap(), 0);
    assert_eq!(left().await, ["e4", "e5", "e6", "e7", "e8", "e9"]);
    let by_age = Prune {
        before: Some(later(T0, 7)),
        keep: None,
        limit: 100,
    };
    assert_eq!(store.prune_events(by_age).await.unwrap(), 3);
    assert_eq!(left().await, ["e7", "e8", "e9"]);
    let everything = Prune {
        before: Some(later(T0, 1000)),
        keep: Some(1),
        limit: 100,
    };
    store.prune_events(everything).await.unwrap();
    assert_eq!(left().await, ["e9"], "the newest event stays");
}

pub async fn the_feed_publishes_stored_events_in_order(store: &dyn Store) {
    let mut feed = store.feed().subscribe();
    let stored = store
        .add_events(vec![
            event("f", Level::Info, "one", later(T0, 1)),
            event("f", Level::Info, "two", later(T0, 1)),
        ])
        .await
        .unwrap();
    let single = store
        .add_event(event("f", Level::Error, "three", later(T0, 2)))
        .await
        .unwrap();
    let mut received = Vec::new();
    while received.len() < 3 {
        let next = tokio::time::timeout(Duration::from_secs(10), feed.recv()).await;
        received.push((*next.expect("published").unwrap()).clone());
    }
    assert_eq!(received[..2], stored[..]);
    assert_eq!(received[2], single);
}
