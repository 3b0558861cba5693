//! Reads of events under the store's bounds: a time limit PostgreSQL enforces,
//! and turns for the heavy ones (see `store::reads`).

use std::time::Duration;

use tokio_postgres::error::SqlState;

use super::{PgError, PgStore};
use crate::store::StoreError;

impl PgStore {
    /// A transaction whose statements PostgreSQL cancels after `timeout`, so that
    /// a read given up on frees its backend and its core. A heavy read also runs
    /// without parallel workers: one backend each, not three.
    async fn bounded_read<'c>(
        &self,
        client: &'c mut deadpool_postgres::Client,
        timeout: Duration,
        heavy: bool,
    ) -> Result<deadpool_postgres::Transaction<'c>, PgError> {
        let tx = client.transaction().await?;
        let millis = timeout.as_millis().max(1);
        let serial = match heavy {
            true => "; SET LOCAL max_parallel_workers_per_gather = 0",
            false => "",
        };
        tx.batch_execute(&format!("SET LOCAL statement_timeout = {millis}{serial}"))
            .await?;
        Ok(tx)
    }

    /// Runs `read` in a bounded transaction; a heavy one waits for its turn first,
    /// and the wait counts toward its time limit.
    pub(super) async fn read_events<T>(
        &self,
        heavy: bool,
        read: impl AsyncFnOnce(&deadpool_postgres::Transaction<'_>) -> Result<T, PgError>,
    ) -> Result<T, StoreError> {
        let turn = match heavy {
            true => Some(self.reads.turn().await?),
            false => None,
        };
        let timeout = turn
            .as_ref()
            .map_or(self.reads.limits().timeout, |turn| turn.remaining());
        let mut client = self.pool.get().await.map_err(PgError::from)?;
        let tx = self.bounded_read(&mut client, timeout, heavy).await?;
        read(&tx).await.map_err(|error| match &error {
            PgError::Db(db) if db.code() == Some(&SqlState::QUERY_CANCELED) => {
                StoreError::TooSlow(self.reads.limits().timeout)
            }
            _ => error.into(),
        })
    }
}
