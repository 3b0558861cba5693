//! A job's runs and the ping history: a run's start and failure reported through
//! the API (as `watchtower run` does), and every ping a service sent.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::{Client, Pulse, Result, Service, segment};

/// One ping of a service's history (`GET /services/{name}/pings`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Ping {
    pub date: DateTime<Utc>,
    /// `pulse`, `start`, `fail` or `log`.
    pub kind: String,
    /// `api`, `cli`, `ping` (a ping URL), `kuma` or `alertmanager`.
    pub source: String,
    #[serde(default)]
    pub client: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    /// The body's first kilobyte, if any.
    #[serde(default)]
    pub body: Option<String>,
    /// Seconds since the run's start, for the pulse or failure that ended it.
    #[serde(default)]
    pub duration: Option<f64>,
    /// How many identical plain pulses this entry counts (the server folds
    /// those within a minute of the entry's first), the last at `last_date`.
    #[serde(default = "one")]
    pub count: u64,
    #[serde(default)]
    pub last_date: Option<DateTime<Utc>>,
}

fn one() -> u64 {
    1
}

impl Client {
    /// Starts a run of `pulse.service`: pulses it with `pulse`'s settings and
    /// marks it running, so that a hung run shows, and the run is timed by the
    /// next pulse or [`Client::fail`].
    pub async fn start(&self, pulse: &Pulse) -> Result<Service> {
        let path = ["services", segment(&pulse.service)?, "start"];
        self.json(self.request_to(Method::POST, &path).json(pulse))
            .await
    }

    /// Reports that a run of `service` failed: `message` becomes an `error`
    /// event, and the service is dead, and alerted, at once.
    /// [`crate::Error::NotFound`] if it is not monitored.
    pub async fn fail(&self, service: &str, message: &str) -> Result<Service> {
        let path = ["services", segment(service)?, "fail"];
        let body = serde_json::json!({ "message": message });
        self.json(self.request_to(Method::POST, &path).json(&body))
            .await
    }

    /// The latest pings of `service`, newest first: all that are kept, or at
    /// most `limit`.
    pub async fn pings(&self, service: &str, limit: Option<u32>) -> Result<Vec<Ping>> {
        let path = ["services", segment(service)?, "pings"];
        let mut request = self.request_to(Method::GET, &path);
        if let Some(limit) = limit {
            request = request.query(&[("limit", limit)]);
        }
        self.json(request).await
    }
}
