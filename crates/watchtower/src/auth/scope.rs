//! What a credential may do. Four scopes, each allowing the one before it:
//! `read` (every read, the streams, the dashboard), `ingest` (pulses and events
//! only: a cron host or an app, which reads nothing), `write` (ingest, plus
//! cancelling and snoozing), `admin` (everything, keys included). `ingest` does
//! not include `read`: a host that reports has no business reading the rest.

use std::fmt;

use crate::field::InvalidField;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Read,
    Ingest,
    Write,
    Admin,
}

/// What a request does, as the router classifies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Saying who is signed in: any credential may.
    Identify,
    Read,
    Ingest,
    Write,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Self::Read, Self::Ingest, Self::Write, Self::Admin];

    pub fn parse(field: &'static str, text: &str) -> Result<Self, InvalidField> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == text)
            .ok_or_else(|| {
                InvalidField::new(
                    field,
                    format!("`{text}` is not read, ingest, write or admin"),
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Ingest => "ingest",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }

    pub fn allows(self, action: Action) -> bool {
        matches!(
            (self, action),
            (_, Action::Identify)
                | (Self::Admin, _)
                | (Self::Write, Action::Read | Action::Ingest | Action::Write)
                | (Self::Ingest, Action::Ingest)
                | (Self::Read, Action::Read)
        )
    }
}

impl Action {
    /// The narrowest scope that allows it, for the refusal's message.
    pub fn needs(self) -> &'static str {
        match self {
            Self::Identify => "any scope",
            Self::Read => "read, write or admin",
            Self::Ingest => "ingest, write or admin",
            Self::Write => "write or admin",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is asking: the bootstrap password (`admin`, every service), a key, or a
/// user a trusted proxy signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The key's or the user's name, or `password`.
    pub name: String,
    pub kind: Kind,
    pub scope: Scope,
    /// Only services whose names start with it, if set.
    pub prefix: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Password,
    Key,
    /// Named by a trusted proxy's `auth.proxyHeader`.
    User,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Key => "key",
            Self::User => "user",
        }
    }
}

impl Principal {
    /// The configured (or generated) password: admin over everything.
    pub fn password() -> Self {
        Self {
            name: "password".into(),
            kind: Kind::Password,
            scope: Scope::Admin,
            prefix: None,
        }
    }

    /// A user signed in by a trusted proxy.
    pub fn user(name: &str, scope: Scope) -> Self {
        Self {
            name: name.to_owned(),
            kind: Kind::User,
            scope,
            prefix: None,
        }
    }

    /// `the password`, ``key `ci` ``, ``user `alice` ``: for messages and the audit.
    pub fn describe(&self) -> String {
        match self.kind {
            Kind::Password => "the password".to_owned(),
            Kind::Key => format!("key `{}`", self.name),
            Kind::User => format!("user `{}`", self.name),
        }
    }

    /// Whether `service` is within this principal's prefix.
    pub fn sees(&self, service: &str) -> bool {
        self.prefix
            .as_deref()
            .is_none_or(|prefix| service.starts_with(prefix))
    }

    /// Refuses a service outside the prefix, naming both.
    pub fn check_service(&self, field: &'static str, service: &str) -> Result<(), String> {
        match self.sees(service) {
            true => Ok(()),
            false => Err(format!(
                "{field}: {} may touch only services starting with `{}`, not `{service}`",
                self.describe(),
                self.prefix.as_deref().unwrap_or_default()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scope_allows_what_it_says_ingest_reads_nothing_and_all_may_identify() {
        let table = [
            (Scope::Read, [true, true, false, false, false]),
            (Scope::Ingest, [true, false, true, false, false]),
            (Scope::Write, [true, true, true, true, false]),
            (Scope::Admin, [true, true, true, true, true]),
        ];
        let actions = [
            Action::Identify,
            Action::Read,
            Action::Ingest,
            Action::Write,
            Action::Admin,
        ];
        for (scope, allowed) in table {
            for (action, allow) in actions.iter().zip(allowed) {
                assert_eq!(scope.allows(*action), allow, "{scope} {action:?}");
            }
        }
    }

    #[test]
    fn a_prefix_bounds_the_services_seen() {
        let key = Principal {
            name: "web".into(),
            kind: Kind::Key,
            scope: Scope::Write,
            prefix: Some("web-".into()),
        };
        assert!(key.sees("web-shop") && !key.sees("db"));
        assert!(
            key.check_service("service", "db")
                .unwrap_err()
                .contains("`web-`")
        );
        assert!(Principal::password().sees("anything"));
    }
}
