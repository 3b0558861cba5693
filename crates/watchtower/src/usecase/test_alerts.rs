//! Test alerts: a message sent at once through a channel (or each channel of a
//! route), to check that alerts arrive, before a real outage finds out.

use crate::alert::{AlertDetails, AlertKind, QueuedAlert};
use crate::auth::Principal;
use crate::monitor::{AlertRoute, AlertType, ServiceName};
use crate::time::Timestamp;

use super::audit::AUDIT_SERVICE;
use super::{Error, Watchtower};

/// How one channel took a test alert.
#[derive(Clone, Debug, PartialEq)]
pub struct TestOutcome {
    pub route: AlertRoute,
    /// The channel's error when it did not take it.
    pub error: Option<String>,
}

impl Watchtower {
    /// Sends a test alert to `route` now, to each channel of a configured route
    /// in turn; never queued or retried: the answer is what each channel said.
    pub async fn test_alert(
        &self,
        route: AlertRoute,
        who: &Principal,
        now: Timestamp,
    ) -> Result<Vec<TestOutcome>, Error> {
        self.channels.validate(&route)?;
        let steps = match route.kind {
            AlertType::Route => self.channels.routes()[&route.target].clone(),
            _ => vec![route],
        };
        let service = ServiceName::parse("service", AUDIT_SERVICE)?;
        let mut outcomes = Vec::with_capacity(steps.len());
        for step in steps {
            let alert = QueuedAlert {
                id: 0,
                kind: AlertKind::Test,
                service: service.clone(),
                route: step.clone(),
                last_pulse: now,
                deadline: now,
                down_since: now,
                created: now,
                attempts: 0,
                details: AlertDetails {
                    requested_by: Some(who.describe()),
                    ..AlertDetails::default()
                },
            };
            let error = self.channels.send(&alert, now).await.err();
            if let Some(error) = &error {
                tracing::warn!(channel = step.kind.as_str(), target = %step.target, %error, "test alert failed");
            }
            outcomes.push(TestOutcome {
                route: step,
                error: error.map(|error| error.to_string()),
            });
        }
        Ok(outcomes)
    }
}
