//! API keys in PostgreSQL: their digests, scopes and dates; never their secrets.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::{PgError, PgStore};
use crate::auth::{Key, NewKey, Scope};
use crate::store::{KeyStore, StoreError};
use crate::time::Timestamp;

#[async_trait]
impl KeyStore for PgStore {
    async fn create_key(&self, key: NewKey) -> Result<Option<Key>, StoreError> {
        Ok(create(&self.pool.get().await.map_err(PgError::from)?, &key).await?)
    }

    async fn list_keys(&self) -> Result<Vec<Key>, StoreError> {
        Ok(list(&self.pool.get().await.map_err(PgError::from)?).await?)
    }

    async fn revoke_key(&self, name: String, at: Timestamp) -> Result<Option<Key>, StoreError> {
        Ok(revoke(&self.pool.get().await.map_err(PgError::from)?, &name, at).await?)
    }

    async fn live_keys(&self) -> Result<Vec<(Key, [u8; 32])>, StoreError> {
        Ok(live(&self.pool.get().await.map_err(PgError::from)?).await?)
    }

    async fn touch_keys(&self, used: Vec<(String, Timestamp)>) -> Result<(), StoreError> {
        Ok(touch(&self.pool.get().await.map_err(PgError::from)?, &used).await?)
    }
}

const COLUMNS: &str = "name, scope, prefix, created, expires, revoked, last_used";

fn key_from_row(row: &Row) -> Result<Key, PgError> {
    let scope: &str = row.try_get(1)?;
    let scope = Scope::parse("scope", scope)
        .map_err(|_| PgError::Corrupt("unexpected stored scope".into()))?;
    let date = |column: usize| -> Result<Option<Timestamp>, PgError> {
        Ok(row
            .try_get::<_, Option<i64>>(column)?
            .map(Timestamp::from_millis))
    };
    Ok(Key {
        name: row.try_get(0)?,
        scope,
        prefix: row.try_get(2)?,
        created: Timestamp::from_millis(row.try_get(3)?),
        expires: date(4)?,
        revoked: date(5)?,
        last_used: date(6)?,
    })
}

/// Stores a key; `None` when a live key already has its name (the partial
/// unique index decides, so two nodes creating the same name race safely).
async fn create(client: &impl GenericClient, new: &NewKey) -> Result<Option<Key>, PgError> {
    let key = &new.key;
    let sql = format!(
        "INSERT INTO api_keys (name, digest, scope, prefix, created, expires)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) WHERE revoked IS NULL DO NOTHING RETURNING {COLUMNS}"
    );
    let row = client
        .query_opt(
            &sql,
            &[
                &key.name,
                &&new.digest[..],
                &key.scope.as_str(),
                &key.prefix,
                &key.created.as_millis(),
                &key.expires.map(Timestamp::as_millis),
            ],
        )
        .await?;
    row.as_ref().map(key_from_row).transpose()
}

/// Every key, live and revoked, by name, then newest first.
async fn list(client: &impl GenericClient) -> Result<Vec<Key>, PgError> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys ORDER BY name, created DESC, id DESC");
    client
        .query(&sql, &[])
        .await?
        .iter()
        .map(key_from_row)
        .collect()
}

/// Revokes the live key named `name`; `None` when there is none.
async fn revoke(
    client: &impl GenericClient,
    name: &str,
    at: Timestamp,
) -> Result<Option<Key>, PgError> {
    let sql = format!(
        "UPDATE api_keys SET revoked = $2 WHERE name = $1 AND revoked IS NULL RETURNING {COLUMNS}"
    );
    let row = client.query_opt(&sql, &[&name, &at.as_millis()]).await?;
    row.as_ref().map(key_from_row).transpose()
}

/// The keys not revoked, with their digests.
async fn live(client: &impl GenericClient) -> Result<Vec<(Key, [u8; 32])>, PgError> {
    let sql = format!("SELECT {COLUMNS}, digest FROM api_keys WHERE revoked IS NULL");
    client
        .query(&sql, &[])
        .await?
        .iter()
        .map(|row| {
            let digest: &[u8] = row.try_get(7)?;
            let digest = <[u8; 32]>::try_from(digest)
                .map_err(|_| PgError::Corrupt("unexpected key digest".into()))?;
            Ok((key_from_row(row)?, digest))
        })
        .collect()
}

/// Notes when keys were last used.
async fn touch(client: &impl GenericClient, used: &[(String, Timestamp)]) -> Result<(), PgError> {
    let statement = client
        .prepare(
            "UPDATE api_keys SET last_used = greatest(coalesce(last_used, 0), $2)
             WHERE name = $1 AND revoked IS NULL",
        )
        .await?;
    for (name, at) in used {
        client.execute(&statement, &[name, &at.as_millis()]).await?;
    }
    Ok(())
}
