//! `/whoami` and `/sign-in`: who a credential is and what it may do, so that a
//! client (the dashboard first) shows only what it may use. Any credential may
//! ask; `/sign-in` also leaves the sign-in in the audit trail.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::auth::Actor;
use super::error::ErrorBody;
use super::extract::NoQuery;
use crate::auth::{Action, Principal, Scope};
use crate::time::Timestamp;

/// A signed-in credential.
#[derive(Serialize, ToSchema)]
pub struct Identity {
    /// The key's or the user's name, or `password`.
    #[schema(example = "wall-screen")]
    name: String,
    /// `password`, `key`, or `user` (signed in by a trusted proxy).
    #[schema(example = "key")]
    kind: &'static str,
    /// `read`, `ingest`, `write` or `admin`.
    #[schema(example = "read")]
    scope: &'static str,
    /// Only services whose names start with it, if set.
    prefix: Option<String>,
    /// What the scope allows, of `read`, `ingest`, `write` and `admin`.
    #[schema(example = json!(["read"]))]
    may: Vec<&'static str>,
}

impl From<Principal> for Identity {
    fn from(principal: Principal) -> Self {
        let actions = [Action::Read, Action::Ingest, Action::Write, Action::Admin];
        let may = Scope::ALL
            .into_iter()
            .zip(actions)
            .filter(|(_, action)| principal.scope.allows(*action))
            .map(|(scope, _)| scope.as_str())
            .collect();
        Self {
            name: principal.name,
            kind: principal.kind.as_str(),
            scope: principal.scope.as_str(),
            prefix: principal.prefix,
            may,
        }
    }
}

/// Who the credential is, and what its scope allows.
#[utoipa::path(get, path = "/whoami", tag = "access",
    responses((status = 200, body = Identity), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn whoami(actor: Actor, _: NoQuery) -> Json<Identity> {
    Json(Identity::from(actor.principal))
}

/// Signs in to the dashboard: answers as `/whoami` and records the sign-in
/// (who, from where) in the audit trail.
#[utoipa::path(post, path = "/sign-in", tag = "access",
    responses((status = 200, body = Identity), (status = 401, body = ErrorBody)),
    security(("password" = [])))]
pub async fn sign_in(State(state): State<AppState>, actor: Actor, _: NoQuery) -> Json<Identity> {
    let what = format!(
        "signed in to the dashboard (scope {})",
        actor.principal.scope
    );
    state
        .app
        .audit(&actor.principal, actor.client, &what, Timestamp::now())
        .await;
    Json(Identity::from(actor.principal))
}
