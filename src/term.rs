//! Text bound for a terminal.
//!
//! Scenario, region and knob names, file paths and the values quoted in error messages come
//! from users' files. Printed raw, an escape sequence in one of them (`\u001b]0;…\u0007`,
//! `\u001b[2J`) would retitle or clear the user's terminal, and a bidirectional override would
//! reorder what they read. Everything the `talentsim` binary prints goes through [`clean`],
//! which writes such characters as visible `\u{…}` escapes; line breaks and tabs stay.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal raw: C0 and C1 control characters other than line
/// feed and tab, and the Unicode bidirectional controls (the "Trojan source" characters).
pub fn is_hostile(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every [`is_hostile`] character written as `\u{hex}`.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hostile) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_hostile(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_and_keeps_text() {
        assert!(matches!(clean("Binjiang 滨江\n\tok"), Cow::Borrowed(_)));
        assert_eq!(
            clean("a\u{1b}]0;owned\u{7}\u{1b}[2Jb"),
            "a\\u{1b}]0;owned\\u{7}\\u{1b}[2Jb"
        );
        assert_eq!(clean("x\u{202e}y\u{9b}z\r"), "x\\u{202e}y\\u{9b}z\\u{d}");
    }
}
