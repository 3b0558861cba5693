//! SQLite's errors sorted into what callers can act on: an outage, a conflict, or
//! data this build cannot read.

use rusqlite::ErrorCode;

use crate::store::{Cause, StoreError};

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::Error as E;
        let corrupt = match &error {
            E::SqliteFailure(failure, _) => match failure.code {
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => true,
                ErrorCode::ConstraintViolation => {
                    return StoreError::Conflict(Cause::from_error(error));
                }
                _ => false,
            },
            // A stored value that does not read back as what was written.
            E::FromSqlConversionFailure(..)
            | E::IntegralValueOutOfRange(..)
            | E::Utf8Error(..)
            | E::InvalidColumnType(..) => true,
            _ => false,
        };
        match corrupt {
            true => StoreError::Corrupt(Cause::from_error(error)),
            false => StoreError::Unavailable(Cause::from_error(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_errors_are_sorted_by_what_a_caller_can_do() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            .unwrap();
        let null = conn.execute("INSERT INTO t (name) VALUES (NULL)", []);
        assert!(matches!(
            StoreError::from(null.unwrap_err()),
            StoreError::Conflict(_)
        ));
        conn.execute("INSERT INTO t (name) VALUES ('x')", [])
            .unwrap();
        let wrong_type = conn.query_row("SELECT name FROM t", [], |row| row.get::<_, i64>(0));
        assert!(matches!(
            StoreError::from(wrong_type.unwrap_err()),
            StoreError::Corrupt(_)
        ));
        let missing = conn.execute("INSERT INTO nowhere VALUES (1)", []);
        assert!(matches!(
            StoreError::from(missing.unwrap_err()),
            StoreError::Unavailable(_)
        ));
    }
}
