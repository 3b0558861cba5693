//! `/metrics`: what Prometheus scrapes. Counters and histograms are updated where
//! things happen (pulses, events, alert deliveries, HTTP requests, store commits);
//! gauges (services by status, the outbox) are read off the store at each scrape.

mod per_service;

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::events::Level;
use crate::store::{StoreGauges, batching::WriteStats};
use crate::time::Timestamp;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LevelLabel {
    level: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AuthLabels {
    /// `password` or `ping key`.
    credential: &'static str,
    /// `refused` (401, 404) or `throttled` (429 after a delay).
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SyslogLabels {
    /// `udp`, `tcp` or `tls`.
    transport: &'static str,
    /// `stored`, `malformed` (kept as its raw text), `refused` (a source not
    /// allowed, or over TLS a failed handshake: one per connection), `dropped`
    /// (UDP while ingest is behind, a stream closed for its framing).
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    channel: &'static str,
    /// `sent`, `retried` or `failed` (given up).
    outcome: &'static str,
}

/// Label values come from a bounded set, never from a client as it sent them: the
/// method is folded by [`method_label`], the route is the pattern it matched.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

/// The HTTP methods that get a label of their own.
const KNOWN_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

/// A request's method as a label (of `/metrics`, or of a log span): the method for
/// the standard ones, `_OTHER` (OpenTelemetry's convention) for any other, which a
/// client can make up by the thousand.
pub fn method_label(method: &str) -> &'static str {
    KNOWN_METHODS
        .into_iter()
        .find(|known| *known == method)
        .unwrap_or("_OTHER")
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: &'static str,
}

/// What an alert delivery attempt came to.
#[derive(Clone, Copy, Debug)]
pub enum Delivery {
    Sent,
    Retried,
    Failed,
}

pub struct Metrics {
    registry: Registry,
    pulses: Counter,
    events: Family<LevelLabel, Counter>,
    deliveries: Family<DeliveryLabels, Counter>,
    syslog: Family<SyslogLabels, Counter>,
    auth_failures: Family<AuthLabels, Counter>,
    requests: Family<RouteLabels, Histogram>,
    services: Family<StatusLabel, Gauge>,
    outbox_depth: Gauge,
    outbox_oldest: Gauge,
    alerts_failing: Gauge,
    connections_open: Gauge,
    connections_refused: Counter,
    per_service: per_service::PerService,
}

fn request_histogram() -> Histogram {
    // 100 µs to about 6.5 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 17))
}

impl Metrics {
    pub fn new(writes: WriteStats) -> Self {
        let mut registry = Registry::with_prefix("watchtower");
        let metrics = Self {
            pulses: Counter::default(),
            events: Family::default(),
            deliveries: Family::default(),
            syslog: Family::default(),
            auth_failures: Family::default(),
            requests: Family::new_with_constructor(request_histogram),
            services: Family::default(),
            outbox_depth: Gauge::default(),
            outbox_oldest: Gauge::default(),
            alerts_failing: Gauge::default(),
            connections_open: Gauge::default(),
            connections_refused: Counter::default(),
            per_service: per_service::PerService::default(),
            registry: Registry::default(),
        };
        registry.register("pulses", "Pulses received", metrics.pulses.clone());
        registry.register("events", "Events stored, by level", metrics.events.clone());
        registry.register(
            "alert_deliveries",
            "Alert delivery attempts, by channel and outcome (sent, retried, failed)",
            metrics.deliveries.clone(),
        );
        registry.register(
            "auth_failures",
            "Failed authentications, by credential (password, ping key) and answer (refused; throttled: 429 after a delay)",
            metrics.auth_failures.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP requests, by method and route",
            metrics.requests.clone(),
        );
        registry.register(
            "services",
            "Monitored services, by status",
            metrics.services.clone(),
        );
        registry.register(
            "outbox_alerts",
            "Alerts not yet delivered (triage, delivery or retry pending)",
            metrics.outbox_depth.clone(),
        );
        registry.register(
            "outbox_oldest_age_seconds",
            "Age of the oldest alert not yet delivered (0 when none)",
            metrics.outbox_oldest.clone(),
        );
        registry.register(
            "alerts_failing",
            "Alerts waiting for a retry after a failed delivery: a channel in trouble",
            metrics.alerts_failing.clone(),
        );
        registry.register(
            "http_connections_open",
            "HTTP connections open",
            metrics.connections_open.clone(),
        );
        registry.register(
            "http_connections_refused",
            "Connections refused because their client address had limits.maxConnectionsPerClient open",
            metrics.connections_refused.clone(),
        );
        registry.register(
            "syslog_messages",
            "Syslog messages received, by transport and outcome",
            metrics.syslog.clone(),
        );
        metrics.per_service.register(&mut registry);
        registry.register(
            "store_batch_writes",
            "Writes committed together, per batch",
            writes.batch_writes,
        );
        registry.register(
            "store_commit_duration_seconds",
            "Time to commit one batch",
            writes.commit_seconds,
        );
        Self {
            registry,
            ..metrics
        }
    }

    pub fn pulse(&self) {
        self.pulses.inc();
    }

    pub fn connection_opened(&self) {
        self.connections_open.inc();
    }

    pub fn connection_closed(&self) {
        self.connections_open.dec();
    }

    pub fn connection_refused(&self) {
        self.connections_refused.inc();
    }

    pub fn events(&self, level: Level, count: u64) {
        self.events
            .get_or_create(&LevelLabel {
                level: level.as_str(),
            })
            .inc_by(count);
    }

    pub fn delivery(&self, channel: &'static str, outcome: Delivery) {
        let outcome = match outcome {
            Delivery::Sent => "sent",
            Delivery::Retried => "retried",
            Delivery::Failed => "failed",
        };
        self.deliveries
            .get_or_create(&DeliveryLabels { channel, outcome })
            .inc();
    }

    /// A syslog message over `transport` came to `outcome` (see [`SyslogLabels`]).
    pub fn syslog_message(&self, transport: &'static str, outcome: &'static str) {
        self.syslog_messages(transport, outcome, 1);
    }

    pub fn syslog_messages(&self, transport: &'static str, outcome: &'static str, count: u64) {
        if count > 0 {
            self.syslog
                .get_or_create(&SyslogLabels { transport, outcome })
                .inc_by(count);
        }
    }

    pub fn auth_failure(&self, credential: &'static str, outcome: &'static str) {
        self.auth_failures
            .get_or_create(&AuthLabels {
                credential,
                outcome,
            })
            .inc();
    }

    /// Times a request by its method (folded by [`method_label`]) and the route
    /// pattern it matched.
    pub fn request(&self, method: &str, route: &str, took: Duration) {
        let labels = RouteLabels {
            method: method_label(method),
            route: route.to_owned(),
        };
        self.requests
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    /// The text exposition, with the gauges set from `gauges` and the
    /// per-service series from the first `limit` of `services`, as of `now`.
    pub fn render(
        &self,
        gauges: &StoreGauges,
        services: &[crate::monitor::Service],
        limit: usize,
        now: Timestamp,
    ) -> String {
        let total = gauges.services_up
            + gauges.services_dead
            + gauges.services_paused
            + gauges.services_new;
        self.per_service.set(services, limit, total, now);
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let by_status = [
            ("up", gauges.services_up),
            ("dead", gauges.services_dead),
            ("paused", gauges.services_paused),
            ("new", gauges.services_new),
        ];
        for (status, n) in by_status {
            self.services
                .get_or_create(&StatusLabel { status })
                .set(count(n));
        }
        self.outbox_depth.set(count(gauges.outbox_depth));
        let oldest = gauges.outbox_oldest.map_or(0, |at| now.since(at).as_secs());
        self.outbox_oldest.set(count(oldest));
        self.alerts_failing.set(count(gauges.alerts_failing));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_names_every_family_with_the_prefix() {
        let metrics = Metrics::new(WriteStats::default());
        metrics.pulse();
        metrics.events(Level::Error, 3);
        metrics.delivery("slack", Delivery::Failed);
        metrics.request("GET", "/list-events", Duration::from_millis(3));
        let gauges = StoreGauges {
            services_up: 4,
            services_dead: 1,
            services_paused: 2,
            services_new: 3,
            outbox_depth: 2,
            outbox_oldest: Some(Timestamp::from_millis(1_000)),
            alerts_failing: 1,
        };
        let text = metrics.render(&gauges, &[], 0, Timestamp::from_millis(61_000));
        for line in [
            "watchtower_pulses_total 1",
            r#"watchtower_events_total{level="error"} 3"#,
            r#"watchtower_alert_deliveries_total{channel="slack",outcome="failed"} 1"#,
            r#"watchtower_services{status="dead"} 1"#,
            r#"watchtower_services{status="paused"} 2"#,
            r#"watchtower_services{status="new"} 3"#,
            "watchtower_service_series_omitted 10",
            "watchtower_outbox_alerts 2",
            "watchtower_outbox_oldest_age_seconds 60",
            "watchtower_alerts_failing 1",
            r#"watchtower_http_request_duration_seconds_count{method="GET",route="/list-events"} 1"#,
            "watchtower_store_batch_writes_count 0",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
    }

    #[test]
    fn standard_methods_keep_their_name_and_any_other_is_folded() {
        for method in KNOWN_METHODS {
            assert_eq!(method_label(method), method);
        }
        for made_up in ["FOO123", "get", "PROPFIND", "", "GETX"] {
            assert_eq!(method_label(made_up), "_OTHER", "{made_up}");
        }
    }
}
