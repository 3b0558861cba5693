//! The `password` header, required on every route and compared in constant time.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use crate::config::Secret;

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

pub async fn require_password(
    State(check): State<PasswordCheck>,
    request: Request,
    next: Next,
) -> Response {
    let accepted = request
        .headers()
        .get("password")
        .is_some_and(|guess| check.accepts(guess.as_bytes()));
    if accepted {
        next.run(request).await
    } else {
        ApiError::Unauthorized.into_response()
    }
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
