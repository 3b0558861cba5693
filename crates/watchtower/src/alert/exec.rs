//! Exec alerts: runs a command named in the config (never one a client sends),
//! without a shell, with the alert in its environment and as JSON on its stdin.
//! Its exit status says whether the alert went out.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use async_trait::async_trait;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

use super::channel::{Channel, Named, TargetForm};
use super::redact::Redactor;
use super::{QueuedAlert, SendError};
use crate::config::{ExecCommand, ExecConfig};
use crate::field::InvalidField;
use crate::time::Timestamp;

/// `EX_TEMPFAIL` from sysexits.h: the command asks to be run again later.
const EX_TEMPFAIL: i32 = 75;
/// How much of a failed command's stderr its error quotes, in characters.
const STDERR_QUOTED: usize = 300;
/// Bytes of stderr kept to quote from (enough for the characters above in any UTF-8).
const STDERR_KEPT: usize = 4 * STDERR_QUOTED;

pub struct Exec {
    commands: Named<ExecCommand>,
    timeout: Duration,
}

impl Exec {
    pub fn new(config: &ExecConfig, timeout: Duration) -> Self {
        Self {
            commands: Named::new("exec command", config.commands.clone()),
            timeout,
        }
    }

    /// The command's own limit, else the default; the config checked it is positive.
    fn limit(&self, command: &ExecCommand) -> Duration {
        command
            .timeout
            .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
            .unwrap_or(self.timeout)
    }
}

/// The command, ready to spawn: argv from the config, the alert in the environment.
fn prepare(command: &ExecCommand, alert: &QueuedAlert, title: &str, message: &str) -> Command {
    let (program, args) = command
        .command
        .split_first()
        .map_or(("", &[][..]), |(program, args)| (program.as_str(), args));
    let mut process = Command::new(program);
    process
        .args(args)
        // The server's environment is passed on (PATH, HOME…), but not the
        // password its own CLI may read.
        .env_remove("WATCHTOWER_PASSWORD")
        .env("WATCHTOWER_ALERT_ID", alert.id.to_string())
        .env("WATCHTOWER_KIND", alert.kind.as_str())
        .env("WATCHTOWER_SERVICE", alert.service.as_str())
        .env("WATCHTOWER_STATUS", alert.status())
        .env("WATCHTOWER_TITLE", title)
        .env("WATCHTOWER_MESSAGE", message)
        .env("WATCHTOWER_DOWN_SINCE", alert.down_since.to_rfc3339())
        .stdin(Stdio::piped())
        // Captured, never the server's own streams: a chatty command must not
        // garble the server's log.
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A send abandoned (the dispatcher's own timeout, shutdown) kills the command.
        .kill_on_drop(true);
    if let Some(dir) = &command.dir {
        process.current_dir(dir);
    }
    process
}

/// Reads `stream` to its end, keeping the first `keep` bytes: a command that
/// writes more than a pipe holds must not block on a reader that stopped.
async fn drain(stream: Option<impl AsyncRead + Unpin>, keep: usize) -> Vec<u8> {
    let mut kept = Vec::new();
    let Some(mut stream) = stream else {
        return kept;
    };
    let mut buffer = [0u8; 8192];
    while let Ok(read @ 1..) = stream.read(&mut buffer).await {
        let room = keep.saturating_sub(kept.len());
        kept.extend_from_slice(&buffer[..read.min(room)]);
    }
    kept
}

/// Sorts how the command ended into sent, retry, or give up.
fn judge(status: ExitStatus, stderr: &[u8]) -> Result<(), SendError> {
    let quoted: String = String::from_utf8_lossy(stderr)
        .trim()
        .chars()
        .take(STDERR_QUOTED)
        .collect();
    let detail = if quoted.is_empty() {
        String::new()
    } else {
        format!(": {quoted}")
    };
    match status.code() {
        Some(0) => Ok(()),
        Some(EX_TEMPFAIL) => Err(SendError::Transient(format!(
            "the command exited with {EX_TEMPFAIL} (try again later){detail}"
        ))),
        _ => Err(SendError::Permanent(format!(
            "the command failed ({status}){detail}"
        ))),
    }
}

#[async_trait]
impl Channel for Exec {
    fn validate(&self, target: &str) -> Result<(), InvalidField> {
        self.commands.validate(target)
    }

    fn target_form(&self) -> TargetForm {
        self.commands.form()
    }

    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        let name = &alert.route.target;
        let command = self.commands.get(name)?;
        let notice = alert.notice(now);
        // The webhook's payload, field for field, so that one script can serve both.
        let payload = super::webhook::Payload::of(alert, &notice);
        let input = serde_json::to_vec(&payload).expect("an alert always serialises");
        let mut child = prepare(command, alert, &notice.title, &notice.message)
            .spawn()
            .map_err(|error| {
                // Only the program is named: its arguments may hold secrets.
                let program = command.command.first().map_or("", String::as_str);
                let problem = format!("exec command `{name}` cannot run `{program}`: {error}");
                match error.kind() {
                    // Another try may find the resources this one lacked.
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::OutOfMemory => {
                        SendError::Transient(problem)
                    }
                    _ => SendError::Permanent(problem),
                }
            })?;
        let (stdin, stdout, stderr) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let feed = async move {
            if let Some(mut stdin) = stdin {
                // A command that ignores its stdin may exit before reading it all.
                let _ = stdin.write_all(&input).await;
            } // Dropped here: the command sees the end of its input.
        };
        let run = async {
            let ((), _, stderr, status) = tokio::join!(
                feed,
                drain(stdout, 0),
                drain(stderr, STDERR_KEPT),
                child.wait()
            );
            (status, stderr)
        };
        let limit = self.limit(command);
        match tokio::time::timeout(limit, run).await {
            Ok((Ok(status), stderr)) => {
                let stderr = arguments(command).apply(&String::from_utf8_lossy(&stderr));
                judge(status, stderr.as_bytes())
                    .map_err(|error| prefix(error, &format!("exec command `{name}`: ")))
            }
            Ok((Err(error), _)) => Err(SendError::Transient(format!(
                "exec command `{name}`: cannot wait for it: {error}"
            ))),
            Err(_) => {
                // Killed and reaped now, so that no run outlives its attempt.
                let _ = child.kill().await;
                Err(SendError::Transient(format!(
                    "exec command `{name}` ran longer than {limit:?} and was killed"
                )))
            }
        }
    }
}

