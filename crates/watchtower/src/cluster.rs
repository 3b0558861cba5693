//! Nodes: each running server is one node; nodes that share a database form a
//! cluster. They never talk to each other: each writes a heartbeat to the shared
//! storage (`workers::heartbeat`), which is how operators (and start-up) can tell
//! who is alive.

use std::time::Duration;

use rand::Rng;
use serde::Serialize;
use utoipa::ToSchema;

use crate::time::Timestamp;

/// How often a node records its heartbeat.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(1);

/// A node not heard from for this long is taken for dead.
pub const NODE_TIMEOUT: Duration = Duration::from_secs(5);

/// Heartbeat rows older than this are forgotten.
pub const NODE_FORGOTTEN_AFTER: Duration = Duration::from_secs(24 * 3600);

/// This node, as it introduces itself in the storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    /// `<host name>-<random>`: unique per start, so a restarted node is a new node.
    pub id: String,
    /// The URL it serves on.
    pub address: String,
    pub started: Timestamp,
}

impl NodeInfo {
    pub fn new(address: String, started: Timestamp) -> Self {
        let host = host_name();
        let suffix: u32 = rand::rng().random();
        Self {
            id: format!("{host}-{suffix:08x}"),
            address,
            started,
        }
    }
}

/// A live node as `GET /cluster` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    #[schema(example = "web-1-3f9c2a1b")]
    pub node: String,
    #[schema(example = "http://10.0.0.5:8080")]
    pub address: String,
    #[schema(value_type = String, format = DateTime)]
    pub started: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub last_heartbeat: Timestamp,
}

/// Whether a node last heard from at `last_seen` still counts as alive at `now`.
pub fn is_live(last_seen: Timestamp, now: Timestamp) -> bool {
    now.since(last_seen) < NODE_TIMEOUT
}

/// This machine's host name, or `node` when it has none readable.
pub fn host_name() -> String {
    hostname::get()
        .ok()
        .and_then(|name| name.into_string().ok())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "node".to_owned())
}
