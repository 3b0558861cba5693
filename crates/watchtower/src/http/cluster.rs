//! `/cluster`: the nodes sharing this server's storage.

use axum::Json;
use axum::extract::State;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use crate::cluster::NodeStatus;
use crate::time::Timestamp;

/// The live nodes (heard from within the last 5 seconds), sorted by id. With the
/// embedded SQLite storage, only this node.
#[utoipa::path(get, path = "/cluster", tag = "cluster",
    responses((status = 200, body = Vec<NodeStatus>), (status = 401, body = ErrorBody),
              (status = 503, body = ErrorBody)),
    security(("password" = [])))]
pub async fn list_nodes(State(state): State<AppState>) -> Result<Json<Vec<NodeStatus>>, ApiError> {
    Ok(Json(state.store.live_nodes(Timestamp::now()).await?))
}
