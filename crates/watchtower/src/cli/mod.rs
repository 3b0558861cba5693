//! The command-line client: `watchtower pulse/cancel/services/event/events/run`,
//! built on the Rust client library. Server URL and password come from
//! `--url`/`--password` or `$WATCHTOWER_URL`/`$WATCHTOWER_PASSWORD`.

mod apply;
mod console;
mod keys;
mod output;
mod pulse;
mod run;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use futures::{StreamExt, TryStreamExt};
use watchtower_client::{
    AttributeValue, Client, EventQuery, Level, Order, ServiceQuery, Status, parse_attribute,
};

use crate::time::parse_duration;
pub use output::Format;
use pulse::pulse_of;

/// When a service pulses next: within `--next-in`, or at `--schedule`'s next time.
#[derive(Args, Debug, Clone)]
#[group(skip)]
pub struct Timing {
    /// The longest wait until the next pulse: 90, 90s, 5m, 2h, 1d.
    #[arg(long, value_parser = duration, required_unless_present = "schedule", conflicts_with = "schedule")]
    next_in: Option<Duration>,
    /// Instead of --next-in: a cron expression ("0 9 * * 1-5", @daily); the next
    /// pulse is due at its next time.
    #[arg(long)]
    schedule: Option<String>,
    /// The schedule's IANA time zone (Europe/Berlin); default UTC.
    #[arg(long, requires = "schedule", conflicts_with = "next_in")]
    tz: Option<String>,
    /// How long past the expected time it may still pulse before it is dead: 15m.
    #[arg(long, value_parser = duration)]
    grace: Option<Duration>,
}

/// Where the server is and how to reach it.
#[derive(Args, Debug, Clone)]
pub struct Connection {
    /// The server's URL.
    #[arg(
        long,
        env = "WATCHTOWER_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    url: String,
    /// The API password; default: the `password` file of ./data, if there is one.
    #[arg(
        long,
        env = "WATCHTOWER_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    password: Option<String>,
    /// A PEM CA certificate to trust besides the system's (a self-signed server).
    #[arg(long, env = "WATCHTOWER_CA_CERT", global = true)]
    ca_cert: Option<PathBuf>,
    /// How long a call may take: 90, 90s, 5m…
    #[arg(long, default_value = "10s", value_parser = duration, global = true)]
    timeout: Duration,
}

impl Connection {
    fn client(&self) -> anyhow::Result<Client> {
        let password = match &self.password {
            Some(password) => password.clone(),
            None => std::fs::read_to_string("data/password")
                .map(|text| text.trim().to_owned())
                .context("no password: give --password or $WATCHTOWER_PASSWORD")?,
        };
        let mut builder = Client::builder(&self.url, password)
            .timeout(self.timeout)
            .user_agent(crate::monitor::pings::CLI_USER_AGENT);
        if let Some(path) = &self.ca_cert {
            let pem = std::fs::read(path)
                .with_context(|| format!("--ca-cert: cannot read {}", path.display()))?;
            builder = builder.ca_certificate_pem(pem);
        }
        Ok(builder.build()?)
    }
}

/// A duration as people write it: `90`, `90s`, `5m`, `2h`, `1d`.
pub fn duration(text: &str) -> Result<Duration, String> {
    parse_duration(text)
}

/// `TYPE:TARGET`, e.g. `mail:ops@example.com` or `webhook:ops`.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertRoute {
    kind: String,
    target: String,
}

fn alert_route(text: &str) -> Result<AlertRoute, String> {
    match text.split_once(':') {
        Some((kind, target)) if !kind.is_empty() && !target.is_empty() => Ok(AlertRoute {
            kind: kind.to_owned(),
            target: target.to_owned(),
        }),
        _ => Err(format!(
            "`{text}` is not TYPE:TARGET, e.g. mail:ops@example.com"
        )),
    }
}

