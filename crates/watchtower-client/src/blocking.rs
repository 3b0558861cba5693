//! The same client without async: each call runs on a small runtime of its own.
//! Do not call it from inside an async runtime (use [`crate::Client`] there).
//!
//! ```no_run
//! use std::time::Duration;
//! use watchtower_client::blocking::Client;
//! use watchtower_client::{Level, Pulse};
//!
//! let client = Client::builder("http://127.0.0.1:8080", "the password").build()?;
//! client.pulse(&Pulse::new("cron-job", Duration::from_secs(3600), "webhook", "ops"))?;
//! client.add_event("cron-job", Level::Info, "done")?;
//! # Ok::<(), watchtower_client::Error>(())
//! ```

use std::sync::Arc;
use std::time::Duration;

use crate::{
    Error, Event, EventPage, EventQuery, Level, Pulse, Result, Service, ServicePage, ServiceQuery,
};

/// Sets up a blocking [`Client`]; see [`crate::ClientBuilder`].
pub struct ClientBuilder(crate::ClientBuilder);

impl ClientBuilder {
    pub fn timeout(self, timeout: Duration) -> Self {
        Self(self.0.timeout(timeout))
    }

    pub fn ca_certificate_pem(self, pem: impl Into<Vec<u8>>) -> Self {
        Self(self.0.ca_certificate_pem(pem))
    }

    pub fn build(self) -> Result<Client> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Config {
                message: format!("cannot start a runtime: {e}"),
            })?;
        // Built inside the runtime: the connection pool belongs to it.
        let inner = runtime.block_on(async { self.0.build() })?;
        Ok(Client {
            inner,
            runtime: Arc::new(runtime),
        })
    }
}

/// A blocking client; cheap to clone.
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl Client {
    pub fn builder(url: impl Into<String>, password: impl Into<String>) -> ClientBuilder {
        ClientBuilder(crate::Client::builder(url, password))
    }

    pub fn pulse(&self, pulse: &Pulse) -> Result<Service> {
        self.runtime.block_on(self.inner.pulse(pulse))
    }

    pub fn cancel(&self, service: &str) -> Result<Service> {
        self.runtime.block_on(self.inner.cancel(service))
    }

    pub fn pause(&self, service: &str) -> Result<Service> {
        self.runtime.block_on(self.inner.pause(service))
    }

    pub fn resume(&self, service: &str) -> Result<Service> {
        self.runtime.block_on(self.inner.resume(service))
    }

    pub fn services(&self) -> Result<Vec<Service>> {
        self.runtime.block_on(self.inner.services())
    }

    pub fn services_matching(&self, query: &ServiceQuery) -> Result<Vec<Service>> {
        self.runtime.block_on(self.inner.services_matching(query))
    }

    pub fn services_page(&self, query: &ServiceQuery) -> Result<ServicePage> {
        self.runtime.block_on(self.inner.services_page(query))
    }

    pub fn add_event(&self, service: &str, level: Level, message: &str) -> Result<Event> {
        self.runtime
            .block_on(self.inner.add_event(service, level, message))
    }

    /// Stores an event with attributes, as [`crate::Client::add_event_with`] does.
    pub fn add_event_with(
        &self,
        service: &str,
        level: Level,
        message: &str,
        attributes: &crate::Attributes,
    ) -> Result<Event> {
        self.runtime.block_on(
            self.inner
                .add_event_with(service, level, message, attributes),
        )
    }

    pub fn list_events(&self, query: &EventQuery) -> Result<EventPage> {
        self.runtime.block_on(self.inner.list_events(query))
    }

    /// Every matching event, following the pages, as an iterator.
    pub fn all_events(&self, query: EventQuery) -> impl Iterator<Item = Result<Event>> + '_ {
        let mut next = Some(query);
        let mut page = Vec::new().into_iter();
        std::iter::from_fn(move || {
            loop {
                if let Some(event) = page.next() {
                    return Some(Ok(event));
                }
                let query = next.take()?;
                match self.list_events(&query) {
                    Ok(found) => {
                        next = found.next_cursor.map(|cursor| query.cursor(cursor));
                        page = found.events.into_iter();
                    }
                    Err(error) => return Some(Err(error)),
                }
            }
        })
    }
}

/// Pulses from a thread of its own until stopped; see [`crate::Heartbeat`].
///
/// ```no_run
/// use std::time::Duration;
/// use watchtower_client::blocking::{Client, Heartbeat};
/// use watchtower_client::Pulse;
///
/// let client = Client::builder("http://127.0.0.1:8080", "the password").build()?;
/// let pulse = Pulse::new("worker", Duration::from_secs(180), "webhook", "ops");
/// let heartbeat = Heartbeat::start(client, pulse, Duration::from_secs(60))?.cancel_on_stop(true);
/// // … the program runs …
/// heartbeat.stop()?;
/// # Ok::<(), watchtower_client::Error>(())
/// ```
pub struct Heartbeat {
    client: Client,
    service: String,
    cancel_on_stop: bool,
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Heartbeat {
    /// Starts pulsing at once, then every `every` (shorter than the pulse's `next_in`,
    /// which must be at least 0.1 s; an [`Error::Config`] otherwise).
    pub fn start(client: Client, pulse: Pulse, every: Duration) -> Result<Self> {
        crate::heartbeat::check_beat(&pulse, every)?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let (beating, service) = (client.clone(), pulse.service.clone());
        let thread = std::thread::Builder::new()
            .name(format!("heartbeat {service}"))
            .spawn(move || {
                loop {
                    if let Err(error) = beating.pulse(&pulse) {
                        tracing::warn!(service = %pulse.service, %error, "heartbeat pulse failed; trying again at the next beat");
                    }
                    match stopped.recv_timeout(every) {
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                        _ => return,
                    }
                }
            })
            .map_err(|e| Error::Config {
                message: format!("cannot start the heartbeat thread: {e}"),
            })?;
        Ok(Self {
            client,
            service,
            cancel_on_stop: false,
            stop,
            thread,
        })
    }

    /// Whether [`Heartbeat::stop`] also cancels the service (default: no).
    pub fn cancel_on_stop(mut self, cancel: bool) -> Self {
        self.cancel_on_stop = cancel;
        self
    }

    /// Stops pulsing (after a pulse under way) and, if asked, cancels the service.
    pub fn stop(self) -> Result<()> {
        let _ = self.stop.send(());
        let _ = self.thread.join();
        if self.cancel_on_stop {
            match self.client.cancel(&self.service) {
                Ok(_) | Err(Error::NotFound { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}
