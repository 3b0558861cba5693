//! Credentials: the password (compared in constant time) or an API key, in the
//! `password` header or as `Authorization: Bearer`, required on every API route
//! and checked against the route's scope; and the gate every failed credential
//! passes through (passwords and keys, ping keys, Alertmanager's keys), which
//! throttles the addresses that keep failing without ever refusing a valid one.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::client::client_address;
use super::error::ApiError;
use crate::auth::{Failure, KeyRing, Principal, Throttle, TrustedProxies};
use crate::config::Secret;
use crate::metrics::Metrics;
use crate::time::Timestamp;

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
    pub proxies: TrustedProxies,
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

/// Who is acting, and from which client address: for the audit trail.
pub struct Actor {
    pub principal: Principal,
    pub client: std::net::IpAddr,
}

impl axum::extract::FromRequestParts<super::AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &super::AppState,
    ) -> Result<Self, ApiError> {
        let principal = parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or(ApiError::Unauthorized)?;
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |info| info.0);
        let client = client_address(&parts.headers, peer, &state.gate.proxies);
        Ok(Self { principal, client })
    }
}

/// What the credential middleware holds.
#[derive(Clone)]
pub struct CredentialGate {
    pub password: PasswordCheck,
    pub keys: Arc<KeyRing>,
    pub gate: Arc<Gate>,
}

/// The credential a request presents: the `password` header (the protocol's,
/// which takes a key too), else `Authorization: Bearer`.
fn presented(headers: &HeaderMap) -> Option<&[u8]> {
    if let Some(password) = headers.get("password") {
        return Some(password.as_bytes());
    }
    let authorization = headers.get(header::AUTHORIZATION)?.as_bytes();
    authorization
        .strip_prefix(b"Bearer ")
        .or_else(|| authorization.strip_prefix(b"bearer "))
}

/// Finds who is asking (the password, or a live key), refuses a scope that does
/// not allow the route (`403`, naming both), and hands the principal on.
pub async fn require_credential(
    State(CredentialGate {
        password,
        keys,
        gate,
    }): State<CredentialGate>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(secret) = presented(request.headers()) else {
        // No credential at all is no guess: nothing to count.
        return ApiError::Unauthorized.into_response();
    };
    let principal = match password.accepts(secret) {
        true => Some(Principal::password()),
        false => std::str::from_utf8(secret)
            .ok()
            .and_then(|secret| keys.find(secret, Timestamp::now())),
    };
    let Some(principal) = principal else {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |info| info.0);
        return gate
            .refuse(request.headers(), peer, "password", ApiError::Unauthorized)
            .await
            .into_response();
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("", MatchedPath::as_str);
    let action = super::access::action(request.method(), route);
    if !principal.scope.allows(action) {
        return ApiError::Forbidden(format!(
            "scope: the key `{}` has scope `{}`; {} {route} needs {}",
            principal.name,
            principal.scope,
            request.method(),
            action.needs()
        ))
        .into_response();
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
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
