//! `syslog`: listeners that take syslog messages as events, each off unless
//! configured. Syslog carries no password, so each takes messages only from the
//! sources its `allow` lists (loopback alone by default). The TLS listener
//! (RFC 5425) presents the server's own certificate (`ssl`).

use std::net::SocketAddr;

use serde::Deserialize;

use super::ConfigError;
use crate::auth::AddressSet;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct SyslogConfig {
    /// Datagrams, one message each (RFC 5426): best effort, drops counted.
    pub udp: Option<SyslogListenerConfig>,
    /// A stream of messages framed by octet counting or by newlines (RFC 6587).
    pub tcp: Option<SyslogListenerConfig>,
    /// The same stream inside TLS (RFC 5425), with the certificate of `ssl`.
    pub tls: Option<SyslogListenerConfig>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SyslogListenerConfig {
    pub listen: SocketAddr,
    /// Sources taken, as CIDRs or addresses; from any other, nothing is stored.
    #[serde(default = "loopback")]
    pub allow: Vec<String>,
}

fn loopback() -> Vec<String> {
    vec!["127.0.0.0/8".into(), "::1".into()]
}

impl SyslogConfig {
    /// The listeners configured, by transport (`udp`, `tcp`, `tls`).
    pub fn listeners(&self) -> impl Iterator<Item = (&'static str, &SyslogListenerConfig)> {
        [("udp", &self.udp), ("tcp", &self.tcp), ("tls", &self.tls)]
            .into_iter()
            .filter_map(|(transport, listener)| listener.as_ref().map(|l| (transport, l)))
    }

    /// `has_certificate`: whether `ssl` gives the server a certificate to present.
    pub(super) fn validate(&self, has_certificate: bool) -> Result<(), ConfigError> {
        if self.tls.is_some() && !has_certificate {
            return Err(ConfigError::new(
                "syslog.tls",
                "needs the server's certificate: set ssl.enabled with ssl.cert and ssl.key, or ssl.acme",
            ));
        }
        for (transport, listener) in self.listeners() {
            listener.allowed().map_err(|problem| {
                ConfigError::new(format!("syslog.{transport}.allow"), problem)
            })?;
        }
        Ok(())
    }
}

impl SyslogListenerConfig {
    pub fn allowed(&self) -> Result<AddressSet, String> {
        AddressSet::parse(&self.allow)
    }
}
