//! API keys in SQLite: their digests, scopes and dates; never their secrets.

use async_trait::async_trait;
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use crate::auth::{Key, NewKey, Scope};
use crate::store::{KeyStore, StoreError};
use crate::time::Timestamp;

#[async_trait]
impl KeyStore for SqliteStore {
    async fn create_key(&self, key: NewKey) -> Result<Option<Key>, StoreError> {
        self.writer.write(move |conn, _| create(conn, key)).await
    }

    async fn list_keys(&self) -> Result<Vec<Key>, StoreError> {
        self.reads.read(list).await
    }

    async fn revoke_key(&self, name: String, at: Timestamp) -> Result<Option<Key>, StoreError> {
        self.writer
            .write(move |conn, _| revoke(conn, &name, at))
            .await
    }

    async fn live_keys(&self) -> Result<Vec<(Key, [u8; 32])>, StoreError> {
        self.reads.read(live).await
    }

    async fn touch_keys(&self, used: Vec<(String, Timestamp)>) -> Result<(), StoreError> {
        self.writer.write(move |conn, _| touch(conn, &used)).await
    }
}

const COLUMNS: &str = "name, scope, prefix, created, expires, revoked, last_used";

fn key_from_row(row: &Row<'_>) -> rusqlite::Result<Key> {
    let scope: String = row.get(1)?;
    let scope = Scope::parse("scope", &scope).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(1, Type::Text, "unexpected stored scope".into())
    })?;
    let date = |column: usize| -> rusqlite::Result<Option<Timestamp>> {
        Ok(row
            .get::<_, Option<i64>>(column)?
            .map(Timestamp::from_millis))
    };
    Ok(Key {
        name: row.get(0)?,
        scope,
        prefix: row.get(2)?,
        created: Timestamp::from_millis(row.get(3)?),
        expires: date(4)?,
        revoked: date(5)?,
        last_used: date(6)?,
    })
}

/// Stores a key; `None` when a live key already has its name.
fn create(conn: &Connection, new: NewKey) -> rusqlite::Result<Option<Key>> {
    let taken = conn
        .prepare_cached("SELECT 1 FROM api_keys WHERE name = ?1 AND revoked IS NULL")?
        .query_row([&new.key.name], |_| Ok(()))
        .optional()?
        .is_some();
    if taken {
        return Ok(None);
    }
    let key = new.key;
    let sql = format!(
        "INSERT INTO api_keys (name, digest, scope, prefix, created, expires)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING {COLUMNS}"
    );
    conn.prepare_cached(&sql)?
        .query_row(
            params![
                key.name,
                &new.digest[..],
                key.scope.as_str(),
                key.prefix,
                key.created.as_millis(),
                key.expires.map(Timestamp::as_millis)
            ],
            key_from_row,
        )
        .map(Some)
}

/// Every key, live and revoked, by name, then newest first.
fn list(conn: &Connection) -> rusqlite::Result<Vec<Key>> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys ORDER BY name, created DESC, id DESC");
    conn.prepare_cached(&sql)?
        .query_map([], key_from_row)?
        .collect()
}

/// Revokes the live key named `name`; `None` when there is none.
fn revoke(conn: &Connection, name: &str, at: Timestamp) -> rusqlite::Result<Option<Key>> {
    let sql = format!(
        "UPDATE api_keys SET revoked = ?2 WHERE name = ?1 AND revoked IS NULL RETURNING {COLUMNS}"
    );
    conn.prepare_cached(&sql)?
        .query_row(params![name, at.as_millis()], key_from_row)
        .optional()
}

/// The keys not revoked, with their digests.
fn live(conn: &Connection) -> rusqlite::Result<Vec<(Key, [u8; 32])>> {
    let sql = format!("SELECT {COLUMNS}, digest FROM api_keys WHERE revoked IS NULL");
    conn.prepare_cached(&sql)?
        .query_map([], |row| {
            let digest: Vec<u8> = row.get(7)?;
            let digest = <[u8; 32]>::try_from(digest.as_slice()).map_err(|_| {
                rusqlite::Error::FromSqlConversionFailure(7, Type::Blob, "unexpected digest".into())
            })?;
            Ok((key_from_row(row)?, digest))
        })?
        .collect()
}

/// Notes when keys were last used.
fn touch(conn: &Connection, used: &[(String, Timestamp)]) -> rusqlite::Result<()> {
    let mut update = conn.prepare_cached(
        "UPDATE api_keys SET last_used = max(coalesce(last_used, 0), ?2)
         WHERE name = ?1 AND revoked IS NULL",
    )?;
    for (name, at) in used {
        update.execute(params![name, at.as_millis()])?;
    }
    Ok(())
}
