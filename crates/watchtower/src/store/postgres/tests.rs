//! The store conformance suite on PostgreSQL, each test on a database of its own,
//! and what only a shared database has to get right.

use super::*;

/// The server the tests use: `$WATCHTOWER_TEST_POSTGRES_URL`, else the local one.
fn server_url() -> String {
    std::env::var("WATCHTOWER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable".into())
}

/// A database of its own for one test, on the test server; `scripts/test` drops
/// what earlier runs left.
async fn fresh_database() -> PostgresConfig {
    let url = server_url();
    let (admin, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|error| {
            panic!("PostgreSQL is required at {url} (scripts/test starts one): {error}")
        });
    tokio::spawn(connection);
    let name = format!("wt_test_unit_{:016x}", rand::random::<u64>());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let config: tokio_postgres::Config = url.parse().unwrap();
    let url = format!(
        "postgres://{}@{}:{}/{name}?sslmode=disable",
        config.get_user().unwrap_or("postgres"),
        describe_target(&config).split(':').next().unwrap(),
        config.get_ports().first().copied().unwrap_or(5432),
    );
    PostgresConfig {
        url: crate::config::Secret::new(url),
        pool: 4,
        ca_cert: None,
    }
}

async fn fresh() -> PgStore {
    PgStore::open(&fresh_database().await, Clock::Caller)
        .await
        .unwrap()
}

crate::store::conformance::suite!(async { ((), fresh().await) });

#[tokio::test]
async fn nodes_starting_together_on_a_new_database_migrate_it_once() {
    let config = fresh_database().await;
    let (a, b, c) = tokio::join!(
        PgStore::open(&config, Clock::Database),
        PgStore::open(&config, Clock::Database),
        PgStore::open(&config, Clock::Database),
    );
    let (a, _b, _c) = (a.unwrap(), b.unwrap(), c.unwrap());
    let client = a.pool.get().await.unwrap();
    let row = client
        .query_one("SELECT count(*), max(version) FROM watchtower_schema", &[])
        .await
        .unwrap();
    let (steps, version): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(
        (steps, version),
        (schema::latest_version(), schema::latest_version())
    );
}

#[tokio::test]
async fn the_database_clock_stamps_what_the_callers_clock_would_have() {
    let store = PgStore::open(&fresh_database().await, Clock::Database)
        .await
        .unwrap();
    let long_ago = Timestamp::from_millis(1_000_000_000_000);
    let pulse = Pulse {
        service: ServiceName::parse("service", "db-clock").unwrap(),
        alert: crate::monitor::AlertRoute {
            kind: crate::monitor::AlertType::Webhook,
            target: "ops".into(),
        },
        cadence: crate::monitor::Cadence::Every(crate::monitor::NextIn::parse(60.0).unwrap()),
        grace: Duration::ZERO,
        at: long_ago,
        remind_every: None,
        depends_on: None,
        note: None,
    };
    let recorded = store.record_pulse(pulse).await.unwrap();
    let now = Timestamp::now();
    assert!(
        now.since(recorded.service.last_pulse) < Duration::from_secs(60),
        "stamped now by the database, not in 2001: {:?}",
        recorded.service.last_pulse
    );
    assert_eq!(
        recorded.service.deadline,
        recorded.service.last_pulse.plus(Duration::from_secs(60))
    );
    let event = NewEvent::parse("db-clock", "info", "m".into(), long_ago).unwrap();
    assert!(now.since(store.add_event(event).await.unwrap().date) < Duration::from_secs(60));
    // Nothing is overdue by the database's clock, whatever the caller says.
    let far_future = Timestamp::from_millis(4_000_000_000_000);
    assert!(store.sweep_dead(far_future, 10).await.unwrap().is_empty());
}
