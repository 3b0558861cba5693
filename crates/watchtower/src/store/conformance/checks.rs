//! Declared checks and the ping history, the same on every backend.

use super::{T0, later, name, pulse};
use crate::monitor::pings::{PingKind, PingNote, PingSource};
use crate::monitor::{Declaration, Status};
use crate::store::Store;

fn note(kind: PingKind, keep: u32) -> PingNote {
    let mut note = PingNote::new(kind, PingSource::Ping)
        .from_client("192.0.2.7", Some("curl/8"))
        .with_body(Some(kind.as_str()));
    note.keep = keep;
    note
}

pub async fn a_declared_service_is_new_until_its_first_pulse_or_its_death(store: &dyn Store) {
    let declared = store
        .declare_service(pulse("nightly", 60.0, T0))
        .await
        .unwrap();
    assert_eq!(declared.outcome, Declaration::Created);
    let service = &declared.service;
    assert_eq!((service.status, service.never_pulsed), (Status::New, true));
    assert_eq!((service.last_pulse, service.deadline), (T0, later(T0, 60)));
    assert!(declared.seq.is_some());
    let again = store
        .declare_service(pulse("nightly", 60.0, later(T0, 5)))
        .await
        .unwrap();
    assert_eq!((again.outcome, again.seq), (Declaration::Unchanged, None));
    let changed = store
        .declare_service(pulse("nightly", 90.0, later(T0, 5)))
        .await
        .unwrap();
    assert_eq!(changed.outcome, Declaration::Changed(vec!["nextIn"]));
    assert_eq!(
        changed.service.deadline,
        later(T0, 90),
        "counted from the declaration"
    );

    let died = store.sweep_dead(later(T0, 91), 10).await.unwrap();
    assert_eq!(died.len(), 1);
    assert!(died[0].never_pulsed, "dead without a first pulse");
    let up = store
        .record_pulse(pulse("nightly", 60.0, later(T0, 100)))
        .await
        .unwrap();
    assert_eq!(up.service.status, Status::Up);
    assert!(up.recovered && !up.service.never_pulsed);
    assert_eq!(up.service.first_seen, Some(T0), "first seen when declared");
}

pub async fn the_ping_history_is_a_ring_that_times_runs(store: &dyn Store) {
    let mut started = pulse("job", 600.0, T0);
    started.note = Some(note(PingKind::Start, 3));
    let running = store.record_pulse(started).await.unwrap();
    assert_eq!(running.service.running_since, Some(T0));
    let mut ended = pulse("job", 600.0, later(T0, 5));
    ended.note = Some(note(PingKind::Pulse, 3));
    let done = store.record_pulse(ended).await.unwrap();
    assert_eq!(done.service.running_since, None);
    let logged = store
        .record_ping(name("job"), note(PingKind::Log, 3), later(T0, 6))
        .await
        .unwrap();
    assert!(logged);
    let pings = store.list_pings(name("job"), 10).await.unwrap();
    let kinds: Vec<PingKind> = pings.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [PingKind::Log, PingKind::Pulse, PingKind::Start]);
    assert_eq!(pings[1].duration, Some(5.0), "the start timed the run");
    assert_eq!(
        (pings[1].client.as_deref(), pings[1].user_agent.as_deref()),
        (Some("192.0.2.7"), Some("curl/8"))
    );
    assert_eq!(pings[0].duration, None);

    let mut restarted = pulse("job", 600.0, later(T0, 10));
    restarted.note = Some(note(PingKind::Start, 3));
    store.record_pulse(restarted).await.unwrap();
    let failed = store
        .record_ping(name("job"), note(PingKind::Fail, 3), later(T0, 12))
        .await
        .unwrap();
    assert!(failed);
    let pings = store.list_pings(name("job"), 10).await.unwrap();
    let kinds: Vec<PingKind> = pings.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [PingKind::Fail, PingKind::Start, PingKind::Log],
        "the last three"
    );
    assert_eq!(pings[0].duration, Some(2.0));
    assert_eq!(
        store
            .service(name("job"))
            .await
            .unwrap()
            .unwrap()
            .running_since,
        None
    );
    assert_eq!(store.list_pings(name("job"), 1).await.unwrap().len(), 1);

    // Plain pulses from one client within a minute fold into one entry.
    for seconds in [30, 40, 50] {
        let mut plain = pulse("job", 600.0, later(T0, seconds));
        let mut quiet =
            PingNote::new(PingKind::Pulse, PingSource::Api).from_client("192.0.2.7", None);
        quiet.keep = 3;
        plain.note = Some(quiet);
        store.record_pulse(plain).await.unwrap();
    }
    let pings = store.list_pings(name("job"), 10).await.unwrap();
    assert_eq!(
        (pings[0].count, pings[0].date, pings[0].last_date),
        (3, later(T0, 30), Some(later(T0, 50)))
    );
    store
        .record_ping(name("job"), note(PingKind::Log, 3), later(T0, 55))
        .await
        .unwrap();
    let pings = store.list_pings(name("job"), 10).await.unwrap();
    assert_eq!((pings[0].kind, pings[0].count), (PingKind::Log, 1));
    assert_eq!(
        (pings[1].count, pings[1].last_date),
        (3, Some(later(T0, 50))),
        "closed with its count"
    );

    let unknown = store
        .record_ping(name("nobody"), note(PingKind::Log, 3), T0)
        .await
        .unwrap();
    assert!(!unknown, "an unmonitored service keeps no history");
    store
        .cancel_service(name("job"), later(T0, 20))
        .await
        .unwrap();
    store
        .record_pulse(pulse("job", 600.0, later(T0, 30)))
        .await
        .unwrap();
    assert!(store.list_pings(name("job"), 10).await.unwrap().is_empty());
}

