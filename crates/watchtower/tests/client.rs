//! The Rust client library (`watchtower-client`) against the real server: every
//! operation, pagination, the live tail, the heartbeat, errors, timeouts, HTTPS
//! with a private CA, and the blocking client.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use futures::TryStreamExt;
use serde_json::json;
use support::{PASSWORD, Receiver, ReservedPort, Server, wait_for, wait_for_blocking};
use watchtower_client::{
    AttributeValue, Attributes, Client, Error, EventQuery, Heartbeat, Level, Order, Pulse,
    ServiceQuery, Status,
};

fn ops() -> serde_json::Value {
    json!({"webhooks": {"ops": {"url": "http://127.0.0.1:9/hook"}}})
}

fn client(server: &Server) -> Client {
    Client::builder(&server.url, PASSWORD).build().unwrap()
}

fn pulse(service: &str, next_in: u64) -> Pulse {
    Pulse::new(service, Duration::from_secs(next_in), "webhook", "ops")
}

#[tokio::test]
async fn every_operation_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), ops()).await;
    let client = client(&server);
    pulses_and_the_service_list_round_trip(&client).await;
    an_event_round_trips_and_a_query_of_every_filter_finds_it(&client).await;
    events_page_by_cursor_oldest_first_each_once(&client).await;

    let removed = client.cancel("api").await.unwrap();
    assert_eq!(removed.service, "api");
    assert!(matches!(
        client.cancel("api").await,
        Err(Error::NotFound { .. })
    ));
}

async fn pulses_and_the_service_list_round_trip(client: &Client) {
    let answer = client
        .pulse(
            &pulse("backup", 60)
                .remind_every(Duration::from_secs(600))
                .depends_on("nas"),
        )
        .await
        .unwrap();
    assert_eq!(
        (answer.service.as_str(), answer.status, answer.next_in),
        ("backup", Status::Up, 60.0)
    );
    assert_eq!(
        (answer.remind_every, answer.depends_on.as_deref()),
        (Some(600.0), Some("nas"))
    );
    client.pulse(&pulse("api", 60)).await.unwrap();
    let names: Vec<String> = client
        .services()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.service)
        .collect();
    assert_eq!(names, ["api", "backup"]);
}

#[tokio::test]
async fn services_are_filtered_by_prefix_and_status_whole_or_by_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), ops()).await;
    let client = client(&server);
    for name in ["team-a/db", "team-a/web", "team-a/queue", "team-b/db"] {
        client.pulse(&pulse(name, 600)).await.unwrap();
    }
    client
        .pulse(&Pulse::new(
            "team-a/cron",
            Duration::from_millis(100),
            "webhook",
            "ops",
        ))
        .await
        .unwrap();
    let names = |services: Vec<watchtower_client::Service>| -> Vec<String> {
        services.into_iter().map(|s| s.service).collect()
    };
    let team_a = ServiceQuery::new().prefix("team-a/");
    let dead = team_a.clone().status(Status::Dead);
    wait_for("team-a/cron to die", async || {
        let found = client.services_matching(&dead).await.unwrap();
        (names(found) == ["team-a/cron"]).then_some(())
    })
    .await;
    let up = client
        .services_matching(&team_a.clone().status(Status::Up).status(Status::Late))
        .await
        .unwrap();
    assert_eq!(names(up), ["team-a/db", "team-a/queue", "team-a/web"]);

    let mut query = team_a.limit(3);
    let mut pages = Vec::new();
    loop {
        let page = client.services_page(&query).await.unwrap();
        pages.push(names(page.services));
        match page.next_cursor {
            Some(cursor) => query = query.cursor(cursor),
            None => break,
        }
    }
    assert_eq!(
        pages,
        [
            vec!["team-a/cron", "team-a/db", "team-a/queue"],
            vec!["team-a/web"]
        ]
    );
    let refused = client
        .services_page(&ServiceQuery::new().limit(0))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, Error::InvalidRequest { field: Some(field), .. } if field == "limit"),
        "{refused:?}"
    );
}

