//! OpenTelemetry logs as events: what the records of an OTLP export request
//! become. `service.name` (a resource attribute) names the service, the severity
//! the level, the body the message; the resource's and the record's attributes,
//! nested maps flattened with dotted names, and the trace context become the
//! event's attributes (the record's win over the resource's of the same name).

use std::collections::HashSet;

use base64::Engine;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::logs::v1::LogRecord;

use super::{AttributeValue, Attributes, Level, NewEvent};
use crate::field::InvalidField;
use crate::time::Timestamp;

/// What a resource without `service.name` is, as the OpenTelemetry SDKs say.
pub const UNKNOWN_SERVICE: &str = "unknown_service";
/// The message of a record with neither a body nor an event name.
pub const EMPTY_BODY: &str = "(empty body)";

/// The events of an export request, and the records that could not be one.
pub struct Converted {
    pub events: Vec<NewEvent>,
    pub rejected: usize,
    /// The first rejected record's problem, for the answer's `errorMessage`.
    pub first_problem: Option<String>,
}

/// How many log records `request` holds.
pub fn record_count(request: &ExportLogsServiceRequest) -> usize {
    let scopes = request.resource_logs.iter().flat_map(|r| &r.scope_logs);
    scopes.map(|scope| scope.log_records.len()).sum()
}

/// Every record of `request` as an event dated `received`; a record that breaks
/// an event's rules (a service name or a message too long) is counted, not stored.
pub fn convert(request: ExportLogsServiceRequest, received: Timestamp) -> Converted {
    let mut converted = Converted {
        events: Vec::with_capacity(record_count(&request)),
        rejected: 0,
        first_problem: None,
    };
    for resource_logs in request.resource_logs {
        let resource = resource_logs.resource.map(|r| r.attributes);
        let mut service = None;
        let mut shared = Vec::new();
        for attribute in resource.unwrap_or_default() {
            match (attribute.key.as_str(), &attribute.value) {
                (
                    "service.name",
                    Some(AnyValue {
                        value: Some(Value::StringValue(name)),
                    }),
                ) => {
                    service = Some(name.clone());
                }
                _ => flatten(&attribute.key, attribute.value, &mut shared),
            }
        }
        let service = service.unwrap_or_else(|| UNKNOWN_SERVICE.to_owned());
        for (index, record) in resource_logs
            .scope_logs
            .into_iter()
            .flat_map(|scope| scope.log_records)
            .enumerate()
        {
            match event(&service, &shared, record, received) {
                Ok(event) => converted.events.push(event),
                Err(problem) => {
                    converted.rejected += 1;
                    converted.first_problem.get_or_insert_with(|| {
                        format!("log record {index} of service `{service}`: {problem}")
                    });
                }
            }
        }
    }
    converted
}

fn event(
    service: &str,
    shared: &[(String, AttributeValue)],
    record: LogRecord,
    received: Timestamp,
) -> Result<NewEvent, InvalidField> {
    let level = level_of(record.severity_number, &record.severity_text);
    let message = match record.body.and_then(|body| body.value) {
        Some(Value::StringValue(text)) if !text.is_empty() => text,
        None | Some(Value::StringValue(_) | Value::StringValueStrindex(_)) => {
            if record.event_name.is_empty() {
                EMPTY_BODY.to_owned()
            } else {
                record.event_name
            }
        }
        Some(other) => text_of(other),
    };
    // NUL has no place in stored text; a replacement character keeps the rest.
    let message = message.replace('\0', "\u{FFFD}");
    let event = NewEvent::parse(service, level.as_str(), message, received)?;

    let mut own = Vec::new();
    if record.trace_id.iter().any(|byte| *byte != 0) {
        own.push(("trace_id".to_owned(), hex(&record.trace_id)));
    }
    if record.span_id.iter().any(|byte| *byte != 0) {
        own.push(("span_id".to_owned(), hex(&record.span_id)));
    }
    for attribute in record.attributes {
        flatten(&attribute.key, attribute.value, &mut own);
    }
    let named: HashSet<&str> = own.iter().map(|(name, _)| name.as_str()).collect();
    let inherited = shared
        .iter()
        .filter(|(name, _)| !named.contains(name.as_str()))
        .cloned()
        .collect::<Vec<_>>();
    Ok(event.with_attributes(Attributes::bounded(own.into_iter().chain(inherited))))
}

/// The level of an OpenTelemetry severity number (TRACE and DEBUG are `debug`,
/// FATAL is `critical`), or of its text when the number is unspecified.
pub fn level_of(number: i32, text: &str) -> Level {
    match number {
        1..=8 => Level::Debug,
        9..=12 => Level::Info,
        13..=16 => Level::Warning,
        17..=20 => Level::Error,
        21..=24 => Level::Critical,
        _ => match text.trim().to_ascii_lowercase().as_str() {
            "trace" | "debug" => Level::Debug,
            "warn" | "warning" => Level::Warning,
            "error" | "err" => Level::Error,
            "fatal" | "critical" | "crit" | "alert" | "emerg" | "emergency" => Level::Critical,
            _ => Level::Info,
        },
    }
}

