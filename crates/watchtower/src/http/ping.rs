//! Ping URLs for tools that can only fetch a URL, authenticated by a ping key in
//! the path instead of the `password` header:
//! - healthchecks.io style: `GET|POST|HEAD /ping/<key>/<service>[/start|/fail|/log|/<exit status>]`,
//!   answering `OK`;
//! - Uptime Kuma push style: `GET /api/push/<key>?status=up|down&msg=…&ping=…[&service=…]`,
//!   answering `{"ok":true}` (`kuma.rs`).
//!
//! A success pulses (with `?nextIn=`, else the service's last, else the key's
//! default); `/start` pulses too and starts timing the run, so that a run that
//! does not finish within `nextIn` is reported; a failure declares the service dead
//! at once; the request body (its first 10 kB) becomes an event.

mod kuma;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use super::extract::{Params, QueryPairs, RawBody};
use super::ping_keys::{PingKey, PingKeys};
use super::services::grace;
use crate::events::{Level, NewEvent, reject_nul};
use crate::field::InvalidField;
use crate::monitor::pings::{PingKind, PingNote, PingSource};
use crate::monitor::{Cadence, NextIn, Schedule, ServiceName};
use crate::time::{Timestamp, human_duration, parse_duration_field};
use crate::usecase::Timing;

/// How much of a ping's body becomes its event.
const BODY_KEPT: usize = 10 * 1024;

/// What a healthchecks.io-style URL takes: `nextIn`, and healthchecks.io's own
/// `rid` (a run's id) and `create`, which tools built for it send; those two are
/// taken and ignored.
const PING_PARAMS: [&str; 6] = ["nextIn", "schedule", "tz", "grace", "rid", "create"];

/// The ping keys and the runs under way (`/start` seen, success or failure not yet).
pub struct Pings {
    pub keys: PingKeys,
    started: Mutex<HashMap<ServiceName, Instant>>,
}

impl Pings {
    pub fn new(keys: PingKeys) -> Self {
        Self {
            keys,
            started: Mutex::new(HashMap::new()),
        }
    }

    fn run_time(&self, service: &ServiceName) -> Option<std::time::Duration> {
        let mut started = self.started.lock().unwrap_or_else(|p| p.into_inner());
        started.remove(service).map(|at| at.elapsed())
    }
}

/// What a ping says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Signal {
    Success,
    Start,
    Fail(Option<u8>),
    Log,
}

fn signal(text: &str) -> Result<Signal, ApiError> {
    match text {
        "start" => Ok(Signal::Start),
        "fail" => Ok(Signal::Fail(None)),
        "log" => Ok(Signal::Log),
        "0" => Ok(Signal::Success),
        // Digits only, as a shell prints `$?`: no sign, no leading zero.
        code if code.starts_with('0') || !code.bytes().all(|b| b.is_ascii_digit()) => {
            Err(ApiError::NotFound(format!(
                "no such ping: `{code}` is not start, fail, log or an exit status 0-255"
            )))
        }
        code => match code.parse::<u8>() {
            Ok(status) => Ok(Signal::Fail(Some(status))),
            Err(_) => Err(ApiError::NotFound(format!(
                "no such ping: `{code}` is not start, fail, log or an exit status 0-255"
            ))),
        },
    }
}

pub async fn healthchecks_ping(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    headers: HeaderMap,
    Path(path): Path<Vec<(String, String)>>,
    QueryPairs(query): QueryPairs,
    RawBody(body): RawBody,
) -> Response {
    let value = |name: &str| {
        path.iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.as_str())
    };
    let (key, service) = (value("key").unwrap_or_default(), value("service"));
    let outcome = async {
        let query = Params::parse(&query, &PING_PARAMS)?;
        let signal = value("signal").map(signal).transpose()?;
        let signal = signal.unwrap_or(Signal::Success);
        let timing = PingTiming {
            next_in: query.get("nextIn"),
            schedule: query.get("schedule"),
            tz: query.get("tz"),
            grace: query.get("grace"),
        };
        let client = Client {
            peer,
            headers: &headers,
            source: PingSource::Ping,
        };
        ping(&state, client, key, service, signal, timing, &body).await
    };
    match outcome.await {
        Ok(()) if method == Method::HEAD => StatusCode::OK.into_response(),
        Ok(()) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "OK").into_response(),
        Err(error) => error.into_response(),
    }
}

