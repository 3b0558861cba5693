//! Retention limits, and the step of pruning they call for at a given time
//! (`workers::retention` runs the steps).

use std::time::Duration;

use crate::time::Timestamp;

/// Rows one step deletes at most.
pub const STEP: usize = 2_000;

/// The configured limits; either or both may be unset.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Retention {
    pub max_age: Option<Duration>,
    pub max_count: Option<u64>,
}

impl Retention {
    pub fn is_unlimited(&self) -> bool {
        self.max_age.is_none() && self.max_count.is_none()
    }

    /// The next step of pruning at `now`.
    pub fn prune_at(&self, now: Timestamp) -> Prune {
        Prune {
            before: self.max_age.map(|age| now.minus(age)),
            keep: self.max_count,
            limit: STEP,
        }
    }
}

/// One step of pruning, as a store carries it out: delete up to `limit` of the
/// oldest events that are dated before `before`, or that are beyond the newest
/// `keep`. The newest event is always kept, so that event ids keep increasing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prune {
    pub before: Option<Timestamp>,
    pub keep: Option<u64>,
    pub limit: usize,
}
