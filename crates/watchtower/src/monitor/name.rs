//! Service names: what a client may call a service, and what storage gives back.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::field::InvalidField;

/// A service's name: 1 to 255 characters that show as what they are — no
/// control, invisible or direction-changing characters, no spaces at either end.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceName(Arc<str>);

impl ServiceName {
    /// A name from a client or the config. A name that hides or reorders text
    /// (`back\u{202E}pu` shows as `backup`) would let one service pass for another
    /// in alerts, the dashboard and logs.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, InvalidField> {
        let name = Self::stored(field, text)?;
        if text.trim().is_empty() {
            return Err(InvalidField::new(field, "must not be blank"));
        }
        if text.trim() != text {
            return Err(InvalidField::new(
                field,
                "must not begin or end with a space",
            ));
        }
        if let Some(hidden) = text.chars().find(|c| is_invisible(*c)) {
            return Err(InvalidField::new(
                field,
                format!(
                    "must not contain invisible, direction-changing or line-breaking characters (U+{:04X})",
                    u32::from(hidden)
                ),
            ));
        }
        Ok(name)
    }

    /// A name as stored: the rule names were written under (1 to 255 characters,
    /// no control characters), so that names taken before [`Self::parse`] became
    /// stricter are still read.
    pub fn stored(field: &'static str, text: &str) -> Result<Self, InvalidField> {
        let length = text.chars().count();
        if length == 0 || length > 255 {
            return Err(InvalidField::new(
                field,
                format!("must be 1 to 255 characters, got {length}"),
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(InvalidField::new(
                field,
                "must contain only printable characters",
            ));
        }
        Ok(Self(text.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The format characters (Unicode general category Cf: bidirectional overrides and
/// isolates, zero-width spaces and joiners, the byte order mark, soft hyphens, tags…),
/// which change how the text around them shows while showing nothing themselves;
/// and the line and paragraph separators, which break a line as `\n` would.
const INVISIBLE: [(char, char); 21] = [
    ('\u{00AD}', '\u{00AD}'),
    ('\u{0600}', '\u{0605}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{06DD}', '\u{06DD}'),
    ('\u{070F}', '\u{070F}'),
    ('\u{0890}', '\u{0891}'),
    ('\u{08E2}', '\u{08E2}'),
    ('\u{180E}', '\u{180E}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{2028}', '\u{202E}'),
    ('\u{2060}', '\u{2064}'),
    ('\u{2066}', '\u{206F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFF9}', '\u{FFFB}'),
    ('\u{110BD}', '\u{110BD}'),
    ('\u{110CD}', '\u{110CD}'),
    ('\u{13430}', '\u{1343F}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0001}', '\u{E0001}'),
    ('\u{E0020}', '\u{E007F}'),
];

/// The control characters (Unicode's Cc), refused anywhere in a name.
const CONTROL: [(char, char); 2] = [('\u{0000}', '\u{001F}'), ('\u{007F}', '\u{009F}')];

/// Unicode's `White_Space` (what `str::trim` strips), refused at either end.
const WHITE_SPACE: [(char, char); 10] = [
    ('\u{0009}', '\u{000D}'),
    ('\u{0020}', '\u{0020}'),
    ('\u{0085}', '\u{0085}'),
    ('\u{00A0}', '\u{00A0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200A}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202F}', '\u{202F}'),
    ('\u{205F}', '\u{205F}'),
    ('\u{3000}', '\u{3000}'),
];

/// [`ServiceName::parse`]'s rule as a regular expression, for the API document
/// (with `minLength` 1 and `maxLength` 255). Built from the same tables, so the
/// two cannot disagree. ASCII and the other characters of the Basic Multilingual
/// Plane are escaped (`\x1f`, `\u200b`), as ECMA-262 and Python's `re` both read
/// them; the few beyond it are written as themselves.
pub fn name_pattern() -> String {
    let class = |ranges: &[(char, char)]| -> String {
        ranges
            .iter()
            .map(|&(first, last)| match first == last {
                true => escape(first),
                false => format!("{}-{}", escape(first), escape(last)),
            })
            .collect()
    };
    let hidden = class(&[&CONTROL[..], &INVISIBLE[..]].concat());
    let space = class(&WHITE_SPACE);
    format!("^[^{hidden}{space}](?:[^{hidden}]*[^{hidden}{space}])?$")
}

fn escape(c: char) -> String {
    match u32::from(c) {
        code @ 0..=0xFF => format!("\\x{code:02x}"),
        code @ 0x100..=0xFFFF => format!("\\u{code:04x}"),
        _ => c.to_string(),
    }
}

fn is_invisible(c: char) -> bool {
    INVISIBLE
        .iter()
        .any(|(first, last)| (*first..=*last).contains(&c))
}

impl Serialize for ServiceName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_are_one_to_255_printable_characters() {
        for ok in ["backup", "Mid é", "a b", "*", "日本語", "🚀 launch"] {
            assert!(ServiceName::parse("service", ok).is_ok(), "{ok:?}");
        }
        assert!(ServiceName::parse("service", &"é".repeat(255)).is_ok());
        let rejected = ["", "tab\there", "line\nbreak"];
        for text in rejected {
            assert!(ServiceName::parse("service", text).is_err(), "{text:?}");
        }
        assert!(ServiceName::parse("service", &"x".repeat(256)).is_err());
    }

    #[test]
    fn service_names_refuse_blanks_edge_spaces_and_characters_that_hide_text() {
        let cases = [
            (" ", "blank"),
            ("\u{3000}", "blank"),
            (" backup", "begin or end"),
            ("backup\u{A0}", "begin or end"),
            ("back\u{202E}pu", "U+202E"),
            ("back\u{2067}up", "U+2067"),
            ("back\u{200B}up", "U+200B"),
            ("back\u{200D}up", "U+200D"),
            ("\u{FEFF}backup", "U+FEFF"),
            ("back\u{00AD}up", "U+00AD"),
            ("back\u{2028}up", "U+2028"),
            ("back\u{E0041}up", "U+E0041"),
        ];
        for (text, problem) in cases {
            let error = ServiceName::parse("dependsOn", text).unwrap_err();
            assert_eq!(error.field, "dependsOn", "{text:?}");
            assert!(
                error.problem.contains(problem),
                "{text:?}: {}",
                error.problem
            );
            assert!(
                ServiceName::stored("service", text).is_ok(),
                "{text:?} stays readable"
            );
        }
    }
}
