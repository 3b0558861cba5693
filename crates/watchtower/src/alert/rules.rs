//! Event rules: events at or above a level, of some services, alert the service's
//! owner (or a target of the rule's own), at most once per period per service, so
//! that the event aggregator can page too. Only events that clients send are
//! matched, never the lines Watchtower writes about deaths (those alert already).

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;

use super::policy::SnoozeScope;
use super::{Channels, EventLine};
use crate::config::EventRuleConfig;
use crate::events::{AttributeFilter, AttributeValue, Event, Level};
use crate::monitor::{AlertRoute, AlertType, ServiceName};
use crate::time::Timestamp;

#[derive(Clone, Debug)]
pub struct EventRule {
    pub name: String,
    scope: SnoozeScope,
    min_level: Level,
    attributes: Vec<AttributeFilter>,
    every: Duration,
    route: Option<AlertRoute>,
}

/// The configured rules, checked at start-up.
#[derive(Clone, Debug, Default)]
pub struct EventRules(Vec<EventRule>);

/// One rule matched by one or more events of one service, as the store records it.
#[derive(Clone, Debug)]
pub struct RuleFire {
    pub rule: String,
    pub service: ServiceName,
    /// The event the alert quotes: the most severe, then the latest, of those matched.
    pub event: EventLine,
    pub matched: u64,
    pub every: Duration,
    /// `None`: the service's own alert route, if it is monitored.
    pub route: Option<AlertRoute>,
    pub now: Timestamp,
}

/// What the store did with a [`RuleFire`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleFired {
    /// An alert is queued.
    Queued,
    /// The rule alerted about this service less than `every` ago: counted for the next alert.
    Quieted,
    /// Nobody to alert: the service is not monitored and the rule names no target.
    NoRoute,
}

