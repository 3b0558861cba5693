//! The accept loop: HTTP/1.1 over TCP or TLS (rustls), with bounded headers and
//! header read time, and a graceful drain on shutdown.
//!
//! The request head is bounded twice. `limits.maxHeaderBytes` is enforced on each
//! parsed request by `refusals::guard` (in the router), which can answer in the API's error
//! shape (`431`, or `414` for the URI). hyper, which has no hook for the body of
//! the answers it makes itself, stops reading at twice that size
//! ([`HARD_HEAD_FACTOR`]) and answers `431` with an empty body, as it does `400`
//! for a head it cannot parse, `414` for a URI over 65,534 bytes and `431` for
//! over 100 header lines: no request exists yet for the API to answer.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::connections::ConnectionCap;
use super::tls::Tls;

/// How much larger than `limits.maxHeaderBytes` a head may be before hyper stops
/// reading it: between the two, the answer is a JSON `431`.
const HARD_HEAD_FACTOR: usize = 2;

/// Bounds on a connection, before a request reaches the router.
#[derive(Clone, Copy, Debug)]
pub struct ServerLimits {
    pub max_header_bytes: usize,
    pub header_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub drain: Duration,
}

/// Serves `router` until `shutdown` is cancelled, then drains open requests.
/// A connection over `cap` is answered `503` and closed.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Tls>,
    router: Router,
    limits: ServerLimits,
    cap: std::sync::Arc<ConnectionCap>,
    shutdown: CancellationToken,
) {
    let graceful = GracefulShutdown::new();
    let hard_head_bytes = limits.max_header_bytes.saturating_mul(HARD_HEAD_FACTOR);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(hard_head_bytes)
        .max_buf_size(hard_head_bytes);
    loop {
        let (stream, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Usually out of file descriptors: pause rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let admitted = cap.admit(peer.ip());
        let mut builder = builder.clone();
        let service = match admitted {
            Some(_) => TowerToHyperService::new(PeerRouter {
                router: router.clone(),
                peer,
            }),
            None => {
                tracing::debug!(%peer, "too many connections from this address; refusing");
                builder.keep_alive(false);
                TowerToHyperService::new(PeerRouter {
                    router: cap.refusal(peer.ip()),
                    peer,
                })
            }
        };
        let (watcher, tls) = (graceful.watcher(), tls.clone());
        tokio::spawn(async move {
            // Counted against its address for as long as the connection lives.
            let _admitted = admitted;
            let result = match tls {
                None => serve_io(&builder, watcher, stream, service).await,
                Some(tls) => {
                    match tokio::time::timeout(limits.header_timeout, tls.accept(stream)).await {
                        Ok(Ok(Some(stream))) => serve_io(&builder, watcher, stream, service).await,
                        Ok(Ok(None)) => {
                            return tracing::debug!(%peer, "answered an ACME validation");
                        }
                        Ok(Err(error)) => {
                            return tracing::debug!(%peer, %error, "TLS handshake failed");
                        }
                        Err(_) => return tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
            };
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("all connections drained"),
        _ = tokio::time::sleep(limits.drain) => tracing::warn!("requests still open after {:?}; closing them", limits.drain),
    }
}

/// The router, telling it the peer's address in each request's extensions (for
/// handlers that bound what one client may try). Not `Router::layer`, which
/// would wrap every route anew for each connection: about 50 KiB a connection.
#[derive(Clone)]
struct PeerRouter {
    router: Router,
    peer: SocketAddr,
}

impl tower::Service<Request<Incoming>> for PeerRouter {
    type Response = axum::response::Response;
    type Error = Infallible;
    type Future = <Router as tower::Service<Request<Incoming>>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        tower::Service::<Request<Incoming>>::poll_ready(&mut self.router, cx)
    }

    fn call(&mut self, mut request: Request<Incoming>) -> Self::Future {
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(self.peer));
        self.router.call(request)
    }
}

async fn serve_io<IO>(
    builder: &http1::Builder,
    watcher: hyper_util::server::graceful::Watcher,
    io: IO,
    service: TowerToHyperService<PeerRouter>,
) -> hyper::Result<()>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    watcher
        .watch(builder.serve_connection(TokioIo::new(io), service))
        .await
}
