//! Credentials: the password (compared in constant time) or an API key, in the
//! `password` header or as `Authorization: Bearer`, required on every API route
//! and checked against the route's scope; and the gate every failed credential
//! passes through (passwords and keys, ping keys, Alertmanager's keys), which
//! throttles the addresses that keep failing without ever refusing a valid one.

use std::collections::HashMap;
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
use crate::auth::{Failure, KeyRing, Principal, Scope, Throttle, TrustedProxies};
use crate::config::AuthConfig;
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

/// Where failed credentials are counted, by client address; and whom trusted
/// proxies may sign in.
pub struct Gate {
    throttle: Throttle,
    pub proxies: TrustedProxies,
    metrics: Arc<Metrics>,
    sign_on: Option<SignOn>,
}

/// `auth.proxyHeader` and `auth.users`: the header a trusted proxy names its
/// signed-in user in, and each user's scope.
pub struct SignOn {
    header: header::HeaderName,
    users: HashMap<String, Scope>,
}

impl SignOn {
    pub fn from_config(auth: &AuthConfig) -> anyhow::Result<Option<Self>> {
        let Some(header) = &auth.proxy_header else {
            return Ok(None);
        };
        let users = auth
            .users
            .iter()
            .map(|(user, scope)| Ok((user.clone(), Scope::parse("scope", scope)?)))
            .collect::<Result<_, crate::field::InvalidField>>()
            .map_err(|e| anyhow::anyhow!("auth.users: {e}"))?;
        let header = header::HeaderName::from_bytes(header.as_bytes())?;
        Ok(Some(Self { header, users }))
    }
}

impl Gate {
    pub fn new(proxies: TrustedProxies, metrics: Arc<Metrics>, sign_on: Option<SignOn>) -> Self {
        Self {
            throttle: Throttle::default(),
            proxies,
            metrics,
            sign_on,
        }
    }

    /// The user a trusted proxy signed in, if the request comes straight from
    /// one and names one: `403` for a user without a scope here.
    fn signed_on(
        &self,
        headers: &HeaderMap,
        peer: SocketAddr,
    ) -> Option<Result<Principal, ApiError>> {
        let sign_on = self.sign_on.as_ref()?;
        if !self.proxies.trusts(peer.ip()) {
            return None;
        }
        let user = headers.get(&sign_on.header)?.to_str().ok()?.trim();
        Some(match sign_on.users.get(user) {
            Some(scope) => Ok(Principal::user(user, *scope)),
            None => Err(ApiError::Forbidden(format!(
                "user: `{user}` has no scope on this server (auth.users)"
            ))),
        })
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

/// A refusal sent before the request's body was read: the unread body would be
/// taken for the next request on the connection, so the server closes it after
/// this answer, and says so, or a client that reuses it fails on its next call.
fn before_the_body(mut response: Response, headers: &HeaderMap) -> Response {
    let carries_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0");
    if carries_body {
        response.headers_mut().insert(
            header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    response
}

/// Finds who is asking (the password, a live key, or a user a trusted proxy
/// signed in), then lets [`authorise`] check the route's scope.
pub async fn require_credential(
    State(CredentialGate {
        password,
        keys,
        gate,
    }): State<CredentialGate>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |info| info.0);
    let Some(secret) = presented(request.headers()) else {
        // No credential at all is no guess: nothing to count. A trusted proxy
        // may have signed a user in.
        let refusal = match gate.signed_on(request.headers(), peer) {
            Some(Ok(principal)) => return authorise(principal, request, next).await,
            Some(Err(refusal)) => refusal.into_response(),
            None => ApiError::Unauthorized.into_response(),
        };
        return before_the_body(refusal, request.headers());
    };
    let principal = match password.accepts(secret) {
        true => Some(Principal::password()),
        false => std::str::from_utf8(secret)
            .ok()
            .and_then(|secret| keys.find(secret, Timestamp::now())),
    };
    let Some(principal) = principal else {
        let refusal = gate
            .refuse(request.headers(), peer, "password", ApiError::Unauthorized)
            .await
            .into_response();
        return before_the_body(refusal, request.headers());
    };
    authorise(principal, request, next).await
}

/// Refuses a scope that does not allow the route (`403`, naming both), else hands
/// the principal on to the handler.
async fn authorise(principal: Principal, mut request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("", MatchedPath::as_str);
    let action = super::access::action(request.method(), route);
    if !principal.scope.allows(action) {
        let refusal = ApiError::Forbidden(format!(
            "scope: {} has scope `{}`; {} {route} needs {}",
            principal.describe(),
            principal.scope,
            request.method(),
            action.needs()
        ));
        return before_the_body(refusal.into_response(), request.headers());
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
