//! Server-Sent Events as a test reads them.

use serde_json::Value;

use super::PATIENCE;

/// Reads SSE messages from `response` until `count` events have come, or the
/// stream ends or breaks; returns each message's `event:` kind and `data:`.
pub async fn read_messages(response: &mut reqwest::Response, count: usize) -> Vec<(String, Value)> {
    let mut buffer = String::new();
    let mut messages = Vec::new();
    while messages.iter().filter(|(kind, _)| kind == "event").count() < count {
        let chunk = tokio::time::timeout(PATIENCE, response.chunk())
            .await
            .unwrap();
        // A stream the server ends at shutdown may lose its final empty chunk
        // when the process exits; what the client was told has arrived by then.
        let Ok(Some(chunk)) = chunk else { break };
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|line| line.strip_prefix(&format!("{name}: ")))
                    .map(str::to_owned)
            };
            if let (Some(kind), Some(data)) = (field("event"), field("data")) {
                messages.push((kind, serde_json::from_str(&data).unwrap()));
            }
        }
    }
    messages
}
