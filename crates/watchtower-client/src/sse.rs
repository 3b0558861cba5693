//! Reading the server's live tail (Server-Sent Events) into events.

use futures_util::{Stream, StreamExt};

use crate::{Error, Event, Result};

/// The events of an SSE body: `event: event` blocks carry one event as JSON;
/// `event: dropped` and `event: shutdown` end the stream with an error.
pub fn events(
    body: impl Stream<Item = reqwest::Result<bytes::Bytes>> + Send + 'static,
) -> impl Stream<Item = Result<Event>> {
    let mut pending = String::new();
    let mut ended = false;
    body.map(move |chunk| -> Vec<Result<Event>> {
        if ended {
            return Vec::new();
        }
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(error) => {
                ended = true;
                return vec![Err(Error::transport(error))];
            }
        };
        pending.push_str(&String::from_utf8_lossy(&chunk));
        let mut out = Vec::new();
        while let Some(end) = pending.find("\n\n") {
            let block: String = pending.drain(..end + 2).collect();
            if let Some(item) = parse_block(&block) {
                ended |= item.is_err();
                out.push(item);
            }
        }
        out
    })
    .flat_map(futures_util::stream::iter)
}

fn parse_block(block: &str) -> Option<Result<Event>> {
    let (mut kind, mut data) = ("message", String::new());
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            kind = value.trim();
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push_str(value.trim_start());
        }
    }
    match kind {
        "event" => Some(serde_json::from_str(&data).map_err(|e| Error::Unexpected {
            message: format!("not an event: {e}"),
        })),
        "dropped" | "shutdown" => {
            let message = serde_json::from_str::<serde_json::Value>(&data)
                .ok()
                .and_then(|v| v.get("error")?.as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("the server ended the stream ({kind})"));
            Some(Err(Error::Unavailable { message }))
        }
        _ => None,
    }
}
