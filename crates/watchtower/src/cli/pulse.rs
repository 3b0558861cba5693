//! The pulse a command sends: its timing from the flags, its alert route from
//! `--alert` or, failing that, from what the service's last pulse said.

use anyhow::Context;
use watchtower_client::{Client, Pulse};

use super::{AlertRoute, Timing};

/// A pulse, with the alert route given or, failing that, the service's own.
pub(crate) async fn pulse_of(
    client: &Client,
    service: &str,
    timing: &Timing,
    alert: Option<AlertRoute>,
) -> anyhow::Result<Pulse> {
    let timed = |kind: String, target: String| {
        let mut pulse = match (&timing.schedule, timing.next_in) {
            (Some(schedule), _) => Pulse::scheduled(service, schedule, kind, target),
            (None, next_in) => Pulse::new(service, next_in.unwrap_or_default(), kind, target),
        };
        pulse.tz = timing.tz.clone();
        pulse.grace = timing.grace.map(|grace| grace.as_secs_f64());
        pulse
    };
    if let Some(route) = alert {
        return Ok(timed(route.kind, route.target));
    }
    // A pulse replaces everything the last one said: keep what it said.
    let known = client.services().await?;
    let found = known
        .into_iter()
        .find(|s| s.service == service)
        .with_context(|| {
            format!(
                "{service} is not monitored yet: say where its alerts go with --alert TYPE:TARGET"
            )
        })?;
    let mut pulse = timed(found.alert_type, found.alert_target);
    pulse.remind_every = found.remind_every;
    pulse.depends_on = found.depends_on;
    Ok(pulse)
}
