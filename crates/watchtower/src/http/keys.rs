//! `/keys` and `/keys/{name}`: API keys, for admins. A key's secret is in the
//! answer that creates it and nowhere else, ever.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::auth::Actor;
use super::error::{ApiError, ErrorBody};
use super::extract::{JsonBody, NoQuery, present};
use super::path::Path;
use crate::auth::{Key, NewKey, Scope};
use crate::field::InvalidField;
use crate::time::{Timestamp, parse_duration_field};
use std::time::Duration;

/// A key to create.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "camelCase",
    expecting = "a JSON object with name and scope"
)]
pub struct KeyBody {
    name: String,
    scope: String,
    #[serde(default, deserialize_with = "present")]
    prefix: Option<String>,
    /// How long it works: `90d`, `12h`…; absent: until revoked.
    #[serde(default, deserialize_with = "present")]
    expires_in: Option<String>,
}

/// A key as listed: everything but its secret.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    #[schema(example = "ci")]
    name: String,
    /// `read`, `ingest`, `write` or `admin`.
    #[schema(example = "ingest")]
    scope: &'static str,
    /// Only services whose names start with it.
    prefix: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    created: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    expires: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    revoked: Option<Timestamp>,
    /// When it was last used, to within a second or so.
    #[schema(value_type = Option<String>, format = DateTime)]
    last_used: Option<Timestamp>,
}

impl From<Key> for KeyView {
    fn from(key: Key) -> Self {
        Self {
            name: key.name,
            scope: key.scope.as_str(),
            prefix: key.prefix,
            created: key.created,
            expires: key.expires,
            revoked: key.revoked,
            last_used: key.last_used,
        }
    }
}

/// A key just created, with its secret: shown once, stored nowhere.
#[derive(Serialize, ToSchema)]
pub struct CreatedKey {
    #[serde(flatten)]
    key: KeyView,
    /// Send it in the `password` header or as `Authorization: Bearer`.
    #[schema(example = "wtk_3q2x…")]
    secret: String,
}

/// The longest a key may be made to live: a credential without an end should
/// say so (no `expiresIn`), not hide behind a date thousands of years away.
const MAX_LIFETIME: Duration = Duration::from_secs(3650 * 86_400);

/// `expiresIn`: a duration, at most ten years.
fn lifetime(text: &str) -> Result<Duration, InvalidField> {
    let after = parse_duration_field("expiresIn", text)?;
    match after <= MAX_LIFETIME {
        true => Ok(after),
        false => Err(InvalidField::rule(
            "expiresIn",
            "must be at most ten years (3650d); leave it out for a key that works until revoked",
        )),
    }
}

/// Creates a key; the answer holds its secret, which is shown this once.
#[utoipa::path(post, path = "/keys", tag = "keys",
    responses((status = 201, body = CreatedKey), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, description = "A live key has this name", body = ErrorBody)),
    security(("password" = [])))]
pub async fn create_key(
    State(state): State<AppState>,
    actor: Actor,
    _: NoQuery,
    JsonBody(body): JsonBody<KeyBody>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    let now = Timestamp::now();
    let scope = Scope::parse("scope", &body.scope)?;
    let expires = body
        .expires_in
        .as_deref()
        .map(|text| lifetime(text).map(|after| now.plus(after)))
        .transpose()?;
    let minted = NewKey::mint(&body.name, scope, body.prefix, expires, now)?;
    let created = state.app.create_key(minted.new).await?.ok_or_else(|| {
        ApiError::NameTaken(format!(
            "name: a live key is named `{}`; revoke it first, or choose another name",
            body.name
        ))
    })?;
    let what = format!(
        "created the key `{}` (scope {}{})",
        created.name,
        created.scope,
        created
            .prefix
            .as_deref()
            .map(|p| format!(", prefix `{p}`"))
            .unwrap_or_default()
    );
    state
        .app
        .audit(&actor.principal, actor.client, &what, now)
        .await;
    let key = KeyView::from(created);
    let secret = minted.secret;
    Ok((StatusCode::CREATED, Json(CreatedKey { key, secret })))
}

/// Every key, live and revoked, by name; never their secrets.
#[utoipa::path(get, path = "/keys", tag = "keys",
    responses((status = 200, body = Vec<KeyView>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("password" = [])))]
pub async fn list_keys(
    State(state): State<AppState>,
    _: NoQuery,
) -> Result<Json<Vec<KeyView>>, ApiError> {
    let keys = state.store.list_keys().await?;
    Ok(Json(keys.into_iter().map(KeyView::from).collect()))
}

/// Revokes a key: every node refuses it within a second.
#[utoipa::path(delete, path = "/keys/{name}", tag = "keys",
    params(("name" = String, Path, description = "The key's name")),
    responses((status = 200, description = "The revoked key", body = KeyView),
              (status = 404, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("password" = [])))]
pub async fn revoke_key(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    _: NoQuery,
) -> Result<Json<KeyView>, ApiError> {
    let revoked = state.app.revoke_key(name.clone(), Timestamp::now()).await?;
    let key =
        revoked.ok_or_else(|| ApiError::NotFound(format!("name: no live key named `{name}`")))?;
    let what = format!("revoked the key `{name}`");
    state
        .app
        .audit(&actor.principal, actor.client, &what, Timestamp::now())
        .await;
    Ok(Json(KeyView::from(key)))
}
