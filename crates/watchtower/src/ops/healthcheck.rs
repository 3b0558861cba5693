//! `watchtower healthcheck`: asks the server described by a config whether it is
//! ready (`GET /readyz`) and exits 0 or 1. It is what the Docker image's
//! `HEALTHCHECK` runs, so the image needs no curl.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use anyhow::Context;

use crate::config::Config;

/// Where to probe a server listening on `listen`: an unspecified address
/// (`0.0.0.0`, `::`) is reached on loopback.
pub fn probe_url(config: &Config) -> anyhow::Result<String> {
    let listen = config.listen;
    anyhow::ensure!(
        listen.port() != 0,
        "listen: port 0 is chosen when the server starts, so there is no port to probe"
    );
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let scheme = if config.ssl.enabled || config.ssl.acme.is_some() {
        "https"
    } else {
        "http"
    };
    Ok(format!(
        "{scheme}://{}/readyz",
        SocketAddr::new(ip, listen.port())
    ))
}

/// Probes `url` and answers the server's status line, or why it is not ready.
pub fn probe(url: &str, timeout: Duration) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        // The probe sends no secret and reads only a status, and a certificate
        // issued for a public name never matches the loopback address it dials.
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .danger_accept_invalid_certs(true)
            .build()
            .context("cannot build an HTTP client")?;
        let response = client
            .get(url)
            .send()
            .await
            .with_context(|| format!("{url}: no answer"))?;
        let status = response.status();
        anyhow::ensure!(status.is_success(), "{url}: not ready ({status})");
        Ok(format!("{url}: ready"))
    })
}
