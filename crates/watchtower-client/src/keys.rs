//! API keys, for admins: created (the secret is in that answer only), listed
//! and revoked. A key works wherever the password does: give it to
//! [`crate::Client::builder`] in the password's place.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::{Client, Result};

/// An API key as the server lists it: everything but its secret.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiKey {
    pub name: String,
    /// `read`, `ingest`, `write` or `admin`.
    pub scope: String,
    #[serde(default)]
    pub prefix: Option<String>,
    pub created: DateTime<Utc>,
    #[serde(default)]
    pub expires: Option<DateTime<Utc>>,
    #[serde(default)]
    pub revoked: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_used: Option<DateTime<Utc>>,
}

/// A key just created, with its secret, which no later answer holds.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[non_exhaustive]
pub struct CreatedKey {
    #[serde(flatten)]
    pub key: ApiKey,
    pub secret: String,
}

/// Who a credential is, and what its scope allows (`GET /whoami`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Identity {
    /// The key's or the user's name, or `password`.
    pub name: String,
    /// `password`, `key`, or `user` (signed in by a trusted proxy).
    pub kind: String,
    /// `read`, `ingest`, `write` or `admin`.
    pub scope: String,
    /// Only services whose names start with it, if set.
    #[serde(default)]
    pub prefix: Option<String>,
    /// What the scope allows, of `read`, `ingest`, `write` and `admin`.
    pub may: Vec<String>,
}

/// What to create: a name and a scope; optionally a service-name prefix and how
/// long it works (`90d`, `12h`…).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRequest {
    pub name: String,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<String>,
}

impl Client {
    /// Who this client's credential is, and what it may do (any scope may ask).
    pub async fn whoami(&self) -> Result<Identity> {
        self.json(self.request(Method::GET, "/whoami")).await
    }

    /// Creates a key (admin); the answer holds its secret, shown this once.
    pub async fn create_key(&self, request: &KeyRequest) -> Result<CreatedKey> {
        self.json(self.request(Method::POST, "/keys").json(request))
            .await
    }

    /// Every key, live and revoked (admin).
    pub async fn keys(&self) -> Result<Vec<ApiKey>> {
        self.json(self.request(Method::GET, "/keys")).await
    }

    /// Revokes the live key named `name` (admin); every node refuses it within a second.
    pub async fn revoke_key(&self, name: &str) -> Result<ApiKey> {
        // Names are letters, digits, `-`, `_` and `.`: nothing to escape.
        let path = format!("/keys/{name}");
        self.json(self.request(Method::DELETE, &path)).await
    }
}