/// `/ping/<key>` alone: healthchecks.io's URLs by check UUID have this shape, ours
/// need the service too.
pub async fn missing_service() -> ApiError {
    ApiError::NotFound(
        "service: a service name is required: /ping/<key>/<service>[/start|/fail|/log|/<exit status>]"
            .into(),
    )
}

/// What a ping URL's query says of the service's timing, as given.
#[derive(Default)]
pub(super) struct PingTiming<'a> {
    pub next_in: Option<&'a str>,
    pub schedule: Option<&'a str>,
    pub tz: Option<&'a str>,
    pub grace: Option<&'a str>,
}

impl PingTiming<'_> {
    /// `nextIn` or `schedule` (with `tz`), or neither; and `grace`.
    fn parse(&self) -> Result<Timing, ApiError> {
        let cadence = match (self.next_in, self.schedule) {
            // Rules between parameters, which the API document cannot state: 422.
            (Some(_), Some(_)) => Err(InvalidField::rule(
                "schedule",
                "give either nextIn or schedule, not both",
            ))?,
            (None, Some(schedule)) => Some(Cadence::Cron(Schedule::parse(schedule, self.tz)?)),
            (_, None) if self.tz.is_some() => Err(InvalidField::rule(
                "tz",
                "is the time zone of a schedule: give it with schedule",
            ))?,
            (Some(next_in), None) => Some(Cadence::Every(parse_next_in(next_in)?)),
            (None, None) => None,
        };
        let grace = self
            .grace
            .map(|text| grace(&serde_json::Value::String(text.to_owned())))
            .transpose()?;
        Ok(Timing { cadence, grace })
    }
}

/// Who sent a ping: the connection's peer and the request's headers, from which
/// the gate finds the client behind a trusted proxy.
pub(super) struct Client<'a> {
    pub peer: SocketAddr,
    pub headers: &'a HeaderMap,
    /// The door it came in by, for the ping history.
    pub source: PingSource,
}

impl Client<'_> {
    /// The ping history's note of a `kind` ping with `body`.
    fn note(&self, state: &AppState, kind: PingKind, body: Option<&str>) -> PingNote {
        super::notes::note(state, self.headers, self.peer, kind, self.source).with_body(body)
    }
}

