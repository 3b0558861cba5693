//! The routes outside the password: ping URLs (their key in the path), Uptime
//! Kuma's push URL, Alertmanager's webhook, `/metrics`, the probes and the
//! dashboard's files. Written here rather than derived: their handlers answer
//! plain text or serve files, which the derive macros do not describe.

use serde_json::{Value, json};

use super::inputs::{DURATION, NO_NUL, schedule_schema, tz_schema};

/// Path items to add to the document, by path.
pub fn paths() -> Vec<(&'static str, Value)> {
    vec![
        (
            "/ping/{key}",
            json!({
                "get": missing_service(), "post": missing_service()
            }),
        ),
        ("/ping/{key}/{service}", ping_item(false)),
        ("/ping/{key}/{service}/{signal}", ping_item(true)),
        ("/api/push/{key}", json!({"get": kuma_push()})),
        ("/alertmanager/{key}", json!({"post": alertmanager()})),
        ("/metrics", json!({"get": metrics()})),
        (
            "/healthz",
            json!({"get": probe("The process answers", "ok", false)}),
        ),
        (
            "/readyz",
            json!({"get": probe("Storage takes writes and the alert dispatcher runs", "ready", true)}),
        ),
        ("/ui/", json!({"get": dashboard_index()})),
        ("/ui/{file}", json!({"get": dashboard_file()})),
    ]
}

fn key_parameter() -> Value {
    json!({
        "name": "key", "in": "path", "required": true,
        "description": "A ping key of the config (`pingKeys`): an unknown key gets 404, and a client that keeps guessing wrong 429",
        "schema": {"type": "string", "minLength": 1}
    })
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}})
}

fn text_ok() -> Value {
    json!({"description": "Done", "content": {"text/plain": {"schema": {"type": "string", "enum": ["OK"]}}}})
}

fn missing_service() -> Value {
    json!({
        "tags": ["pings"], "summary": "A ping URL without its service: always 404, saying what is missing",
        "parameters": [key_parameter()],
        "responses": {"404": error_response("The service is missing from the path")}
    })
}

/// A ping's schedule, its zone and grace: `nextIn` and `schedule` together, or
/// `tz` without `schedule`, break a rule between parameters (422).
fn timing_parameters() -> [Value; 3] {
    [
        json!({
            "name": "schedule", "in": "query", "required": false,
            "description": "Instead of nextIn: a cron expression (five fields, or @hourly … @yearly); the next ping is due at its next time. Not with nextIn (422); one that never comes: 422",
            "schema": schedule_schema()
        }),
        json!({
            "name": "tz", "in": "query", "required": false,
            "description": "The schedule's IANA time zone (default UTC); only with schedule (422 otherwise)",
            "schema": tz_schema()
        }),
        json!({
            "name": "grace", "in": "query", "required": false,
            "description": "How long past the expected time before the service is dead (late meanwhile); at most one year (422 otherwise)",
            "schema": {"type": "string", "pattern": DURATION}
        }),
    ]
}

fn ping_item(with_signal: bool) -> Value {
    let mut parameters = vec![
        key_parameter(),
        json!({
            "name": "service", "in": "path", "required": true,
            "schema": {"$ref": "#/components/schemas/ServiceName"}
        }),
    ];
    if with_signal {
        parameters.push(json!({
            "name": "signal", "in": "path", "required": true,
            "description": "`start` (a run begins), `fail`, `log` (an event only), or the run's exit status as a shell prints `$?`: 0 succeeds, 1-255 fail",
            "schema": {"type": "string", "pattern": "^(start|fail|log|0|[1-9][0-9]?|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$"}
        }));
    }
    parameters.push(json!({
        "name": "nextIn", "in": "query", "required": false,
        "description": "When the next ping is due (default: the service's last, else the key's); 0.1 s to one year (422 otherwise)",
        "schema": {"type": "string", "pattern": DURATION}
    }));
    parameters.extend(timing_parameters());
    for name in ["rid", "create"] {
        parameters.push(json!({
            "name": name, "in": "query", "required": false,
            "description": "healthchecks.io's own parameter, which its tools send: taken and ignored",
            "schema": {"type": "string"}
        }));
    }
    let operation = |method: &str| {
        let mut op = json!({
            "tags": ["pings"],
            "summary": format!("healthchecks.io-style ping ({method}): pulses, starts, fails or logs a run; the body's first 10 kB become its event"),
            "parameters": parameters,
            "responses": {"200": text_ok()}
        });
        if method == "POST" {
            op["requestBody"] = json!({"required": false, "content": {"text/plain": {
                "schema": {"type": "string", "pattern": NO_NUL, "description": "UTF-8 text without NUL"}
            }}});
        }
        if method == "HEAD" {
            op["responses"] = json!({"200": {"description": "Done"}});
        }
        op
    };
    json!({"get": operation("GET"), "post": operation("POST"), "head": operation("HEAD")})
}

