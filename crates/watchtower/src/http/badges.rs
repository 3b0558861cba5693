//! Status badges behind an unguessable badge key, without the password (a README
//! cannot send one): `/badge/<key>/<service>.svg|.json` for one service,
//! `/badge/<key>/prefix/<prefix>.svg|.json` for those whose names start so.
//! `GET /badges` (admin) tells the key.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::path::Path;
use crate::config::Secret;
use crate::monitor::ServiceName;
use crate::monitor::badge::Badge;
use crate::time::Timestamp;

/// The badge key: 128 bits derived from the password, so that it needs no set-up
/// and no storage; a new password makes new badge URLs.
#[derive(Clone)]
pub struct BadgeKey(String);

impl BadgeKey {
    pub fn derive(password: &Secret) -> Self {
        let mut digest = Sha256::new();
        digest.update(b"watchtower badge key\0");
        digest.update(password.expose().as_bytes());
        let hex: String = digest.finalize()[..16]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Self(hex)
    }

    fn accepts(&self, guess: &str) -> bool {
        guess.len() == self.0.len() && bool::from(guess.as_bytes().ct_eq(self.0.as_bytes()))
    }
}

/// What a badge file's name asks for: the name and the format.
fn split(file: &str) -> Result<(&str, bool), ApiError> {
    match file.rsplit_once('.') {
        Some((name, "svg")) if !name.is_empty() => Ok((name, true)),
        Some((name, "json")) if !name.is_empty() => Ok((name, false)),
        _ => Err(ApiError::NotFound(
            "no such badge: ask for <service>.svg or <service>.json".into(),
        )),
    }
}

async fn check_key(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    key: &str,
) -> Result<(), ApiError> {
    if state.badges.accepts(key) {
        return Ok(());
    }
    let refusal = ApiError::NotFound("no such badge URL".into());
    Err(state.gate.refuse(headers, peer, "badge key", refusal).await)
}

fn answer(badge: &Badge, svg: bool) -> Response {
    // Shown in READMEs through caching proxies: always asked again.
    let fresh = (header::CACHE_CONTROL, "no-cache, max-age=0");
    match svg {
        true => (
            [
                (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
                fresh,
            ],
            badge.svg(),
        )
            .into_response(),
        false => ([fresh], Json(badge.shields())).into_response(),
    }
}

pub async fn service_badge(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((key, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_key(&state, peer, &headers, &key).await?;
    let (name, svg) = split(&file)?;
    let name = ServiceName::stored("service", name)?;
    let service = state
        .store
        .service(name.clone())
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("service: no service named `{name}`")))?;
    Ok(answer(
        &Badge::of_service(&service.as_of(Timestamp::now())),
        svg,
    ))
}

pub async fn group_badge(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((key, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_key(&state, peer, &headers, &key).await?;
    let (prefix, svg) = split(&file)?;
    let now = Timestamp::now();
    let services: Vec<_> = (state.store.list_services().await?)
        .into_iter()
        .filter(|service| service.service.as_str().starts_with(prefix))
        .map(|service| service.as_of(now))
        .collect();
    Ok(answer(&Badge::of_group(prefix, &services), svg))
}

/// The badge URLs' key, and their shapes.
#[utoipa::path(get, path = "/badges", tag = "services",
    responses((status = 200, description = "The badge key and the badge URLs' paths", body = serde_json::Value),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("password" = [])))]
pub async fn badge_urls(State(state): State<AppState>) -> Json<serde_json::Value> {
    let key = &state.badges.0;
    Json(serde_json::json!({
        "key": key,
        "service": {"svg": format!("/badge/{key}/{{service}}.svg"), "json": format!("/badge/{key}/{{service}}.json")},
        "prefix": {"svg": format!("/badge/{key}/prefix/{{prefix}}.svg"), "json": format!("/badge/{key}/prefix/{{prefix}}.json")},
    }))
}
