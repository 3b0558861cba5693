//! Three nodes on one PostgreSQL database, always (whatever WATCHTOWER_TEST_BACKEND
//! says): any node takes any request, and each death is alerted exactly once
//! cluster-wide, even after a node is killed with `kill -9` mid-run.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use futures::StreamExt;
use serde_json::{Value, json};
use support::{Receiver, Server, assert_stays, wait_for, wait_for_within};

const SERVICES: usize = 1000;
/// Services that stop pulsing: every other one.
fn stops(index: usize) -> bool {
    index.is_multiple_of(2)
}

/// A deterministic pick of a node for each request (no test depends on luck).
struct Picker(AtomicU64);

impl Picker {
    fn next(&self, bound: usize) -> usize {
        let x = self.0.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        let mixed = (x ^ (x >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        (mixed >> 33) as usize % bound
    }
}

/// Pulses `service` through a random live node, as a load balancer would: a node
/// that does not answer is skipped and the next one tried.
async fn pulse(http: &reqwest::Client, urls: &[String], picker: &Picker, index: usize) {
    let service = format!("svc-{index:04}");
    // Both intervals are far beyond a round of pulses even on a loaded machine:
    // only the services that stop die, and only once they have stopped.
    let next_in = if stops(index) { 6.0 } else { 60.0 };
    let body = json!({"service": service, "alertType": "webhook", "alertTarget": "ops", "nextIn": next_in});
    let first = picker.next(urls.len());
    for offset in 0..urls.len() {
        let url = &urls[(first + offset) % urls.len()];
        let sent = http
            .post(url)
            .header("password", support::PASSWORD)
            .json(&body)
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if let Ok(response) = sent {
            assert_eq!(response.status(), StatusCode::OK, "pulse of {service}");
            return;
        }
    }
    panic!("no node answered the pulse of {service}");
}

async fn pulse_all(
    http: &reqwest::Client,
    urls: &[String],
    picker: &Picker,
    which: impl Fn(usize) -> bool,
) {
    futures::stream::iter((0..SERVICES).filter(|i| which(*i)))
        .for_each_concurrent(32, |index| pulse(http, urls, picker, index))
        .await;
}

const STORM_THRESHOLD: usize = 5;

/// Each death the hook heard of, alone or in a digest, with what announced it.
fn reported(hook: &Receiver) -> Vec<(String, Value)> {
    let mut deaths = Vec::new();
    for request in hook.received() {
        let alert = request.json();
        if alert["kind"] == "digest" {
            for member in alert["details"]["members"].as_array().unwrap() {
                deaths.push((
                    member["service"].as_str().unwrap().to_owned(),
                    member.clone(),
                ));
            }
        } else {
            deaths.push((alert["service"].as_str().unwrap().to_owned(), alert));
        }
    }
    deaths
}

async fn live_nodes(server: &Server) -> Vec<Value> {
    let (status, nodes) = server.send(Method::GET, "/cluster", None).await;
    assert_eq!(status, StatusCode::OK);
    nodes.as_array().unwrap().clone()
}

#[tokio::test]
async fn three_nodes_alert_each_death_exactly_once_even_when_one_is_killed() {
    let hook = Receiver::start(&[]).await;
    let (_dirs, mut nodes) = start_three_nodes(&hook).await;
    let mut urls: Vec<String> = nodes.iter().map(|n| n.url.clone()).collect();
    let http = reqwest::Client::new();
    let picker = Picker(AtomicU64::new(7));

    // Two rounds through all three nodes, then one node dies mid-run without a word.
    pulse_all(&http, &urls, &picker, |_| true).await;
    pulse_all(&http, &urls, &picker, |_| true).await;
    let victim = nodes.remove(1);
    let mut victim = victim;
    victim.kill();
    // Its address stays in the balancer's list for a round: requests to it fail over.
    pulse_all(&http, &urls, &picker, |_| true).await;
    urls.remove(1);

    // From now on only the keepers pulse, every half second, until the end.
    let keep_pulsing = Arc::new(AtomicBool::new(true));
    let keeper = tokio::spawn(keep_the_keepers_pulsing(
        http.clone(),
        urls.clone(),
        keep_pulsing.clone(),
    ));
    let stopped: HashSet<String> = (0..SERVICES)
        .filter(|i| stops(*i))
        .map(|i| format!("svc-{i:04}"))
        .collect();
    wait_for_within(
        "an alert for every service that stopped",
        Duration::from_secs(90),
        async || {
            let alerted: HashSet<String> = reported(&hook).into_iter().map(|(s, _)| s).collect();
            stopped.is_subset(&alerted).then_some(())
        },
    )
    .await;
    // Give a second alert, were there one, the time to arrive.
    assert_stays(
        "no alert beyond one per death",
        Duration::from_secs(2),
        || reported(&hook).len() == stopped.len(),
    )
    .await;
    keep_pulsing.store(false, Ordering::Relaxed);
    keeper.await.unwrap();

    each_stopped_service_was_alerted_once_and_storms_were_digested(&hook, &stopped);
    every_node_sees_the_same_story_and_the_killed_one_drops_out(&nodes, &stopped).await;
}

/// Three nodes on a fresh database, their alerts to `hook`, once each lists all three.
async fn start_three_nodes(hook: &Receiver) -> (Vec<tempfile::TempDir>, Vec<Server>) {
    let database = support::create_database();
    let config = json!({
        "storage": {"backend": "postgres", "url": database, "pool": 8},
        "webhooks": {"ops": {"url": hook.url}},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1,
                   "storm": {"threshold": STORM_THRESHOLD, "window": 60, "gather": 1}},
    });
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut nodes = Vec::new();
    for dir in &dirs {
        nodes.push(Server::start(dir.path(), config.clone()).await);
    }
    wait_for("three live nodes in GET /cluster", async || {
        (live_nodes(&nodes[0]).await.len() == 3).then_some(())
    })
    .await;
    (dirs, nodes)
}

/// Pulses the services that keep going through `urls`, every half second, while `keep`.
async fn keep_the_keepers_pulsing(http: reqwest::Client, urls: Vec<String>, keep: Arc<AtomicBool>) {
    let picker = Picker(AtomicU64::new(11));
    while keep.load(Ordering::Relaxed) {
        pulse_all(&http, &urls, &picker, |i| !stops(i)).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn each_stopped_service_was_alerted_once_and_storms_were_digested(
    hook: &Receiver,
    stopped: &HashSet<String>,
) {
    let mut per_service: HashMap<String, Vec<Value>> = HashMap::new();
    for (service, alert) in reported(hook) {
        per_service.entry(service).or_default().push(alert);
    }
    assert_eq!(
        per_service.keys().cloned().collect::<HashSet<_>>(),
        *stopped,
        "alerts went to exactly the services that stopped pulsing"
    );
    for (service, alerts) in &per_service {
        assert_eq!(alerts.len(), 1, "{service} alerted once: {alerts:?}");
        assert_eq!(alerts[0]["status"], "dead");
    }
    // Storm control across the cluster: the first five deaths alone, then digests.
    let alone = hook
        .received()
        .iter()
        .filter(|r| r.json()["kind"] == "down")
        .count();
    assert_eq!(
        alone, STORM_THRESHOLD,
        "deaths alerted alone before the storm"
    );
    let ids: HashSet<i64> = hook
        .received()
        .iter()
        .map(|r| r.json()["alertId"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        hook.received().len(),
        "one alert id per delivery"
    );
}

async fn every_node_sees_the_same_story_and_the_killed_one_drops_out(
    nodes: &[Server],
    stopped: &HashSet<String>,
) {
    for node in nodes {
        let services = node.services().await;
        let dead = services.iter().filter(|s| s["status"] == "dead").count();
        assert_eq!((services.len(), dead), (SERVICES, stopped.len()));
    }
    let survivors: HashSet<String> = nodes.iter().map(|n| n.url.clone()).collect();
    wait_for("the killed node to leave GET /cluster", async || {
        let listed: HashSet<String> = live_nodes(&nodes[0])
            .await
            .iter()
            .map(|n| n["address"].as_str().unwrap().to_owned())
            .collect();
        (listed == survivors).then_some(())
    })
    .await;
}

/// Seconds between an RFC 3339 date and the test's own clock.
fn seconds_from_now(date: &Value) -> f64 {
    let date = chrono::DateTime::parse_from_rfc3339(date.as_str().unwrap()).unwrap();
    (date.timestamp_millis() - chrono::Utc::now().timestamp_millis()) as f64 / 1000.0
}

#[tokio::test]
async fn nodes_with_skewed_clocks_stamp_the_database_time_and_never_alert_early() {
    let hook = Receiver::start(&[]).await;
    let database = support::create_database();
    let config = json!({
        "storage": {"backend": "postgres", "url": database},
        "webhooks": {"ops": {"url": hook.url}},
        "alerts": {"timeout": 2, "retryMin": 0.2, "retryMax": 1},
    });
    let (behind_dir, ahead_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Ten minutes off either way: had a node used its own clock, `behind` would
    // have set deadlines already past (an alert at once) and `ahead` ten minutes late.
    let behind = Server::start_skewed(behind_dir.path(), config.clone(), "-600s").await;
    let ahead = Server::start_skewed(ahead_dir.path(), config, "+600s").await;

    for (node, service) in [(&behind, "via-behind"), (&ahead, "via-ahead")] {
        let pulsed = node.pulse(service, "webhook", "ops", 2.0).await;
        let skew = seconds_from_now(&pulsed["lastPulse"]);
        assert!(
            skew.abs() < 60.0,
            "{service}: lastPulse {skew}s off the real time"
        );
    }
    let (status, event) = behind
        .send(
            Method::POST,
            "/add-event",
            Some(json!({"service": "via-behind", "level": "info", "message": "m"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(seconds_from_now(&event["date"]).abs() < 60.0, "{event}");

    assert_stays(
        "no alert before the deadlines",
        Duration::from_millis(1500),
        || hook.received().is_empty(),
    )
    .await;
    let alerts = hook.wait_for_requests(2).await;
    let mut alerted: Vec<String> = alerts
        .iter()
        .map(|a| a.json()["service"].as_str().unwrap().to_owned())
        .collect();
    alerted.sort();
    assert_eq!(alerted, ["via-ahead", "via-behind"]);
    assert_stays("one alert each", Duration::from_millis(800), || {
        hook.received().len() == 2
    })
    .await;
}

#[tokio::test]
async fn an_alert_whose_sender_dies_mid_delivery_is_taken_over_when_its_lease_expires() {
    // The receiver never answers the first attempt: its sender is killed meanwhile.
    let hook = Receiver::start(&[0]).await;
    let database = support::create_database();
    let config = json!({
        "storage": {"backend": "postgres", "url": database},
        "webhooks": {"ops": {"url": hook.url}},
        "alerts": {"timeout": 1, "retryMin": 0.2, "retryMax": 1},
    });
    let (first_dir, second_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut first = Server::start(first_dir.path(), config.clone()).await;
    first.pulse("orphaned", "webhook", "ops", 0.2).await;
    hook.wait_for_requests(1).await;
    first.kill();

    // The lease (twice the timeout plus 5 s) runs out, and the other node sends it.
    let second = Server::start(second_dir.path(), config).await;
    let requests = hook.wait_for_requests(2).await;
    let (lost, delivered) = (requests[0].json(), requests[1].json());
    assert_eq!(delivered["service"], "orphaned");
    assert_eq!(
        delivered["alertId"], lost["alertId"],
        "the same alert, taken over"
    );
    assert_stays("delivered once", Duration::from_millis(1500), || {
        hook.received().len() == 2
    })
    .await;
    assert_eq!(second.status_of("orphaned").await.as_deref(), Some("dead"));
}