fn level(text: &str) -> Result<Level, String> {
    text.parse()
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StatusArg {
    Up,
    Late,
    Dead,
    Paused,
    New,
}

impl From<StatusArg> for Status {
    fn from(status: StatusArg) -> Self {
        match status {
            StatusArg::Up => Self::Up,
            StatusArg::Late => Self::Late,
            StatusArg::Dead => Self::Dead,
            StatusArg::Paused => Self::Paused,
            StatusArg::New => Self::New,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OrderArg {
    Asc,
    Desc,
}

#[derive(Subcommand, Debug)]
pub enum ClientCommand {
    /// Pulse a service: it is alive and pulses again within --next-in, or at the
    /// next time of --schedule.
    Pulse {
        service: String,
        #[command(flatten)]
        timing: Timing,
        /// Where its alerts go, TYPE:TARGET; default: as its last pulse said.
        #[arg(long, value_parser = alert_route)]
        alert: Option<AlertRoute>,
        /// Re-alert this often while it stays dead (0: never).
        #[arg(long, value_parser = duration)]
        remind_every: Option<Duration>,
        /// The service this one depends on.
        #[arg(long)]
        depends_on: Option<String>,
    },
    /// Stop monitoring a service.
    Cancel { service: String },
    /// Pause a service: no deaths and no alerts until it pulses or is resumed.
    Pause { service: String },
    /// Resume a paused service, due again after its interval (or at its
    /// schedule's next time) plus its grace.
    Resume { service: String },
    /// Create, list and revoke API keys (with an admin credential).
    Keys {
        #[command(subcommand)]
        action: keys::KeysCommand,
    },
    /// Show who the credential is (the password, a key) and what its scope allows.
    Whoami,
    /// List alerts, newest first, and how they fared (sent, pending a retry and
    /// why, given up, kept back by the policy).
    Alerts {
        /// Only this service's alerts.
        #[arg(long)]
        service: Option<String>,
        /// pending, sent, failed, cancelled, suppressed, digested, or failing
        /// (pending after a failed attempt).
        #[arg(long)]
        state: Option<String>,
        /// At most this many (1 to 1000).
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// A table for people, or JSON or CSV for programs.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Reconcile the services declared in FILE (JSON: a list of what
    /// `PUT /services/{name}` takes, with `service`): print the plan, then create
    /// and change them (and, with --prune, cancel those not listed). Safe to
    /// repeat: a second run changes nothing.
    Apply {
        /// The file of declared services.
        file: PathBuf,
        /// Print the plan and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also cancel every service (that the credential sees) not in the file.
        #[arg(long)]
        prune: bool,
    },
    /// Send a test alert now to TYPE:TARGET (each channel of a route), to check
    /// that alerts arrive; fails with the channel's error when one did not take it.
    TestAlert {
        #[arg(value_parser = alert_route)]
        alert: AlertRoute,
    },
    /// Explain a cron expression before it goes into a job: in words, with its
    /// next times in its zone and in UTC.
    Schedule {
        /// Five fields (minute hour day-of-month month day-of-week) or @daily…
        expression: String,
        /// The IANA time zone (Europe/Berlin); default UTC.
        #[arg(long)]
        tz: Option<String>,
        /// How many next times (1 to 20).
        #[arg(long, default_value_t = 5)]
        count: u32,
    },
    /// List what this server can alert: channels and their targets, routes and
    /// ping keys, by name (never a secret).
    Channels,
    /// List the monitored services, sorted by name.
    Services {
        /// Only services whose names start with this.
        #[arg(long)]
        prefix: Option<String>,
        /// Only these statuses, comma-separated: up, late, dead, paused, new.
        #[arg(long, value_delimiter = ',', value_enum)]
        status: Vec<StatusArg>,
        /// A table for people, or JSON or CSV for programs.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Record an event.
    Event {
        service: String,
        #[arg(value_parser = level)]
        level: Level,
        message: String,
        /// An attribute, NAME=VALUE (repeatable): `true`/`false` are booleans,
        /// numbers as JSON writes them are numbers, anything else is text.
        #[arg(long = "attr", value_name = "NAME=VALUE", value_parser = parse_attribute)]
        attributes: Vec<(String, AttributeValue)>,
    },
    /// List events, newest first, following the pages; or follow new ones live.
    Events {
        /// Only this service's events.
        #[arg(long)]
        service: Option<String>,
        /// This level or above.
        #[arg(long, value_parser = level)]
        level: Option<Level>,
        /// A case-insensitive substring of the message.
        #[arg(long)]
        message: Option<String>,
        /// Only events whose attribute NAME is VALUE (repeatable: all must match).
        #[arg(long = "attr", value_name = "NAME=VALUE", value_parser = parse_attribute)]
        attributes: Vec<(String, AttributeValue)>,
        /// At or after (RFC 3339).
        #[arg(long)]
        from: Option<chrono::DateTime<chrono::Utc>>,
        /// At or before (RFC 3339).
        #[arg(long)]
        to: Option<chrono::DateTime<chrono::Utc>>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Newest first (desc) or oldest first (asc).
        #[arg(long, value_enum, default_value_t = OrderArg::Desc)]
        order: OrderArg,
        /// Keep printing new events as they are stored (until Ctrl-C).
        #[arg(long)]
        follow: bool,
        /// A table for people, or JSON or CSV for programs.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Run a command as a cron job: signal its start (a hung job shows as
    /// running, and each run is timed), pulse when it exits 0, and when it fails
    /// mark the service dead at once, its exit status and the tail of its output
    /// as the event. Exits with the command's own status.
    Run {
        /// The service the job pulses as.
        #[arg(long)]
        service: String,
        #[command(flatten)]
        timing: Timing,
        /// Where its alerts go, TYPE:TARGET (mail:ops@example.com, webhook:ops);
        /// default: as its last pulse said.
        #[arg(long, value_parser = alert_route)]
        alert: Option<AlertRoute>,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
}

/// Runs a client command; returns the process's exit code.
pub fn execute(command: ClientCommand, connection: &Connection) -> anyhow::Result<i32> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let client = connection.client()?;
    runtime.block_on(async move {
        match command {
            ClientCommand::Run {
                service,
                timing,
                alert,
                command,
            } => run::run(&client, &service, &timing, alert, &command).await,
            other => other_command(&client, other).await.map(|()| 0),
        }
    })
}

async fn other_command(client: &Client, command: ClientCommand) -> anyhow::Result<()> {
    let mut out = output::Printer::stdout();
    match command {
        ClientCommand::Pulse {
            service,
            timing,
            alert,
            remind_every,
            depends_on,
        } => {
            let mut pulse = pulse_of(client, &service, &timing, alert).await?;
            if let Some(every) = remind_every {
                pulse = pulse.remind_every(every);
            }
            if let Some(parent) = depends_on {
                pulse = pulse.depends_on(parent);
            }
            let answer = client.pulse(&pulse).await?;
            out.services(&[answer], Format::Table)?;
        }
        ClientCommand::Cancel { service } => {
            let removed = client.cancel(&service).await?;
            out.line(&format!("cancelled {}", removed.service))?;
        }
        ClientCommand::Pause { service } => {
            let paused = client.pause(&service).await?;
            out.services(&[paused], Format::Table)?;
        }
        ClientCommand::Resume { service } => {
            let resumed = client.resume(&service).await?;
            out.services(&[resumed], Format::Table)?;
        }
        ClientCommand::Schedule {
            expression,
            tz,
            count,
        } => console::explain(client, &expression, tz.as_deref(), count, &mut out).await?,
        ClientCommand::Channels => console::channels(client, &mut out).await?,
        ClientCommand::Services {
            prefix,
            status,
            format,
        } => {
            let mut query = ServiceQuery::new();
            query.prefix = prefix;
            query.statuses = status.into_iter().map(Status::from).collect();
            out.services(&client.services_matching(&query).await?, format)?
        }
        ClientCommand::Keys { action } => keys::run(client, action, &mut out).await?,
        ClientCommand::Apply {
            file,
            dry_run,
            prune,
        } => apply::run(client, &file, dry_run, prune, &mut out).await?,
        ClientCommand::Whoami => keys::whoami(client, &mut out).await?,
        ClientCommand::Alerts {
            service,
            state,
            limit,
            format,
        } => {
            let alerts = client
                .alerts(service.as_deref(), state.as_deref(), Some(limit))
                .await?;
            out.alerts(&alerts, format)?;
        }
        ClientCommand::TestAlert { alert } => {
            for delivered in client.test_alert(&alert.kind, &alert.target).await? {
                out.line(&format!("test alert delivered to {delivered}"))?;
            }
        }
        ClientCommand::Event {
            service,
            level,
            message,
            attributes,
        } => {
            let attributes = attributes.into_iter().collect();
            let event = (client.add_event_with(&service, level, &message, &attributes)).await?;
            out.events(&[event], Format::Table)?;
        }
        ClientCommand::Events {
            service,
            level,
            message,
            attributes,
            from,
            to,
            limit,
            order,
            follow,
            format,
        } => {
            let mut query = EventQuery::new();
            query.service = service;
            query.min_level = level;
            query.message = message;
            query.attributes = attributes;
            query.from = from;
            query.to = to;
            query.order = match order {
                OrderArg::Asc => Order::Asc,
                OrderArg::Desc => Order::Desc,
            };
            if follow {
                let mut live = std::pin::pin!(client.follow_events(&query).await?);
                out.start_events(format)?;
                while let Some(event) = live.try_next().await? {
                    out.event(&event, format)?;
                }
                return Ok(());
            }
            query.limit = Some(limit.clamp(1, 10_000) as u32);
            let events: Vec<_> = client.all_events(query).take(limit).try_collect().await?;
            out.events(&events, format)?;
        }
        ClientCommand::Run { .. } => unreachable!("handled by execute"),
    }
    Ok(())
}
