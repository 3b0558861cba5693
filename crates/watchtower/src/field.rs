//! The one error that input validation produces: which field is wrong, and why.

use std::fmt;

/// A rejected input field. Its `Display` names the field first, so that every
/// 400 or 422 response tells the client exactly what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidField {
    pub field: &'static str,
    pub problem: String,
    pub breaks: Breaks,
}

/// What a refused field breaks. The API document states every grammar (types,
/// lengths, patterns, enums, bounds); a client can check its requests against it,
/// and a request it calls valid is never refused for its form. Some rules no
/// schema can state, and those are told apart (`422`, not `400`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breaks {
    /// The form the API document states.
    Grammar,
    /// A rule relating the field to another field or to the clock: `from` after
    /// `to`, a snooze that ends in the past, a service depending on itself.
    Rule,
}

impl InvalidField {
    /// The field breaks the grammar the API document states.
    pub fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
            breaks: Breaks::Grammar,
        }
    }

    /// The field is well formed but breaks a rule no schema can state.
    pub fn rule(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            breaks: Breaks::Rule,
            ..Self::new(field, problem)
        }
    }
}

impl fmt::Display for InvalidField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}
