//! TLS to the database (rustls): the system's roots, plus a private CA if configured.
//! Whether TLS is used at all follows the URL's `sslmode` (`prefer` by default;
//! `require` refuses a server without TLS).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use tokio_postgres_rustls::MakeRustlsConnect;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

pub fn connector(ca_cert: Option<&Path>) -> anyhow::Result<MakeRustlsConnect> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_cert {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect())
            .with_context(|| format!("storage.caCert: cannot read {}", path.display()))?;
        anyhow::ensure!(
            !certs.is_empty(),
            "storage.caCert: no PEM certificate in {}",
            path.display()
        );
        for cert in certs {
            roots.add(cert).with_context(|| {
                format!("storage.caCert: bad certificate in {}", path.display())
            })?;
        }
    } else if added == 0 {
        tracing::warn!(
            "no system CA certificates found: TLS to the database will fail without storage.caCert"
        );
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("cannot set up TLS for the database")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}
