//! Ping history: every pulse, start, failure and log a service sent, whichever
//! door it came in by, kept per service (the last `pingHistory`, 100 by default)
//! so that a successful ping without a body still leaves a trace.

use serde::Serialize;
use utoipa::ToSchema;

use crate::time::Timestamp;

/// How many pings each service keeps unless the config says otherwise.
pub const DEFAULT_PING_HISTORY: u32 = 100;
/// The most a config may ask for.
pub const MAX_PING_HISTORY: u32 = 10_000;
/// How much of a body a ping keeps, in bytes.
pub const BODY_EXCERPT: usize = 1024;
/// How much of a user agent a ping keeps, in bytes.
pub const USER_AGENT_KEPT: usize = 256;
/// Plain pulses (no body, no run) from the same client, source and user agent
/// within this long of an entry's first are counted in that entry rather than
/// each taking one: a service pulsing every second keeps a minute a line, and
/// costs one history write a minute rather than one a pulse.
pub const FOLD_WINDOW_MS: i64 = 60_000;

/// The command line's `User-Agent`, by which its pulses are told from other API calls.
pub const CLI_USER_AGENT: &str = concat!("watchtower-cli/", env!("CARGO_PKG_VERSION"));

/// What a ping said.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PingKind {
    /// Alive (a pulse, a ping URL's success, a Kuma `up`, an Alertmanager watchdog).
    Pulse,
    /// A run began: it pulses too, and the next pulse or failure times the run.
    Start,
    /// The job failed: the service is dead at once.
    Fail,
    /// Output only: no change to the service.
    Log,
}

impl PingSource {
    /// An API call's source: the command line by its user agent, else the API.
    pub fn api(user_agent: Option<&str>) -> Self {
        match user_agent {
            Some(agent) if agent.starts_with("watchtower-cli/") => Self::Cli,
            _ => Self::Api,
        }
    }
}

/// The door a ping came in by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PingSource {
    /// The API (`POST /`, `/services/{name}/start|fail`).
    Api,
    /// The API, from the `watchtower` command line.
    Cli,
    /// A ping URL (`/ping/<key>/…`).
    Ping,
    /// An Uptime Kuma push URL.
    Kuma,
    /// Prometheus Alertmanager's webhook.
    Alertmanager,
}

