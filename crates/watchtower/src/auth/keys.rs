//! API keys: named credentials whose secret is shown once and stored as its
//! SHA-256 digest. A secret is 32 random bytes, so its digest can be looked up
//! directly: nothing about a guess is learned from how long the lookup takes
//! that would help guess another.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::{Principal, Scope};
use crate::field::InvalidField;
use crate::time::Timestamp;

/// Every key's secret starts with it, so that a leaked one is recognisable
/// (secret scanners, logs).
pub const SECRET_PREFIX: &str = "wtk_";

/// A key as stored: everything but its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub scope: Scope,
    pub prefix: Option<String>,
    pub created: Timestamp,
    pub expires: Option<Timestamp>,
    pub revoked: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
}

impl Key {
    pub fn live(&self, now: Timestamp) -> bool {
        self.revoked.is_none() && self.expires.is_none_or(|expires| now < expires)
    }

    pub fn principal(&self) -> Principal {
        Principal {
            name: self.name.clone(),
            kind: super::Kind::Key,
            scope: self.scope,
            prefix: self.prefix.clone(),
        }
    }
}

/// A key to create, with the digest of its secret.
#[derive(Clone, Debug)]
pub struct NewKey {
    pub key: Key,
    pub digest: [u8; 32],
}

/// A key just made, and its secret, which is shown once and kept nowhere.
pub struct MintedKey {
    pub new: NewKey,
    pub secret: String,
}

impl NewKey {
    /// Checks a request for a key and mints its secret.
    pub fn mint(
        name: &str,
        scope: Scope,
        prefix: Option<String>,
        expires: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<MintedKey, InvalidField> {
        let name_ok = (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !name_ok {
            return Err(InvalidField::new(
                "name",
                "must be 1 to 64 letters, digits, `-`, `_` or `.`",
            ));
        }
        if let Some(prefix) = &prefix {
            crate::monitor::ServiceName::parse("prefix", prefix)?;
            if scope == Scope::Admin {
                return Err(InvalidField::rule(
                    "prefix",
                    "an admin key manages keys, which belong to no prefix: give it none",
                ));
            }
        }
        if expires.is_some_and(|expires| expires <= now) {
            return Err(InvalidField::rule("expires", "must lie in the future"));
        }
        let mut random = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut random);
        let secret = format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(random));
        Ok(MintedKey {
            new: NewKey {
                digest: digest(&secret),
                key: Key {
                    name: name.to_owned(),
                    scope,
                    prefix,
                    created: now,
                    expires,
                    revoked: None,
                    last_used: None,
                },
            },
            secret,
        })
    }
}

pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_secret_is_long_random_and_stored_as_its_digest() {
        let now = Timestamp::from_millis(1_000);
        let one = NewKey::mint("ci", Scope::Ingest, None, None, now).unwrap();
        let two = NewKey::mint("ci", Scope::Ingest, None, None, now).unwrap();
        assert!(one.secret.starts_with(SECRET_PREFIX) && one.secret.len() == 4 + 43);
        assert_ne!(one.secret, two.secret);
        assert_eq!(one.new.digest, digest(&one.secret));
    }

    #[test]
    fn bad_requests_for_keys_are_named() {
        let now = Timestamp::from_millis(1_000);
        let mint = |name: &str, scope, prefix: Option<&str>, expires| {
            NewKey::mint(name, scope, prefix.map(str::to_owned), expires, now)
                .err()
                .map(|e| e.field)
        };
        assert_eq!(mint("a b", Scope::Read, None, None), Some("name"));
        assert_eq!(
            mint("root", Scope::Admin, Some("web-"), None),
            Some("prefix")
        );
        let past = Some(Timestamp::from_millis(10));
        assert_eq!(mint("old", Scope::Read, None, past), Some("expires"));
        assert_eq!(mint("web", Scope::Write, Some("web-"), None), None);
    }
}
