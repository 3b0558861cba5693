//! How an alert reads: one title and one plain-text message, shared by every channel.

use std::fmt::Write;

use super::{AlertDetails, AlertKind, QueuedAlert};
use crate::monitor::Status;
use crate::time::{Timestamp, human_duration};

/// The words of an alert.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub title: String,
    pub message: String,
}

impl QueuedAlert {
    /// The service's status that this alert announces, as the protocol names it.
    pub fn status(&self) -> &'static str {
        match self.kind {
            AlertKind::Down | AlertKind::Reminder | AlertKind::Flapping => "dead",
            AlertKind::Up => "up",
            AlertKind::Stable => match self.details.status {
                Some(Status::Up) => "up",
                _ => "dead",
            },
            AlertKind::Digest => "digest",
            AlertKind::Event => "event",
            AlertKind::Test => "test",
        }
    }

    /// The alert as read at `now` (outage lengths run up to it).
    pub fn notice(&self, now: Timestamp) -> Notice {
        let down_for = human_duration(now.since(self.down_since));
        let mut message = String::new();
        let title = match self.kind {
            AlertKind::Down => self.down_notice(&mut message, &down_for),
            AlertKind::Up => self.up_notice(&mut message),
            AlertKind::Reminder => self.reminder_notice(&mut message, &down_for),
            AlertKind::Flapping => self.flapping_notice(&mut message),
            AlertKind::Stable => self.stable_notice(&mut message, &down_for),
            AlertKind::Digest => return digest(&self.details, now),
            AlertKind::Event => self.event_notice(&mut message),
            AlertKind::Test => return self.test_notice(),
        };
        dependents(&mut message, self.kind, &self.details);
        recent(&mut message, &self.details);
        Notice {
            title,
            message: message.trim_end().to_owned(),
        }
    }

    /// A test of the channel: says who asked, so that nobody takes it for news.
    fn test_notice(&self) -> Notice {
        let asked = self.details.requested_by.as_deref().unwrap_or("someone");
        Notice {
            title: "Watchtower test alert".to_owned(),
            message: format!(
                "This is a test alert: {asked} asked Watchtower to check that alerts to {} {} arrive. Nothing is down.",
                self.route.kind.as_str(),
                self.route.target
            ),
        }
    }

    /// A missed deadline, or a reported failure. Returns the title; writes the message.
    fn down_notice(&self, message: &mut String, down_for: &str) -> String {
        let (name, details) = (&self.service, &self.details);
        match details.never_pulsed {
            true => line(message, format!("{name} was declared but never pulsed.")),
            false => line(message, format!("{name} missed its deadline.")),
        }
        self.pulse_lines(message);
        line(
            message,
            format!("Declared dead: {}", self.created.to_rfc3339()),
        );
        if let Some(until) = details.snoozed_until {
            line(
                message,
                format!(
                    "This alert waited for a snooze that ended {}; down for {down_for} so far.",
                    until.to_rfc3339()
                ),
            );
        }
        if let (Some(parent), Some(at)) = (&details.folded_into, details.dependency_recovered) {
            line(
                message,
                format!(
                    "It depends on {parent}, which recovered by {}, but it has not pulsed since.",
                    at.to_rfc3339()
                ),
            );
        }
        format!("{name} is DOWN")
    }

    /// A recovery. Returns the title; writes the message.
    fn up_notice(&self, message: &mut String) -> String {
        let name = &self.service;
        line(
            message,
            format!(
                "{name} pulsed again at {} after being down for {} (since {}).",
                self.last_pulse.to_rfc3339(),
                human_duration(self.last_pulse.since(self.down_since)),
                self.down_since.to_rfc3339(),
            ),
        );
        line(
            message,
            format!("Next pulse due: {}", self.deadline.to_rfc3339()),
        );
        format!("{name} is UP again")
    }

    /// A service still dead. Returns the title; writes the message.
    fn reminder_notice(&self, message: &mut String, down_for: &str) -> String {
        let name = &self.service;
        line(
            message,
            format!(
                "{name} has been down for {down_for}, since {}.",
                self.down_since.to_rfc3339()
            ),
        );
        self.pulse_lines(message);
        format!("{name} is still DOWN ({down_for})")
    }

    /// Too many deaths within the flap window. Returns the title; writes the message.
    fn flapping_notice(&self, message: &mut String) -> String {
        let (name, details) = (&self.service, &self.details);
        let deaths = details.deaths.unwrap_or_default();
        let window = human_duration(std::time::Duration::from_secs_f64(
            details.window.unwrap_or_default(),
        ));
        line(
            message,
            format!("{name} died {deaths} times within {window}."),
        );
        line(message, "Its alerts pause until it stops changing status; the next alert about it says how it settled.".to_owned());
        format!("{name} is FLAPPING")
    }

    /// The end of flapping, and how it settled. Returns the title; writes the message.
    fn stable_notice(&self, message: &mut String, down_for: &str) -> String {
        let (name, details) = (&self.service, &self.details);
        let up = details.status == Some(Status::Up);
        if up {
            line(
                message,
                format!(
                    "{name} stopped flapping and is up: last pulse {}.",
                    self.last_pulse.to_rfc3339()
                ),
            );
        } else {
            line(
                message,
                format!(
                    "{name} stopped flapping and is DOWN, for {down_for} (since {}).",
                    self.down_since.to_rfc3339()
                ),
            );
        }
        line(message, "Its alerts resume.".to_owned());
        format!(
            "{name} stopped flapping: {}",
            if up { "UP" } else { "DOWN" }
        )
    }

    /// An event rule's match. Returns the title; writes the message.
    fn event_notice(&self, message: &mut String) -> String {
        let (name, details) = (&self.service, &self.details);
        if let Some(event) = &details.event {
            line(
                message,
                format!(
                    "{} [{}] {}",
                    event.date.to_rfc3339(),
                    event.level.as_str(),
                    event.message
                ),
            );
        }
        if details.quieted > 0 {
            line(
                message,
                format!(
                    "{} more matching events since the previous alert of this rule were not alerted.",
                    details.quieted
                ),
            );
        }
        let level = details.event.as_ref().map_or("", |e| e.level.as_str());
        format!("{name}: {} event", level.to_uppercase())
    }

    fn pulse_lines(&self, message: &mut String) {
        let last = match self.details.never_pulsed {
            true => "Declared",
            false => "Last pulse",
        };
        line(message, format!("{last}: {}", self.last_pulse.to_rfc3339()));
        line(message, format!("Due: {}", self.deadline.to_rfc3339()));
    }
}