macro_rules! names {
    ($kind:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $kind {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }

            pub fn stored(text: &str) -> Option<Self> {
                match text { $($name => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

names!(PingKind { Pulse => "pulse", Start => "start", Fail => "fail", Log => "log" });
names!(PingSource { Api => "api", Cli => "cli", Ping => "ping", Kuma => "kuma", Alertmanager => "alertmanager" });

/// What the edge that received a ping knows of it; the store adds its date,
/// its place in the history and, after a start, the run's duration.
#[derive(Clone, Debug, PartialEq)]
pub struct PingNote {
    pub kind: PingKind,
    pub source: PingSource,
    /// The client's address (behind a trusted proxy, the client it forwards for).
    pub client: Option<String>,
    pub user_agent: Option<String>,
    pub body: Option<String>,
    /// How many pings its service keeps: this one replaces the one `keep` before.
    pub keep: u32,
}

impl PingNote {
    pub fn new(kind: PingKind, source: PingSource) -> Self {
        Self {
            kind,
            source,
            client: None,
            user_agent: None,
            body: None,
            keep: DEFAULT_PING_HISTORY,
        }
    }

    /// With the body's first [`BODY_EXCERPT`] bytes, if it is not blank.
    pub fn with_body(mut self, body: Option<&str>) -> Self {
        self.body = body
            .map(|text| excerpt(text.trim(), BODY_EXCERPT))
            .filter(|text| !text.is_empty());
        self
    }

    /// With the client's address and user agent (its first [`USER_AGENT_KEPT`] bytes).
    pub fn from_client(mut self, client: impl ToString, user_agent: Option<&str>) -> Self {
        self.client = Some(client.to_string());
        self.user_agent = user_agent.map(|agent| excerpt(agent, USER_AGENT_KEPT));
        self
    }

    /// Where this note goes in its service's history, the `number`th ping of it.
    pub fn slot(&self, number: i64) -> i64 {
        number.rem_euclid(i64::from(self.keep.max(1)))
    }

    /// Whether the ping ends a run that a start began (and so times it).
    pub fn ends_run(&self) -> bool {
        matches!(self.kind, PingKind::Pulse | PingKind::Fail)
    }

    /// What a plain pulse (no body) has in common with those it may be folded
    /// with: its source, client and user agent, hashed (FNV-1a: stable across
    /// builds, as it is stored); `None` for any other ping, which is never folded.
    pub fn fold_key(&self) -> Option<i64> {
        if self.kind != PingKind::Pulse || self.body.is_some() {
            return None;
        }
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let parts = [
            self.source.as_str(),
            self.client.as_deref().unwrap_or(""),
            self.user_agent.as_deref().unwrap_or(""),
        ];
        for part in parts {
            for byte in part.bytes().chain([0xff]) {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        Some(hash as i64)
    }
}

/// The newest entry of a service's history as its service row keeps it: what
/// folds into it, since when, and how many pings were folded in (and the last).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Fold {
    pub key: Option<i64>,
    pub since: Option<Timestamp>,
    pub folded: i64,
    pub last: Option<Timestamp>,
}

impl Fold {
    /// Whether `note`, at `at`, is counted in this entry rather than taking its
    /// own; never while a run is under way (its end is timed in an entry).
    pub fn takes(&self, note: &PingNote, at: Timestamp, running: bool) -> bool {
        let within = self
            .since
            .is_some_and(|since| at.as_millis() - since.as_millis() < FOLD_WINDOW_MS);
        !running && within && note.fold_key().is_some() && note.fold_key() == self.key
    }

    /// The fold after `note` at `at`: one more in this entry, or a new entry.
    pub fn after(&self, note: &PingNote, at: Timestamp, running: bool) -> Self {
        match self.takes(note, at, running) {
            true => Self {
                folded: self.folded + 1,
                last: Some(at),
                ..*self
            },
            // The pulse that ends a run keeps its duration to itself.
            false => Self {
                key: note.fold_key().filter(|_| !running),
                since: Some(at),
                folded: 0,
                last: Some(at),
            },
        }
    }
}

/// The first `max` bytes of `text`, cut at a character boundary.
fn excerpt(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// A ping as kept.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ping {
    #[schema(value_type = String, format = DateTime)]
    pub date: Timestamp,
    pub kind: PingKind,
    pub source: PingSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The body's first kilobyte, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Seconds since the run's start, for a pulse or a failure that ended one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// How many identical pulses this entry counts (absent: one), the last at `lastDate`.
    #[serde(skip_serializing_if = "is_one")]
    pub count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_date: Option<Timestamp>,
}

fn is_one(count: &i64) -> bool {
    *count == 1
}

impl Ping {
    /// The newest entry, with the pings its service row says were folded into it.
    pub fn with_fold(mut self, fold: &Fold) -> Self {
        if fold.folded > 0 {
            self.count = 1 + fold.folded;
            self.last_date = fold.last;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_and_agents_are_cut_at_a_character_boundary_and_blank_ones_dropped() {
        let long = "é".repeat(BODY_EXCERPT);
        let note = PingNote::new(PingKind::Log, PingSource::Ping).with_body(Some(&long));
        assert_eq!(note.body.unwrap().len(), BODY_EXCERPT);
        let blank = PingNote::new(PingKind::Log, PingSource::Ping).with_body(Some("  \n"));
        assert_eq!(blank.body, None);
        let agent = "a".repeat(1000);
        let note =
            PingNote::new(PingKind::Pulse, PingSource::Api).from_client("127.0.0.1", Some(&agent));
        assert_eq!(note.user_agent.unwrap().len(), USER_AGENT_KEPT);
    }

    #[test]
    fn the_history_is_a_ring_of_keep_slots() {
        let mut note = PingNote::new(PingKind::Pulse, PingSource::Api);
        note.keep = 3;
        let slots: Vec<i64> = (1..=7).map(|n| note.slot(n)).collect();
        assert_eq!(slots, [1, 2, 0, 1, 2, 0, 1]);
        note.keep = 0;
        assert_eq!(
            note.slot(5),
            0,
            "keep 0 is treated as 1 by the slot (the store keeps none)"
        );
    }

    #[test]
    fn identical_plain_pulses_within_a_minute_fold_into_one_entry() {
        let at = Timestamp::from_millis(1_000_000);
        let plain =
            PingNote::new(PingKind::Pulse, PingSource::Api).from_client("10.0.0.1", Some("curl"));
        let fold = Fold::default().after(&plain, at, false);
        assert_eq!(
            (fold.folded, fold.since),
            (0, Some(at)),
            "the first opens an entry"
        );
        let later = Timestamp::from_millis(1_059_999);
        let folded = fold.after(&plain, later, false);
        assert_eq!(
            (folded.folded, folded.last, folded.since),
            (1, Some(later), Some(at))
        );
        let minute = Timestamp::from_millis(1_060_000);
        assert_eq!(
            folded.after(&plain, minute, false).folded,
            0,
            "a minute on: a new entry"
        );
        assert!(
            !fold.takes(&plain, later, true),
            "never while a run is under way"
        );
        let other =
            PingNote::new(PingKind::Pulse, PingSource::Api).from_client("10.0.0.2", Some("curl"));
        assert!(!fold.takes(&other, later, false), "another client");
        let with_body = plain.clone().with_body(Some("done"));
        assert!(!fold.takes(&with_body, later, false), "a body is kept");
        let start =
            PingNote::new(PingKind::Start, PingSource::Api).from_client("10.0.0.1", Some("curl"));
        assert_eq!(start.fold_key(), None);
    }

    #[test]
    fn kinds_and_sources_read_back_as_written() {
        for kind in [
            PingKind::Pulse,
            PingKind::Start,
            PingKind::Fail,
            PingKind::Log,
        ] {
            assert_eq!(PingKind::stored(kind.as_str()), Some(kind));
        }
        for source in [
            PingSource::Api,
            PingSource::Cli,
            PingSource::Ping,
            PingSource::Kuma,
            PingSource::Alertmanager,
        ] {
            assert_eq!(PingSource::stored(source.as_str()), Some(source));
        }
    }
}
