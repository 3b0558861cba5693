//! Listing services with filters (`GET /?prefix=…&status=…`), whole or a page
//! at a time, as the server sorts them: by name.

use reqwest::Method;

use crate::{Client, Result, Service, Status};

/// Which services to list: all by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceQuery {
    /// Only services whose names start with it.
    pub prefix: Option<String>,
    /// Only these statuses; all when empty.
    pub statuses: Vec<Status>,
    /// A page of at most this many (1 to 10,000); see [`Client::services_page`].
    pub limit: Option<u32>,
    /// Where the page starts: [`ServicePage::next_cursor`] of the page before.
    pub cursor: Option<String>,
}

impl ServiceQuery {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Adds a status to those listed (`up`, `late`, `dead`, `paused`, `new`).
    pub fn status(mut self, status: Status) -> Self {
        if !self.statuses.contains(&status) {
            self.statuses.push(status);
        }
        self
    }

    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// `Status::Unknown` is sent as `unknown`, which the server refuses (`400`).
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(prefix) = &self.prefix {
            pairs.push(("prefix", prefix.clone()));
        }
        if !self.statuses.is_empty() {
            let words: Vec<String> = self.statuses.iter().map(Status::to_string).collect();
            pairs.push(("status", words.join(",")));
        }
        if let Some(limit) = self.limit {
            pairs.push(("limit", limit.to_string()));
        }
        if let Some(cursor) = &self.cursor {
            pairs.push(("cursor", cursor.clone()));
        }
        pairs
    }
}

/// One page of services and, when more match, the cursor of the next.
#[derive(Clone, Debug, PartialEq)]
pub struct ServicePage {
    pub services: Vec<Service>,
    pub next_cursor: Option<String>,
}

impl Client {
    /// Every service `query` matches, sorted by name, in one answer (the
    /// server streams it; `limit` and `cursor` are ignored here).
    pub async fn services_matching(&self, query: &ServiceQuery) -> Result<Vec<Service>> {
        let whole = ServiceQuery {
            limit: None,
            cursor: None,
            ..query.clone()
        };
        let request = self.request(Method::GET, "/").query(&whole.pairs());
        self.json(request).await
    }

    /// One page of the services `query` matches (`limit` services, 100 when it
    /// gives none), and the cursor of the next page when more match.
    pub async fn services_page(&self, query: &ServiceQuery) -> Result<ServicePage> {
        let paged = ServiceQuery {
            limit: Some(query.limit.unwrap_or(100)),
            ..query.clone()
        };
        let request = self.request(Method::GET, "/").query(&paged.pairs());
        let (services, next_cursor) = self.page(request, "services").await?;
        Ok(ServicePage {
            services,
            next_cursor,
        })
    }
}
