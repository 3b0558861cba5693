//! What the API takes, stated exactly: every parameter's and body's grammar, as
//! the server's parsers enforce it. A request this document calls valid is never
//! refused for its form (`400`); what no schema can state (one field against
//! another, a date against the clock) is refused with `422`
//! ([`crate::field::Breaks::Rule`]). `scripts/fuzz-api` holds the two to each
//! other with Schemathesis.

use serde_json::{Value, json};

use crate::alert::TargetForm;
use crate::events::{
    MAX_ATTRIBUTES, MAX_ATTRIBUTES_BYTES, MAX_BULK_EVENTS, MAX_KEY_CHARS, MAX_LIMIT,
    MAX_MESSAGE_BYTES,
};
use crate::monitor::{
    AlertType, MAX_EXPRESSION, MAX_GRACE, MAX_NEXT_IN, MIN_NEXT_IN, MIN_REMIND_EVERY, name_pattern,
    schedule_pattern, time_zones,
};

/// Epoch seconds as `Timestamp::parse_query` reads them.
const EPOCH_SECONDS: &str = "^-?[0-9]{1,13}(\\.[0-9]+)?$";
/// Durations as `time::parse_duration` reads them.
pub const DURATION: &str = "^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)?$";
/// Cursors as `Position::from_cursor` reads them.
const CURSOR: &str = "^-?[0-9]{1,15}\\.[0-9]{1,18}$";
/// A key's name, as `NewKey::mint` takes it.
const KEY_NAME: &str = "^[A-Za-z0-9._-]{1,64}$";
/// No NUL, which no store keeps.
pub const NO_NUL: &str = "^[^\\x00]*$";

/// The shared grammars, as components that the operations refer to.
pub fn components() -> Value {
    json!({
        "ServiceName": {
            "type": "string", "minLength": 1, "maxLength": 255, "pattern": name_pattern(),
            "description": "1 to 255 characters that show as what they are: no control, invisible or direction-changing characters, no white space at either end",
            "example": "backup"
        },
        "StoredServiceName": {
            "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f]*$",
            "description": "Any name a service may be stored under, including names taken before the rules of ServiceName: 1 to 255 characters, no control characters",
            "example": "backup"
        },
        "Level": {
            "type": "string", "pattern": any_case(&["debug", "info", "warning", "warn", "error", "critical"]),
            "description": "debug < info < warning (or warn) < error < critical, in any case",
            "example": "error"
        },
        "Date": {
            "description": "An RFC 3339 date, or Unix epoch seconds (at most 13 digits, a fraction allowed)",
            "anyOf": [
                {"type": "string", "format": "date-time"},
                {"type": "string", "pattern": EPOCH_SECONDS}
            ],
            "example": "2026-11-25T18:00:00Z"
        },
        "Duration": {
            "type": "string", "pattern": DURATION,
            "description": "Seconds (fractions allowed), or with a unit: 250ms, 90s, 5m, 2h, 1d",
            "example": "30m"
        },
        "EventInput": event_input(),
    })
}

/// Each operation's parameters, by name: the schema the server enforces.
pub fn parameter(path: &str, name: &str) -> Option<Value> {
    let schema = match (path, name) {
        (_, "service") => reference("ServiceName"),
        (_, "from" | "to") => reference("Date"),
        (_, "level") => reference("Level"),
        (_, "message") => json!({"type": "string", "pattern": NO_NUL}),
        (_, "order") => json!({"type": "string", "pattern": any_case(&["asc", "desc"])}),
        ("/", "prefix" | "cursor") => reference("StoredServiceName"),
        ("/", "status") => {
            let status = "(up|late|dead|paused|new)";
            json!({"type": "string", "pattern": format!("^{status}(,{status})*$")})
        }
        (_, "cursor") => {
            json!({"type": "string", "pattern": CURSOR, "example": "1764050000000.42"})
        }
        ("/services/{name}/pings", "limit") => {
            json!({"type": "integer", "minimum": 1, "maximum": crate::monitor::pings::MAX_PING_HISTORY})
        }
        ("/alerts", "limit") => {
            json!({"type": "integer", "minimum": 1, "maximum": crate::alert::history::MAX_ALERTS})
        }
        (_, "limit") => json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
        ("/schedule", "schedule") => schedule_schema(),
        ("/schedule", "tz") => tz_schema(),
        ("/schedule", "count") => {
            json!({"type": "integer", "minimum": 1, "maximum": crate::http::channels::MAX_COUNT})
        }
        (_, "bucket") => json!({"type": "string", "pattern": any_case(&["minute", "hour", "day"])}),
        ("/keys/{name}", "name") => json!({"type": "string", "pattern": KEY_NAME}),
        (
            "/services/{name}/pause"
            | "/services/{name}/resume"
            | "/services/{name}/pings"
            | "/services/{name}/fail",
            "name",
        ) => reference("StoredServiceName"),
        ("/services/{name}" | "/services/{name}/start", "name") => reference("ServiceName"),
        ("/alerts", "state") => json!({"type": "string", "enum": [
            "pending", "sent", "failed", "cancelled", "suppressed", "digested", "failing"
        ]}),
        ("/snooze/{id}", "id") => json!({"type": "integer", "minimum": 1, "maximum": i64::MAX}),
        _ => return None,
    };
    Some(schema)
}

