//! Matrix alerts: an `m.text` message sent to a room through the client-server
//! API, as the user whose access token the config holds.

use std::fmt::Write;

use async_trait::async_trait;
use serde_json::json;

use super::channel::{Channel, TargetForm};
use super::{QueuedAlert, SendError, deliver};
use crate::config::{MatrixConfig, Secret};
use crate::field::InvalidField;
use crate::time::Timestamp;

/// The spec's limit on the length of a room id.
const MAX_ROOM_ID: usize = 255;

/// `validate_room` as a pattern: `!`, then no colon, control or white space
/// (Unicode's `White_Space`, spelled out: `\s` differs between regex dialects),
/// then an optional `:` and server.
const ROOM_ID: &str = "^![^:\\x00-\\x20\\x7f-\\xa0\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}]+\
     (:[^\\x00-\\x20\\x7f-\\xa0\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}]+)?$";

pub struct Matrix {
    http: reqwest::Client,
    /// The homeserver's base URL, without a trailing slash.
    homeserver: String,
    access_token: Secret,
}

impl Matrix {
    pub fn new(config: &MatrixConfig, http: reqwest::Client) -> Self {
        Self {
            http,
            homeserver: config.homeserver.trim_end_matches('/').to_owned(),
            access_token: config.access_token.clone(),
        }
    }
}

/// A room id: `!opaque:server.org`, or `!opaque` alone in rooms of version 12 and
/// later. The send endpoint takes no alias (`#room:server.org`): resolving one
/// would be a lookup per alert, and an alias can be moved to another room.
fn validate_room(target: &str) -> Result<(), InvalidField> {
    if target.starts_with('#') {
        return Err(InvalidField::new(
            "alertTarget",
            "a Matrix room alias cannot be used: give the room id (`!…:example.org`, \
             under the room's advanced settings)",
        ));
    }
    let opaque = target.strip_prefix('!').unwrap_or_default();
    let visible = target
        .chars()
        .all(|c| !c.is_whitespace() && !c.is_control());
    let server_ok = opaque
        .split_once(':')
        .is_none_or(|(local, server)| !local.is_empty() && !server.is_empty());
    if opaque.is_empty() || target.chars().count() > MAX_ROOM_ID || !visible || !server_ok {
        return Err(InvalidField::new(
            "alertTarget",
            "a Matrix room id starts with `!` (`!abcdef:example.org`) and has at most 255 \
             characters, none of them spaces",
        ));
    }
    Ok(())
}

/// Percent-encodes all but the unreserved characters (RFC 3986), as a path segment
/// of the Matrix API must be: room ids hold `!` and `:`.
fn path_segment(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            write!(encoded, "%{byte:02X}").expect("writing to a String cannot fail");
        }
    }
    encoded
}

/// The transaction id of an alert: the same on every attempt, so that the homeserver
/// drops a retry whose first attempt got through but whose answer was lost. The
/// queueing time keeps ids apart when a fresh database numbers its alerts from 1
/// again, which the homeserver would otherwise take for repeats.
fn transaction_id(alert: &QueuedAlert) -> String {
    format!("watchtower-{}-{}", alert.id, alert.created.as_millis())
}

#[async_trait]
impl Channel for Matrix {
    fn validate(&self, target: &str) -> Result<(), InvalidField> {
        validate_room(target)
    }

    fn target_form(&self) -> TargetForm {
        TargetForm::Pattern {
            pattern: ROOM_ID,
            max_chars: MAX_ROOM_ID,
            except: &[],
        }
    }

    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        let notice = alert.notice(now);
        // https://spec.matrix.org/v1.11/client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid
        let url = format!(
            "{}/_matrix/client/v3/rooms/{}/send/m.room.message/{}",
            self.homeserver,
            path_segment(&alert.route.target),
            path_segment(&transaction_id(alert)),
        );
        let body = json!({
            "msgtype": "m.text",
            "body": format!("{}\n\n{}", notice.title, notice.message),
        });
        deliver(
            self.http
                .put(url)
                // Marked sensitive by reqwest, so it never shows in a debug print.
                .bearer_auth(self.access_token.expose())
                .json(&body),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_ids_are_accepted_and_aliases_refused_with_a_hint() {
        for room in [
            "!abc:example.org",
            "!OGEhHVWSdvArJzumhm:matrix.org",
            "!hash-only_v12",
            "!a:[::1]:8448",
        ] {
            assert!(validate_room(room).is_ok(), "{room}");
        }
        let alias = validate_room("#ops:example.org").expect_err("an alias");
        assert!(alias.problem.contains("room id"), "{alias}");
        let long = format!("!{}:example.org", "a".repeat(250));
        for room in [
            "",
            "!",
            "abc:example.org",
            "!:example.org",
            "!abc:",
            "!a b:example.org",
            "!a\n:x",
            long.as_str(),
        ] {
            let error = validate_room(room).expect_err(room);
            assert_eq!(error.field, "alertTarget");
        }
    }

    #[test]
    fn room_ids_are_percent_encoded_as_one_path_segment() {
        assert_eq!(path_segment("!abc:example.org"), "%21abc%3Aexample.org");
        assert_eq!(path_segment("!a/../b?c#d"), "%21a%2F..%2Fb%3Fc%23d");
        assert_eq!(
            path_segment("watchtower-7-1700000000000"),
            "watchtower-7-1700000000000"
        );
        assert_eq!(path_segment("é"), "%C3%A9");
    }
}
