//! `watchtower schedule` (a cron expression in words, with its next times, before
//! it goes into a job) and `watchtower channels` (what this server can alert).

use chrono_tz::Tz;
use watchtower_client::{Channels, Client};

use super::output::Printer;

/// Prints the schedule in words and its next times, in its zone and in UTC.
pub async fn explain(
    client: &Client,
    schedule: &str,
    tz: Option<&str>,
    count: u32,
    out: &mut Printer,
) -> anyhow::Result<()> {
    let explained = client.explain_schedule(schedule, tz, Some(count)).await?;
    out.line(&format!("{} ({})", explained.description, explained.tz))?;
    let zone: Tz = explained.tz.parse().unwrap_or(Tz::UTC);
    for next in &explained.next {
        let local = next.with_timezone(&zone);
        out.line(&format!(
            "  {}  ({})",
            local.format("%a %Y-%m-%d %H:%M %Z"),
            next.format("%Y-%m-%dT%H:%M:%SZ")
        ))?;
    }
    Ok(())
}

/// Prints the channels with their targets, the routes and the ping keys.
pub async fn channels(client: &Client, out: &mut Printer) -> anyhow::Result<()> {
    let Channels {
        channels,
        routes,
        ping_keys,
        ..
    } = client.channels().await?;
    out.line("Channels:")?;
    if channels.is_empty() {
        out.line("  none configured: alerts have nowhere to go")?;
    }
    for channel in &channels {
        let takes = match (&channel.targets, &channel.pattern) {
            (Some(targets), _) => targets.join(", "),
            (None, Some(pattern)) => format!("text matching {pattern}"),
            (None, None) => "an e-mail address".to_owned(),
        };
        out.line(&format!("  {:<10} {takes}", channel.alert_type))?;
    }
    if !routes.is_empty() {
        out.line("Routes:")?;
        for route in &routes {
            let steps: Vec<String> = route
                .steps
                .iter()
                .map(|step| format!("{}:{}", step.alert_type, step.alert_target))
                .collect();
            out.line(&format!("  {:<10} {}", route.name, steps.join(" + ")))?;
        }
    }
    if !ping_keys.is_empty() {
        out.line("Ping keys:")?;
        for key in &ping_keys {
            let mut may = Vec::new();
            if let Some(prefix) = &key.prefix {
                may.push(format!("services starting with {prefix}"));
            }
            if !key.services.is_empty() {
                may.push(key.services.join(", "));
            }
            let may = match may.is_empty() {
                true => "any service".to_owned(),
                false => may.join(" and "),
            };
            out.line(&format!("  {:<10} may ping {may}", key.name))?;
        }
    }
    Ok(())
}
