//! Conformance: events' attributes, stored as sent and matched by `attr.` filters
//! the same way by every backend, whichever index serves the rest of the query.

use super::{T0, later, name};
use crate::events::{
    AttributeFilter, Attributes, Bucket, EventFilter, EventQuery, Level, NewEvent, StatsQuery,
};
use crate::store::Store;

fn attributes(json: serde_json::Value) -> Attributes {
    let serde_json::Value::Object(object) = json else {
        panic!("attributes are an object")
    };
    Attributes::parse(object).expect("valid attributes")
}

fn attr(key: &str, value: &str) -> AttributeFilter {
    AttributeFilter {
        key: key.into(),
        value: value.into(),
    }
}

pub async fn events_keep_their_attributes_and_are_filtered_by_them(store: &dyn Store) {
    let sent = [
        (
            "web",
            "alpha served",
            serde_json::json!({"host": "web-1", "status": 503, "ok": false}),
        ),
        (
            "web",
            "alpha again",
            serde_json::json!({"host": "web-2", "status": 200, "ratio": 0.5}),
        ),
        (
            "db",
            "alpha in db",
            serde_json::json!({"host": "web-1", "say \"ключ\"": "a\\b \"c\""}),
        ),
        ("db", "no attributes", serde_json::json!({})),
    ];
    let events = sent
        .iter()
        .enumerate()
        .map(|(second, (service, message, json))| NewEvent {
            service: name(service),
            level: Level::Error,
            message: (*message).into(),
            date: later(T0, second as u64),
            attributes: attributes(json.clone()),
        })
        .collect();
    let stored = store.add_events(events).await.unwrap();
    let listed = store.query_events(EventQuery::default()).await.unwrap();
    assert_eq!(listed.len(), 4);
    for event in &listed {
        let (_, _, json) = sent.iter().find(|(_, m, _)| *m == event.message).unwrap();
        assert_eq!(
            event.attributes,
            attributes(json.clone()),
            "{}",
            event.message
        );
    }
    assert_eq!(stored[0].attributes, attributes(sent[0].2.clone()));

    let query = |filter: EventFilter| async move {
        let events = (store.query_events(EventQuery {
            filter,
            ..EventQuery::default()
        }))
        .await
        .unwrap();
        events.into_iter().map(|e| e.message).collect::<Vec<_>>()
    };
    let by = |filters: Vec<AttributeFilter>| EventFilter {
        attributes: filters,
        ..EventFilter::default()
    };
    assert_eq!(
        query(by(vec![attr("host", "web-1")])).await,
        ["alpha in db", "alpha served"]
    );
    assert_eq!(
        query(by(vec![attr("status", "503")])).await,
        ["alpha served"]
    );
    assert_eq!(query(by(vec![attr("ok", "false")])).await, ["alpha served"]);
    assert_eq!(query(by(vec![attr("ratio", "0.5")])).await, ["alpha again"]);
    let odd = attr("say \"ключ\"", "a\\b \"c\"");
    assert_eq!(query(by(vec![odd])).await, ["alpha in db"]);
    let both = vec![attr("host", "web-1"), attr("status", "503")];
    assert_eq!(query(by(both)).await, ["alpha served"]);
    let neither = vec![attr("host", "web-1"), attr("status", "200")];
    assert!(
        query(by(neither)).await.is_empty(),
        "every filter must match"
    );
    assert!(query(by(vec![attr("missing", "")])).await.is_empty());
    assert!(
        query(by(vec![attr("host", "WEB-1")])).await.is_empty(),
        "exact"
    );

    // With the other filters, whichever index serves them.
    let with = |filter: EventFilter| EventFilter {
        attributes: vec![attr("host", "web-1")],
        ..filter
    };
    let service = with(EventFilter {
        service: Some(name("web")),
        ..EventFilter::default()
    });
    assert_eq!(query(service).await, ["alpha served"]);
    let range = with(EventFilter {
        from: Some(later(T0, 1)),
        to: Some(later(T0, 3)),
        ..EventFilter::default()
    });
    assert_eq!(query(range).await, ["alpha in db"]);
    let searched = with(EventFilter {
        message: Some("ALPHA".into()),
        ..EventFilter::default()
    });
    assert_eq!(query(searched).await, ["alpha in db", "alpha served"]);
    let scanned = with(EventFilter {
        message: Some("in".into()),
        ..EventFilter::default()
    });
    assert_eq!(query(scanned).await, ["alpha in db"]);

    let stats = StatsQuery {
        filter: EventFilter {
            from: Some(T0),
            to: Some(later(T0, 59)),
            ..by(vec![attr("host", "web-1")])
        },
        from: T0,
        to: later(T0, 59),
        bucket: Bucket::Minute,
    };
    let counts = store.event_stats(stats).await.unwrap();
    let counted: u64 = counts.iter().map(|count| count.count).sum();
    assert_eq!(counted, 2);
}
