//! The ping keys, looked up in constant time. Failed guesses go through the gate
//! (`http::auth::Gate`), with every other failed credential.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::alert::Channels;
use crate::config::PingKeyConfig;
use crate::monitor::{AlertRoute, AlertType, NextIn, ServiceName};
use crate::usecase::PulseDefaults;

/// What a ping key allows.
#[derive(Clone, Debug)]
pub struct PingKey {
    pub name: String,
    pub service: Option<ServiceName>,
    pub next_in: NextIn,
    pub route: Option<AlertRoute>,
    /// The services it may ping; `None`: any (an unbound key, warned of at start).
    pub binding: Option<Binding>,
}

/// A key's services: those whose names start with `prefix`, and `services`.
#[derive(Clone, Debug)]
pub struct Binding {
    pub prefix: Option<String>,
    pub services: Vec<ServiceName>,
}

impl Binding {
    fn admits(&self, service: &ServiceName) -> bool {
        self.services.contains(service)
            || self
                .prefix
                .as_ref()
                .is_some_and(|prefix| service.as_str().starts_with(prefix.as_str()))
    }

    fn describe(&self) -> String {
        let names: Vec<&str> = self.services.iter().map(ServiceName::as_str).collect();
        match (&self.prefix, names.is_empty()) {
            (Some(prefix), true) => format!("services starting with `{prefix}`"),
            (Some(prefix), false) => {
                format!("services starting with `{prefix}` and {}", names.join(", "))
            }
            (None, _) => names.join(", "),
        }
    }
}

impl PingKey {
    /// Refuses a service outside the key's binding (`403`, naming what it allows).
    pub fn may_ping(&self, service: &ServiceName) -> Result<(), String> {
        match &self.binding {
            Some(binding) if !binding.admits(service) => Err(format!(
                "service: the ping key `{}` may ping {} only, not `{service}`",
                self.name,
                binding.describe()
            )),
            _ => Ok(()),
        }
    }

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
                let services = key
                    .services
                    .iter()
                    .map(|name| ServiceName::parse("services", name))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| anyhow::anyhow!("{}: {}", at("services"), e.problem))?;
                let binding = (key.prefix.is_some() || !services.is_empty()).then(|| Binding {
                    prefix: key.prefix.clone(),
                    services,
                });
                if binding.is_none() {
                    tracing::warn!(
                        key = name.as_str(),
                        "ping key `{name}` may ping any service: bind it to its own with `prefix` or `services`"
                    );
                }
                let digest = Sha256::digest(key.key.expose().as_bytes()).into();
                Ok((
                    digest,
                    PingKey {
                        name: name.clone(),
                        service,
                        next_in,
                        route,
                        binding,
                    },
                ))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self { keys })
    }

    /// The keys, in the config's order (by name), without their secrets.
    pub fn iter(&self) -> impl Iterator<Item = &PingKey> {
        self.keys.iter().map(|(_, key)| key)
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
}
