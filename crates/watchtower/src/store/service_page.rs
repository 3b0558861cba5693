//! A page of services in name order, as `GET /` reads them: after a cursor,
//! under a prefix, in some statuses. Both backends order names by code point
//! (UTF-8 byte order), so a prefix is one contiguous range of names.

use crate::monitor::Status;

/// Which services a page holds, in name order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServicePage {
    /// Only names after this one (the last name of the previous page).
    pub after: Option<String>,
    /// Only names that start with this; empty for all.
    pub prefix: String,
    /// Only services stored with one of these statuses; all when empty.
    pub stored: Vec<Status>,
    /// At most this many.
    pub limit: usize,
}

/// A page's `WHERE` conditions (without the keyword) and their parameters, for
/// a backend whose `n`th placeholder is `placeholder(n)` and whose name
/// comparisons use `name` (e.g. `name COLLATE "C"`).
pub struct PageConditions {
    pub sql: String,
    pub params: Vec<String>,
}

impl ServicePage {
    pub fn conditions(&self, name: &str, placeholder: fn(usize) -> String) -> PageConditions {
        // One lower bound, the tighter of cursor and prefix, so that the index's
        // range starts there; the prefix's end as the upper bound, so that the
        // scan stops there whatever the other filters leave.
        let (op, lower) = match &self.after {
            Some(after) if after.as_str() >= self.prefix.as_str() => (">", after.clone()),
            _ => (">=", self.prefix.clone()),
        };
        let mut sql = format!("{name} {op} {}", placeholder(1));
        let mut params = vec![lower];
        if let Some(end) = prefix_end(&self.prefix) {
            sql.push_str(&format!(" AND {name} < {}", placeholder(2)));
            params.push(end);
        }
        if !self.stored.is_empty() {
            // Statuses are the enum's own words, never a client's text.
            let listed: Vec<String> = self
                .stored
                .iter()
                .map(|status| format!("'{}'", status.as_str()))
                .collect();
            sql.push_str(&format!(" AND status IN ({})", listed.join(", ")));
        }
        PageConditions { sql, params }
    }
}

/// The least string above every string that starts with `prefix`: its last
/// character that can be incremented, incremented, and what follows dropped.
/// `None` when there is none (an empty prefix, or only U+10FFFF).
pub fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=0x10FFFF).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_ends_at_its_last_character_incremented() {
        assert_eq!(prefix_end("team-a/"), Some("team-a0".to_owned()));
        assert_eq!(prefix_end("az"), Some("a{".to_owned()));
        assert_eq!(prefix_end("a\u{D7FF}"), Some("a\u{E000}".to_owned()));
        assert_eq!(prefix_end("a\u{10FFFF}"), Some("b".to_owned()));
        assert_eq!(prefix_end("\u{10FFFF}"), None);
        assert_eq!(prefix_end(""), None);
    }

    #[test]
    fn every_name_under_a_prefix_sorts_between_it_and_its_end() {
        for prefix in ["a", "team-é", "x\u{FFFF}"] {
            let end = prefix_end(prefix).unwrap();
            for tail in ["", "\u{0}", "~", "\u{10FFFF}\u{10FFFF}", "zzz"] {
                let name = format!("{prefix}{tail}");
                assert!(
                    name.as_str() >= prefix && name < end,
                    "{name:?} under {prefix:?}"
                );
            }
        }
    }

    #[test]
    fn the_tighter_of_cursor_and_prefix_bounds_the_page() {
        let placeholder = |n: usize| format!("${n}");
        let page = ServicePage {
            after: Some("b".into()),
            prefix: "c".into(),
            stored: vec![Status::Dead, Status::New],
            limit: 10,
        };
        let conditions = page.conditions("name", placeholder);
        assert_eq!(
            conditions.sql,
            "name >= $1 AND name < $2 AND status IN ('dead', 'new')"
        );
        assert_eq!(conditions.params, ["c", "d"]);
        let page = ServicePage {
            after: Some("cz".into()),
            ..page
        };
        let conditions = page.conditions("name", placeholder);
        assert_eq!(
            conditions.sql,
            "name > $1 AND name < $2 AND status IN ('dead', 'new')"
        );
        assert_eq!(conditions.params, ["cz", "d"]);
        let all = ServicePage::default().conditions("name", placeholder);
        assert_eq!(all.sql, "name >= $1");
        assert_eq!(all.params, [""]);
    }
}
