//! Keeping secrets out of what a failed delivery says. Every error a channel
//! returns reaches the log, the alert's stored `last_error` and, when the alert
//! gives up, an event that the API serves; so none may quote a URL past its
//! origin (paths and queries hold webhook tokens, user info holds passwords), a
//! credential the request carried, or any of these where an error page echoes
//! the request back.

use std::fmt::Write;

use reqwest::Url;

/// What stands in for a secret.
pub const REDACTED: &str = "[redacted]";

/// Strings shorter than this are not hidden in texts: too short to be a secret
/// worth the name, and common enough to be words (`/`, `v2`).
const SHORTEST: usize = 4;

/// The secrets that texts about one request (or one command) must not show.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Hides `secret` wherever it appears.
    pub fn secret(mut self, secret: &str) -> Self {
        if secret.len() >= SHORTEST && !self.secrets.iter().any(|known| known == secret) {
            self.secrets.push(secret.to_owned());
        }
        self
    }

    /// Hides what of `url` may be a credential: the whole URL, its password, its
    /// path, its query and each query value (as sent and decoded), its fragment.
    pub fn url(mut self, url: &Url) -> Self {
        let path_and_query = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let decoded: Vec<String> = url.query_pairs().map(|(_, value)| value.into()).collect();
        let raw_values = url.query().into_iter().flat_map(|query| {
            query
                .split('&')
                .map(|pair| pair.split_once('=').map_or(pair, |(_, value)| value))
        });
        let parts = [url.as_str(), &path_and_query, url.path()]
            .into_iter()
            .chain(url.password())
            .chain(url.query())
            .chain(url.fragment())
            .chain(raw_values)
            .map(str::to_owned)
            .chain(decoded)
            .collect::<Vec<_>>();
        for part in parts {
            self = self.secret(&part);
        }
        self
    }

    /// Hides the values of the headers that reqwest marks sensitive (`bearer_auth`,
    /// and those the channels mark), with and without their scheme (`Bearer`).
    pub fn sensitive_headers(mut self, headers: &reqwest::header::HeaderMap) -> Self {
        for value in headers.values().filter(|value| value.is_sensitive()) {
            let Ok(text) = value.to_str() else { continue };
            self = self.secret(text);
            if let Some((_, credential)) = text.split_once(' ') {
                self = self.secret(credential.trim());
            }
        }
        self
    }

    /// `text` with every secret replaced by [`REDACTED`], the longest first, so
    /// that no part of a longer secret is left beside a shorter one's mark.
    pub fn apply(&self, text: &str) -> String {
        let mut secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.into_iter().fold(text.to_owned(), |text, secret| {
            text.replace(secret, REDACTED)
        })
    }
}

/// `url` as a log or an error may show it: the scheme, host and port, and
/// [`REDACTED`] for a path or query, which may hold a token.
pub fn show_url(url: &Url) -> String {
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        write!(shown, ":{port}").expect("writing to a String cannot fail");
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        write!(shown, "/{REDACTED}").expect("writing to a String cannot fail");
    }
    shown
}

/// [`show_url`] of a URL kept as text (the config's).
pub fn show_url_text(text: &str) -> String {
    Url::parse(text).map_or_else(|_| format!("a URL ({REDACTED})"), |url| show_url(&url))
}

/// An error and its causes on one line (`error sending request: client error
/// (Connect): tcp connect error: Connection refused`): a URL's error must first
/// have lost its URL (`reqwest::Error::without_url`).
pub use crate::errors::chain;

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn urls_are_shown_down_to_their_origin() {
        for (text, shown) in [
            (
                "https://hooks.slack.com/services/T0/B0/XYZ",
                "https://hooks.slack.com/[redacted]",
            ),
            (
                "http://user:pw@127.0.0.1:8080/?token=x",
                "http://127.0.0.1:8080/[redacted]",
            ),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            ("https://[::1]:8443/#frag", "https://[::1]:8443/[redacted]"),
        ] {
            assert_eq!(show_url(&url(text)), shown, "{text}");
        }
        assert_eq!(show_url_text("not a url s3cret"), "a URL ([redacted])");
    }

    #[test]
    fn every_part_of_a_url_that_may_be_a_credential_is_hidden() {
        let redactor = Redactor::new().url(&url(
            "http://operator:pa55word@h:1/hook/T0K3N?token=a%2Bb%20c&flag&k=short",
        ));
        let echoed = "Cannot POST /hook/T0K3N?token=a%2Bb%20c&flag&k=short as operator:pa55word; \
                      token a+b c; path /hook/T0K3N; http://operator:pa55word@h:1/hook/T0K3N?token=a%2Bb%20c&flag&k=short";
        let hidden = redactor.apply(echoed);
        for secret in ["T0K3N", "pa55word", "a+b c", "a%2Bb%20c", "flag"] {
            assert!(!hidden.contains(secret), "{secret} in {hidden}");
        }
        assert!(hidden.starts_with("Cannot POST [redacted]"), "{hidden}");
        // A user name is no secret.
        assert!(hidden.contains("as operator:[redacted]"), "{hidden}");
    }

    #[test]
    fn sensitive_headers_are_hidden_with_and_without_their_scheme() {
        let mut headers = reqwest::header::HeaderMap::new();
        let mut bearer = reqwest::header::HeaderValue::from_static("Bearer tok-123");
        bearer.set_sensitive(true);
        headers.insert("authorization", bearer);
        headers.insert("x-visible", "plain-value".parse().unwrap());
        let redactor = Redactor::new().sensitive_headers(&headers);
        assert_eq!(
            redactor.apply("got Bearer tok-123, token tok-123, plain-value"),
            "got [redacted], token [redacted], plain-value"
        );
    }

    #[test]
    fn the_longest_secret_goes_first_and_nothing_empty_is_replaced() {
        let redactor = Redactor::new().secret("").secret("abcd").secret("abcdefgh");
        assert_eq!(redactor.apply("abcdefgh abcd x"), "[redacted] [redacted] x");
    }

    #[test]
    fn a_chain_names_each_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("connect failed")]
        struct Outer(#[source] std::io::Error);
        let error = Outer(std::io::Error::other("refused"));
        assert_eq!(chain(&error), "connect failed: refused");
        // A cause that its error already quotes is not said twice.
        #[derive(Debug, thiserror::Error)]
        #[error("connect failed: {0}")]
        struct Quoting(#[source] std::io::Error);
        let error = Quoting(std::io::Error::other("refused"));
        assert_eq!(chain(&error), "connect failed: refused");
    }
}
