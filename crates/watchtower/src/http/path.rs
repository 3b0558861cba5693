//! Our own `Path` extractor: a path segment that cannot be decoded (`/snooze/%ff`,
//! whose bytes are not UTF-8) is refused in the API's error shape, naming the
//! segment, instead of axum's plain-text rejection.

use axum::extract::FromRequestParts;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The route's path parameters, decoded: use it as `axum::extract::Path`.
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(refused(&rejection)),
        }
    }
}

fn refused(rejection: &PathRejection) -> ApiError {
    if let PathRejection::FailedToDeserializePathParams(failed) = rejection
        && let ErrorKind::InvalidUtf8InPathParam { key } = failed.kind()
    {
        return ApiError::Invalid(format!(
            "{key}: the path segment is not UTF-8 text once percent-decoded"
        ));
    }
    // Our routes take their segments as text, so the rest cannot happen: a route
    // and its handler that disagree on the parameters.
    ApiError::Invalid(format!("path: {}", rejection.body_text()))
}
