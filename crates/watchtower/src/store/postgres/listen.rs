//! The live feed, cluster-wide: a trigger announces each insert statement's events
//! with `NOTIFY` (delivered at commit, so only durable events), and every node
//! listens, reads the announced rows, and publishes them to its own subscribers.

use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;
use tokio_postgres_rustls::MakeRustlsConnect;
use tokio_util::sync::CancellationToken;

use super::PgError;
use super::events::announced;
use crate::events::Feed;

pub const CHANNEL: &str = "wt_events";
/// The pause before reconnecting after the listening connection was lost.
const RECONNECT: Duration = Duration::from_secs(1);

/// Listens until `stop`, reconnecting whenever the connection drops.
pub async fn run(
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    feed: Feed,
    stop: CancellationToken,
) {
    loop {
        match listen(&config, &tls, &feed, &stop).await {
            Ok(()) => return,
            Err(error) => {
                tracing::warn!(%error, "the live event feed lost its database connection; reconnecting")
            }
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(RECONNECT) => {}
        }
    }
}

async fn listen(
    config: &tokio_postgres::Config,
    tls: &MakeRustlsConnect,
    feed: &Feed,
    stop: &CancellationToken,
) -> Result<(), PgError> {
    let (client, mut connection) = config.connect(tls.clone()).await?;
    let (notices, mut inbox) = mpsc::unbounded_channel();
    // The connection delivers notifications only while it is polled.
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(notice)) => {
                    if notices.send(notice.payload().to_owned()).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::debug!(%error, "live feed connection closed");
                    return;
                }
            }
        }
    });
    let result = async {
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        loop {
            let payload = tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                payload = inbox.recv() => payload,
            };
            let Some(payload) = payload else {
                return Err(PgError::Corrupt("the listening connection closed".into()));
            };
            if !feed.is_watched() {
                continue;
            }
            let Some((xid, first, last)) = parse(&payload) else {
                tracing::warn!(payload, "unreadable event announcement");
                continue;
            };
            feed.publish(announced(&client, xid, first, last).await?);
        }
    }
    .await;
    driver.abort();
    result
}

/// `xid,first,last`, as the trigger writes it.
fn parse(payload: &str) -> Option<(&str, i64, i64)> {
    let mut parts = payload.split(',');
    let xid = parts.next()?;
    let first = parts.next()?.parse().ok()?;
    let last = parts.next()?.parse().ok()?;
    Some((xid, first, last))
}
