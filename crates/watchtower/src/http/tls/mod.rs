//! HTTPS: a certificate chain and key read from files at start, or certificates
//! that an ACME authority issues and renews while the server runs.

mod acme;

use std::io;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::server::Acceptor;
use tokio_rustls::server::TlsStream;
use tokio_rustls::{LazyConfigAcceptor, TlsAcceptor};

use crate::config::SslConfig;
pub use acme::AcmeDriver;

/// How connections are secured.
#[derive(Clone)]
pub enum Tls {
    Files(TlsAcceptor),
    /// `challenge` answers the authority's TLS-ALPN-01 probes, which arrive on
    /// the same port as everyone else.
    Acme {
        serving: Arc<ServerConfig>,
        challenge: Arc<ServerConfig>,
    },
}

impl Tls {
    /// The server's TLS, if `ssl` asks for it, and for ACME the task that
    /// obtains and renews its certificates, which the caller runs. Reads the
    /// certificate files but creates nothing.
    pub fn from_config(
        ssl: &SslConfig,
        data_dir: &Path,
    ) -> anyhow::Result<Option<(Tls, Option<AcmeDriver>)>> {
        if let Some(config) = &ssl.acme {
            let (tls, driver) = acme::start(config, &config.cache_dir(data_dir))?;
            return Ok(Some((tls, Some(driver))));
        }
        if !ssl.enabled {
            return Ok(None);
        }
        let tls = load_files(&ssl.cert, &ssl.key)?;
        Ok(Some((Tls::Files(TlsAcceptor::from(tls)), None)))
    }

    /// An acceptor for other protocols on the same certificate (syslog over TLS):
    /// no ALPN, since a syslog sender offers none, and for ACME the same
    /// resolver, so that a renewed certificate serves both.
    pub fn acceptor_without_alpn(&self) -> TlsAcceptor {
        let serving = match self {
            Tls::Files(acceptor) => acceptor.config(),
            Tls::Acme { serving, .. } => serving,
        };
        let mut config = ServerConfig::clone(serving);
        config.alpn_protocols.clear();
        TlsAcceptor::from(Arc::new(config))
    }

    /// Completes the handshake; `None` for an ACME validation, which ends there.
    pub async fn accept(&self, stream: TcpStream) -> io::Result<Option<TlsStream<TcpStream>>> {
        match self {
            Tls::Files(acceptor) => acceptor.accept(stream).await.map(Some),
            Tls::Acme { serving, challenge } => {
                let start = LazyConfigAcceptor::new(Acceptor::default(), stream).await?;
                if rustls_acme::is_tls_alpn_challenge(&start.client_hello()) {
                    let mut validation = start.into_stream(challenge.clone()).await?;
                    validation.shutdown().await?;
                    return Ok(None);
                }
                start.into_stream(serving.clone()).await.map(Some)
            }
        }
    }
}

/// Loads a PEM certificate chain and key, with errors that name the file.
fn load_files(cert: &Path, key: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect())
        .with_context(|| {
            format!(
                "ssl.cert: cannot read a PEM certificate from {}",
                cert.display()
            )
        })?;
    anyhow::ensure!(
        !certs.is_empty(),
        "ssl.cert: no certificate in {}",
        cert.display()
    );
    let key = PrivateKeyDer::from_pem_file(key).with_context(|| {
        format!(
            "ssl.key: cannot read a PEM private key from {}",
            key.display()
        )
    })?;
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("ssl: the certificate and key do not form a usable pair")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
