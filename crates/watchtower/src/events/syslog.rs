//! Syslog messages as events (RFC 5424, and RFC 3164 as BSD daemons and
//! `logger` write it): APP-NAME (the tag) is the service, the severity the level,
//! the MSG the message; the hostname, the facility, PROCID, MSGID and the
//! structured data (`SD-ID.PARAM`) become attributes. A message with no `<PRI>`
//! is no syslog message: it is kept under the service `syslog` with the level
//! `warning`, its raw text as the message and the attribute `malformed`.

use syslog_loose::{ProcId, SyslogSeverity, Variant};

use super::{AttributeValue, Attributes, Level, MAX_MESSAGE_BYTES, NewEvent};
use crate::time::Timestamp;

/// The service of a message without an APP-NAME, or whose APP-NAME is no name.
pub const FALLBACK_SERVICE: &str = "syslog";
/// The message of a message with an empty MSG.
pub const EMPTY_MESSAGE: &str = "(empty message)";

/// An event read from a syslog message.
pub struct SyslogEvent {
    pub event: NewEvent,
    /// No `<PRI>`: kept as its raw text.
    pub malformed: bool,
}

/// The event of one message (a datagram, or a TCP frame without its framing);
/// `None` for one that holds only blanks (or, which the rules above rule out,
/// that could not be an event). Invalid UTF-8 and NUL characters are
/// replaced by U+FFFD; a message past 64 KiB is cut there.
pub fn parse(raw: &[u8], received: Timestamp) -> Option<SyslogEvent> {
    let text = String::from_utf8_lossy(raw).replace('\0', "\u{FFFD}");
    let text = text.trim_end_matches(['\n', '\r']);
    if text.trim().is_empty() {
        return None;
    }
    let message = syslog_loose::parse_message(text, Variant::Either);
    if message.facility.is_none() && message.severity.is_none() {
        let attributes =
            Attributes::bounded([("malformed".to_owned(), AttributeValue::Bool(true))]);
        return Some(SyslogEvent {
            event: new_event(FALLBACK_SERVICE, Level::Warning, text, received, attributes)?,
            malformed: true,
        });
    }
    let level = message.severity.map_or(Level::Info, level_of);
    let service = message
        .appname
        .filter(|name| crate::monitor::ServiceName::parse("service", name).is_ok())
        .unwrap_or(FALLBACK_SERVICE);
    let mut pairs = Vec::new();
    let mut text_attribute = |name: &str, value: &str| {
        pairs.push((name.to_owned(), AttributeValue::Text(value.to_owned())));
    };
    if let Some(host) = message.hostname {
        text_attribute("host", host);
    }
    if let Some(facility) = message.facility {
        text_attribute("facility", facility.as_str());
    }
    match &message.procid {
        Some(ProcId::PID(pid)) => {
            pairs.push(("procid".to_owned(), AttributeValue::Number((*pid).into())))
        }
        Some(ProcId::Name(name)) => pairs.push((
            "procid".to_owned(),
            AttributeValue::Text((*name).to_owned()),
        )),
        None => {}
    }
    if let Some(msgid) = message.msgid {
        pairs.push(("msgid".to_owned(), AttributeValue::Text(msgid.to_owned())));
    }
    for element in &message.structured_data {
        for (param, value) in &element.params {
            let name = format!("{}.{param}", element.id);
            pairs.push((name, AttributeValue::Text((*value).to_owned())));
        }
    }
    let body = message.msg.trim_start_matches('\u{FEFF}');
    let body = if body.trim().is_empty() {
        EMPTY_MESSAGE
    } else {
        body
    };
    Some(SyslogEvent {
        event: new_event(service, level, body, received, Attributes::bounded(pairs))?,
        malformed: false,
    })
}

/// Syslog's eight severities on the five levels.
pub fn level_of(severity: SyslogSeverity) -> Level {
    match severity {
        SyslogSeverity::SEV_EMERG | SyslogSeverity::SEV_ALERT | SyslogSeverity::SEV_CRIT => {
            Level::Critical
        }
        SyslogSeverity::SEV_ERR => Level::Error,
        SyslogSeverity::SEV_WARNING => Level::Warning,
        SyslogSeverity::SEV_NOTICE | SyslogSeverity::SEV_INFO => Level::Info,
        SyslogSeverity::SEV_DEBUG => Level::Debug,
    }
}

fn new_event(
    service: &str,
    level: Level,
    message: &str,
    received: Timestamp,
    attributes: Attributes,
) -> Option<NewEvent> {
    let mut end = message.len().min(MAX_MESSAGE_BYTES);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    let event = NewEvent::parse(service, level.as_str(), message[..end].to_owned(), received);
    Some(event.ok()?.with_attributes(attributes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(raw: &str) -> SyslogEvent {
        parse(raw.as_bytes(), Timestamp::now()).unwrap()
    }

    #[test]
    fn rfc5424_with_structured_data() {
        let parsed = event(
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 \
             [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] An application event",
        );
        assert!(!parsed.malformed);
        let event = parsed.event;
        assert_eq!(event.service.as_str(), "evntslog");
        assert_eq!(event.level, Level::Info, "notice");
        assert_eq!(event.message, "An application event");
        assert_eq!(
            event.attributes.to_json().unwrap(),
            r#"{"exampleSDID@32473.eventSource":"Application","exampleSDID@32473.iut":"3","facility":"local4","host":"mymachine.example.com","msgid":"ID47","procid":1234}"#
        );
    }

    #[test]
    fn rfc3164_from_a_bsd_daemon() {
        let event =
            event("<34>Oct 11 22:14:15 mymachine su[81]: 'su root' failed for lonvick").event;
        assert_eq!(event.service.as_str(), "su");
        assert_eq!(event.level, Level::Critical);
        assert_eq!(event.message, "'su root' failed for lonvick");
        assert_eq!(
            event.attributes.to_json().unwrap(),
            r#"{"facility":"auth","host":"mymachine","procid":81}"#
        );
    }

    #[test]
    fn text_without_a_priority_is_kept_raw_as_a_warning() {
        let parsed = parse(b"\xff\x00garbage\n", Timestamp::now()).unwrap();
        assert!(parsed.malformed);
        assert_eq!(parsed.event.service.as_str(), FALLBACK_SERVICE);
        assert_eq!(parsed.event.level, Level::Warning);
        assert_eq!(parsed.event.message, "\u{FFFD}\u{FFFD}garbage");
        assert!(parse(b" \r\n", Timestamp::now()).is_none());
    }

    #[test]
    fn a_message_past_the_bound_is_cut_at_a_character() {
        let long = format!("<14>1 - host app - - - {}", "é".repeat(40_000));
        let event = event(&long).event;
        assert!(event.message.len() <= MAX_MESSAGE_BYTES);
        assert!(event.message.ends_with('é'));
    }
}
