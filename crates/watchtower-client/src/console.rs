//! What a console reads to offer choices: the server's channels, routes and ping
//! keys (never a secret), a cron expression explained, and each service's uptime
//! per day.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::{Client, Result};

/// What the server can alert (`GET /channels`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Channels {
    pub channels: Vec<ChannelInfo>,
    pub routes: Vec<RouteInfo>,
    pub ping_keys: Vec<PingKeyInfo>,
}

/// A configured channel and what it takes as `alertTarget`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChannelInfo {
    pub alert_type: String,
    /// `named` (one of `targets`), `email`, or `pattern` (text matching `pattern`).
    pub form: String,
    #[serde(default)]
    pub targets: Option<Vec<String>>,
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default)]
    pub max_chars: Option<usize>,
}

/// A route by name, and the channels it alerts.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct RouteInfo {
    pub name: String,
    pub steps: Vec<RouteStep>,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RouteStep {
    pub alert_type: String,
    pub alert_target: String,
}

/// A ping key by name and what it may ping; never the key.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PingKeyInfo {
    pub name: String,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub alert_type: Option<String>,
    #[serde(default)]
    pub alert_target: Option<String>,
}

/// A cron expression explained (`GET /schedule`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ScheduleExplained {
    pub schedule: String,
    pub tz: String,
    /// In words: `At 02:30, on Monday, Tuesday, Wednesday, Thursday, and Friday.`
    pub description: String,
    /// Its next times.
    pub next: Vec<DateTime<Utc>>,
}

/// Every service's uptime per UTC day (`GET /uptime`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct DailyUptime {
    /// The days, oldest first; today (so far) last.
    pub dates: Vec<NaiveDate>,
    /// Per service, the share of each day it was up; `None` before it was first seen.
    pub services: BTreeMap<String, Vec<Option<f64>>>,
}

impl Client {
    /// The channels this server can alert, with the targets each takes, its
    /// routes and its ping keys, by name.
    pub async fn channels(&self) -> Result<Channels> {
        self.json(self.request_to(Method::GET, &["channels"])).await
    }

    /// `schedule` in words, with its next `count` times (5 by default) in `tz`
    /// (UTC by default). A bad expression or zone is [`crate::Error::InvalidRequest`]
    /// naming the field.
    pub async fn explain_schedule(
        &self,
        schedule: &str,
        tz: Option<&str>,
        count: Option<u32>,
    ) -> Result<ScheduleExplained> {
        let mut request = self
            .request_to(Method::GET, &["schedule"])
            .query(&[("schedule", schedule)]);
        if let Some(tz) = tz {
            request = request.query(&[("tz", tz)]);
        }
        if let Some(count) = count {
            request = request.query(&[("count", count)]);
        }
        self.json(request).await
    }

    /// Each service's uptime on each of the last 30 UTC days.
    pub async fn daily_uptime(&self) -> Result<DailyUptime> {
        self.json(self.request_to(Method::GET, &["uptime"])).await
    }
}
