//! Alerts as they fared: what the outbox holds about each, for people to see why
//! an alert did (or did not) arrive.

use serde::Serialize;
use utoipa::ToSchema;

use super::AlertKind;
use crate::field::InvalidField;
use crate::monitor::{AlertType, ServiceName};
use crate::time::Timestamp;

/// The most alerts one answer lists.
pub const MAX_ALERTS: u32 = 1_000;
/// How many when the request does not say.
pub const DEFAULT_ALERTS: u32 = 100;

/// Where an alert stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// Waiting for triage, delivery, or a retry after a failed attempt.
    Pending,
    Sent,
    /// Given up on: a permanent refusal, or too many attempts.
    Failed,
    /// Its service was cancelled or paused before it went out.
    Cancelled,
    /// The policy kept it back (snoozed, flapping, a recovery that came too soon).
    Suppressed,
    /// Folded into a digest, which went out instead.
    Digested,
}

impl AlertState {
    pub const ALL: [AlertState; 6] = [
        Self::Pending,
        Self::Sent,
        Self::Failed,
        Self::Cancelled,
        Self::Suppressed,
        Self::Digested,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Suppressed => "suppressed",
            Self::Digested => "digested",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }
}

/// One alert of the outbox, as `GET /alerts` shows it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertRecord {
    pub id: i64,
    #[schema(value_type = String, example = "down")]
    pub kind: AlertKind,
    /// `*` for a digest.
    #[schema(value_type = String, example = "backup")]
    pub service: ServiceName,
    pub alert_type: AlertType,
    pub alert_target: String,
    #[schema(value_type = String, format = DateTime)]
    pub created: Timestamp,
    pub state: AlertState,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// The channel's last error, when an attempt failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When a pending alert is tried next.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt: Option<Timestamp>,
    /// For one channel of a route: the route's alert it delivers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fanned_from: Option<i64>,
}

/// Which alerts to list, newest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertQuery {
    pub service: Option<ServiceName>,
    /// Only services whose names start with it (a key's prefix).
    pub service_prefix: Option<String>,
    pub state: Option<AlertState>,
    /// Only pending alerts whose last attempt failed: deliveries in trouble.
    pub failing: bool,
    pub limit: u32,
}

impl AlertQuery {
    /// A `limit` as given: 1 to [`MAX_ALERTS`].
    pub fn limit(text: Option<&str>) -> Result<u32, InvalidField> {
        let Some(text) = text else {
            return Ok(DEFAULT_ALERTS);
        };
        text.parse::<u32>()
            .ok()
            .filter(|limit| (1..=MAX_ALERTS).contains(limit) && !text.starts_with('+'))
            .ok_or_else(|| {
                InvalidField::new(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_ALERTS}"),
                )
            })
    }
}