fn line(message: &mut String, text: String) {
    message.push_str(&text);
    message.push('\n');
}

fn dependents(message: &mut String, kind: AlertKind, details: &AlertDetails) {
    if details.dependents.is_empty() {
        return;
    }
    let list = details.dependents.join(", ");
    let text = match kind {
        AlertKind::Up => {
            format!("Still dead, depending on it: {list} (each has one more window to pulse).")
        }
        _ => format!("Also dead, depending on it (not alerted separately): {list}."),
    };
    line(message, text);
}

fn recent(message: &mut String, details: &AlertDetails) {
    if details.recent.is_empty() {
        return;
    }
    message.push_str("\nLatest events:\n");
    for event in &details.recent {
        let _ = writeln!(
            message,
            "  {} [{}] {}",
            event.date.to_rfc3339(),
            event.level.as_str(),
            first_line(&event.message)
        );
    }
}

/// Long or multi-line messages are cut so that an alert stays readable on a phone.
fn first_line(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default();
    let mut cut: String = first.chars().take(200).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

fn digest(details: &AlertDetails, now: Timestamp) -> Notice {
    let count = |status| {
        details
            .members
            .iter()
            .filter(|m| m.status == status)
            .count()
    };
    let (down, up) = (count(Status::Dead), count(Status::Up));
    let title = match (down, up) {
        (down, 0) => format!("{down} services are DOWN"),
        (0, up) => format!("{up} services are UP again"),
        (down, up) => format!("{down} services DOWN, {up} UP again"),
    };
    let mut message = String::from(
        "Many services changed status at once; they are listed here instead of one alert each.\n",
    );
    for member in &details.members {
        let _ = match member.status {
            Status::Dead => writeln!(
                message,
                "DOWN  {}  since {} ({})",
                member.service,
                member.since.to_rfc3339(),
                human_duration(now.since(member.since))
            ),
            Status::Up | Status::Late | Status::Paused | Status::New => writeln!(
                message,
                "UP    {}  at {}",
                member.service,
                member.since.to_rfc3339()
            ),
        };
    }
    Notice {
        title,
        message: message.trim_end().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{EventLine, Member};
    use crate::events::Level;
    use crate::monitor::{AlertRoute, AlertType, ServiceName};

    fn alert(kind: AlertKind) -> QueuedAlert {
        QueuedAlert {
            id: 1,
            kind,
            service: ServiceName::parse("service", "backup").unwrap(),
            route: AlertRoute {
                kind: AlertType::Mail,
                target: "ops@example.com".into(),
            },
            last_pulse: Timestamp::from_millis(1_700_000_000_000),
            deadline: Timestamp::from_millis(1_700_000_060_000),
            down_since: Timestamp::from_millis(1_699_999_940_000),
            created: Timestamp::from_millis(1_700_000_061_000),
            attempts: 0,
            details: AlertDetails::default(),
        }
    }

    fn at(millis: i64) -> Timestamp {
        Timestamp::from_millis(millis)
    }

    #[test]
    fn down_notice_says_when_it_last_pulsed_was_due_and_what_it_logged() {
        let mut down = alert(AlertKind::Down);
        down.details.recent = vec![EventLine {
            date: at(1_699_999_990_000),
            level: Level::Error,
            message: "disk full\\nmore".into(),
        }];
        down.details.dependents = vec!["web".into()];
        let notice = down.notice(at(1_700_000_070_000));
        assert_eq!(notice.title, "backup is DOWN");
        for part in [
            "Last pulse: 2023-11-14T22:13:20.000Z",
            "Due: 2023-11-14T22:14:20.000Z",
            "[error] disk full",
            "depending on it (not alerted separately): web",
        ] {
            assert!(
                notice.message.contains(part),
                "{part} in {}",
                notice.message
            );
        }
    }

    #[test]
    fn up_notice_says_how_long_it_was_down() {
        let notice = alert(AlertKind::Up).notice(at(1_700_000_070_000));
        assert_eq!(notice.title, "backup is UP again");
        assert!(notice.message.contains("down for 1m"), "{}", notice.message);
    }

    #[test]
    fn reminder_says_how_long_the_outage_has_lasted() {
        let notice =
            alert(AlertKind::Reminder).notice(at(1_699_999_940_000 + 2 * 3_600_000 + 5 * 60_000));
        assert_eq!(notice.title, "backup is still DOWN (2h 5m)");
    }

    #[test]
    fn digest_lists_every_member() {
        let mut digest = alert(AlertKind::Digest);
        digest.details.members = vec![
            Member {
                service: "a".into(),
                status: Status::Dead,
                since: at(1_700_000_000_000),
            },
            Member {
                service: "b".into(),
                status: Status::Dead,
                since: at(1_700_000_000_000),
            },
            Member {
                service: "c".into(),
                status: Status::Up,
                since: at(1_700_000_000_000),
            },
        ];
        let notice = digest.notice(at(1_700_000_030_000));
        assert_eq!(notice.title, "2 services DOWN, 1 UP again");
        assert!(
            notice
                .message
                .contains("DOWN  b  since 2023-11-14T22:13:20.000Z (30s)"),
            "{}",
            notice.message
        );
        assert!(notice.message.contains("UP    c"), "{}", notice.message);
    }

    #[test]
    fn event_alert_quotes_the_event_and_what_was_quieted() {
        let mut event = alert(AlertKind::Event);
        event.details.event = Some(EventLine {
            date: at(1_700_000_000_000),
            level: Level::Critical,
            message: "payment failed".into(),
        });
        event.details.quieted = 3;
        let notice = event.notice(at(1_700_000_000_000));
        assert_eq!(notice.title, "backup: CRITICAL event");
        assert!(notice.message.contains("[critical] payment failed"));
        assert!(notice.message.contains("3 more matching events"));
    }
}
