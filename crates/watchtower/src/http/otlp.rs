//! `POST /v1/logs`: OpenTelemetry logs over OTLP/HTTP, in protobuf or JSON,
//! gzipped or not. The records are stored as events all at once, like
//! `/add-events`, and the answer is written as the OTLP specification says: an
//! `ExportLogsServiceResponse` in the request's encoding, with a partial success
//! naming the records that could not be events; for a protobuf request, an
//! error is a `google.rpc.Status` in protobuf.

use std::io::Read;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceRequest, ExportLogsServiceResponse,
};
use prost::Message;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{BodyLimit, NoQuery, read_body};
use crate::auth::Principal;
use crate::events::MAX_BULK_EVENTS;
use crate::events::otlp::{convert, record_count};
use crate::time::Timestamp;

const PROTOBUF: &str = "application/x-protobuf";
const JSON: &str = "application/json";

#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    Protobuf,
    Json,
}

/// `google.rpc.Status`, the body of an OTLP error answer (its `details` unused).
#[derive(Clone, PartialEq, Message)]
struct Status {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

/// Stores OpenTelemetry log records as events (OTLP/HTTP): `service.name` names
/// the service, the severity the level, the body the message, and the resource's
/// and the record's attributes become the event's. `Content-Type` is
/// `application/x-protobuf` or `application/json`, `Content-Encoding` gzip or none;
/// at most 10,000 records. Records that cannot be events are counted in the
/// answer's `partialSuccess`; the others are stored.
#[utoipa::path(post, path = "/v1/logs", tag = "events",
    request_body(description = "An OTLP ExportLogsServiceRequest",
        content((String = PROTOBUF), (serde_json::Value = JSON))),
    responses((status = 200, description = "An ExportLogsServiceResponse in the request's encoding",
                content((String = PROTOBUF), (serde_json::Value = JSON))),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("password" = [])))]
pub async fn export_logs(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    _: NoQuery,
    request: Request,
) -> Response {
    let Ok(encoding) = encoding_of(request.headers()) else {
        return ApiError::UnsupportedMediaType(format!(
            "Content-Type: OTLP logs are `{PROTOBUF}` or `{JSON}`"
        ))
        .into_response();
    };
    match export(&state, &principal, encoding, request).await {
        Ok(answer) => answer,
        Err(error) if encoding == Encoding::Protobuf => refusal(error),
        Err(error) => error.into_response(),
    }
}

async fn export(
    state: &AppState,
    principal: &Principal,
    encoding: Encoding,
    request: Request,
) -> Result<Response, ApiError> {
    let gzipped = gzipped(request.headers())?;
    let limit = request
        .extensions()
        .get::<BodyLimit>()
        .map_or(0, |limit| limit.0);
    let (_, body) = read_body(request, &()).await?;
    let body = if gzipped { gunzip(&body, limit)? } else { body };
    let logs = match encoding {
        Encoding::Protobuf => ExportLogsServiceRequest::decode(body).map_err(|error| {
            ApiError::Invalid(format!(
                "body: not an OTLP logs request in protobuf: {error}"
            ))
        })?,
        Encoding::Json => serde_json::from_slice(&body).map_err(|error| {
            ApiError::Invalid(format!("body: not an OTLP logs request in JSON: {error}"))
        })?,
    };
    let records = record_count(&logs);
    if records > MAX_BULK_EVENTS {
        return Err(ApiError::Invalid(format!(
            "body: at most {MAX_BULK_EVENTS} log records a request, got {records}: lower the exporter's batch size"
        )));
    }
    let received = Timestamp::now();
    let converted = convert(logs, received);
    for event in &converted.events {
        principal
            .check_service("service", event.service.as_str())
            .map_err(ApiError::Forbidden)?;
    }
    if !converted.events.is_empty() {
        state.app.add_events(converted.events, received).await?;
    }
    let partial_success = (converted.rejected > 0).then(|| ExportLogsPartialSuccess {
        rejected_log_records: converted.rejected as i64,
        error_message: converted.first_problem.unwrap_or_default(),
    });
    Ok(match encoding {
        Encoding::Protobuf => {
            let answer = ExportLogsServiceResponse { partial_success };
            ([(header::CONTENT_TYPE, PROTOBUF)], answer.encode_to_vec()).into_response()
        }
        // A full success is an empty object, as protobuf's JSON writes an unset field.
        Encoding::Json => axum::Json(match partial_success {
            Some(partial) => serde_json::json!({"partialSuccess": partial}),
            None => serde_json::json!({}),
        })
        .into_response(),
    })
}

fn encoding_of(headers: &HeaderMap) -> Result<Encoding, ()> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if media.eq_ignore_ascii_case(PROTOBUF) {
        Ok(Encoding::Protobuf)
    } else if media.eq_ignore_ascii_case(JSON) {
        Ok(Encoding::Json)
    } else {
        Err(())
    }
}

fn gzipped(headers: &HeaderMap) -> Result<bool, ApiError> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map(|value| value.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("" | "identity") => Ok(false),
        Some("gzip") => Ok(true),
        Some(other) => Err(ApiError::UnsupportedMediaType(format!(
            "Content-Encoding: `{other}` is not taken (gzip or none)"
        ))),
    }
}

/// The body inflated, at most `limit` bytes of it (a small bomb stays small).
fn gunzip(body: &[u8], limit: usize) -> Result<Bytes, ApiError> {
    let mut inflated = Vec::new();
    let mut reader = flate2::read::GzDecoder::new(body).take(limit as u64 + 1);
    reader
        .read_to_end(&mut inflated)
        .map_err(|error| ApiError::Invalid(format!("body: not valid gzip: {error}")))?;
    if inflated.len() > limit {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    Ok(inflated.into())
}

/// An error as OTLP/HTTP writes it for a protobuf request: a `google.rpc.Status`.
fn refusal(error: ApiError) -> Response {
    let status = error.status();
    // The gRPC codes of google.rpc.Code.
    let code = match status {
        StatusCode::FORBIDDEN => 7,
        StatusCode::SERVICE_UNAVAILABLE => 14,
        StatusCode::PAYLOAD_TOO_LARGE => 8,
        status if status.is_client_error() => 3,
        _ => 13,
    };
    let body = Status {
        code,
        message: error.to_string(),
    };
    (
        status,
        [(header::CONTENT_TYPE, PROTOBUF)],
        body.encode_to_vec(),
    )
        .into_response()
}
