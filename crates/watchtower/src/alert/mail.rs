//! Mail alerts over SMTP (lettre), plain text.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;

use lettre::message::Mailbox;
use lettre::message::header::{ContentType, MIME_VERSION_1_0};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::channel::{Channel, TargetForm};
use super::redact::Redactor;
use super::{QueuedAlert, SendError};
use crate::config::{MailConfig, MailSecurity};
use crate::field::InvalidField;
use crate::time::Timestamp;

pub struct Mail {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The SMTP password, which no error may quote.
    redactor: Redactor,
}

/// TLS that trusts `ca_file` besides the system's roots.
fn private_ca_tls(host: &str, ca_file: &Path) -> anyhow::Result<TlsParameters> {
    let pem = std::fs::read(ca_file).context("cannot read the file")?;
    let certificate = Certificate::from_pem(&pem).context("not a PEM certificate")?;
    Ok(TlsParameters::builder(host.to_owned())
        .add_root_certificate(certificate)
        .build_rustls()?)
}

impl Mail {
    pub fn new(config: &MailConfig, timeout: Duration) -> anyhow::Result<Self> {
        type Smtp = AsyncSmtpTransport<Tokio1Executor>;
        let (builder, default_port) = match config.security {
            MailSecurity::None => (Smtp::builder_dangerous(&config.host), 25),
            MailSecurity::Starttls => (Smtp::starttls_relay(&config.host)?, 587),
            MailSecurity::Tls => (Smtp::relay(&config.host)?, 465),
        };
        let mut builder = builder
            .port(config.port.unwrap_or(default_port))
            .timeout(Some(timeout));
        if let Some(path) = &config.ca_cert {
            let tls = private_ca_tls(&config.host, path)
                .with_context(|| format!("mail.caCert: {}", path.display()))?;
            builder = match config.security {
                MailSecurity::None => {
                    anyhow::bail!("mail.caCert: needs mail.security `starttls` or `tls`")
                }
                MailSecurity::Starttls => builder.tls(Tls::Required(tls)),
                MailSecurity::Tls => builder.tls(Tls::Wrapper(tls)),
            };
        }
        if let Some(username) = &config.username {
            let password = config
                .password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(username.clone(), password));
        }
        let password = config.password.as_ref().map_or("", |p| p.expose());
        Ok(Self {
            transport: builder.build(),
            from: config.from.parse()?,
            redactor: Redactor::new().secret(password),
        })
    }
}

#[async_trait]
impl Channel for Mail {
    fn validate(&self, target: &str) -> Result<(), InvalidField> {
        target.parse::<lettre::Address>().map(|_| ()).map_err(|_| {
            InvalidField::new(
                "alertTarget",
                format!("`{target}` is not an e-mail address"),
            )
        })
    }

    fn target_form(&self) -> TargetForm {
        TargetForm::Email
    }

    async fn send(&self, alert: &QueuedAlert, now: Timestamp) -> Result<(), SendError> {
        let to: Mailbox = alert
            .route
            .target
            .parse()
            .map_err(|error| SendError::Permanent(format!("bad recipient: {error}")))?;
        let notice = alert.notice(now);
        // `Date` is the builder's own: the moment the message is made.
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!("[watchtower] {}", notice.title))
            .message_id(Some(message_id(alert, &self.from)))
            .header(MIME_VERSION_1_0)
            .header(ContentType::TEXT_PLAIN)
            .body(notice.message)
            .map_err(|error| SendError::Permanent(format!("cannot build the message: {error}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) => {
                let said = format!("SMTP: {}", self.redactor.apply(&error.to_string()));
                match error.is_permanent() {
                    true => Err(SendError::Permanent(said)),
                    false => Err(SendError::Transient(said)),
                }
            }
        }
    }
}

/// The alert's `Message-ID`, in the domain of the sender's address, as spam
/// filters expect. The same on every attempt, so that a mail that got through
/// although its answer was lost is a duplicate that mail clients drop; the
/// queueing time keeps ids apart when a fresh database numbers alerts from 1 again.
fn message_id(alert: &QueuedAlert, from: &Mailbox) -> String {
    format!(
        "<watchtower.{}.{}@{}>",
        alert.id,
        alert.created.as_millis(),
        from.email.domain()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_id_is_the_alerts_in_the_senders_domain() {
        let alert = crate::alert::pagerduty::tests::alert(crate::alert::AlertKind::Down);
        let from: Mailbox = "Watchtower <wt@mail.example.org>".parse().unwrap();
        assert_eq!(
            message_id(&alert, &from),
            "<watchtower.7.1700000061000@mail.example.org>"
        );
    }
}
