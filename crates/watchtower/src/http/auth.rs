//! Credentials: the `password` header, required on every API route and compared
//! in constant time; and the gate every failed credential passes through (the
//! password, ping keys, Alertmanager's keys), which throttles the addresses that
//! keep failing without ever refusing a valid credential.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::client::client_address;
use super::error::ApiError;
use crate::auth::{Failure, Throttle, TrustedProxies};
use crate::config::Secret;
use crate::metrics::Metrics;

/// The password's digest: comparing digests takes the same time whatever the
/// length or content of the guess.
#[derive(Clone)]
pub struct PasswordCheck([u8; 32]);

impl PasswordCheck {
    pub fn new(password: &Secret) -> Self {
        Self(Sha256::digest(password.expose().as_bytes()).into())
    }

    pub fn accepts(&self, guess: &[u8]) -> bool {
        let digest: [u8; 32] = Sha256::digest(guess).into();
        digest.ct_eq(&self.0).into()
    }
}

/// Where failed credentials are counted, by client address.
pub struct Gate {
    throttle: Throttle,
    proxies: TrustedProxies,
    metrics: Arc<Metrics>,
}

impl Gate {
    pub fn new(proxies: TrustedProxies, metrics: Arc<Metrics>) -> Self {
        Self {
            throttle: Throttle::default(),
            proxies,
            metrics,
        }
    }

    /// Answers a failed `credential` (`password`, `ping key`) with `refusal`: at
    /// once while the client has failures to spare, else after the throttle's
    /// delay. The status stays the credential's (`401`, `404`): a client learns
    /// nothing from it but that the credential is wrong, and a guesser's
    /// connection is held idle meanwhile.
    pub async fn refuse(
        &self,
        headers: &HeaderMap,
        peer: SocketAddr,
        credential: &'static str,
        refusal: ApiError,
    ) -> ApiError {
        let client = client_address(headers, peer, &self.proxies);
        match self.throttle.fail(client, Instant::now()) {
            Failure::Refused => {
                self.metrics.auth_failure(credential, "refused");
                refusal
            }
            Failure::Throttled { delay, first } => {
                self.metrics.auth_failure(credential, "throttled");
                if first {
                    // One line per address and window, not one per guess.
                    tracing::warn!(%client, credential, "failed authentications from this address are throttled");
                }
                tokio::time::sleep(delay).await;
                refusal
            }
        }
    }
}

/// What the password middleware holds.
#[derive(Clone)]
pub struct PasswordGate {
    pub check: PasswordCheck,
    pub gate: Arc<Gate>,
}

pub async fn require_password(
    State(PasswordGate { check, gate }): State<PasswordGate>,
    request: Request,
    next: Next,
) -> Response {
    let Some(guess) = request.headers().get("password") else {
        // No credential at all is no guess: nothing to count.
        return ApiError::Unauthorized.into_response();
    };
    if check.accepts(guess.as_bytes()) {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |info| info.0);
    gate.refuse(request.headers(), peer, "password", ApiError::Unauthorized)
        .await
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_password_is_accepted() {
        let check = PasswordCheck::new(&Secret::new("s3cret".into()));
        assert!(check.accepts(b"s3cret"));
        for guess in [&b""[..], b"s3cre", b"s3cret ", b"S3CRET"] {
            assert!(!check.accepts(guess), "{guess:?}");
        }
    }
}
