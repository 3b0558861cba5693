//! Where the PostgreSQL backend's instants come from, and what can go wrong talking
//! to the database, sorted into the store's errors.

use deadpool_postgres::GenericClient;
use tokio_postgres::error::SqlState;

use crate::store::{Cause, StoreError};
use crate::time::Timestamp;

/// Where instants come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The database server's clock (`wt_now()`): what a cluster runs on.
    Database,
    /// The `now` each caller passes, as the SQLite backend does; lets tests drive time.
    Caller,
}

impl Clock {
    /// The database's time for `Database`, nothing for `Caller`.
    pub(super) async fn now(
        self,
        client: &impl GenericClient,
    ) -> Result<Option<Timestamp>, PgError> {
        match self {
            Self::Caller => Ok(None),
            Self::Database => {
                let row = client.query_one("SELECT wt_now()", &[]).await?;
                Ok(Some(Timestamp::from_millis(row.try_get(0)?)))
            }
        }
    }

    pub(super) async fn resolve(
        self,
        client: &impl GenericClient,
        given: Timestamp,
    ) -> Result<Timestamp, PgError> {
        Ok(self.now(client).await?.unwrap_or(given))
    }
}

/// What can go wrong talking to PostgreSQL; callers see a [`StoreError`].
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error("{}", describe(.0))]
    Db(#[from] tokio_postgres::Error),
    #[error("no database connection: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("unexpected stored data: {0}")]
    Corrupt(String),
    /// Lost a race that a retry inside the call did not settle.
    #[error("{0}")]
    Raced(String),
}

/// A database error's own message, which `tokio_postgres::Error`'s display leaves out.
fn describe(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("database error {}: {}", db.code().code(), db.message()),
        None => error.to_string(),
    }
}

impl PgError {
    fn code(&self) -> Option<&SqlState> {
        match self {
            Self::Db(error) => error.code(),
            _ => None,
        }
    }

    /// Lost a race with another transaction; trying again will do.
    pub(super) fn is_retryable(&self) -> bool {
        self.code().is_some_and(|code| {
            *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        })
    }

    /// The database refused a value (class 22, data exception), not the connection.
    pub(super) fn is_bad_data(&self) -> bool {
        self.code()
            .is_some_and(|code| code.code().starts_with("22"))
    }
}

impl From<PgError> for StoreError {
    fn from(error: PgError) -> Self {
        let class = error.code().map(|code| &code.code()[..2]);
        match error {
            PgError::Corrupt(_) => return StoreError::Corrupt(Cause::from_error(error)),
            PgError::Raced(_) => return StoreError::Conflict(Cause::from_error(error)),
            _ => {}
        }
        match class {
            // Integrity constraints, and races lost even after retries.
            Some("23" | "40") => StoreError::Conflict(Cause::from_error(error)),
            // Internal errors: the database's own data is damaged.
            Some("XX") => StoreError::Corrupt(Cause::from_error(error)),
            _ => StoreError::Unavailable(Cause::from_error(error)),
        }
    }
}
