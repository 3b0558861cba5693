//! The syslog listeners: UDP datagrams, and TCP streams (RFC 6587 framing)
//! in the clear or inside TLS (RFC 5425), whose messages become events ([`crate::events::syslog`]). Listeners hand
//! events to one ingest task, which stores them in batches of up to a thousand,
//! durably, as `/add-events` does. Over TCP a full queue holds the sender back
//! (it stops reading), so nothing is lost while the store keeps up or comes
//! back; over UDP, which cannot wait, a message that finds the queue full is
//! dropped and counted (`watchtower_syslog_messages_total{outcome="dropped"}`),
//! as are those the kernel dropped because the socket's buffer was full (read
//! from `/proc/net/udp` every second).

mod framing;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncRead, BufReader};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::AddressSet;
use crate::config::SyslogConfig;
use crate::events::NewEvent;
use crate::events::syslog::parse;
use crate::http::Tls;
use crate::metrics::Metrics;
use crate::time::Timestamp;
use crate::usecase::Watchtower;

/// Events waiting for the ingest task.
const QUEUE: usize = 10_000;
/// Events stored in one transaction, at most.
const BATCH: usize = 1_000;
/// TCP connections at once; more wait to be accepted.
const MAX_CONNECTIONS: usize = 512;
/// Between two attempts to store a batch the store refused.
const RETRY: Duration = Duration::from_secs(1);
/// The UDP socket's receive buffer asked for (the kernel caps it at
/// `net.core.rmem_max`): room for bursts while the listener catches up.
const UDP_BUFFER: usize = 8 << 20;
/// How often the kernel's drops on the UDP socket are read.
const KERNEL_DROPS_EVERY: Duration = Duration::from_secs(1);
/// A TLS handshake not done by then is given up, and its slot freed.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// The listeners' sockets, bound at start-up so that a taken port stops the start.
pub struct SyslogListeners {
    udp: Option<(UdpSocket, AddressSet)>,
    tcp: Option<(TcpListener, AddressSet)>,
    tls: Option<(TcpListener, AddressSet, TlsAcceptor)>,
}

impl SyslogListeners {
    /// `tls`: the server's own, which the TLS listener presents (the config
    /// was checked to have one when `syslog.tls` is set).
    pub async fn bind(config: &SyslogConfig, tls: Option<&Tls>) -> anyhow::Result<Self> {
        let allowed = |transport: &str, listener: &crate::config::SyslogListenerConfig| {
            listener
                .allowed()
                .map_err(|problem| anyhow::anyhow!("syslog.{transport}.allow: {problem}"))
        };
        let cannot = |transport: &str, at: SocketAddr| {
            format!("syslog.{transport}.listen: cannot listen on {at}")
        };
        let udp = match &config.udp {
            Some(listener) => Some((
                bind_udp(listener.listen).with_context(|| cannot("udp", listener.listen))?,
                allowed("udp", listener)?,
            )),
            None => None,
        };
        let tcp = match &config.tcp {
            Some(listener) => Some((
                TcpListener::bind(listener.listen)
                    .await
                    .with_context(|| cannot("tcp", listener.listen))?,
                allowed("tcp", listener)?,
            )),
            None => None,
        };
        let tls = match (&config.tls, tls) {
            (Some(listener), Some(tls)) => Some((
                TcpListener::bind(listener.listen)
                    .await
                    .with_context(|| cannot("tls", listener.listen))?,
                allowed("tls", listener)?,
                tls.acceptor_without_alpn(),
            )),
            (Some(_), None) => anyhow::bail!(
                "syslog.tls: needs the server's certificate: set ssl.enabled with ssl.cert and ssl.key, or ssl.acme"
            ),
            (None, _) => None,
        };
        Ok(Self { udp, tcp, tls })
    }

