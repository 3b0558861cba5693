//! `watchtower apply FILE`: configuration as code. The file declares services as
//! `PUT /services/{name}` takes them; apply prints the plan (what it creates,
//! changes and, with `--prune`, cancels), then carries it out. Running it again
//! changes nothing.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;
use watchtower_client::{Client, Pulse, Service};

use super::output::Printer;
use crate::time::{human_duration, parse_duration};

/// The file: `{"services": [...]}`, or the list alone.
#[derive(Deserialize)]
#[serde(untagged)]
enum File {
    Wrapped { services: Vec<Declared> },
    List(Vec<Declared>),
}

/// One declared service, in the protocol's words; durations as seconds or as
/// text (`90s`, `15m`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Declared {
    service: String,
    alert_type: String,
    alert_target: String,
    #[serde(default)]
    next_in: Option<Seconds>,
    #[serde(default)]
    schedule: Option<String>,
    #[serde(default)]
    tz: Option<String>,
    #[serde(default)]
    grace: Option<Seconds>,
    #[serde(default)]
    remind_every: Option<Seconds>,
    #[serde(default)]
    depends_on: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
enum Seconds {
    Number(f64),
    #[serde(deserialize_with = "duration_text")]
    Text(f64),
}

fn duration_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_duration(&text)
        .map(|duration| duration.as_secs_f64())
        .map_err(serde::de::Error::custom)
}

impl Seconds {
    fn get(self) -> f64 {
        match self {
            Self::Number(seconds) | Self::Text(seconds) => seconds,
        }
    }
}

impl Declared {
    fn pulse(&self) -> Pulse {
        let seconds = |value: Option<Seconds>| value.map(Seconds::get);
        Pulse {
            service: self.service.clone(),
            alert_type: self.alert_type.clone(),
            alert_target: self.alert_target.clone(),
            next_in: seconds(self.next_in),
            schedule: self.schedule.clone(),
            tz: self.tz.clone(),
            grace: seconds(self.grace),
            remind_every: seconds(self.remind_every),
            depends_on: self.depends_on.clone(),
        }
    }
}

/// What apply does to one service.
#[derive(Debug, PartialEq)]
enum Step {
    Create(Pulse),
    /// The service, and each change as `field: was → becomes`.
    Change(Pulse, Vec<String>),
    Cancel(String),
}

/// Reads `path`: every entry checked, no name twice.
fn read(path: &Path) -> anyhow::Result<Vec<Pulse>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: File = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a list of services (each with service, alertType, alertTarget, and nextIn or schedule)",
            path.display()
        )
    })?;
    let (File::Wrapped { services } | File::List(services)) = file;
    let mut seen = BTreeSet::new();
    for declared in &services {
        if !seen.insert(declared.service.as_str()) {
            bail!(
                "{}: `{}` is declared twice",
                path.display(),
                declared.service
            );
        }
        if declared.next_in.is_some() == declared.schedule.is_some() {
            bail!(
                "{}: `{}`: give nextIn or schedule, one of them",
                path.display(),
                declared.service
            );
        }
    }
    Ok(services.iter().map(Declared::pulse).collect())
}

/// The steps that bring `current` to `declared`; `prune` cancels the services
/// not declared. Also answers how many are already as declared.
fn plan(declared: &[Pulse], current: &[Service], prune: bool) -> (Vec<Step>, usize) {
    let mut steps = Vec::new();
    let mut unchanged = 0;
    for pulse in declared {
        match current.iter().find(|s| s.service == pulse.service) {
            None => steps.push(Step::Create(pulse.clone())),
            Some(found) => match differences(pulse, found) {
                changes if changes.is_empty() => unchanged += 1,
                changes => steps.push(Step::Change(pulse.clone(), changes)),
            },
        }
    }
    if prune {
        let names: BTreeSet<&str> = declared.iter().map(|p| p.service.as_str()).collect();
        let gone = current
            .iter()
            .filter(|s| !names.contains(s.service.as_str()));
        steps.extend(gone.map(|s| Step::Cancel(s.service.clone())));
    }
    (steps, unchanged)
}