impl EventRules {
    pub fn from_config(rules: &[EventRuleConfig], channels: &Channels) -> anyhow::Result<Self> {
        let mut names = std::collections::HashSet::new();
        let compiled = rules
            .iter()
            .enumerate()
            .map(|(index, rule)| {
                let key = format!("alerts.eventRules[{index}]");
                if rule.name.trim().is_empty() || !names.insert(rule.name.as_str()) {
                    anyhow::bail!("{key}.name: each rule needs a name of its own");
                }
                let scope = match (rule.service.as_deref(), rule.prefix.as_deref()) {
                    (None, None) => SnoozeScope::All,
                    (service, prefix) => SnoozeScope::parse(service, prefix)
                        .map_err(|error| anyhow::anyhow!("{key}.{error}"))?,
                };
                let min_level = Level::parse("minLevel", &rule.min_level)
                    .map_err(|error| anyhow::anyhow!("{key}.{error}"))?;
                let route = match (&rule.alert_type, &rule.alert_target) {
                    (None, None) => None,
                    (Some(kind), Some(target)) => {
                        let route = AlertRoute {
                            kind: AlertType::parse(kind)
                                .map_err(|e| anyhow::anyhow!("{key}.{e}"))?,
                            target: target.clone(),
                        };
                        channels
                            .validate(&route)
                            .map_err(|e| anyhow::anyhow!("{key}.{e}"))?;
                        Some(route)
                    }
                    _ => anyhow::bail!("{key}: give both alertType and alertTarget, or neither"),
                };
                let attributes = attribute_filters(&rule.attributes)
                    .map_err(|problem| anyhow::anyhow!("{key}.attributes: {problem}"))?;
                Ok(EventRule {
                    name: rule.name.clone(),
                    scope,
                    min_level,
                    attributes,
                    every: Duration::from_secs_f64(rule.every),
                    route,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .context("invalid event rule")?;
        Ok(Self(compiled))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What `events` set off: one fire per rule and service.
    pub fn fires(&self, events: &[Event], now: Timestamp) -> Vec<RuleFire> {
        if self.0.is_empty() {
            return Vec::new();
        }
        let mut fires: HashMap<(usize, &ServiceName), RuleFire> = HashMap::new();
        for event in events {
            for (index, rule) in self.0.iter().enumerate() {
                if event.level < rule.min_level
                    || !rule.scope.covers(&event.service)
                    || !event.attributes.matches(&rule.attributes)
                {
                    continue;
                }
                let fire = fires
                    .entry((index, &event.service))
                    .or_insert_with(|| RuleFire {
                        rule: rule.name.clone(),
                        service: event.service.clone(),
                        event: EventLine::from(event),
                        matched: 0,
                        every: rule.every,
                        route: rule.route.clone(),
                        now,
                    });
                fire.matched += 1;
                if event.level >= fire.event.level {
                    fire.event = EventLine::from(event);
                }
            }
        }
        let mut fires: Vec<RuleFire> = fires.into_values().collect();
        fires.sort_by(|a, b| (&a.rule, &a.service).cmp(&(&b.rule, &b.service)));
        fires
    }
}

/// A rule's attributes as the filters they stand for: each value a scalar, as
/// its text.
fn attribute_filters(
    attributes: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Result<Vec<AttributeFilter>, String> {
    attributes
        .iter()
        .map(|(key, value)| {
            let value: AttributeValue = match value {
                serde_json::Value::Bool(_)
                | serde_json::Value::Number(_)
                | serde_json::Value::String(_) => serde_json::from_value(value.clone())
                    .map_err(|error| format!("`{key}`: {error}"))?,
                _ => return Err(format!("`{key}` must be a string, a number or a boolean")),
            };
            let param = format!("{}{key}", crate::events::ATTRIBUTE_FILTER_PREFIX);
            match AttributeFilter::from_param(&param, &value.text()) {
                Some(filter) => filter.map_err(|invalid| invalid.problem),
                None => Err(format!("`{key}` is not an attribute name")),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(json: serde_json::Value) -> EventRules {
        let configs: Vec<EventRuleConfig> = serde_json::from_value(json).unwrap();
        let channels = Channels::from_config(&crate::config::Config::default()).unwrap();
        EventRules::from_config(&configs, &channels).unwrap()
    }

    fn event(id: i64, service: &str, level: Level, message: &str) -> Event {
        Event {
            id,
            service: ServiceName::parse("service", service).unwrap(),
            level,
            message: message.into(),
            date: Timestamp::from_millis(id),
            attributes: Default::default(),
        }
    }

    #[test]
    fn a_rule_fires_once_per_service_quoting_the_worst_latest_event() {
        let rules = rules(serde_json::json!([
            {"name": "billing", "service": "billing", "minLevel": "error"},
            {"name": "any", "every": 60}
        ]));
        let events = [
            event(1, "billing", Level::Error, "first"),
            event(2, "billing", Level::Critical, "worst"),
            event(3, "billing", Level::Error, "later"),
            event(4, "web", Level::Critical, "web down"),
            event(5, "web", Level::Warning, "ignored"),
        ];
        let fires = rules.fires(&events, Timestamp::from_millis(10));
        let summary: Vec<(&str, &str, &str, u64)> = fires
            .iter()
            .map(|f| {
                (
                    f.rule.as_str(),
                    f.service.as_str(),
                    f.event.message.as_str(),
                    f.matched,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("any", "billing", "worst", 1),
                ("any", "web", "web down", 1),
                ("billing", "billing", "worst", 3),
            ]
        );
    }

    #[test]
    fn a_rule_with_attributes_fires_on_events_that_carry_them_all() {
        let rules = rules(serde_json::json!([
            {"name": "prod-5xx", "minLevel": "error", "attributes": {"env": "prod", "status": 503}}
        ]));
        let with = |id, attributes: serde_json::Value| {
            let serde_json::Value::Object(object) = attributes else {
                unreachable!()
            };
            Event {
                attributes: crate::events::Attributes::parse(object).unwrap(),
                ..event(id, "web", Level::Error, &format!("event {id}"))
            }
        };
        let events = [
            with(
                1,
                serde_json::json!({"env": "prod", "status": 503, "host": "a"}),
            ),
            with(2, serde_json::json!({"env": "prod", "status": 500})),
            with(3, serde_json::json!({"env": "test", "status": 503})),
            event(4, "web", Level::Critical, "no attributes"),
        ];
        let fires = rules.fires(&events, Timestamp::from_millis(10));
        assert_eq!(fires.len(), 1);
        assert_eq!(
            (fires[0].matched, fires[0].event.message.as_str()),
            (1, "event 1")
        );
    }

    #[test]
    fn rules_are_checked_at_start() {
        let channels = Channels::from_config(&crate::config::Config::default()).unwrap();
        let bad = [
            serde_json::json!([{"name": ""}]),
            serde_json::json!([{"name": "a"}, {"name": "a"}]),
            serde_json::json!([{"name": "a", "minLevel": "loud"}]),
            serde_json::json!([{"name": "a", "alertType": "mail"}]),
            serde_json::json!([{"name": "a", "alertType": "mail", "alertTarget": "x@y.z"}]),
            serde_json::json!([{"name": "a", "attributes": {"env": ["prod"]}}]),
            serde_json::json!([{"name": "a", "attributes": {"": "prod"}}]),
        ];
        for json in bad {
            let configs: Vec<EventRuleConfig> = serde_json::from_value(json.clone()).unwrap();
            assert!(
                EventRules::from_config(&configs, &channels).is_err(),
                "{json}"
            );
        }
    }
}
