//! API keys: created and revoked through the store, and this node's key ring
//! reloaded at once, so that the key works (or stops working) here before the
//! answer; other nodes reload within the key worker's period.

use super::{Error, Watchtower};
use crate::auth::{Key, NewKey};
use crate::store::StoreError;
use crate::time::Timestamp;

impl Watchtower {
    /// Stores a key; `None` when a live key already has its name.
    pub async fn create_key(&self, key: NewKey) -> Result<Option<Key>, Error> {
        let created = self.store.create_key(key).await?;
        self.reload_keys().await?;
        Ok(created)
    }

    /// Revokes the live key named `name`; `None` when there is none.
    pub async fn revoke_key(&self, name: String, at: Timestamp) -> Result<Option<Key>, Error> {
        let revoked = self.store.revoke_key(name, at).await?;
        self.reload_keys().await?;
        Ok(revoked)
    }

    /// Reloads the key ring from the store, and writes down the uses noted since.
    pub async fn reload_keys(&self) -> Result<(), StoreError> {
        let used = self.keys.take_used();
        if !used.is_empty() {
            self.store.touch_keys(used).await?;
        }
        self.keys.replace(self.store.live_keys().await?);
        Ok(())
    }
}
