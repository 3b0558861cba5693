//! A client for [Watchtower](https://github.com/), the self-hosted dead man's switch
//! and event aggregator: pulse, cancel, list services, add and list events (with
//! every filter and cursor pagination), follow the live tail, and keep a service
//! alive from a background task with [`Heartbeat`].
//!
//! ```no_run
//! use std::time::Duration;
//! use watchtower_client::{Client, EventQuery, Level, Pulse};
//!
//! # async fn demo() -> Result<(), watchtower_client::Error> {
//! let client = Client::builder("https://watchtower.example.com", "the password").build()?;
//! client
//!     .pulse(&Pulse::new("backup", Duration::from_secs(26 * 3600), "mail", "ops@example.com"))
//!     .await?;
//! client.add_event("backup", Level::Info, "backup finished: 12 GB").await?;
//! let page = client.list_events(&EventQuery::new().service("backup").limit(20)).await?;
//! println!("{} events, more: {}", page.events.len(), page.next_cursor.is_some());
//! # Ok(()) }
//! ```
//!
//! Errors are [`Error`]s that carry the server's message; [`Error::is_retryable`]
//! tells a passing outage from a refused request. With the `blocking` feature,
//! [`blocking::Client`] offers the same calls without async.

mod attributes;
#[cfg(feature = "blocking")]
pub mod blocking;
mod console;
mod error;
mod heartbeat;
mod keys;
mod runs;
mod service_list;
mod sse;
mod types;

use std::time::Duration;

use futures_util::Stream;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

pub use attributes::{AttributeValue, Attributes, parse_assignment as parse_attribute};
pub use console::{
    ChannelInfo, Channels, DailyUptime, PingKeyInfo, RouteInfo, RouteStep, ScheduleExplained,
};
pub use error::Error;
pub use heartbeat::Heartbeat;
pub use keys::{ApiKey, CreatedKey, Identity, KeyRequest};
pub use runs::Ping;
pub use service_list::{ServicePage, ServiceQuery};
pub use types::{AlertRecord, Event, EventPage, EventQuery, Level, Order, Pulse, Service, Status};

/// What every call returns.
pub type Result<T> = std::result::Result<T, Error>;

/// The default time a call may take, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Sets up a [`Client`]: the server's URL and password, a timeout, extra CAs.
#[derive(Debug)]
pub struct ClientBuilder {
    url: String,
    password: String,
    timeout: Duration,
    ca_pem: Vec<Vec<u8>>,
    user_agent: Option<String>,
}

impl ClientBuilder {
    /// How long a call may take at most (default 10 s). Streams of events are
    /// bounded only while connecting.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts the CA (or self-signed certificate) in `pem` besides the system's,
    /// for a server with a private or self-signed certificate.
    pub fn ca_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem.push(pem.into());
        self
    }

    /// The `User-Agent` it sends (default `watchtower-client/VERSION`): it shows in
    /// the services' ping history.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    pub fn build(self) -> Result<Client> {
        let config = |message: String| Error::Config { message };
        let base = reqwest::Url::parse(self.url.trim_end_matches('/'))
            .map_err(|e| config(format!("`{}` is not a URL: {e}", self.url)))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(config(format!(
                "`{}` is not an http or https URL",
                self.url
            )));
        }
        let mut roots = Vec::new();
        for pem in &self.ca_pem {
            let found = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| config(format!("not a PEM certificate: {e}")))?;
            roots.extend(found);
        }
        let builder = reqwest::Client::builder()
            .connect_timeout(self.timeout)
            .user_agent(
                self.user_agent
                    .as_deref()
                    .unwrap_or(concat!("watchtower-client/", env!("CARGO_PKG_VERSION"))),
            )
            .tls_certs_merge(roots);
        Ok(Client {
            http: builder.build().map_err(Error::transport)?,
            base,
            password: self.password,
            timeout: self.timeout,
        })
    }
}

/// An async client; cheap to clone (clones share connections).
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base: reqwest::Url,
    password: String,
    timeout: Duration,
}

/// A name to put in a URL path as one segment. URLs drop `.` and `..` segments
/// (even percent-encoded, as the URL standard reads them), so a service of such
/// a name cannot be addressed by a path: refused before anything is sent.
fn segment(name: &str) -> Result<&str> {
    match name {
        "" | "." | ".." => Err(Error::Config {
            message: format!("name: `{name}` cannot be sent as a URL path segment"),
        }),
        name => Ok(name),
    }
}