/// The request bodies, by operation.
pub fn request_body(
    method: &str,
    path: &str,
    targets: &[(AlertType, TargetForm)],
) -> Option<Value> {
    let json_body = |schema: Value| json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let body = match (method, path) {
        ("post", "/") => json_body(pulse_input(targets)),
        ("put", "/services/{name}") => json_body(declaration_input(targets)),
        ("post", "/services/{name}/start") => json!({"required": false, "content": {
            "application/json": {"schema": declaration_input(targets)}
        }}),
        ("post", "/services/{name}/fail") => json!({"required": false, "content": {
            "application/json": {"schema": {
                "type": "object", "additionalProperties": false, "required": ["message"],
                "properties": {"message": {
                    "type": "string", "minLength": 1, "maxLength": MAX_MESSAGE_BYTES, "pattern": NO_NUL,
                    "description": "What failed: the exit status and the last output"
                }}
            }}
        }}),
        ("delete", "/") => json_body(json!({
            "type": "object", "additionalProperties": false, "required": ["service"],
            "properties": {"service": reference("StoredServiceName")}
        })),
        ("post", "/add-event") => json_body(reference("EventInput")),
        ("post", "/add-events") => {
            let events = json!({
                "type": "array", "items": reference("EventInput"),
                "minItems": 1, "maxItems": MAX_BULK_EVENTS
            });
            json!({"required": true, "content": {
                "application/json": {"schema": events},
                "application/x-ndjson": {
                    "schema": events,
                    "description": "The same events, one JSON object a line"
                }
            }})
        }
        ("post", "/v1/logs") => json!({"required": true, "content": {
            "application/x-protobuf": {"schema": {
                "type": "string", "format": "binary",
                "description": "An OTLP ExportLogsServiceRequest in protobuf (opentelemetry-proto)"
            }},
            "application/json": {"schema": {
                "type": "object", "properties": {"resourceLogs": {"type": "array", "items": {"type": "object"}}},
                "description": "The same request in OTLP's JSON encoding (the OTLP specification)"
            }}
        }}),
        ("post", "/snooze") => json_body(snooze_input()),
        ("post", "/test-alert") => json_body(test_alert_input(targets)),
        ("post", "/keys") => json_body(json!({
            "type": "object", "additionalProperties": false, "required": ["name", "scope"],
            "properties": {
                "name": {"type": "string", "pattern": KEY_NAME, "example": "ci"},
                "scope": {"type": "string", "enum": ["read", "ingest", "write", "admin"]},
                "prefix": {
                    "$ref": "#/components/schemas/ServiceName",
                    "description": "Only services whose names start with it (not for admin keys: 422)"
                },
                "expiresIn": {"$ref": "#/components/schemas/Duration", "description": "How long it works: more than zero, at most ten years (422 otherwise); absent: until revoked"}
            }
        })),
        _ => return None,
    };
    Some(body)
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn nullable(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

/// `^(?:[Dd][Ee][Bb][Uu][Gg]|…)$`: the words in any case, as the server reads them.
pub fn any_case(words: &[&str]) -> String {
    let spelled: Vec<String> = words
        .iter()
        .map(|word| {
            word.chars()
                .map(|c| format!("[{}{}]", c.to_ascii_uppercase(), c))
                .collect()
        })
        .collect();
    format!("^(?:{})$", spelled.join("|"))
}

fn event_input() -> Value {
    json!({
        "type": "object", "additionalProperties": false,
        "required": ["service", "level", "message"],
        "properties": {
            "service": reference("ServiceName"),
            "level": reference("Level"),
            "message": {
                "type": "string", "minLength": 1, "maxLength": MAX_MESSAGE_BYTES, "pattern": NO_NUL,
                "description": "At most 65,536 bytes of UTF-8 (a longer text of multi-byte characters gets 422)",
                "example": "disk almost full"
            },
            "attributes": nullable(attributes_input())
        }
    })
}

/// Attributes as `Attributes::parse` takes them.
fn attributes_input() -> Value {
    json!({
        "type": "object", "maxProperties": MAX_ATTRIBUTES,
        "propertyNames": {
            "minLength": 1, "maxLength": MAX_KEY_CHARS, "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
        },
        "additionalProperties": {"anyOf": [
            {"type": "string", "pattern": NO_NUL}, {"type": "number"}, {"type": "boolean"}
        ]},
        "description": format!(
            "Up to {MAX_ATTRIBUTES} names (1 to {MAX_KEY_CHARS} characters) to strings, numbers or booleans; \
             at most {MAX_ATTRIBUTES_BYTES} bytes as JSON (more gets 422). Filter on them with attr.NAME=VALUE. null is the same as none"
        ),
        "example": {"host": "web-1", "attempt": 3, "dry_run": false}
    })
}

/// A pulse: the alert types this server has, each with the targets it takes.
/// `alertType`'s schema, and one branch per type stating its `alertTarget`.
fn alert_schemas(targets: &[(AlertType, TargetForm)]) -> (Value, Vec<Value>) {
    let kinds: Vec<&str> = targets.iter().map(|(kind, _)| kind.as_str()).collect();
    let branches: Vec<Value> = targets
        .iter()
        .map(|(kind, form)| {
            json!({"properties": {
                "alertType": {"const": kind.as_str()},
                "alertTarget": target_schema(form),
            }})
        })
        .collect();
    let alert_type = match kinds.is_empty() {
        true => {
            json!({"type": "string", "not": {}, "description": "No alert channel is configured on this server"})
        }
        false => json!({"type": "string", "enum": kinds}),
    };
    (alert_type, branches)
}

/// A test alert: a channel (or route) and its target.
fn test_alert_input(targets: &[(AlertType, TargetForm)]) -> Value {
    let (alert_type, branches) = alert_schemas(targets);
    let mut schema = json!({
        "type": "object", "additionalProperties": false,
        "required": ["alertType", "alertTarget"],
        "properties": {
            "alertType": alert_type,
            "alertTarget": {"type": "string", "description": "Depends on alertType: see oneOf"}
        }
    });
    if !branches.is_empty() {
        schema["oneOf"] = Value::Array(branches);
    }
    schema
}

fn pulse_input(targets: &[(AlertType, TargetForm)]) -> Value {
    let (alert_type, branches) = alert_schemas(targets);
    let remind_every = json!({
        "description": "Seconds between reminders while the service stays dead; 0: never; absent or null: the server's default",
        "oneOf": [
            {"type": "number", "enum": [0]},
            {"type": "number", "minimum": MIN_REMIND_EVERY.as_secs_f64(), "maximum": MAX_NEXT_IN.as_secs_f64()}
        ]
    });
    let absent = |field: &str| json!({"not": {"required": [field]}});
    let mut schema = json!({
        "type": "object", "additionalProperties": false,
        "required": ["service", "alertType", "alertTarget"],
        "properties": {
            "service": reference("ServiceName"),
            "alertType": alert_type,
            "alertTarget": {"type": "string", "description": "Depends on alertType: see oneOf"},
            "nextIn": {
                "type": "number", "minimum": MIN_NEXT_IN.as_secs_f64(), "maximum": MAX_NEXT_IN.as_secs_f64(),
                "description": "Seconds until the next pulse is due", "example": 3600
            },
            "schedule": {
                "description": "Instead of nextIn: a cron expression (five fields, or @hourly … @yearly); the next pulse is due at its next time (one that never comes: 422)",
                "allOf": [schedule_schema()], "example": "0 9 * * 1-5"
            },
            "tz": {"description": "The schedule's IANA time zone; default UTC", "allOf": [tz_schema()]},
            "grace": {
                "description": "How long past the expected time before the service is dead (late meanwhile): seconds, or a Duration (at most one year: 422 beyond)",
                "anyOf": [
                    {"type": "number", "minimum": 0, "maximum": MAX_GRACE.as_secs_f64()},
                    reference("Duration")
                ]
            },
            "remindEvery": nullable(remind_every),
            "dependsOn": nullable(json!({
                "$ref": "#/components/schemas/ServiceName",
                "description": "A service this one depends on (not itself: 422)"
            }))
        }
    });
    let cadence = json!({"oneOf": [
        {"required": ["nextIn"], "allOf": [absent("schedule"), absent("tz")]},
        {"required": ["schedule"], "allOf": [absent("nextIn")]}
    ]});
    schema["allOf"] = match branches.is_empty() {
        true => json!([cadence]),
        false => json!([cadence, {"oneOf": branches}]),
    };
    schema
}

/// A declaration: a pulse's fields, its `service` optional (the path names it;
/// another name breaks a rule between the two: 422).
fn declaration_input(targets: &[(AlertType, TargetForm)]) -> Value {
    let mut schema = pulse_input(targets);
    schema["required"] = json!(["alertType", "alertTarget"]);
    schema["properties"]["service"] = json!({
        "$ref": "#/components/schemas/ServiceName",
        "description": "If given, the name in the path (another: 422)"
    });
    schema
}

/// A cron expression, as `monitor::schedule_pattern` states it.
pub fn schedule_schema() -> Value {
    json!({"type": "string", "maxLength": MAX_EXPRESSION, "pattern": schedule_pattern()})
}

/// An IANA time zone's name, exactly.
pub fn tz_schema() -> Value {
    json!({"type": "string", "enum": time_zones().collect::<Vec<_>>()})
}

fn target_schema(form: &TargetForm) -> Value {
    match form {
        TargetForm::Named(names) => json!({"type": "string", "enum": names}),
        TargetForm::Email => json!({"type": "string", "format": "email", "maxLength": 254}),
        TargetForm::Pattern {
            pattern,
            max_chars,
            except,
        } => {
            let mut schema = json!({"type": "string", "pattern": pattern, "maxLength": max_chars});
            if !except.is_empty() {
                schema["not"] = json!({"enum": except});
            }
            schema
        }
    }
}

/// A snooze: one service (or `*`) or a prefix; for a duration or until a date.
fn snooze_input() -> Value {
    let absent = |field: &str| json!({"not": {"required": [field]}});
    json!({
        "type": "object", "additionalProperties": false,
        "properties": {
            "service": {
                "anyOf": [reference("ServiceName"), {"type": "string", "enum": ["*"]}],
                "description": "A service's name, or `*` for every service"
            },
            "prefix": {"$ref": "#/components/schemas/ServiceName", "description": "Snoozes every service whose name starts with it"},
            "duration": {
                "description": "Seconds, or a Duration; more than zero, at most 366 days (422 otherwise)",
                "anyOf": [
                    {"type": "number", "exclusiveMinimum": 0, "maximum": 366 * 86_400},
                    reference("Duration")
                ]
            },
            "until": {"$ref": "#/components/schemas/Date", "description": "When it ends: after now and after from, at most 366 days ahead (422 otherwise)"},
            "from": {"$ref": "#/components/schemas/Date", "description": "When it begins; default now; at most 366 days ahead"},
            "reason": {"type": "string", "maxLength": crate::alert::policy::MAX_REASON_CHARS, "pattern": NO_NUL}
        },
        "allOf": [
            {"oneOf": [
                {"required": ["service"], "allOf": [absent("prefix")]},
                {"required": ["prefix"], "allOf": [absent("service")]}
            ]},
            {"oneOf": [
                {"required": ["duration"], "allOf": [absent("until")]},
                {"required": ["until"], "allOf": [absent("duration")]}
            ]}
        ]
    })
}
