//! One error type for every failure the API reports, rendered as `{"error": "…"}`.

use std::time::Duration;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::field::{Breaks, InvalidField};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Invalid(String),
    #[error("missing or wrong `password` header")]
    Unauthorized,
    #[error("{0}")]
    NotFound(String),
    #[error("method {0} is not allowed on this path")]
    MethodNotAllowed(String),
    #[error("{0}")]
    NotAcceptable(String),
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("URI is longer than {0} bytes")]
    UriTooLong(usize),
    #[error("request head (request line and headers) is larger than {0} bytes")]
    HeadTooLarge(usize),
    #[error("request took longer than {0:?}")]
    Timeout(Duration),
    #[error("storage is unavailable, try again later")]
    Unavailable,
    #[error(
        "the read took longer than {0:?} (limits.readTimeout) and was stopped; narrow it: a service, a shorter time range, a longer search word"
    )]
    ReadTooSlow(Duration),
    #[error("the request conflicted with a concurrent change; try again")]
    Conflict,
    /// The details are in the operator's log, never in the answer.
    #[error("internal error: stored data is inconsistent")]
    Internal,
    /// A valid credential that does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// A name already in use (a live key's).
    #[error("{0}")]
    NameTaken(String),
    /// Well formed by the API document, but breaking a rule no schema can state.
    #[error("{0}")]
    Unprocessable(String),
    /// An alert channel refused or could not be reached (a test alert).
    #[error("{0}")]
    Undelivered(String),
    /// A body in a format or an encoding the route does not take.
    #[error("{0}")]
    UnsupportedMediaType(String),
}

/// The body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    #[schema(example = "nextIn: must be a positive number of seconds")]
    pub error: String,
}

impl ApiError {
    pub(super) fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NameTaken(_) => StatusCode::CONFLICT,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            Self::HeadTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable | Self::ReadTooSlow(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Undelivered(_) => StatusCode::BAD_GATEWAY,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
    }
}

impl From<InvalidField> for ApiError {
    fn from(error: InvalidField) -> Self {
        match error.breaks {
            Breaks::Grammar => Self::Invalid(error.to_string()),
            Breaks::Rule => Self::Unprocessable(error.to_string()),
        }
    }
}

impl From<crate::usecase::Error> for ApiError {
    fn from(error: crate::usecase::Error) -> Self {
        match error {
            crate::usecase::Error::Invalid(invalid) => invalid.into(),
            crate::usecase::Error::Store(store) => store.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        // The cause is for the operator's log, not for the client.
        let chain = crate::errors::chain(&error);
        match error {
            StoreError::Unavailable(_) => {
                tracing::error!(error = chain, "storage unavailable");
                Self::Unavailable
            }
            StoreError::Conflict(_) => {
                tracing::warn!(error = chain, "storage conflict");
                Self::Conflict
            }
            StoreError::Corrupt(_) => {
                tracing::error!(error = chain, "stored data is corrupt or inconsistent");
                Self::Internal
            }
            StoreError::TooSlow(limit) => {
                tracing::warn!(error = chain, "a read was stopped at limits.readTimeout");
                Self::ReadTooSlow(limit)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status(),
            Json(ErrorBody {
                error: self.to_string(),
            }),
        )
            .into_response()
    }
}
