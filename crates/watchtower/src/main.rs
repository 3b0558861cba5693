//! The `watchtower` binary: parse the command line, load the config, run.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use watchtower::app::{App, shutdown_signal};
use watchtower::cli::{self, ClientCommand, Connection};
use watchtower::config::{Config, PasswordSource};
use watchtower::ops::{backup, healthcheck, restore};

/// jemalloc rather than glibc's allocator: glibc kept what closed connections
/// had used (10,000 idle connections left 146 MiB behind for good); jemalloc
/// hands it back within seconds, and pulses ran no slower (bench/README.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "watchtower",
    version,
    about = "Heartbeat monitoring and event aggregation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// The JSON config file; default: $WATCHTOWER_CONFIG, else config/config.json if it exists, else built-in defaults.
        #[arg(long, env = "WATCHTOWER_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Check a config file (default: as `serve` finds it) and exit non-zero naming
    /// the problem, without starting anything.
    CheckConfig {
        /// The JSON config file.
        file: Option<PathBuf>,
    },
    /// Ask the server that a config describes whether it is ready (`GET /readyz`);
    /// exit 0 if so, 1 if not. Docker's HEALTHCHECK runs it.
    Healthcheck {
        /// The JSON config file; found as `serve` finds it.
        #[arg(long, env = "WATCHTOWER_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Copy the SQLite database, while the server runs, into FILE (replaced if it
    /// exists): the database as it was at one moment, checked before it is kept.
    Backup {
        /// The JSON config file; found as `serve` finds it.
        #[arg(long, env = "WATCHTOWER_CONFIG")]
        config: Option<PathBuf>,
        /// The backup file to write.
        file: PathBuf,
        /// Copy at normal CPU priority rather than yielding to the server.
        #[arg(long)]
        full_speed: bool,
    },
    /// Replace the SQLite database with the backup FILE, once checked; the
    /// server must be stopped. The replaced database is kept beside it.
    Restore {
        /// The JSON config file; found as `serve` finds it.
        #[arg(long, env = "WATCHTOWER_CONFIG")]
        config: Option<PathBuf>,
        /// The backup file to restore.
        file: PathBuf,
    },
    #[command(flatten)]
    Client(ClientCommand),
}

/// How long `healthcheck` waits for an answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The client commands print their own results; they log only problems.
    let default_filter = match cli.command {
        Command::Serve { .. } => "info",
        Command::CheckConfig { .. }
        | Command::Healthcheck { .. }
        | Command::Backup { .. }
        | Command::Restore { .. } => "warn",
        Command::Client(_) => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match cli.command {
        Command::Serve { config } => serve(config),
        Command::CheckConfig { file } => {
            let file = file.or_else(|| std::env::var_os("WATCHTOWER_CONFIG").map(PathBuf::from));
            report(watchtower::app::check_config(file.as_deref()))
        }
        Command::Healthcheck { config } => report(
            Config::load(config.as_deref())
                .and_then(|config| healthcheck::probe_url(&config))
                .and_then(|url| healthcheck::probe(&url, PROBE_TIMEOUT)),
        ),
        Command::Backup {
            config,
            file,
            full_speed,
        } => report(Config::load(config.as_deref()).and_then(|config| {
            let priority = match full_speed {
                true => backup::Priority::Normal,
                false => backup::Priority::Idle,
            };
            backup::backup(&config, &file, priority)
        })),
        Command::Restore { config, file } => report(
            Config::load(config.as_deref()).and_then(|config| restore::restore(&config, &file)),
        ),
        Command::Client(command) => {
            // A person or a script reads this: one line naming the problem, no backtrace.
            let code = cli::execute(command, &cli.connection).unwrap_or_else(|error| {
                // `watchtower events | head`: the reader has what it wanted.
                let closed = error.chain().any(|cause| {
                    cause
                        .downcast_ref::<std::io::Error>()
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
                });
                if !closed {
                    eprintln!("watchtower: {error:#}");
                }
                i32::from(!closed)
            });
            std::process::exit(code)
        }
    }
}

/// For scripts and people: what was done on stdout, or the problem on one line
/// (no backtrace) and exit status 1.
fn report(result: anyhow::Result<String>) -> anyhow::Result<()> {
    match result {
        Ok(done) => println!("{done}"),
        Err(error) => {
            eprintln!("watchtower: {error:#}");
            std::process::exit(1);
        }
    }
    Ok(())
}

fn serve(config: Option<PathBuf>) -> anyhow::Result<()> {
    let config = Config::load(config.as_deref())?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let app = App::build(config).await?;
        // Before the server says where it listens: from then on a signal stops it cleanly.
        let stop = shutdown_signal();
        let password_file = || "the `password` file in the data directory";
        match (app.password_source(), app.generated_password()) {
            (PasswordSource::Generated, Some(password)) => {
                println!(
                    "Generated the API password (kept in {}): {password}",
                    password_file()
                );
            }
            (PasswordSource::File, _) => println!("API password: as kept in {}", password_file()),
            _ => {}
        }
        println!("watchtower listening on {}", app.url());
        app.run_until_stopped(stop).await
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// `--help` says what every command and every option is for.
    #[test]
    fn every_command_and_option_says_what_it_is_for() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for sub in command.get_subcommands() {
                let path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() {
                    missing.push(path.clone());
                }
                walk(sub, &path, missing);
            }
            for arg in command.get_arguments() {
                let named = arg.get_long().is_some();
                let builtin = ["help", "version"].contains(&arg.get_id().as_str());
                if named && !builtin && arg.get_help().is_none() {
                    missing.push(format!("{path} --{}", arg.get_id()));
                }
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "watchtower", &mut missing);
        assert!(missing.is_empty(), "undocumented: {missing:?}");
    }
}
