//! `watchtower run`: a cron wrapper. Signals the run's start (so that a hung
//! job shows as running, and each run is timed), runs the command with its
//! output passed through, keeps the tail of it, then pulses on success or, on
//! failure, marks the service dead at once with that tail as its event. It exits
//! with the command's own status whatever the server said (an unreachable server
//! is reported on stderr, never hides the job's result).

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use watchtower_client::{Client, Level};

use super::pulse::pulse_of;
use super::{AlertRoute, Timing};
use crate::time::human_duration;

/// The output an event quotes at most: the last lines, within a byte budget.
const TAIL_LINES: usize = 20;
const TAIL_BYTES: usize = 4096;

pub async fn run(
    client: &Client,
    service: &str,
    timing: &Timing,
    alert: Option<AlertRoute>,
    command: &[String],
) -> anyhow::Result<i32> {
    let started = Instant::now();
    // The settings are read once (the service's own, without --alert): the
    // start and the final pulse say the same.
    let pulse = match pulse_of(client, service, timing, alert).await {
        Ok(pulse) => Some(pulse),
        Err(error) => {
            eprintln!("watchtower run: cannot signal the start: {error:#}");
            None
        }
    };
    if let Some(pulse) = &pulse
        && let Err(error) = client.start(pulse).await
    {
        eprintln!("watchtower run: the start signal failed: {error}");
    }
    let (program, args) = command.split_first().expect("clap requires a command");
    let child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => {
            let message = format!("`{}` could not start: {error}", command.join(" "));
            eprintln!("watchtower run: {message}");
            report_failure(client, service, &message).await;
            return Ok(127);
        }
    };
    let tail = Arc::new(Mutex::new(Tail::default()));
    let out = tokio::spawn(pass_through(
        child.stdout.take().expect("piped"),
        tokio::io::stdout(),
        tail.clone(),
    ));
    let err = tokio::spawn(pass_through(
        child.stderr.take().expect("piped"),
        tokio::io::stderr(),
        tail.clone(),
    ));
    let status = child.wait().await?;
    let _ = out.await;
    let _ = err.await;
    let took = human_duration(started.elapsed());
    let code = exit_code(&status);
    if status.success() {
        // Without settings at the start (the server unreachable), asked again.
        let pulse = match pulse {
            Some(pulse) => Ok(pulse),
            None => pulse_of(client, service, timing, None).await,
        };
        let pulsed = match pulse {
            Ok(pulse) => client
                .pulse(&pulse)
                .await
                .map(|_| ())
                .map_err(anyhow::Error::from),
            Err(error) => Err(error),
        };
        if let Err(error) = pulsed {
            eprintln!("watchtower run: the command succeeded, but the pulse failed: {error:#}");
        }
        return Ok(code);
    }
    let tail = tail.lock().unwrap_or_else(|p| p.into_inner()).text();
    let mut message = format!(
        "`{}` failed: {} after {took}",
        command.join(" "),
        describe(&status)
    );
    if !tail.is_empty() {
        message.push_str("\n--- last output ---\n");
        message.push_str(&tail);
    }
    report_failure(client, service, &message).await;
    Ok(code)
}

/// Marks the service dead at once with `message` as its event; a service the
/// server does not know (its start could not be sent) gets the event alone.
async fn report_failure(client: &Client, service: &str, message: &str) {
    let reported = match client.fail(service, message).await {
        Err(watchtower_client::Error::NotFound { .. }) => client
            .add_event(service, Level::Error, message)
            .await
            .map(|_| ()),
        other => other.map(|_| ()),
    };
    if let Err(error) = reported {
        eprintln!("watchtower run: could not report the failure: {error}");
    }
}

/// The shell's convention: the exit status, or 128 + the signal that killed it.
fn exit_code(status: &std::process::ExitStatus) -> i32 {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(status) {
        return 128 + signal;
    }
    status.code().unwrap_or(1)
}

fn describe(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(status) {
        return format!("killed by signal {signal}");
    }
    format!("exit status {}", status.code().unwrap_or(-1))
}

/// Copies the child's output to ours as it comes, keeping its tail.
async fn pass_through(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    tail: Arc<Mutex<Tail>>,
) {
    let mut buffer = [0u8; 8192];
    while let Ok(read) = from.read(&mut buffer).await {
        if read == 0 {
            break;
        }
        let _ = to.write_all(&buffer[..read]).await;
        let _ = to.flush().await;
        tail.lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(&buffer[..read]);
    }
}

/// The last bytes of the output (stdout and stderr interleaved as they came).
#[derive(Default)]
struct Tail(VecDeque<u8>);

impl Tail {
    fn push(&mut self, bytes: &[u8]) {
        self.0.extend(bytes);
        let excess = self.0.len().saturating_sub(TAIL_BYTES * 2);
        self.0.drain(..excess);
    }

    fn text(&self) -> String {
        let bytes: Vec<u8> = self.0.iter().copied().collect();
        let text = String::from_utf8_lossy(&bytes).replace('\0', "");
        let lines: Vec<&str> = text.trim_end().lines().collect();
        let mut kept = lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n");
        if kept.len() > TAIL_BYTES {
            let cut = kept.len() - TAIL_BYTES;
            let start = (cut..kept.len())
                .find(|i| kept.is_char_boundary(*i))
                .unwrap_or(kept.len());
            kept = format!("…{}", &kept[start..]);
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_keeps_the_last_lines_within_a_budget() {
        let mut tail = Tail::default();
        for i in 0..100 {
            tail.push(format!("line {i}\n").as_bytes());
        }
        let text = tail.text();
        assert!(
            text.starts_with("line 80\n") && text.ends_with("line 99"),
            "{text}"
        );
        let mut long = Tail::default();
        long.push("é".repeat(10_000).as_bytes());
        let text = long.text();
        assert!(
            text.starts_with('…') && text.len() <= TAIL_BYTES + 3,
            "{}",
            text.len()
        );
    }
}