pub async fn service_pages_follow_code_point_order_under_a_prefix_and_status(store: &dyn Store) {
    use crate::store::ServicePage;
    // Names whose code point order differs from a locale's: capitals, accents,
    // a name beyond the Basic Multilingual Plane, and a neighbour of the prefix.
    let names = [
        "team-a/x",
        "team-a/Y",
        "team-a/é",
        "team-a/\u{1F600}",
        "team-a0",
        "Zed",
        "team-b/y",
    ];
    let mut seq = 0;
    for service in names {
        let recorded = store.record_pulse(pulse(service, 60.0, T0)).await.unwrap();
        if service == "team-a/x" {
            seq = recorded.seq;
        }
    }
    store
        .mark_dead(
            vec![crate::monitor::Due {
                service: name("team-a/x"),
                seq,
            }],
            later(T0, 61),
        )
        .await
        .unwrap();
    let names_of = |services: Vec<crate::monitor::Service>| -> Vec<String> {
        services.iter().map(|s| s.service.to_string()).collect()
    };
    let page = |after: Option<&str>, prefix: &str, stored: Vec<Status>, limit| ServicePage {
        after: after.map(str::to_owned),
        prefix: prefix.to_owned(),
        stored,
        limit,
    };
    let all = store
        .services_page(page(None, "", vec![], 100))
        .await
        .unwrap();
    assert_eq!(
        names_of(all),
        [
            "Zed",
            "team-a/Y",
            "team-a/x",
            "team-a/é",
            "team-a/\u{1F600}",
            "team-a0",
            "team-b/y"
        ]
    );
    let first = store
        .services_page(page(None, "team-a/", vec![], 2))
        .await
        .unwrap();
    assert_eq!(names_of(first), ["team-a/Y", "team-a/x"]);
    let rest = store
        .services_page(page(Some("team-a/x"), "team-a/", vec![], 10))
        .await
        .unwrap();
    assert_eq!(names_of(rest), ["team-a/é", "team-a/\u{1F600}"]);
    let before_prefix = store
        .services_page(page(Some("Zed"), "team-b", vec![], 10))
        .await
        .unwrap();
    assert_eq!(names_of(before_prefix), ["team-b/y"]);
    let dead = store
        .services_page(page(None, "", vec![Status::Dead], 10))
        .await
        .unwrap();
    assert_eq!(names_of(dead), ["team-a/x"]);
    let up_after = store
        .services_page(page(Some("team-a/x"), "", vec![Status::Up, Status::New], 2))
        .await
        .unwrap();
    assert_eq!(names_of(up_after), ["team-a/é", "team-a/\u{1F600}"]);
}
