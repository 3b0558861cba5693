//! Certificates from an ACME authority (RFC 8555) through `rustls-acme`: the
//! account key, certificates and their keys are cached in a directory, so a
//! restart serves the cached certificate at once; a certificate is renewed when
//! two thirds of its lifetime have passed, and a failed order is retried with
//! backoff while the old certificate keeps serving.

use std::io;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use futures::StreamExt;
use rustls_acme::caches::DirCache;
use rustls_acme::{AcmeState, EventOk};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use tokio_rustls::rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio_util::sync::CancellationToken;

use super::Tls;
use crate::config::AcmeConfig;

/// Drives orders and renewals; nothing happens until it runs.
pub struct AcmeDriver {
    domains: Vec<String>,
    state: AcmeState<io::Error>,
}

pub(super) fn start(config: &AcmeConfig, cache_dir: &Path) -> anyhow::Result<(Tls, AcmeDriver)> {
    let mut acme = rustls_acme::AcmeConfig::new(&config.domains)
        .contact(config.email.iter().map(|email| format!("mailto:{email}")))
        .directory(config.directory_url())
        .cache(DirCache::new(cache_dir.to_owned()));
    if let Some(path) = &config.directory_ca_cert {
        acme = acme.client_tls_config(trusting(path)?);
    }
    let state = acme.state();
    let mut serving = ServerConfig::builder()
        .with_no_client_auth()
        .with_cert_resolver(state.resolver());
    serving.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tls = Tls::Acme {
        serving: Arc::new(serving),
        challenge: state.challenge_rustls_config(),
    };
    let driver = AcmeDriver {
        domains: config.domains.clone(),
        state,
    };
    Ok((tls, driver))
}

/// A client that trusts only the root certificates in `path`: a private ACME
/// server's, whose HTTPS certificate no public root vouches for.
fn trusting(path: &Path) -> anyhow::Result<Arc<ClientConfig>> {
    let problem = || {
        format!(
            "ssl.acme.directoryCaCert: cannot read a PEM certificate from {}",
            path.display()
        )
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).with_context(problem)? {
        roots
            .add(cert.with_context(problem)?)
            .with_context(problem)?;
    }
    anyhow::ensure!(
        !roots.is_empty(),
        "ssl.acme.directoryCaCert: no certificate in {}",
        path.display()
    );
    let config = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

impl AcmeDriver {
    pub async fn run(mut self, shutdown: CancellationToken) {
        let domains = self.domains.join(", ");
        loop {
            let event = tokio::select! {
                _ = shutdown.cancelled() => return,
                event = self.state.next() => event,
            };
            match event {
                Some(Ok(EventOk::DeployedNewCert)) => {
                    tracing::info!(%domains, "ACME: serving a newly issued certificate");
                }
                Some(Ok(EventOk::DeployedCachedCert)) => {
                    tracing::info!(%domains, "ACME: serving the cached certificate");
                }
                Some(Ok(event)) => tracing::debug!(?event, "ACME"),
                // The library backs off and tries again; a certificate already
                // deployed keeps serving meanwhile.
                Some(Err(error)) => tracing::warn!(%domains, %error, "ACME: will retry"),
                None => return,
            }
        }
    }
}
