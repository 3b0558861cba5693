//! `ssl`: HTTPS from certificate files, or from an ACME certificate authority
//! (Let's Encrypt, or any RFC 8555 directory) that the server asks itself.

use super::ConfigError;

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Let's Encrypt's production directory, the default; `letsencrypt-staging`
/// names the staging one, whose certificates no browser trusts.
pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";
pub const LETS_ENCRYPT_STAGING: &str = "https://acme-staging-v02.api.letsencrypt.org/directory";

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct SslConfig {
    /// HTTPS with the certificate chain in `cert` and its key in `key`.
    pub enabled: bool,
    pub cert: PathBuf,
    pub key: PathBuf,
    /// HTTPS with certificates obtained and renewed automatically.
    pub acme: Option<AcmeConfig>,
}

impl Default for SslConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            cert: PathBuf::from("config/server.crt"),
            key: PathBuf::from("config/server.key"),
            acme: None,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AcmeConfig {
    /// The names the certificate covers; each must resolve to this server, which
    /// answers the TLS-ALPN-01 challenge on its own port (so it must be 443).
    pub domains: Vec<String>,
    /// Where the certificate authority writes about the account, if anywhere.
    #[serde(default)]
    pub email: Option<String>,
    /// The ACME directory URL, or `letsencrypt` / `letsencrypt-staging`.
    #[serde(default = "lets_encrypt")]
    pub directory: String,
    /// Where the account key, certificates and their keys are kept; default:
    /// `acme` in the data directory.
    #[serde(default)]
    pub cache_dir: Option<PathBuf>,
    /// A PEM root certificate that the directory's own HTTPS certificate chains
    /// to, for a private ACME server; default: the public Web PKI roots.
    #[serde(default)]
    pub directory_ca_cert: Option<PathBuf>,
}

fn lets_encrypt() -> String {
    "letsencrypt".to_owned()
}

impl AcmeConfig {
    pub fn directory_url(&self) -> &str {
        match self.directory.as_str() {
            "letsencrypt" => LETS_ENCRYPT,
            "letsencrypt-staging" => LETS_ENCRYPT_STAGING,
            url => url,
        }
    }

    pub fn cache_dir(&self, data_dir: &Path) -> PathBuf {
        self.cache_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("acme"))
    }
}

impl SslConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let Some(acme) = &self.acme else {
            return Ok(());
        };
        let problem =
            |key: &str, text: String| Err(ConfigError::new(format!("ssl.acme.{key}"), text));
        if self.enabled {
            return Err(ConfigError::new(
                "ssl",
                "give either `enabled` with `cert` and `key`, or `acme`, not both",
            ));
        }
        if acme.domains.is_empty() {
            return problem("domains", "must name at least one domain".into());
        }
        for domain in &acme.domains {
            if !is_dns_name(domain) {
                return problem(
                    "domains",
                    format!(
                        "`{domain}` is not a DNS name such as watchtower.example.com (no wildcards, no IP addresses)"
                    ),
                );
            }
        }
        if let Some(email) = &acme.email {
            let parts = email.split_once('@');
            if !parts.is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
                || email.contains(char::is_whitespace)
            {
                return problem("email", format!("`{email}` is not an e-mail address"));
            }
        }
        let url = reqwest::Url::parse(acme.directory_url()).ok();
        if !url.is_some_and(|url| url.scheme() == "https" && url.host().is_some()) {
            return problem(
                "directory",
                format!(
                    "`{}` is not an https:// URL, `letsencrypt` or `letsencrypt-staging`",
                    acme.directory
                ),
            );
        }
        Ok(())
    }
}

/// Letters, digits and hyphens in dot-separated labels, as a certificate
/// authority issues for; TLS-ALPN-01 cannot prove a wildcard.
fn is_dns_name(name: &str) -> bool {
    let label = |label: &str| {
        (1..=63).contains(&label.len())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    name.len() <= 253
        && name.split('.').all(label)
        && !name
            .split('.')
            .all(|l| l.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::is_dns_name;

    #[test]
    fn dns_names_are_labels_not_wildcards_or_addresses() {
        for good in ["watchtower.example.com", "localhost", "a-1.b2.example"] {
            assert!(is_dns_name(good), "{good}");
        }
        for bad in [
            "*.example.com",
            "127.0.0.1",
            "-a.example",
            "a..b",
            "",
            "ex ample.com",
        ] {
            assert!(!is_dns_name(bad), "{bad}");
        }
    }
}
