//! The OpenAPI 3 document, generated from the handlers and wire types so it cannot drift.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::ErrorBody;
use super::{cluster, event_reads, events, service_views, services, snoozes, stream};

#[derive(OpenApi)]
#[openapi(
    info(title = "Watchtower", description = "Heartbeat monitoring and event aggregation. Every request carries the `password` header."),
    paths(services::record_pulse, services::cancel_service, services::list_services, service_views::stream_services, service_views::service_history, events::add_event, events::add_events, event_reads::list_events, event_reads::event_stats, stream::stream_events, snoozes::add_snooze, snoozes::delete_snooze, snoozes::list_snoozes, cluster::list_nodes, openapi_json),
    components(schemas(ErrorBody)),
    modifiers(&PasswordHeader),
    tags((name = "services", description = "Heartbeats"), (name = "events", description = "Event log"), (name = "alerts", description = "Alert policy: snoozes"), (name = "cluster", description = "Nodes sharing the storage"))
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
    }
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "OpenAPI 3 document"), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