fn kuma_push() -> Value {
    json!({
        "tags": ["pings"],
        "summary": "Uptime Kuma-style push: `up` pulses, `down` fails; `msg` and `ping` become the event",
        "parameters": [
            key_parameter(),
            {"name": "status", "in": "query", "required": false, "schema": {"type": "string", "enum": ["up", "down"]}},
            {"name": "msg", "in": "query", "required": false, "schema": {"type": "string", "pattern": NO_NUL}},
            {"name": "ping", "in": "query", "required": false,
             "description": "A response time in milliseconds, at most 86400000 (422 otherwise); empty: none",
             "schema": {"type": "string", "pattern": "^([0-9]+(\\.[0-9]+)?)?$"}},
            {"name": "service", "in": "query", "required": false,
             "description": "The service; required unless the key is bound to one",
             "schema": {"$ref": "#/components/schemas/ServiceName"}}
        ],
        "responses": {"200": {"description": "Done", "content": {"application/json": {"schema": {
            "type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean", "enum": [true]}}
        }}}}}
    })
}

fn alertmanager() -> Value {
    json!({
        "tags": ["pings"],
        "summary": "Prometheus Alertmanager's webhook (payload version 4): a firing alert named in `alertmanager.alerts` pulses its service; others are acknowledged",
        "parameters": [key_parameter()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
            "type": "object", "required": ["alerts"],
            "properties": {"alerts": {"type": "array", "items": {
                "type": "object", "required": ["status"],
                "properties": {
                    "status": {"type": "string", "example": "firing"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}}
                }
            }}}
        }}}},
        "responses": {"200": {"description": "How many services were pulsed", "content": {"application/json": {"schema": {
            "type": "object", "required": ["ok", "pulsed"],
            "properties": {"ok": {"type": "boolean"}, "pulsed": {"type": "integer", "minimum": 0}}
        }}}}}
    })
}

fn metrics() -> Value {
    json!({
        "tags": ["operations"],
        "summary": "Prometheus metrics in the OpenMetrics text format; with `metrics.token` configured, only for `Authorization: Bearer <token>`",
        "responses": {
            "200": {"description": "The metrics", "content": {"application/openmetrics-text": {"schema": {"type": "string"}}}},
            "401": error_response("`metrics.token` is configured and was not given")
        }
    })
}

fn probe(summary: &str, status: &str, can_fail: bool) -> Value {
    let body = |status: &str| {
        json!({"application/json": {"schema": {
            "type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": [status]}}
        }}})
    };
    let mut responses = json!({"200": {"description": summary, "content": body(status)}});
    if can_fail {
        responses["503"] =
            json!({"description": "Not ready; the log says why", "content": body("unavailable")});
    }
    json!({"tags": ["operations"], "summary": summary, "responses": responses})
}

fn dashboard_index() -> Value {
    json!({
        "tags": ["dashboard"], "summary": "The web dashboard",
        "responses": {"200": {"description": "Its page", "content": {"text/html": {"schema": {"type": "string"}}}}}
    })
}

fn dashboard_file() -> Value {
    json!({
        "tags": ["dashboard"], "summary": "A file of the web dashboard",
        "parameters": [{"name": "file", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {
            "200": {"description": "The file", "content": {
                "text/html": {"schema": {"type": "string"}},
                "text/javascript": {"schema": {"type": "string"}},
                "text/css": {"schema": {"type": "string"}},
                "image/svg+xml": {"schema": {"type": "string"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": {}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            }},
            "404": error_response("No such file")
        }
    })
}
