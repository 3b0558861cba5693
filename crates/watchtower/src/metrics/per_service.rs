//! Per-service series: whether each service is up, late or paused, and when it
//! last pulsed, for alerting rules and dashboards in Prometheus. Capped by
//! `metrics.serviceLimit` (the first services by name), because each service
//! adds four series and a scrape of a million would swamp Prometheus.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::monitor::{Service, Status};
use crate::time::Timestamp;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabel {
    service: String,
}

#[derive(Default)]
pub struct PerService {
    up: Family<ServiceLabel, Gauge>,
    late: Family<ServiceLabel, Gauge>,
    paused: Family<ServiceLabel, Gauge>,
    last_pulse: Family<ServiceLabel, Gauge<f64, AtomicU64>>,
    omitted: Gauge,
}

impl PerService {
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "service_up",
            "1 while the service is up or late, 0 when dead, paused or new",
            self.up.clone(),
        );
        registry.register(
            "service_late",
            "1 while the service is past its expected time, within its grace",
            self.late.clone(),
        );
        registry.register(
            "service_paused",
            "1 while the service is paused",
            self.paused.clone(),
        );
        registry.register(
            "service_last_pulse_timestamp_seconds",
            "When the service last pulsed (for a new one, when it was declared), in Unix seconds",
            self.last_pulse.clone(),
        );
        registry.register(
            "service_series_omitted",
            "Services left out of the per-service series by metrics.serviceLimit",
            self.omitted.clone(),
        );
    }

    /// Replaces the series with those of the first `limit` of `services` (sorted
    /// by name), as of `now`; of `total` services, the rest are counted omitted.
    pub fn set(&self, services: &[Service], limit: usize, total: u64, now: Timestamp) {
        for family in [&self.up, &self.late, &self.paused] {
            family.clear();
        }
        self.last_pulse.clear();
        for service in services.iter().take(limit) {
            let label = ServiceLabel {
                service: service.service.as_str().to_owned(),
            };
            let status = service.clone().as_of(now).status;
            let flag = |on: bool| i64::from(on);
            (self.up.get_or_create(&label)).set(flag(matches!(status, Status::Up | Status::Late)));
            (self.late.get_or_create(&label)).set(flag(status == Status::Late));
            (self.paused.get_or_create(&label)).set(flag(status == Status::Paused));
            let seconds = service.last_pulse.as_millis() as f64 / 1000.0;
            self.last_pulse.get_or_create(&label).set(seconds);
        }
        let shown = services.len().min(limit) as u64;
        self.omitted
            .set(i64::try_from(total.saturating_sub(shown)).unwrap_or(i64::MAX));
    }
}