/// `value` under `name`, a map's entries under `name.key`, in `out`.
fn flatten(name: &str, value: Option<AnyValue>, out: &mut Vec<(String, AttributeValue)>) {
    let Some(value) = value.and_then(|v| v.value) else {
        return;
    };
    let value = match value {
        Value::KvlistValue(list) => {
            for KeyValue { key, value, .. } in list.values {
                flatten(&format!("{name}.{key}"), value, out);
            }
            return;
        }
        Value::StringValue(text) => AttributeValue::Text(text.replace('\0', "\u{FFFD}")),
        Value::BoolValue(flag) => AttributeValue::Bool(flag),
        Value::IntValue(number) => AttributeValue::Number(number.into()),
        Value::DoubleValue(number) => serde_json::Number::from_f64(number).map_or_else(
            || AttributeValue::Text(number.to_string()),
            AttributeValue::Number,
        ),
        Value::StringValueStrindex(_) => return,
        other @ (Value::ArrayValue(_) | Value::BytesValue(_)) => {
            AttributeValue::Text(text_of(other))
        }
    };
    out.push((name.to_owned(), value));
}

fn hex(bytes: &[u8]) -> AttributeValue {
    AttributeValue::Text(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// A value as text: a string as it is, bytes in base64, the rest as JSON.
fn text_of(value: Value) -> String {
    match any_to_json(Some(value)) {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    }
}

fn any_to_json(value: Option<Value>) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        None | Some(Value::StringValueStrindex(_)) => Json::Null,
        Some(Value::StringValue(text)) => Json::String(text),
        Some(Value::BoolValue(flag)) => Json::Bool(flag),
        Some(Value::IntValue(number)) => Json::from(number),
        Some(Value::DoubleValue(number)) => serde_json::Number::from_f64(number)
            .map_or_else(|| Json::String(number.to_string()), Json::Number),
        Some(Value::BytesValue(bytes)) => {
            Json::String(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        Some(Value::ArrayValue(array)) => Json::Array(
            (array.values.into_iter())
                .map(|item| any_to_json(item.value))
                .collect(),
        ),
        Some(Value::KvlistValue(list)) => Json::Object(
            (list.values.into_iter())
                .map(|kv| (kv.key, any_to_json(kv.value.and_then(|v| v.value))))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::KeyValueList;
    use opentelemetry_proto::tonic::logs::v1::{ResourceLogs, ScopeLogs};
    use opentelemetry_proto::tonic::resource::v1::Resource;

    fn text(value: &str) -> Option<AnyValue> {
        Some(AnyValue {
            value: Some(Value::StringValue(value.into())),
        })
    }

    fn kv(key: &str, value: Option<AnyValue>) -> KeyValue {
        KeyValue {
            key: key.into(),
            value,
            ..KeyValue::default()
        }
    }

    fn request(resource: Vec<KeyValue>, records: Vec<LogRecord>) -> ExportLogsServiceRequest {
        ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                resource: Some(Resource {
                    attributes: resource,
                    ..Resource::default()
                }),
                scope_logs: vec![ScopeLogs {
                    log_records: records,
                    ..ScopeLogs::default()
                }],
                ..ResourceLogs::default()
            }],
        }
    }

    #[test]
    fn severities_map_to_levels_by_number_then_by_text() {
        let cases = [
            (1, "", Level::Debug),
            (5, "", Level::Debug),
            (9, "", Level::Info),
            (13, "", Level::Warning),
            (17, "", Level::Error),
            (21, "", Level::Critical),
            (24, "", Level::Critical),
            (0, "WARN", Level::Warning),
            (0, "Fatal", Level::Critical),
            (0, "", Level::Info),
            (99, "nonsense", Level::Info),
        ];
        for (number, text, level) in cases {
            assert_eq!(level_of(number, text), level, "{number} {text}");
        }
    }

    #[test]
    fn a_record_becomes_an_event_with_flattened_attributes() {
        let nested = Some(AnyValue {
            value: Some(Value::KvlistValue(KeyValueList {
                values: vec![kv("id", text("c-9")), kv("tier", text("gold"))],
            })),
        });
        let record = LogRecord {
            severity_number: 17,
            body: text("payment failed"),
            attributes: vec![
                kv("customer", nested),
                kv("host.name", text("override")),
                kv(
                    "attempt",
                    Some(AnyValue {
                        value: Some(Value::IntValue(3)),
                    }),
                ),
            ],
            trace_id: vec![0xab; 16],
            ..LogRecord::default()
        };
        let resource = vec![
            kv("service.name", text("checkout")),
            kv("host.name", text("web-1")),
        ];
        let converted = convert(request(resource, vec![record]), Timestamp::now());
        assert_eq!(converted.rejected, 0);
        let event = &converted.events[0];
        assert_eq!(event.service.as_str(), "checkout");
        assert_eq!(event.level, Level::Error);
        assert_eq!(event.message, "payment failed");
        assert_eq!(
            event.attributes.to_json().unwrap(),
            format!(
                r#"{{"attempt":3,"customer.id":"c-9","customer.tier":"gold","host.name":"override","trace_id":"{}"}}"#,
                "ab".repeat(16)
            )
        );
    }

    #[test]
    fn records_that_cannot_be_events_are_counted_and_the_rest_kept() {
        let too_long = LogRecord {
            body: text(&"x".repeat(70_000)),
            ..LogRecord::default()
        };
        let empty = LogRecord::default();
        let converted = convert(request(vec![], vec![too_long, empty]), Timestamp::now());
        assert_eq!(converted.rejected, 1);
        let problem = converted.first_problem.unwrap();
        assert!(
            problem.starts_with("log record 0 of service `unknown_service`: message:"),
            "{problem}"
        );
        assert_eq!(converted.events[0].message, EMPTY_BODY);
        assert_eq!(converted.events[0].service.as_str(), UNKNOWN_SERVICE);
    }
}
