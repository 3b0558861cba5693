//! What a store call that failed reports: whether trying again can help, with the
//! driver's error kept as the source so that the log can tell an outage from bad data.

use std::error::Error;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Why a store call failed.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database cannot be reached or written (connection lost, disk full, I/O
    /// error, shutting down): the same call may succeed later (`503`).
    #[error("storage is unavailable: {0}")]
    Unavailable(#[source] Cause),
    /// The write lost a race with a concurrent one, even after retries, or broke a
    /// uniqueness rule: trying again may succeed.
    #[error("storage conflict: {0}")]
    Conflict(#[source] Cause),
    /// What is stored is not what this build wrote or expects (a broken invariant,
    /// an unreadable value, a damaged file): retrying cannot help.
    #[error("stored data is corrupt or inconsistent: {0}")]
    Corrupt(#[source] Cause),
    /// A read ran past `limits.readTimeout` and was stopped, freeing what it
    /// held: the same read would be as slow, a narrower one may not be.
    #[error("the read took longer than {0:?} and was stopped")]
    TooSlow(Duration),
}

impl StoreError {
    pub fn unavailable(what: impl Into<String>) -> Self {
        Self::Unavailable(Cause::new(what))
    }

    pub fn corrupt(what: impl Into<String>) -> Self {
        Self::Corrupt(Cause::new(what))
    }

    /// The store was closed, or is closing: nothing more is written.
    pub fn shut_down() -> Self {
        Self::unavailable("storage is shut down")
    }

    /// Whether the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, Self::Corrupt(_) | Self::TooSlow(_))
    }
}

/// What failed, and the error that made it fail (shared, so that one failed
/// commit can answer every write of its batch).
#[derive(Clone, Debug)]
pub struct Cause {
    what: String,
    source: Option<Arc<dyn Error + Send + Sync>>,
}

impl Cause {
    pub fn new(what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            source: None,
        }
    }

    /// `source`, described by its own message.
    pub fn from_error(source: impl Error + Send + Sync + 'static) -> Self {
        Self {
            what: source.to_string(),
            source: Some(Arc::new(source)),
        }
    }

    /// `source`, with a description of its own (a driver message that its
    /// `Display` leaves out).
    pub fn described(what: impl Into<String>, source: impl Error + Send + Sync + 'static) -> Self {
        Self {
            what: what.into(),
            source: Some(Arc::new(source)),
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl Error for Cause {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_keeps_its_source_error() {
        let io = std::io::Error::other("disk on fire");
        let error = StoreError::Unavailable(Cause::from_error(io));
        assert_eq!(error.to_string(), "storage is unavailable: disk on fire");
        let cause = error.source().expect("the cause");
        let io = cause.source().expect("the driver's error");
        assert!(io.downcast_ref::<std::io::Error>().is_some());
        assert!(error.is_retryable());
        assert!(!StoreError::corrupt("bad row").is_retryable());
    }
}