async fn an_event_round_trips_and_a_query_of_every_filter_finds_it(client: &Client) {
    let event = client
        .add_event("backup", Level::Warning, "disk 91% full")
        .await
        .unwrap();
    assert_eq!(
        (event.level, event.message.as_str()),
        (Level::Warning, "disk 91% full")
    );
    let query = EventQuery::new()
        .service("backup")
        .min_level(Level::Warning)
        .message("DISK")
        .from(event.date)
        .to(event.date);
    let page = client.list_events(&query).await.unwrap();
    assert_eq!(page.events, std::slice::from_ref(&event));
    assert_eq!(page.next_cursor, None);
    assert!(event.attributes.is_empty());

    let attributes = Attributes::from([
        ("host".to_owned(), AttributeValue::from("db-1")),
        ("status".to_owned(), AttributeValue::from(503)),
        ("ratio".to_owned(), AttributeValue::from(0.25)),
        ("retry".to_owned(), AttributeValue::from(true)),
    ]);
    let tagged = client
        .add_event_with("backup", Level::Error, "tagged", &attributes)
        .await
        .unwrap();
    assert_eq!(tagged.attributes, attributes);
    let by = |query: EventQuery| async move {
        let page = client.list_events(&query).await.unwrap();
        page.events
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
    };
    let both = EventQuery::new()
        .attribute("host", "db-1")
        .attribute("status", 503);
    assert_eq!(by(both).await, ["tagged"]);
    let typed = EventQuery::new()
        .attribute("retry", true)
        .attribute("ratio", 0.25);
    assert_eq!(by(typed).await, ["tagged"]);
    assert!(
        by(EventQuery::new().attribute("status", "500"))
            .await
            .is_empty()
    );
    let listed = client
        .list_events(&EventQuery::new().limit(1))
        .await
        .unwrap();
    assert_eq!(listed.events[0].attributes, attributes);
}

async fn events_page_by_cursor_oldest_first_each_once(client: &Client) {
    for i in 0..24 {
        client
            .add_event("paged", Level::Info, &format!("event {i}"))
            .await
            .unwrap();
    }
    let first = client
        .list_events(&EventQuery::new().service("paged").limit(10))
        .await
        .unwrap();
    assert_eq!(first.events.len(), 10);
    assert!(first.next_cursor.is_some());
    let all: Vec<_> = client
        .all_events(
            EventQuery::new()
                .service("paged")
                .order(Order::Asc)
                .limit(10),
        )
        .try_collect()
        .await
        .unwrap();
    let messages: Vec<String> = all.iter().map(|e| e.message.clone()).collect();
    let expected: Vec<String> = (0..24).map(|i| format!("event {i}")).collect();
    assert_eq!(
        messages, expected,
        "three pages, oldest first, each event once"
    );
}

#[tokio::test]
async fn errors_say_what_went_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), ops()).await;
    let wrong = Client::builder(&server.url, "wrong").build().unwrap();
    assert!(matches!(
        wrong.services().await,
        Err(Error::Authentication { .. })
    ));
    let invalid = client(&server)
        .pulse(&Pulse::new("x", Duration::ZERO, "webhook", "ops"))
        .await
        .unwrap_err();
    match invalid {
        Error::InvalidRequest { field, status, .. } => {
            assert_eq!((field.as_deref(), status), (Some("nextIn"), 400))
        }
        other => panic!("{other:?}"),
    }
    let closed = ReservedPort::hold();
    let nowhere = Client::builder(closed.url(), PASSWORD).build().unwrap();
    let down = nowhere.services().await.unwrap_err();
    assert!(down.is_retryable(), "{down:?}");
    let silent = Receiver::start(&[0]).await;
    let slow = Client::builder(&silent.url, PASSWORD)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    assert!(
        matches!(slow.services().await, Err(Error::Unavailable { .. })),
        "a timeout is an outage"
    );
    assert!(matches!(
        Client::builder("ftp://x", "p").build(),
        Err(Error::Config { .. })
    ));
}

