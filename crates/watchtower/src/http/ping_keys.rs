//! The ping keys, looked up in constant time, and the bound on failed attempts:
//! a client that keeps guessing keys gets `429` for a minute.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::alert::Channels;
use crate::config::PingKeyConfig;
use crate::monitor::{AlertRoute, AlertType, NextIn, ServiceName};
use crate::usecase::PulseDefaults;

/// Failed attempts one address may make per window before it is refused.
const MAX_FAILURES: u32 = 10;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most; past it, the oldest windows are forgotten.
const MAX_TRACKED: usize = 10_000;

/// What a ping key allows.
#[derive(Clone, Debug)]
pub struct PingKey {
    pub name: String,
    pub service: Option<ServiceName>,
    pub next_in: NextIn,
    pub route: Option<AlertRoute>,
}

impl PingKey {
    /// What a pulse through this key takes for a service it names only.
    pub fn defaults(&self) -> PulseDefaults<'_> {
        PulseDefaults {
            ping_key: &self.name,
            next_in: self.next_in,
            route: self.route.as_ref(),
        }
    }
}

pub struct PingKeys {
    keys: Vec<([u8; 32], PingKey)>,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl PingKeys {
    pub fn from_config(
        config: &std::collections::BTreeMap<String, PingKeyConfig>,
        channels: &Channels,
    ) -> anyhow::Result<Self> {
        let keys = config
            .iter()
            .map(|(name, key)| {
                let at = |field: &str| format!("pingKeys.{name}.{field}");
                let route = match (&key.alert_type, &key.alert_target) {
                    (Some(kind), Some(target)) => {
                        let route = AlertRoute {
                            kind: AlertType::parse(kind).map_err(|e| {
                                anyhow::anyhow!("{}: {}", at("alertType"), e.problem)
                            })?,
                            target: target.clone(),
                        };
                        channels
                            .validate(&route)
                            .map_err(|e| anyhow::anyhow!("{}: {}", at(e.field), e.problem))?;
                        Some(route)
                    }
                    _ => None,
                };
                let service = key
                    .service
                    .as_deref()
                    .map(|name| ServiceName::parse("service", name))
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("{}: {}", at("service"), e.problem))?;
                let next_in = NextIn::parse(key.next_in)
                    .map_err(|e| anyhow::anyhow!("{}: {}", at("nextIn"), e.problem))?;
                let digest = Sha256::digest(key.key.expose().as_bytes()).into();
                Ok((
                    digest,
                    PingKey {
                        name: name.clone(),
                        service,
                        next_in,
                        route,
                    },
                ))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            keys,
            failures: Mutex::new(HashMap::new()),
        })
    }

    /// The key `guess` is, comparing digests in constant time with every key.
    pub fn find(&self, guess: &str) -> Option<&PingKey> {
        let digest: [u8; 32] = Sha256::digest(guess.as_bytes()).into();
        let mut found = None;
        for (known, key) in &self.keys {
            if bool::from(known.ct_eq(&digest)) {
                found = Some(key);
            }
        }
        found
    }

    /// Whether `peer` has failed too often lately.
    pub fn blocked(&self, peer: IpAddr, now: Instant) -> bool {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.get(&peer).is_some_and(|(count, since)| {
            *count >= MAX_FAILURES && now.duration_since(*since) < FAILURE_WINDOW
        })
    }

    pub fn failed(&self, peer: IpAddr, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, (_, since)| now.duration_since(*since) < FAILURE_WINDOW);
        }
        let entry = failures.entry(peer).or_insert((0, now));
        if now.duration_since(entry.1) >= FAILURE_WINDOW {
            *entry = (0, now);
        }
        entry.0 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_that_keeps_failing_is_blocked_for_a_window() {
        let keys = PingKeys {
            keys: Vec::new(),
            failures: Mutex::new(HashMap::new()),
        };
        let (peer, start) = (IpAddr::from([10, 0, 0, 1]), Instant::now());
        for _ in 0..MAX_FAILURES {
            assert!(!keys.blocked(peer, start));
            keys.failed(peer, start);
        }
        assert!(keys.blocked(peer, start));
        assert!(
            !keys.blocked(IpAddr::from([10, 0, 0, 2]), start),
            "others are not"
        );
        assert!(
            !keys.blocked(peer, start + FAILURE_WINDOW),
            "a window later"
        );
    }
}
