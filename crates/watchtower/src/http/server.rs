//! The accept loop: HTTP/1.1 over TCP or TLS (rustls), with bounded headers and
//! header read time, and a graceful drain on shutdown.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_util::sync::CancellationToken;

/// Bounds on a connection, before a request reaches the router.
#[derive(Clone, Copy, Debug)]
pub struct ServerLimits {
    pub max_header_bytes: usize,
    pub header_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub drain: Duration,
}

pub struct TlsFiles<'a> {
    pub cert: &'a Path,
    pub key: &'a Path,
}

/// Loads a PEM certificate chain and key, with errors that name the file.
pub fn load_tls(files: TlsFiles<'_>) -> anyhow::Result<TlsAcceptor> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(files.cert)
        .and_then(|certs| certs.collect())
        .with_context(|| {
            format!(
                "ssl.cert: cannot read a PEM certificate from {}",
                files.cert.display()
            )
        })?;
    anyhow::ensure!(
        !certs.is_empty(),
        "ssl.cert: no certificate in {}",
        files.cert.display()
    );
    let key = PrivateKeyDer::from_pem_file(files.key).with_context(|| {
        format!(
            "ssl.key: cannot read a PEM private key from {}",
            files.key.display()
        )
    })?;
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("ssl: the certificate and key do not form a usable pair")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `router` until `shutdown` is cancelled, then drains open requests.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    router: Router,
    limits: ServerLimits,
    shutdown: CancellationToken,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.max_header_bytes);
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
        // The peer's address, for handlers that bound what one client may try.
        let service = TowerToHyperService::new(
            router
                .clone()
                .layer(axum::Extension(axum::extract::ConnectInfo(peer))),
        );
        let (builder, watcher, tls) = (builder.clone(), graceful.watcher(), tls.clone());
        tokio::spawn(async move {
            let result = match tls {
                None => serve_io(&builder, watcher, stream, service).await,
                Some(acceptor) => {
                    match tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await
                    {
                        Ok(Ok(stream)) => serve_io(&builder, watcher, stream, service).await,
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

async fn serve_io<IO>(
    builder: &http1::Builder,
    watcher: hyper_util::server::graceful::Watcher,
    io: IO,
    service: TowerToHyperService<Router>,
) -> hyper::Result<()>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    watcher
        .watch(builder.serve_connection(TokioIo::new(io), service))
        .await
}