/// The command's arguments, which may hold secrets: a command that prints them
/// on stderr must not have them quoted in the log or an event.
fn arguments(command: &ExecCommand) -> Redactor {
    command
        .command
        .iter()
        .skip(1)
        .fold(Redactor::new(), |redactor, argument| {
            let redactor = redactor.secret(argument);
            match reqwest::Url::parse(argument) {
                Ok(url) if url.has_host() => redactor.url(&url),
                _ => redactor,
            }
        })
}

fn prefix(error: SendError, text: &str) -> SendError {
    match error {
        SendError::Permanent(problem) => SendError::Permanent(format!("{text}{problem}")),
        SendError::Transient(problem) => SendError::Transient(format!("{text}{problem}")),
    }
}

// Exit statuses are built from raw wait statuses, as on Unix.
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    fn exited(code: i32) -> ExitStatus {
        ExitStatus::from_raw(code << 8)
    }

    #[test]
    fn the_exit_status_decides_between_sent_retry_and_give_up() {
        assert_eq!(judge(exited(0), b"ignored"), Ok(()));
        assert!(matches!(
            judge(exited(75), b""),
            Err(SendError::Transient(_))
        ));
        let Err(SendError::Permanent(error)) = judge(exited(1), b"  no route\n") else {
            panic!("exit 1 is permanent");
        };
        assert!(error.ends_with("(exit status: 1): no route"), "{error}");
        // Killed by a signal (SIGSEGV): the command is broken, not busy.
        assert!(matches!(
            judge(ExitStatus::from_raw(11), b""),
            Err(SendError::Permanent(_))
        ));
    }

    #[test]
    fn only_the_start_of_stderr_is_quoted() {
        let Err(SendError::Permanent(error)) = judge(exited(2), "é".repeat(1000).as_bytes())
        else {
            panic!("exit 2 is permanent");
        };
        assert_eq!(error.chars().filter(|c| *c == 'é').count(), STDERR_QUOTED);
    }

    #[tokio::test]
    async fn a_program_that_cannot_run_is_a_permanent_failure_naming_only_the_program() {
        let command = ExecCommand {
            command: vec!["/nonexistent/pager".into(), "s3cret-token".into()],
            timeout: None,
            dir: None,
        };
        let config = ExecConfig {
            commands: [("ops".to_owned(), command)].into(),
        };
        let exec = Exec::new(&config, Duration::from_secs(1));
        let alert = crate::alert::pagerduty::tests::alert(crate::alert::AlertKind::Down);
        let Err(SendError::Permanent(error)) = exec.send(&alert, alert.created).await else {
            panic!("no such program is permanent");
        };
        assert!(error.contains("cannot run `/nonexistent/pager`"), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
    }

    #[test]
    fn arguments_are_hidden_whole_and_in_the_parts_of_a_url() {
        let command = ExecCommand {
            command: vec![
                "/usr/bin/curl".into(),
                "-d".into(),
                "--header=X-Token: tok-s3cret".into(),
                "https://pager.example/hook/path-s3cret?k=query-s3cret".into(),
            ],
            timeout: None,
            dir: None,
        };
        let stderr = "/usr/bin/curl -d: failed --header=X-Token: tok-s3cret \
                      to /hook/path-s3cret?k=query-s3cret (query-s3cret)";
        let quoted = arguments(&command).apply(stderr);
        assert!(!quoted.contains("s3cret"), "{quoted}");
        assert!(quoted.starts_with("/usr/bin/curl -d: failed"), "{quoted}");
    }

    #[tokio::test]
    async fn drain_keeps_the_start_and_reads_to_the_end() {
        let data = vec![b'x'; 100_000];
        assert_eq!(drain(Some(&data[..]), 10).await, vec![b'x'; 10]);
        assert!(drain(None::<&[u8]>, 10).await.is_empty());
    }
}