    /// Starts the listeners and the ingest task on `tasks`; they stop when
    /// `shutdown` is cancelled, the ingest task once it has stored what is queued.
    pub fn spawn(
        self,
        app: Watchtower,
        metrics: Arc<Metrics>,
        tasks: &TaskTracker,
        shutdown: &CancellationToken,
    ) {
        if self.udp.is_none() && self.tcp.is_none() && self.tls.is_none() {
            return;
        }
        let (queue, events) = mpsc::channel(QUEUE);
        tasks.spawn(ingest(app, events, shutdown.clone()));
        if let Some((socket, allowed)) = self.udp {
            if let Ok(at) = socket.local_addr() {
                tracing::info!(%at, "syslog over UDP");
            }
            let listener = Listener {
                allowed,
                queue: queue.clone(),
                metrics: metrics.clone(),
            };
            tasks.spawn(listener.udp(socket, shutdown.clone()));
        }
        let streams = [
            self.tcp.map(|(socket, allowed)| (socket, allowed, None)),
            self.tls
                .map(|(socket, allowed, acceptor)| (socket, allowed, Some(acceptor))),
        ];
        for (socket, allowed, acceptor) in streams.into_iter().flatten() {
            let transport = if acceptor.is_some() { "tls" } else { "tcp" };
            if let Ok(at) = socket.local_addr() {
                tracing::info!(%at, "syslog over {}", transport.to_uppercase());
            }
            let listener = Listener {
                allowed,
                queue: queue.clone(),
                metrics: metrics.clone(),
            };
            let streams = Streams {
                listener,
                transport,
                acceptor,
            };
            tasks.spawn(streams.accept(socket, tasks.clone(), shutdown.clone()));
        }
    }
}

/// What every listener needs: whom to take messages from, where to put them.
#[derive(Clone)]
struct Listener {
    allowed: AddressSet,
    queue: mpsc::Sender<NewEvent>,
    metrics: Arc<Metrics>,
}

impl Listener {
    async fn udp(self, socket: UdpSocket, shutdown: CancellationToken) {
        let mut datagram = vec![0u8; 65_536];
        let inode = socket_inode(&socket);
        let mut dropped_before = inode.and_then(kernel_drops).unwrap_or(0);
        let mut every = tokio::time::interval(KERNEL_DROPS_EVERY);
        loop {
            let received = tokio::select! {
                () = shutdown.cancelled() => return,
                _ = every.tick() => {
                    let dropped = inode.and_then(kernel_drops).unwrap_or(dropped_before);
                    let new = dropped.saturating_sub(dropped_before);
                    self.metrics.syslog_messages("udp", "dropped", new);
                    dropped_before = dropped;
                    continue;
                }
                received = socket.recv_from(&mut datagram) => received,
            };
            let (length, peer) = match received {
                Ok(received) => received,
                Err(error) => {
                    tracing::warn!(%error, "syslog over UDP: cannot receive");
                    continue;
                }
            };
            if !self.allowed.contains(peer.ip()) {
                self.metrics.syslog_message("udp", "refused");
                continue;
            }
            let Some(parsed) = parse(&datagram[..length], Timestamp::now()) else {
                self.metrics.syslog_message("udp", "dropped");
                continue;
            };
            let outcome = match self.queue.try_send(parsed.event) {
                Err(_) => "dropped",
                Ok(()) if parsed.malformed => "malformed",
                Ok(()) => "stored",
            };
            self.metrics.syslog_message("udp", outcome);
        }
    }
}

/// A listener of streams: TCP, or TCP inside TLS when it has an acceptor.
struct Streams {
    listener: Listener,
    transport: &'static str,
    acceptor: Option<TlsAcceptor>,
}

impl Streams {
    async fn accept(self, socket: TcpListener, tasks: TaskTracker, shutdown: CancellationToken) {
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let transport = self.transport;
        let this = Arc::new(self);
        loop {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            let accepted = tokio::select! {
                () = shutdown.cancelled() => return,
                accepted = socket.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "syslog over {transport}: cannot accept");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            if !this.listener.allowed.contains(peer.ip()) {
                // Closed unread: a source not allowed stores nothing.
                this.listener.metrics.syslog_message(transport, "refused");
                continue;
            }
            let this = this.clone();
            let shutdown = shutdown.clone();
            tasks.spawn(async move {
                this.serve(stream, peer, shutdown).await;
                drop(slot);
            });
        }
    }

