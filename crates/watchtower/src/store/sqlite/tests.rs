//! The SQLite backend's own tests, besides the shared conformance suite.

use rusqlite::Connection;

use super::*;
use crate::events::Order;

async fn fresh() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    (dir, store)
}

crate::store::conformance::suite!(fresh());

#[tokio::test]
async fn reopening_keeps_the_data_and_the_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    let event = NewEvent::parse("svc", "info", "kept".into(), Timestamp::from_millis(1)).unwrap();
    store.add_event(event).await.unwrap();
    store.close().await;
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    assert_eq!(
        store.query_events(EventQuery::default()).await.unwrap()[0].message,
        "kept"
    );
    let conn = Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, schema::latest_version());
}

/// Waits until the search index covers every stored event.
async fn indexed(dir: &Path) {
    let conn = Connection::open(dir.join(SEARCH_FILE)).unwrap();
    let events = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    for _ in 0..200 {
        let upto: i64 = conn
            .query_row("SELECT indexed_upto FROM search_state", [], |r| r.get(0))
            .unwrap();
        let newest: i64 = events
            .query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0))
            .unwrap();
        if upto == newest {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the search index did not catch up");
}

#[tokio::test]
async fn searches_through_the_index_and_past_it_agree_with_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    let messages = |range: std::ops::Range<usize>| -> Vec<NewEvent> {
        range
            .map(|i| {
                let text = match i % 4 {
                    0 => format!("Disk FULL on volume {i}"),
                    1 => format!("École fermée {i}"),
                    2 => format!("disk ok {i}"),
                    _ => format!("quote \"x\" 50% {i}"),
                };
                NewEvent::parse("svc", "info", text, Timestamp::from_millis(i as i64)).unwrap()
            })
            .collect()
    };
    store.add_events(messages(0..40)).await.unwrap();
    indexed(dir.path()).await;
    // Newer events the indexer has not reached yet are found by the scan.
    store.add_events(messages(40..48)).await.unwrap();
    for (needle, order) in [
        ("disk full", Order::Desc),
        ("ÉCOLE", Order::Asc),
        ("\"x\" 50%", Order::Desc),
        ("volume 4", Order::Asc),
    ] {
        let all = store.query_events(EventQuery::default()).await.unwrap();
        let mut expected: Vec<i64> = all
            .iter()
            .filter(|e| e.message.to_lowercase().contains(&needle.to_lowercase()))
            .map(|e| e.id)
            .collect();
        if order == Order::Asc {
            expected.reverse();
        }
        let mut query = EventQuery {
            filter: crate::events::EventFilter {
                message: Some(needle.into()),
                ..Default::default()
            },
            order,
            limit: 3,
            ..EventQuery::default()
        };
        let mut found = Vec::new();
        loop {
            let page = store.query_events(query.clone()).await.unwrap();
            found.extend(page.iter().map(|e| e.id));
            match page.last() {
                Some(last) if page.len() == 3 => {
                    query.after = Some(crate::events::Position::of(last))
                }
                _ => break,
            }
        }
        assert!(!expected.is_empty(), "{needle}");
        assert_eq!(found, expected, "{needle} {order:?}");
    }
}

/// Counts the events of `service` in the store's own database.
fn events_of(dir: &Path, service: &str) -> i64 {
    Connection::open(dir.join(DATABASE_FILE))
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM events JOIN event_services s ON s.id = service_id WHERE s.name = ?1",
            [service],
            |row| row.get(0),
        )
        .unwrap()
}

/// A write that fails after its first row: alone in its batch (the transaction
/// is its savepoint) or, when queued among others as in the test's second half
/// (usually, not always, in the same batch), with a savepoint of its own, it
/// leaves nothing and the others are kept.
async fn failing_write(store: &SqliteStore) -> Result<(), StoreError> {
    store
        .writer
        .write_rows(2, |conn, state| {
            let event = NewEvent::parse("half", "info", "first".into(), Timestamp::from_millis(1));
            ops::add_event(conn, state, event.unwrap())?;
            conn.execute("INSERT INTO no_such_table VALUES (1)", [])?;
            Ok(())
        })
        .await
}

