//! Connections per client address, capped (`limits.maxConnectionsPerClient`):
//! one client holding thousands of idle keep-alive connections would otherwise
//! hold the server's memory and file descriptors. A trusted proxy is exempt,
//! since every client behind it shares its address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;

use crate::auth::TrustedProxies;
use crate::metrics::Metrics;

/// The open connections of each client address, against the cap.
pub struct ConnectionCap {
    /// 0: no cap.
    per_client: usize,
    exempt: TrustedProxies,
    open: Mutex<HashMap<IpAddr, usize>>,
    metrics: Arc<Metrics>,
}

/// A connection counted against its address until dropped.
pub struct Admitted {
    cap: Arc<ConnectionCap>,
    counted: Option<IpAddr>,
}

impl ConnectionCap {
    pub fn new(per_client: usize, exempt: TrustedProxies, metrics: Arc<Metrics>) -> Arc<Self> {
        Arc::new(Self {
            per_client,
            exempt,
            open: Mutex::new(HashMap::new()),
            metrics,
        })
    }

    /// Counts a new connection from `peer`, or refuses it when its address has
    /// as many open as the cap allows.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<Admitted> {
        let counted = (self.per_client > 0 && !self.exempt.trusts(peer)).then_some(peer);
        if let Some(peer) = counted {
            let mut open = self
                .open
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            let count = open.entry(peer).or_default();
            if *count >= self.per_client {
                drop(open);
                self.metrics.connection_refused();
                return None;
            }
            *count += 1;
        }
        self.metrics.connection_opened();
        Some(Admitted {
            cap: self.clone(),
            counted,
        })
    }

    /// What a refused connection is served: one `503` naming the cap, then the
    /// connection closes (clients retry a `503`).
    pub fn refusal(&self, peer: IpAddr) -> Router {
        let error = format!(
            "too many connections from {peer}: at most {} at once (limits.maxConnectionsPerClient)",
            self.per_client
        );
        Router::new().fallback(move || {
            let body = axum::Json(serde_json::json!({ "error": error }));
            async move {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [
                        (header::CONNECTION, HeaderValue::from_static("close")),
                        (header::RETRY_AFTER, HeaderValue::from_static("1")),
                    ],
                    body,
                )
                    .into_response()
            }
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.cap.metrics.connection_closed();
        let Some(peer) = self.counted else { return };
        let mut open = self
            .cap
            .open
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(count) = open.get_mut(&peer) {
            *count -= 1;
            if *count == 0 {
                // Addresses come and go: the map holds only those connected.
                open.remove(&peer);
            }
        }
    }
}
