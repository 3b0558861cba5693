//! What a request tells of the ping it carries, for the ping history: its
//! client (behind a trusted proxy, the client it forwards for) and user agent.

use std::net::SocketAddr;

use axum::http::{HeaderMap, header};

use super::AppState;
use super::client::client_address;
use crate::monitor::pings::{PingKind, PingNote, PingSource};

/// A note of a `kind` ping that came in by `source`, from `peer` with `headers`.
pub fn note(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    kind: PingKind,
    source: PingSource,
) -> PingNote {
    let client = client_address(headers, peer, &state.gate.proxies);
    PingNote::new(kind, source).from_client(client, user_agent(headers))
}

pub fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
}