/// How `found` differs from `pulse`, as the server judges a declaration.
fn differences(pulse: &Pulse, found: &Service) -> Vec<String> {
    let text = |value: Option<&str>| value.map_or("none".to_owned(), str::to_owned);
    let seconds = |value: Option<f64>| match value {
        Some(seconds) if seconds > 0.0 => human_duration(Duration::from_secs_f64(seconds)),
        _ => "none".to_owned(),
    };
    // The server keeps milliseconds, and no grace as none.
    let same = |a: Option<f64>, b: Option<f64>| match (a.filter(|s| *s > 0.0), b) {
        (Some(a), Some(b)) => (a - b).abs() < 0.001,
        (None, None) => true,
        _ => false,
    };
    let tz = pulse
        .schedule
        .as_ref()
        .map(|_| pulse.tz.clone().unwrap_or_else(|| "UTC".to_owned()));
    let found_interval = found.schedule.is_none().then_some(found.next_in);
    let remind = |value: Option<f64>| match value {
        None => "the default".to_owned(),
        Some(0.0) => "never".to_owned(),
        Some(every) => human_duration(Duration::from_secs_f64(every)),
    };
    let same_remind = match (pulse.remind_every, found.remind_every) {
        (Some(a), Some(b)) => (a - b).abs() < 0.001,
        (a, b) => a.is_none() && b.is_none(),
    };
    let fields = [
        (
            "alertType",
            pulse.alert_type == found.alert_type,
            found.alert_type.clone(),
            pulse.alert_type.clone(),
        ),
        (
            "alertTarget",
            pulse.alert_target == found.alert_target,
            found.alert_target.clone(),
            pulse.alert_target.clone(),
        ),
        (
            "nextIn",
            same(pulse.next_in, found_interval),
            seconds(found_interval),
            seconds(pulse.next_in),
        ),
        (
            "schedule",
            pulse.schedule == found.schedule,
            text(found.schedule.as_deref()),
            text(pulse.schedule.as_deref()),
        ),
        (
            "tz",
            tz == found.tz,
            text(found.tz.as_deref()),
            text(tz.as_deref()),
        ),
        (
            "grace",
            same(pulse.grace, found.grace),
            seconds(found.grace),
            seconds(pulse.grace),
        ),
        (
            "remindEvery",
            same_remind,
            remind(found.remind_every),
            remind(pulse.remind_every),
        ),
        (
            "dependsOn",
            pulse.depends_on == found.depends_on,
            text(found.depends_on.as_deref()),
            text(pulse.depends_on.as_deref()),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, same, ..)| !same)
        .map(|(field, _, was, becomes)| format!("{field}: {was} → {becomes}"))
        .collect()
}

fn describe(pulse: &Pulse) -> String {
    let mut text = match (&pulse.schedule, pulse.next_in) {
        (Some(schedule), _) => {
            format!(
                "schedule \"{schedule}\" {}",
                pulse.tz.as_deref().unwrap_or("UTC")
            )
        }
        (None, next_in) => format!(
            "every {}",
            human_duration(Duration::from_secs_f64(next_in.unwrap_or_default()))
        ),
    };
    if let Some(grace) = pulse.grace.filter(|g| *g > 0.0) {
        let _ = write!(
            text,
            ", grace {}",
            human_duration(Duration::from_secs_f64(grace))
        );
    }
    let _ = write!(
        text,
        ", alerts to {}:{}",
        pulse.alert_type, pulse.alert_target
    );
    text
}

/// Prints the plan for `path`, then (unless `dry_run`) carries it out.
pub async fn run(
    client: &Client,
    path: &Path,
    dry_run: bool,
    prune: bool,
    out: &mut Printer,
) -> anyhow::Result<()> {
    let declared = read(path)?;
    if prune && declared.is_empty() {
        bail!(
            "{}: declares no service, and --prune would cancel every one; cancel them with `watchtower cancel` instead",
            path.display()
        );
    }
    let current = client.services().await?;
    let (steps, unchanged) = plan(&declared, &current, prune);
    for step in &steps {
        match step {
            Step::Create(pulse) => {
                out.line(&format!("+ create {} ({})", pulse.service, describe(pulse)))?
            }
            Step::Change(pulse, changes) => {
                out.line(&format!("~ change {}", pulse.service))?;
                for change in changes {
                    out.line(&format!("    {change}"))?;
                }
            }
            Step::Cancel(name) => out.line(&format!("- cancel {name}"))?,
        }
    }
    let count = |f: fn(&Step) -> bool| steps.iter().filter(|s| f(s)).count();
    out.line(&format!(
        "Plan: {} to create, {} to change, {} to cancel, {unchanged} unchanged.",
        count(|s| matches!(s, Step::Create(_))),
        count(|s| matches!(s, Step::Change(..))),
        count(|s| matches!(s, Step::Cancel(_))),
    ))?;
    if dry_run || steps.is_empty() {
        return Ok(());
    }
    for step in steps {
        match step {
            Step::Create(pulse) | Step::Change(pulse, _) => {
                let service = client
                    .declare(&pulse)
                    .await
                    .with_context(|| format!("declaring {}", pulse.service))?;
                out.line(&format!(
                    "declared {} ({})",
                    service.service, service.status
                ))?;
            }
            Step::Cancel(name) => {
                client
                    .cancel(&name)
                    .await
                    .with_context(|| format!("cancelling {name}"))?;
                out.line(&format!("cancelled {name}"))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