impl Client {
    /// Starts setting up a client of the server at `url` (`https://host:port`).
    pub fn builder(url: impl Into<String>, password: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            url: url.into(),
            password: password.into(),
            timeout: DEFAULT_TIMEOUT,
            ca_pem: Vec::new(),
            user_agent: None,
        }
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut url = self.base.clone();
        url.set_path(path);
        self.http
            .request(method, url)
            .header("password", &self.password)
    }

    /// A request to the path made of `segments`, each percent-encoded as one
    /// segment (a service name may hold `/`, `?` or spaces).
    fn request_to(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.clear().extend(segments);
        }
        self.http
            .request(method, url)
            .header("password", &self.password)
    }

    async fn send(&self, request: RequestBuilder) -> Result<Response> {
        let response = request
            .timeout(self.timeout)
            .send()
            .await
            .map_err(Error::transport)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.text().await.unwrap_or_default();
        Err(Error::from_answer(status.as_u16(), &body))
    }

    async fn json<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T> {
        let response = self.send(request).await?;
        let body = response.bytes().await.map_err(Error::transport)?;
        serde_json::from_slice(&body).map_err(|e| Error::Unexpected {
            message: format!("not the expected JSON: {e}"),
        })
    }

    /// Records a pulse; answers the service as it is now.
    pub async fn pulse(&self, pulse: &Pulse) -> Result<Service> {
        self.json(self.request(Method::POST, "/").json(pulse)).await
    }

    /// Declares `declaration.service` before its first pulse (it is then
    /// [`Status::New`], and dead if that pulse is not in by its first expected
    /// time plus grace), or changes how a monitored one is watched. Declaring a
    /// service as it is changes nothing: this is safe to repeat.
    pub async fn declare(&self, declaration: &Pulse) -> Result<Service> {
        let path = ["services", segment(&declaration.service)?];
        self.json(self.request_to(Method::PUT, &path).json(declaration))
            .await
    }

    /// Stops monitoring `service`; answers it as it was. [`Error::NotFound`] if unknown.
    pub async fn cancel(&self, service: &str) -> Result<Service> {
        let body = serde_json::json!({ "service": service });
        self.json(self.request(Method::DELETE, "/").json(&body))
            .await
    }

    /// Pauses `service`: it neither dies nor alerts until it pulses or is resumed.
    /// [`Error::NotFound`] if unknown.
    pub async fn pause(&self, service: &str) -> Result<Service> {
        let path = ["services", segment(service)?, "pause"];
        self.json(self.request_to(Method::POST, &path)).await
    }

    /// Resumes a paused `service`, due again after its interval (or at its
    /// schedule's next time) plus its grace, from now.
    pub async fn resume(&self, service: &str) -> Result<Service> {
        let path = ["services", segment(service)?, "resume"];
        self.json(self.request_to(Method::POST, &path)).await
    }

    /// Sends a test alert now to `alert_type`/`alert_target` (each channel of a
    /// route); answers the channels that took it. A channel that refused it or
    /// could not be reached is [`Error::Unavailable`] (`502`) naming its error.
    pub async fn test_alert(&self, alert_type: &str, alert_target: &str) -> Result<Vec<String>> {
        let body = serde_json::json!({ "alertType": alert_type, "alertTarget": alert_target });
        let answer: serde_json::Value = self
            .json(self.request(Method::POST, "/test-alert").json(&body))
            .await?;
        let delivered = answer["delivered"].as_array().cloned().unwrap_or_default();
        Ok(delivered
            .iter()
            .map(|d| {
                format!(
                    "{}:{}",
                    d["alertType"].as_str().unwrap_or("?"),
                    d["alertTarget"].as_str().unwrap_or("?")
                )
            })
            .collect())
    }

    /// Alerts newest first: `service`'s only if given; `state` one of `pending`,
    /// `sent`, `failed`, `cancelled`, `suppressed`, `digested`, or `failing`
    /// (pending after a failed attempt); at most `limit` (1 to 1,000; default 100).
    pub async fn alerts(
        &self,
        service: Option<&str>,
        state: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<AlertRecord>> {
        let limit = limit.map(|limit| limit.to_string());
        let query: Vec<(&str, &str)> = [
            ("service", service),
            ("state", state),
            ("limit", limit.as_deref()),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect();
        self.json(self.request(Method::GET, "/alerts").query(&query))
            .await
    }

    /// Every monitored service, sorted by name.
    pub async fn services(&self) -> Result<Vec<Service>> {
        self.json(self.request(Method::GET, "/")).await
    }

    /// Stores an event; the server stamps its date.
    pub async fn add_event(&self, service: &str, level: Level, message: &str) -> Result<Event> {
        self.add_event_with(service, level, message, &Attributes::new())
            .await
    }

    /// Stores an event with attributes (at most 32, 4 KiB in all).
    ///
    /// ```no_run
    /// # async fn demo(client: watchtower_client::Client) -> watchtower_client::Result<()> {
    /// use watchtower_client::{Attributes, Level};
    /// let attributes = Attributes::from([("host".into(), "web-1".into()), ("status".into(), 503.into())]);
    /// client.add_event_with("web", Level::Error, "upstream failed", &attributes).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_event_with(
        &self,
        service: &str,
        level: Level,
        message: &str,
        attributes: &Attributes,
    ) -> Result<Event> {
        let mut body =
            serde_json::json!({ "service": service, "level": level, "message": message });
        if !attributes.is_empty() {
            body["attributes"] = serde_json::json!(attributes);
        }
        self.json(self.request(Method::POST, "/add-event").json(&body))
            .await
    }

    /// One page of events matching `query`, and the cursor of the next page.
    pub async fn list_events(&self, query: &EventQuery) -> Result<EventPage> {
        let request = self
            .request(Method::GET, "/list-events")
            .query(&query.pairs());
        let (events, next_cursor) = self.page(request, "events").await?;
        Ok(EventPage {
            events,
            next_cursor,
        })
    }

    /// A page's items and the cursor its `Link` header gives for the next.
    async fn page<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<(Vec<T>, Option<String>)> {
        let response = self.send(request).await?;
        let next_cursor = response
            .headers()
            .get_all(reqwest::header::LINK)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(next_cursor);
        let body = response.bytes().await.map_err(Error::transport)?;
        let items = serde_json::from_slice(&body).map_err(|e| Error::Unexpected {
            message: format!("not a list of {what}: {e}"),
        })?;
        Ok((items, next_cursor))
    }

    /// Every event matching `query`, following the pages (`query.limit` is the page size).
    ///
    /// ```no_run
    /// # async fn demo(client: watchtower_client::Client) -> watchtower_client::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let query = watchtower_client::EventQuery::new().service("backup");
    /// let all: Vec<_> = client.all_events(query).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn all_events(&self, query: EventQuery) -> impl Stream<Item = Result<Event>> + '_ {
        let pages = futures_util::stream::try_unfold(Some(query), move |next| async move {
            let Some(query) = next else { return Ok(None) };
            let page = self.list_events(&query).await?;
            let following = page.next_cursor.map(|cursor| query.clone().cursor(cursor));
            Ok(Some((page.events, following)))
        });
        futures_util::TryStreamExt::try_flatten(futures_util::TryStreamExt::map_ok(
            pages,
            |events| futures_util::stream::iter(events.into_iter().map(Ok)),
        ))
    }

    /// The live tail: events as they are stored, matching `query`'s service,
    /// minimum level and message (dates, order, limit and cursor do not apply).
    /// Ends with an error when the server drops a client that fell behind.
    pub async fn follow_events(
        &self,
        query: &EventQuery,
    ) -> Result<impl Stream<Item = Result<Event>> + use<>> {
        let request = self
            .request(Method::GET, "/events/stream")
            .query(
                &query
                    .filter_pairs()
                    .into_iter()
                    .filter(|(key, _)| !matches!(key.as_ref(), "from" | "to"))
                    .collect::<Vec<_>>(),
            )
            .header(reqwest::header::ACCEPT, "text/event-stream");
        let response = request.send().await.map_err(Error::transport)?;
        let status = response.status();
        if status != StatusCode::OK {
            let body = response.text().await.unwrap_or_default();
            return Err(Error::from_answer(status.as_u16(), &body));
        }
        Ok(sse::events(response.bytes_stream()))
    }
}

/// The cursor in a `Link: </list-events?…&cursor=…>; rel="next"` value (or `</?…>`).
fn next_cursor(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.trim().split_once(';')?;
        if !params.split(';').any(|p| p.trim() == r#"rel="next""#) {
            return None;
        }
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let url = reqwest::Url::parse("http://link.invalid")
            .ok()?
            .join(target)
            .ok()?;
        url.query_pairs()
            .find(|(key, _)| key == "cursor")
            .map(|(_, value)| value.into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_cursor_is_read_off_the_link_header() {
        let link =
            r#"</list-events?service=backup&limit=20&cursor=ZDE3NjQwNTAwMDAwMDAuNDI>; rel="next""#;
        assert_eq!(
            next_cursor(link).as_deref(),
            Some("ZDE3NjQwNTAwMDAwMDAuNDI")
        );
        assert_eq!(next_cursor(r#"</x?cursor=a>; rel="prev""#), None);
    }
}
