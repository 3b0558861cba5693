//! Export formats of `/list-events`, chosen by the `Accept` header.

use axum::body::Bytes;
use axum::http::HeaderValue;

use super::error::ApiError;
use crate::events::Event;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A JSON array: one page.
    Json,
    /// One JSON object a line: every match, streamed.
    Ndjson,
    /// RFC 4180 CSV with a header line: every match, streamed.
    Csv,
}

impl Format {
    /// The first media range of `accept` that names a format offered; JSON when
    /// the header is absent or accepts anything.
    pub fn negotiate(accept: Option<&HeaderValue>) -> Result<Self, ApiError> {
        let Some(accept) = accept else {
            return Ok(Self::Json);
        };
        let text = accept.to_str().unwrap_or("").to_ascii_lowercase();
        let offered =
            text.split(',')
                .find_map(|range| match range.split(';').next().unwrap_or("").trim() {
                    "application/json" | "application/*" | "*/*" | "" => Some(Self::Json),
                    "application/x-ndjson" | "application/ndjson" => Some(Self::Ndjson),
                    "text/csv" | "text/*" => Some(Self::Csv),
                    _ => None,
                });
        offered.ok_or_else(|| {
            ApiError::NotAcceptable(
                "Accept: offered are application/json, application/x-ndjson and text/csv".into(),
            )
        })
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Ndjson => "application/x-ndjson",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn header(self) -> Option<&'static str> {
        (self == Self::Csv).then_some("id,date,service,level,message,attributes\r\n")
    }
}

/// Renders `events` as one chunk of the stream.
pub fn render(format: Format, events: &[Event]) -> Bytes {
    let mut out = Vec::with_capacity(events.len() * 160);
    for event in events {
        match format {
            Format::Csv => {
                let date = event.date.to_rfc3339();
                // Attributes go in one column, as JSON; an event without any leaves it empty.
                let attributes = event.attributes.to_json().unwrap_or_default();
                let fields = [
                    event.service.as_str(),
                    event.level.as_str(),
                    &event.message,
                    &attributes,
                ];
                out.extend_from_slice(format!("{},{date}", event.id).as_bytes());
                for field in fields {
                    out.push(b',');
                    csv_field(&mut out, field);
                }
                out.extend_from_slice(b"\r\n");
            }
            Format::Json | Format::Ndjson => {
                // An Event always serialises: its fields are plain strings and numbers.
                if serde_json::to_writer(&mut out, event).is_ok() {
                    out.push(b'\n');
                }
            }
        }
    }
    Bytes::from(out)
}

/// What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Writes a text field: quoted when it holds a comma, a quote or a line break,
/// doubling quotes. A field that a spreadsheet would run as a formula
/// (`=HYPERLINK(…)`) gets a `'` before it, inside quotes, and shows as text.
fn csv_field(out: &mut Vec<u8>, field: &str) {
    let formula = field.starts_with(FORMULA_STARTS);
    if formula || field.contains([',', '"', '\r', '\n']) {
        out.push(b'"');
        if formula {
            out.push(b'\'');
        }
        out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers_choose_the_format() {
        let cases = [
            (None, Some(Format::Json)),
            (Some("*/*"), Some(Format::Json)),
            (Some("text/csv"), Some(Format::Csv)),
            (Some("application/x-ndjson; q=1"), Some(Format::Ndjson)),
            (Some("image/png, text/csv;q=0.5"), Some(Format::Csv)),
            (Some("application/xml"), None),
        ];
        for (accept, expected) in cases {
            let header = accept.map(HeaderValue::from_static);
            assert_eq!(
                Format::negotiate(header.as_ref()).ok(),
                expected,
                "{accept:?}"
            );
        }
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        let mut out = Vec::new();
        csv_field(&mut out, "plain");
        out.push(b'|');
        csv_field(&mut out, "say \"hi\", then\nleave");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "plain|\"say \"\"hi\"\", then\nleave\""
        );
    }

    #[test]
    fn csv_fields_a_spreadsheet_would_run_are_quoted_as_text() {
        for (field, written) in [
            (
                "=HYPERLINK(\"http://evil\",\"x\")",
                "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"",
            ),
            ("+1+1", "\"'+1+1\""),
            ("-2+3", "\"'-2+3\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\tcmd", "\"'\tcmd\""),
            ("\rcmd", "\"'\rcmd\""),
            ("a=b", "a=b"),
            (" =x", " =x"),
            ("", ""),
        ] {
            let mut out = Vec::new();
            csv_field(&mut out, field);
            assert_eq!(String::from_utf8(out).unwrap(), written, "{field:?}");
        }
    }
}
