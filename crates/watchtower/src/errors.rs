//! Error text for logs: an error with its causes on one line.

use std::fmt::Write;

/// An error and its causes, outermost first (`a: b: c`), each said once: a
/// wrapper that repeats its cause's message does not repeat it twice.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        let said = next.to_string();
        if !text.contains(&said) {
            write!(text, ": {said}").expect("writing to a String cannot fail");
        }
        cause = next.source();
    }
    text
}