async fn ping(
    state: &AppState,
    client: Client<'_>,
    key: &str,
    service: Option<&str>,
    signal: Signal,
    timing: PingTiming<'_>,
    body: &[u8],
) -> Result<(), ApiError> {
    let pings = state.pings.clone();
    let received = Instant::now();
    let at = Timestamp::now();
    let key = &authorise(state, client.peer, client.headers, key).await?;
    // Everything is checked before anything is written.
    let timing = timing.parse()?;
    let service = match (service, &key.service) {
        (Some(name), _) => ServiceName::parse("service", name)?,
        (None, Some(bound)) => bound.clone(),
        (None, None) => {
            return Err(ApiError::Unprocessable(
                "service: this key is bound to no service; add ?service=NAME".into(),
            ));
        }
    };
    key.may_ping(&service).map_err(ApiError::Forbidden)?;
    let text = body_text(body)?;
    let note = |kind| client.note(state, kind, text.as_deref());
    let pulse = |timing, kind| pulse(state, key, &service, timing, note(kind), at, received);
    let record = |level, message| record(state, &service, level, message, at);
    match signal {
        Signal::Log => {
            state
                .app
                .record_ping(&service, note(PingKind::Log), at)
                .await?;
            record(
                Level::Info,
                text.clone().unwrap_or_else(|| "log ping".into()),
            )
            .await
        }
        Signal::Start => {
            pulse(timing, PingKind::Start).await?;
            pings
                .started
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(service.clone(), received);
            match &text {
                Some(text) => record(Level::Info, format!("run started\n{text}")).await,
                None => Ok(()),
            }
        }
        Signal::Success => {
            pulse(timing, PingKind::Pulse).await?;
            let took = pings
                .run_time(&service)
                .map(|took| format!("run succeeded in {}", human_duration(took)));
            match [took, text.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n")
            {
                lines if lines.is_empty() => Ok(()),
                lines => record(Level::Info, lines).await,
            }
        }
        Signal::Fail(status) => {
            if !state.app.is_monitored(&service).await? {
                pulse(timing, PingKind::Pulse).await?;
            }
            let mut head = match status {
                Some(code) => format!("run failed with exit status {code}"),
                None => "run failed".to_owned(),
            };
            if let Some(took) = pings.run_time(&service) {
                head.push_str(&format!(" after {}", human_duration(took)));
            }
            let lines = [Some(head), text.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n");
            record(Level::Error, lines).await?;
            state
                .app
                .record_ping(&service, note(PingKind::Fail), at)
                .await?;
            state.app.fail_service(&service, at).await?;
            Ok(())
        }
    }
}

/// A ping URL's `?nextIn=`: `90`, `90s`, `5m`, `2h`, `1d`, within `NextIn`'s bounds.
/// Out of bounds breaks a rule, not the grammar: a pattern cannot bound a value.
fn parse_next_in(text: &str) -> Result<NextIn, ApiError> {
    let window = parse_duration_field("nextIn", text)?;
    NextIn::parse(window.as_secs_f64())
        .map_err(|out| InvalidField::rule(out.field, out.problem).into())
}

/// Pulses with the timing a ping URL gives, if any, else the service's own, else
/// the defaults.
async fn pulse(
    state: &AppState,
    key: &PingKey,
    service: &ServiceName,
    timing: Timing,
    note: PingNote,
    at: Timestamp,
    received: Instant,
) -> Result<(), ApiError> {
    let defaults = key.defaults();
    let app = &state.app;
    app.pulse_with_defaults(service, timing, &defaults, note, at, received)
        .await?;
    Ok(())
}

/// The ping key `guess` names. A valid key always passes; a wrong one counts
/// against its client's address, which is throttled if it keeps guessing.
pub(super) async fn authorise(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    guess: &str,
) -> Result<PingKey, ApiError> {
    if let Some(key) = state.pings.keys.find(guess) {
        return Ok(key.clone());
    }
    let refusal = ApiError::NotFound("no such ping URL".into());
    Err(state.gate.refuse(headers, peer, "ping key", refusal).await)
}

async fn record(
    state: &AppState,
    service: &ServiceName,
    level: Level,
    message: String,
    at: Timestamp,
) -> Result<(), ApiError> {
    let event = NewEvent::parse(service.as_str(), level.as_str(), message, at)?;
    state.store.add_event(event).await?;
    Ok(())
}

/// The body's first 10 kB as text, if not blank. The body must be UTF-8 without
/// NUL, as an event's message must, or the ping is refused (`400`) — except for a
/// character cut at either end, which is dropped: a tool that sends the tail of a
/// run's output (runitor) cuts the first one wherever its buffer began.
fn body_text(body: &[u8]) -> Result<Option<String>, ApiError> {
    // What is left of a character cut at the start: at most 3 continuation bytes.
    let start = body
        .iter()
        .take(3)
        .take_while(|byte| **byte & 0xC0 == 0x80)
        .count();
    let body = &body[start..];
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        // A character cut at the end.
        Err(cut) if cut.error_len().is_none() => {
            std::str::from_utf8(&body[..cut.valid_up_to()]).expect("valid up to there")
        }
        Err(bad) => {
            return Err(ApiError::Invalid(format!(
                "body: must be UTF-8 text (byte {} is not)",
                start + bad.valid_up_to()
            )));
        }
    };
    reject_nul("body", text)?;
    let mut kept = text.len().min(BODY_KEPT);
    while !text.is_char_boundary(kept) {
        kept -= 1;
    }
    let text = text[..kept].trim();
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// The ping routes, outside the password check.
pub fn routes(state: AppState) -> axum::Router {
    use axum::routing::get;
    let ping = get(healthchecks_ping)
        .post(healthchecks_ping)
        .head(healthchecks_ping);
    axum::Router::new()
        .route("/ping/{key}", get(missing_service).post(missing_service))
        .route("/ping/{key}/{service}", ping.clone())
        .route("/ping/{key}/{service}/{signal}", ping)
        .route("/api/push/{key}", get(kuma::kuma_push))
        .route(
            "/alertmanager/{key}",
            axum::routing::post(super::alertmanager::receive),
        )
        .with_state(state)
}

#[cfg(test)]
mod tests;