#[tokio::test]
async fn the_live_tail_brings_new_events() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), ops()).await;
    let client = client(&server);
    let mut live = std::pin::pin!(
        client
            .follow_events(
                &EventQuery::new()
                    .service("web")
                    .min_level(Level::Error)
                    .attribute("region", "eu")
            )
            .await
            .unwrap()
    );
    client
        .add_event("web", Level::Info, "ignored")
        .await
        .unwrap();
    let region = |name: &str| Attributes::from([("region".to_owned(), name.into())]);
    client
        .add_event_with("web", Level::Error, "elsewhere", &region("us"))
        .await
        .unwrap();
    client
        .add_event_with("web", Level::Error, "502 from upstream", &region("eu"))
        .await
        .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(10), live.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(event.message, "502 from upstream");
}

#[tokio::test]
async fn a_heartbeat_pulses_until_stopped_and_may_cancel() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), ops()).await;
    let client = client(&server);
    assert!(
        Heartbeat::start(client.clone(), pulse("w", 1), Duration::from_secs(2)).is_err(),
        "beats slower than nextIn"
    );
    let beat = Pulse::new("worker", Duration::from_secs(5), "webhook", "ops");
    let heartbeat = Heartbeat::start(client.clone(), beat, Duration::from_millis(200)).unwrap();
    let first = wait_for("a first beat", async || {
        client.services().await.unwrap().into_iter().next()
    })
    .await;
    wait_for("a later beat", async || {
        let now = client.services().await.unwrap().into_iter().next()?;
        (now.last_pulse > first.last_pulse).then_some(())
    })
    .await;
    heartbeat.cancel_on_stop(true).stop().await.unwrap();
    assert!(
        client.services().await.unwrap().is_empty(),
        "cancelled on a clean stop"
    );
}

#[tokio::test]
async fn https_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let pem = support::write_self_signed(dir.path());
    let mut config = ops();
    config["ssl"] = json!({"enabled": true, "cert": "server.crt", "key": "server.key"});
    let server = Server::start(dir.path(), config).await;
    let url = server.url.replace("127.0.0.1", "localhost");
    let trusting = Client::builder(&url, PASSWORD)
        .ca_certificate_pem(pem)
        .build()
        .unwrap();
    assert!(trusting.services().await.unwrap().is_empty());
    let untrusting = Client::builder(&url, PASSWORD).build().unwrap();
    assert!(
        matches!(untrusting.services().await, Err(Error::Unavailable { .. })),
        "an unknown CA is refused"
    );
}

#[test]
fn the_blocking_client_offers_the_same_calls() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = runtime.block_on(Server::start(dir.path(), ops()));
    let client = watchtower_client::blocking::Client::builder(&server.url, PASSWORD)
        .build()
        .unwrap();
    client.pulse(&pulse("cron", 60)).unwrap();
    for i in 0..5 {
        client
            .add_event("cron", Level::Info, &format!("run {i}"))
            .unwrap();
    }
    assert_eq!(client.services().unwrap()[0].service, "cron");
    let all: Vec<_> = client
        .all_events(EventQuery::new().service("cron").limit(2))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        all.len(),
        6,
        "five events and the start of monitoring, over three pages"
    );
    assert!(matches!(client.cancel("nope"), Err(Error::NotFound { .. })));
    let beat = Pulse::new("beating", Duration::from_secs(5), "webhook", "ops");
    let heartbeat = watchtower_client::blocking::Heartbeat::start(
        client.clone(),
        beat,
        Duration::from_millis(100),
    )
    .unwrap();
    let beats = || {
        client
            .services()
            .unwrap()
            .into_iter()
            .find(|s| s.service == "beating")
            .map(|s| s.last_pulse)
    };
    let first = wait_for_blocking("a first beat", beats);
    wait_for_blocking("a second beat", || beats().filter(|at| *at > first));
    heartbeat.cancel_on_stop(true).stop().unwrap();
    assert!(beats().is_none(), "cancelled on a clean stop");
    drop(server);
}
