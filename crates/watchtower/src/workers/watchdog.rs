//! Watching the watcher: with a `watchdog` configured, the server pulses another
//! Watchtower (or any ping URL, such as a healthchecks.io check) every `every`
//! seconds, announcing its next beat within two periods. If this server dies,
//! hangs or loses its network, the beats stop and the other side alerts.

use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::alert::redact::{self, Redactor};
use crate::config::WatchdogConfig;

pub struct Watchdog {
    http: reqwest::Client,
    url: String,
    /// The URL as the log shows it: a ping URL's path is its secret.
    shown: String,
    /// What no error about a beat may quote: the URL, the password.
    redactor: Redactor,
    password: Option<String>,
    body: serde_json::Value,
    every: Duration,
}

impl Watchdog {
    /// `timeout` bounds each beat (the alert channels' timeout).
    pub fn from_config(config: &WatchdogConfig, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            // The config names the only place beats go.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("watchtower/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let service = config.service.clone().unwrap_or_else(default_service);
        let mut body = json!({"service": service, "nextIn": config.every * 2.0});
        if let (Some(kind), Some(target)) = (&config.alert_type, &config.alert_target) {
            body["alertType"] = json!(kind);
            body["alertTarget"] = json!(target);
        }
        let password = config.password.as_ref().map(|p| p.expose().to_owned());
        let mut redactor = Redactor::new().secret(password.as_deref().unwrap_or_default());
        if let Ok(url) = reqwest::Url::parse(&config.url) {
            redactor = redactor.url(&url);
        }
        Ok(Self {
            http,
            url: config.url.clone(),
            shown: redact::show_url_text(&config.url),
            redactor,
            password,
            body,
            every: Duration::from_secs_f64(config.every),
        })
    }

    /// One beat: the pulse to the other side, and whether it was taken.
    pub async fn step(&self) -> Result<(), String> {
        let mut request = self.http.post(&self.url).json(&self.body);
        if let Some(password) = &self.password {
            request = request.header("password", password);
        }
        match request.send().await {
            Ok(answer) if answer.status().is_success() => Ok(()),
            Ok(answer) => Err(format!("refused with HTTP {}", answer.status().as_u16())),
            Err(error) => Err(format!(
                "failed: {}",
                self.redactor.apply(&redact::chain(&error.without_url()))
            )),
        }
    }

    /// Beats until `shutdown`: the first at once, then every period. A failed
    /// beat is logged and the next one tried on time.
    pub async fn run(self, shutdown: CancellationToken) {
        tracing::info!(url = %self.shown, every = ?self.every, "watchdog beats on");
        let mut ticks = tokio::time::interval(self.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = ticks.tick() => {}
            }
            match self.step().await {
                Ok(()) => tracing::debug!("watchdog beat"),
                Err(problem) => tracing::warn!(url = %self.shown, "watchdog beat {problem}"),
            }
        }
    }
}

fn default_service() -> String {
    format!("watchtower-{}", crate::cluster::host_name())
}
