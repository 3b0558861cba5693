//! The stand-ins for the outside world that alerts go to: a real SMTP server
//! (aiosmtpd) and an HTTP receiver that records every request as it arrived.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::Value;

use super::{ReservedPort, wait_for};

/// A real SMTP server (Python's aiosmtpd) collecting every message it accepts.
pub struct SmtpSink {
    child: Child,
    _stdin: ChildStdin,
    port: u16,
    messages: Arc<Mutex<Vec<Value>>>,
}

impl SmtpSink {
    /// On a port it picks itself (port 0), see [`SmtpSink::port`].
    pub fn start() -> SmtpSink {
        Self::spawn(0, &[])
    }

    /// On a port it picks itself; `tls` is `["starttls" | "tls", CERT, KEY]`.
    pub fn start_with(tls: &[&str]) -> SmtpSink {
        Self::spawn(0, tls)
    }

    /// On the port the test held until now: an SMTP server that comes up where
    /// connections were refused before.
    pub fn start_on(port: ReservedPort) -> SmtpSink {
        // The sink binds the port beside the held socket, which may go once it listens.
        Self::spawn(port.port(), &[])
    }

    fn spawn(port: u16, tls: &[&str]) -> SmtpSink {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .args(tls)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd is required (scripts/test installs it)");
        let stdin = child.stdin.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = lines
            .next()
            .expect("the SMTP sink exited (is aiosmtpd installed?)")
            .unwrap();
        let port = ready
            .strip_prefix("READY ")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP sink said {ready:?}, not READY <port>"));
        let messages = Arc::new(Mutex::new(Vec::new()));
        let sink = messages.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock()
                    .unwrap()
                    .push(serde_json::from_str(&line).unwrap());
            }
        });
        SmtpSink {
            child,
            _stdin: stdin,
            port,
            messages,
        }
    }

    /// The port the sink listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn messages(&self) -> Vec<Value> {
        self.messages.lock().unwrap().clone()
    }

    pub async fn wait_for_messages(&self, count: usize) -> Vec<Value> {
        wait_for(&format!("{count} mail(s)"), async || {
            let messages = self.messages();
            (messages.len() >= count).then_some(messages)
        })
        .await
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request as the receiver saw it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The body as `application/x-www-form-urlencoded` pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }
}

#[derive(Default)]
struct ReceiverState {
    received: Vec<Received>,
    /// Statuses to answer, in order; 200 once they run out. 0: never answer.
    script: VecDeque<u16>,
}

/// A local HTTP server standing in for Pushover or a webhook endpoint.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<ReceiverState>>,
}

impl Receiver {
    /// On a port of its own (port 0).
    pub async fn start(script: &[u16]) -> Receiver {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        Self::serve(listener, script)
    }

    /// On the port the test held until now, where connections were refused before.
    pub async fn start_on(port: ReservedPort, script: &[u16]) -> Receiver {
        Self::serve(port.listen(), script)
    }

    fn serve(listener: tokio::net::TcpListener, script: &[u16]) -> Receiver {
        let state = Arc::new(Mutex::new(ReceiverState {
            received: Vec::new(),
            script: script.iter().copied().collect(),
        }));
        let shared = state.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = shared.clone();
                async move {
                    let status = {
                        let mut state = shared.lock().unwrap();
                        state.received.push(Received {
                            method,
                            path: uri.to_string(),
                            headers,
                            body,
                        });
                        state.script.pop_front().unwrap_or(200)
                    };
                    if status == 0 {
                        std::future::pending::<()>().await;
                    }
                    (StatusCode::from_u16(status).unwrap(), r#"{"status":1}"#)
                }
            },
        );
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, state }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    pub async fn wait_for_requests(&self, count: usize) -> Vec<Received> {
        wait_for(&format!("{count} request(s) at {}", self.url), async || {
            let received = self.received();
            (received.len() >= count).then_some(received)
        })
        .await
    }
}
