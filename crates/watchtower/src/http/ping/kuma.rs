//! Uptime Kuma push style: `GET /api/push/<key>?status=up|down&msg=…&ping=…[&service=…]`,
//! answering `{"ok":true}`; a push is a ping as the healthchecks.io-style URLs
//! make one, its `msg` and `ping` the event.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::{Client, PingTiming, Signal, ping};
use crate::events::reject_nul;
use crate::field::InvalidField;
use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::extract::{Params, QueryPairs};
use crate::monitor::pings::PingSource;
use crate::time::is_decimal;

/// What an Uptime Kuma push takes.
const PUSH_PARAMS: [&str; 4] = ["status", "msg", "ping", "service"];

/// The longest response time a push may report: a day, in milliseconds.
const MAX_PING_MS: f64 = 86_400_000.0;

pub async fn kuma_push(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(key): Path<String>,
    QueryPairs(query): QueryPairs,
) -> Response {
    let outcome = async {
        let query = Params::parse(&query, &PUSH_PARAMS)?;
        let signal = match query.get("status") {
            None | Some("up") => Signal::Success,
            Some("down") => Signal::Fail(None),
            Some(other) => {
                return Err(ApiError::Invalid(format!(
                    "status: `{other}` is not up or down"
                )));
            }
        };
        let message = push_message(query.get("msg"), query.get("ping"))?;
        let service = query.get("service");
        ping(
            &state,
            Client {
                peer,
                headers: &headers,
                source: PingSource::Kuma,
            },
            &key,
            service,
            signal,
            PingTiming::default(),
            message.as_bytes(),
        )
        .await
    };
    match outcome.await {
        Ok(()) => Json(serde_json::json!({"ok": true})).into_response(),
        Err(error) => error.into_response(),
    }
}

/// A push's event: `msg`, followed by `(ping 12 ms)` when `ping` is given (Uptime
/// Kuma's push URL carries an empty `ping=`).
fn push_message(msg: Option<&str>, ping: Option<&str>) -> Result<String, InvalidField> {
    let msg = msg.unwrap_or_default();
    reject_nul("msg", msg)?;
    let Some(ping) = ping.filter(|ping| !ping.is_empty()) else {
        return Ok(msg.trim().to_owned());
    };
    let problem =
        || format!("`{ping}` is not a response time in milliseconds from 0 to {MAX_PING_MS}");
    // The grammar (digits, a fraction), then the bound, which a pattern cannot state.
    if !is_decimal(ping) {
        return Err(InvalidField::new("ping", problem()));
    }
    let millis = ping
        .parse::<f64>()
        .ok()
        .filter(|millis| (0.0..=MAX_PING_MS).contains(millis))
        .ok_or_else(|| InvalidField::rule("ping", problem()))?;
    // Microseconds at most: `1e-300` is not worth three hundred zeros; `-0` is 0.
    let millis = (millis * 1000.0).round() / 1000.0 + 0.0;
    Ok(format!("{msg} (ping {millis} ms)").trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Breaks;

    #[test]
    fn a_push_message_quotes_a_finite_ping_in_milliseconds() {
        assert_eq!(push_message(Some("OK"), Some("")).unwrap(), "OK");
        assert_eq!(
            push_message(Some("OK"), Some("12.5")).unwrap(),
            "OK (ping 12.5 ms)"
        );
        assert_eq!(
            push_message(None, Some("0.0000001")).unwrap(),
            "(ping 0 ms)"
        );
        for bad in [
            "abc", "NaN", "inf", "-1", "-0", "1e-300", "1e308", "12ms", "86400001",
        ] {
            assert_eq!(
                push_message(None, Some(bad)).unwrap_err().field,
                "ping",
                "{bad}"
            );
        }
        // The grammar is the document's; the bound a rule it cannot state.
        for (text, breaks) in [("1e3", Breaks::Grammar), ("86400001", Breaks::Rule)] {
            assert_eq!(push_message(None, Some(text)).unwrap_err().breaks, breaks);
        }
        assert_eq!(push_message(Some("a\0"), None).unwrap_err().field, "msg");
    }
}
