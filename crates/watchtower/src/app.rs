//! Assembles the server: `App::build` opens everything and binds the port;
//! `run_until_stopped` runs the workers and the HTTP server until shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::alert::Channels;
use crate::alert::policy::Policy;
use crate::alert::rules::EventRules;
use crate::cluster::NodeInfo;
use crate::config::{Config, PasswordSource, StorageConfig, resolve_password};
use crate::http::{
    self, AcmeDriver, AppState, PasswordCheck, PingKeys, Pings, RequestLimits, ServerLimits, Tls,
};
use crate::metrics::Metrics;
use crate::store::postgres::{Clock, PgStore};
use crate::store::sqlite::{SqliteOptions, SqliteStore};
use crate::store::{ReadLimits, Store};
use crate::syslog::SyslogListeners;
use crate::time::Timestamp;
use crate::usecase::{Parts, Watchtower};
use crate::workers::{
    DeadlineWorker, Dispatcher, Heartbeat, KeyWorker, RetentionWorker, RetryPolicy, Running,
    Watchdog,
};

/// How long shutdown waits for requests and workers before it gives up on them.
const DRAIN: Duration = Duration::from_secs(10);

pub struct App {
    config: Config,
    listener: TcpListener,
    syslog: SyslogListeners,
    tls: Option<Tls>,
    acme: Option<AcmeDriver>,
    store: Arc<dyn Store>,
    channels: Arc<Channels>,
    rules: Arc<EventRules>,
    pings: Arc<Pings>,
    password: PasswordCheck,
    badges: http::BadgeKey,
    password_source: PasswordSource,
    generated_password: Option<String>,
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        create_private_dir(&config.data_dir)
            .with_context(|| format!("dataDir: cannot create {}", config.data_dir.display()))?;
        let (password, password_source) = resolve_password(&config)?;
        // The config's password was checked with the config; one from the
        // environment or the password file is checked here.
        crate::config::check_password_length(password.expose()).map_err(|problem| {
            let file = config.data_dir.join("password");
            match password_source {
                PasswordSource::File => {
                    anyhow::anyhow!("password file {}: {problem}", file.display())
                }
                _ => anyhow::anyhow!("password: {problem}"),
            }
        })?;
        let generated_password =
            (password_source == PasswordSource::Generated).then(|| password.expose().to_owned());
        if let Some(acme) = &config.ssl.acme {
            let dir = acme.cache_dir(&config.data_dir);
            create_private_dir(&dir)
                .with_context(|| format!("ssl.acme.cacheDir: cannot create {}", dir.display()))?;
        }
        let (tls, acme) = Tls::from_config(&config.ssl, &config.data_dir)?.unzip();
        let channels = Arc::new(Channels::from_config(&config)?);
        let rules = Arc::new(EventRules::from_config(
            &config.alerts.event_rules,
            &channels,
        )?);
        let pings = Arc::new(Pings::new(PingKeys::from_config(
            &config.ping_keys,
            &channels,
        )?));
        let store: Arc<dyn Store> = match &config.storage {
            StorageConfig::Sqlite(sqlite) => Arc::new(SqliteStore::open(
                &config.data_dir,
                SqliteOptions {
                    search_index: config.events.search_index,
                    wal_limit: sqlite.wal_limit_mib * 1024 * 1024,
                    reads: read_limits(&config.limits),
                },
            )?),
            StorageConfig::Postgres(postgres) => Arc::new(
                PgStore::open(postgres, Clock::Database)
                    .await?
                    .with_read_limits(read_limits(&config.limits)),
            ),
        };
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("listen: cannot listen on {}", config.listen))?;
        let syslog = SyslogListeners::bind(&config.syslog, tls.as_ref()).await?;
        Ok(Self {
            password: PasswordCheck::new(&password),
            badges: http::BadgeKey::derive(&password),
            config,
            listener,
            syslog,
            tls,
            acme: acme.flatten(),
            store,
            channels,
            rules,
            pings,
            password_source,
            generated_password,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.local_addr())
    }

    /// The password this start generated, to be shown once.
    pub fn generated_password(&self) -> Option<&str> {
        self.generated_password.as_deref()
    }

    pub fn password_source(&self) -> &PasswordSource {
        &self.password_source
    }

    pub async fn run_until_stopped(self, stop: impl Future<Output = ()>) -> anyhow::Result<()> {
        let url = self.url();
        let Self {
            config,
            listener,
            syslog,
            tls,
            acme,
            store,
            channels,
            rules,
            pings,
            password,
            ..
        } = self;
        let metrics = Arc::new(Metrics::new(store.write_stats()));
        let app = Watchtower::new(Parts {
            store: store.clone(),
            channels,
            rules,
            metrics: metrics.clone(),
            ping_history: config.ping_history,
        });
        let now = Timestamp::now();
        let watched = app
            .resume_watch(config.on_restart, now, Instant::now())
            .await?;
        // The keys work from the first request on.
        app.reload_keys().await?;
        match store.cluster_poll() {
            Some(every) => tracing::info!(?every, "sweeping the shared storage for deaths"),
            None => tracing::info!(services = watched, "watching deadlines"),
        }
        let node = NodeInfo::new(url, now);
        tracing::info!(node = %node.id, "this node");
        let shutdown = CancellationToken::new();
        let dispatching = Running::default();
        let state = AppState::from(http::SharedState {
            store: store.clone(),
            changes: app.changes().clone(),
            app: app.clone(),
            dispatching: dispatching.clone(),
            pings,
            alertmanager: Arc::new(config.alertmanager.clone()),
            metrics: metrics.clone(),
            metrics_token: config.metrics.token.as_ref().map(PasswordCheck::new),
            metrics_services: config.metrics.service_limit,
            badges: self.badges.clone(),
            gate: Arc::new(http::Gate::new(
                crate::auth::TrustedProxies::parse(&config.trusted_proxies)
                    .map_err(|problem| anyhow::anyhow!("trustedProxies: {problem}"))?,
                metrics.clone(),
                http::SignOn::from_config(&config.auth)?,
            )),
            shutdown: shutdown.clone(),
        });
        let cap = http::ConnectionCap::new(
            config.limits.max_connections_per_client,
            crate::auth::TrustedProxies::parse(&config.trusted_proxies)
                .map_err(|problem| anyhow::anyhow!("trustedProxies: {problem}"))?,
            metrics.clone(),
        );
        let router = http::router(state, password, request_limits(&config))?;
        let tasks = TaskTracker::new();
        syslog.spawn(app.clone(), metrics.clone(), &tasks, &shutdown);
        let workers = Workers {
            app,
            node,
            dispatching,
            acme,
        };
        workers.spawn(&config, &tasks, &shutdown)?;
        let server = tokio::spawn(http::serve(
            listener,
            tls,
            router,
            server_limits(&config),
            cap,
            shutdown.clone(),
        ));
        stop.await;
        tracing::info!("shutting down");
        drain(server, tasks, shutdown).await;
        // Last: everything acknowledged or queued is flushed to disk.
        store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// What the background workers are made from.
struct Workers {
    app: Watchtower,
    node: NodeInfo,
    /// Set while the dispatcher runs, for `/readyz`.
    dispatching: Running,
    acme: Option<AcmeDriver>,
}

impl Workers {
    /// Starts every worker on `tasks`; each stops when `shutdown` is cancelled.
    fn spawn(
        self,
        config: &Config,
        tasks: &TaskTracker,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<()> {
        let store = self.app.store().clone();
        let dispatcher = Dispatcher::new(
            self.app.clone(),
            RetryPolicy::from_config(&config.alerts),
            Arc::new(Policy {
                routes: self.app.channels().routes().clone(),
                ..config.alerts.policy()
            }),
            self.dispatching,
        );
        tasks.spawn(KeyWorker::new(self.app.clone()).run(shutdown.clone()));
        tasks.spawn(DeadlineWorker::new(self.app).run(shutdown.clone()));
        tasks.spawn(dispatcher.run(shutdown.clone()));
        let retention = RetentionWorker::new(store.clone(), config.events.retention());
        tasks.spawn(retention.run(shutdown.clone()));
        if let Some(watchdog) = &config.watchdog {
            let timeout = Duration::from_secs_f64(config.alerts.timeout);
            tasks.spawn(Watchdog::from_config(watchdog, timeout)?.run(shutdown.clone()));
        }
        if let Some(acme) = self.acme {
            tasks.spawn(acme.run(shutdown.clone()));
        }
        // After `resume_watch`: a restart judges missed deadlines by the heartbeats before it.
        tasks.spawn(Heartbeat::new(store, self.node).run(shutdown.clone()));
        Ok(())
    }
}

fn request_limits(config: &Config) -> RequestLimits {
    let limits = &config.limits;
    RequestLimits {
        max_header_bytes: limits.max_header_bytes,
        max_body_bytes: limits.max_body_bytes,
        max_bulk_bytes: limits.max_bulk_bytes,
        request_timeout: Duration::from_secs_f64(limits.request_timeout),
        cors_origins: config.cors.origins.clone(),
    }
}

fn server_limits(config: &Config) -> ServerLimits {
    ServerLimits {
        max_header_bytes: config.limits.max_header_bytes,
        header_timeout: Duration::from_secs_f64(config.limits.header_timeout),
        drain: DRAIN,
    }
}

/// Stops the HTTP server and the workers, waiting for them at most [`DRAIN`] in all.
async fn drain(
    server: tokio::task::JoinHandle<()>,
    tasks: TaskTracker,
    shutdown: CancellationToken,
) {
    let started = Instant::now();
    shutdown.cancel();
    if let Err(error) = server.await {
        tracing::error!(%error, "HTTP server task failed");
    }
    tasks.close();
    let left = DRAIN.saturating_sub(started.elapsed());
    if tokio::time::timeout(left, tasks.wait()).await.is_err() {
        tracing::warn!("background workers did not stop within {DRAIN:?}");
    }
}

/// Loads a config and builds what `App::build` builds from it without touching
/// storage or the network: the channels, event rules and ping keys (which check
/// their targets). Answers a line saying what was checked.
pub fn check_config(path: Option<&std::path::Path>) -> anyhow::Result<String> {
    let (config, file) = Config::load_with_source(path)?;
    let channels = Channels::from_config(&config)?;
    EventRules::from_config(&config.alerts.event_rules, &channels)?;
    PingKeys::from_config(&config.ping_keys, &channels)?;
    Tls::from_config(&config.ssl, &config.data_dir)?;
    if let StorageConfig::Postgres(postgres) = &config.storage {
        crate::store::postgres::connect_config(postgres)?;
    }
    let source = file.map_or(
        "the built-in defaults (no config file)".to_owned(),
        |file| file.display().to_string(),
    );
    Ok(format!("config OK: {source}"))
}

/// Creates the data directory readable by its owner only: it holds every event and the password.
pub(crate) fn create_private_dir(path: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when it is called,
/// not when it is first awaited: a signal that arrives while the server is still
/// starting (after it said where it listens) stops it cleanly instead of killing it.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        [SignalKind::interrupt(), SignalKind::terminate()].map(|kind| {
            signal(kind)
                .inspect_err(|error| tracing::error!(%error, ?kind, "cannot listen for the signal"))
        })
    };
    async move {
        #[cfg(unix)]
        {
            let [interrupt, terminate] = signals;
            let wait = |signal: std::io::Result<tokio::signal::unix::Signal>| async move {
                match signal {
                    Ok(mut signal) => drop(signal.recv().await),
                    Err(_) => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = wait(interrupt) => {}
                _ = wait(terminate) => {}
            }
        }
        #[cfg(not(unix))]
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    }
}

/// The store's bounds on reads, from `limits.readTimeout` and `limits.heavyReads`.
fn read_limits(limits: &crate::config::LimitsConfig) -> ReadLimits {
    ReadLimits {
        timeout: Duration::from_secs_f64(limits.read_timeout),
        heavy_at_once: limits.heavy_reads,
    }
}
