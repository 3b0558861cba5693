//! The events Watchtower writes about a service's life, so that the event log
//! tells each service's whole story. Every storage backend writes these words.

use std::time::Duration;

use super::Service;
use crate::events::Level;
use crate::time::human_duration;

/// The first pulse of a service.
pub fn started(window: Duration) -> (Level, String) {
    let window = human_duration(window);
    (
        Level::Info,
        format!("monitoring started: next pulse due within {window}"),
    )
}

/// A missed deadline.
pub fn died(service: &Service) -> (Level, String) {
    if service.never_pulsed {
        return (
            Level::Error,
            format!(
                "dead: no first pulse by its deadline {} (declared {})",
                service.deadline.to_rfc3339(),
                service.last_pulse.to_rfc3339()
            ),
        );
    }
    (
        Level::Error,
        format!(
            "dead: missed its deadline {} (last pulse {})",
            service.deadline.to_rfc3339(),
            service.last_pulse.to_rfc3339()
        ),
    )
}

/// A service whose job reported a failure (a ping URL's `/fail`, a Kuma `down`).
pub fn reported_failure() -> (Level, String) {
    (Level::Error, "dead: its job reported a failure".to_owned())
}

/// A dead service that pulsed again after `outage`.
pub fn recovered(outage: Duration) -> (Level, String) {
    let outage = human_duration(outage);
    (
        Level::Info,
        format!("recovered: pulsed again after being down for {outage}"),
    )
}

/// Declared before its first pulse.
pub fn declared(window: Duration) -> (Level, String) {
    let window = human_duration(window);
    (
        Level::Info,
        format!("monitoring declared: first pulse due within {window}"),
    )
}

/// Declared anew, with these settings changed.
pub fn redeclared(changed: &[&str]) -> (Level, String) {
    (
        Level::Info,
        format!("monitoring changed: {}", changed.join(", ")),
    )
}

/// Paused by someone: nothing is alerted until it pulses or is resumed.
pub fn paused() -> (Level, String) {
    (
        Level::Info,
        "monitoring paused: no deaths and no alerts until it pulses or is resumed".to_owned(),
    )
}

/// Resumed after a pause.
pub fn resumed(window: Duration) -> (Level, String) {
    let window = human_duration(window);
    (
        Level::Info,
        format!("monitoring resumed: next pulse due within {window}"),
    )
}

/// A service retired by its owner.
pub fn cancelled() -> (Level, String) {
    (Level::Info, "monitoring cancelled".to_owned())
}

/// A death whose alert waits for a snooze to end.
pub fn alert_snoozed(until: crate::time::Timestamp) -> (Level, String) {
    (
        Level::Warning,
        format!("alert held: snoozed until {}", until.to_rfc3339()),
    )
}

/// A death folded into the alert of the service it depends on.
pub fn alert_folded(dependency: &str) -> (Level, String) {
    (
        Level::Warning,
        format!("alert folded into {dependency}'s: the service it depends on is dead"),
    )
}

/// A service that dies and recovers too often.
pub fn flapping(deaths: u32, window: Duration) -> (Level, String) {
    let window = human_duration(window);
    (
        Level::Warning,
        format!("flapping: died {deaths} times within {window}; alerts pause until it is stable"),
    )
}

/// A flapping service that has kept its status for the calm period.
pub fn stable(status: super::Status, calm: Duration) -> (Level, String) {
    let calm = human_duration(calm);
    (
        Level::Info,
        format!(
            "stopped flapping: {} for {calm}; alerts resume",
            status.as_str()
        ),
    )
}

/// An alert that its channel refused for good (a bad token, an unknown recipient).
pub fn alert_failed(kind: &str, route: &str, error: &str) -> (Level, String) {
    (
        Level::Error,
        format!("{kind} alert via {route} failed for good, not retried: {error}"),
    )
}
