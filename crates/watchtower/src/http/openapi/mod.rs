//! The OpenAPI 3.1 document: the contract, complete and strict. The responses are
//! generated from the handlers and wire types (`utoipa`), so they cannot drift;
//! what the API takes is stated in `inputs`, as exactly as the parsers enforce
//! it, and the routes outside the password in `public`. The alert types and
//! targets are this server's own: a pulse naming a channel that is not
//! configured is not valid here, so the document does not call it valid.

mod inputs;
mod public;

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::ErrorBody;
use super::{
    alert_history, badges, channels, cluster, declare, event_reads, events, keys, otlp, pausing,
    pings, runs, service_list, service_views, services, snoozes, stream, test_alerts, whoami,
};
use crate::alert::TargetForm;
use crate::monitor::AlertType;

#[derive(OpenApi)]
#[openapi(
    info(title = "Watchtower", description = "Heartbeat monitoring and event aggregation. Every request carries a credential — the password or an API key, in the `password` header or as `Authorization: Bearer` — whose scope allows the operation (`x-scope`; 403 otherwise), but for the ping URLs (their key is in the path), `/metrics` and the probes. A request this document calls invalid gets 400 (or 404, 405, 413 for paths, methods and sizes); a request it calls valid is refused only for a rule no schema can state (one field against another, a date against the clock): 422."),
    paths(services::record_pulse, services::cancel_service, service_list::list_services, service_views::stream_services, service_views::service_history, service_views::daily_uptime, channels::list_channels, channels::explain_schedule, events::add_event, events::add_events, otlp::export_logs, event_reads::list_events, event_reads::event_stats, stream::stream_events, snoozes::add_snooze, snoozes::delete_snooze, snoozes::list_snoozes, declare::declare_service, pings::list_pings, runs::start_run, runs::fail_run, pausing::pause_service, pausing::resume_service, test_alerts::send_test_alert, alert_history::list_alerts, cluster::list_nodes, badges::badge_urls, keys::list_keys, keys::create_key, keys::revoke_key, whoami::whoami, whoami::sign_in, openapi_json),
    components(schemas(ErrorBody)),
    modifiers(&PasswordHeader),
    tags((name = "services", description = "Heartbeats"), (name = "events", description = "Event log"), (name = "alerts", description = "Alert policy: snoozes"), (name = "cluster", description = "Nodes sharing the storage"), (name = "keys", description = "API keys, for admins"), (name = "access", description = "Who a credential is and what it may do"), (name = "pings", description = "Ping URLs, Uptime Kuma push and Alertmanager: authenticated by a ping key in the path"), (name = "operations", description = "Metrics and probes, without the password"), (name = "dashboard", description = "The web dashboard's files"))
)]
pub struct ApiDoc;

struct PasswordHeader;

impl Modify for PasswordHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "password",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("password"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(utoipa::openapi::security::Http::new(
                utoipa::openapi::security::HttpAuthScheme::Bearer,
            )),
        );
    }
}

/// The document of a server whose channels take `targets`.
pub fn document(targets: &[(AlertType, TargetForm)]) -> Value {
    let mut document = serde_json::to_value(ApiDoc::openapi()).expect("a document serialises");
    let schemas = &mut document["components"]["schemas"];
    if let Value::Object(shared) = inputs::components() {
        for (name, schema) in shared {
            schemas[name] = schema;
        }
    }
    let paths = &mut document["paths"];
    for (path, item) in public::paths() {
        paths[path] = item;
    }
    let Value::Object(paths) = paths else {
        unreachable!("paths is an object")
    };
    for (path, item) in paths.iter_mut() {
        let Value::Object(operations) = item else {
            continue;
        };
        for (method, operation) in operations.iter_mut() {
            state_inputs(path, method, operation, targets);
            state_access(path, method, operation);
            complete_responses(operation);
        }
    }
    document
}

/// Puts the exact grammar of each parameter and body in place of the derived one.
fn state_inputs(
    path: &str,
    method: &str,
    operation: &mut Value,
    targets: &[(AlertType, TargetForm)],
) {
    if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
        for parameter in parameters {
            let name = parameter["name"].as_str().unwrap_or_default().to_owned();
            if let Some(schema) = inputs::parameter(path, &name) {
                parameter["schema"] = schema;
            }
        }
    }
    if let Some(body) = inputs::request_body(method, path, targets) {
        operation["requestBody"] = body;
    }
}

/// The credentials an operation takes (the password or a key, in the `password`
/// header or as a bearer token) and the scope it needs (`x-scope`).
fn state_access(path: &str, method: &str, operation: &mut Value) {
    if operation.get("security").is_none() {
        return;
    }
    operation["security"] = json!([{"password": []}, {"bearer": []}]);
    let method = axum::http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .unwrap_or(axum::http::Method::GET);
    let needs = super::access::action(&method, path).needs();
    operation["x-scope"] = json!(needs);
    let summary = operation["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    operation["description"] = json!(format!("{summary}\n\nScope: {needs}.").trim().to_owned());
}

/// Every operation may answer an error the derive does not list (413, 414, 422,
/// 431, 503…): `default` says its shape, `{"error": "…"}`.
fn complete_responses(operation: &mut Value) {
    let responses = &mut operation["responses"];
    if responses.get("default").is_none() {
        responses["default"] = json!({
            "description": "An error, named: `{\"error\": \"field: problem\"}`",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        });
    }
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "OpenAPI 3.1 document"), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn openapi_json(State(document): State<Arc<Value>>) -> Json<Value> {
    Json(Value::clone(&document))
}