    async fn serve(&self, stream: TcpStream, peer: SocketAddr, shutdown: CancellationToken) {
        let Some(acceptor) = &self.acceptor else {
            return self.read(stream, peer, shutdown).await;
        };
        let handshake = tokio::select! {
            () = shutdown.cancelled() => return,
            handshake = tokio::time::timeout(HANDSHAKE, acceptor.accept(stream)) => handshake,
        };
        match handshake {
            Ok(Ok(stream)) => self.read(stream, peer, shutdown).await,
            Ok(Err(error)) => {
                tracing::info!(%peer, %error, "syslog over TLS: handshake failed");
                self.listener.metrics.syslog_message("tls", "refused");
            }
            Err(_) => {
                tracing::info!(%peer, "syslog over TLS: no handshake within {HANDSHAKE:?}");
                self.listener.metrics.syslog_message("tls", "refused");
            }
        }
    }

    async fn read<S: AsyncRead + Unpin>(
        &self,
        stream: S,
        peer: SocketAddr,
        shutdown: CancellationToken,
    ) {
        let (listener, transport) = (&self.listener, self.transport);
        let mut reader = BufReader::new(stream);
        let mut frame = Vec::new();
        loop {
            let next = tokio::select! {
                () = shutdown.cancelled() => return,
                next = framing::next_frame(&mut reader, &mut frame) => next,
            };
            match next {
                Ok(true) => {}
                Ok(false) => return,
                Err(error) => {
                    tracing::info!(%peer, %error, "syslog over {transport}: closing the connection");
                    listener.metrics.syslog_message(transport, "dropped");
                    return;
                }
            }
            let Some(parsed) = parse(&frame, Timestamp::now()) else {
                continue;
            };
            // Waits while the queue is full: the sender is held back, not dropped.
            if listener.queue.send(parsed.event).await.is_err() {
                return;
            }
            let outcome = if parsed.malformed {
                "malformed"
            } else {
                "stored"
            };
            listener.metrics.syslog_message(transport, outcome);
        }
    }
}

fn bind_udp(at: SocketAddr) -> std::io::Result<UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(at), Type::DGRAM, Some(Protocol::UDP))?;
    if let Err(error) = socket.set_recv_buffer_size(UDP_BUFFER) {
        tracing::warn!(%error, "syslog over UDP: the default receive buffer is kept");
    }
    socket.set_nonblocking(true)?;
    socket.bind(&at.into())?;
    UdpSocket::from_std(socket.into())
}

/// The inode of `socket`, by which `/proc/net/udp` names it (Linux only).
fn socket_inode(socket: &UdpSocket) -> Option<u64> {
    use std::os::fd::AsRawFd;
    let link = std::fs::read_link(format!("/proc/self/fd/{}", socket.as_raw_fd())).ok()?;
    let link = link.to_str()?;
    link.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// The datagrams the kernel dropped on the socket `inode` since it was opened:
/// the last column of its line in `/proc/net/udp` or `/proc/net/udp6`.
fn kernel_drops(inode: u64) -> Option<u64> {
    ["/proc/net/udp", "/proc/net/udp6"]
        .into_iter()
        .find_map(|table| {
            let text = std::fs::read_to_string(table).ok()?;
            text.lines().skip(1).find_map(|line| {
                let columns: Vec<&str> = line.split_whitespace().collect();
                (columns.get(9)?.parse::<u64>().ok()? == inode)
                    .then(|| columns.last()?.parse().ok())
                    .flatten()
            })
        })
}

/// Stores the queued events in batches until the listeners are gone, retrying a
/// batch the store refuses until it takes it or the server stops.
async fn ingest(
    app: Watchtower,
    mut events: mpsc::Receiver<NewEvent>,
    shutdown: CancellationToken,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while events.recv_many(&mut batch, BATCH).await > 0 {
        loop {
            match app.add_events(batch.clone(), Timestamp::now()).await {
                Ok(_) => break,
                Err(error) if shutdown.is_cancelled() => {
                    tracing::error!(%error, lost = batch.len(), "syslog: the store refused events at shutdown");
                    break;
                }
                Err(error) => {
                    tracing::warn!(%error, events = batch.len(), "syslog: cannot store events; retrying");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
        batch.clear();
    }
}
