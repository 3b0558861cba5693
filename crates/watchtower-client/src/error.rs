//! The one error type: what went wrong, with the server's own words.

/// A failed call. The server's message (`{"error": …}`) is kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The password was missing or wrong (`401`).
    #[error("authentication failed: {message}")]
    Authentication { message: String },
    /// The credential is valid, but its scope or prefix does not allow this (`403`).
    #[error("forbidden: {message}")]
    Forbidden { message: String },
    /// The request was refused (`400`, `406`, `413`…); `field` names the bad input
    /// when the server did (`nextIn: must be a positive number of seconds`).
    #[error("invalid request: {message}")]
    InvalidRequest {
        field: Option<String>,
        message: String,
        status: u16,
    },
    /// No such service, snooze or path (`404`).
    #[error("not found: {message}")]
    NotFound { message: String },
    /// The server could not be reached, timed out, or answered `5xx`: worth retrying.
    #[error("server unavailable: {message}")]
    Unavailable { message: String },
    /// An answer the client does not understand.
    #[error("unexpected answer: {message}")]
    Unexpected { message: String },
    /// The client was set up wrongly (a bad URL or certificate).
    #[error("client configuration: {message}")]
    Config { message: String },
}

impl Error {
    /// Sorts an error answer by its status; `body` is the server's JSON.
    pub(crate) fn from_answer(status: u16, body: &str) -> Self {
        let message = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|value| value.get("error")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| {
                format!(
                    "HTTP {status}: {}",
                    body.chars().take(300).collect::<String>()
                )
            });
        match status {
            401 => Self::Authentication { message },
            403 => Self::Forbidden { message },
            404 => Self::NotFound { message },
            500..=599 => Self::Unavailable { message },
            400..=499 => Self::InvalidRequest {
                field: field_of(&message),
                message,
                status,
            },
            _ => Self::Unexpected { message },
        }
    }

    pub(crate) fn transport(error: reqwest::Error) -> Self {
        if error.is_builder() {
            return Self::Config {
                message: error.to_string(),
            };
        }
        let message = match error.is_timeout() {
            true => format!("no answer in time: {error}"),
            false => format!("{error}"),
        };
        Self::Unavailable { message }
    }

    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }
}

/// The field a server message names first: `events[2].level: …` → `events[2].level`.
fn field_of(message: &str) -> Option<String> {
    let (field, _) = message.split_once(": ")?;
    let plausible = !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "[]._".contains(c));
    plausible.then(|| field.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_sort_into_kinds_and_name_the_field() {
        let invalid = Error::from_answer(
            400,
            r#"{"error": "nextIn: must be a positive number of seconds"}"#,
        );
        assert_eq!(
            invalid,
            Error::InvalidRequest {
                field: Some("nextIn".into()),
                message: "nextIn: must be a positive number of seconds".into(),
                status: 400
            }
        );
        assert!(matches!(
            Error::from_answer(401, r#"{"error": "x"}"#),
            Error::Authentication { .. }
        ));
        assert!(matches!(
            Error::from_answer(403, r#"{"error": "scope: x"}"#),
            Error::Forbidden { message } if message == "scope: x"
        ));
        assert!(matches!(
            Error::from_answer(404, r#"{"error": "x"}"#),
            Error::NotFound { .. }
        ));
        assert!(Error::from_answer(503, "down").is_retryable());
        let field = |m: &str| field_of(m);
        assert_eq!(
            field("events[2].level: bad").as_deref(),
            Some("events[2].level")
        );
        assert_eq!(field("body: invalid JSON: x").as_deref(), Some("body"));
        assert_eq!(field("no field here"), None);
    }
}
