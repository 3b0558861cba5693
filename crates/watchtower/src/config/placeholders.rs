//! The sample config's placeholders, refused at start: a config copied unchanged
//! from `config/sample.json` must not leave a working credential whose value is
//! printed in the sample, nor alert routes to hosts that receive nothing (the
//! names RFC 2606 reserves for examples), where alerts would be retried forever.

use super::{Config, ConfigError};

/// What the samples write where a secret goes (`replace-with-…`, `replace-me`).
const PLACEHOLDER_PREFIX: &str = "replace-";

/// Whether `host` is a name reserved for examples: `example.com`, `.net`, `.org`
/// and their subdomains, and the `.example` and `.invalid` top-level domains.
pub fn is_reserved_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let under = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    [
        "example.com",
        "example.net",
        "example.org",
        "example",
        "invalid",
    ]
    .iter()
    .any(|domain| under(domain))
}

fn url_host_reserved(url: &str) -> bool {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|url| url.host_str().map(is_reserved_host))
        .unwrap_or(false)
}

/// Every placeholder left, named by its key, in one error.
pub fn check(config: &Config) -> Result<(), ConfigError> {
    let mut found = Vec::new();
    if config
        .password
        .as_ref()
        .is_some_and(|p| p.expose().starts_with(PLACEHOLDER_PREFIX))
    {
        found.push("password".to_owned());
    }
    for (name, key) in &config.ping_keys {
        if key.key.expose().starts_with(PLACEHOLDER_PREFIX) {
            found.push(format!("pingKeys.{name}.key"));
        }
    }
    if let super::StorageConfig::Postgres(postgres) = &config.storage {
        let url = reqwest::Url::parse(postgres.url.expose()).ok();
        let placeholder = url.as_ref().is_some_and(|url| {
            url.host_str().is_some_and(is_reserved_host)
                || url
                    .password()
                    .is_some_and(|p| p.starts_with(PLACEHOLDER_PREFIX))
        });
        if placeholder {
            found.push("storage.url".to_owned());
        }
    }
    if let Some(mail) = config
        .mail
        .as_ref()
        .filter(|mail| is_reserved_host(&mail.host))
    {
        found.push(format!("mail.host ({})", mail.host));
    }
    if let Some(pushover) = config
        .pushover
        .as_ref()
        .filter(|p| url_host_reserved(&p.url))
    {
        found.push(format!("pushover.url ({})", pushover.url));
    }
    for (name, webhook) in &config.webhooks {
        if url_host_reserved(&webhook.url) {
            found.push(format!("webhooks.{name}.url"));
        }
    }
    let Some(first) = found.first() else {
        return Ok(());
    };
    let key = first.split(' ').next().unwrap_or(first).to_owned();
    Err(ConfigError::new(
        key,
        format!(
            "the config still holds placeholders: {}. Replace them with real values, or remove \
             those entries (names such as example.com are reserved for examples and receive nothing)",
            found.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_names_are_reserved_and_others_not() {
        for host in [
            "example.com",
            "SMTP.Example.COM.",
            "hooks.example.org",
            "a.example",
            "x.invalid",
        ] {
            assert!(is_reserved_host(host), "{host}");
        }
        for host in ["example.co", "myexample.com", "127.0.0.1", "mail.internal"] {
            assert!(!is_reserved_host(host), "{host}");
        }
    }

    #[test]
    fn the_sample_is_refused_naming_each_placeholder() {
        let sample = include_str!("../../../../config/sample.json");
        let error = Config::parse(sample).unwrap_err().to_string();
        assert!(error.contains("pingKeys.cron.key"), "{error}");
        assert!(error.contains("mail.host (smtp.example.com)"), "{error}");
        assert!(error.contains("webhooks.ops.url"), "{error}");
        let cluster = include_str!("../../../../config/sample-postgres.json");
        let error = Config::parse(cluster).unwrap_err().to_string();
        assert!(error.contains("storage.url"), "{error}");
    }
}
