//! The keys a node accepts, in memory: a lookup per request costs a hash and a
//! map probe, not a query. The key worker reloads it from the store twice a
//! second, so a key revoked on one node of a cluster is refused by every node
//! within a second; the node that revokes it reloads at once.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use super::{Key, Principal, SECRET_PREFIX, digest};
use crate::time::Timestamp;

#[derive(Default)]
pub struct KeyRing {
    keys: RwLock<HashMap<[u8; 32], Key>>,
    /// Last use per key name since the last flush, for `keys list`.
    used: Mutex<HashMap<String, Timestamp>>,
}

impl KeyRing {
    /// The principal `secret` names, if it is a key live at `now`.
    pub fn find(&self, secret: &str, now: Timestamp) -> Option<Principal> {
        if !secret.starts_with(SECRET_PREFIX) {
            return None;
        }
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let key = keys.get(&digest(secret)).filter(|key| key.live(now))?;
        let principal = key.principal();
        drop(keys);
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        used.insert(principal.name.clone(), now);
        Some(principal)
    }

    /// Replaces the keys with those stored (not revoked), by digest.
    pub fn replace(&self, keys: Vec<(Key, [u8; 32])>) {
        let keys = keys
            .into_iter()
            .map(|(key, digest)| (digest, key))
            .collect();
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = keys;
    }

    /// The last uses noted since the last call.
    pub fn take_used(&self) -> Vec<(String, Timestamp)> {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        used.drain().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{NewKey, Scope};

    #[test]
    fn a_live_key_is_found_and_an_expired_or_unknown_one_is_not() {
        let now = Timestamp::from_millis(1_000);
        let later = Timestamp::from_millis(5_000);
        let minted = NewKey::mint("ci", Scope::Ingest, None, Some(later), now).unwrap();
        let ring = KeyRing::default();
        ring.replace(vec![(minted.new.key.clone(), minted.new.digest)]);
        assert_eq!(ring.find(&minted.secret, now).unwrap().name, "ci");
        assert_eq!(ring.find(&minted.secret, later), None, "expired");
        assert_eq!(ring.find("wtk_unknown", now), None);
        assert_eq!(ring.find("not-a-key", now), None);
        assert_eq!(ring.take_used(), vec![("ci".to_owned(), now)]);
        assert!(ring.take_used().is_empty());
        ring.replace(Vec::new());
        assert_eq!(ring.find(&minted.secret, now), None, "revoked");
    }
}
