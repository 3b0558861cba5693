//! Keeping a service alive from a background task.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::{Client, Error, Pulse, Result};

/// Pulses `pulse` every `every` on a tokio task until stopped. A failed pulse is
/// logged (`tracing`) and tried again at the next tick; the task never gives up.
///
/// ```no_run
/// # async fn demo(client: watchtower_client::Client) -> watchtower_client::Result<()> {
/// use std::time::Duration;
/// use watchtower_client::{Heartbeat, Pulse};
///
/// // Pulse every minute, announcing the next within three: one missed beat is tolerated.
/// let pulse = Pulse::new("worker", Duration::from_secs(180), "webhook", "ops");
/// let heartbeat = Heartbeat::start(client, pulse, Duration::from_secs(60))?.cancel_on_stop(true);
/// // … the service runs …
/// heartbeat.stop().await?; // cancels the service: a clean shutdown alerts nobody
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Heartbeat {
    client: Client,
    service: String,
    cancel_on_stop: bool,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// The server's shortest `nextIn`, in seconds (100 ms).
const MIN_NEXT_IN: f64 = 0.1;

/// What a heartbeat (async or blocking) checks before its first beat: a `next_in`
/// the server accepts, and beats that come before each deadline.
pub(crate) fn check_beat(pulse: &Pulse, every: Duration) -> Result<()> {
    let Some(next_in) = pulse.next_in else {
        return Err(Error::Config {
            message: "a heartbeat beats every so often: give its pulse a nextIn, not a schedule"
                .into(),
        });
    };
    if next_in.is_nan() || next_in < MIN_NEXT_IN {
        return Err(Error::Config {
            message: format!(
                "a heartbeat's nextIn must be at least 0.1 seconds (100 ms), not {next_in} s"
            ),
        });
    }
    if every.is_zero() || every.as_secs_f64() >= next_in {
        return Err(Error::Config {
            message: format!(
                "a heartbeat every {every:?} must be shorter than its pulse's nextIn ({next_in} s)"
            ),
        });
    }
    Ok(())
}

impl Heartbeat {
    /// Starts pulsing at once, then every `every`, which must be shorter than the
    /// pulse's `next_in` (or each beat would arrive after the deadline); `next_in`
    /// must be at least 0.1 s. Either mistake is an [`Error::Config`], before any beat.
    pub fn start(client: Client, pulse: Pulse, every: Duration) -> Result<Self> {
        check_beat(&pulse, every)?;
        let (stop, mut stopped) = watch::channel(false);
        let service = pulse.service.clone();
        let beating = client.clone();
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stopped.changed() => return,
                    _ = ticks.tick() => {}
                }
                if let Err(error) = beating.pulse(&pulse).await {
                    tracing::warn!(service = %pulse.service, %error, "heartbeat pulse failed; trying again at the next beat");
                }
            }
        });
        Ok(Self {
            client,
            service,
            cancel_on_stop: false,
            stop,
            task,
        })
    }

    /// Whether [`Heartbeat::stop`] also cancels the service, so that a clean
    /// shutdown pages nobody (default: no, the service's deadline still runs).
    pub fn cancel_on_stop(mut self, cancel: bool) -> Self {
        self.cancel_on_stop = cancel;
        self
    }

    /// Stops pulsing (waiting for a pulse under way) and, if asked, cancels the
    /// service. A service already unknown to the server counts as cancelled.
    pub async fn stop(self) -> Result<()> {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        if self.cancel_on_stop {
            match self.client.cancel(&self.service).await {
                Ok(_) | Err(Error::NotFound { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_in_must_be_at_least_a_tenth_of_a_second() {
        let client = Client::builder("http://127.0.0.1:9", "password")
            .build()
            .unwrap();
        let short = Pulse::new("x", Duration::from_millis(99), "webhook", "ops");
        let refused = Heartbeat::start(client, short, Duration::from_millis(20)).unwrap_err();
        assert_eq!(
            refused,
            Error::Config {
                message: "a heartbeat's nextIn must be at least 0.1 seconds (100 ms), not 0.099 s"
                    .into()
            }
        );
        let zero = Pulse::new("x", Duration::ZERO, "webhook", "ops");
        assert!(matches!(
            check_beat(&zero, Duration::from_millis(20)),
            Err(Error::Config { .. })
        ));
        let shortest = Pulse::new("x", Duration::from_millis(100), "webhook", "ops");
        assert_eq!(check_beat(&shortest, Duration::from_millis(50)), Ok(()));
    }
}
