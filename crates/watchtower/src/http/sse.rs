//! Server-Sent Events from a broadcast feed, shared by the live tail of events and
//! the live list of services: a keep-alive comment every 15 s, a final
//! `event: dropped` for a client that fell too far behind (so that a slow reader
//! never slows the writers), `event: shutdown` when the server stops.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use futures::Stream;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

/// A comment this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A `text/event-stream` answer carrying `messages`.
pub fn response(
    messages: impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Send + 'static,
) -> Response {
    let mut response = Response::new(Body::from_stream(messages));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Tells nginx-like proxies not to buffer the stream.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

enum Next {
    Send(Bytes),
    /// Send this, then end the stream.
    Last(Bytes),
}

/// `first` (a comment), then each item of `feed` that `render` turns into a message.
pub fn messages<T: Clone + Send + 'static>(
    first: &'static str,
    what: &'static str,
    feed: Receiver<T>,
    shutdown: CancellationToken,
    render: impl Fn(&T) -> Option<Bytes> + Clone + Send + 'static,
) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> {
    let state = (Some(Next::Send(Bytes::from(first))), feed, false);
    futures::stream::unfold(state, move |(pending, mut feed, ended)| {
        let (render, shutdown) = (render.clone(), shutdown.clone());
        async move {
            if ended {
                return None;
            }
            if let Some(next) = pending {
                return Some(emit(next, feed));
            }
            let next = loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break Next::Last(control("shutdown", "the server is stopping")),
                    _ = tokio::time::sleep(KEEP_ALIVE) => break Next::Send(Bytes::from_static(b": keep-alive\n\n")),
                    received = feed.recv() => match received {
                        Ok(item) => match render(&item) {
                            Some(message) => break Next::Send(message),
                            None => continue,
                        },
                        Err(RecvError::Lagged(missed)) => break Next::Last(control(
                            "dropped",
                            &format!("this client fell {missed} {what} behind and was disconnected; reconnect"),
                        )),
                        Err(RecvError::Closed) => break Next::Last(control("shutdown", "the feed closed")),
                    },
                }
            };
            Some(emit(next, feed))
        }
    })
}

type State<T> = (Option<Next>, Receiver<T>, bool);

fn emit<T>(next: Next, feed: Receiver<T>) -> (Result<Bytes, std::convert::Infallible>, State<T>) {
    match next {
        Next::Send(bytes) => (Ok(bytes), (None, feed, false)),
        Next::Last(bytes) => (Ok(bytes), (None, feed, true)),
    }
}

/// One message; `json` has no raw line breaks, so it fits one `data:` line.
pub fn message(kind: &str, id: Option<i64>, json: &str) -> Bytes {
    match id {
        Some(id) => Bytes::from(format!("id: {id}\nevent: {kind}\ndata: {json}\n\n")),
        None => Bytes::from(format!("event: {kind}\ndata: {json}\n\n")),
    }
}

fn control(kind: &str, error: &str) -> Bytes {
    message(
        kind,
        None,
        &serde_json::json!({ "error": error }).to_string(),
    )
}
