//! Status badges: a service's (or a group's) status as a small SVG image for a
//! README or a wiki, and as shields.io's endpoint JSON.

use serde_json::{Value, json};

use super::{Service, Status};

/// What a badge says: `label | message`, in a colour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Badge {
    pub label: String,
    pub message: String,
    /// shields.io's name for the colour.
    pub color: &'static str,
}

/// shields.io's colours, by name, as their hex values.
fn hex(color: &str) -> &'static str {
    match color {
        "brightgreen" => "#4c1",
        "yellow" => "#dfb317",
        "red" => "#e05d44",
        "blue" => "#007ec6",
        _ => "#9f9f9f",
    }
}

fn status_color(status: Status) -> &'static str {
    match status {
        Status::Up => "brightgreen",
        Status::Late => "yellow",
        Status::Dead => "red",
        Status::New => "blue",
        Status::Paused => "lightgrey",
    }
}

impl Badge {
    /// One service, as of when it was read (`Service::as_of`).
    pub fn of_service(service: &Service) -> Self {
        Self {
            label: service.service.as_str().to_owned(),
            message: service.status.as_str().to_owned(),
            color: status_color(service.status),
        }
    }

    /// Services whose names start with `prefix`: the worst of them (any dead,
    /// then any late), or `up`.
    pub fn of_group(prefix: &str, services: &[Service]) -> Self {
        let count = |status| services.iter().filter(|s| s.status == status).count();
        let (dead, late) = (count(Status::Dead), count(Status::Late));
        let (message, color) = match () {
            _ if services.is_empty() => ("no services".to_owned(), "lightgrey"),
            _ if dead > 0 => (format!("{dead} of {} down", services.len()), "red"),
            _ if late > 0 => (format!("{late} of {} late", services.len()), "yellow"),
            _ => ("up".to_owned(), "brightgreen"),
        };
        Self {
            label: prefix.to_owned(),
            message,
            color,
        }
    }

    /// shields.io's endpoint badge JSON (`https://img.shields.io/endpoint?url=…`).
    pub fn shields(&self) -> Value {
        json!({"schemaVersion": 1, "label": self.label, "message": self.message, "color": self.color})
    }

    /// A flat badge. Text widths are estimated (7 px a character at 11 px
    /// Verdana): close enough for names and statuses.
    pub fn svg(&self) -> String {
        let width = |text: &str| 10 + 7 * text.chars().count();
        let (left, right) = (width(&self.label), width(&self.message));
        let total = left + right;
        let (label, message) = (escape(&self.label), escape(&self.message));
        let color = hex(self.color);
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{label}: {message}"><title>{label}: {message}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="{color}"/><rect width="{total}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="{lx}" y="14">{label}</text><text x="{rx}" y="14">{message}</text></g></svg>"##,
            lx = left / 2,
            rx = left + right / 2,
        )
    }
}

/// Text as it may stand in XML character data and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{AlertType, ServiceName};
    use crate::time::Timestamp;

    fn service(name: &str, status: Status) -> Service {
        Service {
            service: ServiceName::parse("service", name).unwrap(),
            alert_type: AlertType::Mail,
            alert_target: "ops@example.com".into(),
            next_in: 60.0,
            schedule: None,
            tz: None,
            grace: None,
            first_seen: None,
            last_pulse: Timestamp::from_millis(0),
            deadline: Timestamp::from_millis(60_000),
            status,
            remind_every: None,
            depends_on: None,
            flapping_since: None,
            never_pulsed: false,
            running_since: None,
        }
    }

    #[test]
    fn a_service_badge_says_its_status_in_its_colour() {
        let badge = Badge::of_service(&service("backup", Status::Late));
        assert_eq!(
            badge.shields(),
            json!({"schemaVersion": 1, "label": "backup", "message": "late", "color": "yellow"})
        );
        let svg = Badge::of_service(&service("db", Status::Dead)).svg();
        assert!(svg.starts_with("<svg") && svg.contains("#e05d44") && svg.contains(">dead</text>"));
    }

    #[test]
    fn a_group_badge_says_the_worst() {
        let up = service("a", Status::Up);
        let dead = service("b", Status::Dead);
        let late = service("c", Status::Late);
        assert_eq!(
            Badge::of_group("team-", &[up.clone(), late.clone()]).message,
            "1 of 2 late"
        );
        let worst = Badge::of_group("team-", &[up.clone(), late, dead]);
        assert_eq!(
            (worst.message.as_str(), worst.color),
            ("1 of 3 down", "red")
        );
        assert_eq!(Badge::of_group("team-", &[up]).message, "up");
        assert_eq!(Badge::of_group("none-", &[]).color, "lightgrey");
    }

    #[test]
    fn text_is_escaped_in_the_svg() {
        let badge = Badge {
            label: "<a&b>\"".into(),
            message: "up".into(),
            color: "brightgreen",
        };
        let svg = badge.svg();
        assert!(
            svg.contains("&lt;a&amp;b&gt;&quot;") && !svg.contains("<a&b>"),
            "{svg}"
        );
    }
}
