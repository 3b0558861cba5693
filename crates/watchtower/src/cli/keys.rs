//! `watchtower keys create|list|revoke`: API keys, for an admin credential.

use clap::Subcommand;
use watchtower_client::{ApiKey, Client, KeyRequest};

use super::output::{Format, Printer};

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a key and print its secret, which is shown this once.
    Create {
        name: String,
        /// read (every read), ingest (pulses and events only), write (ingest, cancel
        /// and snooze) or admin (everything, keys included).
        #[arg(long)]
        scope: String,
        /// Only services whose names start with it.
        #[arg(long)]
        prefix: Option<String>,
        /// How long it works: 90d, 12h…; default: until revoked.
        #[arg(long)]
        expires: Option<String>,
    },
    /// List the keys, live and revoked, without their secrets.
    List {
        /// A table for people, or JSON or CSV for programs.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Revoke a key: every node refuses it within a second.
    Revoke { name: String },
}

/// `watchtower whoami`: the credential's name, kind, scope and prefix.
pub async fn whoami(client: &Client, out: &mut Printer) -> anyhow::Result<()> {
    let identity = client.whoami().await?;
    let prefix = identity
        .prefix
        .map(|prefix| format!(", services starting with `{prefix}`"))
        .unwrap_or_default();
    out.line(&format!(
        "{} {} (scope {}{prefix}): may {}",
        identity.kind,
        identity.name,
        identity.scope,
        identity.may.join(", ")
    ))?;
    Ok(())
}

pub async fn run(client: &Client, command: KeysCommand, out: &mut Printer) -> anyhow::Result<()> {
    match command {
        KeysCommand::Create {
            name,
            scope,
            prefix,
            expires,
        } => {
            let request = KeyRequest {
                name,
                scope,
                prefix,
                expires_in: expires,
            };
            let created = client.create_key(&request).await?;
            out.line(&format!(
                "created key {} ({}); its secret, shown this once:",
                created.key.name, created.key.scope
            ))?;
            out.line(&created.secret)?;
        }
        KeysCommand::List { format } => print(out, &client.keys().await?, format)?,
        KeysCommand::Revoke { name } => {
            let key = client.revoke_key(&name).await?;
            out.line(&format!("revoked key {}", key.name))?;
        }
    }
    Ok(())
}

fn print(out: &mut Printer, keys: &[ApiKey], format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        out.line(&serde_json::to_string_pretty(keys)?)?;
        return Ok(());
    }
    let date = |d: &Option<chrono::DateTime<chrono::Utc>>| {
        d.map_or("-".to_owned(), |d| d.format("%Y-%m-%d %H:%M").to_string())
    };
    let rows = keys.iter().map(|key| {
        let state = match (key.revoked, key.expires) {
            (Some(_), _) => "revoked",
            (None, Some(expires)) if expires <= chrono::Utc::now() => "expired",
            _ => "live",
        };
        [
            key.name.clone(),
            key.scope.clone(),
            key.prefix.clone().unwrap_or_else(|| "-".into()),
            state.into(),
            date(&key.expires),
            date(&key.last_used),
        ]
    });
    let header = ["name", "scope", "prefix", "state", "expires", "lastUsed"].map(String::from);
    for row in std::iter::once(header).chain(rows) {
        let line = match format {
            Format::Csv => row.join(","),
            _ => format!(
                "{:<20} {:<7} {:<16} {:<8} {:<17} {}",
                row[0], row[1], row[2], row[3], row[4], row[5]
            ),
        };
        out.line(line.trim_end())?;
    }
    Ok(())
}