#[tokio::test]
async fn a_failing_write_leaves_nothing_alone_or_beside_others() {
    let (dir, store) = fresh().await;
    assert!(failing_write(&store).await.is_err());
    assert_eq!(events_of(dir.path(), "half"), 0);

    let store = std::sync::Arc::new(store);
    let beside = (0..20).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let at = Timestamp::from_millis(2);
            let event = NewEvent::parse("whole", "info", format!("{i}"), at).unwrap();
            store.add_event(event).await.map(|_| ())
        })
    });
    let beside: Vec<_> = beside.collect();
    assert!(failing_write(&store).await.is_err());
    for write in beside {
        write.await.unwrap().unwrap();
    }
    assert_eq!(events_of(dir.path(), "half"), 0);
    assert_eq!(events_of(dir.path(), "whole"), 20);
}

/// A pulse runs without a savepoint when it writes the service's row alone,
/// and takes one when it writes more: either way a failure leaves nothing of
/// it, and the pulses beside it are kept.
#[tokio::test]
async fn a_failing_pulse_leaves_nothing_whether_it_writes_one_row_or_more() {
    use crate::store::conformance::pulse;
    let (dir, store) = fresh().await;
    let at = Timestamp::from_millis(1_800_000_000_000);
    store.record_pulse(pulse("steady", 60.0, at)).await.unwrap();
    // A new service's pulse writes its row and its first event, and the event
    // is refused; a known service's plain pulse writes its row, and the row is.
    Connection::open(dir.path().join(DATABASE_FILE))
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER refuse_event BEFORE INSERT ON events
               WHEN (SELECT name FROM event_services WHERE id = NEW.service_id) = 'fresh'
               BEGIN SELECT RAISE(ABORT, 'refused'); END;
             CREATE TRIGGER refuse_row BEFORE UPDATE ON services
               WHEN NEW.name = 'steady' AND NEW.next_in = 7
               BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        )
        .unwrap();
    let store = std::sync::Arc::new(store);
    let beside: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .record_pulse(pulse(&format!("beside-{i}"), 60.0, at))
                    .await
            })
        })
        .collect();
    assert!(store.record_pulse(pulse("fresh", 60.0, at)).await.is_err());
    assert!(store.record_pulse(pulse("steady", 7.0, at)).await.is_err());
    for pulse in beside {
        pulse.await.unwrap().unwrap();
    }
    let conn = Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |row| row.get::<_, i64>(0)).unwrap();
    assert_eq!(
        count("SELECT COUNT(*) FROM services WHERE name = 'fresh'"),
        0
    );
    assert_eq!(
        count("SELECT CAST(next_in AS INTEGER) FROM services WHERE name = 'steady'"),
        60
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM services WHERE name LIKE 'beside-%'"),
        20
    );
    assert_eq!(events_of(dir.path(), "fresh"), 0);
}

#[test]
fn the_writer_remembers_a_bounded_number_of_service_ids() {
    let mut ids = writer::ServiceIds::default();
    for id in 0..20_000 {
        ids.remember(&format!("svc-{id}"), id);
    }
    assert!(ids.len() <= 8 * 1024, "{} names remembered", ids.len());
    assert_eq!(ids.get("svc-19999"), Some(19_999));
    assert_eq!(ids.get("svc-0"), None);
}

#[tokio::test]
async fn events_keep_their_service_past_the_writers_memory_of_names() {
    let (dir, store) = fresh().await;
    let event = |service: usize| {
        let name = format!("svc-{service}");
        NewEvent::parse(&name, "info", name.clone(), Timestamp::from_millis(1)).unwrap()
    };
    // Twice round more names than the writer remembers: the second round
    // finds every name forgotten or remembered, and none stored twice.
    for _ in 0..2 {
        store
            .add_events((0..9_000).map(event).collect())
            .await
            .unwrap();
    }
    let conn = Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    let (names, mismatched): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM event_services),
                    (SELECT COUNT(*) FROM events e JOIN event_services s ON s.id = e.service_id
                     WHERE s.name <> e.message)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((names, mismatched), (9_000, 0));
    assert_eq!(events_of(dir.path(), "svc-8999"), 2);
}
